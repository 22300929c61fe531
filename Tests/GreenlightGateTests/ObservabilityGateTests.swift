import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightTestSupport
import Testing

@testable import GreenlightGate

/// The observability part of the readiness run: its checks decide monitoring-hooks.
@Suite("Observability in the gate")
struct ObservabilityGateTests {
    static func spec(port: Int, observability: String) -> String {
        """
        version: 1
        service: { name: shop, version: 1.0.0, owner: shop-team }
        environments:
          staging: { url: "http://127.0.0.1:\(port)" }
        risk: { likelihood: 1, impact: 1 }
        observability:
        \(observability)

        """
    }

    @Test("against DemoShop: health, logs, the diagnosis test and traces pass and decide monitoring-hooks")
    func demoShopPasses() async throws {
        let folder = try TemporaryFolder("gl-observe-gate")
        defer { folder.remove() }
        var configuration = DemoShopConfiguration()
        configuration.logPath = folder.appending("shop.log").path
        let shop = try await DemoShop.start(configuration)
        let text = Self.spec(
            port: shop.port,
            observability: """
                  logs: { file: shop.log, require_fields: [ts, level, msg, trace_id], diagnosis: { within: 5s } }
                  traces: { propagation: w3c }
                  health: { path: /healthz, within: 5s }
                """)
        let spec = try SpecFixtures.load(
            text, file: folder.appending("release.yaml").path, directory: folder.path)
        let run = ReadinessRun(spec: spec, policy: .standard, environment: "staging")
        let checks = try await run.checks(of: .observability)
        #expect(
            checks.map(\.id) == [
                "observability.health", "observability.logs", "observability.diagnosis", "observability.traces",
            ])
        #expect(checks.allSatisfy { $0.status == .pass }, "\(checks.map { "\($0.id): \($0.summary)" })")

        let report = try await run.run()
        let hooks = report.checks.first { $0.id == "checklist.monitoring-hooks" }
        #expect(hooks?.status == .pass)
        #expect(hooks?.summary == "4 checks passed")
        #expect(hooks?.evidence.map(\.reference).contains("observability.diagnosis") == true)
        await shop.stop()
    }

    @Test("a service whose logs lack a field and a health path that answers 404 fail the item, naming both")
    func failures() async throws {
        let folder = try TemporaryFolder("gl-observe-gate")
        defer { folder.remove() }
        var configuration = DemoShopConfiguration()
        configuration.logPath = folder.appending("shop.log").path
        let shop = try await DemoShop.start(configuration)
        let text = Self.spec(
            port: shop.port,
            observability: """
                  metrics:
                    endpoint: /metrics
                    require:
                      - { name: http_requests_total, labels: [route, tenant] }
                      - { name: checkout_orders_total, type: counter, moves: true }
                  logs: { file: shop.log, require_fields: [ts, request_id], diagnosis: { within: 2s } }
                  health: { path: /no-such-health, within: 2s }
                """)
        let spec = try SpecFixtures.load(
            text, file: folder.appending("release.yaml").path, directory: folder.path)
        let report = try await ReadinessRun(spec: spec, policy: .standard, environment: "staging").run()
        let hooks = try #require(report.checks.first { $0.id == "checklist.monitoring-hooks" })
        #expect(hooks.status == .fail)
        #expect(
            hooks.summary.hasPrefix("3 of 4 checks did not pass: Health known within 2s; Metrics; Structured logs"),
            "\(hooks.summary)")
        #expect(hooks.details.contains { $0.contains("checkout_orders_total") }, "\(hooks.details)")
        #expect(hooks.details.contains { $0.contains("has no label 'tenant'") }, "\(hooks.details)")
        #expect(
            hooks.details.contains { $0.contains("answered 404: the service says it is not healthy") },
            "\(hooks.details)")
        #expect(hooks.details.contains { $0.contains("have no 'request_id'") || $0.contains("has no 'request_id'") })
        await shop.stop()
    }
}
