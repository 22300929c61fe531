import Foundation

// How the load engine writes numbers for people: durations, latencies, sizes.

func formatSeconds(_ s: Double) -> String {
    s >= 1 && s == s.rounded() ? "\(Int(s)) s" : "\(Int((s * 1000).rounded())) ms"
}

func formatMilliseconds(_ ms: Double) -> String {
    if ms >= 1000 { return "\(fixed(ms / 1000, 2)) s" }
    if ms >= 10 { return "\(fixed(ms, 0)) ms" }
    return "\(fixed(ms, 2)) ms"
}

func formatBytes(_ bytes: Double) -> String {
    let units = ["B", "KiB", "MiB", "GiB", "TiB"]
    var value = bytes
    var unit = 0
    while value >= 1024, unit < units.count - 1 {
        value /= 1024
        unit += 1
    }
    return "\(fixed(value, unit == 0 ? 0 : 1)) \(units[unit])"
}

/// `value` with a fixed number of decimals, trailing zeros kept: "12.50".
func fixed(_ value: Double, _ decimals: Int) -> String {
    String(format: "%.\(decimals)f", value)
}
