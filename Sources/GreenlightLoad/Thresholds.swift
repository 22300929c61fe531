import Foundation
import GreenlightCore

/// Evaluates k6-style thresholds on a result, and tells early when one can no longer pass.
public enum Thresholds {
    public static func evaluate(_ thresholds: [Threshold], on result: LoadResult) -> [ThresholdOutcome] {
        thresholds.map { t in
            let measured = value(of: t.metric, in: result)
            return ThresholdOutcome(
                threshold: t.text, measured: measured, shown: measured.map { show($0, t.metric) } ?? "not measured",
                passed: measured.map { t.comparison.holds($0, t.limit) } ?? false)
        }
    }

    /// The measurement in the threshold's base unit: seconds, a fraction, bytes, percent.
    package static func value(of metric: Threshold.Metric, in result: LoadResult) -> Double? {
        switch metric {
        case .latencyPercentile(let p):
            return result.latency.count > 0 ? result.latency.milliseconds(atPercentile: p) / 1000 : nil
        case .latencyMean: return result.latency.count > 0 ? result.latency.meanMilliseconds / 1000 : nil
        case .errorRate: return result.summary.errorRate
        case .requestsPerSecond: return result.summary.rps
        case .droppedIterations: return Double(result.counters.dropped)
        case .targetCPU, .targetRSS, .targetReadBytes, .targetWriteBytes, .targetOpenFiles, .targetThreads:
            return result.resources?.value(for: metric)
        }
    }

    package static func show(_ value: Double, _ metric: Threshold.Metric) -> String {
        switch metric {
        case .latencyPercentile, .latencyMean: return Format.milliseconds(value * 1000)
        case .errorRate: return "\(Format.fixed(value * 100, 3))%"
        case .requestsPerSecond: return Format.fixed(value, 1)
        case .droppedIterations, .targetOpenFiles, .targetThreads: return Format.fixed(value, 0)
        case .targetCPU: return "\(Format.fixed(value, 1))%"
        case .targetRSS, .targetReadBytes, .targetWriteBytes: return Format.bytes(value)
        }
    }

    /// A reason why a threshold cannot pass whatever the rest of the run does, or nil. Exact for
    /// counts against the planned arrivals: `p99 < 300ms` is lost once more than 1 % of all the
    /// planned requests have taken longer; `error_rate < 0.1%` once errors exceed 0.1 % of them.
    package static func hopeless(
        _ thresholds: [Threshold], counters: LoadCounters, latency: LatencyHistogram, plannedArrivals: Double?
    ) -> String? {
        for t in thresholds where t.comparison == .less || t.comparison == .lessOrEqual {
            switch t.metric {
            case .latencyPercentile(let p):
                let limitMicros = UInt64((t.limit * 1e6).rounded(.up))
                let slow = Double(latency.count(above: limitMicros))
                if p >= 100, slow > 0 { return "'\(t.text)' already failed: a response took longer" }
                if let planned = plannedArrivals, slow > (1 - p / 100) * planned + 1 {
                    return
                        "'\(t.text)' can no longer pass: \(Format.whole(slow)) responses already took longer than \(Format.milliseconds(t.limit * 1000)), more than \(Format.fixed(100 - p, 3))% of the \(Format.whole(planned)) planned"
                }
            case .errorRate:
                if let planned = plannedArrivals, Double(counters.requestErrorCount) > t.limit * planned + 1 {
                    return
                        "'\(t.text)' can no longer pass: \(counters.requestErrorCount) errors already, more than \(Format.fixed(t.limit * 100, 3))% of the \(Format.whole(planned)) planned requests"
                }
            case .droppedIterations:
                if Double(counters.dropped) > t.limit {
                    return "'\(t.text)' already failed: \(counters.dropped) dropped"
                }
            default:
                break
            }
        }
        return nil
    }
}
