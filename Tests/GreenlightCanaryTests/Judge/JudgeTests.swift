import Foundation
import GreenlightTestSupport
import Testing

@testable import GreenlightCanary

/// The canary judge against scipy and numpy (Fixtures/make-reference.py), against brute force, and at
/// the edges of its classification and scoring.
@Suite("canary judge")
struct JudgeTests {
    struct Reference: Decodable {
        struct Case: Decodable {
            var name: String
            var experiment: [Double]
            var control: [Double]
            var u: Double
            var p_value: Double
            var hodges_lehmann: Double
        }
        struct Fisher: Decodable {
            var table: [[Int]]
            var p_value: Double
        }
        var mannwhitney: [Case]
        var fisher: [Fisher]
    }

    static let reference: Reference = {
        let url = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
            .appendingPathComponent("Fixtures/mannwhitney-reference.json")
        // A missing or broken fixture is a test failure: the suite's first test reports it.
        guard let data = try? Data(contentsOf: url),
            let reference = try? JSONDecoder().decode(Reference.self, from: data)
        else { return Reference(mannwhitney: [], fisher: []) }
        return reference
    }()

    /// Within 1e-9 relative, or 1e-12 absolute near 0.
    static func close(_ a: Double, _ b: Double) -> Bool {
        a == b || abs(a - b) <= 1e-12 || abs(a - b) <= 1e-9 * max(abs(a), abs(b))
    }

    // MARK: - Against scipy and numpy

    @Test("the reference table has at least 30 Mann-Whitney cases and 10 Fisher tables")
    func referenceLoaded() {
        #expect(Self.reference.mannwhitney.count >= 30)
        #expect(Self.reference.fisher.count >= 10)
    }

    @Test("U, the p-value and the Hodges-Lehmann shift equal scipy's and numpy's", arguments: reference.mannwhitney)
    func matchesScipy(_ reference: Reference.Case) {
        let test = MannWhitney(experiment: reference.experiment, control: reference.control)
        #expect(Self.close(test.u, reference.u), "\(reference.name): U \(test.u) ≠ \(reference.u)")
        #expect(
            Self.close(test.pValue, reference.p_value), "\(reference.name): p \(test.pValue) ≠ \(reference.p_value)")
        let shift = HodgesLehmann(experiment: reference.experiment, control: reference.control)
        #expect(
            Self.close(shift.estimate, reference.hodges_lehmann),
            "\(reference.name): HL \(shift.estimate) ≠ \(reference.hodges_lehmann)")
        // The search path, forced, gives the same estimate.
        let searched = HodgesLehmann(
            PairwiseDifferences(experiment: reference.experiment, control: reference.control, enumerationLimit: 0),
            confidence: 0.98)
        #expect(searched == shift, "\(reference.name)")
    }

    @Test("the one-sided Fisher exact p-value equals scipy's", arguments: reference.fisher)
    func fisherMatchesScipy(_ reference: Reference.Fisher) {
        let t = reference.table
        let p = FisherExact.greater(t[0][0], t[0][1], t[1][0], t[1][1])
        #expect(Self.close(p, reference.p_value), "\(t): p \(p) ≠ \(reference.p_value)")
    }

    @Test("the normal quantile is accurate to the last digits")
    func normalQuantile() {
        // scipy.stats.norm.ppf
        for (p, z) in [
            (0.99, 2.3263478740408408), (0.975, 1.959963984540054), (0.5, 0.0), (0.995, 2.5758293035489004),
            (1e-10, -6.361340902404056), (0.9999999, 5.199337582290661),
        ] {
            #expect(abs(NormalDistribution.quantile(p) - z) <= 1e-13 * max(1, abs(z)), "\(p)")
        }
    }

    // MARK: - Moses' interval and the selection

    /// Moses' interval by brute force: all differences sorted, the order statistics by the formula.
    static func bruteInterval(_ experiment: [Double], _ control: [Double], z: Double) -> (Double, Double)? {
        var all: [Double] = []
        for e in experiment { for c in control { all.append(e - c) } }
        all.sort()
        let m = Double(experiment.count)
        let n = Double(control.count)
        let k = Int((m * n / 2 - z * (m * n * (m + n + 1) / 12).squareRoot() + 0.5).rounded(.down))
        guard k >= 1 else { return nil }
        return (all[k - 1], all[all.count - k])
    }

    @Test("the confidence interval equals brute force on small samples, at 98 % and 95 %")
    func intervalMatchesBruteForce() {
        var random = SplitMix(state: 42)
        for round in 0..<60 {
            let m = Int.random(in: 1...40, using: &random)
            let n = Int.random(in: 1...40, using: &random)
            let integers = round % 3 == 0
            let experiment = (0..<m).map { _ in
                integers ? Double(Int.random(in: 0...5, using: &random)) : Double.random(in: 0...10, using: &random)
            }
            let control = (0..<n).map { _ in
                integers ? Double(Int.random(in: 0...5, using: &random)) : Double.random(in: 0...9, using: &random)
            }
            for (confidence, z) in [(0.98, 2.3263478740408408), (0.95, 1.959963984540054)] {
                let shift = HodgesLehmann(experiment: experiment, control: control, confidence: confidence)
                let brute = Self.bruteInterval(experiment, control, z: z)
                #expect(shift.lower == brute?.0 && shift.upper == brute?.1, "\(m)×\(n) at \(confidence)")
            }
        }
    }

    @Test("the interval is unbounded when the samples are too small for the confidence (1 vs 5 at 98 %)")
    func intervalTooSmall() {
        let shift = HodgesLehmann(experiment: [10], control: [1, 2, 3, 4, 5])
        #expect(shift.lower == nil && shift.upper == nil)
        #expect(shift.estimate == 7)
    }

    @Test("the search for an order statistic equals the sorted differences, across the enumeration limit")
    func searchEqualsSort() {
        var random = SplitMix(state: 7)
        // Small samples with the search forced: reals, heavy ties, negative values.
        for round in 0..<40 {
            let m = Int.random(in: 1...60, using: &random)
            let n = Int.random(in: 1...60, using: &random)
            let draw: (inout SplitMix) -> Double = { random in
                switch round % 3 {
                case 0: Double.random(in: -5...5, using: &random)
                case 1: Double(Int.random(in: 0...3, using: &random))
                default: exp(Double.random(in: 0...3, using: &random))
                }
            }
            let experiment = (0..<m).map { _ in draw(&random) }
            let control = (0..<n).map { _ in draw(&random) }
            let sorted = PairwiseDifferences(experiment: experiment, control: control)
            let searched = PairwiseDifferences(experiment: experiment, control: control, enumerationLimit: 0)
            for k in Set([0, m * n / 2, m * n - 1, Int.random(in: 0..<(m * n), using: &random)]) {
                #expect(searched.orderStatistic(k) == sorted.orderStatistic(k), "\(m)×\(n), k \(k)")
            }
        }
        // Just above the limit (1,100 × 1,000 > 1,000,000): the default takes the search path.
        for ties in [false, true] {
            let experiment = (0..<1_100).map { _ in
                ties ? Double(Int.random(in: 0...20, using: &random)) : exp(Double.random(in: 2...4, using: &random))
            }
            let control = (0..<1_000).map { _ in
                ties ? Double(Int.random(in: 0...20, using: &random)) : exp(Double.random(in: 2...4, using: &random))
            }
            var all: [Double] = []
            all.reserveCapacity(1_100_000)
            for e in experiment { for c in control { all.append(e - c) } }
            all.sort()
            let differences = PairwiseDifferences(experiment: experiment, control: control)
            for k in [0, 1, 12_345, 549_999, 550_000, 1_099_999] {
                #expect(differences.orderStatistic(k) == all[k], "ties \(ties), k \(k)")
            }
            let shift = HodgesLehmann(experiment: experiment, control: control)
            #expect(shift.estimate == (all[549_999] + all[550_000]) / 2)
            let brute = Self.bruteInterval(experiment, control, z: 2.3263478740408408)
            #expect(shift.lower == brute?.0 && shift.upper == brute?.1)
        }
    }

    // MARK: - Classification

    static func judge(
        _ experiment: [Double], _ control: [Double], _ direction: Direction = .either, tolerance: Double = 0.10
    ) throws -> SampleJudgement {
        try SampleJudgement(
            experiment: experiment, control: control, options: .init(direction: direction, tolerance: tolerance))
    }

    @Test("all ties: U = n₁n₂/2 and p = 1 as in scipy, shift 0, Pass")
    func allTies() throws {
        let small = try Self.judge([3, 3, 3, 3], [3, 3, 3])
        #expect(small.u == 6 && small.pValue == 1 && small.hodgesLehmann == 0)
        #expect(small.classification == .pass && !small.fails)
        let judgement = try Self.judge(Array(repeating: 3, count: 20), Array(repeating: 3, count: 15))
        #expect(judgement.u == 150 && judgement.pValue == 1)
        #expect(judgement.hodgesLehmann == 0 && judgement.ciLow == 0 && judgement.ciHigh == 0)
        #expect(judgement.classification == .pass && !judgement.fails)
    }

    @Test("an empty control or experiment, or one with no finite values, is Nodata and not a failure")
    func nodata() throws {
        for (experiment, control) in [([], [1.0, 2]), ([1.0, 2], []), ([.nan, .infinity], [1.0]), ([], [])] {
            let judgement = try Self.judge(experiment, control)
            #expect(judgement.classification == .nodata && !judgement.fails)
            #expect(judgement.u == nil && judgement.pValue == nil && judgement.hodgesLehmann == nil)
        }
    }

    @Test("one value against five: judged, and the interval is too wide to call it anything but Pass")
    func sizeOne() throws {
        let judgement = try Self.judge([100], [1, 2, 3, 4, 5])
        #expect(judgement.u == 5 && judgement.hodgesLehmann == 97)
        #expect(judgement.ciLow == nil && judgement.classification == .pass)
    }

    @Test("a clear increase is High: it fails for increase and either, and passes for decrease")
    func clearIncrease() throws {
        var random = SplitMix(state: 3)
        let control = (0..<200).map { _ in Double.random(in: 90...110, using: &random) }
        let experiment = (0..<200).map { _ in Double.random(in: 120...140, using: &random) }
        for (direction, fails) in [(Direction.increase, true), (.either, true), (.decrease, false)] {
            let judgement = try Self.judge(experiment, control, direction)
            #expect(judgement.observed == .high)
            #expect(judgement.fails == fails, "\(direction)")
            #expect(judgement.classification == (fails ? .high : .pass))
        }
        let lower = try Self.judge(control, experiment, .increase)
        #expect(lower.observed == .low && lower.classification == .pass && !lower.fails)
        #expect(try Self.judge(control, experiment, .decrease).classification == .low)
    }

    @Test("a small significant shift within the tolerance is Pass; without tolerance it is High")
    func withinTolerance() throws {
        var random = SplitMix(state: 5)
        let control = (0..<2_000).map { _ in Double.random(in: 99...101, using: &random) }
        let experiment = (0..<2_000).map { _ in Double.random(in: 100...102, using: &random) }
        let judgement = try Self.judge(experiment, control, .increase)
        #expect((judgement.ciLow ?? 0) > 0, "the shift is significant")
        #expect(judgement.classification == .pass && !judgement.fails)
        #expect(abs((judgement.effect ?? 0) - 0.01) < 0.002)
        #expect(try Self.judge(experiment, control, .increase, tolerance: 0).classification == .high)
    }

    @Test("with a control median of 0 there is no tolerance and no relative effect")
    func zeroMedian() throws {
        let judgement = try Self.judge(Array(repeating: 1, count: 50), Array(repeating: 0, count: 50), tolerance: 100)
        #expect(judgement.effect == nil && judgement.classification == .high)
    }

    @Test("a confidence outside (0, 1) or a negative tolerance is refused with a message")
    func badOptions() {
        for options in [SampleJudgement.Options(confidence: 1), .init(confidence: 0), .init(tolerance: -0.1)] {
            #expect(throws: JudgeError.self) { try SampleJudgement(experiment: [1], control: [2], options: options) }
        }
    }

    @Test("error rates: a real rise is High, 0 against 0.05 % is under the floor, no requests is Nodata")
    func rates() throws {
        let rise = try RateJudgement(
            experimentErrors: 150, experimentRequests: 10_000, controlErrors: 100, controlRequests: 10_000)
        #expect(rise.classification == .high && rise.fails && (rise.pValue ?? 1) < 0.02)
        let floor = try RateJudgement(
            experimentErrors: 50, experimentRequests: 100_000, controlErrors: 0, controlRequests: 100_000)
        #expect((floor.pValue ?? 1) < 1e-10 && floor.classification == .pass)
        let within = try RateJudgement(
            experimentErrors: 10_500, experimentRequests: 1_000_000, controlErrors: 10_000, controlRequests: 1_000_000)
        #expect(within.classification == .pass, "5 % above a 1 % rate, inside the 10 % tolerance")
        let none = try RateJudgement(experimentErrors: 0, experimentRequests: 0, controlErrors: 1, controlRequests: 10)
        #expect(none.classification == .nodata && !none.fails)
        let lower = try RateJudgement(
            experimentErrors: 0, experimentRequests: 10_000, controlErrors: 500, controlRequests: 10_000)
        #expect(lower.classification == .pass)
        #expect(throws: JudgeError.self) {
            try RateJudgement(experimentErrors: 11, experimentRequests: 10, controlErrors: 0, controlRequests: 10)
        }
        // Counts of 10^7 stay accurate (the reference table checks the digits).
        let large = try RateJudgement(
            experimentErrors: 25_000, experimentRequests: 10_000_000, controlErrors: 24_000,
            controlRequests: 10_000_000, tolerance: 0, floor: 0)
        #expect(large.classification == .high)
    }

    // MARK: - Scoring

    static func metric(_ name: String, _ classification: Classification, weight: Double = 1, critical: Bool = false)
        throws -> MetricJudgement
    {
        let control: [Double] = Array(repeating: 100, count: 30)
        let experiment: [Double]
        switch classification {
        case .high: experiment = Array(repeating: 200, count: 30)
        case .low: experiment = Array(repeating: 50, count: 30)
        case .pass: experiment = control
        case .nodata: experiment = []
        }
        let samples = try SampleJudgement(experiment: experiment, control: control)
        #expect(samples.classification == classification)
        return MetricJudgement(name: name, samples: samples, weight: weight, critical: critical)
    }

    @Test("a critical metric that fails fails the step, whatever the score")
    func criticalFails() throws {
        let metrics =
            try (0..<99).map { try Self.metric("m\($0)", .pass) } + [Self.metric("errors", .high, critical: true)]
        let step = try StepJudgement(metrics: metrics)
        #expect(step.score == 99 && step.outcome == .fail)
        let notCritical = try StepJudgement(metrics: Array(metrics.dropLast()) + [Self.metric("errors", .high)])
        #expect(notCritical.outcome == .pass)
    }

    @Test("weights count, Nodata is left out of both sums, and all Nodata is nodata")
    func weightsAndNodata() throws {
        let step = try StepJudgement(metrics: [
            Self.metric("latency", .pass, weight: 3), Self.metric("cpu", .low, weight: 1),
            Self.metric("missing", .nodata, weight: 10),
        ])
        #expect(step.score == 75 && step.outcome == .marginal)
        let nothing = try StepJudgement(metrics: [Self.metric("a", .nodata), Self.metric("b", .nodata)])
        #expect(nothing.score == nil && nothing.outcome == .nodata)
        #expect(try StepJudgement(metrics: []).outcome == .nodata)
        #expect(throws: JudgeError.self) { try StepJudgement(metrics: [Self.metric("a", .pass, weight: 0)]) }
    }

    @Test("thresholds: 95 passes, just under is marginal, 75 is marginal, just under fails")
    func thresholds() throws {
        func step(passed: Double, failed: Double) throws -> StepJudgement {
            try StepJudgement(metrics: [
                Self.metric("good", .pass, weight: passed), Self.metric("bad", .high, weight: failed),
            ])
        }
        #expect(try step(passed: 95, failed: 5).outcome == .pass)
        #expect(try step(passed: 94.9, failed: 5.1).outcome == .marginal)
        #expect(try step(passed: 75, failed: 25).outcome == .marginal)
        #expect(try step(passed: 74.9, failed: 25.1).outcome == .fail)
        let strict = try StepJudgement.Thresholds(pass: 100, marginal: 100)
        #expect(try StepJudgement(metrics: [Self.metric("a", .pass)], thresholds: strict).outcome == .pass)
        #expect(throws: JudgeError.self) { try StepJudgement.Thresholds(pass: 70, marginal: 80) }
    }
}
