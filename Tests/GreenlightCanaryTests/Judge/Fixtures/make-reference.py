#!/usr/bin/env python3
"""Writes mannwhitney-reference.json: reference values for greenlight's canary judge.

Run from this folder with scipy 1.17 and numpy 2 (seeded, so the output is reproducible):
    python3 make-reference.py > mannwhitney-reference.json

Each Mann-Whitney case holds both samples, u and p_value from
scipy.stats.mannwhitneyu(experiment, control, alternative='two-sided', method='asymptotic',
use_continuity=True), and hodges_lehmann = numpy.median(numpy.subtract.outer(experiment, control)).
Each Fisher case holds a table [[e_err, e_ok], [c_err, c_ok]] and
scipy.stats.fisher_exact(table, alternative='greater').pvalue.
"""
import json
import sys

import numpy as np
import scipy
from scipy import stats

rng = np.random.default_rng(20261130)


def lognormal(n, mu=3.0, sigma=0.5):
    return rng.lognormal(mu, sigma, n)


def case(name, experiment, control):
    experiment = [float(v) for v in experiment]
    control = [float(v) for v in control]
    result = stats.mannwhitneyu(experiment, control, alternative="two-sided", method="asymptotic",
                                use_continuity=True)
    if len(experiment) * len(control) <= 20_000_000:
        hl = float(np.median(np.subtract.outer(np.array(experiment), np.array(control))))
    else:
        raise SystemExit(f"{name}: too large for the outer difference")
    return {
        "name": name,
        "experiment": experiment,
        "control": control,
        "u": float(result.statistic),
        "p_value": float(result.pvalue),
        "hodges_lehmann": hl,
    }


cases = [
    case("tiny, disjoint", [4, 5, 6], [1, 2, 3]),
    case("tiny, interleaved", [1, 3, 5, 7], [2, 4, 6]),
    case("size 1 vs size 5", [10], [1, 2, 3, 4, 5]),
    case("size 5 vs size 1", [1, 2, 3, 4, 5], [10]),
    case("size 1 vs size 1", [2], [1]),
    case("all ties", [3, 3, 3, 3], [3, 3, 3]),
    case("all ties but one", [3, 3, 3, 3], [3, 3, 3, 4]),
    case("heavy ties, small integers", rng.integers(0, 4, 60), rng.integers(0, 4, 50)),
    case("heavy ties, shifted", rng.integers(1, 5, 80), rng.integers(0, 4, 80)),
    case("heavy ties, binary", rng.integers(0, 2, 200), rng.integers(0, 2, 150)),
    case("integers, wide", rng.integers(0, 1000, 300), rng.integers(0, 1000, 300)),
    case("integers, shifted by 50", rng.integers(50, 1050, 300), rng.integers(0, 1000, 300)),
    case("normal, same", rng.normal(0, 1, 40), rng.normal(0, 1, 40)),
    case("normal, shifted up", rng.normal(0.8, 1, 40), rng.normal(0, 1, 40)),
    case("normal, shifted down", rng.normal(-0.8, 1, 40), rng.normal(0, 1, 40)),
    case("normal, negative values", rng.normal(-100, 5, 70), rng.normal(-101, 5, 90)),
    case("latency, lognormal, same", lognormal(500), lognormal(500)),
    case("latency, lognormal, 10% slower", lognormal(500) * 1.1, lognormal(500)),
    case("latency, lognormal, 2% slower", lognormal(800) * 1.02, lognormal(800)),
    case("latency, heavy tail", lognormal(400, 3.0, 1.2), lognormal(400, 3.0, 1.0)),
    case("latency, rounded to ms", np.round(lognormal(600)), np.round(lognormal(600))),
    case("unequal sizes 10 vs 1000", lognormal(10), lognormal(1000)),
    case("unequal sizes 1000 vs 10", lognormal(1000), lognormal(10)),
    case("unequal sizes 7 vs 300, shifted", rng.normal(2, 1, 7), rng.normal(0, 1, 300)),
    case("large 2000 x 3000, same", lognormal(2000), lognormal(3000)),
    case("large 2000 x 3000, 3% slower", lognormal(2000) * 1.03, lognormal(3000)),
    case("large 3000 x 2000, rounded", np.round(lognormal(3000), 1), np.round(lognormal(2000), 1)),
    case("large 1500 x 1500, heavy ties", rng.integers(0, 10, 1500), rng.integers(0, 10, 1500)),
    case("very significant", rng.normal(10, 1, 500), rng.normal(0, 1, 500)),
    case("uniform small values", rng.uniform(0, 1e-6, 50), rng.uniform(0, 1e-6, 60)),
    case("large magnitudes", rng.uniform(1e9, 2e9, 50), rng.uniform(1e9, 2e9, 60)),
    case("zeros and a few positives", np.concatenate([np.zeros(90), rng.uniform(0, 1, 10)]),
         np.concatenate([np.zeros(95), rng.uniform(0, 1, 5)])),
    case("two values each", [1.5, 2.5], [2.0, 3.0]),
    case("odd count of differences", [1, 2, 9], [0, 4, 5]),
    case("error rates per interval", rng.binomial(1000, 0.012, 12) / 1000, rng.binomial(1000, 0.010, 12) / 1000),
]

fisher_tables = [
    [[5, 95], [1, 99]],
    [[0, 100], [0, 100]],
    [[1, 0], [0, 1]],
    [[3, 7], [1, 9]],
    [[10, 990], [10, 990]],
    [[12, 988], [3, 997]],
    [[0, 1000], [5, 995]],
    [[1, 999], [0, 1000]],
    [[50, 9950], [30, 9970]],
    [[120, 99880], [100, 99900]],
    [[1500, 998500], [1000, 999000]],
    [[10500, 9989500], [10000, 9990000]],
    [[25000, 9975000], [24000, 9976000]],
    [[9, 1], [1, 9]],
    [[0, 5], [5, 0]],
    [[100, 0], [0, 100]],
    [[2000, 3000000], [1900, 2950000]],
]
fisher = []
for table in fisher_tables:
    p = stats.fisher_exact(table, alternative="greater").pvalue
    fisher.append({"table": table, "p_value": float(p)})

json.dump({
    "generator": "make-reference.py",
    "scipy": scipy.__version__,
    "numpy": np.__version__,
    "mannwhitney": cases,
    "fisher": fisher,
}, sys.stdout, indent=None, separators=(",", ":"))
sys.stdout.write("\n")
