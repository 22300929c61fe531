import Foundation
import GreenlightCore

extension LoadResult {
    /// Planned arrivals (open model) for the slices this result holds.
    public var plannedArrivals: Double? {
        guard model == .open, let total = slices.first?.count, total > 0 else { return nil }
        return profile.totalArrivals * Double(slices.count) / Double(total)
    }

    /// One line saying what ran: "open model · 150 req/s for 5 s · 16 connections · 2 threads".
    public var headline: String {
        let shape =
            model == .open
            ? "open model · \(Format.fixed(rate ?? 0, (rate ?? 0) < 10 ? 1 : 0)) \(counters.iterations > 0 ? "iterations" : "req")/s"
            : "closed model · \(Format.count(virtualUsers ?? connections, "virtual user"))"
        let ramps = profile.segments.count > 1 ? " (with ramps)" : ""
        let slicing =
            slices.count == 1 && slices[0].count == 1
            ? "" : " · slices \(slices.map { "\($0.index)" }.joined(separator: ","))/\(slices.first?.count ?? 1)"
        return
            "\(shape) for \(Format.duration(profile.totalSeconds))\(ramps) · \(Format.count(connections, "connection")) · \(Format.count(threads, "thread"))\(slicing)"
    }

    /// The summary printed after a run, one fact per line.
    public func summaryLines() -> [String] {
        let s = summary
        var lines: [String] = []
        lines.append("target      \(target)")
        lines.append("load        \(headline)")
        var requests =
            "requests    \(s.requests) in \(Format.fixed(s.durationSeconds, 1)) s = \(Format.fixed(s.rps, 1)) req/s"
        if let planned = plannedArrivals {
            requests += " · \(Format.whole(planned)) \(Format.noun(planned.rounded() == 1 ? 1 : 2, "arrival")) planned"
        }
        if s.dropped > 0 { requests += " · dropped \(s.dropped)" }
        if s.iterations > 0 { requests += " · \(s.iterations) iterations" }
        lines.append(requests)
        if latency.count == 0 {
            lines.append("latency     nothing was measured: no response arrived")
        } else {
            lines.append(
                "latency     p50 \(Format.milliseconds(s.p50Ms)) · p90 \(Format.milliseconds(s.p90Ms)) · p95 \(Format.milliseconds(s.p95Ms)) · p99 \(Format.milliseconds(s.p99Ms)) · p99.9 \(Format.milliseconds(s.p99_9Ms)) · max \(Format.milliseconds(s.maxMs))"
            )
        }
        let classes = ErrorClass.allCases.map { "\($0.rawValue) \(counters.errors[$0.rawValue, default: 0])" }
        lines.append(
            "errors      \(s.errors) (\(Format.fixed(s.errorRate * 100, 3))%): \(classes.joined(separator: " · "))")
        lines.append(
            "bytes       in \(Format.bytes(Double(s.bytesIn))) · out \(Format.bytes(Double(s.bytesOut)))")
        if let r = resources {
            var parts: [String] = []
            if let cpu = r.cpu {
                parts.append("CPU avg \(Format.fixed(cpu.average, 1))% peak \(Format.fixed(cpu.peak, 1))%")
            }
            if let rss = r.rss { parts.append("RSS peak \(Format.bytes(rss.peak))") }
            if let read = r.readBytes { parts.append("read \(Format.bytes(read))") }
            if let write = r.writeBytes { parts.append("written \(Format.bytes(write))") }
            if let files = r.openFiles { parts.append("open files peak \(Format.whole(files.peak))") }
            if let threads = r.threads { parts.append("threads peak \(Format.whole(threads.peak))") }
            lines.append("target use  \(r.source): \(parts.isEmpty ? "no samples" : parts.joined(separator: " · "))")
            for problem in r.problems { lines.append("            \(problem)") }
        }
        for t in thresholds {
            let measured = t.measured == nil ? "nothing was measured" : "measured \(t.shown)"
            lines.append("threshold   \(t.passed ? "✔" : "✖") \(t.threshold) (\(measured))")
        }
        for note in notes { lines.append("note        \(note)") }
        return lines
    }

    /// The load check of the readiness gate. It fails when a threshold fails, or when the load that
    /// ran is less than the spec asks for (rate, duration, slices, arrivals that never started).
    public func gateCheck(
        requiredRate: Double?, requiredSeconds: Double?, requiredModel: LoadSpec.Model? = nil, requiredUsers: Int? = nil
    ) -> CheckResult {
        let s = summary
        var problems: [String] = []
        if let requiredModel, requiredModel != model {
            problems.append("a \(model)-model result; the spec asks for the \(requiredModel) model")
        }
        if let requiredUsers, let users = virtualUsers, users < requiredUsers {
            problems.append("ran \(users) virtual users; the spec asks for \(requiredUsers)")
        }
        for t in thresholds where !t.passed {
            problems.append("\(t.threshold): \(t.measured == nil ? "nothing was measured" : "measured \(t.shown)")")
        }
        if let requiredRate, (rate ?? 0) < requiredRate * 0.999 {
            problems.append(
                "ran at \(Format.fixed(rate ?? 0, 1)) arrivals/s; the spec asks for \(Format.fixed(requiredRate, 1))")
        }
        if let requiredSeconds, durationSeconds < requiredSeconds * 0.99 {
            problems.append(
                "ran \(Format.fixed(durationSeconds, 1)) s; the spec asks for \(Format.fixed(requiredSeconds, 1)) s")
        }
        if let total = slices.first?.count, slices.count < total {
            problems.append("only \(slices.count) of \(total) slices")
        }
        if let planned = plannedArrivals, planned > 0, Double(s.dropped) > 0.01 * planned {
            problems.append(
                "\(s.dropped) of \(Format.whole(planned)) planned arrivals never started (every connection busy, or the data ran out): the load was not applied"
            )
        }
        if let stoppedEarly { problems.append("stopped early (\(stoppedEarly))") }
        if s.requests == 0 { problems.append("no response at all") }
        let status: CheckStatus = !problems.isEmpty ? .fail : thresholds.isEmpty ? .warn : .pass
        let numbers =
            "\(Format.fixed(s.rps, 1)) req/s for \(Format.duration(durationSeconds)): p99 \(Format.milliseconds(s.p99Ms)), errors \(Format.fixed(s.errorRate * 100, 2))%"
        let summaryText: String
        switch status {
        case .fail: summaryText = problems.joined(separator: "; ") + " (\(numbers))"
        case .warn: summaryText = "\(numbers); no thresholds, so nothing was judged"
        default:
            summaryText = "\(numbers); \(Format.count(thresholds.count, "threshold")) held"
        }
        var measurements: [CheckResult.Measurement] = [
            .init(name: "rps", value: (s.rps * 10).rounded() / 10, unit: "req/s"),
            .init(name: "p50", value: s.p50Ms, unit: "ms"),
            .init(name: "p99", value: s.p99Ms, unit: "ms"),
            .init(name: "error_rate", value: s.errorRate, unit: "ratio"),
            .init(name: "dropped", value: Double(s.dropped), unit: "count"),
        ]
        if let cpu = resources?.cpu { measurements.append(.init(name: "target.cpu", value: cpu.average, unit: "%")) }
        if let rss = resources?.rss { measurements.append(.init(name: "target.rss", value: rss.peak, unit: "bytes")) }
        return CheckResult(
            id: "load", title: "Load test", category: .load, status: status, summary: summaryText,
            details: summaryLines(), measurements: measurements, durationSeconds: durationSeconds)
    }

    /// The per-second series for the report's charts.
    public var reportTimeline: LoadTimeline {
        LoadTimeline(
            title: "\(target) · \(headline)", seconds: timeline.map(\.second),
            rps: timeline.map { Double($0.counters.responses) },
            p50Ms: timeline.map { $0.latency.milliseconds(atPercentile: 50) },
            p99Ms: timeline.map { $0.latency.milliseconds(atPercentile: 99) },
            errors: timeline.map { Double($0.counters.errorCount) },
            // Sessions make several requests per arrival: a target in arrivals would mislead beside req/s.
            targetRps: model == .open && counters.iterations == 0
                ? timeline.map {
                    (profile.arrivals(by: Double($0.second + 1)) - profile.arrivals(by: Double($0.second)))
                        * Double(slices.count) / Double(max(slices.first?.count ?? 1, 1))
                } : nil)
    }
}
