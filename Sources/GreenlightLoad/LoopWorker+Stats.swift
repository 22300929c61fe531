import Foundation
import GreenlightCore
import GreenlightHTTP
import NIOCore
import NIOPosix
import NIOSSL

/// Counters of one second on one event loop; plain fields, no dictionaries, for the hot path.
struct SecondStats {
    var second: Int
    var sent: UInt64 = 0
    var responses: UInt64 = 0
    var dropped: UInt64 = 0
    var iterations: UInt64 = 0
    var bytesIn: UInt64 = 0
    var bytesOut: UInt64 = 0
    var errors = [UInt64](repeating: 0, count: ErrorClass.allCases.count)
    var latency = LatencyHistogram(significantDigits: .two)

    init(second: Int) { self.second = second }

    /// Counts a response: one access to this second's counters on the hot path, not one per field.
    @inline(__always)
    mutating func responded(microseconds: UInt64, wireBytes: Int, status: Int, countsStatus: Bool) {
        responses += 1
        bytesIn += UInt64(wireBytes)
        latency.record(microseconds: microseconds)
        if countsStatus, status >= 400 {
            errors[status >= 500 ? ErrorClass.status5xx.slot : ErrorClass.status4xx.slot] += 1
        }
    }

    /// Counts a request written.
    @inline(__always)
    mutating func sent(bytes: Int) {
        sent += 1
        bytesOut += UInt64(bytes)
    }

    var timeline: TimelineSecond {
        var t = TimelineSecond(second: second)
        t.counters.sent = sent
        t.counters.responses = responses
        t.counters.dropped = dropped
        t.counters.iterations = iterations
        t.counters.bytesIn = bytesIn
        t.counters.bytesOut = bytesOut
        for (i, c) in ErrorClass.allCases.enumerated() where errors[i] > 0 { t.counters.errors[c.rawValue] = errors[i] }
        t.latency = latency
        return t
    }
}

/// The per-second counters of a worker: where each event is counted, and handing finished seconds over.
extension LoopWorker {
    /// The index in `seconds` of the second `now` falls in, created on first use.
    @inline(__always)
    func slot(_ now: UInt64) -> Int {
        // Before the run starts (connection errors while the pool opens): second 0.
        guard start != 0, now > start else { return seconds.isEmpty ? slowSlot(0) : 0 }
        let offset = Int((now &- start) / 1_000_000_000) - baseSecond
        if offset >= 0, offset < seconds.count { return offset }
        return slowSlot(Int((now &- start) / 1_000_000_000))
    }

    private func slowSlot(_ second: Int) -> Int {
        if seconds.isEmpty { baseSecond = min(second, baseSecond) }
        // A late event for a second already collected counts in the oldest open one.
        if second < baseSecond {
            if seconds.isEmpty { seconds.append(SecondStats(second: baseSecond)) }
            return 0
        }
        while baseSecond + seconds.count <= second {
            seconds.append(SecondStats(second: baseSecond + seconds.count))
        }
        return second - baseSecond
    }

    func count(_ kind: ErrorClass) {
        seconds[slot(Self.now())].errors[kind.slot] += 1
    }

    /// Counts a problem; the first 32 distinct ones are kept. Returns whether this text is new and kept.
    @discardableResult
    func note(_ problem: String) -> Bool {
        let known = problems[problem] != nil
        guard known || problems.count < 32 else { return false }
        problems[problem, default: 0] += 1
        return !known
    }

    /// Takes the seconds that are over (all of them once finished).
    func collect(final: Bool) -> [TimelineSecond] {
        let current = Int((Self.now() &- start) / 1_000_000_000)
        var out: [TimelineSecond] = []
        while let first = seconds.first, final || first.second < current {
            out.append(first.timeline)
            seconds.removeFirst()
            baseSecond += 1
        }
        return out
    }

}
