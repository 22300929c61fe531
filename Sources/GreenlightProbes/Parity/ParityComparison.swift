import Crypto
import Foundation
import GreenlightCore

/// Compares two environments' descriptors key by key. Keys listed in `parity.ignore` may differ;
/// any other difference is drift and fails. Secret-looking keys are compared by hash and never shown.
package struct ParityComparison: Sendable {
    package var left: (name: String, descriptor: Descriptor)
    package var right: (name: String, descriptor: Descriptor)
    package var ignore: [String]
    /// Tells which values are known secrets, so that they are shown as fingerprints (two secrets can
    /// still be told apart); masking itself is the redaction boundary's.
    package var redactor: Redactor

    package init(left: (String, Descriptor), right: (String, Descriptor), ignore: [String], redactor: Redactor) {
        self.left = (left.0, left.1)
        self.right = (right.0, right.1)
        self.ignore = ignore
        self.redactor = redactor
    }

    package struct Drift: Sendable, Hashable {
        package var key: String
        package var left: String
        package var right: String
    }

    /// Words in a key that mark its value as secret.
    static let secretWords = [
        "secret", "password", "passwd", "token", "credential", "private", "apikey", "api_key", "key",
    ]

    package static func isSecret(_ key: String) -> Bool {
        let segments = key.lowercased().split(whereSeparator: { $0 == "." || $0 == "[" || $0 == "]" }).map(String.init)
        return segments.contains { segment in
            secretWords.contains { word in
                word == "key"
                    ? segment == "key" || segment.hasSuffix("_key") || segment.hasSuffix("-key")
                    : segment.contains(word)
            }
        }
    }

    /// Whether an ignore pattern covers a key: `*` matches within one segment, and a pattern also
    /// covers everything beneath it (`database` covers `database.host`).
    package static func matches(_ pattern: String, _ key: String) -> Bool {
        if key == pattern || key.hasPrefix(pattern + ".") || key.hasPrefix(pattern + "[") { return true }
        guard pattern.contains("*") else { return false }
        let regex =
            "^" + NSRegularExpression.escapedPattern(for: pattern).replacingOccurrences(of: "\\*", with: "[^.]*")
            + "($|[.\\[])"
        return key.range(of: regex, options: .regularExpression) != nil
    }

    package func drift() -> (drift: [Drift], compared: Int, ignored: [String]) {
        let keys = Set(left.descriptor.values.keys).union(right.descriptor.values.keys).sorted()
        var drift: [Drift] = []
        var ignored: [String] = []
        for key in keys {
            if ignore.contains(where: { Self.matches($0, key) }) {
                ignored.append(key)
                continue
            }
            let a = left.descriptor.values[key]
            let b = right.descriptor.values[key]
            if a == b { continue }
            if Self.isSecret(key) || a.map(isRedacted) == true || b.map(isRedacted) == true {
                drift.append(Drift(key: key, left: Self.fingerprint(a), right: Self.fingerprint(b)))
            } else {
                drift.append(Drift(key: key, left: a ?? "(absent)", right: b ?? "(absent)"))
            }
        }
        return (drift, keys.count - ignored.count, ignored)
    }

    func isRedacted(_ value: String) -> Bool { redactor.redact(value) != value }

    /// A secret shown as the start of its SHA-256, enough to tell two values apart.
    static func fingerprint(_ value: String?) -> String {
        guard let value else { return "(absent)" }
        let hex = Hashing.sha256Hex(Data(value.utf8))
        return "secret sha256:\(hex.prefix(12))…"
    }

    package func check() -> CheckResult {
        let (drift, compared, ignored) = self.drift()
        let id = "parity.\(left.name)-\(right.name)"
        let title = "Parity: \(left.name) vs \(right.name)"
        var details: [String] = []
        if !drift.isEmpty {
            let widths = (
                max(3, drift.map(\.key.count).max() ?? 0),
                max(left.name.count, drift.map { min(40, $0.left.count) }.max() ?? 0)
            )
            func pad(_ s: String, _ n: Int) -> String {
                let clipped = s.count > 40 ? String(s.prefix(39)) + "…" : s
                return clipped + String(repeating: " ", count: max(0, n - clipped.count))
            }
            details.append("\(pad("key", widths.0))  \(pad(left.name, widths.1))  \(right.name)")
            for d in drift { details.append("\(pad(d.key, widths.0))  \(pad(d.left, widths.1))  \(d.right)") }
        }
        if !ignored.isEmpty { details.append("ignored (parity.ignore): \(ignored.joined(separator: ", "))") }
        let measurements: [CheckResult.Measurement] = [
            .init(name: "keys compared", value: Double(compared), unit: "keys"),
            .init(name: "undeclared drift", value: Double(drift.count), unit: "keys"),
        ]
        if drift.isEmpty {
            return CheckResult(
                id: id, title: title, category: .parity, status: .pass,
                summary: "\(compared) keys match\(ignored.isEmpty ? "" : "; \(ignored.count) ignored as declared")",
                details: details, measurements: measurements)
        }
        let shown = drift.prefix(5).map(\.key).joined(separator: ", ") + (drift.count > 5 ? ", …" : "")
        return CheckResult(
            id: id, title: title, category: .parity, status: .fail,
            summary:
                "\(Format.count(drift.count, "undeclared difference")): \(shown); add expected ones to parity.ignore",
            details: details, measurements: measurements)
    }
}
