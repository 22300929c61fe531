import Foundation
import GreenlightCore
import Testing

@testable import GreenlightLoad

@Suite("Resource reports")
struct ResourceReportTests {
    static let report = ResourceReport(
        source: "process api (pid 7)",
        samples: [
            ResourceSample(t: 0, rss: 100, readBytes: 0, writeBytes: 0, openFiles: 10, threads: 4),
            ResourceSample(t: 1, cpu: 50, rss: 300, readBytes: 10, writeBytes: 1000, openFiles: 12, threads: 6),
            ResourceSample(t: 2, cpu: 150, rss: 200, readBytes: 25, writeBytes: 4000, openFiles: 11, threads: 5),
        ],
        problems: [])

    @Test(
        "thresholds compare the average CPU, the peaks, and the bytes of the whole watch",
        arguments: [
            (Threshold.Metric.targetCPU, 100.0), (.targetRSS, 300), (.targetOpenFiles, 12), (.targetThreads, 6),
            (.targetReadBytes, 25), (.targetWriteBytes, 4000),
        ])
    func values(metric: Threshold.Metric, value: Double) {
        #expect(Self.report.value(for: metric) == value)
    }

    @Test("other metrics are not the target's")
    func otherMetrics() {
        for metric in [Threshold.Metric.latencyPercentile(99), .latencyMean, .errorRate, .requestsPerSecond] {
            #expect(Self.report.value(for: metric) == nil)
        }
    }

    @Test("JSON keys are snake_case")
    func coding() throws {
        let text = String(decoding: try JSONEncoder().encode(Self.report), as: UTF8.self)
        for key in ["\"read_bytes\"", "\"write_bytes\"", "\"open_files\"", "\"average\"", "\"peak\""] {
            #expect(text.contains(key), "\(key) in \(text)")
        }
        #expect(try JSONDecoder().decode(ResourceReport.self, from: Data(text.utf8)) == Self.report)
    }

    @Test("shards watching the same source: each second averages them")
    func mergeSameSource() throws {
        let a = ResourceReport(
            source: "process api (pid 7)",
            samples: [
                ResourceSample(t: 0.1, cpu: 40, rss: 100), ResourceSample(t: 1.1, cpu: 60, rss: 100, writeBytes: 10),
            ],
            problems: ["a"])
        let b = ResourceReport(
            source: "process api (pid 7)",
            samples: [
                ResourceSample(t: 0.3, cpu: 20, rss: 300), ResourceSample(t: 1.2, cpu: 80, rss: 300, writeBytes: 30),
                ResourceSample(t: 1.9, cpu: 100, rss: 500),
            ],
            problems: ["b"])
        let merged = try #require(ResourceReport.merge([a, b]))
        #expect(merged.source == "process api (pid 7)")
        // Second 1 of b: cpu (80 + 100) / 2 = 90, rss the larger, 500.
        #expect(
            merged.samples == [
                ResourceSample(t: 0, cpu: 30, rss: 200), ResourceSample(t: 1, cpu: 75, rss: 300, writeBytes: 20),
            ])
        #expect(merged.cpu == ResourceReport.Stat(average: 52.5, peak: 75))
        #expect(merged.writeBytes == 20)
        #expect(merged.problems == ["a", "b"])
    }

    @Test("shards watching different sources: each second takes the busiest")
    func mergeDifferentSources() throws {
        let a = ResourceReport(
            source: "process api (pid 7)", samples: [ResourceSample(t: 0, cpu: 40, rss: 100, writeBytes: 5)],
            problems: [])
        let b = ResourceReport(
            source: "process api (pid 9)", samples: [ResourceSample(t: 0.5, cpu: 20, rss: 300, writeBytes: 7)],
            problems: ["b"])
        let merged = try #require(ResourceReport.merge([a, b]))
        #expect(merged.source == "process api (pid 7), process api (pid 9)")
        #expect(merged.samples == [ResourceSample(t: 0, cpu: 40, rss: 300, writeBytes: 7)])
        #expect(merged.writeBytes == 7)
        #expect(merged.problems == ["b"])
    }

    @Test("merging nothing or one report")
    func mergeFew() {
        #expect(ResourceReport.merge([]) == nil)
        #expect(ResourceReport.merge([Self.report]) == Self.report)
    }
}
