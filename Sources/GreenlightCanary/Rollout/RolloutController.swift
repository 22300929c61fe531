import Foundation
import GreenlightCore

/// A rollout's plan, from the spec's `rollout` and `rollback` sections: the steps, how long each bakes,
/// how often it is judged, on which metrics, and what a rollback does.
public struct RolloutPlan: Sendable {
    /// Canary weights in percent, to hundredths.
    public var steps: [Double]
    public var bake: Duration
    public var interval: Duration
    public var metrics: [AnalysisSpec.AnalysisMetric]
    public var pass: Int
    public var marginal: Int
    public var manualApproval: Bool
    /// The kill switch: turned off at a rollback.
    public var featureFlag: String?
    /// `rollback.command`, run at a rollback in `directory` within `rollbackTimeout`.
    public var rollbackCommand: String?
    public var rollbackTimeout: Duration
    public var directory: String

    /// How many analyses the whole rollout makes: each step below 100 % is judged every interval of
    /// its bake.
    public var analyses: Int {
        let perStep = Int((RolloutController.seconds(bake) / RolloutController.seconds(interval)).rounded(.up))
        return max(1, steps.filter { $0 < 100 }.count * max(1, perStep))
    }

    public init(
        steps: [Double], bake: Duration, interval: Duration, metrics: [AnalysisSpec.AnalysisMetric], pass: Int = 95,
        marginal: Int = 75, manualApproval: Bool = false, featureFlag: String? = nil, rollbackCommand: String? = nil,
        rollbackTimeout: Duration = .seconds(300), directory: String = "."
    ) {
        self.steps = steps
        self.bake = bake
        self.interval = interval
        self.metrics = metrics
        self.pass = pass
        self.marginal = marginal
        self.manualApproval = manualApproval
        self.featureFlag = featureFlag
        self.rollbackCommand = rollbackCommand
        self.rollbackTimeout = rollbackTimeout
        self.directory = directory
    }
}

/// What the controller tells whoever shows its progress (a live view on a terminal, lines, JSON).
public enum RolloutProgress: Sendable {
    case stepStarted(index: Int, weight: Double, bake: Duration)
    case intervalJudged(index: Int, weight: Double, judgement: StepJudgement, remaining: Duration)
    case waitingForApproval(index: Int, weight: Double, reason: String)
    case approved(index: Int, by: String)
    case rollingBack(reason: String)
    case rolledBack(reason: String, secondsToZero: Double, notes: [String])
    case promoted
    case failed(String)
}

/// How a rollout ended.
public enum RolloutOutcome: Sendable, Equatable {
    case promoted
    /// Rolled back: why, and the seconds from the end of the first failing interval to weight 0.
    case rolledBack(reason: String, secondsToZero: Double)
    /// Could not go on (the weight could not be set, no approval came): the canary was rolled back too.
    case failed(String)
}

/// Where a manual approval comes from: `greenlight rollout approve` (a ledger record), the API, a prompt.
public protocol RolloutApprovals: Sendable {
    /// Waits for an approval of step `index` and returns who gave it, or nil for a rejection.
    func approval(step index: Int, weight: Double, reason: String) async throws -> String?
}

/// `greenlight rollout`: for each step, set the weight, bake, judge every interval, then advance (after
/// an approval when the plan asks for one, or when the step's result was marginal), or roll back: weight
/// 0 at once, the feature flag killed, `rollback.command` run, the event and the judge's evidence recorded.
public actor RolloutController {
    let plan: RolloutPlan
    let traffic: any CanaryTraffic
    let metrics: any CanaryMetricSource
    let flags: FlagStore?
    let events: RolloutEventLog?
    let approvals: (any RolloutApprovals)?
    let progress: @Sendable (RolloutProgress) -> Void
    let by: String
    /// The weight last set.
    var weight = 0.0

    public init(
        plan: RolloutPlan, traffic: any CanaryTraffic, metrics: any CanaryMetricSource, flags: FlagStore? = nil,
        events: RolloutEventLog? = nil, approvals: (any RolloutApprovals)? = nil, by: String = "greenlight rollout",
        progress: @escaping @Sendable (RolloutProgress) -> Void = { _ in }
    ) {
        self.plan = plan
        self.traffic = traffic
        self.metrics = metrics
        self.flags = flags
        self.events = events
        self.approvals = approvals
        self.by = by
        self.progress = progress
    }

    /// Where a rollout recorded in `events` stopped: the index of the step it was in when its controller
    /// ended without a promotion or a rollback (killed, the machine restarted), or nil when the last
    /// rollout finished (or none began). A resumed rollout starts that step's bake again, so it never
    /// stays at a weight without being judged.
    public static func resumePoint(_ events: [RolloutEvent], plan: RolloutPlan) -> Int? {
        guard let start = events.lastIndex(where: { $0.action == .start }) else { return nil }
        let since = events[start...]
        if since.contains(where: { $0.action == .promote || $0.action == .rollback }) { return nil }
        guard let step = since.last(where: { $0.action == .step }) else { return 0 }
        return plan.steps.firstIndex(of: step.to) ?? 0
    }

    /// Runs the plan from step `startIndex` (0 for a new rollout; a resumed one starts its step again).
    public func run(from startIndex: Int = 0) async -> RolloutOutcome {
        weight = startIndex > 0 ? plan.steps[startIndex - 1] : 0
        await record(
            .start, from: weight, to: plan.steps[startIndex],
            reason: startIndex == 0
                ? "rollout of \(plan.steps.count) steps through \(traffic.description)"
                : "resumed at step \(startIndex + 1) of \(plan.steps.count) after the controller stopped")
        for index in startIndex..<plan.steps.count {
            let target = plan.steps[index]
            do {
                try await traffic.setWeight(target)
            } catch {
                return await rollBack(
                    reason: "cannot set the weight to \(Format.number(target)) %: \(error)", failedAt: nil)
            }
            await record(.step, from: weight, to: target, reason: "step \(index + 1) of \(plan.steps.count)")
            weight = target
            progress(.stepStarted(index: index, weight: target, bake: plan.bake))
            if target >= 100 { break }
            let verdict = await bake(index: index, weight: target)
            switch verdict {
            case .failed(let judgement, let end):
                return await rollBack(reason: Self.failureReason(judgement), failedAt: end, evidence: judgement)
            case .error(let message):
                return await rollBack(reason: message, failedAt: nil)
            case .done(let last):
                let needsApproval: String? =
                    plan.manualApproval
                    ? "the plan asks for an approval between steps"
                    : last.outcome == .marginal
                        ? "the step's score \(last.scoreText) is marginal (below \(plan.pass))"
                        : last.outcome == .nodata ? "there was no data to judge the step on" : nil
                if let reason = needsApproval {
                    progress(.waitingForApproval(index: index, weight: target, reason: reason))
                    guard let approvals else {
                        return await rollBack(reason: "\(reason), and nobody can approve it here", failedAt: nil)
                    }
                    do {
                        guard let who = try await approvals.approval(step: index, weight: target, reason: reason)
                        else {
                            return await rollBack(reason: "step \(index + 1) was not approved", failedAt: nil)
                        }
                        await record(
                            .approval, from: target, to: target, reason: "step \(index + 1) approved by \(who)")
                        progress(.approved(index: index, by: who))
                    } catch {
                        return await rollBack(reason: "no approval: \(error)", failedAt: nil)
                    }
                }
            }
        }
        await record(.promote, from: weight, to: 100, reason: "all steps passed")
        progress(.promoted)
        return .promoted
    }

    enum BakeVerdict {
        case done(StepJudgement)
        case failed(StepJudgement, end: ContinuousClock.Instant)
        case error(String)
    }

    /// Bakes one step: judges it as each `interval` ends, on everything since the step began (as Kayenta
    /// does without a look-back window: the judge sees more of the canary each time); the first failing
    /// judgement ends the step.
    func bake(index: Int, weight: Double) async -> BakeVerdict {
        let clock = ContinuousClock()
        let start = clock.now
        let bakeEnd = start + plan.bake
        var last: StepJudgement?
        let windowStart = Date()
        while clock.now < bakeEnd {
            let intervalEnd = min(clock.now + plan.interval, bakeEnd)
            do {
                try await clock.sleep(until: intervalEnd)
            } catch {
                return .error("interrupted")
            }
            let windowEnd = Date()
            let judgement: StepJudgement
            do {
                judgement = try await judge(from: windowStart, to: windowEnd)
            } catch {
                return .error("cannot read the canary's metrics: \(error)")
            }
            last = judgement
            await record(
                .analysis, from: weight, to: weight,
                reason: "step \(index + 1): \(judgement.outcome.rawValue), score \(judgement.scoreText)",
                evidence: judgement)
            progress(
                .intervalJudged(
                    index: index, weight: weight, judgement: judgement, remaining: max(.zero, bakeEnd - clock.now)))
            if judgement.outcome == .fail { return .failed(judgement, end: intervalEnd) }
        }
        return .done(last ?? StepJudgement.noData)
    }

    /// Every metric of the plan over one window, judged and scored.
    func judge(from: Date, to: Date) async throws -> StepJudgement {
        var judged: [MetricJudgement] = []
        let confidence = RolloutJudge.confidence(0.98, analyses: plan.analyses)
        for metric in plan.metrics {
            let (control, experiment) = try await metrics.observe(metric.name, from: from, to: to)
            judged.append(
                try RolloutJudge.judge(metric, control: control, experiment: experiment, confidence: confidence))
        }
        return try RolloutJudge.score(judged, pass: plan.pass, marginal: plan.marginal)
    }

    static func failureReason(_ judgement: StepJudgement) -> String {
        let failing = judgement.metrics.filter(\.fails).map { "\($0.name) \($0.classification.rawValue)" }
        return "the canary failed its analysis (score \(judgement.scoreText)"
            + (failing.isEmpty ? ")" : "; \(failing.joined(separator: ", ")))")
    }

    /// Weight 0 at once, then the kill switch, then `rollback.command`; recorded with the evidence.
    func rollBack(reason: String, failedAt: ContinuousClock.Instant?, evidence: StepJudgement? = nil) async
        -> RolloutOutcome
    {
        progress(.rollingBack(reason: reason))
        var notes: [String] = []
        var zeroSet = true
        do {
            try await traffic.setWeight(0)
        } catch {
            zeroSet = false
            notes.append("the weight could not be set to 0: \(error)")
        }
        let secondsToZero = failedAt.map { Self.seconds(ContinuousClock.now - $0) } ?? 0
        if let flag = plan.featureFlag, let flags {
            do {
                if try await flags.kill(flag, by: by, reason: "rollback: \(reason)") == nil {
                    notes.append("the feature flag '\(flag)' does not exist, so it was not killed")
                } else {
                    notes.append("feature flag '\(flag)' killed")
                }
            } catch {
                notes.append("the feature flag '\(flag)' could not be killed: \(error)")
            }
        }
        if let command = plan.rollbackCommand {
            let outcome = await ShellCommand(command, directory: plan.directory, timeout: plan.rollbackTimeout).run()
            if outcome.timedOut {
                notes.append("rollback.command did not finish within \(plan.rollbackTimeout)")
            } else if outcome.exitCode != 0 {
                notes.append("rollback.command exited \(outcome.exitCode.map(String.init) ?? "by a signal")")
            } else {
                notes.append("rollback.command succeeded")
            }
        }
        let before = weight
        if zeroSet { weight = 0 }
        await record(
            .rollback, from: before, to: weight,
            reason: ([reason] + notes
                + (failedAt == nil
                    ? [] : [String(format: "weight 0 %.3f s after the failing interval", secondsToZero)]))
                .joined(separator: "; "), evidence: evidence)
        progress(.rolledBack(reason: reason, secondsToZero: secondsToZero, notes: notes))
        return zeroSet ? .rolledBack(reason: reason, secondsToZero: secondsToZero) : .failed(reason)
    }

    func record(
        _ action: RolloutEvent.Action, from: Double, to: Double, reason: String, evidence: StepJudgement? = nil
    ) async {
        guard let events else { return }
        var event = RolloutEvent(action: action, from: from, to: to, by: by, reason: reason)
        event.evidence = evidence?.json
        do {
            try await events.record(event)
        } catch {
            progress(.failed("cannot record the rollout event in the ledger: \(error)"))
        }
    }

    /// A duration in seconds, as a number.
    public static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}
