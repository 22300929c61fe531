import Foundation

/// The one-sided Fisher exact test of a 2×2 table: is the first row's proportion greater than the second's?
///
/// For the table [[a, b], [c, d]] (experiment errors and successes, then control's), the p-value is
/// P(X ≥ a) for X hypergeometric: a + b draws from a + b + c + d items of which a + c are errors. That is
/// `scipy.stats.fisher_exact(table, alternative='greater').pvalue`; like scipy, a table with an empty row
/// or column has p = 1.
///
/// The probabilities use Loader's saddle-point expansion of the binomial (`stirlerr` and `bd0`, as R's
/// `dhyper` and `phyper` do) rather than differences of log-gamma values: with counts near 10⁷, log-gamma
/// is near 10⁸ and its rounding alone would cost eight digits of the p-value. The tail is summed from
/// the smaller side, term by term through the ratio of neighbouring probabilities.
enum FisherExact {
    static func greater(_ a: Int, _ b: Int, _ c: Int, _ d: Int) -> Double {
        precondition(a >= 0 && b >= 0 && c >= 0 && d >= 0, "counts are never negative")
        if a + b == 0 || c + d == 0 || a + c == 0 || b + d == 0 { return 1 }
        let errors = Double(a + c)
        let successes = Double(b + d)
        let draws = Double(a + b)
        return min(1, hypergeometricCDF(Double(a) - 1, red: errors, black: successes, draws: draws, lower: false))
    }

    /// P(X ≤ x) (or P(X > x) when not `lower`) for X red balls among `draws` from `red` + `black`.
    static func hypergeometricCDF(_ x: Double, red: Double, black: Double, draws n: Double, lower: Bool) -> Double {
        var x = x.rounded(.down)
        var red = red
        var black = black
        var lower = lower
        // Sum the tail on the lower side of the mean; flip the question if x is above it.
        if x * (red + black) > n * red {
            swap(&red, &black)
            x = n - x - 1
            lower.toggle()
        }
        if x < 0 || x < n - black { return lower ? 0 : 1 }
        if x >= red || x >= n { return lower ? 1 : 0 }
        let probability = exp(logHypergeometricPMF(x, red: red, black: black, draws: n))
        // Σ_{y ≤ x} P(y) / P(x), through P(y − 1)/P(y).
        var sum = 0.0
        var term = 1.0
        var y = x
        while y > 0, term >= Double.ulpOfOne * sum {
            term *= y * (black - n + y) / (n + 1 - y) / (red + 1 - y)
            sum += term
            y -= 1
        }
        let cdf = probability * (1 + sum)
        return lower ? cdf : 1 - cdf
    }

    /// log P(X = x) for the hypergeometric distribution, as a ratio of three binomial probabilities.
    static func logHypergeometricPMF(_ x: Double, red: Double, black: Double, draws n: Double) -> Double {
        let p = n / (red + black)
        let q = (red + black - n) / (red + black)
        return logBinomialPMF(x, red, p, q) + logBinomialPMF(n - x, black, p, q)
            - logBinomialPMF(n, red + black, p, q)
    }

    /// log of the binomial probability of x in n trials with success probability p (q = 1 − p), by
    /// Loader's method.
    static func logBinomialPMF(_ x: Double, _ n: Double, _ p: Double, _ q: Double) -> Double {
        if p == 0 { return x == 0 ? 0 : -.infinity }
        if q == 0 { return x == n ? 0 : -.infinity }
        if x == 0 {
            if n == 0 { return 0 }
            return p < 0.1 ? -deviance(n, n * q) - n * p : n * log(q)
        }
        if x == n { return q < 0.1 ? -deviance(n, n * p) - n * q : n * log(p) }
        if x < 0 || x > n { return -.infinity }
        let lc =
            stirlingError(n) - stirlingError(x) - stirlingError(n - x) - deviance(x, n * p)
            - deviance(n - x, n * q)
        let lf = log(2 * Double.pi) + log(x) + log1p(-x / n)
        return lc - 0.5 * lf
    }

    /// log(n!) − log(√(2π) n^(n+½) e^(−n)), the error of Stirling's formula, for integers n ≥ 1.
    static func stirlingError(_ n: Double) -> Double {
        if n <= 15 {
            return lgamma(n + 1) - (n + 0.5) * log(n) + n - 0.5 * log(2 * Double.pi)
        }
        let s0 = 1.0 / 12
        let s1 = 1.0 / 360
        let s2 = 1.0 / 1260
        let s3 = 1.0 / 1680
        let s4 = 1.0 / 1188
        let nn = n * n
        if n > 500 { return (s0 - s1 / nn) / n }
        if n > 80 { return (s0 - (s1 - s2 / nn) / nn) / n }
        if n > 35 { return (s0 - (s1 - (s2 - s3 / nn) / nn) / nn) / n }
        return (s0 - (s1 - (s2 - (s3 - s4 / nn) / nn) / nn) / nn) / n
    }

    /// x log(x/m) + m − x, without cancellation when x is close to m.
    static func deviance(_ x: Double, _ m: Double) -> Double {
        if abs(x - m) < 0.1 * (x + m) {
            var v = (x - m) / (x + m)
            var s = (x - m) * v
            if abs(s) < Double.leastNormalMagnitude { return s }
            var ej = 2 * x * v
            v *= v
            for j in 1..<1000 {
                ej *= v
                let next = s + ej / Double(2 * j + 1)
                if next == s { return next }
                s = next
            }
        }
        return x * log(x / m) + m - x
    }
}
