import ArgumentParser
import Foundation
import GreenlightCanary
import GreenlightCore
import GreenlightGate
import GreenlightHTTP
import GreenlightJSON
import GreenlightLedger
import Synchronization

extension Greenlight {
    struct RolloutCommand: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "rollout",
            abstract: "Run the canary: set each step's weight, judge it, advance or roll back.",
            discussion: """
                Reads the spec's rollout section. The plan must meet the risk class's required controls \
                (as `greenlight risk` shows), or the rollout does not start. For each step: set the \
                canary's weight, bake, judge every interval (Mann-Whitney per metric, docs/canary-judge.md), \
                then advance, wait for an approval (manual_approval, or a marginal score), or roll back: \
                weight 0 at once, the feature flag killed, rollback.command run, and the event with the \
                judge's numbers recorded in the ledger. A rollout whose controller stopped mid-step (killed, \
                rebooted) resumes that step when started again.

                  greenlight rollout release.yaml
                  greenlight rollout release.yaml \\
                      --admin http://10.0.0.7:8081 --admin http://10.0.0.8:8081
                  greenlight rollout approve release.yaml --by alice   (another terminal)

                Exit codes: 0 promoted to 100 %, 1 rolled back (or refused by the risk policy), \
                2 invalid input.
                """,
            subcommands: [Run.self, Approve.self],
            defaultSubcommand: Run.self
        )
    }
}

extension Greenlight.RolloutCommand {
    struct Run: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "run", abstract: "Run the rollout of a spec (the default subcommand).")

        @Argument(help: ArgumentHelp("The release spec.", valueName: "spec"))
        var file: String

        @Option(
            name: .customLong("admin"),
            help: ArgumentHelp(
                "A router's admin URL (repeat for each router); default: rollout.proxy.admin_listen.",
                valueName: "url"))
        var admins: [String] = []

        @Option(help: ArgumentHelp("The environment variable holding the admin bearer token.", valueName: "name"))
        var adminTokenEnv = "GREENLIGHT_ROUTER_TOKEN"

        @Option(help: ArgumentHelp("A risk policy file (default: the built-in policy).", valueName: "file"))
        var policy: String?

        @Flag(help: "Print one JSON object per event (for scripts) instead of text.")
        var json = false

        @Flag(help: "Start from the first step even when a rollout was left mid-step.")
        var fresh = false

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let (spec, policy) = try SpecInput.load(file: file, policy: policy)
            guard let rollout = spec.rollout else {
                throw LedgerInput.usage("\(file) has no rollout section: nothing to roll out")
            }
            guard let analysis = rollout.analysis else {
                throw LedgerInput.usage("\(file): rollout.analysis names no metrics: the canary cannot be judged")
            }
            let steps = try rollout.steps.map { step -> Double in
                guard step >= 0.01, RouterAdminOptions.isWeight(step) else {
                    throw LedgerInput.usage(
                        "\(file): rollout.steps must be percents from 0.01 to 100, to hundredths, got \(Format.number(step))"
                    )
                }
                return (step * 100).rounded() / 100
            }
            guard steps == steps.sorted(), steps.last == 100 else {
                throw LedgerInput.usage(
                    "\(file): rollout.steps must rise and end at 100, got \(steps.map(Format.number).joined(separator: ", "))"
                )
            }
            guard let bake = rollout.bake else {
                throw LedgerInput.usage("\(file): rollout.bake is missing: how long each step runs before it is judged")
            }
            let review = try RiskReview(spec: spec, policy: policy)
            if review.fallsShort {
                let short = review.checks.filter(\.blocks).map { "  ✘ \($0.title): \($0.summary)" }
                Terminal.error(
                    "greenlight: the rollout does not start: the plan falls short of class \(review.risk.riskClass)'s controls\n"
                        + short.joined(separator: "\n"))
                throw ExitCode(ExitStatus.notReady)
            }
            let directory = (URL(fileURLWithPath: file).deletingLastPathComponent().path)
            let plan = RolloutPlan(
                steps: steps, bake: .seconds(bake.seconds),
                interval: .seconds(rollout.interval?.seconds ?? min(60, bake.seconds)),
                metrics: analysis.metrics, pass: analysis.pass, marginal: analysis.marginal,
                manualApproval: rollout.manualApproval, featureFlag: rollout.featureFlag,
                rollbackCommand: spec.rollback?.command, directory: directory)

            let session = try HTTPSession()
            defer { Task { await session.shutdown() } }
            let token = ProcessInfo.processInfo.environment[adminTokenEnv] ?? rollout.proxy?.adminToken
            let traffic: any CanaryTraffic
            var queries: [String: String] = [:]
            for metric in analysis.metrics {
                guard let query = metric.query else { continue }
                guard query.contains("{{arm}}") else {
                    throw LedgerInput.usage(
                        "\(file): the query of \(metric.name) has no {{arm}}: it would read the same series for both arms"
                    )
                }
                queries[metric.name] = query
            }
            var prometheus: PrometheusMetricSource?
            if !queries.isEmpty {
                guard let url = rollout.prometheus else {
                    throw LedgerInput.usage("\(file): analysis metrics with a query need rollout.prometheus (its URL)")
                }
                prometheus = PrometheusMetricSource(url: url, queries: queries, session: session)
            }
            var router: RouterIntervalsSource?
            switch rollout.router {
            case .builtin:
                var urls = admins
                if urls.isEmpty, let admin = rollout.proxy?.adminListen { urls = ["http://\(admin)"] }
                guard !urls.isEmpty else {
                    throw LedgerInput.usage(
                        "name the routers' admin APIs: --admin http://HOST:PORT, or rollout.proxy.admin_listen in \(file)"
                    )
                }
                let admin = RouterAdminTraffic(admins: urls, token: token, session: session)
                traffic = admin
                router = RouterIntervalsSource(traffic: admin)
            case .command:
                guard let command = rollout.command else {
                    throw LedgerInput.usage("\(file): router: command needs rollout.command (with {{percent}})")
                }
                traffic = CommandTraffic(command: command, directory: directory)
            }
            for metric in analysis.metrics where metric.query == nil {
                guard router != nil else {
                    throw LedgerInput.usage(
                        "\(file): with router: command every analysis metric needs a query; \(metric.name) has none")
                }
                guard RouterIntervalsSource.knows(metric.name) else {
                    throw LedgerInput.usage(
                        "\(file): the router measures error_rate, latency and latency_pNN; give \(metric.name) a query")
                }
            }
            let metrics = CombinedMetricSource(router: router, prometheus: prometheus)

            let open = try await ledger.open(besideSpec: file, create: true)
            defer { Task { await open.close() } }
            let release = ReleaseLedger.name(service: spec.service.name, version: spec.service.version)
            let events = RolloutEventLog(store: open.ledger.store, release: release)
            let past = try await events.events()
            let resume = fresh ? nil : RolloutController.resumePoint(past, plan: plan)
            let printer = RolloutPrinter(json: json, plan: plan, live: Terminal.stderrIsTTY)
            let approvals = LedgerApprovals(events: events, prompt: Terminal.stdinIsTTY && !json)
            if let resume, !json {
                Terminal.out("resuming the rollout of \(release) at step \(resume + 1) (its controller had stopped)")
            }
            let controller = RolloutController(
                plan: plan, traffic: traffic, metrics: metrics, flags: FlagStore(ledger: open.ledger.store),
                events: events, approvals: approvals, by: "greenlight rollout",
                progress: { printer.show($0) })
            let outcome = await controller.run(from: resume ?? 0)
            printer.finish()
            switch outcome {
            case .promoted:
                return
            case .rolledBack, .failed:
                throw ExitCode(ExitStatus.notReady)
            }
        }
    }

    struct Approve: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Approve the next step of a rollout waiting for a person (recorded in the ledger).")

        @Argument(help: ArgumentHelp("The release spec, or the release as service@version.", valueName: "spec"))
        var target: String

        @Option(help: ArgumentHelp("Who approves (default: $USER).", valueName: "name"))
        var by: String?

        @Option(help: ArgumentHelp("Why, for the record.", valueName: "text"))
        var reason: String?

        @Flag(help: "Reject instead: the rollout rolls back.")
        var reject = false

        @OptionGroup var ledger: LedgerOptions

        func run() async throws {
            let release = try ReleaseTarget.resolve(target, policy: nil)
            let open = try await ledger.open(besideSpec: release.specFile)
            defer { Task { await open.close() } }
            let who = by ?? ProcessInfo.processInfo.environment["USER"] ?? "unknown"
            let log = RolloutEventLog(store: open.ledger.store, release: release.release)
            let last = try await log.events().last
            let weight = last?.to ?? 0
            try await log.record(
                RolloutEvent(
                    action: .approval, from: weight, to: weight, by: who,
                    reason: (reject ? LedgerApprovals.rejected : LedgerApprovals.approved)
                        + (reason.map { ": \($0)" } ?? "")))
            Terminal.out(
                "\(reject ? "rejected" : "approved") the rollout of \(release.release) at \(Format.number(weight)) % as \(who)"
            )
        }
    }
}

/// Approvals for a waiting step: an `approval` record appended to the ledger after the wait began (by
/// `greenlight rollout approve`, from any machine that shares the ledger), or, on a terminal, a prompt.
final class LedgerApprovals: RolloutApprovals {
    static let approved = "approved"
    static let rejected = "rejected"
    let events: RolloutEventLog
    let prompt: Bool

    init(events: RolloutEventLog, prompt: Bool) {
        self.events = events
        self.prompt = prompt
    }

    func approval(step index: Int, weight: Double, reason: String) async throws -> String? {
        let seen = try await events.events().count
        if prompt {
            Terminal.out(
                "approve step \(index + 1) (\(Format.number(weight)) %)? \(reason). [y/N] (or greenlight rollout approve)"
            )
            // The answer comes from the terminal or the ledger, whichever is first.
            return try await withThrowingTaskGroup(of: String?.self) { group in
                group.addTask { try await self.fromLedger(after: seen) }
                group.addTask {
                    let line = await Task.detached { readLine() }.value
                    let yes = line.map { ["y", "yes"].contains($0.lowercased().trimmingCharacters(in: .whitespaces)) }
                    return yes == true ? (ProcessInfo.processInfo.environment["USER"] ?? "the terminal") : nil
                }
                let first = try await group.next()!
                group.cancelAll()
                return first
            }
        }
        return try await fromLedger(after: seen)
    }

    private func fromLedger(after seen: Int) async throws -> String? {
        while true {
            try await Task.sleep(for: .milliseconds(500))
            let all = try await events.events()
            if let record = all.dropFirst(seen).first(where: { $0.action == .approval }) {
                return record.reason?.hasPrefix(Self.rejected) == true ? nil : record.by
            }
        }
    }
}

/// The rollout's progress: on a terminal a live line (step, weight, time left in the bake, the last
/// score and each metric's classification, redrawn every second) above the lasting events; off one a
/// line per event and per judged interval; or JSON objects (one per line).
final class RolloutPrinter: Sendable {
    let json: Bool
    let plan: RolloutPlan
    let live: Bool

    private struct Live {
        var step = 0
        var weight = 0.0
        var bakeEnd: ContinuousClock.Instant?
        var last = "not judged yet"
    }
    private let state = Mutex(Live())
    private let ticker = Mutex<Task<Void, Never>?>(nil)

    init(json: Bool, plan: RolloutPlan, live: Bool = false) {
        self.json = json
        self.plan = plan
        self.live = live && !json
        if self.live {
            ticker.withLock { task in
                task = Task { [self] in
                    while !Task.isCancelled {
                        redraw()
                        try? await Task.sleep(for: .seconds(1))
                    }
                }
            }
        }
    }

    /// Ends the live line.
    func finish() {
        ticker.withLock { $0?.cancel() }
        if live { Terminal.clearProgress() }
    }

    private func redraw() {
        let line = state.withLock { live -> String in
            let left = live.bakeEnd.map { max(0, Int(RolloutController.seconds($0 - ContinuousClock.now).rounded())) }
            return "step \(live.step + 1)/\(plan.steps.count) · canary at \(Format.number(live.weight)) %"
                + (left.map { " · \($0) s left in the bake" } ?? "") + " · \(live.last)"
        }
        Terminal.progress(line)
    }

    /// A lasting line, printed under the live one.
    private func say(_ text: String) {
        if live { Terminal.clearProgress() }
        Terminal.out(text)
        if live { redraw() }
    }

    func show(_ progress: RolloutProgress) {
        if json {
            Terminal.out(Self.json(progress).serialized(pretty: false))
            return
        }
        let steps = plan.steps.count
        switch progress {
        case .stepStarted(let index, let weight, let bake):
            state.withLock {
                $0.step = index
                $0.weight = weight
                $0.bakeEnd = weight < 100 ? ContinuousClock.now + bake : nil
                $0.last = "not judged yet"
            }
            say(
                "step \(index + 1)/\(steps): canary at \(Format.number(weight)) %"
                    + (weight < 100 ? ", baking \(bake)" : ""))
        case .intervalJudged(_, let weight, let judgement, let remaining):
            let metrics = judgement.metrics.map { "\($0.name) \($0.classification.rawValue)" }.joined(separator: ", ")
            if live {
                state.withLock { $0.last = "score \(judgement.scoreText) (\(judgement.outcome.rawValue)): \(metrics)" }
                redraw()
                return
            }
            Terminal.out(
                "  \(Format.number(weight)) %: score \(judgement.scoreText) (\(judgement.outcome.rawValue)); \(metrics); "
                    + "\(Int(RolloutController.seconds(remaining).rounded())) s left")
        case .waitingForApproval(let index, _, let reason):
            say("step \(index + 1) waits for an approval: \(reason)")
        case .approved(let index, let by):
            say("step \(index + 1) approved by \(by)")
        case .rollingBack(let reason):
            finish()
            Terminal.out("rolling back: \(reason)")
        case .rolledBack(_, let seconds, let notes):
            Terminal.out(
                String(format: "rolled back: weight 0 %.2f s after the failing interval", seconds)
                    + (notes.isEmpty ? "" : "; " + notes.joined(separator: "; ")))
        case .promoted:
            finish()
            Terminal.out("promoted: the canary takes 100 % of the traffic")
        case .failed(let message):
            if live { Terminal.clearProgress() }
            Terminal.error("greenlight: \(message)")
        }
    }

    static func json(_ progress: RolloutProgress) -> JSONValue {
        switch progress {
        case .stepStarted(let index, let weight, let bake):
            return .object([
                ("event", .string("step")), ("step", .int(index + 1)), ("weight", .double(weight)),
                ("bake_seconds", .double(RolloutController.seconds(bake))),
            ])
        case .intervalJudged(let index, let weight, let judgement, let remaining):
            return .object([
                ("event", .string("analysis")), ("step", .int(index + 1)), ("weight", .double(weight)),
                ("judgement", judgement.json), ("remaining_seconds", .double(RolloutController.seconds(remaining))),
            ])
        case .waitingForApproval(let index, let weight, let reason):
            return .object([
                ("event", .string("waiting")), ("step", .int(index + 1)), ("weight", .double(weight)),
                ("reason", .string(reason)),
            ])
        case .approved(let index, let by):
            return .object([("event", .string("approved")), ("step", .int(index + 1)), ("by", .string(by))])
        case .rollingBack(let reason):
            return .object([("event", .string("rolling_back")), ("reason", .string(reason))])
        case .rolledBack(let reason, let seconds, let notes):
            return .object([
                ("event", .string("rolled_back")), ("reason", .string(reason)), ("seconds_to_zero", .double(seconds)),
                ("notes", .array(notes.map(JSONValue.string))),
            ])
        case .promoted:
            return .object([("event", .string("promoted"))])
        case .failed(let message):
            return .object([("event", .string("error")), ("message", .string(message))])
        }
    }
}
