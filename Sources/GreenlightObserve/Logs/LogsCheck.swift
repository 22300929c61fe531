import Foundation
import GreenlightCore
import GreenlightJSON

/// Structured logs: every line a JSON object carrying the required fields; and the diagnosis test, in
/// which a request that fails on purpose must be found in the logs by greenlight's trace id.
public enum LogsCheck {
    /// The check of the lines as read: names the first lines that are not JSON and, per required
    /// field, how many lines lack it (with the first such line).
    public static func check(_ reading: LogSource.Reading, source: String, requireFields: [String]) -> CheckResult {
        let title = "Structured logs"
        var lineNumber = 0
        var lines = 0
        var notJSON: [String] = []
        var notJSONCount = 0
        var missing: [String: (count: Int, first: Int)] = [:]
        for raw in reading.text.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false) {
            lineNumber += 1
            var line = raw[...]
            if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
            if line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\t") }) { continue }
            lines += 1
            let value: JSONValue
            do {
                value = try JSONValue(parsing: Data(line))
            } catch {
                notJSONCount += 1
                if notJSON.count < 5 { notJSON.append("line \(lineNumber) is not JSON: \(error)") }
                continue
            }
            guard case .object(let members) = value else {
                notJSONCount += 1
                if notJSON.count < 5 { notJSON.append("line \(lineNumber) is JSON but not an object") }
                continue
            }
            for field in requireFields where !members.contains(where: { $0.0 == field }) {
                let seen = missing[field]
                missing[field] = ((seen?.count ?? 0) + 1, seen?.first ?? lineNumber)
            }
        }
        let whereFrom =
            "\(source)\(reading.clipped ? " (its last \(Format.bytes(Double(LogSource.readLimit))); line numbers count from there)" : "")"
        if lines == 0 {
            return ObservabilityCheck.result(
                ObservabilityCheck.logs, title, .fail,
                "\(source) holds no log lines: nothing shows why the service fails")
        }
        var problems = notJSON
        if notJSONCount > notJSON.count { problems.append("… \(notJSONCount - notJSON.count) more lines are not JSON") }
        for field in requireFields {
            if let (count, first) = missing[field] {
                problems.append(
                    "\(count) of \(lines) \(Format.noun(lines, "line")) \(count == 1 ? "has" : "have") no '\(field)' (the first: line \(first))"
                )
            }
        }
        let fields = requireFields.isEmpty ? "" : " with \(requireFields.joined(separator: ", "))"
        guard problems.isEmpty else {
            let first = notJSONCount > 0 ? notJSON[0] : problems[0]
            return ObservabilityCheck.result(
                ObservabilityCheck.logs, title, .fail, "\(source): \(first)",
                details: ["read from \(whereFrom)"] + problems)
        }
        return ObservabilityCheck.result(
            ObservabilityCheck.logs, title, .pass,
            "\(Format.count(lines, "line")) of JSON\(fields) in \(source)",
            measurements: [.init(name: "lines", value: Double(lines), unit: "lines")])
    }

    /// Whether `needle` occurs in the text (a trace id in any field of any line).
    public static func contains(_ needle: String, in reading: LogSource.Reading) -> Bool {
        let bytes = Array(needle.utf8)
        guard let first = bytes.first, !reading.text.isEmpty else { return false }
        return reading.text.withUnsafeBytes { (buffer: UnsafeRawBufferPointer) -> Bool in
            let text = buffer.bindMemory(to: UInt8.self)
            var i = 0
            while i + bytes.count <= text.count {
                if text[i] == first, memcmp(text.baseAddress! + i, bytes, bytes.count) == 0 { return true }
                i += 1
            }
            return false
        }
    }
}
