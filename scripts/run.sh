#!/usr/bin/env bash
# The main job on bundled defaults: train on the bundled sample and print the summary.
set -euo pipefail
cd "$(dirname "$0")/.."
export DOTNET_CLI_TELEMETRY_OPTOUT=1 DOTNET_NOLOGO=1
out=${LP_SCRATCH:-out/models}
dotnet run -c Release --project src/Training -- train --data data/sample/leads.csv --schema data/sample/schema.json --out "$out" "$@"
