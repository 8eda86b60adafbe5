#!/usr/bin/env bash
# Rebuilds the bundled default model in models/ from the bundled sample, and records its gap to the true
# probabilities of an independent generated file (seed 7) in its manifest. Promotes it to champion.
set -euo pipefail
cd "$(dirname "$0")/.."
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
dotnet run -c Release --project src/Training -- generate --rows 20000 --seed 7 --out "$tmp/test.csv" --truth "$tmp/test.truth.csv"
dotnet run -c Release --project src/Training -- train --data data/sample/leads.csv --schema data/sample/schema.json \
  --seed 42 --out models --promote --truth-data "$tmp/test.csv" --truth "$tmp/test.truth.csv"
