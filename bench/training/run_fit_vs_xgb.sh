#!/usr/bin/env bash
# Like-for-like training time (issue 3): one CandidateFitter.Fit per tree grid point vs one XGBoost hist fit on the
# same encoded rows. Run from anywhere:
#   bench/training/run_fit_vs_xgb.sh [--rows 1000000] [--threads default,2] [--xgb-jobs 2,1] [--work /tmp/lp-scale] [--json out.json]
# Not part of the test suite. Run nothing else heavy meanwhile: the timings are wall clock on shared cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -f LeadPropensity.sln ] || { echo "cannot find the repository root" >&2; exit 1; }
. bench/lib/python.sh
ensure_python "import sklearn, xgboost, numpy" python3-sklearn python3-xgboost
dotnet build -c Release src/Training -v quiet -nologo >/dev/null
dotnet build -c Release bench/TrainingScale -v quiet -nologo >/dev/null
exec "$PY" -u bench/training/fit_vs_xgb.py "$@"
