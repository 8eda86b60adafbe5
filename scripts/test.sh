#!/usr/bin/env bash
# Runs the whole test suite: restores, builds (warnings are errors), starts what the tests need, runs every test project
# (a failed test prints its message and stack, so a CI log says why).
# Used by the README and by .ci/run; safe to run on a fresh machine of this kind.
set -euo pipefail
cd "$(dirname "$0")/.."

export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1 DOTNET_SKIP_FIRST_TIME_EXPERIENCE=1

if [ -f scripts/services.sh ]; then
  # shellcheck source=/dev/null
  source scripts/services.sh
  services_start
  trap services_stop EXIT
fi

dotnet build LeadPropensity.sln -c Release -nologo -v q

log=$(mktemp)
status=0
dotnet test LeadPropensity.sln -c Release --no-build -nologo -v q --logger "console;verbosity=minimal" 2>&1 | tee "$log" || status=$?

passed=$(grep -Eo 'Passed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
failed=$(grep -Eo 'Failed: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
skipped=$(grep -Eo 'Skipped: +[0-9]+' "$log" | awk '{s+=$2} END {print s+0}')
rm -f "$log"
echo "tests: ${passed} passed, ${failed} failed, ${skipped} skipped"
if [ "$status" -ne 0 ] || [ "$failed" -ne 0 ] || [ "$passed" -eq 0 ]; then exit 1; fi
