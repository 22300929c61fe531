import Foundation
import GreenlightCore
import GreenlightTestSupport
import Testing

@testable import GreenlightLoad

/// The resource watcher asking a canned Prometheus API on loopback.
@Suite("Watching through Prometheus")
struct PrometheusWatchTests {
    typealias Server = LoopbackHTTPServer

    static let cpuQuery = #"sum(rate(process_cpu_seconds_total{job="api"}[1m])) * 100"#
    static let rssQuery = #"process_resident_memory_bytes{job="api"}"#

    static func json(_ text: String, status: Int = 200) -> Server.Response {
        Server.Response(
            status: status, reason: status == 200 ? "OK" : "Bad Request",
            headers: [("Content-Type", "application/json")],
            body: text)
    }

    static let vector = json(
        #"{"status":"success","data":{"resultType":"vector","result":[{"metric":{},"value":[1700000000.1,"42.5"]}]}}"#)
    static let scalar = json(#"{"status":"success","data":{"resultType":"scalar","result":[1700000000.1,"1048576"]}}"#)

    func watch(_ server: Server, cpu: String? = cpuQuery, rss: String? = rssQuery) async throws -> ResourceReport {
        let watcher = try ResourceWatcher.start(
            .make {
                $0.prometheus = WatchSpec.PrometheusWatch(reading: ObjectReader(nil, WatchSpec.PrometheusWatch.schema))
                $0.prometheus?.url = "http://127.0.0.1:\(server.port)/"
                $0.prometheus?.cpu = cpu
                $0.prometheus?.rss = rss
            }, interval: .milliseconds(200))
        try await Task.sleep(for: .milliseconds(700))
        return await watcher.stop()
    }

    @Test("vector and scalar answers become CPU and memory samples; queries are percent-encoded")
    func answers() async throws {
        let server = try await Server { head in head.contains("query=sum") ? Self.vector : Self.scalar }
        defer { Task { await server.shutdown() } }
        let report = try await watch(server)
        #expect(report.source == "prometheus http://127.0.0.1:\(server.port)/")
        #expect(report.problems == [])
        #expect(report.samples.count >= 3)
        #expect(report.cpu == ResourceReport.Stat(average: 42.5, peak: 42.5))
        #expect(report.value(for: .targetRSS) == 1_048_576)
        #expect(report.value(for: .targetOpenFiles) == nil)
        let lines = server.requests.current.compactMap { $0.split(separator: "\r\n").first.map(String.init) }
        #expect(
            lines.contains(
                "GET /api/v1/query?query=sum%28rate%28process_cpu_seconds_total%7Bjob%3D%22api%22%7D%5B1m%5D%29%29%20%2A%20100 HTTP/1.1"
            ))
        #expect(lines.contains("GET /api/v1/query?query=process_resident_memory_bytes%7Bjob%3D%22api%22%7D HTTP/1.1"))
    }

    @Test("an error answer is recorded as a problem, once with its count, not thrown")
    func errorAnswer() async throws {
        let server = try await Server(
            .answer(
                Self.json(
                    #"{"status":"error","errorType":"bad_data","error":"1:5: parse error: unexpected"}"#, status: 400)
            ))
        defer { Task { await server.shutdown() } }
        let report = try await watch(server, rss: nil)
        #expect(report.samples == [])
        #expect(report.cpu == nil)
        #expect(report.problems.count == 1)
        let problem = try #require(report.problems.first)
        #expect(problem.hasPrefix("cpu query: HTTP 400 bad_data: 1:5: parse error: unexpected ("), "\(problem)")
        #expect(problem.hasSuffix(" times)"), "\(problem)")
    }

    @Test("a server that is not there is a problem too")
    func refused() async throws {
        let port = Loopback.closedPort()
        let watcher = try ResourceWatcher.start(
            .make {
                $0.prometheus = WatchSpec.PrometheusWatch(reading: ObjectReader(nil, WatchSpec.PrometheusWatch.schema))
                $0.prometheus?.url = "http://127.0.0.1:\(port)"
                $0.prometheus?.cpu = "up"
            }, interval: .milliseconds(200))
        try await Task.sleep(for: .milliseconds(300))
        let report = await watcher.stop()
        #expect(report.problems.first?.hasPrefix("cpu query: connection refused") == true, "\(report.problems)")
    }

    @Test(
        "answers are read strictly",
        arguments: [
            (
                200, #"{"status":"success","data":{"resultType":"vector","result":[]}}"#,
                PrometheusSampler.Answer.problem("cpu query returned no series; check that the target is scraped")
            ),
            (
                200,
                #"{"status":"success","data":{"resultType":"vector","result":[{"value":[1,"1"]},{"value":[1,"2"]}]}}"#,
                .problem("cpu query returned 2 series; aggregate them into one, with sum() for instance")
            ),
            (
                200, #"{"status":"success","data":{"resultType":"matrix","result":[]}}"#,
                .problem("cpu query returned a matrix; write an instant query that gives one number")
            ),
            (
                200, #"{"status":"success","data":{"resultType":"scalar","result":[1,"NaN"]}}"#,
                .problem("cpu query returned NaN")
            ),
            (200, #"{"status":"success","data":{"resultType":"scalar","result":[1,"7.25"]}}"#, .value(7.25)),
            (502, "<html>Bad Gateway</html>", .problem("cpu query: HTTP 502, not a Prometheus API answer")),
            (
                503, #"{"status":"error","errorType":"unavailable","error":"too busy"}"#,
                .problem("cpu query: HTTP 503 unavailable: too busy")
            ),
        ])
    func parsing(status: Int, body: String, answer: PrometheusSampler.Answer) {
        #expect(PrometheusSampler.answer(name: "cpu", status: status, body: Data(body.utf8)) == answer)
    }

    @Test("an incomplete Prometheus spec does not start")
    func incomplete() {
        var prometheus = WatchSpec.PrometheusWatch(reading: ObjectReader(nil, WatchSpec.PrometheusWatch.schema))
        prometheus.url = "prometheus:9090"
        prometheus.cpu = "up"
        #expect(throws: WatchError("watch.prometheus.url 'prometheus:9090' is not an http:// or https:// URL")) {
            try ResourceWatcher.start(.make { $0.prometheus = prometheus })
        }
        prometheus.url = "http://prometheus:9090"
        prometheus.cpu = nil
        #expect(throws: WatchError("watch.prometheus needs a cpu or an rss query")) {
            try ResourceWatcher.start(.make { $0.prometheus = prometheus })
        }
    }
}
