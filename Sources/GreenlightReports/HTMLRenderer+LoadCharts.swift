import Foundation
import GreenlightCore

/// The load test's section of the HTML report: latency and throughput over time, as inline SVG.
extension HTMLRenderer {
    /// The most points a chart draws; a longer run is grouped into buckets of several seconds.
    static let chartPointLimit = 600

    /// The section with the run's headline numbers and its two charts.
    static func loadSection(_ timeline: LoadTimeline) -> String {
        let h = HTMLEscaping.text
        var out = """
            <section class="card load" aria-labelledby="load-test">
            <h2 id="load-test">Load test</h2>
            <p class="load-title">\(h(timeline.title))</p>

            """
        guard let summary = timeline.summary else {
            return out + "<p class=\"muted\">The load test recorded no seconds, so there is nothing to chart.</p>\n"
                + "</section>"
        }
        out += "<p class=\"load-summary\">\(h(summary.line)).</p>\n"
        let (buckets, size) = timeline.buckets(limit: chartPointLimit)
        let frame = LoadChartFrame(buckets: buckets, secondsPerBucket: size, summary: summary)
        return out + latencyChart(frame) + "\n" + throughputChart(frame) + "\n</section>"
    }

    /// p50 and p99 in milliseconds over time; logarithmic when a spike would flatten everything else.
    static func latencyChart(_ frame: LoadChartFrame) -> String {
        let buckets = frame.buckets
        let (scale, scaleNote) = latencyScale(buckets)
        let summary = frame.summary
        let p50 = buckets.map(\.p50Ms)
        let description =
            "p50 and p99 latency in milliseconds over \(frame.durationText)"
            + (frame.isDownsampled ? " (the worst of each \(frame.secondsPerBucket) s)" : "") + ". "
            + "p50 from \(LoadHeadline.short(p50.min()!)) to \(LoadHeadline.short(p50.max()!)) ms; "
            + "worst p99 \(LoadHeadline.short(summary.worstP99Ms)) ms at second \(summary.worstP99Second)."
            + (scale.isLogarithmic ? " Logarithmic scale." : "")
        var out = frame.open(id: "load-latency", title: "Latency over time", description: description)
        out += frame.axes(scale, title: scale.isLogarithmic ? "ms (log scale)" : "ms")
        out += frame.legend([("p50", "p50", .line), ("p99", "p99", .line)])
        var labels: [(class: String, text: String, y: Double)] = []
        for (name, values) in [("p50", p50), ("p99", buckets.map(\.p99Ms))] {
            out += frame.polyline(values, scale, class: "series \(name)") + "\n"
            out += frame.markers(values, scale, class: name)
            labels.append((name, name, frame.y(values.last!, scale)))
        }
        out += frame.endLabels(labels) + "</svg>\n"
        var caption =
            frame.isDownsampled
            ? "Each point is the worst p50 and the worst p99 of \(frame.secondsPerBucket) seconds "
                + "(\(frame.durationText) drawn as \(buckets.count) points)."
            : "One point per second."
        if let scaleNote { caption += " " + scaleNote }
        return "<figure class=\"chart\">\n\(out)<figcaption>\(HTMLEscaping.text(caption))</figcaption>\n</figure>"
    }

    /// The latency axis: linear from 0, unless the worst value is more than 25 times the median p50 (a 5 s
    /// stall among 2 ms responses), when a linear axis would show every other second as a flat line at 0.
    static func latencyScale(_ buckets: [LoadBucket]) -> (scale: ChartScale, note: String?) {
        let values = buckets.flatMap { [$0.p50Ms, $0.p99Ms] }
        let worst = values.max() ?? 0
        let typicalSeries = buckets.map(\.p50Ms).filter { $0 > 0 }
        let positive = (typicalSeries.isEmpty ? values : typicalSeries).filter { $0 > 0 }.sorted()
        guard worst > 0, let median = positive.isEmpty ? nil : positive[positive.count / 2], worst > 25 * median
        else { return (ChartScale.linear(upTo: worst), nil) }
        let scale = ChartScale.logarithmic(from: values.filter { $0 > 0 }.min()!, to: worst)
        var note =
            "Logarithmic scale: the worst latency, \(LoadHeadline.short(worst)) ms, is "
            + "\(Format.number((worst / median).rounded())) times the median p50 of "
            + "\(LoadHeadline.short(median)) ms."
        if values.contains(0) { note += " Seconds with 0 ms (nothing measured) sit on the bottom edge." }
        return (scale, note)
    }

    /// Achieved req/s over time, the target rate dashed when there is one, and errors per second as red bars.
    static func throughputChart(_ frame: LoadChartFrame) -> String {
        let buckets = frame.buckets
        let rps = buckets.map(\.rps)
        let targets = buckets.compactMap(\.targetRps)
        let target = targets.count == buckets.count ? targets : nil
        let errors = buckets.map(\.errors)
        let scale = ChartScale.linear(upTo: (rps + (target ?? []) + errors).max() ?? 0)
        let summary = frame.summary
        let description =
            "Requests per second achieved over \(frame.durationText)"
            + (target == nil ? "" : ", against the target rate") + ", and errors per second"
            + (frame.isDownsampled ? " (means of each \(frame.secondsPerBucket) s)" : "")
            + ". Peak \(LoadHeadline.short(summary.peakRps)) req/s at second \(summary.peakRpsSecond); "
            + "\(Format.number(summary.totalErrors.rounded())) errors in all."
        var out = frame.open(id: "load-throughput", title: "Throughput over time", description: description)
        out += frame.axes(scale, title: "req/s")
        var legend: [(class: String, label: String, sample: LoadChartFrame.Sample)] = [
            ("rps", "req/s achieved", .line)
        ]
        if target != nil { legend.append(("target", "target req/s", .dashed)) }
        legend.append(("errors", "errors/s", .bar))
        out += frame.legend(legend)
        out += frame.area(rps, scale, class: "area rps") + "\n"
        out += frame.bars(errors, scale, class: "errors", unit: "errors/s")
        var labels: [(class: String, text: String, y: Double)] = []
        out += frame.polyline(rps, scale, class: "series rps") + "\n"
        out += frame.markers(rps, scale, class: "rps")
        labels.append(("rps", "req/s", frame.y(rps.last!, scale)))
        // The target goes over the achieved rate, so that its dashes show where the two meet.
        if let target {
            out += frame.polyline(target, scale, class: "series target") + "\n"
            labels.append(("target", "target", frame.y(target.last!, scale)))
        }
        out += frame.endLabels(labels) + "</svg>\n"
        var caption =
            frame.isDownsampled
            ? "Each point is the mean req/s\(target == nil ? "" : ", target") and errors/s of "
                + "\(frame.secondsPerBucket) seconds (\(frame.durationText) drawn as \(buckets.count) points)."
            : "One point per second."
        if summary.totalErrors > 0 {
            let unit = frame.isDownsampled ? "\(frame.secondsPerBucket) seconds" : "second"
            caption += " Red bars are errors per second; every \(unit) with an error has one, at least 2 pixels tall."
        }
        return "<figure class=\"chart\">\n\(out)<figcaption>\(HTMLEscaping.text(caption))</figcaption>\n</figure>"
    }
}
