import Foundation
import GreenlightCore
import Testing

@testable import GreenlightLoad

/// `load merge` reads files anyone can write. Each mutated file must end in a merged result that can be
/// printed and written, or in a refusal that names the file; a trap would end this test process.
@Suite("Fuzzing load merge")
struct MergeFuzzTests {
    /// A slice of a two-slice test, with thresholds, a timeline of two seconds and several error classes.
    static func slice(_ index: Int) -> LoadResult {
        var latency = LatencyHistogram()
        var seconds = [TimelineSecond(second: 0), TimelineSecond(second: 1)]
        var rng = SplitMix64(seed: UInt64(index))
        for i in 0..<400 {
            let v = 50 + rng.next() % 2_000
            latency.record(microseconds: v)
            seconds[i % 2].latency.record(microseconds: v)
        }
        var counters = LoadCounters()
        counters.sent = 410
        counters.responses = 400
        counters.dropped = 3
        counters.errors = ["5xx": 4, "timeout": 2, "connect": 1]
        counters.bytesIn = 123_456
        counters.bytesOut = 45_678
        seconds[0].counters = counters
        return LoadResult(
            target: "http://127.0.0.1:8080/", model: .open, rate: 400, virtualUsers: nil, connections: 8,
            threads: 2, profile: Profile(level: 400, rampUp: 0.5, sustain: 1, rampDown: 0.5),
            slices: [.init(index: index, count: 2)], startedAt: Date(timeIntervalSince1970: 1_700_000_000),
            durationSeconds: 2, connectionsOpen: 8, counters: counters, latency: latency, timeline: seconds,
            resources: ResourceReport(
                source: "pid 42 (shop)",
                samples: [
                    ResourceSample(
                        t: 0.5, cpu: 40, rss: 50e6, readBytes: 1e3, writeBytes: 2e3, openFiles: 12, threads: 8),
                    ResourceSample(
                        t: 1.5, cpu: 60, rss: 52e6, readBytes: 4e3, writeBytes: 5e3, openFiles: 14, threads: 8),
                ], problems: ["the process exited (once)"]),
            thresholds: Thresholds.evaluate(
                [
                    try! Threshold(parsing: "p99 < 100ms"), try! Threshold(parsing: "error_rate < 1%"),
                    try! Threshold(parsing: "target.cpu < 80%"),
                ],
                on: LoadResult.empty))
    }

    /// Values that break naive code: the edges of Int64 and UInt64, of Double, zero, negatives, fractions.
    static let hostileNumbers = [
        "0", "-0", "-1", "1", "0.5", "-0.5", "1e308", "-1e308", "1e400", "-1e400", "1e-320", "2147483648",
        "4294967296", "4611686018427387904", "9007199254740993", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "18446744073709551615", "18446744073709551616", "1e19",
        "123456789012345678901234567890",
    ]
    static let hostileValues = [
        "null", "true", "\"\"", "\"x\"", "[]", "{}", "[1,2]", "{\"a\":1}", "\"2023-13-45T99:99:99Z\"", "\"open\"",
        "\"closed\"", "\"p99 < 1ms\"", "\"5xx\"",
    ]

    /// One mutation of `text`: most change a value or a key where the JSON still parses, some break the bytes.
    static func mutate(_ text: [UInt8], _ rng: inout SplitMix64) -> [UInt8] {
        var bytes = text
        let count = rng.next() % 4 == 0 ? 2 : 1
        for _ in 0..<count {
            guard !bytes.isEmpty else { return bytes }
            let at = Int(rng.next() % UInt64(bytes.count))
            switch rng.next() % 10 {
            case 0...3:  // a number replaced by a hostile one
                guard let (start, end) = token(in: bytes, near: at, where: { "-0123456789.eE+".utf8.contains($0) })
                else { continue }
                let value = hostileNumbers[Int(rng.next() % UInt64(hostileNumbers.count))]
                bytes.replaceSubrange(start..<end, with: Array(value.utf8))
            case 4, 5:  // a value (number, string, literal) replaced by a value of another type
                guard
                    let (start, end) = token(
                        in: bytes, near: at, where: { "-0123456789.eE+truefalsn".utf8.contains($0) })
                else { continue }
                let value = hostileValues[Int(rng.next() % UInt64(hostileValues.count))]
                bytes.replaceSubrange(start..<end, with: Array(value.utf8))
            case 6:  // a key renamed (so a required field goes missing, or an unknown one appears)
                guard let quote = bytes[at...].firstIndex(of: UInt8(ascii: "\"")),
                    let close = bytes[(quote + 1)...].firstIndex(of: UInt8(ascii: "\""))
                else { continue }
                bytes.replaceSubrange((quote + 1)..<close, with: Array("k\(rng.next() % 4)".utf8))
            case 7:  // a byte changed
                bytes[at] = UInt8(truncatingIfNeeded: rng.next())
            case 8:  // a stretch removed
                let end = min(bytes.count, at + 1 + Int(rng.next() % 40))
                bytes.removeSubrange(at..<end)
            default:  // a stretch repeated
                let end = min(bytes.count, at + 1 + Int(rng.next() % 40))
                bytes.insert(contentsOf: bytes[at..<end], at: end)
            }
        }
        return bytes
    }

    /// The run of bytes around `at` that all satisfy `member`, if `at` is in one.
    static func token(in bytes: [UInt8], near at: Int, where member: (UInt8) -> Bool) -> (Int, Int)? {
        guard let hit = bytes[at...].firstIndex(where: member) else { return nil }
        var start = hit
        while start > 0, member(bytes[start - 1]) { start -= 1 }
        var end = hit
        while end < bytes.count, member(bytes[end]) { end += 1 }
        return (start, end)
    }

    @Test(
        "100,000 mutated result files (4 × 25,000): each is merged, or refused with the file named",
        arguments: [0x5EED_F00D, 2, 3, 4] as [UInt64])
    func fuzz(seed: UInt64) throws {
        let first = Self.slice(1)
        let second = Array(Self.slice(2).encoded())
        var rng = SplitMix64(seed: seed)
        var merged = 0
        var refusedReading = 0
        var refusedMerging = 0
        for _ in 0..<25_000 {
            let bytes = Self.mutate(second, &rng)
            let result: LoadResult
            do {
                result = try LoadResult.decode(Data(bytes), name: "mutated.json")
            } catch {
                refusedReading += 1
                guard error.description.hasPrefix("mutated.json: ") else {
                    Issue.record("a refusal that does not name the file: \(error.description)")
                    return
                }
                continue
            }
            for parts in [[("first.json", first), ("mutated.json", result)]] {
                do {
                    let whole = try LoadResult.merge(parts)
                    merged += 1
                    // What `load merge` does next: print the summary and write the merged file. (Slow in
                    // a debug build, so for a sample of the merges; the merge judged the thresholds.)
                    if merged % 16 == 0 {
                        _ = whole.summaryLines()
                        _ = whole.encoded()
                    }
                } catch {
                    refusedMerging += 1
                    if !error.description.contains("mutated.json") {
                        Issue.record("a refusal that does not name the file: \(error.description)")
                        return
                    }
                }
            }
        }
        // The mutations reach every stage: some files fail to read, some fail to merge, many merge.
        #expect(refusedReading > 2_500, "\(refusedReading) refused on reading")
        #expect(refusedMerging > 5, "\(refusedMerging) refused on merging")
        #expect(merged > 2_500, "\(merged) merged")
    }
}
