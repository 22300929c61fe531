import Foundation

/// A length of time written with units, as in `500ms`, `30s`, `10m`, `1h30m` or `7d`.
public struct SpecDuration: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var seconds: Double

    public init(seconds: Double) { self.seconds = seconds }

    /// The longest duration a spec may write: ten years. Longer ones are typos, and would overflow.
    public static let maximum = SpecDuration(seconds: 3650 * 86400)

    public init?(_ text: String) {
        let scalars = Array(text.trimmingCharacters(in: .whitespaces).unicodeScalars)
        guard !scalars.isEmpty else { return nil }
        var total = 0.0
        var i = 0
        while i < scalars.count {
            var number = ""
            while i < scalars.count, ("0"..."9").contains(scalars[i]) || scalars[i] == "." {
                number.unicodeScalars.append(scalars[i])
                i += 1
            }
            var unit = ""
            while i < scalars.count, scalars[i].properties.isAlphabetic {
                unit.unicodeScalars.append(scalars[i])
                i += 1
            }
            guard !number.isEmpty, number.first != ".", number.last != ".", let value = Double(number) else {
                return nil
            }
            let factor: Double
            switch unit {
            case "ms": factor = 0.001
            case "s": factor = 1
            case "m": factor = 60
            case "h": factor = 3600
            case "d": factor = 86400
            default: return nil
            }
            total += value * factor
        }
        guard total.isFinite, total <= Self.maximum.seconds else { return nil }
        seconds = total
    }

    public static func < (lhs: SpecDuration, rhs: SpecDuration) -> Bool { lhs.seconds < rhs.seconds }

    /// The shortest exact way to write it: `1h30m`, `500ms`, `2.5s`.
    public var description: String {
        if seconds == 0 { return "0s" }
        if seconds < 1 { return Format.number(seconds * 1000) + "ms" }
        var rest = seconds
        var out = ""
        for (unit, size) in [("d", 86400.0), ("h", 3600.0), ("m", 60.0)] where rest >= size {
            let whole = (rest / size).rounded(.down)
            out += Format.number(whole) + unit
            rest -= whole * size
        }
        if rest > 0.0000001 { out += Format.number(rest) + "s" }
        return out
    }
}

/// A response-time budget: `< 500ms` or `<= 1s`.
public struct DurationBudget: Sendable, Hashable, CustomStringConvertible {
    public var limit: SpecDuration
    public var inclusive: Bool

    public init?(_ text: String) {
        var rest = Substring(text.trimmingCharacters(in: .whitespaces))
        guard rest.hasPrefix("<") else { return nil }
        rest = rest.dropFirst()
        inclusive = rest.hasPrefix("=")
        if inclusive { rest = rest.dropFirst() }
        guard let limit = SpecDuration(String(rest)) else { return nil }
        self.limit = limit
    }

    public func allows(_ seconds: Double) -> Bool { inclusive ? seconds <= limit.seconds : seconds < limit.seconds }

    public var description: String { (inclusive ? "<= " : "< ") + limit.description }
}
