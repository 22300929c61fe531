import Foundation
import GreenlightCanary
import GreenlightCore
import GreenlightDemo
import GreenlightHTTP
import GreenlightLedger
import GreenlightLoad

/// The demo after the GO: DemoShop v2 goes out as a canary behind greenlight's router, under users from
/// the load engine (1,500 requests a second, each a user of 5,000, sticky by `X-User`), and the rollout
/// controller ramps it 0.5 → 10 → 50 → 100 % on the judge's word. A bad v2 (5 % of its product and order
/// requests fail, 80 ms slower) is caught at the first step and rolled back; a good one is promoted.
public struct DemoCanary: Sendable {
    public struct Outcome: Sendable {
        public var outcome: RolloutOutcome
        /// Requests the router answered while the rollout ran, and the failures (5xx) on each arm.
        public var requests: UInt64
        public var canaryFailures: UInt64
        public var baselineFailures: UInt64
        public var seconds: Double

        /// The share of all requests that failed because of the canary.
        public var damage: Double { requests == 0 ? 0 : Double(canaryFailures) / Double(requests) }
    }

    public var good = false
    public var store: any LedgerStore
    /// The release the rollout events belong to: the one the gate opened for.
    public var release = "demoshop@1.1.0"
    public var progress: @Sendable (RolloutProgress) -> Void = { _ in }
    /// What is happening, for a progress line.
    public var notice: @Sendable (String) -> Void = { _ in }

    public init(store: any LedgerStore) { self.store = store }

    /// Half a percent first: the damage a bad canary can do is its weight times its failure share.
    public static let steps: [Double] = [0.5, 10, 50, 100]
    public static let flag = "checkout-v2"

    public func run() async throws -> Outcome {
        var v1 = DemoShopConfiguration()
        v1.port = 0
        var v2 = v1
        v2.version = "v2"
        if !good {
            v2.errorRate = 0.05
            v2.addedLatency = .milliseconds(80)
        }
        notice("canary: starting DemoShop v1 and v2 behind the router")
        let baseline = try await DemoShop.start(v1)
        let canary = try await DemoShop.start(v2)
        var config = RouterConfiguration(
            baseline: RouterUpstream(url: baseline.baseURL)!, canary: RouterUpstream(url: canary.baseURL)!)
        config.adminPort = 0
        config.group = Self.flag
        config.stickiness = .header("X-User")
        config.metricsInterval = .milliseconds(250)
        config.threads = 1
        let router: CanaryRouter
        do {
            router = try await CanaryRouter.start(config)
        } catch {
            await baseline.stop()
            await canary.stop()
            throw error
        }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "greenlight-demo-canary-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: folder) }
        let stop = LoadStop()
        var traffic: Task<LoadResult?, Never>?
        do {
            let flags = FlagStore(ledger: store)
            try await flags.set(
                FeatureFlag(
                    key: Self.flag, variants: ["on": .bool(true), "off": .bool(false)], defaultVariant: "on"),
                by: "greenlight demo", reason: "the new checkout, behind its kill switch")
            let plan = try Self.trafficPlan(folder: folder, port: router.port)
            traffic = Task { try? await LoadEngine(plan: plan).run(stop: stop) }
            // Users first, so the first interval the judge reads has traffic on both arms.
            try await Task.sleep(for: .milliseconds(1500))
            let session = try HTTPSession()
            let admin = RouterAdminTraffic(
                admins: ["http://127.0.0.1:\(router.adminPort!)"], token: nil, session: session)
            let controller = RolloutController(
                plan: RolloutPlan(
                    steps: Self.steps, bake: .seconds(3), interval: .seconds(1),
                    metrics: [
                        AnalysisSpec.AnalysisMetric(name: "error_rate", direction: .increase, critical: true),
                        AnalysisSpec.AnalysisMetric(name: "latency", direction: .increase),
                    ], featureFlag: Self.flag),
                traffic: admin, metrics: RouterIntervalsSource(traffic: admin), flags: flags,
                events: RolloutEventLog(store: store, release: release), by: "greenlight demo",
                progress: progress)
            let before = (router.metrics.snapshot(.baseline), router.metrics.snapshot(.canary))
            let started = ContinuousClock.now
            let outcome = await controller.run()
            let seconds = RolloutController.seconds(ContinuousClock.now - started)
            let after = (router.metrics.snapshot(.baseline), router.metrics.snapshot(.canary))
            stop.request("the rollout ended")
            _ = await traffic?.value
            await session.shutdown()
            await router.stop()
            await baseline.stop()
            await canary.stop()
            return Outcome(
                outcome: outcome,
                requests: after.0.requests - before.0.requests + after.1.requests - before.1.requests,
                canaryFailures: after.1.statusClasses[4] - before.1.statusClasses[4],
                baselineFailures: after.0.statusClasses[4] - before.0.statusClasses[4], seconds: seconds)
        } catch {
            stop.request("the demo failed")
            _ = await traffic?.value
            await router.stop()
            await baseline.stop()
            await canary.stop()
            throw error
        }
    }

    /// The users: the load engine, open model, a mix of product and order requests, each with the
    /// `X-User` of a user from a CSV of 5,000, bounded at 60 s.
    static func trafficPlan(folder: URL, port: Int) throws -> LoadPlan {
        try FileManager.default.createDirectory(
            at: folder.appendingPathComponent("data"), withIntermediateDirectories: true)
        let users = "user\n" + (0..<5000).map { "u\($0)" }.joined(separator: "\n") + "\n"
        try Data(users.utf8).write(to: folder.appendingPathComponent("data/users.csv"))
        let spec = """
            version: 1
            service: { name: demoshop, version: "2.0.0", owner: demo }
            risk: { likelihood: 1, impact: 1 }
            traffic: { expected_peak_rps: 500 }
            environments:
              canary: { url: "http://127.0.0.1:\(port)" }
            load:
              model: open
              multiplier: 3
              duration: 60s
              connections: 48
              mix:
                - { weight: 3, request: { path: /api/products, headers: { X-User: "{{user}}" } } }
                - { weight: 1, request: { path: /api/orders/demo, headers: { X-User: "{{user}}" } } }
              data: { csv: data/users.csv, mode: cyclic }

            """
        let file = folder.appendingPathComponent("canary.yaml")
        try Data(spec.utf8).write(to: file)
        let loaded = try SpecLoader(policy: DemoRun.policy).load(file: file.path)
        return try LoadPlanner.plan(
            spec: loaded, environment: "canary",
            options: LoadPlanner.Options(threads: ProcessInfo.processInfo.activeProcessorCount))
    }
}
