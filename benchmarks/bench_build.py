"""Two (or more) builds of llama.cpp for the embedded model, side by side (issue 12).

Each ``--build NAME=PYTHON`` names a Python interpreter whose environment holds a build of
``llama-cpp-python[server]`` (for instance one venv built with ``PORTABLE_CMAKE_ARGS`` and
one with AVX-512 added: ``-DGGML_AVX512=ON -DGGML_AVX512_VBMI=ON -DGGML_AVX512_VNNI=ON
-DGGML_AVX512_BF16=ON -DGGML_AVX_VNNI=ON``). One server per build is started with
diplosum's own server flags (``LocalServer``'s command), all of them up at once; then every
article is summarised through each server, one request at a time, the order of the builds
rotating from article to article (A B, then B A, ...) so that a slow spell of a shared host
falls on all of them. No cache. Each server keeps its own prompt cache, so each sees the
same sequence of articles as a batch run would.

Reported per build: median and total seconds per article, the ratio of totals to the first
build's, prompt and completion tokens, peak RSS of its server, and on how many articles its
mediators, parties, venue and date equal the first build's (a different instruction set can
round differently and so change a greedy answer).

    python benchmarks/bench_build.py --build portable=/venvA/bin/python \\
        --build cpu=/venvB/bin/python [--articles DIR] [--limit N] [--prompt extract-v2]

Needs ``.[local]`` in the interpreter running it; writes ``results/build.json`` (``--name``).
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import time
from pathlib import Path
from typing import Any

import _common as c


def _answer(summary: Any) -> dict[str, Any]:
    """What is compared between builds: names, venue and date only (no evidence, so the
    results file holds no article text)."""
    venue, day = summary.venue, summary.proposed_date
    return {
        "mediators": [a.name for a in summary.mediators],
        "parties": [a.name for a in summary.parties],
        "venue": (venue.city or venue.country) if venue else None,
        "proposed_date": day.date.isoformat() if day and day.date else None,
    }


def _system_info(python: str) -> str:
    out = subprocess.run(
        [python, "-c", "import llama_cpp; print(llama_cpp.llama_print_system_info().decode())"],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", action="append", required=True, metavar="NAME=PYTHON")
    ap.add_argument("--articles", type=Path, default=c.ROOT / "examples")
    ap.add_argument("--limit", type=int, default=0, help="only the first N articles")
    ap.add_argument("--prompt", default="extract-v2")
    ap.add_argument("--name", default="build", help="results/NAME.json (default %(default)s)")
    args = ap.parse_args()
    builds = dict(b.split("=", 1) for b in args.build)
    if len(builds) < 2:
        raise SystemExit("give at least two --build NAME=PYTHON")

    from diplosum._article import read_article
    from diplosum.local import LocalServer, resolve_weights
    from diplosum.providers import LOCAL_CONTEXT

    weights = Path(str(resolve_weights("qwen2.5-1.5b", progress=False)))
    files = sorted(p for p in args.articles.iterdir() if p.is_file() and p.suffix != ".jsonl")
    if args.limit:
        files = files[: args.limit]
    articles = [read_article(p) for p in files]
    info = c.machine()
    names = list(builds)
    servers: dict[str, LocalServer] = {}
    summarisers: dict[str, Any] = {}
    rows: dict[str, dict[str, Any]] = {
        n: {"python": builds[n], "seconds": [], "prompt": [], "completion": [], "answers": []}
        for n in names
    }
    try:
        for name, python in builds.items():
            rows[name]["system_info"] = _system_info(python)
            template = LocalServer(weights, n_ctx=LOCAL_CONTEXT)
            server = LocalServer(
                weights,
                n_ctx=LOCAL_CONTEXT,
                command=lambda port, t=template, py=python: [py, *t.command_line(port)[1:]],
            )
            server.start()
            servers[name] = server
            summarisers[name] = c.local_summariser(server.base_url, args.prompt)
        for i, article in enumerate(articles):
            order = names[i % len(names) :] + names[: i % len(names)]
            for name in order:
                t0 = time.perf_counter()
                result = summarisers[name].summarise_article(article)
                seconds = time.perf_counter() - t0
                r = rows[name]
                r["seconds"].append(seconds)
                r["prompt"].append(result.meta.usage.prompt_tokens)
                r["completion"].append(result.meta.usage.completion_tokens)
                r["answers"].append(_answer(result.summary))
                c.log(f"{article.id} {name}: {seconds:.1f} s")
        for name, server in servers.items():
            proc = server._proc
            rows[name]["peak_rss_mib"] = (
                (c.proc_status_kb(proc.pid, "VmHWM") or 0) / 1024 if proc else None
            )
    finally:
        for s in summarisers.values():
            s.close()
        for server in servers.values():
            server.stop()
    first = rows[names[0]]
    table = []
    for name in names:
        r = rows[name]
        r["median_s"] = statistics.median(r["seconds"])
        r["total_s"] = sum(r["seconds"])
        r["same_answers"] = sum(a == b for a, b in zip(r["answers"], first["answers"], strict=True))
        table.append(
            [
                name,
                c.fmt(r["median_s"], 1),
                c.fmt(r["total_s"], 1),
                c.fmt(r["total_s"] / first["total_s"]),
                c.fmt(statistics.median(r["prompt"]), 0),
                c.fmt(statistics.median(r["completion"]), 0),
                f"{r['peak_rss_mib']:.0f}" if r.get("peak_rss_mib") else "?",
                f"{r['same_answers']}/{len(articles)}",
            ]
        )
    headers = [
        "build",
        "median s",
        "total s",
        f"vs {names[0]}",
        "prompt tok",
        "completion tok",
        "peak RSS MiB",
        f"same answers as {names[0]}",
    ]
    print(c.table(headers, table))
    c.write_results(
        args.name,
        {
            "machine": info,
            "git": c.git_state(),
            "prompt": args.prompt,
            "articles": [a.id for a in articles],
            "builds": rows,
        },
    )


if __name__ == "__main__":
    main()
