/// The judgement of one metric sampled in both arms (latency per request, CPU per interval, …).
///
/// The Mann-Whitney test and the Hodges-Lehmann shift with Moses' interval (see ``MannWhitney`` and
/// ``HodgesLehmann``) decide, in the spirit of Kayenta's Mann-Whitney classifier:
/// - either sample empty → Nodata (non-finite values are left out first; the CLI refuses them as input);
/// - the interval entirely above 0 → High, entirely below 0 → Low, otherwise Pass;
/// - a High or Low whose shift is at most `tolerance` × |median(control)| is Pass (when the control's
///   median is 0 there is no tolerance: any shift the interval proves counts);
/// - the direction then says what is bad: under `increase` a Low is Pass, under `decrease` a High is.
public struct SampleJudgement: Sendable, Hashable, Codable {
    /// The options of a judgement.
    public struct Options: Sendable, Hashable, Codable {
        public var direction: Direction
        /// The confidence of the shift's interval, strictly between 0 and 1.
        public var confidence: Double
        /// The largest shift, relative to the control's median, that is not a change; at least 0.
        public var tolerance: Double

        public init(direction: Direction = .either, confidence: Double = 0.98, tolerance: Double = 0.10) {
            self.direction = direction
            self.confidence = confidence
            self.tolerance = tolerance
        }

        /// Throws when the confidence is not strictly between 0 and 1 or the tolerance is negative.
        public func validate() throws(JudgeError) {
            guard confidence > 0, confidence < 1 else {
                throw JudgeError("the confidence must be strictly between 0 and 1, e.g. 0.98; got \(confidence)")
            }
            guard tolerance >= 0, tolerance.isFinite else {
                throw JudgeError("the tolerance must be a finite number of at least 0, e.g. 0.10; got \(tolerance)")
            }
        }
    }

    public var options: Options
    public var controlCount: Int
    public var experimentCount: Int
    public var controlMedian: Double?
    public var experimentMedian: Double?
    /// The experiment's Mann-Whitney U.
    public var u: Double?
    /// The two-sided Mann-Whitney p-value.
    public var pValue: Double?
    /// The Hodges-Lehmann shift, experiment minus control.
    public var hodgesLehmann: Double?
    /// The lower end of the shift's interval; nil when unbounded (samples too small) or no data.
    public var ciLow: Double?
    /// The upper end of the shift's interval; nil when unbounded (samples too small) or no data.
    public var ciHigh: Double?
    /// The shift relative to the control's median; nil when that median is 0 or there is no data.
    public var effect: Double?
    /// What the data show, after the tolerance and before the direction.
    public var observed: Classification
    /// What counts for the direction.
    public var classification: Classification
    /// Whether the metric fails for its direction (High or Low).
    public var fails: Bool { classification == .high || classification == .low }

    /// Judges the experiment's sample against the control's.
    public init(experiment: [Double], control: [Double], options: Options = Options()) throws(JudgeError) {
        try options.validate()
        self.options = options
        let experiment = experiment.filter(\.isFinite).sorted()
        let control = control.filter(\.isFinite).sorted()
        controlCount = control.count
        experimentCount = experiment.count
        guard !experiment.isEmpty, !control.isEmpty else {
            controlMedian = control.isEmpty ? nil : median(ofSorted: control)
            experimentMedian = experiment.isEmpty ? nil : median(ofSorted: experiment)
            observed = .nodata
            classification = .nodata
            return
        }
        let controlMedian = median(ofSorted: control)
        self.controlMedian = controlMedian
        experimentMedian = median(ofSorted: experiment)
        let test = MannWhitney(experiment: experiment, control: control)
        u = test.u
        pValue = test.pValue
        let shift = HodgesLehmann(experiment: experiment, control: control, confidence: options.confidence)
        hodgesLehmann = shift.estimate
        ciLow = shift.lower
        ciHigh = shift.upper
        effect = controlMedian == 0 ? nil : shift.estimate / abs(controlMedian)

        var observed = Classification.pass
        if let low = shift.lower, low > 0 { observed = .high }
        if let high = shift.upper, high < 0 { observed = .low }
        if observed != .pass, abs(shift.estimate) <= options.tolerance * abs(controlMedian) { observed = .pass }
        self.observed = observed
        classification = options.direction.judge(observed)
    }
}
