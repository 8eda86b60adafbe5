#!/usr/bin/python3
"""Reference values for LeadPropensity.Core.Evaluation.Metrics, from scikit-learn, scipy and numpy.

Run with the Debian interpreter (apt-get install python3-sklearn python3-numpy):
    /usr/bin/python3 tests/Core.Tests/Fixtures/make_metric_fixtures.py
It rewrites metric_fixtures.json beside this script. The C# tests only read the JSON.

Conventions the C# code must share (they are the product's, not sklearn's):
- equal-width bin of p is min(floor(p * B), B - 1): bin i is [i/B, (i+1)/B), 1.0 in the last bin;
  every bin is reported, empty ones with count 0 and null mean/rate.
- equal-mass edges are quantiles of p at k/B with linear interpolation (numpy's default), computed
  with exact integer positions; a value goes to bin #(inner edges < value) (sklearn calibration_curve
  'quantile'), so ties stay together; only non-empty bins are reported, renumbered from 0.
- lift deciles: stable sort by descending score (ties keep input order), decile d holds sorted
  positions [floor((d-1)N/10), floor(dN/10)); empty deciles (N < 10) are left out.
- PSI: edges are the equal-mass edges of `expected`, zero shares become 1e-4.
- undefined values (AUC with one class, AP without positives, rates of empty groups) are null (NaN).
"""
import json
import math
import os

import numpy as np
import scipy
import sklearn
from scipy.stats import binomtest
from sklearn.calibration import calibration_curve
from sklearn.metrics import average_precision_score, brier_score_loss, log_loss, roc_auc_score

Z = 1.959963984540054
EPS_LOGLOSS = 1e-15
EPS_PSI = 1e-4


def nan_to_none(x):
    return None if x is None or (isinstance(x, float) and math.isnan(x)) else float(x)


def wilson(k, n):
    if n == 0:
        return 0.0, 1.0
    ci = binomtest(int(k), int(n)).proportion_ci(confidence_level=0.95, method="wilson")
    return max(0.0, float(ci.low)), min(1.0, float(ci.high))


def width_ids(p, bins):
    return np.minimum(np.floor(p * bins).astype(int), bins - 1)


def quantile_edges(x, bins):
    """Edges at k/B, linear interpolation, integer positions so C# gets the same doubles."""
    s = np.sort(np.asarray(x, dtype=float))
    n = len(s)
    edges = []
    for k in range(bins + 1):
        lo, rem = divmod((n - 1) * k, bins)
        edges.append(float(s[lo]) if rem == 0 else float(s[lo] + (rem / bins) * (s[lo + 1] - s[lo])))
    assert np.allclose(edges, np.quantile(s, np.linspace(0, 1, bins + 1)), rtol=0, atol=1e-12)
    return edges


def mass_ids(x, edges):
    return np.searchsorted(np.asarray(edges[1:-1]), x, side="left")


def reliability(p, y, bins, strategy):
    rows = []
    if strategy == "width":
        ids = width_ids(p, bins)
        bounds = [(i / bins, (i + 1) / bins) for i in range(bins)]
    else:
        edges = quantile_edges(p, bins)
        ids = mass_ids(p, edges)
        bounds = [(edges[i], edges[i + 1]) for i in range(bins)]
    for i in range(bins):
        m = ids == i
        n = int(m.sum())
        if n == 0 and strategy == "mass":
            continue
        k = int(y[m].sum())
        lo, hi = wilson(k, n)
        rows.append({
            "index": len(rows) if strategy == "mass" else i,
            "lower": bounds[i][0], "upper": bounds[i][1], "count": n,
            "mean_predicted": nan_to_none(float(p[m].mean()) if n else float("nan")),
            "observed_rate": nan_to_none(k / n if n else float("nan")),
            "wilson_low": lo, "wilson_high": hi,
        })
    if len(np.unique(y)) == 2:  # sklearn's own binning agrees on the non-empty bins
        prob_true, prob_pred = calibration_curve(y, p, n_bins=bins, strategy="quantile" if strategy == "mass" else "uniform")
        ours = [r for r in rows if r["count"] > 0]
        if strategy == "mass":
            assert np.allclose(prob_true, [r["observed_rate"] for r in ours], atol=1e-12)
            assert np.allclose(prob_pred, [r["mean_predicted"] for r in ours], atol=1e-12)
    return rows


def ece_mce(rows, n):
    gaps = [(r["count"], abs(r["mean_predicted"] - r["observed_rate"])) for r in rows if r["count"] > 0]
    return sum(c / n * g for c, g in gaps), max(g for _, g in gaps)


def murphy(p, y, bins):
    ids = width_ids(p, bins)
    n, obar = len(p), y.mean()
    rel = res = 0.0
    for i in range(bins):
        m = ids == i
        if m.any():
            w = m.sum() / n
            rel += w * (p[m].mean() - y[m].mean()) ** 2
            res += w * (y[m].mean() - obar) ** 2
    return {"brier": float(np.mean((p - y) ** 2)), "reliability": float(rel), "resolution": float(res),
            "uncertainty": float(obar * (1 - obar))}


def lift(p, y):
    order = np.argsort(-p, kind="stable")
    n, total = len(p), int(y.sum())
    base = total / n
    rows, cum = [], 0
    for d in range(1, 11):
        idx = order[(d - 1) * n // 10: d * n // 10]
        if len(idx) == 0:
            continue
        k = int(y[idx].sum())
        cum += k
        rate = k / len(idx)
        rows.append({"decile": d, "count": int(len(idx)), "positives": k, "rate": rate,
                     "lift": nan_to_none(rate / base if base > 0 else float("nan")),
                     "cumulative_gain": nan_to_none(cum / total if total > 0 else float("nan")),
                     "min_score": float(p[idx].min()), "max_score": float(p[idx].max())})
    return rows


def bands(p, y, cutoffs):
    mins = [c for _, c in cutoffs]
    band_of = np.array([next(i for i, c in enumerate(mins) if c <= v) for v in p])
    n, total = len(p), int(y.sum())
    rows, conf = [], []
    for i, (name, cut) in enumerate(cutoffs):
        m, above = band_of == i, band_of <= i
        c, k = int(m.sum()), int(y[m].sum())
        ca, ka = int(above.sum()), int(y[above].sum())
        lo, hi = wilson(k, c)
        rows.append({"name": name, "count": c, "share": c / n, "positives": k,
                     "conversion_rate": nan_to_none(k / c if c else float("nan")), "wilson_low": lo, "wilson_high": hi,
                     "precision_at_or_above": nan_to_none(ka / ca if ca else float("nan")),
                     "recall_at_or_above": nan_to_none(ka / total if total else float("nan"))})
        pred = p >= cut
        conf.append({"band": name, "cutoff": cut, "tp": int((pred & (y == 1)).sum()), "fp": int((pred & (y == 0)).sum()),
                     "tn": int((~pred & (y == 0)).sum()), "fn": int((~pred & (y == 1)).sum())})
    return rows, conf


def psi(expected, actual, bins):
    edges = quantile_edges(expected, bins)
    e = np.bincount(mass_ids(np.asarray(expected), edges), minlength=bins) / len(expected)
    a = np.bincount(mass_ids(np.asarray(actual), edges), minlength=bins) / len(actual)
    return psi_shares(e, a)


def psi_shares(e, a):
    e = np.where(np.asarray(e) == 0, EPS_PSI, e)
    a = np.where(np.asarray(a) == 0, EPS_PSI, a)
    return float(np.sum((a - e) * np.log(a / e)))


def case(name, p, y, bins=10):
    p, y = np.asarray(p, dtype=float), np.asarray(y, dtype=int)
    two = len(np.unique(y)) == 2
    ll_manual = float(np.mean(-np.where(y == 1, np.log(np.clip(p, EPS_LOGLOSS, 1 - EPS_LOGLOSS)),
                                        np.log(1 - np.clip(p, EPS_LOGLOSS, 1 - EPS_LOGLOSS)))))
    ll = float(log_loss(y, p, eps=EPS_LOGLOSS, labels=[0, 1]))
    assert abs(ll - ll_manual) < 1e-9, (name, ll, ll_manual)
    brier = float(brier_score_loss(y, p, pos_label=1)) if two else float(np.mean((p - y) ** 2))
    width, mass = reliability(p, y, bins, "width"), reliability(p, y, bins, "mass")
    ece_w, mce_w = ece_mce(width, len(p))
    ece_m, mce_m = ece_mce(mass, len(p))
    return {
        "name": name, "bins": bins, "p": [float(v) for v in p], "y": [int(v) for v in y],
        "roc_auc": float(roc_auc_score(y, p)) if two else None,
        # sklearn returns 0 (with a warning) without positives; the product's contract is NaN (null).
        "average_precision": float(average_precision_score(y, p)) if y.sum() > 0 else None,
        "log_loss": ll, "brier": brier, "murphy": murphy(p, y, bins),
        "reliability_equal_width": width, "reliability_equal_mass": mass,
        "ece_equal_width": ece_w, "ece_equal_mass": ece_m, "mce_equal_width": mce_w, "mce_equal_mass": mce_m,
        "lift": lift(p, y),
    }


def main():
    rng = np.random.default_rng(20240611)
    n = 400
    truth = rng.beta(1.2, 3.0, n)
    y = (rng.random(n) < truth).astype(int)
    p = np.clip(truth + rng.normal(0, 0.08, n), 0, 1)   # clipping makes exact 0s and 1s
    p[:120] = np.round(p[:120], 2)                       # ties
    p[120:125] = [0.0, 0.0, 1.0, 1.0, 0.5]               # exact 0/1 with both labels (log-loss clipping)
    y[120:125] = [0, 1, 1, 0, 1]

    cases = [case("main", p, y), case("main_20_bins", p, y, bins=20)]
    cases.append(case("one_class_positive", rng.random(30).round(3), np.ones(30, dtype=int)))
    cases.append(case("one_class_negative", rng.random(30).round(3), np.zeros(30, dtype=int)))
    cases.append(case("all_equal_scores", np.full(50, 0.3), (rng.random(50) < 0.3).astype(int)))
    gap = np.concatenate([rng.uniform(0, 0.2, 40), rng.uniform(0.8, 1.0, 40)])
    cases.append(case("empty_bins", gap, (rng.random(80) < gap).astype(int)))
    heavy = rng.choice([0.1, 0.1, 0.1, 0.1, 0.5, 0.9], 120)
    cases.append(case("heavy_ties", heavy, (rng.random(120) < heavy).astype(int)))
    centres = rng.choice(np.arange(10) / 10 + 0.05, 200)
    cases.append(case("bin_centres", centres, (rng.random(200) < centres).astype(int)))
    cases.append(case("small_n", [0.9, 0.8, 0.8, 0.4, 0.3, 0.2, 0.1], [1, 1, 0, 1, 0, 0, 0]))
    cases.append(case("edges_exact", np.arange(11) / 10, [0, 0, 0, 1, 0, 1, 0, 1, 1, 1, 1]))

    # Murphy is exact when predictions are constant within bins.
    bc = next(c for c in cases if c["name"] == "bin_centres")["murphy"]
    assert abs(bc["brier"] - (bc["reliability"] - bc["resolution"] + bc["uncertainty"])) < 1e-12

    cutoffs = [("SQL", 0.4), ("MQL", 0.15), ("Nurture", 0.0)]
    band_rows, confusion = bands(p, y, cutoffs)

    wilson_cases = [(0, 10), (10, 10), (1, 10), (5, 10), (37, 400), (0, 1), (1, 1), (3, 7), (999, 1000), (0, 0)]
    expected = rng.beta(2, 5, 500)
    drifted = np.clip(rng.beta(2.6, 5, 400) + 0.03, 0, 1)
    psi_cases = [
        {"name": "same_distribution", "expected": expected, "actual": rng.beta(2, 5, 300), "bins": 10},
        {"name": "drifted", "expected": expected, "actual": drifted, "bins": 10},
        {"name": "identical", "expected": expected, "actual": expected, "bins": 10},
        {"name": "tied_expected_5_bins", "expected": np.round(expected, 1), "actual": np.round(drifted, 1), "bins": 5},
        {"name": "actual_outside_range", "expected": expected[:100], "actual": np.concatenate([expected[:50], np.full(20, 0.99)]), "bins": 10},
    ]
    shares = [([0.5, 0.3, 0.2], [0.4, 0.4, 0.2]), ([0.25, 0.25, 0.25, 0.25], [0.0, 0.5, 0.25, 0.25]), ([0.1, 0.9], [0.1, 0.9])]

    out = {
        "generated_by": "tests/Core.Tests/Fixtures/make_metric_fixtures.py",
        "versions": {"sklearn": sklearn.__version__, "numpy": np.__version__, "scipy": scipy.__version__},
        "cases": cases,
        "bands": {"p": [float(v) for v in p], "y": [int(v) for v in y],
                  "cutoffs": [{"name": a, "min_probability": b} for a, b in cutoffs],
                  "rows": band_rows, "confusion": confusion},
        "wilson": [{"successes": k, "n": m, "low": wilson(k, m)[0], "high": wilson(k, m)[1]} for k, m in wilson_cases],
        "psi": [{"name": c["name"], "bins": c["bins"], "expected": [float(v) for v in c["expected"]],
                 "actual": [float(v) for v in c["actual"]], "psi": psi(c["expected"], c["actual"], c["bins"])} for c in psi_cases],
        "psi_shares": [{"expected": e, "actual": a, "psi": psi_shares(e, a)} for e, a in shares],
    }
    path = os.path.join(os.path.dirname(os.path.abspath(__file__)), "metric_fixtures.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, allow_nan=False)
        f.write("\n")
    print("wrote", path, "with", len(cases), "cases")


if __name__ == "__main__":
    main()
