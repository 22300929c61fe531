import Foundation
import GreenlightCore
import Testing

@testable import GreenlightLoad

@Suite("Thresholds on a load result")
struct ThresholdTests {
    func result(latencies: [UInt64], responses: UInt64, errors: [String: UInt64], seconds: Double = 10) -> LoadResult {
        var r = LoadResult.empty
        r.model = .open
        r.profile = Profile(level: 100, sustain: seconds)
        r.slices = [.init(index: 1, count: 1)]
        r.durationSeconds = seconds
        for v in latencies { r.latency.record(microseconds: v) }
        r.counters.responses = responses
        r.counters.sent = responses
        r.counters.errors = errors
        return r
    }

    @Test("each metric is measured in the threshold's unit and compared")
    func evaluate() throws {
        let r = result(
            latencies: Array(repeating: 2000, count: 990) + Array(repeating: 400_000, count: 10),
            responses: 1000, errors: ["5xx": 2])
        let outcomes = Thresholds.evaluate(
            try [
                "p50 < 3ms", "p99 < 300ms", "p99.9 < 1s", "max < 500ms", "error_rate < 0.1%", "error_rate < 1%",
                "rps >= 100", "rps > 100", "dropped == 0", "target.cpu < 80%",
            ].map { try Threshold(parsing: $0) }, on: r)
        #expect(outcomes.map(\.passed) == [true, true, true, true, false, true, true, false, true, false])
        #expect(outcomes[4].shown == "0.200%")
        #expect(outcomes[9].shown == "not measured")
        #expect(outcomes[1].measured.map { abs($0 - 0.002) < 0.0001 } == true)
    }

    @Test("hopeless: once more of the planned requests failed or were slow than a threshold allows")
    func hopeless() throws {
        let p99 = [try Threshold(parsing: "p99 < 300ms")]
        // 1,000 planned; 11 slow ones already: more than 1 % + 1.
        var slow = LatencyHistogram()
        for _ in 0..<12 { slow.record(microseconds: 400_000) }
        #expect(
            Thresholds.hopeless(p99, counters: LoadCounters(), latency: slow, plannedArrivals: 1000)?.contains(
                "can no longer pass") == true)
        var fine = LatencyHistogram()
        for _ in 0..<5 { fine.record(microseconds: 400_000) }
        #expect(Thresholds.hopeless(p99, counters: LoadCounters(), latency: fine, plannedArrivals: 1000) == nil)
        // Closed model: nothing planned, so no early verdict from counts.
        #expect(Thresholds.hopeless(p99, counters: LoadCounters(), latency: slow, plannedArrivals: nil) == nil)
        var errors = LoadCounters()
        errors.errors["5xx"] = 3
        #expect(
            Thresholds.hopeless(
                [try Threshold(parsing: "error_rate < 0.1%")], counters: errors, latency: fine, plannedArrivals: 1000)
                != nil)
        #expect(
            Thresholds.hopeless(
                [try Threshold(parsing: "max < 100ms")], counters: errors, latency: fine, plannedArrivals: nil) != nil)
    }

    @Test("the gate check fails on a failed threshold, too little load, or dropped arrivals")
    func gateCheck() throws {
        var r = result(latencies: Array(repeating: 1000, count: 1000), responses: 1000, errors: [:])
        r.rate = 100
        r.thresholds = Thresholds.evaluate([try Threshold(parsing: "p99 < 300ms")], on: r)
        #expect(r.gateCheck(requiredRate: 100, requiredSeconds: 10).status == .pass)
        #expect(r.gateCheck(requiredRate: 150, requiredSeconds: 10).status == .fail)
        #expect(r.gateCheck(requiredRate: 100, requiredSeconds: 300).summary.contains("the spec asks for 300.0 s"))
        var dropped = r
        dropped.counters.dropped = 50
        #expect(dropped.gateCheck(requiredRate: 100, requiredSeconds: 10).summary.contains("never started"))
        var failing = r
        failing.thresholds = Thresholds.evaluate([try Threshold(parsing: "p99 < 0.5ms")], on: r)
        let check = failing.gateCheck(requiredRate: 100, requiredSeconds: 10)
        #expect(check.status == .fail)
        #expect(check.summary.hasPrefix("p99 < 0.5ms: measured 1.00 ms"))
        var none = r
        none.thresholds = []
        #expect(none.gateCheck(requiredRate: 100, requiredSeconds: 10).status == .warn)
    }
}
