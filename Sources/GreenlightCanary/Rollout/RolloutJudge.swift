import Foundation
import GreenlightCore
import GreenlightJSON

/// The judge as the rollout uses it: a metric's observations from a ``CanaryMetricSource`` judged by
/// rank (``SampleJudgement``: Mann-Whitney, Hodges-Lehmann) or as proportions (``RateJudgement``:
/// Fisher's exact test), then the step scored (``StepJudgement``). See docs/canary-judge.md.
enum RolloutJudge {
    /// The smallest latency shift (milliseconds) that can fail a latency metric.
    static let latencyFloorMilliseconds = 1.0

    /// The confidence of each analysis when a rollout makes `analyses` of them: a rollout judges each
    /// metric again and again, and each judgement is a chance of a false alarm, so the confidence of one
    /// is raised until the whole rollout's chance of one per metric is `1 - confidence` (Bonferroni).
    static func confidence(_ confidence: Double, analyses: Int) -> Double {
        1 - (1 - confidence) / Double(max(1, analyses))
    }

    static func judge(
        _ metric: AnalysisSpec.AnalysisMetric, control: CanaryObservation, experiment: CanaryObservation,
        confidence: Double = 0.98
    ) throws(JudgeError) -> MetricJudgement {
        let direction = Direction(rawValue: metric.direction.rawValue) ?? .increase
        switch (control, experiment) {
        case (.counts(let controlErrors, let controlRequests), .counts(let experimentErrors, let experimentRequests)):
            var rates = try RateJudgement(
                experimentErrors: experimentErrors, experimentRequests: experimentRequests,
                controlErrors: controlErrors, controlRequests: controlRequests, confidence: confidence)
            rates.classification = direction.judge(rates.classification)
            return MetricJudgement(name: metric.name, rates: rates, critical: metric.critical)
        case (.values(let controlValues), .values(let experimentValues)):
            var samples = try SampleJudgement(
                experiment: experimentValues, control: controlValues,
                options: SampleJudgement.Options(direction: direction, confidence: confidence))
            // A latency shift under a millisecond is no regression, however sure the test is of it: a
            // service that answers in 200 µs is not made worse by a new connection's 100 µs.
            if metric.name.hasPrefix("latency"), samples.fails, let shift = samples.hodgesLehmann,
                abs(shift) < latencyFloorMilliseconds
            {
                samples.classification = .pass
            }
            return MetricJudgement(name: metric.name, samples: samples, critical: metric.critical)
        default:
            throw JudgeError("metric \(metric.name): the two arms were measured differently")
        }
    }

    static func score(_ metrics: [MetricJudgement], pass: Int, marginal: Int) throws(JudgeError) -> StepJudgement {
        try StepJudgement(
            metrics: metrics, thresholds: StepJudgement.Thresholds(pass: Double(pass), marginal: Double(marginal)))
    }
}

extension StepJudgement {
    /// A step with nothing judged (no interval ended).
    static var noData: StepJudgement { try! StepJudgement(metrics: []) }

    /// The score as a person reads it: `97.5`, `100`, or `no data`.
    public var scoreText: String {
        guard let score else { return "no data" }
        return score == score.rounded() ? String(Int(score)) : String(format: "%.1f", score)
    }

    /// The judgement as the ledger and `--json` carry it.
    public var json: JSONValue {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        guard let data = try? encoder.encode(self), let value = try? JSONValue(parsing: data) else { return .null }
        return value
    }
}
