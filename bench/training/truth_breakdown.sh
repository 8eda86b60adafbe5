#!/usr/bin/env bash
# How far a model is from the true probabilities of the generated sample, and how much of that a perfect re-calibration
# could remove (issue 3's truth test). Scores an independent generated file (seed 7, as scripts/build-default-model.sh)
# with MODEL (default: the champion in models/), then prints the mean |p - true| and, fitted on half the rows and judged
# on the other half, the same after re-calibrating the scores on the true probabilities themselves (isotonic, and
# linear in logit). What re-calibration cannot remove is ranking error: the model's estimation error, not its calibration.
# Usage: bench/training/truth_breakdown.sh [MODEL]
set -euo pipefail
cd "$(dirname "$0")/../.."
. bench/lib/python.sh
ensure_python "import sklearn, numpy" python3-sklearn
model=${1:-champion}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
dotnet run -c Release --project src/Training -- generate --rows 20000 --seed 7 --out "$work/test.csv" --truth "$work/truth.csv" >/dev/null
dotnet run -c Release --project src/Training -- score --model "$model" --data "$work/test.csv" --out "$work/scored.csv" >/dev/null
"$PY" - "$work/scored.csv" "$work/truth.csv" <<'PY'
import csv, sys
import numpy as np
from sklearn.isotonic import IsotonicRegression
scored = {r["lead_id"]: float(r["probability"]) for r in csv.DictReader(open(sys.argv[1]))}
truth = {r["lead_id"]: float(r["true_probability"]) for r in csv.DictReader(open(sys.argv[2]))}
ids = sorted(scored)
p = np.array([scored[i] for i in ids]); t = np.array([truth[i] for i in ids])
a = np.arange(len(p)) % 2 == 0; b = ~a
print(f"rows {len(p)}: mean |p - true| {np.abs(p - t).mean():.4f} (mean p {p.mean():.4f}, mean true {t.mean():.4f})")
print(f"judged on half the rows: as scored {np.abs(p[b] - t[b]).mean():.4f}")
iso = IsotonicRegression(out_of_bounds="clip").fit(p[a], t[a])
print(f"  re-calibrated on the truth, isotonic: {np.abs(iso.predict(p[b]) - t[b]).mean():.4f}")
logit = lambda x: np.log(x / (1 - x))
X = np.vstack([logit(np.clip(p, 1e-6, 1 - 1e-6)), np.ones_like(p)]).T
coef = np.linalg.lstsq(X[a], logit(t[a]), rcond=None)[0]
q = 1 / (1 + np.exp(-(X[b] @ coef)))
print(f"  re-calibrated on the truth, linear in logit (slope {coef[0]:.3f}, intercept {coef[1]:+.3f}): {np.abs(q - t[b]).mean():.4f}")
PY
