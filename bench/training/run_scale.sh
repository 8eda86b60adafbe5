#!/usr/bin/env bash
# Training-time benchmark (issue 3): our `train --trainer fasttree|lightgbm` on generated leads vs one XGBoost hist
# fit with the same trees, plus the 20,000-row sample with the default trainer. Run from the repository root:
#   bench/training/run_scale.sh [--rows 1000000] [--trainers fasttree,lightgbm] [--timeout 1500] [--sample-repeat 3] [--json out.json]
# If 1,000,000 rows take longer than the timeout on your machine, use e.g. --rows 200000,500000.
# Not part of the test suite (CI does not run bench/). Run nothing else heavy meanwhile: the timings are wall clock.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f LeadPropensity.sln ] || { echo "cannot find the repository root" >&2; exit 1; }

. bench/lib/python.sh
ensure_python "import sklearn, xgboost, pandas" python3-sklearn python3-xgboost python3-pandas

dotnet build -c Release src/Training -v quiet -nologo >/dev/null
exec "$PY" bench/training/scale.py "$@"
