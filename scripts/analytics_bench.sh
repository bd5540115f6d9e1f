#!/usr/bin/env bash
# Search throughput with analytics on against off, side by side in one run:
# four `posfaq serve` over the same index (analytics on and off, each with
# the response cache on and off), then oha against /api/search over a query
# file, 64 connections, the four in turn for ROUNDS rounds of SECONDS each,
# so a drift of the machine's speed touches all four alike. Prints each
# one's requests/s per round and the median ratio on/off. Bounded: about
# 4 x ROUNDS x SECONDS plus a warm-up pass.
# Usage: scripts/analytics_bench.sh BINARY INDEX QUERIES [SECONDS] [ROUNDS]
#   e.g. scripts/analytics_bench.sh target/release/posfaq /tmp/i20k /tmp/c20k/queries.txt 10 3
set -euo pipefail
bin=$1
index=$2
queries=$3
seconds=${4:-10}
rounds=${5:-3}
work=$(mktemp -d)
pids=()
trap 'for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"' EXIT
# shellcheck source=scripts/start_server.sh
. "$(dirname "$0")/start_server.sh"

declare -A addrs
for name in on-cache off-cache on-nocache off-nocache; do
    mkdir -p "$work/$name"
    mkfifo "$work/$name/stdout"
    case $name in
        on-*) analytics=on ;;
        *) analytics=off ;;
    esac
    case $name in
        *-nocache) cache=0 ;;
        *) cache=4096 ;;
    esac
    start_server "$work/$name" "$bin" serve --index "$index" --addr 127.0.0.1:0 \
        --analytics "$analytics" --cache-entries "$cache"
    pids+=("$server")
    addrs[$name]=$addr
    python3 - "$addr" "$queries" >"$work/$name/urls.txt" <<'PY'
import sys, urllib.parse
addr, path = sys.argv[1], sys.argv[2]
for q in open(path, encoding="utf-8").read().splitlines():
    if q.strip():
        print(f"http://{addr}/api/search?q={urllib.parse.quote(q.strip())}")
PY
    # Each query once, so every server has read the same postings (and the
    # cached ones hold every answer) before timing.
    oha -n "$(wc -l <"$work/$name/urls.txt")" -c 8 --no-tui --urls-from-file "$work/$name/urls.txt" \
        --output-format json >/dev/null
done

for round in $(seq 1 "$rounds"); do
    for name in on-cache off-cache on-nocache off-nocache; do
        oha -z "${seconds}s" -c 64 --no-tui --urls-from-file "$work/$name/urls.txt" \
            --output-format json >"$work/$name/round$round.json"
    done
done

python3 - "$work" "$rounds" <<'PY'
import json, statistics, sys
work, rounds = sys.argv[1], int(sys.argv[2])
rps = {}
for name in ["on-cache", "off-cache", "on-nocache", "off-nocache"]:
    rps[name] = []
    for r in range(1, rounds + 1):
        d = json.load(open(f"{work}/{name}/round{r}.json"))
        codes = d.get("statusCodeDistribution", {})
        bad = sum(v for k, v in codes.items() if k != "200")
        rps[name].append(d["summary"]["requestsPerSec"])
        if bad:
            print(f"{name} round {r}: {bad} non-200 responses")
    print(f"{name:<12} requests/s " + "  ".join(f"{x:9.1f}" for x in rps[name])
          + f"   median {statistics.median(rps[name]):9.1f}")
for cache in ["cache", "nocache"]:
    ratios = [a / b for a, b in zip(rps[f"on-{cache}"], rps[f"off-{cache}"])]
    print(f"analytics on / off, {cache:<8} per round " + "  ".join(f"{x:.3f}" for x in ratios)
          + f"   median {statistics.median(ratios):.3f}")
PY
