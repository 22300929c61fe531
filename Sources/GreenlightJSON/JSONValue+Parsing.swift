import Foundation

/// JSON text that could not be read: what was wrong and the byte offset where reading stopped.
public struct JSONParseError: Error, Sendable, Hashable, CustomStringConvertible {
    /// What was wrong and what was expected there.
    public var message: String
    /// Zero-based offset into the UTF-8 bytes of the input.
    public var offset: Int

    public init(message: String, offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "invalid JSON at byte \(offset): \(message)" }
}

extension JSONValue {
    /// Parses JSON text (RFC 8259) strictly, keeping the order of object members.
    ///
    /// Integers that fit `Int` become `.int`, every other number `.double`; a number too large for a
    /// `Double` is an error. A repeated member name keeps its first position and its last value. A leading
    /// UTF-8 byte order mark is skipped. Nesting deeper than 512 arrays and objects is refused.
    public init(parsing data: Data) throws(JSONParseError) {
        let result = data.withUnsafeBytes { buffer in
            var parser = JSONByteParser(bytes: buffer)
            return Result { () throws(JSONParseError) in try parser.parseDocument() }
        }
        self = try result.get()
    }
}

/// A byte-level, non-recursive JSON reader over UTF-8.
struct JSONByteParser {
    static let maximumDepth = 512

    private let bytes: UnsafeRawBufferPointer
    private var index = 0

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        if bytes.count >= 3, bytes[0] == 0xEF, bytes[1] == 0xBB, bytes[2] == 0xBF { index = 3 }
        skipWhitespace()
        guard index < bytes.count else {
            throw JSONParseError(message: "the document is empty; expected a JSON value", offset: index)
        }
        let value = try parseValue()
        skipWhitespace()
        guard index == bytes.count else {
            throw failure("unexpected \(describe(at: index)) after the JSON value; expected the end of the document")
        }
        return value
    }

    // MARK: Structure

    /// An array or object still open, with what has been read of it so far.
    private struct Container {
        let isObject: Bool
        var elements: [JSONValue] = []
        var members: [(String, JSONValue)] = []
        var pendingKey = ""
        var memberIndex: [MemberName: Int]?

        /// Adds a member; a repeated name keeps its first position and takes the new value.
        mutating func addMember(_ value: JSONValue) {
            let key = pendingKey
            if memberIndex == nil {
                if let i = members.firstIndex(where: {
                    $0.0.utf8.count == key.utf8.count && $0.0.utf8.elementsEqual(key.utf8)
                }) {
                    members[i].1 = value
                    return
                }
                members.append((key, value))
                if members.count > 16 {
                    var index: [MemberName: Int] = [:]
                    for (i, member) in members.enumerated() { index[MemberName(member.0)] = i }
                    memberIndex = index
                }
                return
            }
            let name = MemberName(key)
            if let i = memberIndex?[name] {
                members[i].1 = value
            } else {
                memberIndex?[name] = members.count
                members.append((key, value))
            }
        }
    }

    /// A member name compared by its exact Unicode scalars, without canonical equivalence.
    private struct MemberName: Hashable {
        let text: String
        init(_ text: String) { self.text = text }
        static func == (a: MemberName, b: MemberName) -> Bool { a.text.utf8.elementsEqual(b.text.utf8) }
        func hash(into hasher: inout Hasher) {
            for byte in text.utf8 { hasher.combine(byte) }
        }
    }

    private mutating func parseValue() throws(JSONParseError) -> JSONValue {
        var stack: [Container] = []
        while true {
            skipWhitespace()
            guard index < bytes.count else { throw endOfInput(expected: "a JSON value") }
            var value: JSONValue
            switch bytes[index] {
            case UInt8(ascii: "{"):
                guard stack.count < Self.maximumDepth else { throw tooDeep() }
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    index += 1
                    value = .object([])
                } else {
                    var container = Container(isObject: true)
                    container.pendingKey = try parseKey(afterComma: false)
                    stack.append(container)
                    continue
                }
            case UInt8(ascii: "["):
                guard stack.count < Self.maximumDepth else { throw tooDeep() }
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    index += 1
                    value = .array([])
                } else {
                    stack.append(Container(isObject: false))
                    continue
                }
            case UInt8(ascii: "\""):
                value = .string(try parseString())
            case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
                value = try parseNumber()
            case UInt8(ascii: "t"):
                try expectLiteral("true")
                value = .bool(true)
            case UInt8(ascii: "f"):
                try expectLiteral("false")
                value = .bool(false)
            case UInt8(ascii: "n"):
                try expectLiteral("null")
                value = .null
            default:
                throw failure(
                    "unexpected \(describe(at: index)); expected a JSON value (object, array, string, number, "
                        + "true, false or null)")
            }

            // Hand the value to the innermost open container, closing every container that ends here.
            while let top = stack.indices.last {
                skipWhitespace()
                let isObject = stack[top].isObject
                if isObject {
                    stack[top].addMember(value)
                } else {
                    stack[top].elements.append(value)
                }
                let close = isObject ? UInt8(ascii: "}") : UInt8(ascii: "]")
                guard index < bytes.count else {
                    throw endOfInput(
                        expected: isObject ? "',' or '}' after an object member" : "',' or ']' after an array element")
                }
                let byte = bytes[index]
                if byte == UInt8(ascii: ",") {
                    index += 1
                    skipWhitespace()
                    if isObject {
                        stack[top].pendingKey = try parseKey(afterComma: true)
                    } else if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                        throw failure("a trailing comma before ']' is not allowed; expected another array element")
                    }
                    break
                }
                guard byte == close else {
                    let expected = isObject ? "',' or '}' after an object member" : "',' or ']' after an array element"
                    throw failure("unexpected \(describe(at: index)); expected \(expected)")
                }
                index += 1
                let container = stack.removeLast()
                value = isObject ? .object(container.members) : .array(container.elements)
            }
            if stack.isEmpty { return value }
        }
    }

    /// Reads `"name" :` with the whitespace around the colon.
    private mutating func parseKey(afterComma: Bool) throws(JSONParseError) -> String {
        guard index < bytes.count else { throw endOfInput(expected: "a member name in double quotes") }
        guard bytes[index] == UInt8(ascii: "\"") else {
            if afterComma, bytes[index] == UInt8(ascii: "}") {
                throw failure("a trailing comma before '}' is not allowed; expected another member name")
            }
            throw failure("unexpected \(describe(at: index)); expected a member name in double quotes")
        }
        let key = try parseString()
        skipWhitespace()
        guard index < bytes.count else { throw endOfInput(expected: "':' after the member name") }
        guard bytes[index] == UInt8(ascii: ":") else {
            throw failure("unexpected \(describe(at: index)); expected ':' after the member name")
        }
        index += 1
        return key
    }

    private mutating func expectLiteral(_ word: StaticString) throws(JSONParseError) {
        let start = index
        let count = word.utf8CodeUnitCount
        var matched = 0
        while matched < count, index + matched < bytes.count,
            bytes[index + matched] == word.utf8Start[matched]
        {
            matched += 1
        }
        guard matched == count else {
            if index + matched == bytes.count { throw endOfInput(expected: "'\(word)'") }
            throw JSONParseError(
                message: "unexpected \(describe(at: index + matched)); expected '\(word)'", offset: index + matched)
        }
        index = start + count
    }

    // MARK: Strings

    private mutating func parseString() throws(JSONParseError) -> String {
        let quote = index
        index += 1
        var segmentStart = index
        var decoded: [UInt8]?
        while index < bytes.count {
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let segment = UnsafeRawBufferPointer(rebasing: bytes[segmentStart..<index])
                index += 1
                guard var buffer = decoded else { return String(decoding: segment, as: UTF8.self) }
                buffer.append(contentsOf: segment)
                return String(decoding: buffer, as: UTF8.self)
            }
            if byte == UInt8(ascii: "\\") {
                if decoded == nil { decoded = [] }
                decoded!.append(contentsOf: bytes[segmentStart..<index])
                try parseEscape(into: &decoded!)
                segmentStart = index
            } else if byte < 0x20 {
                throw failure("control character \(hex(byte, prefix: "U+00")) must be escaped inside a string")
            } else if byte < 0x80 {
                index += 1
            } else {
                try skipMultibyteCharacter()
            }
        }
        throw JSONParseError(message: "unterminated string; expected a closing '\"'", offset: quote)
    }

    /// Reads one escape sequence starting at the backslash and appends its UTF-8.
    private mutating func parseEscape(into buffer: inout [UInt8]) throws(JSONParseError) {
        let start = index
        index += 1
        guard index < bytes.count else { throw endOfInput(expected: "an escape character after '\\'") }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"): buffer.append(byte)
        case UInt8(ascii: "b"): buffer.append(0x08)
        case UInt8(ascii: "f"): buffer.append(0x0C)
        case UInt8(ascii: "n"): buffer.append(0x0A)
        case UInt8(ascii: "r"): buffer.append(0x0D)
        case UInt8(ascii: "t"): buffer.append(0x09)
        case UInt8(ascii: "u"):
            var scalarValue = try parseHex4(escapeStart: start)
            if (0xD800...0xDBFF).contains(scalarValue) {
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"), bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw JSONParseError(
                        message: "high surrogate \\u\(hex4(scalarValue)) must be followed by a low surrogate "
                            + "\\uDC00-\\uDFFF", offset: start)
                }
                let lowStart = index
                index += 2
                let low = try parseHex4(escapeStart: lowStart)
                guard (0xDC00...0xDFFF).contains(low) else {
                    throw JSONParseError(
                        message: "high surrogate \\u\(hex4(scalarValue)) is followed by \\u\(hex4(low)), "
                            + "not a low surrogate \\uDC00-\\uDFFF", offset: lowStart)
                }
                scalarValue = 0x10000 + ((scalarValue - 0xD800) << 10) + (low - 0xDC00)
            } else if (0xDC00...0xDFFF).contains(scalarValue) {
                throw JSONParseError(
                    message: "lone low surrogate \\u\(hex4(scalarValue)); it must follow a high surrogate "
                        + "\\uD800-\\uDBFF", offset: start)
            }
            // Surrogates were combined or refused above, so every value left is a scalar.
            guard let scalar = Unicode.Scalar(scalarValue) else { throw failure("invalid \\u escape") }
            UTF8.encode(scalar) { buffer.append($0) }
        default:
            throw JSONParseError(
                message:
                    "invalid escape '\\\(describeCharacter(byte))'; expected one of \\\" \\\\ \\/ \\b \\f \\n \\r \\t "
                    + "or \\uXXXX", offset: start)
        }
    }

    private mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt32 {
        var value: UInt32 = 0
        for _ in 0..<4 {
            guard index < bytes.count else { throw endOfInput(expected: "four hex digits after '\\u'") }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw failure("unexpected \(describe(at: index)) in a \\u escape; expected four hex digits")
            }
            value = value << 4 | UInt32(digit)
            index += 1
        }
        return value
    }

    /// Steps over one well-formed UTF-8 sequence (RFC 3629: no overlong forms, surrogates or values past U+10FFFF).
    private mutating func skipMultibyteCharacter() throws(JSONParseError) {
        let lead = bytes[index]
        let length: Int
        var secondRange: ClosedRange<UInt8> = 0x80...0xBF
        switch lead {
        case 0xC2...0xDF: length = 2
        case 0xE0:
            length = 3
            secondRange = 0xA0...0xBF
        case 0xE1...0xEC, 0xEE...0xEF: length = 3
        case 0xED:
            length = 3
            secondRange = 0x80...0x9F
        case 0xF0:
            length = 4
            secondRange = 0x90...0xBF
        case 0xF1...0xF3: length = 4
        case 0xF4:
            length = 4
            secondRange = 0x80...0x8F
        default: throw failure("invalid UTF-8: byte \(hex(lead)) cannot start a character")
        }
        for offset in 1..<length {
            let at = index + offset
            guard at < bytes.count else {
                throw JSONParseError(message: "invalid UTF-8: the input ends inside a character", offset: at)
            }
            let range = offset == 1 ? secondRange : 0x80...0xBF
            guard range.contains(bytes[at]) else {
                throw JSONParseError(
                    message: "invalid UTF-8: byte \(hex(bytes[at])) cannot follow \(hex(lead)) here", offset: at)
            }
        }
        index += length
    }

    // MARK: Numbers

    private mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative { index += 1 }
        guard index < bytes.count, isDigit(bytes[index]) else {
            if index == bytes.count { throw endOfInput(expected: "a digit after '-'") }
            throw failure("unexpected \(describe(at: index)); expected a digit after '-'")
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw JSONParseError(message: "a number cannot have leading zeros", offset: index - 1)
            }
        } else {
            while index < bytes.count, isDigit(bytes[index]) { index += 1 }
        }
        let integerEnd = index
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            isInteger = false
            index += 1
            try expectDigits(after: "the decimal point")
        }
        if index < bytes.count, bytes[index] == UInt8(ascii: "e") || bytes[index] == UInt8(ascii: "E") {
            isInteger = false
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            try expectDigits(after: "the exponent marker")
        }
        if isInteger, let value = integer(from: negative ? start + 1 : start, to: integerEnd, negative: negative) {
            return .int(value)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw JSONParseError(message: "the number \(text) is too large to represent", offset: start)
        }
        return .double(value)
    }

    private mutating func expectDigits(after what: String) throws(JSONParseError) {
        guard index < bytes.count else { throw endOfInput(expected: "a digit after \(what)") }
        guard isDigit(bytes[index]) else {
            throw failure("unexpected \(describe(at: index)); expected a digit after \(what)")
        }
        while index < bytes.count, isDigit(bytes[index]) { index += 1 }
    }

    /// The integer in `bytes[from..<to]`, or nil when it does not fit `Int`.
    private func integer(from: Int, to: Int, negative: Bool) -> Int? {
        // Accumulate as a negative number so that Int.min fits.
        var value = 0
        for i in from..<to {
            let (shifted, o1) = value.multipliedReportingOverflow(by: 10)
            let (next, o2) = shifted.subtractingReportingOverflow(Int(bytes[i] - UInt8(ascii: "0")))
            if o1 || o2 { return nil }
            value = next
        }
        if negative { return value }
        return value == Int.min ? nil : -value
    }

    // MARK: Helpers

    private mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D: index += 1
            default: return
            }
        }
    }

    private func isDigit(_ byte: UInt8) -> Bool { byte >= UInt8(ascii: "0") && byte <= UInt8(ascii: "9") }

    private func failure(_ message: String) -> JSONParseError { JSONParseError(message: message, offset: index) }

    private func endOfInput(expected: String) -> JSONParseError {
        JSONParseError(message: "unexpected end of input; expected \(expected)", offset: bytes.count)
    }

    private func tooDeep() -> JSONParseError {
        failure("arrays and objects are nested more than \(Self.maximumDepth) levels deep")
    }

    private func describe(at offset: Int) -> String {
        let byte = bytes[offset]
        if byte >= 0x20, byte < 0x7F { return "'\(describeCharacter(byte))'" }
        return "byte \(hex(byte))"
    }

    private func describeCharacter(_ byte: UInt8) -> String {
        byte >= 0x20 && byte < 0x7F ? String(UnicodeScalar(byte)) : hex(byte)
    }

    private func hex(_ byte: UInt8, prefix: String = "0x") -> String {
        let digits = String(byte, radix: 16, uppercase: true)
        return prefix + (digits.count == 1 ? "0" + digits : digits)
    }

    private func hex4(_ value: UInt32) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }
}
