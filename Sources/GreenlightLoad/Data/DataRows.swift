import GreenlightCore

/// The rows of a data file, each a dictionary from column name to text, ready to feed sessions.
package struct DataRows: Sendable, Hashable {
    /// The column names: the CSV header, or every key of the JSON objects in the order first seen.
    package var columns: [String]
    /// The rows in file order. A JSON-lines row lacks the keys its object does not have.
    package var rows: [[String: String]]
    /// The file as the spec names it, for messages.
    package var source: String

    package init(columns: [String], rows: [[String: String]], source: String) {
        self.columns = columns
        self.rows = rows
        self.source = source
    }

    /// Reads the spec's CSV or JSON-lines file; a relative path is taken from `directory`, the
    /// folder of the spec file.
    ///
    /// Errors name the file as the spec does, with the line (and column) of the problem.
    package static func load(_ spec: DataFeedSpec, directory: String) throws(DataFeedError) -> DataRows {
        let format: Format
        let path: String
        if let csv = spec.csv {
            (format, path) = (.csv, csv)
        } else if let jsonl = spec.jsonl {
            (format, path) = (.jsonLines, jsonl)
        } else {
            throw DataFeedError(path: "data", reason: "the data feed names no file: set data.csv or data.jsonl")
        }
        let location = directory.isEmpty ? path : SpecPath.resolve(path, in: directory)
        var bytes: [UInt8]
        do {
            bytes = try FileBytes.contents(of: location)
        } catch {
            throw DataFeedError(path: path, reason: "cannot read \(path): \(error.reason)")
        }
        if bytes.starts(with: [0xEF, 0xBB, 0xBF]) { bytes.removeFirst(3) }
        if let offset = TextPosition.firstInvalidUTF8(in: bytes) {
            let position = TextPosition(of: offset, in: bytes)
            throw DataFeedError(
                path: path, line: position.line, column: position.column,
                reason: "the text is not valid UTF-8; save the file as UTF-8")
        }
        switch format {
        case .csv: return try CSVReader(bytes: bytes, path: path).read()
        case .jsonLines: return try JSONLinesReader(bytes: bytes, path: path).read()
        }
    }

    private enum Format { case csv, jsonLines }

    /// The share of the rows that shard `index` of `count` feeds (`index` from 1): the rows whose
    /// 0-based position k has k % count == index - 1, so the shards together feed every row once.
    /// `index` must be in `1...count`.
    package func slice(shard index: Int, of count: Int) -> DataRows {
        precondition(count >= 1 && (1...count).contains(index), "shard \(index) of \(count) does not exist")
        let kept = stride(from: index - 1, to: rows.count, by: count).map { rows[$0] }
        return DataRows(columns: columns, rows: kept, source: source)
    }
}
