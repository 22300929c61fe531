import GreenlightCore

/// A CSV reader after RFC 4180: a header row naming the columns, fields separated by commas,
/// records ended by CRLF or LF, and quoted fields that may hold commas, line breaks and quotes
/// written twice (`""`).
///
/// Blank lines are skipped, so a one-column file writes an empty value as `""`. A quote inside an
/// unquoted field is an error rather than a literal, since it is most often a quoted field with a
/// space before its opening quote. The bytes are valid UTF-8 without a byte order mark.
struct CSVReader {
    let bytes: [UInt8]
    let path: String

    private static let quote = UInt8(ascii: "\"")
    private static let comma = UInt8(ascii: ",")
    private static let lineFeed = UInt8(ascii: "\n")
    private static let carriageReturn = UInt8(ascii: "\r")

    /// A record and the line it starts on.
    private struct Record {
        var line: Int
        var fields: [String]
    }

    func read() throws(DataFeedError) -> DataRows {
        let records = try records()
        guard let header = records.first else {
            throw DataFeedError(path: path, reason: "\(path) is empty; expected a header row naming the columns")
        }
        var seen: [String: Int] = [:]
        for (i, name) in header.fields.enumerated() {
            guard !name.isEmpty else {
                throw DataFeedError(
                    path: path, line: header.line, reason: "column \(i + 1) of the header has no name")
            }
            if let first = seen[name] {
                throw DataFeedError(
                    path: path, line: header.line,
                    reason: "the header names '\(name)' twice (columns \(first + 1) and \(i + 1))")
            }
            seen[name] = i
        }
        guard records.count > 1 else {
            throw DataFeedError(path: path, reason: "\(path) has a header but no rows")
        }
        var rows: [[String: String]] = []
        rows.reserveCapacity(records.count - 1)
        for record in records.dropFirst() {
            guard record.fields.count == header.fields.count else {
                throw DataFeedError(
                    path: path, line: record.line,
                    reason:
                        "row has \(Format.count(record.fields.count, "field")), the header has \(header.fields.count)")
            }
            rows.append(Dictionary(uniqueKeysWithValues: zip(header.fields, record.fields)))
        }
        return DataRows(columns: header.fields, rows: rows, source: path)
    }

    private func records() throws(DataFeedError) -> [Record] {
        var records: [Record] = []
        var cursor = Cursor(bytes: bytes)
        while !cursor.atEnd {
            if cursor.skipLineBreak() { continue }
            let line = cursor.line
            var fields: [String] = []
            while true {
                fields.append(try field(&cursor))
                if cursor.atEnd || cursor.skipLineBreak() { break }
                // `field` stops only at a comma, a line break or the end.
                cursor.index += 1
            }
            records.append(Record(line: line, fields: fields))
        }
        return records
    }

    /// Reads one field and stops at the comma, line break or end that follows it.
    private func field(_ cursor: inout Cursor) throws(DataFeedError) -> String {
        guard cursor.current == Self.quote else {
            let start = cursor.index
            while let byte = cursor.current, byte != Self.comma, !cursor.atLineBreak {
                if byte == Self.quote {
                    throw error(
                        at: cursor,
                        "a quote inside an unquoted field; quote the whole field and write the quote twice "
                            + "(\"5\"\" screen\"), with no space before the opening quote")
                }
                cursor.index += 1
            }
            return String(decoding: bytes[start..<cursor.index], as: UTF8.self)
        }
        let opening = cursor
        cursor.index += 1
        var text: [UInt8] = []
        while true {
            guard let byte = cursor.current else {
                throw error(at: opening, "the quoted field that opens here is never closed")
            }
            if byte == Self.quote {
                if cursor.peek(1) == Self.quote {
                    text.append(Self.quote)
                    cursor.index += 2
                    continue
                }
                cursor.index += 1
                break
            }
            cursor.advance()
            text.append(byte)
        }
        if let byte = cursor.current, byte != Self.comma, !cursor.atLineBreak {
            let shown = byte < 0x80 ? "'\(Character(Unicode.Scalar(byte)))'" : "text"
            throw error(
                at: cursor,
                "unexpected \(shown) after the closing quote of a field; write a quote inside a quoted field twice (\"\")"
            )
        }
        return String(decoding: text, as: UTF8.self)
    }

    private func error(at cursor: Cursor, _ reason: String) -> DataFeedError {
        DataFeedError(path: path, line: cursor.line, column: cursor.column, reason: reason)
    }
}

/// A position in the bytes that keeps count of lines.
private struct Cursor {
    let bytes: [UInt8]
    var index = 0
    var line = 1
    var lineStart = 0

    init(bytes: [UInt8]) { self.bytes = bytes }

    var atEnd: Bool { index >= bytes.count }
    var current: UInt8? { index < bytes.count ? bytes[index] : nil }
    func peek(_ ahead: Int) -> UInt8? { index + ahead < bytes.count ? bytes[index + ahead] : nil }

    /// The column in Unicode scalars, from 1.
    var column: Int { bytes[lineStart..<index].reduce(1) { $1 & 0xC0 == 0x80 ? $0 : $0 + 1 } }

    var atLineBreak: Bool {
        current == UInt8(ascii: "\n") || (current == UInt8(ascii: "\r") && peek(1) == UInt8(ascii: "\n"))
    }

    /// Moves past the current byte, counting a line feed.
    mutating func advance() {
        if current == UInt8(ascii: "\n") {
            line += 1
            lineStart = index + 1
        }
        index += 1
    }

    /// Moves past a CRLF or LF, if one is here.
    mutating func skipLineBreak() -> Bool {
        guard atLineBreak else { return false }
        if current == UInt8(ascii: "\r") { index += 1 }
        advance()
        return true
    }
}
