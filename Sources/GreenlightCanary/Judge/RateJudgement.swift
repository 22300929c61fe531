/// The judgement of an error rate: errors out of requests, pooled per arm.
///
/// Why not Mann-Whitney on per-interval rates: a canary step yields a handful of intervals, and with
/// few intervals (mostly zero errors, so heavily tied) the rank test has almost no power; the data are
/// really counts, and pooled counts are what a test of proportions needs. The one-sided Fisher exact
/// test (``FisherExact``) asks whether the experiment's error proportion is greater than the control's.
///
/// High when p < 1 − confidence and the experiment's rate exceeds the control's by more than
/// max(tolerance × control rate, floor); the floor (0.001 by default, i.e. 0.1 percentage points) keeps
/// 0 against 0.05 % errors from failing. Otherwise Pass; Nodata when either arm has no requests. Only
/// an increase is bad, so there is no Low.
public struct RateJudgement: Sendable, Hashable, Codable {
    public var experimentErrors: Int
    public var experimentRequests: Int
    public var controlErrors: Int
    public var controlRequests: Int
    public var confidence: Double
    public var tolerance: Double
    public var floor: Double
    public var experimentRate: Double?
    public var controlRate: Double?
    /// The one-sided Fisher exact p-value; nil when there is no data.
    public var pValue: Double?
    /// The experiment's rate minus the control's.
    public var difference: Double?
    /// The difference relative to the control's rate; nil when that rate is 0 or there is no data.
    public var effect: Double?
    public var classification: Classification
    public var fails: Bool { classification == .high }

    public init(
        experimentErrors: Int, experimentRequests: Int, controlErrors: Int, controlRequests: Int,
        confidence: Double = 0.98, tolerance: Double = 0.10, floor: Double = 0.001
    ) throws(JudgeError) {
        for (name, errors, requests) in [
            ("experiment", experimentErrors, experimentRequests), ("control", controlErrors, controlRequests),
        ] where errors < 0 || requests < 0 || errors > requests {
            throw JudgeError(
                "the \(name) has \(errors) errors out of \(requests) requests: counts must be at least 0 "
                    + "and errors at most the requests")
        }
        try SampleJudgement.Options(confidence: confidence, tolerance: tolerance).validate()
        guard floor >= 0, floor.isFinite else {
            throw JudgeError("the floor must be a finite rate of at least 0, e.g. 0.001; got \(floor)")
        }
        self.experimentErrors = experimentErrors
        self.experimentRequests = experimentRequests
        self.controlErrors = controlErrors
        self.controlRequests = controlRequests
        self.confidence = confidence
        self.tolerance = tolerance
        self.floor = floor
        guard experimentRequests > 0, controlRequests > 0 else {
            classification = .nodata
            return
        }
        let experimentRate = Double(experimentErrors) / Double(experimentRequests)
        let controlRate = Double(controlErrors) / Double(controlRequests)
        self.experimentRate = experimentRate
        self.controlRate = controlRate
        let p = FisherExact.greater(
            experimentErrors, experimentRequests - experimentErrors, controlErrors, controlRequests - controlErrors)
        pValue = p
        difference = experimentRate - controlRate
        effect = controlRate == 0 ? nil : (experimentRate - controlRate) / controlRate
        let allowed = max(tolerance * controlRate, floor)
        classification = p < 1 - confidence && experimentRate - controlRate > allowed ? .high : .pass
    }
}
