/// The shape of a load test over time: ramp up, sustain, ramp down. For the open model the level is an
/// arrival rate (requests or iterations per second); for the closed model a number of virtual users.
public struct Profile: Sendable, Hashable, Codable {
    /// One stretch of time over which the level moves linearly from `from` to `to`.
    public struct Segment: Sendable, Hashable, Codable {
        public var seconds: Double
        public var from: Double
        public var to: Double
    }

    public var segments: [Segment]

    public init(segments: [Segment]) {
        self.segments = segments.filter { $0.seconds > 0 }
    }

    /// Ramp linearly from zero to `level` over `rampUp`, hold it for `sustain`, ramp back to zero over `rampDown`.
    public init(level: Double, rampUp: Double = 0, sustain: Double, rampDown: Double = 0) {
        self.init(segments: [
            Segment(seconds: rampUp, from: 0, to: level),
            Segment(seconds: sustain, from: level, to: level),
            Segment(seconds: rampDown, from: level, to: 0),
        ])
    }

    public var totalSeconds: Double { segments.reduce(0) { $0 + $1.seconds } }
    public var peak: Double { segments.map { max($0.from, $0.to) }.max() ?? 0 }

    /// The level at `t` seconds from the start (zero after the end).
    public func level(at t: Double) -> Double {
        var start = 0.0
        for s in segments {
            if t < start + s.seconds {
                return s.from + (s.to - s.from) * (t - start) / s.seconds
            }
            start += s.seconds
        }
        return 0
    }

    /// The number of arrivals due by `t` seconds: the integral of the rate from 0 to t.
    public func arrivals(by t: Double) -> Double {
        var start = 0.0
        var total = 0.0
        for s in segments {
            let tau = min(max(t - start, 0), s.seconds)
            total += s.from * tau + (s.to - s.from) * tau * tau / (2 * s.seconds)
            if t < start + s.seconds { break }
            start += s.seconds
        }
        return total
    }

    public var totalArrivals: Double { arrivals(by: totalSeconds) }

    /// The time at which arrival number `k` (counting from zero) is due, or nil if it falls after the end.
    /// Inverts `arrivals(by:)` exactly, segment by segment, so a schedule never drifts.
    public func time(ofArrival k: Double) -> Double? {
        var start = 0.0
        var before = 0.0
        for s in segments {
            let a = s.from
            let slope = (s.to - s.from) / s.seconds
            let inSegment = a * s.seconds + slope * s.seconds * s.seconds / 2
            if k < before + inSegment || (k == before && inSegment == 0 && a > 0) {
                let need = k - before
                // Solve a·τ + slope·τ²/2 = need for the smallest τ ≥ 0.
                let tau: Double
                if abs(slope) < 1e-12 {
                    tau = a > 0 ? need / a : 0
                } else {
                    let disc = max(a * a + 2 * slope * need, 0)
                    tau = (-a + disc.squareRoot()) / slope
                }
                return start + min(max(tau, 0), s.seconds)
            }
            before += inSegment
            start += s.seconds
        }
        return nil
    }
}
