#!/usr/bin/env bash
# The scaling curve: for each size, a generated corpus (../shared/bench),
# `posfaq index` (wall time, peak RSS, index size), in-process latency
# percentiles over the generated load queries (benches/query_latency.rs) and
# HTTP throughput with serving RSS (scripts/http_bench.sh). Appends one line
# per size to WORK/scaling.tsv and prints the log of each step. Each corpus
# is the generator's articles plus corpus/'s own articles and fix cards.
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
    if [ ! -f "$corpus/queries.txt" ]; then
        python3 ../shared/bench/gen_corpus.py --articles "$n" --out "$corpus"
        # The generator writes tags such as `[本文目录:]`, which YAML reads as
        # a mapping; posfaq's front matter wants strings, so they are quoted.
        python3 - "$corpus/articles" <<'PY'
import pathlib, re, sys
for p in pathlib.Path(sys.argv[1]).rglob("*.md"):
    t = p.read_text(encoding="utf-8")
    n = re.sub(r"^tags: \[(.*)\]$", lambda m: "tags: [" + ", ".join('"%s"' % x.strip() for x in m.group(1).split(",") if x.strip()) + "]", t, count=1, flags=re.M)
    if n != t:
        p.write_text(n, encoding="utf-8")
PY
        # The knowledge base's own articles and fix cards too, so that every
        # search also ranks the cards, as it does in production.
        mkdir -p "$corpus/articles/posfaq" "$corpus/articles/fixes"
        cp corpus/articles/*.md "$corpus/articles/posfaq/"
        cp corpus/fixes/*.md "$corpus/articles/fixes/"
        cp corpus/synonyms.txt "$corpus/articles/"
    fi
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
