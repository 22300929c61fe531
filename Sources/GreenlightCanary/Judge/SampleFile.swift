import Foundation
import GreenlightJSON

/// A sample written for `greenlight judge`: a JSON array of numbers, or one number per line.
///
/// In the line form, blank lines and lines starting with `#` are skipped. Every value must be a finite
/// number; an error names the file and the line (or, for JSON, what was wrong where).
public enum SampleFile {
    /// Reads the values of `data`, which came from `name` (a path, or `-` for standard input).
    public static func values(of data: Data, name: String) throws(JudgeError) -> [Double] {
        guard let text = String(validating: data, as: UTF8.self) else {
            throw JudgeError("\(name): not UTF-8 text; give a JSON array of numbers or one number per line")
        }
        let start = text.drop { $0.isWhitespace || $0 == "\u{FEFF}" }
        if start.first == "[" || start.first == "{" || start.first == "\"" {
            return try json(data, name: name)
        }
        var values: [Double] = []
        for (index, rawLine) in text.split(separator: "\n", omittingEmptySubsequences: false).enumerated() {
            let line = rawLine.trimmingCharacters(in: .whitespacesAndNewlines)
            if line.isEmpty || line.hasPrefix("#") { continue }
            guard let value = Double(line), !line.lowercased().hasPrefix("0x") else {
                throw JudgeError("\(name):\(index + 1): '\(line.prefix(40))' is not a number")
            }
            guard value.isFinite else {
                throw JudgeError("\(name):\(index + 1): '\(line.prefix(40))' is not a finite number")
            }
            values.append(value)
        }
        return values
    }

    private static func json(_ data: Data, name: String) throws(JudgeError) -> [Double] {
        let document: JSONValue
        do {
            document = try JSONValue(parsing: data)
        } catch {
            throw JudgeError("\(name): \(error)")
        }
        guard case .array(let items) = document else {
            throw JudgeError("\(name): the JSON document is \(kind(document)), not an array of numbers")
        }
        var values: [Double] = []
        values.reserveCapacity(items.count)
        for (index, item) in items.enumerated() {
            switch item {
            case .int(let value): values.append(Double(value))
            case .double(let value) where value.isFinite: values.append(value)
            default:
                throw JudgeError("\(name): element \(index) of the JSON array is \(kind(item)), not a number")
            }
        }
        return values
    }

    private static func kind(_ value: JSONValue) -> String {
        switch value {
        case .null: "null"
        case .bool: "a boolean"
        case .int, .double: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }
}
