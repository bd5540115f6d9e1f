#!/usr/bin/env bash
# The scaling curve: for each size, a generated corpus (../shared/bench),
# `posfaq index` (wall time, peak RSS, index size), in-process latency
# percentiles over the generated load queries (benches/query_latency.rs) and
# HTTP throughput with serving RSS (scripts/http_bench.sh). Appends one line
# per size to WORK/scaling.tsv and prints the log of each step. Each corpus
# comes from scripts/bench_corpus.sh.
# Usage: scripts/scaling.sh WORK SIZE...   e.g. scripts/scaling.sh /tmp/bench 1000 10000 100000
set -euo pipefail
cd "$(dirname "$0")/.."
work=$1
shift
bin=target/release/posfaq
cargo build --release --quiet
mkdir -p "$work"
for n in "$@"; do
    corpus=$work/c$n
    index=$work/i$n
    scripts/bench_corpus.sh "$corpus" "$n"
    rm -rf "$index"
    /usr/bin/time -v "$bin" index --corpus "$corpus/articles" --index "$index" 2>"$work/time-$n.log" >/dev/null
    wall=$(awk -F': ' '/Elapsed/ {print $2}' "$work/time-$n.log")
    peak=$(awk -F': ' '/Maximum resident/ {printf "%d", $2 / 1024}' "$work/time-$n.log")
    size=$(du -sm "$index/$(cat "$index/CURRENT")" | cut -f1)
    corpus_mb=$(du -sm "$corpus/articles" | cut -f1)
    # Percentiles only: the filter matches no criterion benchmark.
    POSFAQ_BENCH_INDEX=$index POSFAQ_BENCH_QUERIES=$corpus/queries.txt \
        cargo bench --quiet --bench query_latency -- percentiles-only >"$work/latency-$n.log" 2>&1
    p50=$(awk '$1 == "all" {print $3}' "$work/latency-$n.log")
    p99=$(awk '$1 == "all" {print $4}' "$work/latency-$n.log")
    # Without the response cache: what the engine itself sustains.
    SERVE_ARGS="--cache-entries 0" scripts/http_bench.sh "$bin" "$index" "$corpus/queries.txt" 20 >"$work/http-$n.log" 2>&1
    rss=$(awk '/^after the runs/ {print $5}' "$work/http-$n.log")
    anon=$(awk '/^after the runs/ {print $8}' "$work/http-$n.log")
    rps=$(awk '/search, max/ {print $4}' "$work/http-$n.log")
    half_p99=$(awk '/half rate/ {print $10}' "$work/http-$n.log")
    ready=$(awk '/start to ready/ {print $4}' "$work/http-$n.log")
    printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' \
        "$n" "$corpus_mb" "$wall" "$peak" "$size" "$p50" "$p99" "$ready" "$rss" "$anon" "$rps" "$half_p99" \
        | tee -a "$work/scaling.tsv"
    cat "$work/latency-$n.log" "$work/http-$n.log"
done
