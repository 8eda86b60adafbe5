#!/usr/bin/env bash
# The main job on bundled defaults: serve the bundled champion model (models/), the rules (rules.json) and the
# embedded SQLite state store on http://127.0.0.1:5080, with the Development quick-start key `dev-admin-key`.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
export ASPNETCORE_ENVIRONMENT=${ASPNETCORE_ENVIRONMENT:-Development}
exec dotnet run -c Release --project src/Serving --no-launch-profile -- --urls "${LP_URLS:-http://127.0.0.1:5080}" "$@"
