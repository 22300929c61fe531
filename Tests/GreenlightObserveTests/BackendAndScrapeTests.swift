import Foundation
import GreenlightCore
import GreenlightHTTP
import GreenlightTestSupport
import Testing

@testable import GreenlightObserve

/// A trace backend's API, and a Prometheus scrape interval against the health budget.
@Suite("Trace backends and scrape intervals")
struct BackendAndScrapeTests {
    @Test("a Jaeger API that holds the trace passes; one that answers 404 fails at its budget, naming the answer")
    func jaeger() async throws {
        let stamp = TraceStamp()
        let holds = try await LoopbackHTTPServer(
            .respond { head in
                head.hasPrefix("GET /api/traces/\(stamp.traceID) ")
                    ? .init(body: #"{"data":[{"traceID":"\#(stamp.traceID)","spans":[]}]}"#)
                    : .init(status: 404, reason: "Not Found", body: "{}")
            })
        let session = try HTTPSession()
        let backend = { (url: String, within: String) in
            try #require(
                try SpecFixtures.load(
                    SpecFixtures.minimal
                        + "observability:\n  traces: { propagation: w3c, backend: { kind: jaeger, url: \"\(url)\", within: \(within) } }\n"
                ).observability?.traces?.backend)
        }
        let found = await DiagnosisProbe.findInBackend(
            stamp.traceID, backend: try backend(holds.url, "2s"), session: session)
        guard case .found = found else {
            Issue.record("not found: \(found)")
            return
        }
        let missing = try await LoopbackHTTPServer(.status(404))
        let start = ContinuousClock.now
        let outcome = await DiagnosisProbe.findInBackend(
            stamp.traceID, backend: try backend(missing.url, "1s"), session: session)
        guard case .missing(let why) = outcome else {
            Issue.record("found in a backend that answers 404")
            return
        }
        #expect(why.hasSuffix("answered 404"), "\(why)")
        #expect(ContinuousClock.now - start < .seconds(2))
        await session.shutdown()
        await holds.shutdown()
        await missing.shutdown()
    }

    static let configuration = """
        global:
          scrape_interval: 1m
        scrape_configs:
          - job_name: checkout
            scrape_interval: 15s
            static_configs: [{ targets: ["127.0.0.1:8080"] }]
          - job_name: batch
            static_configs: [{ targets: ["127.0.0.1:9100"] }]
        """

    @Test("the job's own interval, else the global one; a job Prometheus does not scrape is named with those it does")
    func intervals() throws {
        let own = try ScrapeInterval.interval(of: "checkout", inConfiguration: Self.configuration).get()
        #expect(own.seconds == 15 && own.origin == "the job's")
        let global = try ScrapeInterval.interval(of: "batch", inConfiguration: Self.configuration).get()
        #expect(global.seconds == 60 && global.text == "1m" && global.origin == "the global")
        let defaulted = try ScrapeInterval.interval(of: "x", inConfiguration: "scrape_configs: [{ job_name: x }]").get()
        #expect(defaulted.seconds == 60 && defaulted.origin == "Prometheus' default")
        #expect {
            try ScrapeInterval.interval(of: "shop", inConfiguration: Self.configuration).get()
        } throws: { "\($0)" == "Prometheus has no scrape job 'shop' (its jobs: checkout, batch)" }
    }

    @Test("a scrape interval longer than the health budget fails a health check that passed")
    func judged() throws {
        let healthy = ObservabilityCheck.result(ObservabilityCheck.health, "Health", .pass, "answered 200 in 2 ms")
        let slow = ScrapeInterval.judge(
            healthy, interval: ScrapeInterval.interval(of: "batch", inConfiguration: Self.configuration),
            job: "batch", within: SpecDuration(seconds: 30))
        #expect(slow.status == .fail)
        #expect(
            slow.summary
                == "Prometheus scrapes job 'batch' every 1m (the global interval), longer than 30s: health is not known in time"
        )
        let fast = ScrapeInterval.judge(
            healthy, interval: ScrapeInterval.interval(of: "checkout", inConfiguration: Self.configuration),
            job: "checkout", within: SpecDuration(seconds: 30))
        #expect(fast.status == .pass)
        #expect(fast.details.last == "Prometheus scrapes job 'checkout' every 15s (the job's interval), within 30s")
    }

    @Test("against a real Prometheus: its own configuration is read through the API")
    func realPrometheus() async throws {
        let server = try await MonitoringServer.start(.prometheus)
        let session = try HTTPSession()
        let found = await ScrapeInterval.of(job: "prometheus", prometheus: server.url, session: session)
        let missing = await ScrapeInterval.of(job: "checkout", prometheus: server.url, session: session)
        await session.shutdown()
        await server.stop()
        // The test kit's configuration scrapes Prometheus itself every second.
        let interval = try found.get()
        // The running configuration writes the global interval into each job.
        #expect(interval.seconds == 1, "\(interval)")
        #expect {
            try missing.get()
        } throws: { "\($0)" == "Prometheus has no scrape job 'checkout' (its jobs: prometheus)" }
    }
}
