/// Why an exposition could not be read, and where: `line 12, column 8: expected '=' after label name
/// 'method', found ':'`. The column counts characters from 1; for bytes that are not UTF-8, bytes.
public struct ExpositionError: Error, Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var column: Int
    /// What was wrong, without the position.
    public var message: String

    public init(line: Int, column: Int, message: String) {
        self.line = line
        self.column = column
        self.message = message
    }

    public var description: String { "line \(line), column \(column): \(message)" }
}
