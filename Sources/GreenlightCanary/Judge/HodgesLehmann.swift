/// The Hodges-Lehmann estimate of the shift between experiment and control, with its distribution-free
/// confidence interval.
///
/// The estimate is the median of the m·n pairwise differences D = experiment[j] − control[i]
/// (Hodges & Lehmann 1963), the mean of the middle two when m·n is even, as
/// `numpy.median(numpy.subtract.outer(experiment, control))` computes it.
///
/// The interval is Moses' (1965; Hollander, Wolfe & Chicken, *Nonparametric Statistical Methods*,
/// 3rd ed., §4.3): the order statistics [D₍ₖ₎, D₍ₘₙ₊₁₋ₖ₎] of the sorted differences (1-based), where k
/// comes from the normal approximation of the null distribution of U (mean mn/2, variance
/// mn(m+n+1)/12, without the tie correction):
///
///     k = ⌊ mn/2 − z · √(mn(m+n+1)/12) + ½ ⌋,   z = Φ⁻¹(1 − (1 − confidence)/2)
///
/// The + ½ is the continuity correction: the exact rule takes the largest k with P(U ≤ k − 1) ≤ α/2,
/// and P(U ≤ k − 1) ≈ Φ((k − ½ − mn/2)/σ); it is the "nearest integer" of Hollander & Wolfe. When
/// k < 1 the samples are too small for the confidence asked: no order statistic bounds the shift and
/// both ends are `nil` (unbounded).
public struct HodgesLehmann: Sendable, Hashable, Codable {
    /// The median of the pairwise differences.
    public var estimate: Double
    /// The lower end of the confidence interval; `nil` when it is unbounded.
    public var lower: Double?
    /// The upper end of the confidence interval; `nil` when it is unbounded.
    public var upper: Double?
    /// The confidence of the interval, e.g. 0.98.
    public var confidence: Double

    /// Estimates the shift of two non-empty samples of finite values.
    public init(experiment: [Double], control: [Double], confidence: Double = 0.98) {
        self.init(PairwiseDifferences(experiment: experiment, control: control), confidence: confidence)
    }

    init(_ differences: PairwiseDifferences, confidence: Double) {
        precondition(differences.count > 0, "the Hodges-Lehmann estimate needs two non-empty samples")
        precondition(confidence > 0 && confidence < 1, "a confidence strictly between 0 and 1")
        let total = differences.count
        if total % 2 == 1 {
            estimate = differences.orderStatistic(total / 2)
        } else {
            estimate = (differences.orderStatistic(total / 2 - 1) + differences.orderStatistic(total / 2)) / 2
        }
        self.confidence = confidence
        if let k = Self.mosesRank(
            experimentCount: differences.experiment.count, controlCount: differences.control.count,
            confidence: confidence)
        {
            lower = differences.orderStatistic(k - 1)
            upper = differences.orderStatistic(total - k)
        }
    }

    /// Moses' k (1-based), or nil when it is below 1.
    static func mosesRank(experimentCount m: Int, controlCount n: Int, confidence: Double) -> Int? {
        let mn = Double(m) * Double(n)
        let sigma = (mn * Double(m + n + 1) / 12).squareRoot()
        let z = NormalDistribution.quantile(1 - (1 - confidence) / 2)
        let k = (mn / 2 - z * sigma + 0.5).rounded(.down)
        guard k >= 1 else { return nil }
        return Int(k)
    }
}
