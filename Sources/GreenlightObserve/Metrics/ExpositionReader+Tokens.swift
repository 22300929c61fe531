import Foundation

extension ExpositionReader {
    // MARK: Names

    /// `[a-zA-Z_:][a-zA-Z0-9_:]*` at `position`; empty when there is none.
    mutating func scanMetricName() -> Range<Int> {
        let start = position
        guard position < bytes.count, isMetricNameByte(bytes[position]), !isDigit(bytes[position]) else {
            return start..<start
        }
        position += 1
        while position < bytes.count, isMetricNameByte(bytes[position]) { position += 1 }
        return start..<position
    }

    /// `[a-zA-Z_][a-zA-Z0-9_]*` at `position`; empty when there is none.
    mutating func scanLabelName() -> Range<Int> {
        let start = position
        guard position < bytes.count, isLabelNameByte(bytes[position]), !isDigit(bytes[position]) else {
            return start..<start
        }
        position += 1
        while position < bytes.count, isLabelNameByte(bytes[position]) { position += 1 }
        return start..<position
    }

    @inline(__always) func isDigit(_ byte: UInt8) -> Bool { byte &- UInt8(ascii: "0") < 10 }

    @inline(__always) func isLabelNameByte(_ byte: UInt8) -> Bool {
        (byte | 0x20) &- UInt8(ascii: "a") < 26 || isDigit(byte) || byte == .underscore
    }

    @inline(__always) func isMetricNameByte(_ byte: UInt8) -> Bool { isLabelNameByte(byte) || byte == .colon }

    /// Whether two ranges of the input hold the same bytes.
    @inline(__always) func same(_ a: Range<Int>, _ b: Range<Int>) -> Bool {
        a.count == b.count && memcmp(bytes.baseAddress! + a.lowerBound, bytes.baseAddress! + b.lowerBound, a.count) == 0
    }

    /// The bytes of `range` as a string; for ranges known to be UTF-8 (ASCII names, validated text).
    func string(_ range: Range<Int>) -> String {
        String(decoding: UnsafeBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    // MARK: Text

    /// The raw value of label `name` unescaped: `\\`, `\"` and `\n`. Another escape is an error in
    /// OpenMetrics and kept as written in Prometheus text (as Prometheus does).
    func labelValue(_ range: Range<Int>, of name: Range<Int>) throws(ExpositionError) -> String {
        try text(range, quoteEscape: true, what: "the value of label \(quoted(name))")
    }

    /// The rest of the line as help text: `\\` and `\n` unescaped, and `\"` in OpenMetrics.
    mutating func readHelpText() throws(ExpositionError) -> String {
        let start = position
        skipToEndOfLine()
        return try text(start..<position, quoteEscape: openMetrics, what: "the help text")
    }

    func text(_ range: Range<Int>, quoteEscape: Bool, what: @autoclosure () -> String) throws(ExpositionError)
        -> String
    {
        var escaped = false
        var ascii = true
        for index in range {
            let byte = bytes[index]
            if byte == .backslash { escaped = true }
            if byte >= 0x80 { ascii = false }
        }
        if !ascii, let bad = firstInvalidUTF8(in: range) {
            throw failure("\(what()) is not valid UTF-8 (\(found(at: bad)))", at: bad)
        }
        guard escaped else { return string(range) }
        var out: [UInt8] = []
        out.reserveCapacity(range.count)
        var index = range.lowerBound
        while index < range.upperBound {
            let byte = bytes[index]
            guard byte == .backslash else {
                out.append(byte)
                index += 1
                continue
            }
            let next: UInt8? = index + 1 < range.upperBound ? bytes[index + 1] : nil
            switch next {
            case .backslash?: out.append(.backslash)
            case UInt8(ascii: "n")?: out.append(.newline)
            case .quote? where quoteEscape: out.append(.quote)
            default:
                if openMetrics {
                    let escape = next == nil ? "the end of the line" : found(at: index + 1)
                    throw failure(
                        "unknown escape in \(what()): a backslash before \(escape); OpenMetrics allows only \\\\, \\n and \\\"",
                        at: index)
                }
                out.append(.backslash)
                if let next { out.append(next) }
            }
            index += 2
        }
        return String(decoding: out, as: UTF8.self)
    }

    /// The offset of the first byte in `range` that does not belong to well-formed UTF-8.
    func firstInvalidUTF8(in range: Range<Int>) -> Int? {
        var index = range.lowerBound
        while index < range.upperBound {
            let lead = bytes[index]
            if lead < 0x80 {
                index += 1
                continue
            }
            let length: Int
            var low: UInt8 = 0x80
            var high: UInt8 = 0xBF
            switch lead {
            case 0xC2...0xDF: length = 2
            case 0xE0:
                length = 3
                low = 0xA0
            case 0xED:
                length = 3
                high = 0x9F
            case 0xE1...0xEF: length = 3
            case 0xF0:
                length = 4
                low = 0x90
            case 0xF1...0xF3: length = 4
            case 0xF4:
                length = 4
                high = 0x8F
            default: return index
            }
            guard index + length <= range.upperBound else { return index }
            let second = bytes[index + 1]
            guard second >= low, second <= high else { return index }
            for offset in 2..<max(2, length) where bytes[index + offset] & 0xC0 != 0x80 { return index }
            index += length
        }
        return nil
    }

    // MARK: Numbers

    /// A float as Prometheus writes one: `1`, `-0.5`, `1.5e-3`, `.5`, `+Inf`, `-Inf`, `NaN` (the words in
    /// any case); hexadecimal (`0x1p-3`) too where `allowHex`.
    func parseFloat(_ range: Range<Int>, allowHex: Bool = false) -> Double? {
        var index = range.lowerBound
        let end = range.upperBound
        guard index < end else { return nil }
        var negative = false
        if bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
            guard index < end else { return nil }
        }
        let first = bytes[index]
        guard isDigit(first) || first == UInt8(ascii: ".") else {
            return special(index..<end).map { negative ? -$0 : $0 }
        }
        if allowHex, first == UInt8(ascii: "0"), index + 1 < end, bytes[index + 1] | 0x20 == UInt8(ascii: "x") {
            return hexFloat(range)
        }
        var mantissa: UInt64 = 0
        var digits = 0
        var exponent = 0
        var inexact = false
        var sawDigit = false
        while index < end, isDigit(bytes[index]) {
            sawDigit = true
            let digit = UInt64(bytes[index] &- UInt8(ascii: "0"))
            if digits < 19 {
                if mantissa != 0 || digit != 0 {
                    mantissa = mantissa &* 10 &+ digit
                    digits += 1
                }
            } else {
                exponent += 1
                if digit != 0 { inexact = true }
            }
            index += 1
        }
        if index < end, bytes[index] == UInt8(ascii: ".") {
            index += 1
            while index < end, isDigit(bytes[index]) {
                sawDigit = true
                let digit = UInt64(bytes[index] &- UInt8(ascii: "0"))
                if digits < 19 {
                    if mantissa != 0 || digit != 0 {
                        mantissa = mantissa &* 10 &+ digit
                        digits += 1
                    }
                    exponent -= 1
                } else if digit != 0 {
                    inexact = true
                }
                index += 1
            }
        }
        guard sawDigit else { return nil }
        if index < end, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            guard index < end, isDigit(bytes[index]) else { return nil }
            var written = 0
            while index < end, isDigit(bytes[index]) {
                written = min(written * 10 + Int(bytes[index] &- UInt8(ascii: "0")), 1_000_000)
                index += 1
            }
            exponent += exponentNegative ? -written : written
        }
        guard index == end else { return nil }
        if mantissa == 0 { return negative ? -0.0 : 0.0 }
        // Exact when the digits fit a double's mantissa and the power of ten is exact (Clinger's fast path).
        if !inexact, mantissa <= 1 << 53, exponent >= -22, exponent <= 22 {
            var value = Double(mantissa)
            value = exponent < 0 ? value / Self.powersOfTen[-exponent] : value * Self.powersOfTen[exponent]
            return negative ? -value : value
        }
        return Double(string(range))
    }

    static let powersOfTen: [Double] = [
        1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
        1e20, 1e21, 1e22,
    ]

    /// `Inf`, `Infinity` or `NaN`, in any case.
    func special(_ range: Range<Int>) -> Double? {
        guard range.count <= 8 else { return nil }
        var word = ""
        for index in range { word.unicodeScalars.append(Unicode.Scalar(bytes[index] | 0x20)) }
        switch word {
        case "inf", "infinity": return .infinity
        case "nan": return .nan
        default: return nil
        }
    }

    /// A hexadecimal float of Go's syntax (`0x1.8p3`), which Prometheus text accepts.
    func hexFloat(_ range: Range<Int>) -> Double? {
        for index in range {
            let byte = bytes[index]
            let allowed =
                isDigit(byte) || (byte | 0x20) &- UInt8(ascii: "a") < 6 || byte == UInt8(ascii: "x")
                || byte == UInt8(ascii: "X") || byte == UInt8(ascii: "p") || byte == UInt8(ascii: "P")
                || byte == UInt8(ascii: ".") || byte == UInt8(ascii: "+") || byte == UInt8(ascii: "-")
            guard allowed else { return nil }
        }
        return Double(string(range))
    }

    /// A whole number of at most 19 digits, with an optional sign.
    func parseInteger(_ range: Range<Int>) -> Int64? {
        var index = range.lowerBound
        var negative = false
        if index < range.upperBound, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
            negative = bytes[index] == UInt8(ascii: "-")
            index += 1
        }
        guard index < range.upperBound else { return nil }
        var value: Int64 = 0
        while index < range.upperBound {
            guard isDigit(bytes[index]) else { return nil }
            let (times, overflow) = value.multipliedReportingOverflow(by: 10)
            let (sum, overflow2) = times.addingReportingOverflow(Int64(bytes[index] &- UInt8(ascii: "0")))
            guard !overflow, !overflow2 else { return nil }
            value = sum
            index += 1
        }
        return negative ? -value : value
    }

    // MARK: Errors

    /// An error at `offset` of the input, on the current line.
    func failure(_ message: String, at offset: Int) -> ExpositionError {
        var column = 1
        var index = lineStart
        while index < offset, index < bytes.count {
            if bytes[index] & 0xC0 != 0x80 { column += 1 }
            index += 1
        }
        return ExpositionError(line: line, column: column, message: message)
    }

    /// What is at `offset`, for "found …": `'x'`, `a space`, `the end of the line`, `byte 0xFF`.
    func found(at offset: Int) -> String {
        guard offset < bytes.count else { return "the end of the input" }
        let byte = bytes[offset]
        switch byte {
        case .newline: return "the end of the line"
        case .space: return "a space"
        case .tab: return "a tab"
        case .carriageReturn: return "a carriage return (lines end with \\n alone)"
        case 0: return "a NUL byte"
        case 0x21...0x7E: return "'\(Character(Unicode.Scalar(byte)))'"
        case 0x80...:
            if firstInvalidUTF8(in: offset..<min(bytes.count, offset + 4)) != offset {
                var length = 1
                while offset + length < bytes.count, length < 4, bytes[offset + length] & 0xC0 == 0x80 { length += 1 }
                if let text = String(
                    validating: UnsafeBufferPointer(rebasing: bytes[offset..<offset + length]), as: UTF8.self),
                    let scalar = text.unicodeScalars.first
                {
                    return "'\(scalar)'"
                }
            }
            return "byte 0x" + String(byte, radix: 16, uppercase: true)
        default:
            let hex = String(byte, radix: 16, uppercase: true)
            return "byte 0x" + (hex.count == 1 ? "0" + hex : hex)
        }
    }

    /// A name from the input, quoted and clipped for a message.
    func quoted(_ range: Range<Int>) -> String { "'\(clipped(string(range)))'" }

    func clipped(_ text: String) -> String {
        text.count <= 80 ? text : String(text.prefix(77)) + "…"
    }

    /// A token from the input, quoted for a message: any bytes, shown safely; `nothing` when empty.
    func token(_ range: Range<Int>) -> String {
        guard !range.isEmpty else { return "empty" }
        let clippedRange = range.lowerBound..<min(range.upperBound, range.lowerBound + 40)
        var out = ""
        for scalar in String(decoding: UnsafeBufferPointer(rebasing: bytes[clippedRange]), as: UTF8.self).unicodeScalars
        {
            switch scalar.value {
            case 0x0D: out += "\\r"
            case 0x09: out += "\\t"
            case 0..<0x20, 0x7F: out += "\\u{\(String(scalar.value, radix: 16))}"
            default: out.unicodeScalars.append(scalar)
            }
        }
        return "'\(out)\(clippedRange.upperBound < range.upperBound ? "…" : "")'"
    }

    /// A hint when a token ends with a carriage return: the text has Windows line ends.
    func crHint(_ range: Range<Int>) -> String {
        guard let last = range.last, bytes[last] == .carriageReturn else { return "" }
        return " (the line ends with \\r\\n; the format wants \\n alone)"
    }
}
