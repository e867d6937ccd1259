"""Re-running a fully cached folder through the CLI (issue 8, item 3).

For folders of small articles (1,000 and 10,000 by default), against a zero-latency fake
server in its own process:

1. the first run, every article a cache miss::

       python -m diplosum summarise DIR -m bench --base-url URL --cache C.db -o first.jsonl -q

2. the same command again with a new output file (an existing ``-o`` file would be resumed
   and its articles skipped without reading the cache), every article a cache hit.

Wall time is that of the whole child process, interpreter start included; CPU and peak RSS
come from ``wait4``. ``python -c pass`` is timed alongside as the floor.

    python benchmarks/bench_cache.py [--quick] [--sizes 1000,10000] [--repeats 5]
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import _common as c


def summarise(folder: Path, url: str, cache: Path, out: Path, concurrency: int) -> c.ChildRun:
    argv = [
        *c.diplosum_cli(),
        "summarise",
        str(folder),
        "-m",
        "bench",
        "--base-url",
        url,
        "--cache",
        str(cache),
        "-o",
        str(out),
        "-q",
        "-j",
        str(concurrency),
    ]
    run = c.run_child(argv, env=c.child_env())
    if run.returncode != 0:
        raise SystemExit(f"diplosum failed ({run.returncode}):\n{run.stderr[-3000:]}")
    return run


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="1,000 and 3,000 articles, 3 repeats")
    ap.add_argument("--sizes", default=None, help="comma-separated folder sizes")
    ap.add_argument("--repeats", type=int, default=None, help="cached re-runs per size (default 5)")
    ap.add_argument(
        "-j", "--concurrency", type=int, default=8, help="-j of the first run (default 8)"
    )
    args = ap.parse_args()
    sizes = [
        int(x) for x in (args.sizes or ("1000,3000" if args.quick else "1000,10000")).split(",")
    ]
    repeats = args.repeats or (3 if args.quick else 5)
    info = c.machine()
    floor = [c.run_child([sys.executable, "-c", "pass"]).wall_s for _ in range(5)]
    results: list[dict[str, Any]] = []
    with c.fake_server(latency=0.0) as server, tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = c.corpus_dir(n)
            cache = Path(tmp) / f"cache-{n}.db"
            c.log(f"{n} articles: first run (all misses) ...")
            first = summarise(
                folder, server.url, cache, Path(tmp) / f"first-{n}.jsonl", args.concurrency
            )
            lines = (Path(tmp) / f"first-{n}.jsonl").read_text().count("\n")
            cached: list[c.ChildRun] = []
            for rep in range(repeats):
                out = Path(tmp) / f"again-{n}-{rep}.jsonl"
                run = summarise(folder, server.url, cache, out, args.concurrency)
                if f"{n} cached" not in run.stderr:
                    raise SystemExit(f"the re-run was not fully cached:\n{run.stderr[-2000:]}")
                cached.append(run)
                c.log(f"  cached re-run {rep + 1}/{repeats}: {run.wall_s:.2f} s")
            wall = c.summary([r.wall_s for r in cached])
            results.append(
                {
                    "articles": n,
                    "output_lines": lines,
                    "first_run": {
                        "wall_s": first.wall_s,
                        "cpu_s": first.cpu_s,
                        "maxrss_mb": first.maxrss_mb,
                        "per_s": n / first.wall_s,
                    },
                    "cached_wall_s": wall,
                    "cached_cpu_s": c.summary([r.cpu_s for r in cached]),
                    "cached_maxrss_mb": c.summary([r.maxrss_mb for r in cached]),
                    "cached_ms_per_article": wall["median"] / n * 1e3,
                    "speedup_vs_first": first.wall_s / wall["median"],
                }
            )
    floor_s = c.summary(floor)
    rows = []
    for r in results:
        rows.append(
            [
                f"{r['articles']:,}",
                c.fmt(r["first_run"]["wall_s"]),
                c.fmt(r["first_run"]["per_s"], 0),
                c.fmt(r["cached_wall_s"]["median"]),
                f"{r['cached_wall_s']['spread'] * 100:.0f}%",
                c.fmt(r["cached_ms_per_article"], 3),
                f"{r['speedup_vs_first']:.1f}x",
                c.fmt(r["cached_cpu_s"]["median"]),
                c.fmt(r["cached_maxrss_mb"]["median"], 0),
            ]
        )
    per_extra = None
    if len(results) >= 2:
        a, b = results[0], results[-1]
        per_extra = (
            (b["cached_wall_s"]["median"] - a["cached_wall_s"]["median"])
            / (b["articles"] - a["articles"])
            * 1e3
        )
    print(
        f"\nFully cached re-run via the CLI, {repeats} repeats; `python -c pass` = {floor_s['median']:.3f} s\n"
    )
    print(
        c.table(
            [
                "articles",
                "first run s",
                "first run art/s",
                "cached re-run s (median)",
                "spread",
                "cached ms/article",
                "vs first",
                "cached CPU s",
                "peak RSS MB",
            ],
            rows,
        )
    )
    if per_extra is not None:
        print(f"\nmarginal cost of one more cached article: {per_extra:.3f} ms")
    path = c.write_results(
        "cache",
        {
            "machine": info,
            "python_c_pass_s": floor_s,
            "concurrency_first_run": args.concurrency,
            "marginal_ms_per_cached_article": per_extra,
            "results": results,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
