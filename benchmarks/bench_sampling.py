"""Greedy grammar sampling: the grammar over the whole vocabulary, or asked about the chosen
token first (``diplosum.local._sampling``), side by side in one server process (issue 12).

One llama.cpp server (llama-cpp-python's app, diplosum's server flags) runs in a thread of this
process; every article is summarised twice through it, once with llama-cpp-python's sampler
and once with diplosum's, the order alternating from article to article (A B, then B A, ...)
so that a slow spell of a shared host falls on both, and both see the same memory, the same
weights; before each timed run the server's KV cache is emptied, so both runs of an article
evaluate its whole prompt (the fixed instructions too, ~5 s more than in a batch, where they
are reused) into the same empty cache; one untimed article runs first (the first request after
start is slower). No diplosum cache. Reported: median and total seconds per
article, the ratio of totals, and on how many articles the two answers are identical (the whole
summary with its evidence, and the completion token count): at temperature 0 they must be.

    python benchmarks/bench_sampling.py [--articles DIR ...] [--limit N] [--prompt extract-v2]

Needs ``pip install -e ".[local]"``; writes ``results/sampling.json`` (``--name``).
"""

from __future__ import annotations

import argparse
import hashlib
import statistics
import time
from pathlib import Path
from typing import Any

import _common as c

MODES = ("llama-cpp-python", "grammar-first")


def _last_path() -> bool:
    """Whether the server's last request was sampled on the grammar-first path."""
    from llama_cpp.server import app

    assert app._llama_proxy is not None
    sampler = app._llama_proxy()._sampler
    return bool(getattr(sampler, "_diplosum_grammar_first", False))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", action="append", type=Path, help="a folder (repeatable)")
    ap.add_argument("--limit", type=int, default=0, help="the first N articles of each folder")
    ap.add_argument("--prompt", default="extract-v2")
    ap.add_argument("--name", default="sampling", help="results/NAME.json (default %(default)s)")
    args = ap.parse_args()

    from diplosum._article import read_article
    from diplosum.local import _sampling, resolve_weights

    folders = args.articles or [c.ROOT / "examples"]
    files = c.article_files(folders, args.limit)
    weights = resolve_weights("qwen2.5-1.5b", progress=False)
    port = c.free_port()
    server, thread = c.serve_in_thread(weights, port)
    rows: list[dict[str, Any]] = []
    try:
        with c.local_summariser(f"http://127.0.0.1:{port}/v1", args.prompt) as s:
            # The first request after start runs slower: one untimed article first.
            s.summarise_article(read_article(files[0]))
            for i, path in enumerate(files):
                article = read_article(path)
                order = MODES if i % 2 == 0 else MODES[::-1]
                row: dict[str, Any] = {"article": path.name}
                for mode in order:
                    if mode == "grammar-first":
                        _sampling.install()
                    else:
                        _sampling.uninstall()
                    c.clear_kv_cache()
                    t0 = time.perf_counter()
                    result = s.summarise_article(article)
                    row[mode] = {
                        "seconds": time.perf_counter() - t0,
                        "grammar_first_path": _last_path(),
                        "completion_tokens": result.meta.usage.completion_tokens,
                        "answer_sha256": hashlib.sha256(
                            result.summary.model_dump_json().encode()
                        ).hexdigest(),
                    }
                _sampling.uninstall()
                row["identical"] = all(
                    row[MODES[0]][k] == row[MODES[1]][k]
                    for k in ("answer_sha256", "completion_tokens")
                )
                c.log(
                    f"[{i + 1}/{len(files)}] {path.name}: "
                    + ", ".join(f"{m} {row[m]['seconds']:.1f} s" for m in MODES)
                    + ("" if row["identical"] else "  ANSWERS DIFFER")
                )
                rows.append(row)
    finally:
        server.should_exit = True
        thread.join(30)
    table = []
    totals = {m: sum(r[m]["seconds"] for r in rows) for m in MODES}
    for m in MODES:
        secs = [r[m]["seconds"] for r in rows]
        table.append(
            [
                m,
                c.fmt(statistics.median(secs), 1),
                c.fmt(totals[m], 1),
                c.fmt(totals[m] / totals[MODES[0]]),
                f"{sum(r['identical'] for r in rows)} of {len(rows)}",
            ]
        )
    print(c.table(["sampler", "median s", "total s", "vs llama-cpp-python", "identical"], table))
    c.write_results(
        args.name,
        {
            "machine": c.machine(),
            "git": c.git_state(),
            "prompt": args.prompt,
            "folders": [str(f) for f in folders],
            "articles": rows,
        },
    )


if __name__ == "__main__":
    main()
