#!/usr/bin/env bash
# Server CPU time per request and GCs per 10,000 requests for one route of a running service (reads the service's
# /metrics: process_cpu_seconds_total, dotnet_collection_count_total). Less sensitive to other work on the machine than
# requests/s, so two builds can be compared side by side: start each on its own port (as bench/serving/run.sh does),
# then alternate, e.g.  for p in 5091 5092; do bench/serving/cpu_per_request.sh $p /predict 6s; done
# Usage: cpu_per_request.sh PORT PATH DURATION   (env: KEY, default bench-key; CONNECTIONS, default 32; THREADS, wrk threads, default 1)
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=$1; ROUTE=$2; DURATION=$3; KEY=${KEY:-bench-key}; CONNECTIONS=${CONNECTIONS:-32}; THREADS=${THREADS:-1}
sample() {
  curl -sf -H "X-Api-Key: $KEY" "http://127.0.0.1:$PORT/metrics" |
    awk '/^process_cpu_seconds_total/ { cpu = $2 } /^dotnet_collection_count_total\{generation="0"\}/ { g0 = $2 }
         /^dotnet_collection_count_total\{generation="1"\}/ { g1 = $2 } /^dotnet_collection_count_total\{generation="2"\}/ { g2 = $2 }
         END { print cpu, g0, g1, g2 }'
}
read -r cpu0 a0 b0 c0 <<< "$(sample)"
result=$(LEAD_JSON=bench/serving/lead.json BENCH_KEY=$KEY wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" -s bench/serving/post.lua \
  "http://127.0.0.1:$PORT$ROUTE" | grep RESULT)
read -r cpu1 a1 b1 c1 <<< "$(sample)"
rps=$(echo "$result" | sed -E 's/.*rps=([0-9]+).*/\1/')
awk -v r="$rps" -v s="${DURATION%s}" -v cpu="$(awk -v x="$cpu0" -v y="$cpu1" 'BEGIN { print y - x }')" -v route="$ROUTE" \
    -v g0=$((a1 - a0)) -v g1=$((b1 - b0)) -v g2=$((c1 - c0)) -v port="$PORT" 'BEGIN {
  n = r * s; printf "port %s %s: %d req/s, %.1f us server CPU per request, GCs per 10k requests: %.2f / %.2f / %.2f (all / gen1+ / gen2)\n",
    port, route, r, cpu * 1e6 / n, g0 * 1e4 / n, g1 * 1e4 / n, g2 * 1e4 / n }'
