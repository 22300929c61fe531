import Foundation
import GreenlightCore
import GreenlightJSON

/// A JSON-lines reader: one JSON object per line, blank lines skipped, every value made text.
///
/// A string value is taken as it is; any other value as its JSON text as written in the file,
/// without the whitespace between tokens: `1.50` stays `1.50`, `[1, 2]` becomes `[1,2]`. The
/// columns are every key in the order first seen. The bytes are valid UTF-8 without a byte order mark.
struct JSONLinesReader {
    let bytes: [UInt8]
    let path: String

    func read() throws(DataFeedError) -> DataRows {
        var columns: [String] = []
        var known: Set<String> = []
        var rows: [[String: String]] = []
        var lineNumber = 0
        for line in bytes.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            guard line.contains(where: { !JSONText.isWhitespace($0) }) else { continue }
            let row = try object(on: line, lineNumber: lineNumber)
            for (key, _) in row where !known.contains(key) {
                known.insert(key)
                columns.append(key)
            }
            rows.append(Dictionary(row, uniquingKeysWith: { _, last in last }))
        }
        guard !rows.isEmpty else {
            throw DataFeedError(path: path, reason: "\(path) has no rows; expected one JSON object per line")
        }
        return DataRows(columns: columns, rows: rows, source: path)
    }

    /// The members of the object on one line, in order, with their values as text.
    private func object(on line: ArraySlice<UInt8>, lineNumber: Int) throws(DataFeedError) -> [(String, String)] {
        let value: JSONValue
        do {
            value = try JSONValue(parsing: Data(line))
        } catch {
            let column = TextPosition(of: error.offset, in: line).column
            throw DataFeedError(
                path: path, line: lineNumber, column: column, reason: "invalid JSON: \(error.message)")
        }
        guard case .object = value else {
            throw DataFeedError(
                path: path, line: lineNumber, reason: "expected a JSON object, found \(JSONText.kind(of: value))")
        }
        // The line is valid JSON: read the members again from the text, to keep each value as written.
        return JSONText.members(of: Array(line)).map { key, raw in
            let text = raw.first == UInt8(ascii: "\"") ? JSONText.string(raw: raw) : JSONText.compact(raw)
            return (JSONText.string(raw: key), text)
        }
    }
}

/// Reads pieces of JSON text already known to be valid.
enum JSONText {
    static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D
    }

    static func kind(of value: JSONValue) -> String {
        switch value {
        case .null: return "null"
        case .bool: return "a boolean"
        case .int, .double: return "a number"
        case .string: return "a string"
        case .array: return "an array"
        case .object: return "an object"
        }
    }

    /// The raw key and value text of each member of the object that `bytes` holds.
    static func members(of bytes: [UInt8]) -> [(key: ArraySlice<UInt8>, value: ArraySlice<UInt8>)] {
        var members: [(ArraySlice<UInt8>, ArraySlice<UInt8>)] = []
        var i = skipWhitespace(bytes, from: 0) + 1  // past '{'
        while true {
            i = skipWhitespace(bytes, from: i)
            guard i < bytes.count, bytes[i] == UInt8(ascii: "\"") else { return members }
            let keyEnd = endOfValue(bytes, from: i)
            let key = bytes[i..<keyEnd]
            i = skipWhitespace(bytes, from: keyEnd) + 1  // past ':'
            i = skipWhitespace(bytes, from: i)
            let valueEnd = endOfValue(bytes, from: i)
            members.append((key, bytes[i..<valueEnd]))
            i = skipWhitespace(bytes, from: valueEnd) + 1  // past ',' or '}'
        }
    }

    /// The text of a JSON string token, unescaped.
    static func string(raw: ArraySlice<UInt8>) -> String {
        if case .string(let text)? = try? JSONValue(parsing: Data(raw)) { return text }
        return String(decoding: raw, as: UTF8.self)
    }

    /// JSON text without the whitespace between its tokens.
    static func compact(_ raw: ArraySlice<UInt8>) -> String {
        var out: [UInt8] = []
        out.reserveCapacity(raw.count)
        var inString = false
        var escaped = false
        for byte in raw {
            if inString {
                if escaped {
                    escaped = false
                } else if byte == UInt8(ascii: "\\") {
                    escaped = true
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                }
            } else if byte == UInt8(ascii: "\"") {
                inString = true
            } else if isWhitespace(byte) {
                continue
            }
            out.append(byte)
        }
        return String(decoding: out, as: UTF8.self)
    }

    private static func skipWhitespace(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        while i < bytes.count, isWhitespace(bytes[i]) { i += 1 }
        return i
    }

    /// The index just past the value (string, number, literal, array or object) that starts at `start`.
    private static func endOfValue(_ bytes: [UInt8], from start: Int) -> Int {
        var i = start
        var depth = 0
        var inString = false
        while i < bytes.count {
            let byte = bytes[i]
            if inString {
                if byte == UInt8(ascii: "\\") {
                    i += 1
                } else if byte == UInt8(ascii: "\"") {
                    inString = false
                    if depth == 0 { return i + 1 }
                }
            } else {
                switch byte {
                case UInt8(ascii: "\""): inString = true
                case UInt8(ascii: "{"), UInt8(ascii: "["): depth += 1
                case UInt8(ascii: "}"), UInt8(ascii: "]"):
                    if depth == 0 { return i }
                    depth -= 1
                    if depth == 0 { return i + 1 }
                case UInt8(ascii: ","):
                    if depth == 0 { return i }
                default:
                    if depth == 0 && isWhitespace(byte) { return i }
                }
            }
            i += 1
        }
        return i
    }
}
