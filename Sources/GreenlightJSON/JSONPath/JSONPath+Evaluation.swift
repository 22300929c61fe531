extension JSONPath {
    /// Runs a parsed query against one document (RFC 9535 sections 2.3 to 2.5).
    struct Evaluator {
        let root: JSONValue
        /// Compiled I-Regexp patterns of this run, so a filter over many nodes compiles each pattern once.
        let regexes = RegexCache()

        func select(_ query: Query, current: JSONValue) -> [JSONValue] {
            var nodes = [query.isRelative ? current : root]
            for segment in query.segments {
                var next: [JSONValue] = []
                for node in nodes {
                    if segment.isDescendant {
                        selectDescending(segment.selectors, from: node, into: &next)
                    } else {
                        select(segment.selectors, from: node, into: &next)
                    }
                }
                if next.isEmpty { return [] }
                nodes = next
            }
            return nodes
        }

        /// The one node a singular query selects, without building nodelists; nil when there is none.
        func singularValue(_ query: Query, current: JSONValue) -> JSONValue? {
            var node = query.isRelative ? current : root
            for segment in query.segments {
                switch segment.selectors.first {
                case .name(let name)?:
                    guard let child = Self.member(name, of: node) else { return nil }
                    node = child
                case .index(let index)?:
                    guard case .array(let elements) = node, let i = Self.normalize(index, count: elements.count) else {
                        return nil
                    }
                    node = elements[i]
                default:
                    return select(query, current: current).first
                }
            }
            return node
        }

        /// Applies a bracketed selection to a node and then to each of its descendants, parents first.
        private func selectDescending(_ selectors: [Selector], from node: JSONValue, into output: inout [JSONValue]) {
            select(selectors, from: node, into: &output)
            switch node {
            case .array(let elements):
                for element in elements { selectDescending(selectors, from: element, into: &output) }
            case .object(let members):
                for (_, value) in members { selectDescending(selectors, from: value, into: &output) }
            default:
                break
            }
        }

        private func select(_ selectors: [Selector], from node: JSONValue, into output: inout [JSONValue]) {
            for selector in selectors {
                switch selector {
                case .name(let name):
                    if let child = Self.member(name, of: node) { output.append(child) }
                case .wildcard:
                    switch node {
                    case .array(let elements): output.append(contentsOf: elements)
                    case .object(let members): output.append(contentsOf: members.lazy.map(\.1))
                    default: break
                    }
                case .index(let index):
                    if case .array(let elements) = node, let i = Self.normalize(index, count: elements.count) {
                        output.append(elements[i])
                    }
                case .slice(let start, let end, let step):
                    if case .array(let elements) = node {
                        for i in Self.sliceIndices(start: start, end: end, step: step, count: elements.count) {
                            output.append(elements[i])
                        }
                    }
                case .filter(let expression):
                    switch node {
                    case .array(let elements):
                        for element in elements where test(expression, current: element) { output.append(element) }
                    case .object(let members):
                        for (_, value) in members where test(expression, current: value) { output.append(value) }
                    default:
                        break
                    }
                }
            }
        }

        /// The member with exactly this name (Unicode scalars compared, no normalization).
        static func member(_ name: String, of node: JSONValue) -> JSONValue? {
            guard case .object(let members) = node else { return nil }
            return members.first { $0.0.utf8.count == name.utf8.count && $0.0.utf8.elementsEqual(name.utf8) }?.1
        }

        static func normalize(_ index: Int, count: Int) -> Int? {
            let i = index < 0 ? count + index : index
            return i >= 0 && i < count ? i : nil
        }

        /// The indexes an array slice selects (RFC 9535 section 2.3.4.2.2).
        static func sliceIndices(start: Int?, end: Int?, step: Int?, count: Int) -> StrideTo<Int> {
            let step = step ?? 1
            if step == 0 { return stride(from: 0, to: 0, by: 1) }
            func normalized(_ i: Int) -> Int { i >= 0 ? i : count + i }
            if step > 0 {
                let lower = min(max(normalized(start ?? 0), 0), count)
                let upper = min(max(normalized(end ?? count), 0), count)
                return stride(from: lower, to: upper, by: step)
            }
            let upper = min(max(start.map(normalized) ?? count - 1, -1), count - 1)
            let lower = min(max(end.map(normalized) ?? -count - 1, -1), count - 1)
            return stride(from: upper, to: lower, by: step)
        }

        // MARK: Filters

        func test(_ expression: LogicalExpression, current: JSONValue) -> Bool {
            switch expression {
            case .or(let terms):
                return terms.contains { test($0, current: current) }
            case .and(let terms):
                return terms.allSatisfy { test($0, current: current) }
            case .not(let inner):
                return !test(inner, current: current)
            case .comparison(let left, let op, let right):
                return Self.compare(value(of: left, current: current), op, value(of: right, current: current))
            case .exists(let query):
                return !select(query, current: current).isEmpty
            case .function(let call):
                return logical(call, current: current)
            }
        }

        private func value(of comparand: Comparand, current: JSONValue) -> JSONValue? {
            switch comparand {
            case .literal(let value): return value
            case .query(let query): return singularValue(query, current: current)
            case .function(let call): return value(call, current: current)
            }
        }

        /// Compares two values, nil standing for Nothing (RFC 9535 section 2.3.5.2.2).
        static func compare(_ a: JSONValue?, _ op: ComparisonOperator, _ b: JSONValue?) -> Bool {
            switch op {
            case .equal: return equal(a, b)
            case .notEqual: return !equal(a, b)
            case .less: return less(a, b)
            case .lessOrEqual: return less(a, b) || equal(a, b)
            case .greater: return less(b, a)
            case .greaterOrEqual: return less(b, a) || equal(a, b)
            }
        }

        static func equal(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
            switch (a, b) {
            case (nil, nil): return true
            case (let a?, let b?): return deepEqual(a, b)
            default: return false
            }
        }

        static func deepEqual(_ a: JSONValue, _ b: JSONValue) -> Bool {
            switch (a, b) {
            case (.null, .null): return true
            case (.bool(let x), .bool(let y)): return x == y
            case (.string(let x), .string(let y)): return x.utf8.elementsEqual(y.utf8)
            case (.array(let x), .array(let y)):
                return x.count == y.count && zip(x, y).allSatisfy { deepEqual($0, $1) }
            case (.object(let x), .object(let y)):
                guard x.count == y.count else { return false }
                return x.allSatisfy { name, value in
                    guard let other = member(name, of: b) else { return false }
                    return deepEqual(value, other)
                }
            default:
                return compareNumbers(a, b) == 0
            }
        }

        static func less(_ a: JSONValue?, _ b: JSONValue?) -> Bool {
            switch (a, b) {
            case (.string(let x)?, .string(let y)?): return x.utf8.lexicographicallyPrecedes(y.utf8)
            case (let a?, let b?): return compareNumbers(a, b) == -1
            default: return false
            }
        }

        /// -1, 0 or 1 when both are numbers, exactly even between large integers and doubles; else nil.
        static func compareNumbers(_ a: JSONValue, _ b: JSONValue) -> Int? {
            switch (a, b) {
            case (.int(let x), .int(let y)): return x < y ? -1 : (x == y ? 0 : 1)
            case (.double(let x), .double(let y)):
                if x.isNaN || y.isNaN { return nil }
                return x < y ? -1 : (x == y ? 0 : 1)
            case (.int(let x), .double(let y)): return compare(x, y)
            case (.double(let x), .int(let y)): return compare(y, x).map { -$0 }
            default: return nil
            }
        }

        private static func compare(_ x: Int, _ y: Double) -> Int? {
            if y.isNaN { return nil }
            if y >= 9_223_372_036_854_775_808.0 { return -1 }
            if y < -9_223_372_036_854_775_808.0 { return 1 }
            let whole = y.rounded(.towardZero)
            let wholeInt = Int(whole)
            if x != wholeInt { return x < wholeInt ? -1 : 1 }
            let fraction = y - whole
            return fraction > 0 ? -1 : (fraction < 0 ? 1 : 0)
        }
    }
}
