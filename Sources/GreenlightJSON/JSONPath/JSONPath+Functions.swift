extension JSONPath.Evaluator {
    /// The result of a function declared to return a value; nil stands for Nothing.
    func value(_ call: JSONPath.FunctionCall, current: JSONValue) -> JSONValue? {
        switch call.function {
        case .length:
            switch argumentValue(call.arguments[0], current: current) {
            case .string(let text)?: return .int(text.unicodeScalars.count)
            case .array(let elements)?: return .int(elements.count)
            case .object(let members)?: return .int(members.count)
            default: return nil
            }
        case .count:
            return .int(nodes(call.arguments[0], current: current).count)
        case .value:
            let selected = nodes(call.arguments[0], current: current)
            return selected.count == 1 ? selected[0] : nil
        case .match, .search:
            return nil
        }
    }

    /// The result of a function declared to return a logical value (or a nodelist, true when non-empty).
    func logical(_ call: JSONPath.FunctionCall, current: JSONValue) -> Bool {
        switch call.function {
        case .match, .search:
            guard case .string(let text)? = argumentValue(call.arguments[0], current: current),
                case .string(let pattern)? = argumentValue(call.arguments[1], current: current),
                let regex = regexes.regex(for: pattern)
            else { return false }
            if call.function == .match { return (try? regex.wholeMatch(in: text)) != nil }
            return (try? regex.firstMatch(in: text)) != nil
        case .length, .count, .value:
            return false
        }
    }

    /// An argument of a value parameter: a literal, a singular query's node, or a function's value.
    private func argumentValue(_ argument: JSONPath.Argument, current: JSONValue) -> JSONValue? {
        switch argument {
        case .literal(let value): return value
        case .query(let query): return singularValue(query, current: current)
        case .function(let call): return value(call, current: current)
        case .logical: return nil
        }
    }

    /// An argument of a nodelist parameter: the nodes its query selects.
    private func nodes(_ argument: JSONPath.Argument, current: JSONValue) -> [JSONValue] {
        if case .query(let query) = argument { return select(query, current: current) }
        return []
    }
}

/// I-Regexp patterns compiled during one evaluation; invalid patterns are remembered as nil.
final class RegexCache {
    /// Keyed by UTF-8 so that canonically equivalent but different patterns stay apart.
    private var compiled: [[UInt8]: Regex<AnyRegexOutput>?] = [:]

    func regex(for pattern: String) -> Regex<AnyRegexOutput>? {
        let key = Array(pattern.utf8)
        if let known = compiled[key] { return known }
        let regex = IRegexp.compile(pattern)
        compiled[key] = .some(regex)
        return regex
    }
}
