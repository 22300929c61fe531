/// A JSONPath query (RFC 9535), parsed and type-checked once, then run against any number of documents.
///
/// ```swift
/// let path = try JSONPath(parsing: "$.store.book[?@.price < 10].title")
/// let titles = path.select(in: document)
/// ```
///
/// Two paths are equal when they parse to the same query, so `$.a` equals `$['a']`; `description` is the
/// expression as written.
public struct JSONPath: Sendable, Hashable, CustomStringConvertible {
    /// The expression as written.
    public let description: String
    let query: Query

    /// Parses an expression, rejecting anything RFC 9535 does not allow, including ill-typed function calls.
    public init(parsing text: String) throws(JSONPathError) {
        var parser = JSONPathParser(text)
        query = try parser.parseWholeQuery()
        description = text
    }

    /// True when the query can select at most one node (RFC 9535 section 2.3.5.1): names and indexes only.
    public var isSingular: Bool { query.isSingular }

    /// The nodes the query selects from `value`, in the order RFC 9535 defines (document order for `..`).
    public func select(in value: JSONValue) -> [JSONValue] {
        Evaluator(root: value).select(query, current: value)
    }

    /// The first node the query selects, or nil when it selects nothing.
    public func first(in value: JSONValue) -> JSONValue? {
        select(in: value).first
    }

    public static func == (lhs: JSONPath, rhs: JSONPath) -> Bool { lhs.query == rhs.query }

    public func hash(into hasher: inout Hasher) { hasher.combine(query) }
}

/// A JSONPath expression that cannot be used: what is wrong, what was expected, and where.
public struct JSONPathError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What is wrong and what was expected instead.
    public var message: String
    /// Zero-based offset into the expression, counted in Unicode scalars (as spec columns are).
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "invalid JSONPath at offset \(offset): \(message)" }
}
