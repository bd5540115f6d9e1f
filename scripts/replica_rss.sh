#!/usr/bin/env bash
# Memory of one replica (`posfaq serve --follow`) over a built index: its
# RSS once the release is in, after a sequential pass of searches (one at a
# time: a warm-up, not a load test), and at the peak of swapping in a
# second release of the same size, when two generations are open at once.
# Bounded: at most one request at a time, a fixed number of them.
# Usage: scripts/replica_rss.sh BINARY INDEX QUERIES [SEARCHES]
#   e.g. scripts/replica_rss.sh target/release/posfaq /tmp/bench/inew /tmp/bench/c100000/queries.txt 500
set -euo pipefail
bin=$1
index=$2
queries=$3
searches=${4:-500}
work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

# The index as release A; a copy of its generation under the next stamp,
# as release B.
generation=$(cat "$index/CURRENT")
stamp=${generation#gen-}
mkdir -p "$work/b"
cp -r "$index/$generation" "$work/b/gen-$((stamp + 1))"
echo -n "gen-$((stamp + 1))" >"$work/b/CURRENT"
RUST_LOG=warn "$bin" publish --index "$index" --to "file://$work/store"

RUST_LOG=warn "$bin" serve --index "$work/replica" --follow "file://$work/store" \
    --poll 200ms --addr 127.0.0.1:0 >"$work/stdout" 2>"$work/serve.log" &
server=$!
started=$(date +%s%N)
until grep -q '^listening on' "$work/stdout" 2>/dev/null; do sleep 0.05; done
addr=$(sed -n 's/^listening on http:\/\///p' "$work/stdout")
wait_for() {
    local deadline=$((SECONDS + 300))
    until curl -fsS "http://$addr/readyz" 2>/dev/null | grep -q "\"$1\""; do
        ((SECONDS < deadline)) || { echo "not on $1 in 300 s" >&2; cat "$work/serve.log" >&2; exit 1; }
        sleep 0.05
    done
}
rss() { awk '/VmRSS|VmHWM|RssAnon|RssFile/ {printf "%s %d MiB  ", $1, $2 / 1024}' "/proc/$server/status"; echo; }

wait_for "$generation"
echo "release in, ready after $(( ($(date +%s%N) - started) / 1000000 )) ms: $(rss)"
python3 - "$addr" "$queries" "$searches" <<'PY'
import sys, urllib.parse, urllib.request
addr, path, n = sys.argv[1], sys.argv[2], int(sys.argv[3])
for q in open(path, encoding="utf-8").read().splitlines()[:n]:
    urllib.request.urlopen(f"http://{addr}/api/search?q={urllib.parse.quote(q)}", timeout=30).read()
PY
echo "after $searches searches: $(rss)"
RUST_LOG=warn "$bin" publish --index "$work/b" --to "file://$work/store"
wait_for "gen-$((stamp + 1))"
echo "second release swapped in (VmHWM: the peak of the whole run): $(rss)"
