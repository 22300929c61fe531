/// Why the gate could not run. The message is already masked and says what to do.
public struct GateError: Error, Sendable, CustomStringConvertible {
    public var message: String
    /// The error is in how a command was called (an option), not in a file: the CLI adds its usage.
    public var usage: Bool
    /// Bad input the user can fix (a file, an option; the CLI exits 2), or something that failed
    /// while running, such as a service that did not start (exit 1).
    public var isInput: Bool

    public init(_ message: String, usage: Bool = false, isInput: Bool = true) {
        self.message = message
        self.usage = usage
        self.isInput = isInput
    }

    public var description: String { message }
}
