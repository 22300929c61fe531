/// The m·n differences `experiment[j] − control[i]`, answered by order statistic without storing them.
///
/// Up to `enumerationLimit` differences (a million by default) are computed and sorted. Beyond that an order
/// statistic is found by search on the value: both samples are sorted once, and the number of differences
/// at or below a value t is counted in O(m + n) with two pointers, because `e[j] − c[i]` rises with j
/// and falls with i (floating-point subtraction keeps that order, so the counts are exact for the
/// rounded differences numpy would compute too). The search bisects the ordered bit patterns of the
/// doubles, so it ends within 64 steps; it stops early once the candidate interval holds few enough
/// differences to list and sort. Memory stays O(m + n).
struct PairwiseDifferences: Sendable {
    /// The number of differences up to which they are all computed and sorted.
    static let enumerationLimit = 1_000_000

    let experiment: [Double]
    let control: [Double]
    private let sorted: [Double]?

    var count: Int { experiment.count * control.count }

    init(experiment: [Double], control: [Double], enumerationLimit: Int = Self.enumerationLimit) {
        self.experiment = experiment.sorted()
        self.control = control.sorted()
        let (product, overflow) = experiment.count.multipliedReportingOverflow(by: control.count)
        if !overflow, product <= enumerationLimit {
            var all: [Double] = []
            all.reserveCapacity(product)
            for e in experiment { for c in control { all.append(e - c) } }
            all.sort()
            sorted = all
        } else {
            sorted = nil
        }
    }

    /// The k-th smallest difference, 0-based.
    func orderStatistic(_ k: Int) -> Double {
        precondition(k >= 0 && k < count, "order statistic \(k) of \(count) differences")
        if let sorted { return sorted[k] }
        return searched(k)
    }

    /// The k-th smallest difference found by search on the value (the path for large samples).
    func searched(_ k: Int) -> Double {
        var low = experiment[0] - control[control.count - 1]
        var high = experiment[experiment.count - 1] - control[0]
        let listable = max(experiment.count + control.count, 1 << 16)
        // The answer lies in [low, high] throughout.
        while low < high {
            let below = countBelow(low)
            let within = countAtOrBelow(high) - below
            if within <= listable {
                var values = differences(from: low, through: high)
                values.sort()
                return values[k - below]
            }
            let middle = Self.middle(low, high)
            if countAtOrBelow(middle) >= k + 1 {
                high = middle
            } else {
                low = middle.nextUp
            }
        }
        return low
    }

    /// The number of differences ≤ t.
    func countAtOrBelow(_ t: Double) -> Int {
        var total = 0
        var j = 0
        for c in control {
            while j < experiment.count, experiment[j] - c <= t { j += 1 }
            total += j
        }
        return total
    }

    /// The number of differences < t.
    func countBelow(_ t: Double) -> Int {
        var total = 0
        var j = 0
        for c in control {
            while j < experiment.count, experiment[j] - c < t { j += 1 }
            total += j
        }
        return total
    }

    /// Every difference in [low, high], unsorted.
    private func differences(from low: Double, through high: Double) -> [Double] {
        var values: [Double] = []
        var start = 0
        var end = 0
        for c in control {
            while start < experiment.count, experiment[start] - c < low { start += 1 }
            while end < experiment.count, experiment[end] - c <= high { end += 1 }
            for j in start..<max(start, end) { values.append(experiment[j] - c) }
        }
        return values
    }

    /// A double between low and high (low ≤ result < high), halfway in the order of bit patterns.
    static func middle(_ low: Double, _ high: Double) -> Double {
        let a = key(low)
        let b = key(high)
        let mid = (a >> 1) + (b >> 1) + (a & b & 1)
        return value(ofKey: min(max(mid, a), b - 1))
    }

    /// A signed integer that orders like the double (−0 and +0 share 0).
    private static func key(_ x: Double) -> Int64 {
        let bits = Int64(bitPattern: x.bitPattern)
        return bits >= 0 ? bits : -(bits & Int64.max)
    }

    private static func value(ofKey key: Int64) -> Double {
        key >= 0
            ? Double(bitPattern: UInt64(key))
            : Double(bitPattern: UInt64(-key) | (1 << 63))
    }
}
