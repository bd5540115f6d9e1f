#!/usr/bin/env bash
# Load and soak on loopback: `posfaq serve` (release build) over the
# repository's corpus, /api/search with the judged queries, 64 connections.
# 60 s at saturation, then 10 minutes at half that rate, sampling the
# server's RSS every 10 s. Bounded in time; prints a summary.
# Usage: scripts/soak.sh [POSFAQ_BINARY] [SOAK_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
bin=${1:-target/release/posfaq}
soak=${2:-600}
work=$(mktemp -d)
mkfifo "$work/stdout"
"$bin" index --corpus corpus --index "$work/index" >/dev/null 2>&1
server=
sampler=
trap 'kill $sampler $server 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=scripts/start_server.sh
. scripts/start_server.sh
start_server "$work" "$bin" serve --index "$work/index" --addr 127.0.0.1:0

# One URL per judged query, percent-encoded.
python3 - "$addr" >"$work/urls.txt" <<'PY'
import sys, urllib.parse
addr = sys.argv[1]
for line in open("tests/eval/queries.tsv", encoding="utf-8").read().splitlines()[1:]:
    q = line.split("\t")[1]
    print(f"http://{addr}/api/search?q={urllib.parse.quote(q)}")
PY

rss() { awk '/VmRSS/ {print $2}' /proc/$server/status; }
(while true; do echo "$(date +%s) $(rss)"; sleep 10; done) >"$work/rss.log" &
sampler=$!

echo "== saturation: 60 s, 64 connections"
oha -z 60s -c 64 --no-tui --urls-from-file "$work/urls.txt" --output-format json >"$work/saturation.json"
rate=$(python3 -c "import json; print(max(1, int(json.load(open('$work/saturation.json'))['summary']['requestsPerSec'] / 2)))")
echo "== soak: ${soak} s at ${rate} requests/s (half the saturation rate), 64 connections"
oha -z "${soak}s" -c 64 -q "$rate" --no-tui --urls-from-file "$work/urls.txt" --output-format json >"$work/soak.json"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
for name in ["saturation", "soak"]:
    d = json.load(open(f"{work}/{name}.json"))
    s, p = d["summary"], d["latencyPercentiles"]
    codes = d.get("statusCodeDistribution", {})
    # oha cancels the requests still in flight when the duration ends.
    aborted = sum(v for k, v in d.get("errorDistribution", {}).items() if "deadline" in k)
    errors = sum(v for k, v in codes.items() if k != "200") + sum(d.get("errorDistribution", {}).values()) - aborted
    print(f"{name:<11} requests/s {s['requestsPerSec']:9.1f}  p50 {p['p50']*1000:7.2f} ms  p99 {p['p99']*1000:7.2f} ms  "
          f"non-200 or errors {errors} (in flight at the end: {aborted})")
rss = [int(l.split()[1]) for l in open(f"{work}/rss.log") if len(l.split()) == 2]
after_warmup = rss[6:] or rss
print(f"RSS: start {rss[0]/1024:.1f} MiB, after saturation {after_warmup[0]/1024:.1f} MiB, end {rss[-1]/1024:.1f} MiB, "
      f"max {max(rss)/1024:.1f} MiB; growth over the soak {100*(rss[-1]-after_warmup[0])/after_warmup[0]:+.1f}%")
PY
