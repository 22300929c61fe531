import Foundation

/// A chart axis: maps values onto pixels between `low` and `high`, and names the ticks to label.
struct ChartScale {
    var ticks: [Double]
    var isLogarithmic: Bool
    /// The smallest and largest values drawn; values beyond are drawn at the edge.
    var domain: ClosedRange<Double>

    /// Linear from 0 to a round number at or above `maximum`, with 3 to 6 round ticks; 0 to 1 when all are 0.
    static func linear(upTo maximum: Double, about count: Int = 4) -> ChartScale {
        let top = maximum.isFinite && maximum > 0 ? maximum : 1
        let step = roundStep(above: top / Double(count))
        let last = (top / step).rounded(.up)
        return ChartScale(
            ticks: (0...Int(last)).map { Double($0) * step }, isLogarithmic: false, domain: 0...(last * step))
    }

    /// Logarithmic from the power of ten at or below `minimum` to the one at or above `maximum`, a tick
    /// at each power of ten, and at 2 and 5 times each when there are three decades or fewer.
    static func logarithmic(from minimum: Double, to maximum: Double) -> ChartScale {
        let low = floor(log10(minimum))
        let high = max(ceil(log10(maximum)), low + 1)
        var ticks: [Double] = []
        for exponent in Int(low)...Int(high) {
            let decade = pow(10, Double(exponent))
            ticks.append(decade)
            if high - low <= 3, Double(exponent) < high { ticks += [2 * decade, 5 * decade] }
        }
        return ChartScale(ticks: ticks, isLogarithmic: true, domain: pow(10, low)...pow(10, high))
    }

    /// Seconds from `start` to `end`, ticks at round numbers of seconds (1, 2, 5, 10, 15, 30 s, 1, 2, 5, 10,
    /// 15, 30 min, 1 h...), about `count` of them.
    static func seconds(from start: Double, to end: Double, about count: Int = 8) -> ChartScale {
        let span = max(end - start, 1)
        let steps: [Double] = [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 21600, 43200, 86400]
        let step = steps.first { span / $0 <= Double(count) } ?? roundStep(above: span / Double(count))
        let first = (start / step).rounded(.up) * step
        let ticks = stride(from: first, through: end + step / 1000, by: step).map { $0 }
        return ChartScale(ticks: ticks, isLogarithmic: false, domain: start...max(end, start + 1))
    }

    /// Where `value` falls between `low` (at the domain's bottom) and `high` (at its top), clamped to the domain.
    func position(_ value: Double, low: Double, high: Double) -> Double {
        let clamped = min(max(value, domain.lowerBound), domain.upperBound)
        let t =
            isLogarithmic
            ? (log10(clamped) - log10(domain.lowerBound)) / (log10(domain.upperBound) - log10(domain.lowerBound))
            : (clamped - domain.lowerBound) / (domain.upperBound - domain.lowerBound)
        return low + (high - low) * (t.isFinite ? t : 0)
    }

    /// The smallest of 1, 2, 2.5 and 5 times a power of ten that is at least `value`.
    static func roundStep(above value: Double) -> Double {
        let magnitude = pow(10, floor(log10(value)))
        return [1, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= value * (1 - 1e-9) } ?? 10 * magnitude
    }
}
