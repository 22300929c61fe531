import Foundation

/// How greenlight writes numbers, durations, sizes, rates and counts for people: one place, so that
/// every command, report and message reads alike.
package enum Format {
    /// `3`, `0.5`, `2.125`: no trailing zeros, at most three decimals; `NaN`, `inf`, `-inf`.
    package static func number(_ value: Double) -> String {
        guard value.isFinite else { return value.isNaN ? "NaN" : (value < 0 ? "-inf" : "inf") }
        if value == value.rounded(), abs(value) < 1e15 { return String(Int(value)) }
        if abs(value) < 0.001 { return String(value) }
        return trimmed(String(format: "%.3f", value))
    }

    /// `12.50`: a fixed number of decimals, for columns and percentages.
    package static func fixed(_ value: Double, _ decimals: Int) -> String {
        String(format: "%.\(max(0, decimals))f", value)
    }

    /// A span of time: `0.42 ms`, `12 ms`, `1.25 s`, `30 s`, `2m03s`, `1h05m`.
    package static func duration(_ seconds: Double) -> String {
        guard seconds.isFinite, seconds > 0 else { return "0 ms" }
        if seconds < 0.01 { return fixed(seconds * 1000, 2) + " ms" }
        if seconds < 1 { return "\(Int((seconds * 1000).rounded())) ms" }
        if seconds < 60 { return trimmed(fixed(seconds, seconds < 10 ? 2 : 1)) + " s" }
        guard seconds < 1e12 else { return number(seconds.rounded()) + " s" }
        let whole = Int(seconds.rounded())
        if whole < 3600 { return String(format: "%dm%02ds", whole / 60, whole % 60) }
        return String(format: "%dh%02dm", whole / 3600, (whole % 3600) / 60)
    }

    /// A latency given in milliseconds, written as ``duration(_:)`` writes it.
    package static func milliseconds(_ ms: Double) -> String { duration(ms / 1000) }

    /// A size in bytes: `512 B`, `1.5 KiB`, `3.2 GiB`.
    package static func bytes(_ bytes: Double) -> String {
        let units = ["B", "KiB", "MiB", "GiB", "TiB"]
        var value = bytes
        var unit = 0
        while value >= 1024, unit < units.count - 1 {
            value /= 1024
            unit += 1
        }
        return "\(fixed(value, unit == 0 ? 0 : 1)) \(units[unit])"
    }

    /// A rate: `150 req/s`, `12.5 req/s` (a whole number, else one decimal).
    package static func rate(_ perSecond: Double, _ unit: String = "req") -> String {
        "\(perSecond == perSecond.rounded() ? whole(perSecond) : fixed(perSecond, 1)) \(unit)/s"
    }

    /// A number rounded to a whole one: `12`, `4611686018427387904`, `1e+300`; never a trap.
    package static func whole(_ value: Double) -> String {
        let rounded = value.rounded()
        guard rounded.isFinite, abs(rounded) < 9.2e18 else { return number(rounded) }
        return String(Int(rounded))
    }

    /// `1 check`, `3 checks`, `2 dependencies`: a count with its noun.
    package static func count(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(n) \(noun(n, singular, plural))"
    }

    /// The noun alone, singular for 1: `check` or `checks`.
    package static func noun(_ n: Int, _ singular: String, _ plural: String? = nil) -> String {
        n == 1 ? singular : (plural ?? singular + "s")
    }

    private static func trimmed(_ text: String) -> String {
        guard text.contains(".") else { return text }
        var text = text
        while text.hasSuffix("0") { text.removeLast() }
        if text.hasSuffix(".") { text.removeLast() }
        return text
    }
}
