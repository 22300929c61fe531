/// Reads the Prometheus text exposition format 0.0.4 and OpenMetrics 1.0 text into an ``Exposition``.
///
/// The parser works on the bytes in one pass, without splitting lines or building a `String` per
/// line. Any input ends in an exposition or an ``ExpositionError`` with its line and column: invalid
/// UTF-8, NUL bytes, huge lines and text cut short included.
public enum ExpositionParser {
    /// The `Accept` header a scraper sends: OpenMetrics first, Prometheus text as the fallback.
    public static let accept = "application/openmetrics-text;version=1.0.0,text/plain;version=0.0.4;q=0.5"

    /// Parses `bytes` in the format `contentType` names; when it names neither format (or is nil), the
    /// text is OpenMetrics if it ends with `# EOF`, Prometheus text otherwise.
    public static func parse(_ bytes: some Collection<UInt8>, contentType: String?) throws(ExpositionError)
        -> Exposition
    {
        try parse(bytes, format: ExpositionFormat(contentType: contentType))
    }

    /// Parses `bytes` as `format`; nil: by the `# EOF` at its end.
    public static func parse(_ bytes: some Collection<UInt8>, format: ExpositionFormat? = nil) throws(ExpositionError)
        -> Exposition
    {
        let result =
            bytes.withContiguousStorageIfAvailable { parse(buffer: $0, format: format) }
            ?? Array(bytes).withUnsafeBufferPointer { parse(buffer: $0, format: format) }
        return try result.get()
    }

    static func parse(buffer: UnsafeBufferPointer<UInt8>, format: ExpositionFormat?) -> Result<
        Exposition, ExpositionError
    > {
        let format = format ?? sniff(buffer)
        guard format != .prometheusAPI else {
            return .failure(
                ExpositionError(
                    line: 1, column: 1, message: "a Prometheus API answer is JSON, not an exposition to parse"))
        }
        var reader = ExpositionReader(buffer, openMetrics: format == .openMetrics)
        do {
            try reader.read()
        } catch {
            return .failure(error)
        }
        return .success(Exposition(format: format, families: reader.families))
    }

    /// OpenMetrics when the last line is `# EOF`, Prometheus text otherwise.
    static func sniff(_ bytes: UnsafeBufferPointer<UInt8>) -> ExpositionFormat {
        var end = bytes.count
        while end > 0, bytes[end - 1] == .newline || bytes[end - 1] == .space || bytes[end - 1] == .tab {
            end -= 1
        }
        let eof: [UInt8] = Array("# EOF".utf8)
        guard end >= eof.count, end == eof.count || bytes[end - eof.count - 1] == .newline else {
            return .prometheusText
        }
        for (offset, byte) in eof.enumerated() where bytes[end - eof.count + offset] != byte {
            return .prometheusText
        }
        return .openMetrics
    }
}

extension UInt8 {
    static let newline = UInt8(ascii: "\n")
    static let carriageReturn = UInt8(ascii: "\r")
    static let space = UInt8(ascii: " ")
    static let tab = UInt8(ascii: "\t")
    static let hash = UInt8(ascii: "#")
    static let openBrace = UInt8(ascii: "{")
    static let closeBrace = UInt8(ascii: "}")
    static let equals = UInt8(ascii: "=")
    static let comma = UInt8(ascii: ",")
    static let quote = UInt8(ascii: "\"")
    static let backslash = UInt8(ascii: "\\")
    static let underscore = UInt8(ascii: "_")
    static let colon = UInt8(ascii: ":")
}
