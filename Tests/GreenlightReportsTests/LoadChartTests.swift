import Foundation
import Testing

@testable import GreenlightCore
@testable import GreenlightReports

@Suite struct LoadChartTests {
    /// The points of the first element with class `name` in `html`, as (x, y) pairs.
    func points(_ name: String, in html: String) -> [(x: Double, y: Double)] {
        let parts = html.components(separatedBy: "class=\"\(name)\" points=\"")
        guard parts.count > 1, let end = parts[1].firstIndex(of: "\"") else { return [] }
        return parts[1][..<end].split(separator: " ").map { pair in
            let xy = pair.split(separator: ",").compactMap { Double($0) }
            return (xy.first ?? .nan, xy.last ?? .nan)
        }
    }

    func count(_ needle: String, in text: String) -> Int { text.components(separatedBy: needle).count - 1 }

    @Test func smallTimelineDrawsBothChartsWithAPointPerSecond() {
        let html = HTMLRenderer.render(ReportFixtures.loadReport(ReportFixtures.timeline(seconds: 5)))
        #expect(html.contains("<h2 id=\"load-test\">Load test</h2>"))
        #expect(count("<svg class=\"chart-svg\"", in: html) == 2)
        #expect(html.contains("<title id=\"load-latency-title\">Latency over time</title>"))
        #expect(html.contains("<title id=\"load-throughput-title\">Throughput over time</title>"))
        for series in ["series p50", "series p99", "series rps", "series target"] {
            #expect(points(series, in: html).count == 5, "\(series)")
        }
        // Errors fall in second 3 only, drawn as one bar; the section sits between the cards and the checks.
        #expect(count("<title>second ", in: html) == 1)
        #expect(html.contains("<title>second 3: 2 errors/s</title>"))
        #expect(html.contains("One point per second."))
        let order = ["class=\"cards\"", "id=\"load-test\"", "<h2>All checks</h2>"].map {
            html.range(of: $0)?.lowerBound
        }
        #expect(order.allSatisfy { $0 != nil } && order == order.sorted { $0! < $1! })
    }

    @Test func pointsRunLeftToRightInsideThePlot() {
        let html = HTMLRenderer.render(ReportFixtures.loadReport(ReportFixtures.timeline(seconds: 12)))
        let p99 = points("series p99", in: html)
        #expect(p99.count == 12)
        #expect(zip(p99, p99.dropFirst()).allSatisfy { $0.x < $1.x })
        let left = LoadChartFrame.left
        let right = LoadChartFrame.width - LoadChartFrame.right
        let bottom = LoadChartFrame.height - LoadChartFrame.bottom
        #expect(p99.allSatisfy { (left...right).contains($0.x) && (LoadChartFrame.top...bottom).contains($0.y) })
    }

    @Test func anHourIsDownsampledToAtMost600PointsKeepingTheWorstLatency() {
        let timeline = ReportFixtures.timeline(seconds: 3600, spike: 1234)
        let html = HTMLRenderer.render(ReportFixtures.loadReport(timeline))
        for series in ["series p50", "series p99", "series rps", "series target"] {
            let n = points(series, in: html).count
            #expect(n > 0 && n <= 600, "\(series): \(n)")
        }
        #expect(html.contains("Each point is the worst p50 and the worst p99 of 6 seconds"))
        #expect(html.contains("Each point is the mean req/s, target and errors/s of 6 seconds"))
        #expect(html.contains("worst p99 5000 ms at second 1234"))
        #expect(html.contains("Logarithmic scale"))
        #expect(!html.contains("<circle class=\"marker"))
    }

    @Test func bucketsTakeTheWorstLatencyAndTheMeanRate() {
        let timeline = LoadTimeline(
            title: "t", seconds: Array(0..<6), rps: [10, 20, 30, 40, 50, 60], p50Ms: [1, 5, 1, 1, 1, 2],
            p99Ms: [3, 3, 90, 3, 3, 4], errors: [0, 0, 3, 0, 0, 0])
        let (buckets, size) = timeline.buckets(limit: 2)
        #expect(size == 3)
        #expect(buckets.map(\.rps) == [20, 50])
        #expect(buckets.map(\.p50Ms) == [5, 2])
        #expect(buckets.map(\.p99Ms) == [90, 4])
        #expect(buckets.map(\.errors) == [1, 0])
        #expect(buckets.map(\.start) == [0, 3] && buckets.map(\.end) == [3, 6])
        #expect(buckets.allSatisfy { $0.targetRps == nil })
    }

    @Test func noSectionWithoutATimeline() {
        let html = HTMLRenderer.render(ReportFixtures.report())
        #expect(!html.contains("id=\"load-test\""))
        #expect(!html.contains("<svg class=\"chart-svg\""))
        #expect(!MarkdownRenderer.render(ReportFixtures.report()).contains("## Load test"))
    }

    @Test func theTitleIsEscaped() {
        let timeline = ReportFixtures.timeline(title: ReportFixtures.hostile)
        let html = HTMLRenderer.render(ReportFixtures.loadReport(timeline))
        #expect(!html.contains("<script"))
        #expect(html.contains("<p class=\"load-title\">&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp;"))
        let markdown = MarkdownRenderer.render(ReportFixtures.loadReport(timeline))
        #expect(!markdown.contains("<script"))
    }

    @Test(arguments: [
        LoadTimeline(title: "one second", seconds: [0], rps: [150], p50Ms: [2], p99Ms: [9], errors: [0]),
        LoadTimeline(
            title: "all zeros", seconds: [0, 1, 2], rps: [0, 0, 0], p50Ms: [0, 0, 0], p99Ms: [0, 0, 0],
            errors: [0, 0, 0], targetRps: [0, 0, 0]),
        LoadTimeline(
            title: "odd numbers", seconds: [0, 1, 2, 3], rps: [.nan, 5, -3, .infinity],
            p50Ms: [1, 0, 2], p99Ms: [.infinity, 1, 2, 3], errors: [0, 0, 0, 0], targetRps: [1]),
    ])
    func edgeCasesDrawFiniteCharts(timeline: LoadTimeline) {
        let html = HTMLRenderer.render(ReportFixtures.loadReport(timeline))
        let n = timeline.secondCount
        #expect(points("series p50", in: html).count == n)
        #expect(points("series rps", in: html).count == n)
        #expect(points("series p99", in: html).allSatisfy { $0.x.isFinite && $0.y.isFinite })
        #expect(count("<circle class=\"marker p50\"", in: html) == n)
        for bad in ["nan", "inf", "NaN"] { #expect(!html.contains("=\"\(bad)") && !html.contains(",\(bad)")) }
    }

    @Test func aRunWithNothingCompletedSaysSoRatherThanNamingAPeakOf0() {
        let timeline = LoadTimeline(
            title: "t", seconds: [0, 1, 2], rps: [0, 0, 0], p50Ms: [0, 0, 0], p99Ms: [0, 0, 0], errors: [1, 0, 0])
        #expect(timeline.summary?.line == "3 s, no responses, 1 error")
        let empty = LoadTimeline(title: "t", seconds: [], rps: [], p50Ms: [], p99Ms: [], errors: [])
        #expect(empty.summary == nil)
        let html = HTMLRenderer.render(ReportFixtures.loadReport(empty))
        #expect(html.contains("recorded no seconds, so there is nothing to chart"))
        #expect(!html.contains("<svg class=\"chart-svg\""))
    }

    @Test func aSpikeSwitchesLatencyToALogarithmicScale() {
        let steady = ReportFixtures.timeline(seconds: 30).buckets().buckets
        #expect(!HTMLRenderer.latencyScale(steady).scale.isLogarithmic)
        let spiky = ReportFixtures.timeline(seconds: 30, spike: 12).buckets().buckets
        let (scale, note) = HTMLRenderer.latencyScale(spiky)
        #expect(scale.isLogarithmic)
        #expect(scale.ticks == [1, 10, 100, 1000, 10000])
        #expect(note?.contains("5000 ms") == true)
    }

    @Test func axesHaveRoundTicks() {
        #expect(ChartScale.linear(upTo: 152).ticks == [0, 50, 100, 150, 200])
        #expect(ChartScale.linear(upTo: 0).domain == 0...1)
        #expect(ChartScale.linear(upTo: 5000).ticks == [0, 2000, 4000, 6000])
        #expect(ChartScale.logarithmic(from: 1.5, to: 300).ticks == [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000])
        #expect(ChartScale.seconds(from: 0, to: 3600).ticks == [0, 600, 1200, 1800, 2400, 3000, 3600])
        #expect(ChartScale.seconds(from: 0, to: 5).ticks == [0, 1, 2, 3, 4, 5])
    }

    @Test func markdownHasALoadLine() {
        let markdown = MarkdownRenderer.render(ReportFixtures.loadReport(ReportFixtures.timeline(seconds: 5)))
        #expect(markdown.contains("## Load test\n"))
        #expect(
            markdown.contains(
                "http://127.0.0.1:8080/ · open model · 150 req/s: 5 s, peak 152 req/s at second 4, "
                    + "worst p99 12 ms at second 3, 2 errors."))
    }

    @Test func reportJSONRoundTripsWithTheTimeline() throws {
        let report = ReportFixtures.loadReport(ReportFixtures.timeline(seconds: 3))
        let json = String(decoding: report.json(), as: UTF8.self)
        for key in ["\"load_timeline\"", "\"p50_ms\"", "\"p99_ms\"", "\"target_rps\"", "\"seconds\"", "\"errors\""] {
            #expect(json.contains(key), "\(key)")
        }
        let decoded = try Report.decode(report.json())
        #expect(decoded == report)
        #expect(decoded.loadTimeline?.targetRps == [150, 150, 150])
        #expect(decoded.computeDigest() == report.digest)
    }
}
