#!/usr/bin/env bash
# A benchmark corpus of N generated articles (../shared/bench/gen_corpus.py)
# in OUT/articles with its load queries in OUT/queries.txt, plus corpus/'s
# own articles, fix cards and synonyms, so that every search also ranks the
# cards, as it does in production. Does nothing when OUT already holds one.
# Usage: scripts/bench_corpus.sh OUT N
set -euo pipefail
cd "$(dirname "$0")/.."
out=$1
n=$2
[ -f "$out/queries.txt" ] && exit 0
python3 ../shared/bench/gen_corpus.py --articles "$n" --out "$out"
# Older versions of the generator wrote tags such as `[解决策略, 本文目录:]`,
# which the YAML reader refuses (a plain word may not end in a colon inside
# a flow list); tags not quoted already are quoted.
python3 - "$out/articles" <<'PY'
import pathlib, re, sys
for p in pathlib.Path(sys.argv[1]).rglob("*.md"):
    t = p.read_text(encoding="utf-8")
    # A list with a quote in it is the generator's own quoting: left as is
    # (its quoted tags may hold commas).
    n = re.sub(r"^tags: \[([^\"]*)\]$", lambda m: "tags: [" + ", ".join('"%s"' % x.strip() for x in m.group(1).split(",") if x.strip()) + "]", t, count=1, flags=re.M)
    if n != t:
        p.write_text(n, encoding="utf-8")
PY
mkdir -p "$out/articles/posfaq" "$out/articles/fixes"
cp corpus/articles/*.md "$out/articles/posfaq/"
cp corpus/fixes/*.md "$out/articles/fixes/"
cp corpus/synonyms.txt "$out/articles/"
