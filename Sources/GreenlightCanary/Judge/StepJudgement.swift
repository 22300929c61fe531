/// One metric's verdict within a canary step, with its weight in the score.
public struct MetricJudgement: Sendable, Hashable, Codable {
    public var name: String
    /// The metric's share of the score; greater than 0.
    public var weight: Double
    /// A critical metric that fails fails the step, whatever the score.
    public var critical: Bool
    public var classification: Classification
    /// The comparison of samples, for a sampled metric.
    public var samples: SampleJudgement?
    /// The comparison of error counts, for an error rate.
    public var rates: RateJudgement?

    public var fails: Bool { classification == .high || classification == .low }

    public init(name: String, samples: SampleJudgement, weight: Double = 1, critical: Bool = false) {
        self.name = name
        self.weight = weight
        self.critical = critical
        self.classification = samples.classification
        self.samples = samples
    }

    public init(name: String, rates: RateJudgement, weight: Double = 1, critical: Bool = false) {
        self.name = name
        self.weight = weight
        self.critical = critical
        self.classification = rates.classification
        self.rates = rates
    }
}

/// A canary step's verdict: the metrics' judgements folded into a score and an outcome.
///
/// score = 100 × (weight of the metrics that passed) / (weight of the metrics with data); Nodata
/// metrics count in neither sum. Every metric Nodata (or none given) → `nodata`, with no score. A
/// critical metric that fails → `fail`. Otherwise score ≥ pass → `pass`, score < marginal → `fail`,
/// in between → `marginal`.
public struct StepJudgement: Sendable, Hashable, Codable {
    public enum Outcome: String, Sendable, Hashable, Codable {
        case pass, marginal, fail, nodata
    }

    /// The score a step needs to pass, and below which it fails.
    public struct Thresholds: Sendable, Hashable, Codable {
        public var pass: Double
        public var marginal: Double

        public init(pass: Double = 95, marginal: Double = 75) throws(JudgeError) {
            guard 0 <= marginal, marginal <= pass, pass <= 100 else {
                throw JudgeError(
                    "the thresholds must satisfy 0 ≤ marginal ≤ pass ≤ 100; got marginal \(marginal), pass \(pass)")
            }
            self.pass = pass
            self.marginal = marginal
        }

        public static let standard = try! Thresholds()
    }

    /// 0 to 100; nil when no metric had data.
    public var score: Double?
    public var outcome: Outcome
    public var metrics: [MetricJudgement]
    public var thresholds: Thresholds

    public init(metrics: [MetricJudgement], thresholds: Thresholds = .standard) throws(JudgeError) {
        for metric in metrics where !(metric.weight > 0 && metric.weight.isFinite) {
            throw JudgeError("metric \(metric.name): the weight must be a finite number above 0; got \(metric.weight)")
        }
        self.metrics = metrics
        self.thresholds = thresholds
        let withData = metrics.filter { $0.classification != .nodata }
        guard !withData.isEmpty else {
            outcome = .nodata
            return
        }
        let total = withData.reduce(0) { $0 + $1.weight }
        let passed = withData.filter { !$0.fails }.reduce(0) { $0 + $1.weight }
        let score = 100 * passed / total
        self.score = score
        if withData.contains(where: { $0.critical && $0.fails }) {
            outcome = .fail
        } else if score >= thresholds.pass {
            outcome = .pass
        } else if score < thresholds.marginal {
            outcome = .fail
        } else {
            outcome = .marginal
        }
    }
}
