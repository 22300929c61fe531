import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightTestSupport
import Testing

@testable import GreenlightGate

/// The readiness run called as a library: DemoShop in this process, a spec on disk, no binary.
@Suite("Readiness run")
struct ReadinessRunTests {
    /// Smoke, dependencies and parity against two shops; the other required items are waived so the
    /// verdict turns on what ran.
    static func spec(staging: Int, production: Int) -> String {
        """
        version: 1
        service: { name: shop, version: 1.0.0, owner: shop-team }
        environments:
          staging: { url: "http://127.0.0.1:\(staging)", descriptor: { url: "http://127.0.0.1:\(staging)/internal/info" } }
          production: { url: "http://127.0.0.1:\(production)", descriptor: { url: "http://127.0.0.1:\(production)/internal/info" } }
        parity: { compare: [staging, production], ignore: [hostname] }
        risk: { likelihood: 1, impact: 1 }
        signoff: { required: [engineering] }
        checklist:
          waivers:
            - { item: load-testing, reason: covered elsewhere, approver: sre@example.com, expires: \(Self.inDays(20)) }
            - { item: monitoring-hooks, reason: covered elsewhere, approver: sre@example.com, expires: \(Self.inDays(20)) }
            - { item: rollback-plan, reason: covered elsewhere, approver: sre@example.com, expires: \(Self.inDays(20)) }
        smoke:
          scenarios:
            - name: sign in
              steps:
                - request: { method: POST, path: /api/login, json: { user: demo@example.com, password: demo-password } }
                  expect: { status: 200, jsonpath: { "$.token": { exists: true } } }
        dependencies:
          - { name: shop-health, kind: http, url: "http://127.0.0.1:\(staging)/healthz", status: 200, timeout: 2s }

        """
    }

    static func inDays(_ days: Int) -> String {
        CalendarDate(Date(timeIntervalSinceNow: Double(days) * 86400)).description
    }

    static func run(productionDescriptor: [String: String] = [:], parts: Set<ReadinessRun.Part>? = nil) async throws
        -> Report
    {
        let staging = try await DemoShop.start(DemoShopConfiguration())
        var productionConfig = DemoShopConfiguration()
        productionConfig.descriptor = productionDescriptor
        let production = try await DemoShop.start(productionConfig)
        defer {
            Task {
                await staging.stop()
                await production.stop()
            }
        }
        let spec = try SpecFixtures.load(
            Self.spec(staging: staging.port, production: production.port), file: "release.yaml")
        var run = ReadinessRun(spec: spec, policy: .standard, environment: try spec.targetEnvironment(nil))
        if let parts { run.parts = parts }
        let report = try await run.run()
        await staging.stop()
        await production.stop()
        return report
    }

    @Test("smoke, dependencies and parity pass against two equal shops: GO")
    func go() async throws {
        let report = try await Self.run()
        #expect(report.release.environment == "staging")
        #expect(report.isGo, "\(report.verdict.reasons)")
        let byID = Dictionary(report.checks.map { ($0.id, $0) }, uniquingKeysWith: { a, _ in a })
        #expect(byID["checklist.environment-parity"]?.status == .pass)
        #expect(report.checks.contains { $0.category == .smoke && $0.status == .pass })
        #expect(report.checks.contains { $0.category == .dependencies && $0.status == .pass })
        #expect(report.digest == report.computeDigest())
    }

    @Test("a drifted production fails the parity item: NO-GO, naming the key")
    func drift() async throws {
        let report = try await Self.run(productionDescriptor: ["config.max_connections": "100"])
        #expect(!report.isGo)
        let parity = try #require(report.checks.first { $0.id == "checklist.environment-parity" })
        #expect(parity.status == .fail)
        #expect(parity.summary.contains("config.max_connections"))
    }

    @Test("parts left out are reported as not run, never as passed")
    func partsLeftOut() async throws {
        let report = try await Self.run(parts: [.parity])
        #expect(!report.isGo)
        #expect(report.checks.contains { $0.id == "smoke" && $0.status == .notRun })
        #expect(report.checks.contains { $0.id == "dependencies" && $0.status == .notRun })
    }

    @Test("an unknown environment is refused with the names the spec declares")
    func unknownEnvironment() throws {
        let spec = try SpecFixtures.load(Self.spec(staging: 1, production: 2), file: "release.yaml")
        #expect(try spec.targetEnvironment(nil) == "staging")
        #expect(try spec.targetEnvironment("production") == "production")
        let error = #expect(throws: GateError.self) { try spec.targetEnvironment("stagign") }
        #expect(
            error?.message
                == "release.yaml has no environment 'stagign'. Did you mean 'staging'? Environments: staging, production."
        )
    }
}
