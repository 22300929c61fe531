/// A data file that cannot be used, and where: `data/users.csv:4: row has 3 fields, the header has 2`.
package struct DataFeedError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file as the spec names it.
    package var path: String
    /// The 1-based line the problem is on, when it is on one.
    package var line: Int?
    /// The 1-based column, in Unicode scalars, when it helps to point at one.
    package var column: Int?
    /// What is wrong, and what to do about it when that is not obvious; for a problem with the whole
    /// file (it cannot be read, it has no rows) a sentence that names the file.
    package var reason: String

    package init(path: String, line: Int? = nil, column: Int? = nil, reason: String) {
        self.path = path
        self.line = line
        self.column = column
        self.reason = reason
    }

    package var description: String {
        switch (line, column) {
        case (let line?, let column?): return "\(path):\(line):\(column): \(reason)"
        case (let line?, nil): return "\(path):\(line): \(reason)"
        default: return reason
        }
    }
}
