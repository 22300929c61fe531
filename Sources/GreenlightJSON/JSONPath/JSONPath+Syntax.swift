/// The parsed form of a JSONPath query (RFC 9535 section 2), checked for well-typedness.
extension JSONPath {
    /// A query: `$` or `@` followed by segments.
    struct Query: Sendable, Hashable {
        /// True for `@` (the current node of a filter), false for `$` (the root).
        var isRelative: Bool
        var segments: [Segment]

        /// True when the query selects at most one node: only single name or index selectors, no `..`.
        var isSingular: Bool {
            segments.allSatisfy { segment in
                guard !segment.isDescendant, segment.selectors.count == 1 else { return false }
                switch segment.selectors[0] {
                case .name, .index: return true
                case .wildcard, .slice, .filter: return false
                }
            }
        }
    }

    /// A child segment (`[…]`, `.name`, `.*`) or a descendant segment (`..[…]`, `..name`, `..*`).
    struct Segment: Sendable, Hashable {
        var isDescendant: Bool
        var selectors: [Selector]
    }

    enum Selector: Sendable, Hashable {
        case name(String)
        case wildcard
        case index(Int)
        case slice(start: Int?, end: Int?, step: Int?)
        case filter(LogicalExpression)
    }

    /// A filter's logical expression.
    indirect enum LogicalExpression: Sendable, Hashable {
        case or([LogicalExpression])
        case and([LogicalExpression])
        case not(LogicalExpression)
        case comparison(Comparand, ComparisonOperator, Comparand)
        /// An existence test: true when the query selects at least one node.
        case exists(Query)
        /// A function whose result is a logical value (or a nodelist, true when non-empty).
        case function(FunctionCall)
    }

    /// One side of a comparison: a literal, a singular query, or a function returning a value.
    enum Comparand: Sendable, Hashable {
        case literal(JSONValue)
        case query(Query)
        case function(FunctionCall)
    }

    enum ComparisonOperator: String, Sendable, Hashable {
        case equal = "=="
        case notEqual = "!="
        case less = "<"
        case lessOrEqual = "<="
        case greater = ">"
        case greaterOrEqual = ">="
    }

    /// A call to one of the RFC's function extensions, its arguments already checked against the parameter types.
    struct FunctionCall: Sendable, Hashable {
        var function: Function
        var arguments: [Argument]
    }

    /// An argument as written; which kinds a parameter accepts depends on its declared type.
    indirect enum Argument: Sendable, Hashable {
        case literal(JSONValue)
        case query(Query)
        case logical(LogicalExpression)
        case function(FunctionCall)
    }

    /// The type system of RFC 9535 section 2.4.1.
    enum ExpressionType: Sendable, Hashable {
        case value
        case logical
        case nodes
    }

    /// The function extensions of RFC 9535 section 2.4.4 to 2.4.8.
    enum Function: String, Sendable, Hashable, CaseIterable {
        case length
        case count
        case match
        case search
        case value

        var parameters: [ExpressionType] {
            switch self {
            case .length: return [.value]
            case .count, .value: return [.nodes]
            case .match, .search: return [.value, .value]
            }
        }

        var result: ExpressionType {
            switch self {
            case .length, .count, .value: return .value
            case .match, .search: return .logical
            }
        }
    }
}
