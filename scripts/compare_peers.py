#!/usr/bin/env python3
"""posfaq next to the jieba + BM25 baselines a team would build in an afternoon.

Runs the same judged queries over the same corpus with:

  jieba+rank_bm25   jieba search-mode tokens, BM25Okapi over title + body
  jieba+bm25s       the same tokens, bm25s' BM25
  jieba+whoosh      whoosh's BM25F over title (boost 2) and body, jieba's analyzer
  jieba+sqlite-fts5 SQLite FTS5 over jieba tokens, ranked by bm25()
  posfaq            `posfaq eval --json` on an index of the same corpus

and prints nDCG@10, MRR@10, P@1 and Recall@10 for each, overall and per
query group, in one run. Needs: pip install jieba rank-bm25 bm25s whoosh-reloaded

    python3 scripts/compare_peers.py [--corpus corpus] [--queries tests/eval/queries.tsv]
        [--qrels tests/eval/qrels.tsv] [--posfaq target/release/posfaq] [--part held-out]
"""
import argparse
import json
import logging
import math
import pathlib
import re
import sqlite3
import subprocess
import tempfile
from collections import defaultdict

import jieba
import bm25s
from rank_bm25 import BM25Okapi

jieba.setLogLevel(logging.WARNING)
ROOT = pathlib.Path(__file__).resolve().parent.parent


def load_corpus(folder):
    """Articles as (id, title, body text): front matter read for id and
    title, Markdown markup stripped the simple way."""
    docs = []
    for path in sorted(folder.rglob("*.md")):
        if "fixes" in path.relative_to(folder).parts:
            continue
        text = path.read_text(encoding="utf-8")
        _, front, body = text.split("---", 2)
        meta = dict(re.findall(r"^(id|title):\s*\"?(.*?)\"?\s*$", front, re.M))
        body = re.sub(r"[#*`>\-]|\d+\.\s", " ", body)
        docs.append((meta["id"], meta["title"], body))
    return docs


def load_judged(queries_path, qrels_path, wanted_part=None):
    qrels = defaultdict(dict)
    for line in qrels_path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() and not line.startswith("#"):
            qid, doc, grade = line.split("\t")[:3]
            qrels[qid][doc] = int(grade)
    queries = []
    for line in queries_path.read_text(encoding="utf-8").splitlines()[1:]:
        if line.strip() and not line.startswith("#"):
            cols = line.split("\t")
            part = cols[3].strip() if len(cols) > 3 and cols[3].strip() else "tuning"
            if wanted_part in (None, part):
                queries.append((cols[0], cols[1], cols[2] if len(cols) > 2 else "all"))
    return queries, qrels


def tokens(text):
    return [t for t in jieba.cut_for_search(text.lower()) if t.strip() and re.search(r"\w", t)]


def score(ranked, judged):
    """The same definitions as posfaq's eval.rs."""
    gain = lambda d: judged.get(d, 0)
    dcg = sum((2 ** gain(d) - 1) / math.log2(i + 2) for i, d in enumerate(ranked[:10]))
    ideal = sorted(judged.values(), reverse=True)[:10]
    idcg = sum((2 ** g - 1) / math.log2(i + 2) for i, g in enumerate(ideal))
    relevant = sum(1 for g in judged.values() if g > 0)
    first = next((i for i, d in enumerate(ranked[:10]) if gain(d) > 0), None)
    return {
        "ndcg_at_10": dcg / idcg if idcg else 0.0,
        "mrr_at_10": 1 / (first + 1) if first is not None else 0.0,
        "p_at_1": 1.0 if ranked and gain(ranked[0]) > 0 else 0.0,
        "recall_at_10": sum(1 for d in ranked[:10] if gain(d) > 0) / relevant if relevant else 0.0,
    }


def evaluate(search, queries, qrels):
    totals, groups = defaultdict(float), defaultdict(lambda: defaultdict(float))
    n, per_group = 0, defaultdict(int)
    for qid, query, group in queries:
        judged = qrels.get(qid, {})
        if not any(g > 0 for g in judged.values()):
            continue
        s = score(search(query), judged)
        n += 1
        per_group[group] += 1
        for k, v in s.items():
            totals[k] += v
            groups[group][k] += v
    overall = {k: v / n for k, v in totals.items()}
    return overall, {g: {k: v / per_group[g] for k, v in m.items()} for g, m in groups.items()}


def rank_bm25_search(docs):
    index = BM25Okapi([tokens(t + " " + b) for _, t, b in docs])
    ids = [d[0] for d in docs]

    def search(query):
        scores = index.get_scores(tokens(query))
        order = sorted(range(len(ids)), key=lambda i: -scores[i])
        return [ids[i] for i in order if scores[i] > 0][:10]

    return search


def bm25s_search(docs):
    index = bm25s.BM25()
    index.index([tokens(t + " " + b) for _, t, b in docs], show_progress=False)
    ids = [d[0] for d in docs]

    def search(query):
        q = [t for t in tokens(query) if t in index.vocab_dict]
        if not q:
            return []
        results, scores = index.retrieve([q], k=min(10, len(ids)), show_progress=False)
        return [ids[i] for i, s in zip(results[0], scores[0]) if s > 0]

    return search


def whoosh_search(docs, folder):
    from jieba.analyse import ChineseAnalyzer
    from whoosh import fields, index, qparser, scoring

    analyzer = ChineseAnalyzer()
    schema = fields.Schema(id=fields.ID(stored=True), title=fields.TEXT(analyzer=analyzer, field_boost=2.0), body=fields.TEXT(analyzer=analyzer))
    ix = index.create_in(folder, schema)
    writer = ix.writer()
    for doc_id, title, body in docs:
        writer.add_document(id=doc_id, title=title, body=body)
    writer.commit()
    parser = qparser.MultifieldParser(["title", "body"], schema, group=qparser.OrGroup)

    def search(query):
        with ix.searcher(weighting=scoring.BM25F()) as searcher:
            terms = " ".join(re.sub(r"[^\w]", "", t) for t in tokens(query))
            return [hit["id"] for hit in searcher.search(parser.parse(terms), limit=10)]

    return search


def fts5_search(docs):
    db = sqlite3.connect(":memory:")
    db.execute("CREATE VIRTUAL TABLE docs USING fts5(id UNINDEXED, title, body, tokenize='unicode61')")
    db.executemany("INSERT INTO docs VALUES (?, ?, ?)", [(i, " ".join(tokens(t)), " ".join(tokens(b))) for i, t, b in docs])

    def search(query):
        terms = ['"%s"' % t.replace('"', "") for t in tokens(query)]
        if not terms:
            return []
        rows = db.execute("SELECT id FROM docs WHERE docs MATCH ? ORDER BY bm25(docs, 2.0, 1.0) LIMIT 10", (" OR ".join(terms),))
        return [r[0] for r in rows]

    return search


def posfaq_scores(binary, corpus, queries_path, qrels_path, part):
    with tempfile.TemporaryDirectory() as index:
        subprocess.run([binary, "index", "--corpus", corpus, "--index", index], check=True, capture_output=True)
        command = [binary, "eval", "--index", index, "--queries", queries_path, "--qrels", qrels_path, "--json"]
        out = subprocess.run(
            command + (["--part", part] if part else []), check=True, capture_output=True, text=True,
        ).stdout
    report = json.loads(out)["search"]
    return report["overall"], report["groups"]


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--queries", default=str(ROOT / "tests/eval/queries.tsv"))
    ap.add_argument("--qrels", default=str(ROOT / "tests/eval/qrels.tsv"))
    ap.add_argument("--posfaq", default=str(ROOT / "target/release/posfaq"))
    ap.add_argument("--part", choices=["tuning", "held-out"], help="only the queries of this part")
    a = ap.parse_args()
    docs = load_corpus(pathlib.Path(a.corpus))
    queries, qrels = load_judged(pathlib.Path(a.queries), pathlib.Path(a.qrels), a.part)
    results = {}
    with tempfile.TemporaryDirectory() as whoosh_dir:
        for name, search in [
            ("jieba+rank_bm25", rank_bm25_search(docs)),
            ("jieba+bm25s", bm25s_search(docs)),
            ("jieba+whoosh", whoosh_search(docs, whoosh_dir)),
            ("jieba+sqlite-fts5", fts5_search(docs)),
        ]:
            results[name] = evaluate(search, queries, qrels)
    results["posfaq"] = posfaq_scores(a.posfaq, a.corpus, a.queries, a.qrels, a.part)

    metrics = ["ndcg_at_10", "mrr_at_10", "p_at_1", "recall_at_10"]
    judged = sum(1 for q in queries if any(g > 0 for g in qrels.get(q[0], {}).values()))
    print(f"{len(docs)} articles, {judged} judged queries with an answer\n")
    print(f"{'system':<20}" + "".join(f"{m:>14}" for m in metrics))
    for name, (overall, _) in results.items():
        print(f"{name:<20}" + "".join(f"{overall[m]:>14.3f}" for m in metrics))
    best = max((r[0]["ndcg_at_10"], n) for n, r in results.items() if n != "posfaq")
    print(f"\nposfaq nDCG@10 minus the best baseline ({best[1]}): {results['posfaq'][0]['ndcg_at_10'] - best[0]:+.3f}")
    print("\nnDCG@10 per group")
    groups = sorted({g for r in results.values() for g in r[1]})
    print(f"{'group':<14}" + "".join(f"{n[:18]:>20}" for n in results))
    for g in groups:
        print(f"{g:<14}" + "".join(f"{r[1].get(g, {}).get('ndcg_at_10', 0):>20.3f}" for r in results.values()))


if __name__ == "__main__":
    main()
