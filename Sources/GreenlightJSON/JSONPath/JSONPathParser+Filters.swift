/// Filter expressions (RFC 9535 section 2.3.5) and function calls, with the type rules of section 2.4.3.
extension JSONPathParser {
    mutating func parseLogicalOr() throws(JSONPathError) -> LogicalExpression {
        try continueOr(try parseLogicalAnd())
    }

    private mutating func continueOr(_ first: LogicalExpression) throws(JSONPathError) -> LogicalExpression {
        var terms = [first]
        while true {
            let save = index
            skipBlanks()
            guard lookingAt("||") else {
                index = save
                break
            }
            index += 2
            skipBlanks()
            terms.append(try parseLogicalAnd())
        }
        return terms.count == 1 ? first : .or(terms)
    }

    private mutating func parseLogicalAnd() throws(JSONPathError) -> LogicalExpression {
        try continueAnd(try parseBasicExpression())
    }

    private mutating func continueAnd(_ first: LogicalExpression) throws(JSONPathError) -> LogicalExpression {
        var terms = [first]
        while true {
            let save = index
            skipBlanks()
            guard lookingAt("&&") else {
                index = save
                break
            }
            index += 2
            skipBlanks()
            terms.append(try parseBasicExpression())
        }
        return terms.count == 1 ? first : .and(terms)
    }

    /// A parenthesized expression, a comparison, or a test, each possibly negated as the grammar allows.
    private mutating func parseBasicExpression() throws(JSONPathError) -> LogicalExpression {
        if peek() == "!" {
            let bang = index
            index += 1
            skipBlanks()
            if peek() == "(" { return .not(try parseParenthesized()) }
            let start = index
            let operand = try parseOperand()
            if case .literal = operand {
                throw error("'!' must be followed by a query, a function call or a parenthesized expression", at: start)
            }
            let test = try testExpression(operand, at: start)
            let save = index
            skipBlanks()
            if comparisonOperatorAhead() {
                throw error(
                    "'!' cannot negate a comparison directly; put the comparison in parentheses: !(… == …)", at: bang)
            }
            index = save
            return .not(test)
        }
        if peek() == "(" { return try parseParenthesized() }
        let start = index
        return try finishBasicExpression(try parseOperand(), at: start)
    }

    /// Completes a comparison whose left side has been read, or takes the operand as a test.
    private mutating func finishBasicExpression(_ left: Operand, at start: Int) throws(JSONPathError)
        -> LogicalExpression
    {
        let save = index
        skipBlanks()
        guard let op = parseComparisonOperator() else {
            index = save
            return try testExpression(left, at: start)
        }
        skipBlanks()
        let rightStart = index
        let right = try parseOperand()
        return .comparison(try comparand(left, at: start), op, try comparand(right, at: rightStart))
    }

    private mutating func parseParenthesized() throws(JSONPathError) -> LogicalExpression {
        let open = index
        index += 1
        try enterNesting(at: open)
        skipBlanks()
        let expression = try parseLogicalOr()
        skipBlanks()
        guard peek() == ")" else { throw unexpected(expected: "')' to close the '(' at offset \(open)") }
        index += 1
        nesting -= 1
        return expression
    }

    private mutating func parseComparisonOperator() -> JSONPath.ComparisonOperator? {
        for op in [JSONPath.ComparisonOperator.equal, .notEqual, .lessOrEqual, .greaterOrEqual, .less, .greater]
        where lookingAt(op.rawValue) {
            index += op.rawValue.unicodeScalars.count
            return op
        }
        return nil
    }

    private func comparisonOperatorAhead() -> Bool {
        ["==", "!=", "<", ">"].contains { lookingAt($0) }
    }

    private mutating func parseOperand() throws(JSONPathError) -> Operand {
        guard let c = peek() else {
            throw unexpected(expected: "a query (@… or $…), a literal or a function call")
        }
        switch c {
        case "@", "$":
            return .query(try parseQuery())
        case "'", "\"":
            return .literal(.string(try parseStringLiteral()))
        case "-", "0"..."9":
            return .literal(try parseNumberLiteral())
        case "a"..."z":
            let start = index
            var name = String.UnicodeScalarView()
            while let c = peek(), c == "_" || Self.isDigit(c) || ("a"..."z").contains(c) {
                name.append(c)
                index += 1
            }
            let word = String(name)
            if peek() == "(" { return .function(try parseFunctionCall(word, at: start)) }
            switch word {
            case "true": return .literal(.bool(true))
            case "false": return .literal(.bool(false))
            case "null": return .literal(.null)
            default: break
            }
            let afterName = index
            skipBlanks()
            if peek() == "(" {
                throw error("no whitespace is allowed between a function name and '('", at: afterName)
            }
            throw error(
                "unknown name '\(word)'; expected true, false, null or a function call such as length(@.x)", at: start)
        default:
            var hint = ""
            if c == "T" || c == "F" || c == "N" { hint = " (true, false and null are lowercase)" }
            throw unexpected(expected: "a query (@… or $…), a literal or a function call", hint: hint)
        }
    }

    private mutating func parseNumberLiteral() throws(JSONPathError) -> JSONValue {
        let start = index
        if peek() == "-" { index += 1 }
        guard let first = peek(), Self.isDigit(first) else { throw unexpected(expected: "a digit after '-'") }
        index += 1
        if first == "0" {
            if let next = peek(), Self.isDigit(next) { throw error("a number cannot have leading zeros", at: start) }
        } else {
            skipDigits()
        }
        var isInteger = true
        if peek() == "." {
            isInteger = false
            index += 1
            guard let c = peek(), Self.isDigit(c) else { throw unexpected(expected: "a digit after the decimal point") }
            skipDigits()
        }
        if peek() == "e" || peek() == "E" {
            isInteger = false
            index += 1
            if peek() == "+" || peek() == "-" { index += 1 }
            guard let c = peek(), Self.isDigit(c) else { throw unexpected(expected: "a digit in the exponent") }
            skipDigits()
        }
        let literal = text(start..<index)
        if isInteger, let value = Int(literal) { return .int(value) }
        // The grammar has no upper bound: 1e400 is a valid literal and compares as infinity.
        return .double(Double(literal) ?? .infinity)
    }

    // MARK: Function calls and types

    private mutating func parseFunctionCall(_ name: String, at start: Int) throws(JSONPathError)
        -> JSONPath.FunctionCall
    {
        guard let function = JSONPath.Function(rawValue: name) else {
            throw error(
                "unknown function '\(name)()'; the functions are length(), count(), match(), search() and value()",
                at: start)
        }
        let open = index
        index += 1  // "("
        try enterNesting(at: open)
        skipBlanks()
        var arguments: [(JSONPath.Argument, Int)] = []
        if peek() != ")" {
            while true {
                let argumentStart = index
                arguments.append((try parseArgument(), argumentStart))
                skipBlanks()
                if peek() == "," {
                    index += 1
                    skipBlanks()
                    continue
                }
                guard peek() == ")" else { throw unexpected(expected: "',' or ')' in the arguments of \(name)()") }
                break
            }
        }
        index += 1  // ")"
        nesting -= 1
        let expected = function.parameters.count
        guard arguments.count == expected else {
            throw error(
                "\(name)() takes \(expected) argument\(expected == 1 ? "" : "s") but was given \(arguments.count)",
                at: start)
        }
        var checked: [JSONPath.Argument] = []
        for ((argument, at), type) in zip(arguments, function.parameters) {
            checked.append(try check(argument, as: type, for: function, at: at))
        }
        return JSONPath.FunctionCall(function: function, arguments: checked)
    }

    /// A function argument: a literal, a query, a function call, or a whole logical expression.
    private mutating func parseArgument() throws(JSONPathError) -> JSONPath.Argument {
        if peek() == "!" || peek() == "(" { return .logical(try parseLogicalOr()) }
        let start = index
        let operand = try parseOperand()
        let save = index
        skipBlanks()
        let continues = comparisonOperatorAhead() || lookingAt("&&") || lookingAt("||")
        index = save
        if continues {
            let basic = try finishBasicExpression(operand, at: start)
            return .logical(try continueOr(try continueAnd(basic)))
        }
        switch operand {
        case .literal(let value): return .literal(value)
        case .query(let query): return .query(query)
        case .function(let call): return .function(call)
        }
    }

    /// Checks an argument against its parameter's declared type (RFC 9535 section 2.4.3).
    private func check(
        _ argument: JSONPath.Argument, as type: JSONPath.ExpressionType, for function: JSONPath.Function, at offset: Int
    ) throws(JSONPathError) -> JSONPath.Argument {
        let name = "\(function.rawValue)()"
        switch (type, argument) {
        case (.value, .literal):
            return argument
        case (.value, .query(let query)):
            guard query.isSingular else {
                throw error(
                    "\(name) needs a single value here, but this query can select several nodes; use only names and "
                        + "indexes (like @.a or @[0]), or wrap the query in value()", at: offset)
            }
            return argument
        case (.value, .function(let call)):
            guard call.function.result == .value else {
                throw error(
                    "\(call.function.rawValue)() returns a logical result, but \(name) needs a value here", at: offset)
            }
            return argument
        case (.value, .logical):
            throw error("\(name) needs a value here, not a logical expression", at: offset)
        case (.nodes, .query):
            return argument
        case (.nodes, .function(let call)) where call.function.result == .nodes:
            return argument
        case (.nodes, _):
            throw error(
                "\(name) needs a query here, such as @.* or $..book (a literal or a computed value is not a nodelist)",
                at: offset)
        case (.logical, .logical), (.logical, .query):
            return argument
        case (.logical, .function(let call)) where call.function.result != .value:
            return argument
        case (.logical, _):
            throw error("\(name) needs a logical expression here", at: offset)
        }
    }

    private func comparand(_ operand: Operand, at offset: Int) throws(JSONPathError) -> JSONPath.Comparand {
        switch operand {
        case .literal(let value):
            return .literal(value)
        case .query(let query):
            guard query.isSingular else {
                throw error(
                    "a query in a comparison must be singular: only names and indexes, like @.price or $.items[0]; "
                        + "wildcards, slices, filters and '..' can select several nodes (count() or value() can "
                        + "turn them into one value)", at: offset)
            }
            return .query(query)
        case .function(let call):
            guard call.function.result == .value else {
                throw error(
                    "\(call.function.rawValue)() returns a logical result, which cannot be compared; use it on its own "
                        + "as a test", at: offset)
            }
            return .function(call)
        }
    }

    private func testExpression(_ operand: Operand, at offset: Int) throws(JSONPathError) -> LogicalExpression {
        switch operand {
        case .literal:
            throw error(
                "a literal on its own is not a test; compare it with something, for example @.x == 1", at: offset)
        case .query(let query):
            return .exists(query)
        case .function(let call):
            guard call.function.result != .value else {
                let name = call.function.rawValue
                throw error(
                    "\(name)() returns a value, which must be compared, for example \(name)(…) == 1", at: offset)
            }
            return .function(call)
        }
    }
}
