import Foundation

extension ResourceReport {
    /// One report from the reports of shards that watched the same target, or nil when there are none.
    ///
    /// Samples are aligned by the whole second of their `t` (each watch counts from its own start,
    /// and shards start together). Within one report, the samples of a second become one: the
    /// average CPU and the largest of the other values. Across reports:
    /// - when every report has the same source, the shards watched the very same process or query,
    ///   so each second takes the average of their values (and the totals the average of theirs);
    /// - otherwise (each shard watched its own copy of the target, say on its own host), each second
    ///   takes the largest value, the busiest copy, since thresholds hold for each copy of the target;
    ///   the totals likewise. The source lists the sources.
    ///
    /// Averages and peaks are then worked out from the merged samples; problems are concatenated.
    public static func merge(_ reports: [ResourceReport]) -> ResourceReport? {
        guard let first = reports.first else { return nil }
        guard reports.count > 1 else { return first }
        let sameSource = reports.allSatisfy { $0.source == first.source }
        let combine: ([Double]) -> Double? = { values in
            guard let largest = values.max() else { return nil }
            return sameSource ? values.reduce(0, +) / Double(values.count) : largest
        }
        var seconds: [Int: [ResourceSample]] = [:]
        for report in reports {
            for sample in report.bySecond() { seconds[Int(sample.t), default: []].append(sample) }
        }
        let samples = seconds.keys.sorted().compactMap { second -> ResourceSample? in
            guard let group = seconds[second] else { return nil }
            return ResourceSample(
                t: Double(second), cpu: combine(group.compactMap(\.cpu)), rss: combine(group.compactMap(\.rss)),
                readBytes: combine(group.compactMap(\.readBytes)), writeBytes: combine(group.compactMap(\.writeBytes)),
                openFiles: combine(group.compactMap(\.openFiles)), threads: combine(group.compactMap(\.threads)))
        }
        var sources: [String] = []
        for report in reports where !sources.contains(report.source) { sources.append(report.source) }
        var merged = ResourceReport(
            source: sources.joined(separator: ", "), samples: samples, problems: reports.flatMap(\.problems))
        merged.readBytes = combine(reports.compactMap(\.readBytes))
        merged.writeBytes = combine(reports.compactMap(\.writeBytes))
        return merged
    }

    /// The samples with one per whole second: the average CPU and the largest other values.
    private func bySecond() -> [ResourceSample] {
        var order: [Int] = []
        var groups: [Int: [ResourceSample]] = [:]
        // A report read back from a shard may hold anything: a time that is no second is left out.
        for sample in samples where sample.t.isFinite && sample.t >= 0 && sample.t < 1e12 {
            let second = Int(sample.t.rounded(.down))
            if groups[second] == nil { order.append(second) }
            groups[second, default: []].append(sample)
        }
        return order.compactMap { second -> ResourceSample? in
            guard let group = groups[second] else { return nil }
            let cpu = group.compactMap(\.cpu)
            return ResourceSample(
                t: Double(second), cpu: cpu.isEmpty ? nil : cpu.reduce(0, +) / Double(cpu.count),
                rss: group.compactMap(\.rss).max(), readBytes: group.compactMap(\.readBytes).max(),
                writeBytes: group.compactMap(\.writeBytes).max(), openFiles: group.compactMap(\.openFiles).max(),
                threads: group.compactMap(\.threads).max())
        }
    }
}
