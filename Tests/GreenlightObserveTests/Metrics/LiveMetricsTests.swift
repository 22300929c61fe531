import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCore
@testable import GreenlightObserve

/// Scrapes `url` once with `accept`.
func scrape(_ url: String, accept: String = ExpositionParser.accept) async throws -> Exposition {
    let scraper = try MetricsScraper(timeout: .seconds(10), accept: accept)
    do {
        let exposition = try await scraper.scrape(url)
        await scraper.shutdown()
        return exposition
    } catch {
        await scraper.shutdown()
        throw error
    }
}

/// The two `Accept` headers a scrape may send, and the one greenlight sends.
let acceptHeaders = [
    "text/plain;version=0.0.4", "application/openmetrics-text;version=1.0.0", ExpositionParser.accept,
]

@Suite("Metrics of a real Prometheus and Alertmanager", .serialized)
struct LiveMetricsTests {
    @Test("Prometheus' own /metrics, asked for Prometheus text and for OpenMetrics, parses with its families typed")
    func prometheus() async throws {
        try await MonitoringServer.with(.prometheus) { server in
            for accept in acceptHeaders {
                let exposition = try await scrape(server.url + "/metrics", accept: accept)
                // Prometheus 2.42 answers text 0.0.4 to every Accept; the parser follows the Content-Type.
                #expect([.prometheusText, .openMetrics].contains(exposition.format))
                expectGrouped(exposition)
                #expect(exposition.families.count > 100)
                #expect(exposition.family(for: "prometheus_build_info")?.type == .gauge)
                #expect(exposition.family(for: "go_gc_duration_seconds")?.type == .summary)
                #expect(exposition.family(for: "prometheus_http_requests_total")?.type == .counter)
                #expect(exposition.family(for: "prometheus_tsdb_head_series")?.type == .gauge)
                let check = MetricsCheck(
                    required: try requiredMetrics(
                        """
                        - { name: prometheus_build_info, type: gauge, labels: [version, revision] }
                        - { name: go_gc_duration_seconds, type: summary }
                        - { name: prometheus_http_requests_total, type: counter, labels: [handler, code] }
                        """))
                let result = check.run(exposition)
                #expect(result.status == .pass, "\(result.details)")
            }
        }
    }

    @Test("Alertmanager's own /metrics parses with its families typed")
    func alertmanager() async throws {
        try await MonitoringServer.with(.alertmanager) { server in
            for accept in acceptHeaders {
                let exposition = try await scrape(server.url + "/metrics", accept: accept)
                expectGrouped(exposition)
                let notifications = try #require(exposition.family(for: "alertmanager_notifications_total"))
                #expect(notifications.type == .counter)
                #expect(notifications.samples.contains { $0.label("integration") == "webhook" })
                #expect(exposition.family(for: "alertmanager_build_info")?.type == .gauge)
                #expect(exposition.family(for: "go_gc_duration_seconds")?.type == .summary)
                let check = MetricsCheck(
                    required: try requiredMetrics(
                        "- { name: alertmanager_notifications_total, type: counter, labels: [integration] }"))
                #expect(check.run(exposition).status == .pass)
            }
        }
    }

    @Test("the Prometheus HTTP API gives the same families, typed by its metadata, restricted to the labels")
    func prometheusAPI() async throws {
        try await MonitoringServer.with(.prometheus) { server in
            let reader = try PrometheusMetricsReader(url: server.url, labels: [(key: "job", value: "prometheus")])
            do {
                let names = [
                    "prometheus_http_requests_total", "go_gc_duration_seconds", "prometheus_build_info",
                    "prometheus_http_request_duration_seconds", "no_such_metric",
                ]
                // Prometheus scrapes itself every second; wait for the first scrape to land.
                var before = try await reader.read(names)
                let deadline = ContinuousClock.now + .seconds(20)
                while before.families.first?.samples.isEmpty ?? true, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(250))
                    before = try await reader.read(names)
                }
                try await Task.sleep(for: .milliseconds(2500))
                let after = try await reader.read(names)
                #expect(after.format == .prometheusAPI)
                #expect(after.families.map(\.name) == Array(names.dropLast()))
                #expect(after.families.map(\.type) == [.counter, .summary, .gauge, .histogram])
                let requests = after.families[0]
                #expect(requests.help?.isEmpty == false)
                #expect(requests.samples.allSatisfy { $0.label("job") == "prometheus" && $0.label("instance") != nil })
                #expect(requests.samples.contains { $0.label("handler") == "/metrics" })
                #expect(after.families[1].samples.contains { $0.label("quantile") == "0.5" })
                #expect(after.families[3].samples.contains { $0.name.hasSuffix("_bucket") && $0.label("le") == "+Inf" })
                let check = MetricsCheck(
                    required: try requiredMetrics(
                        """
                        - { name: prometheus_http_requests_total, type: counter, labels: [handler, code, job], moves: true }
                        - { name: go_gc_duration_seconds, type: summary, labels: [instance] }
                        - { name: prometheus_http_request_duration_seconds, type: histogram, moves: true }
                        """))
                let result = check.run(after, before: before, requests: 0, source: server.url)
                #expect(result.status == .pass, "\(result.details)")
                let other = try PrometheusMetricsReader(url: server.url, labels: [(key: "job", value: "other")])
                let none = try await other.read(["prometheus_http_requests_total"])
                await other.shutdown()
                #expect(none.families.first?.samples.isEmpty == true)
            } catch {
                await reader.shutdown()
                throw error
            }
            await reader.shutdown()
        }
    }

    @Test("a missing binary fails the test with how to install it, rather than skipping it")
    func missingBinary() {
        for kind in [MonitoringServer.Kind.prometheus, .alertmanager] {
            #expect {
                try MonitoringServer.executable(kind, in: ["/nonexistent"])
            } throws: { error in
                "\(error)".contains(
                    "is not installed; install it with `apt-get install -y prometheus prometheus-alertmanager`")
            }
        }
    }
}
