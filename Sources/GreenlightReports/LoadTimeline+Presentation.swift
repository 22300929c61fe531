import GreenlightCore

/// The load timeline as the renderers read it: its headline numbers, and its seconds grouped for charting.
extension LoadTimeline {
    /// How many seconds every series has; a longer array's extra entries are ignored.
    var secondCount: Int { min(seconds.count, rps.count, p50Ms.count, p99Ms.count, errors.count) }

    /// The headline numbers, from every second (never from downsampled buckets); nil for an empty timeline.
    var summary: LoadHeadline? {
        let n = secondCount
        guard n > 0 else { return nil }
        let peak = (0..<n).max { Self.clean(rps[$0]) < Self.clean(rps[$1]) } ?? 0
        let worst = (0..<n).max { Self.clean(p99Ms[$0]) < Self.clean(p99Ms[$1]) } ?? 0
        return LoadHeadline(
            seconds: n, peakRps: Self.clean(rps[peak]), peakRpsSecond: seconds[peak],
            worstP99Ms: Self.clean(p99Ms[worst]), worstP99Second: seconds[worst],
            totalErrors: (0..<n).map { Self.clean(errors[$0]) }.reduce(0, +))
    }

    /// The seconds in at most `limit` buckets of equal length, consecutive seconds together: the worst p50 and
    /// p99 of each bucket, and its mean req/s, errors/s and target.
    func buckets(limit: Int = 600) -> (buckets: [LoadBucket], secondsPerBucket: Int) {
        let n = secondCount
        guard n > 0 else { return ([], 1) }
        let size = (n + limit - 1) / max(limit, 1)
        let target = targetRps.flatMap { $0.count >= n ? $0 : nil }
        let buckets = stride(from: 0, to: n, by: size).map { first in
            let range = first..<min(first + size, n)
            let mean = { (series: [Double]) in range.map { Self.clean(series[$0]) }.reduce(0, +) / Double(range.count) }
            return LoadBucket(
                start: seconds[range.lowerBound], end: seconds[range.upperBound - 1] + 1,
                rps: mean(rps), p50Ms: range.map { Self.clean(p50Ms[$0]) }.max() ?? 0,
                p99Ms: range.map { Self.clean(p99Ms[$0]) }.max() ?? 0, errors: mean(errors),
                targetRps: target.map(mean))
        }
        return (buckets, size)
    }

    /// A value fit to draw: NaN, infinities and negatives count as 0.
    static func clean(_ value: Double) -> Double { value.isFinite ? max(value, 0) : 0 }
}

/// The headline numbers of a load timeline.
struct LoadHeadline: Equatable {
    var seconds: Int
    var peakRps: Double
    var peakRpsSecond: Int
    var worstP99Ms: Double
    var worstP99Second: Int
    var totalErrors: Double

    /// `300 s, peak 152 req/s at second 12, worst p99 5000 ms at second 30, 37 errors`; a run in which nothing
    /// completed says so instead of naming a peak of 0.
    var line: String {
        var parts = ["\(seconds) s"]
        if peakRps > 0 { parts.append("peak \(Self.short(peakRps)) req/s at second \(peakRpsSecond)") }
        if worstP99Ms > 0 { parts.append("worst p99 \(Self.short(worstP99Ms)) ms at second \(worstP99Second)") }
        if peakRps == 0, worstP99Ms == 0 { parts.append("no responses") }
        let errors = Format.number(totalErrors.rounded())
        parts.append("\(errors) error\(errors == "1" ? "" : "s")")
        return parts.joined(separator: ", ")
    }

    /// A measured value with as many decimals as people read: `5000`, `12.5`, `0.84`.
    static func short(_ value: Double) -> String {
        let decimals = value >= 100 ? 0 : value >= 10 ? 1 : 2
        let scale = [1.0, 10, 100][decimals]
        return Format.number((value * scale).rounded() / scale)
    }
}

/// Consecutive seconds of a load timeline, `start` up to but not including `end`, as one chart point.
struct LoadBucket: Equatable {
    var start: Int
    var end: Int
    var rps: Double
    var p50Ms: Double
    var p99Ms: Double
    var errors: Double
    var targetRps: Double?

    var middle: Double { Double(start + end) / 2 }
}
