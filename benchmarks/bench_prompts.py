"""Two prompt versions side by side on the embedded model, in one server process (issue 12):
by default ``extract-v2`` (the model writes a summary) against ``extract-v4`` (the same
messages, a grammar without the summary; one is composed from the verified fields).

One llama.cpp server (llama-cpp-python's app, diplosum's server flags and grammar-first
sampling, as ``diplosum summarise -m local`` runs it) runs in a thread of this process; every
article is summarised once per prompt, the order alternating from article to article (A B, then
B A, ...) so that a slow spell of a shared host falls on both; before each timed run the
server's KV cache is emptied, so both runs evaluate the whole prompt into the same empty cache
(the fixed instructions too, ~5 s more than in a batch, where they are reused); one untimed
article runs first. No diplosum cache. Reported: median and total seconds per article, the ratio
of totals, completion tokens, and on how many articles the two summaries are the same apart from
the ``summary`` sentence (every actor, the venue, the date, every position and every piece of
evidence): with identical messages at temperature 0 they should be.

    python benchmarks/bench_prompts.py [--articles DIR ...] [--limit N] [--a extract-v2] [--b extract-v4]

Needs ``pip install -e ".[local]"``; writes ``results/prompts.json`` (``--name``).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import statistics
import time
from pathlib import Path
from typing import Any

import _common as c


def _fields(summary: Any) -> str:
    """The summary's JSON without its ``summary`` sentence."""
    data = json.loads(summary.model_dump_json())
    data.pop("summary", None)
    return hashlib.sha256(json.dumps(data, sort_keys=True).encode()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", action="append", type=Path, help="a folder (repeatable)")
    ap.add_argument("--limit", type=int, default=0, help="the first N articles of each folder")
    ap.add_argument("--a", default="extract-v2", help="the first prompt (default %(default)s)")
    ap.add_argument("--b", default="extract-v4", help="the second prompt (default %(default)s)")
    ap.add_argument("--name", default="prompts", help="results/NAME.json (default %(default)s)")
    args = ap.parse_args()

    from diplosum._article import read_article
    from diplosum.local import _sampling, resolve_weights

    prompts = (args.a, args.b)
    folders = args.articles or [c.ROOT / "examples"]
    files = c.article_files(folders, args.limit)
    weights = resolve_weights("qwen2.5-1.5b", progress=False)
    port = c.free_port()
    server, thread = c.serve_in_thread(weights, port)
    _sampling.install()  # diplosum's sampler, as its own server runs
    rows: list[dict[str, Any]] = []
    try:
        summarisers = {p: c.local_summariser(f"http://127.0.0.1:{port}/v1", p) for p in prompts}
        # The first request after start runs slower: one untimed article first.
        summarisers[prompts[0]].summarise_article(read_article(files[0]))
        for i, path in enumerate(files):
            article = read_article(path)
            row: dict[str, Any] = {"article": path.name}
            for prompt in prompts if i % 2 == 0 else prompts[::-1]:
                c.clear_kv_cache()
                t0 = time.perf_counter()
                result = summarisers[prompt].summarise_article(article)
                row[prompt] = {
                    "seconds": time.perf_counter() - t0,
                    "completion_tokens": result.meta.usage.completion_tokens,
                    "prompt_tokens": result.meta.usage.prompt_tokens,
                    "fields_sha256": _fields(result.summary),
                    # its length only: the articles may be third-party texts
                    "summary_chars": len(result.summary.summary),
                }
            row["same_fields"] = (
                row[prompts[0]]["fields_sha256"] == row[prompts[1]]["fields_sha256"]
            )
            c.log(
                f"[{i + 1}/{len(files)}] {path.name}: "
                + ", ".join(
                    f"{p} {row[p]['seconds']:.1f} s ({row[p]['completion_tokens']} tokens)"
                    for p in prompts
                )
                + ("" if row["same_fields"] else "  FIELDS DIFFER")
            )
            rows.append(row)
        for s in summarisers.values():
            s.close()
    finally:
        _sampling.uninstall()
        server.should_exit = True
        thread.join(30)
    totals = {p: sum(r[p]["seconds"] for r in rows) for p in prompts}
    table = [
        [
            p,
            c.fmt(statistics.median(r[p]["seconds"] for r in rows), 1),
            c.fmt(totals[p], 1),
            c.fmt(totals[p] / totals[prompts[0]]),
            c.fmt(statistics.median(r[p]["completion_tokens"] for r in rows), 0),
            f"{sum(r['same_fields'] for r in rows)} of {len(rows)}",
        ]
        for p in prompts
    ]
    head = ["prompt", "median s", "total s", f"vs {prompts[0]}", "completion tokens", "same fields"]
    print(c.table(head, table))
    c.write_results(
        args.name,
        {
            "machine": c.machine(),
            "git": c.git_state(),
            "prompts": list(prompts),
            "folders": [str(f) for f in folders],
            "articles": rows,
        },
    )


if __name__ == "__main__":
    main()
