"""Draws the scaling curve from the table scripts/scaling.sh writes.

Usage: python3 scripts/scaling_chart.py SCALING_TSV OUT_PNG   (needs matplotlib)

Columns of the table: articles, corpus MB, index wall time (m:ss.xx), index
peak RSS MiB, index MB, in-process p50 ms, in-process p99 ms, start to ready
ms, serving RSS MiB, serving anonymous RSS MiB, HTTP search requests/s (no
response cache), HTTP p99 ms at half rate.
"""

import sys

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402


def seconds(wall: str) -> float:
    parts = [float(p) for p in wall.split(":")]
    total = 0.0
    for p in parts:
        total = total * 60 + p
    return total


def main() -> None:
    rows = [line.split("\t") for line in open(sys.argv[1], encoding="utf-8") if line.strip()]
    n = [int(r[0]) for r in rows]
    panels = [
        ("index time (s)", [seconds(r[2]) for r in rows]),
        ("index peak RSS (MiB)", [float(r[3]) for r in rows]),
        ("serving RSS (MiB): total, anonymous", [float(r[8]) for r in rows], [float(r[9]) for r in rows]),
        ("in-process latency (ms): p50, p99", [float(r[5]) for r in rows], [float(r[6]) for r in rows]),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(10, 7))
    for ax, (title, *series) in zip(axes.flat, panels):
        for values, style in zip(series, ["o-", "s--"]):
            ax.plot(n, values, style)
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_title(title)
        ax.set_xlabel("articles")
        ax.grid(True, which="both", alpha=0.3)
    fig.suptitle("posfaq scaling (gen_corpus.py, 2 cores)")
    fig.tight_layout()
    fig.savefig(sys.argv[2], dpi=100)


if __name__ == "__main__":
    main()
