/// Why the gate could not run: bad input or usage that the user can fix (the CLI exits 2).
/// The message is already masked and says what to do.
public struct GateError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The error is in how a command was called (an option), not in a file: the CLI adds its usage.
    public var usage: Bool

    public init(_ message: String, usage: Bool = false) {
        self.message = message
        self.usage = usage
    }

    public var description: String { message }
}
