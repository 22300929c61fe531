import GreenlightCore
import Histogram

/// Latencies in microseconds, in an HdrHistogram (three significant digits, 1 µs to 100 s).
/// Serialized sparsely, as the recorded buckets only, so a result file stays small and a merge of
/// serialized slices equals one histogram over all their samples, bucket for bucket.
public struct LatencyHistogram: Sendable, Codable, Equatable {
    public static let highestMicroseconds: UInt64 = 100_000_000

    public private(set) var histogram: Histogram<UInt64>

    public init(significantDigits: SignificantDigits = .three) {
        histogram = Histogram(
            lowestDiscernibleValue: 1, highestTrackableValue: Self.highestMicroseconds,
            numberOfSignificantValueDigits: significantDigits)
    }

    @inline(__always)
    public mutating func record(microseconds: UInt64) {
        _ = histogram.record(min(max(microseconds, 1), Self.highestMicroseconds))
    }

    /// Adds another histogram's samples: bucket for bucket when both have the same precision (every
    /// histogram greenlight writes), value by value when not (a result file someone edited).
    public mutating func add(_ other: LatencyHistogram) {
        guard other.histogram.totalCount > 0 else { return }
        if other.histogram.numberOfSignificantValueDigits == histogram.numberOfSignificantValueDigits {
            histogram.add(other.histogram)
        } else {
            for v in other.histogram.recordedValues() {
                _ = histogram.record(min(max(v.value, 1), Self.highestMicroseconds), count: UInt64(v.count))
            }
        }
    }

    public mutating func reset() { histogram.reset() }

    public var count: UInt64 { histogram.totalCount }

    /// The latency at a percentile (0…100) in milliseconds; 0 when empty.
    public func milliseconds(atPercentile p: Double) -> Double {
        guard count > 0 else { return 0 }
        let value = p >= 100 ? histogram.max : histogram.valueAtPercentile(p)
        return Double(histogram.highestEquivalentForValue(value)) / 1000
    }

    public var meanMilliseconds: Double { count > 0 ? histogram.mean / 1000 : 0 }
    public var maxMilliseconds: Double { milliseconds(atPercentile: 100) }

    /// How many samples exceed `microseconds`.
    public func count(above microseconds: UInt64) -> UInt64 {
        guard count > 0, microseconds < histogram.max else { return 0 }
        return histogram.count(within: (microseconds + 1)...max(histogram.max, microseconds + 1))
    }

    public static func == (a: LatencyHistogram, b: LatencyHistogram) -> Bool { a.histogram == b.histogram }

    // MARK: Sparse serialization

    enum CodingKeys: String, CodingKey {
        case unit
        case significantDigits = "significant_digits"
        case count, buckets
    }

    public init(from decoder: Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let digits = try c.decodeIfPresent(Int8.self, forKey: .significantDigits) ?? 3
        guard let significant = SignificantDigits(rawValue: digits) else {
            throw DecodingError.dataCorruptedError(
                forKey: .significantDigits, in: c, debugDescription: "significant_digits must be 1 to 5")
        }
        self.init(significantDigits: significant)
        let numbers = try c.decode([[Double]].self, forKey: .buckets)
        var total: UInt64 = 0
        for pair in numbers {
            guard pair.count == 2, pair.allSatisfy({ $0 >= 0 && $0 == $0.rounded() && $0.isFinite }) else {
                throw DecodingError.dataCorruptedError(
                    forKey: .buckets, in: c,
                    debugDescription:
                        "each bucket is [microseconds, count], two whole numbers of 0 or more, got \(pair.map(Format.number))"
                )
            }
        }
        // Whole and not negative; bounded before the conversion, so that it cannot trap. (Exact up to 2^53:
        // a count above 2^50 is refused below, a time above 100 s is the top bucket anyway.)
        let buckets = numbers.map { [UInt64(min($0[0], 1e15)), UInt64(min($0[1], 1e18))] }
        for pair in buckets {
            // Counts come from a file: bounded, so that merging thousands of them cannot overflow.
            total += min(pair[1], LoadCounters.largestCount + 1)
            guard total <= LoadCounters.largestCount else {
                throw DecodingError.dataCorruptedError(
                    forKey: .buckets, in: c, debugDescription: "the buckets hold more than a load test can count")
            }
            // The top bucket is written as its highest equivalent value, a little above 100 s.
            _ = histogram.record(min(max(pair[0], 1), Self.highestMicroseconds), count: pair[1])
        }
    }

    public func encode(to encoder: Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode("us", forKey: .unit)
        try c.encode(histogram.numberOfSignificantValueDigits.rawValue, forKey: .significantDigits)
        try c.encode(count, forKey: .count)
        var buckets: [[UInt64]] = []
        if count > 0 {
            for v in histogram.recordedValues() { buckets.append([v.value, UInt64(v.count)]) }
        }
        try c.encode(buckets, forKey: .buckets)
    }
}
