#!/usr/bin/env bash
# Machine-wide busy CPU per request for one route of a running service: all processes (the server, wrk, the kernel's
# write-back of the prediction log's file pages, and anything else running), from /proc/stat around one wrk run.
# cpu_per_request.sh counts the server process only; this one also sees work the server causes elsewhere.
# Usage: machine_cpu_per_request.sh PORT PATH DURATION   (env: KEY, default bench-key; CONNECTIONS, default 32)
set -euo pipefail
cd "$(dirname "$0")/../.."
PORT=$1; ROUTE=$2; DURATION=$3; KEY=${KEY:-bench-key}; CONNECTIONS=${CONNECTIONS:-32}
busy() { awk '/^cpu / { print $2 + $3 + $4 + $7 + $8 }' /proc/stat; }   # user nice system irq softirq, in clock ticks
ticks=$(getconf CLK_TCK)
b0=$(busy)
rps=$(LEAD_JSON=bench/serving/lead.json BENCH_KEY=$KEY wrk -t1 -c"$CONNECTIONS" -d"$DURATION" -s bench/serving/post.lua \
  "http://127.0.0.1:$PORT$ROUTE" | grep RESULT | sed -E 's/.*rps=([0-9.]+).*/\1/')
b1=$(busy)
awk -v r="$rps" -v s="${DURATION%s}" -v b=$((b1 - b0)) -v t="$ticks" -v port="$PORT" -v route="$ROUTE" 'BEGIN {
  printf "port %s %s: %d req/s, %.1f us machine CPU per request\n", port, route, r, b / t * 1e6 / (r * s) }'
