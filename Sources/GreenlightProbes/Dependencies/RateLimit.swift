import Foundation

/// The rate-limit state a response announces: `RateLimit-Remaining`/`X-RateLimit-Remaining` with
/// their `-Limit`, or the IETF draft's combined `RateLimit` field (`limit=100, remaining=5` or
/// `"default";r=5;t=30` with `RateLimit-Policy: "default";q=100;w=60`).
struct RateLimit: Sendable, Hashable {
    var remaining: Int
    var limit: Int?

    init(remaining: Int, limit: Int?) {
        self.remaining = remaining
        self.limit = limit
    }

    /// Nil when the response announces no remaining count.
    init?(headers: [(name: String, value: String)]) {
        func field(_ name: String) -> String? {
            headers.first { $0.name.caseInsensitiveCompare(name) == .orderedSame }?.value
        }
        let combined = field("RateLimit").map(Self.parameters) ?? [:]
        let policy = field("RateLimit-Policy").map(Self.parameters) ?? [:]
        guard
            let remaining = field("RateLimit-Remaining").flatMap(Self.leadingInteger)
                ?? field("X-RateLimit-Remaining").flatMap(Self.leadingInteger)
                ?? combined["remaining"] ?? combined["r"]
        else { return nil }
        self.remaining = remaining
        limit =
            field("RateLimit-Limit").flatMap(Self.leadingInteger)
            ?? field("X-RateLimit-Limit").flatMap(Self.leadingInteger)
            ?? combined["limit"] ?? policy["q"]
    }

    /// Why the remaining count is too low, or nil: below `minimum`, or without one below 10 % of the limit.
    func lowReason(minimum: Int?) -> String? {
        if let minimum {
            guard remaining < minimum else { return nil }
            return "rate limit low: \(remaining) requests remaining, below the minimum of \(minimum)"
        }
        guard let limit, limit > 0, remaining * 10 < limit else { return nil }
        return "rate limit low: \(remaining) of \(limit) requests remaining (below 10 %)"
    }

    var description: String {
        limit.map { "\(remaining) of \($0) requests remaining" } ?? "\(remaining) requests remaining"
    }

    /// `42`, or the first number of `42, 100;w=60`.
    static func leadingInteger(_ text: String) -> Int? {
        Int(text.trimmingCharacters(in: .whitespaces).prefix { $0.isASCII && $0.isNumber })
    }

    /// The numeric `key=value` parameters of a structured field, by key.
    static func parameters(_ text: String) -> [String: Int] {
        var values: [String: Int] = [:]
        for part in text.split(whereSeparator: { $0 == ";" || $0 == "," }) {
            let pair = part.split(separator: "=", maxSplits: 1)
            guard pair.count == 2, let value = leadingInteger(String(pair[1])) else { continue }
            let key = pair[0].trimmingCharacters(in: .whitespaces).lowercased()
            if values[key] == nil { values[key] = value }
        }
        return values
    }
}
