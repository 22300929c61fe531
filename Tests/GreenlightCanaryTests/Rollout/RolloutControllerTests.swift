import Foundation
import GreenlightCore
import GreenlightDemo
import GreenlightHTTP
import GreenlightLedger
import GreenlightTestSupport
import NIOCore
import Synchronization
import Testing

@testable import GreenlightCanary

/// Users hitting the router from threads of their own (blocking sockets, off the concurrency pool): each
/// request a random user of 10,000 on `/api/products`, until stopped. Counts answers by status.
final class SyntheticUsers: Sendable {
    private let stopped = Atomic(false)
    private let statuses = Mutex<[Int: Int]>([:])
    private let finished = DispatchGroup()

    init(port: Int, threads: Int = 3) {
        for worker in 0..<threads {
            finished.enter()
            Thread.detachNewThread { [self] in
                var rng = SystemRandomNumberGenerator()
                var client = try? RawClient(port: port)
                while !stopped.load(ordering: .relaxed) {
                    let user = Int.random(in: 0..<10_000, using: &rng)
                    do {
                        guard let current = client else { throw RawClient.Closed() }
                        let response = try current.get("/api/products", headers: ["X-User": "u\(user)-\(worker)"])
                        statuses.withLock { $0[response.status, default: 0] += 1 }
                    } catch {
                        statuses.withLock { $0[0, default: 0] += 1 }
                        client = try? RawClient(port: port)
                    }
                }
                finished.leave()
            }
        }
    }

    func stop() -> [Int: Int] {
        stopped.store(true, ordering: .relaxed)
        finished.wait()
        return statuses.withLock { $0 }
    }
}

/// Counts the weights a rollout sets, and sets them on the router.
final class RecordingTraffic: CanaryTraffic, Sendable {
    let inner: any CanaryTraffic
    let weights = Mutex<[Double]>([])
    init(_ inner: any CanaryTraffic) { self.inner = inner }
    var description: String { inner.description }
    func setWeight(_ percent: Double) async throws {
        weights.withLock { $0.append(percent) }
        try await inner.setWeight(percent)
    }
}

@Suite("The rollout controller against two DemoShops behind the router", .serialized)
struct RolloutControllerTests {
    static let metrics = [
        AnalysisSpec.AnalysisMetric(name: "error_rate", direction: .increase, critical: true),
        AnalysisSpec.AnalysisMetric(name: "latency_p99", direction: .increase, critical: false),
    ]

    /// v1 as the baseline, v2 (with `errorRate` on its product routes) as the canary, the router in front
    /// with 250 ms intervals and its admin API, users on it, and a ledger.
    static func withCanary(
        errorRate: Double,
        _ body: (CanaryRouter, RouterAdminTraffic, FlagStore, RolloutEventLog, TemporaryFolder) async throws -> Void
    ) async throws {
        var v1 = DemoShopConfiguration()
        v1.port = 0
        var v2 = v1
        v2.version = "v2"
        v2.errorRate = errorRate
        let baseline = try await DemoShop.start(v1)
        let canary = try await DemoShop.start(v2)
        var config = RouterConfiguration(
            baseline: RouterUpstream(url: baseline.baseURL)!, canary: RouterUpstream(url: canary.baseURL)!)
        config.threads = 1
        config.adminPort = 0
        config.group = "checkout-v2"
        config.stickiness = .header("X-User")
        config.metricsInterval = .milliseconds(250)
        let router = try await CanaryRouter.start(config)
        let session = try HTTPSession()
        let folder = try TemporaryFolder("greenlight-rollout")
        let store = try SQLiteLedgerStore(path: folder.appending("ledger.sqlite").path)
        let flags = FlagStore(ledger: store)
        let events = RolloutEventLog(store: store, release: "checkout@2.0.0")
        let traffic = RouterAdminTraffic(
            admins: ["http://127.0.0.1:\(router.adminPort!)"], token: nil, session: session)
        do {
            try await body(router, traffic, flags, events, folder)
        } catch {
            Issue.record(error)
        }
        await session.shutdown()
        await router.stop()
        await baseline.stop()
        await canary.stop()
        folder.remove()
    }

    static func plan(_ folder: TemporaryFolder, steps: [Double] = [5, 50, 100]) -> RolloutPlan {
        RolloutPlan(
            steps: steps, bake: .seconds(2), interval: .seconds(1), metrics: metrics, featureFlag: "checkout-v2",
            rollbackCommand: "echo rolled-back > rollback.txt", rollbackTimeout: .seconds(10),
            directory: folder.path)
    }

    @Test(
        "a bad canary (v2 failing half its product requests) is rolled back at the first step: weight 0 within a second of the failing interval, the flag killed, rollback.command run, every step recorded"
    )
    func badCanaryRollsBack() async throws {
        try await Self.withCanary(errorRate: 0.5) { router, admin, flags, events, folder in
            try await flags.set(
                FeatureFlag(
                    key: "checkout-v2", variants: ["on": .bool(true), "off": .bool(false)], defaultVariant: "on"),
                by: "test")
            let traffic = RecordingTraffic(admin)
            let users = SyntheticUsers(port: router.port)
            let controller = RolloutController(
                plan: Self.plan(folder), traffic: traffic, metrics: RouterIntervalsSource(traffic: admin),
                flags: flags, events: events)
            let outcome = await controller.run()
            let statuses = users.stop()
            guard case .rolledBack(let reason, let secondsToZero) = outcome else {
                Issue.record("expected a rollback, got \(outcome)")
                return
            }
            #expect(reason.contains("error_rate"), "\(reason)")
            #expect(secondsToZero < 1, "weight 0 came \(secondsToZero) s after the failing interval")
            #expect(traffic.weights.withLock { $0 } == [5, 0])
            #expect(router.weight == 0)
            #expect(try await flags.refresh().entries["checkout-v2"]?.flag.killed == true)
            #expect(
                (try? String(contentsOfFile: folder.appending("rollback.txt").path, encoding: .utf8))
                    == "rolled-back\n")
            let recorded = try await events.events().map(\.action)
            #expect(Array(recorded.prefix(2)) == [.start, .step])
            #expect(recorded.contains(.analysis))
            #expect(recorded.last == .rollback)
            let rollback = try await events.events().last!
            #expect(rollback.evidence != nil, "the judge's numbers are recorded with the rollback")
            #expect(statuses[200, default: 0] > 100, "\(statuses)")
        }
    }

    @Test("a good canary (the same build on both arms) is promoted to 100 % step by step")
    func goodCanaryPromoted() async throws {
        try await Self.withCanary(errorRate: 0) { router, admin, flags, events, folder in
            let traffic = RecordingTraffic(admin)
            let users = SyntheticUsers(port: router.port)
            let controller = RolloutController(
                plan: Self.plan(folder), traffic: traffic, metrics: RouterIntervalsSource(traffic: admin),
                flags: flags, events: events)
            let outcome = await controller.run()
            _ = users.stop()
            #expect(outcome == .promoted)
            #expect(traffic.weights.withLock { $0 } == [5, 50, 100])
            #expect(router.weight == 100)
            let last = try await events.events().last
            #expect(last?.action == .promote)
        }
    }

    @Test("router: command gets each step's weight in {{percent}}, and 0 at a rollback")
    func commandAdapter() async throws {
        let folder = try TemporaryFolder("greenlight-rollout-command")
        defer { folder.remove() }
        let traffic = CommandTraffic(command: "echo {{percent}} >> weights.txt", directory: folder.path)
        try await traffic.setWeight(5)
        try await traffic.setWeight(25)
        try await traffic.setWeight(0)
        let written = try String(contentsOfFile: folder.appending("weights.txt").path, encoding: .utf8)
        #expect(written == "5\n25\n0\n")
        let failing = CommandTraffic(command: "echo no mesh here >&2; exit 3", directory: folder.path)
        await #expect(throws: CanaryTrafficError.self) { try await failing.setWeight(5) }
        do {
            try await failing.setWeight(5)
        } catch {
            #expect("\(error)".contains("exited 3") && "\(error)".contains("no mesh here"), "\(error)")
        }
    }

    @Test("resume: a rollout whose controller stopped mid-step starts that step again; a finished one does not resume")
    func resumePoint() {
        let plan = RolloutPlan(
            steps: [1, 5, 25, 100], bake: .seconds(60), interval: .seconds(10), metrics: Self.metrics)
        func event(_ action: RolloutEvent.Action, _ to: Double) -> RolloutEvent {
            RolloutEvent(action: action, from: 0, to: to, by: "test")
        }
        #expect(RolloutController.resumePoint([], plan: plan) == nil)
        #expect(RolloutController.resumePoint([event(.start, 1)], plan: plan) == 0)
        let midway = [event(.start, 1), event(.step, 1), event(.analysis, 1), event(.step, 5), event(.analysis, 5)]
        #expect(RolloutController.resumePoint(midway, plan: plan) == 1)
        #expect(RolloutController.resumePoint(midway + [event(.rollback, 0)], plan: plan) == nil)
        #expect(RolloutController.resumePoint(midway + [event(.step, 100), event(.promote, 100)], plan: plan) == nil)
        // A resumed run that stopped again resumes again, at its own step.
        let again = midway + [event(.start, 5), event(.step, 5), event(.step, 25)]
        #expect(RolloutController.resumePoint(again, plan: plan) == 2)
        // Weight changes by the admin API between them do not count as steps.
        #expect(RolloutController.resumePoint(midway + [event(.weight, 0)], plan: plan) == 1)
    }
}

/// The false-alarm figure: healthy canaries (the same build on both arms), simulated as the router
/// would measure them, judged as the controller judges them.
@Suite("The rollout's false alarms")
struct RolloutFalseAlarmTests {
    /// A latency in ms: lognormal around 20 ms (Box-Muller).
    static func latency(_ rng: inout SplitMix) -> Double {
        let u1 = Double.random(in: Double.ulpOfOne..<1, using: &rng)
        let u2 = Double.random(in: 0..<1, using: &rng)
        let z = (-2 * log(u1)).squareRoot() * cos(2 * .pi * u2)
        return 20 * exp(0.5 * z)
    }

    static func p99(_ values: [Double]) -> Double? {
        guard !values.isEmpty else { return nil }
        let sorted = values.sorted()
        return sorted[max(0, Int((0.99 * Double(sorted.count)).rounded(.up)) - 1)]
    }

    /// One rollout of steps 1, 5, 25, 50 % (three analyses a step, six router intervals an analysis,
    /// 500 requests a router interval, 0.5 % errors on both arms): whether it is promoted without a
    /// failing analysis and without a marginal step.
    static func rollout(_ rng: inout SplitMix, metrics: [AnalysisSpec.AnalysisMetric]) throws -> Bool {
        let steps = [1, 5, 25, 50]
        let analysesPerStep = 3
        let confidence = RolloutJudge.confidence(0.98, analyses: steps.count * analysesPerStep)
        for weight in steps {
            var last: StepJudgement?
            // Each analysis judges the whole step so far, as the controller does.
            var p99s: (baseline: [Double], canary: [Double]) = ([], [])
            var counts = (baselineErrors: 0, baseline: 0, canaryErrors: 0, canary: 0)
            for _ in 0..<analysesPerStep {
                for _ in 0..<6 {
                    var baseline: [Double] = []
                    var canary: [Double] = []
                    for _ in 0..<500 {
                        let toCanary = Int.random(in: 1...100, using: &rng) <= weight
                        let failed = Double.random(in: 0..<1, using: &rng) < 0.005
                        if toCanary {
                            canary.append(latency(&rng))
                            counts.canary += 1
                            if failed { counts.canaryErrors += 1 }
                        } else {
                            baseline.append(latency(&rng))
                            counts.baseline += 1
                            if failed { counts.baselineErrors += 1 }
                        }
                    }
                    if let p = p99(baseline) { p99s.baseline.append(p) }
                    if let p = p99(canary) { p99s.canary.append(p) }
                }
                let errors = try RolloutJudge.judge(
                    metrics[0], control: .counts(failures: counts.baselineErrors, total: counts.baseline),
                    experiment: .counts(failures: counts.canaryErrors, total: counts.canary), confidence: confidence)
                let latency = try RolloutJudge.judge(
                    metrics[1], control: .values(p99s.baseline), experiment: .values(p99s.canary),
                    confidence: confidence)
                let judgement = try RolloutJudge.score([errors, latency], pass: 95, marginal: 75)
                if judgement.outcome == .fail { return false }
                last = judgement
            }
            if last?.outcome == .marginal { return false }
        }
        return true
    }

    @Test("a healthy canary is promoted in at least 95 of 100 simulated rollouts at the default thresholds")
    func healthyCanariesPromoted() throws {
        var rng = SplitMix(state: 0x6A11)
        var promoted = 0
        for _ in 0..<100 where try Self.rollout(&rng, metrics: RolloutControllerTests.metrics) { promoted += 1 }
        print("healthy canaries promoted: \(promoted) of 100")
        #expect(promoted >= 95, "\(promoted) of 100 healthy canaries promoted")
    }
}
