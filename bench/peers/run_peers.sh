#!/usr/bin/env bash
# Issue 3's peer comparison: our trainer vs scikit-learn HistGradientBoosting (raw and isotonic-calibrated)
# and XGBoost (hist) on identical train/test files. Run from the repository root:
#   bench/peers/run_peers.sh [--repeat N] [--datasets sample,bank,bank-noduration] [--json out.json]
# Not part of the test suite (CI does not run bench/).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f LeadPropensity.sln ] || { echo "cannot find the repository root" >&2; exit 1; }

. bench/lib/python.sh
ensure_python "import sklearn, xgboost, pandas" python3-sklearn python3-xgboost python3-pandas
[ -f "${BANK_CSV:-../shared/data/bank-marketing.csv}" ] || { echo "needs bank-marketing.csv: set BANK_CSV (UCI Bank Marketing; see the shared data README)" >&2; exit 1; }

# Build once; the timed runs then use --no-build so build time is not counted as training time.
dotnet build -c Release src/Training -v quiet -nologo >/dev/null
exec "$PY" bench/peers/peers.py "$@"
