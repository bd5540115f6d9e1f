#!/usr/bin/env bash
# HTTP throughput on loopback: `posfaq serve` over a built index, /healthz
# against /api/search over a query file, the same 64 connections, then
# search at half its maximum rate. Also start-to-ready and the server's RSS.
# Bounded in time (about 4 x SECONDS); prints a summary.
# Usage: [SERVE_ARGS="--cache-entries 0"] scripts/http_bench.sh BINARY INDEX QUERIES [SECONDS]
#   e.g. scripts/http_bench.sh target/release/posfaq /tmp/i100k /tmp/c100k/queries.txt 30
set -euo pipefail
bin=$1
index=$2
queries=$3
seconds=${4:-30}
work=$(mktemp -d)
mkfifo "$work/stdout"

started=$(date +%s%N)
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
# shellcheck source=scripts/start_server.sh
. "$(dirname "$0")/start_server.sh"
# shellcheck disable=SC2086 # SERVE_ARGS is a list of flags
start_server "$work" "$bin" serve --index "$index" --addr 127.0.0.1:0 ${SERVE_ARGS:-}
ready=$(date +%s%N)
echo "start to ready: $(( (ready - started) / 1000000 )) ms"
# RSS, and the two parts of it: the heap, and the pages of the memory-mapped
# index that searches have read (page cache the kernel can reclaim).
rss() { awk '/VmRSS|RssAnon|RssFile/ {printf "%s %d MiB  ", $1, $2 / 1024}' "/proc/$server/status"; echo; }
# The mapped index pages by kind of file (.idx postings, .pos positions,
# .store stored documents, ...).
mapped() {
    awk '/^[0-9a-f]+-[0-9a-f]+ / { file = $6 }
         /^Rss:/ && file ~ /\/gen-[0-9]+\// { n = split(file, p, "."); kb[p[n]] += $2 }
         END { for (k in kb) printf "%s %d MiB  ", k, kb[k] / 1024; print "" }' "/proc/$server/smaps"
}
echo "when ready: $(rss)"

python3 - "$addr" "$queries" >"$work/urls.txt" <<'PY'
import sys, urllib.parse
addr, path = sys.argv[1], sys.argv[2]
for q in open(path, encoding="utf-8").read().splitlines():
    if q.strip():
        print(f"http://{addr}/api/search?q={urllib.parse.quote(q.strip())}")
PY

# Each search once, so every query's postings have been read before timing.
oha -n "$(wc -l <"$work/urls.txt")" -c 8 --no-tui --urls-from-file "$work/urls.txt" --output-format json >/dev/null

oha -z "${seconds}s" -c 64 --no-tui "http://$addr/healthz" --output-format json >"$work/healthz.json"
oha -z "${seconds}s" -c 64 --no-tui --urls-from-file "$work/urls.txt" --output-format json >"$work/search.json"
rate=$(python3 -c "import json; print(max(1, int(json.load(open('$work/search.json'))['summary']['requestsPerSec'] / 2)))")
oha -z "${seconds}s" -c 64 -q "$rate" --no-tui --urls-from-file "$work/urls.txt" --output-format json >"$work/half.json"
echo "after the runs: $(rss)"
echo "index pages by file: $(mapped)"
curl -fsS "http://$addr/metrics" | grep '^posfaq_search_cache_total' || echo "search cache: off"

python3 - "$work" <<'PY'
import json, sys
work = sys.argv[1]
runs = {}
for name in ["healthz", "search", "half"]:
    d = json.load(open(f"{work}/{name}.json"))
    s, p = d["summary"], d["latencyPercentiles"]
    codes = d.get("statusCodeDistribution", {})
    # oha cancels the requests still in flight when the duration ends.
    aborted = sum(v for k, v in d.get("errorDistribution", {}).items() if "deadline" in k)
    errors = sum(v for k, v in codes.items() if k != "200") + sum(d.get("errorDistribution", {}).values()) - aborted
    runs[name] = s["requestsPerSec"]
    label = {"healthz": "/healthz, max", "search": "/api/search, max", "half": "/api/search, half rate"}[name]
    print(f"{label:<24} requests/s {s['requestsPerSec']:9.1f}  p50 {p['p50']*1000:7.2f} ms  "
          f"p99 {p['p99']*1000:7.2f} ms  non-200 or errors {errors}")
print(f"search / healthz throughput: {100 * runs['search'] / runs['healthz']:.1f}%")
PY
