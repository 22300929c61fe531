/// The two-sided Mann-Whitney U test of an experiment's sample against a control's.
///
/// `u` is the experiment's statistic, U₁ = R₁ − n₁(n₁+1)/2, where R₁ is the sum of the experiment's
/// ranks in the pooled sample (tied values share their mean rank). The p-value is the normal
/// approximation with the tie correction and the continuity correction:
///
///     σ = √( n₁n₂/12 · ((n + 1) − Σ(t³ − t) / (n(n − 1))) ),   n = n₁ + n₂, t = the size of each tie group
///     z = (max(U₁, U₂) − n₁n₂/2 − ½) / σ,                      U₂ = n₁n₂ − U₁
///     p = min(1, 2 · P(Z > z))
///
/// This is what `scipy.stats.mannwhitneyu(experiment, control, alternative='two-sided',
/// method='asymptotic', use_continuity=True)` computes. When every value is the same, σ is 0: scipy's
/// z is −∞ and its p-value 1, and so is this one's.
public struct MannWhitney: Sendable, Hashable, Codable {
    /// The experiment's U statistic.
    public var u: Double
    /// The two-sided p-value.
    public var pValue: Double

    /// Tests two non-empty samples of finite values.
    public init(experiment: [Double], control: [Double]) {
        precondition(!experiment.isEmpty && !control.isEmpty, "the Mann-Whitney test needs two non-empty samples")
        let n1 = Double(experiment.count)
        let n2 = Double(control.count)
        // Pool the samples, marking the experiment's values, and sort by value.
        var pooled: [(value: Double, isExperiment: Bool)] = []
        pooled.reserveCapacity(experiment.count + control.count)
        for value in experiment { pooled.append((value, true)) }
        for value in control { pooled.append((value, false)) }
        pooled.sort { $0.value < $1.value }

        var rankSum = 0.0
        var tieTerm = 0.0
        var start = 0
        while start < pooled.count {
            var end = start + 1
            while end < pooled.count, pooled[end].value == pooled[start].value { end += 1 }
            // Ranks start+1 … end share their mean.
            let meanRank = Double(start + 1 + end) / 2
            var fromExperiment = 0
            for index in start..<end where pooled[index].isExperiment { fromExperiment += 1 }
            rankSum += meanRank * Double(fromExperiment)
            let t = Double(end - start)
            tieTerm += t * t * t - t
            start = end
        }
        let u1 = rankSum - n1 * (n1 + 1) / 2
        let u2 = n1 * n2 - u1
        let n = n1 + n2
        let sigma = (n1 * n2 / 12 * ((n + 1) - tieTerm / (n * (n - 1)))).squareRoot()
        let z = (max(u1, u2) - n1 * n2 / 2 - 0.5) / sigma
        // z is −∞ when every value is tied (0.5 over σ = 0); the tail is then 1, as in scipy.
        let p = sigma > 0 ? 2 * NormalDistribution.upperTail(z) : 1
        self.u = u1
        self.pValue = min(max(p, 0), 1)
    }
}
