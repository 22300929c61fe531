/// Why the gate could not run: bad input or usage that the user can fix (the CLI exits 2).
/// The message is already masked and says what to do.
public struct GateError: Error, Sendable, CustomStringConvertible {
    public var message: String

    public init(_ message: String) {
        self.message = message
    }

    public var description: String { message }
}
