import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightHTTP
import GreenlightTestSupport
import Testing

@testable import GreenlightCanary

/// The mesh's way: another router carries the traffic (here users call both shops directly), the
/// controller sets the weight with `router: command`, and the metrics come from a real Prometheus
/// scraping both arms, labelled by `arm`.
@Suite("The rollout controller with Prometheus and a router command", .serialized)
struct RolloutPrometheusTests {
    /// Requests to both shops from a thread of their own until stopped (the canary's share as a mesh
    /// would send it is not the point here: the metrics are).
    final class DirectUsers: @unchecked Sendable {
        private let lock = NSLock()
        private var stopped = false
        private let done = DispatchSemaphore(value: 0)

        init(ports: [Int]) {
            Thread.detachNewThread { [self] in
                var clients = ports.map { try? RawClient(port: $0) }
                while !lock.withLock({ stopped }) {
                    for index in clients.indices {
                        if (try? clients[index]?.get("/api/products")) == nil {
                            clients[index] = try? RawClient(port: ports[index])
                        }
                    }
                    usleep(2000)
                }
                done.signal()
            }
        }

        func stop() {
            lock.withLock { stopped = true }
            done.wait()
        }
    }

    @Test("a canary failing half its requests, seen by Prometheus: rolled back, and the command gets 0")
    func prometheusRollback() async throws {
        var v1 = DemoShopConfiguration()
        v1.port = 0
        var v2 = v1
        v2.version = "v2"
        v2.errorRate = 0.5
        let baseline = try await DemoShop.start(v1)
        let canary = try await DemoShop.start(v2)
        let configuration = """
            global:
              scrape_interval: 1s
            scrape_configs:
              - job_name: baseline
                static_configs: [{ targets: ["127.0.0.1:\(baseline.port)"], labels: { arm: baseline } }]
              - job_name: canary
                static_configs: [{ targets: ["127.0.0.1:\(canary.port)"], labels: { arm: canary } }]

            """
        let folder = try TemporaryFolder("greenlight-rollout-prometheus")
        defer { folder.remove() }
        let session = try HTTPSession()
        try await MonitoringServer.with(.prometheus, configuration: configuration) { prometheus in
            let users = DirectUsers(ports: [baseline.port, canary.port])
            // Two scrapes with traffic before the first step, so rate() has something to say.
            try await Task.sleep(for: .seconds(3))
            let query =
                #"(sum(rate(http_requests_total{arm="{{arm}}",status=~"5.."}[3s])) or vector(0)) / sum(rate(http_requests_total{arm="{{arm}}"}[3s]))"#
            let metrics = PrometheusMetricSource(
                url: prometheus.url, queries: ["error_ratio": query], session: session, step: .milliseconds(500))
            let traffic = CommandTraffic(command: "echo {{percent}} >> weights.txt", directory: folder.path)
            let controller = RolloutController(
                plan: RolloutPlan(
                    steps: [10, 100], bake: .seconds(8), interval: .seconds(4),
                    metrics: [.init(name: "error_ratio", direction: .increase, critical: true, query: query)]),
                traffic: traffic, metrics: CombinedMetricSource(router: nil, prometheus: metrics))
            let outcome = await controller.run()
            users.stop()
            guard case .rolledBack(let reason, _) = outcome else {
                Issue.record("expected a rollback, got \(outcome)")
                return
            }
            #expect(reason.contains("error_ratio High"), "\(reason)")
            let weights = try String(contentsOfFile: folder.appending("weights.txt").path, encoding: .utf8)
            #expect(weights == "10\n0\n")
        }
        await session.shutdown()
        await baseline.stop()
        await canary.stop()
    }

    @Test("Prometheus's refusal of a bad query is an error that names the query")
    func badQuery() async throws {
        let session = try HTTPSession()
        try await MonitoringServer.with(.prometheus) { prometheus in
            let source = PrometheusMetricSource(
                url: prometheus.url, queries: ["broken": "sum(rate(x{arm=\"{{arm}}\"}[1s]"], session: session)
            do {
                _ = try await source.observe("broken", from: Date().addingTimeInterval(-5), to: Date())
                Issue.record("a broken query was accepted")
            } catch {
                #expect("\(error)".contains("refused 'sum(rate(x{arm=\"baseline\"}[1s]'"), "\(error)")
            }
        }
        await session.shutdown()
    }
}
