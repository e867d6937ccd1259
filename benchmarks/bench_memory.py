"""Peak memory of the CLI over large folders (issue 8, item 5).

``python -m diplosum summarise DIR -m bench --base-url URL -j 32 --cache C.db -o out.jsonl -q``
over folders of small articles against a zero-latency fake server in its own process. The
peak RSS is the child's ``ru_maxrss`` (``wait4``); the child's RSS is also sampled every
half second, so the curve inside one run shows whether memory grows with the articles done.
Flat means: the peak does not grow with the folder size.

The default sizes are 10,000 / 30,000 / 60,000: on a 2-core machine 100,000 articles take
longer than ten minutes (see the article rate printed); ``--sizes 10000,30000,100000`` runs it.

    python benchmarks/bench_memory.py [--quick] [--sizes 10000,30000,60000] [-j 32]
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import _common as c


def run_sampled(
    argv: list[str], env: dict[str, str], every: float = 0.5
) -> tuple[c.ChildRun, list[tuple[float, float]]]:
    """Run ``argv``; return its measurements and (seconds, RSS MB) samples."""
    samples: list[tuple[float, float]] = []
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=env)
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            rss = c.proc_status_kb(proc.pid, "VmRSS")
            if rss is not None:
                samples.append((time.perf_counter() - started, rss / 1024))
            time.sleep(every)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        run = c.ChildRun(
            proc.returncode,
            wall,
            ru.ru_utime + ru.ru_stime,
            ru.ru_maxrss / 1024,
            "",
            err.read().decode(errors="replace"),
        )
    return run, samples


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="2,000 / 5,000 / 10,000 articles")
    ap.add_argument("--sizes", default=None, help="comma-separated folder sizes")
    ap.add_argument("-j", "--concurrency", type=int, default=32)
    ap.add_argument("--name", default="memory", help="results file name (default memory)")
    args = ap.parse_args()
    sizes = [
        int(x)
        for x in (args.sizes or ("2000,5000,10000" if args.quick else "10000,30000,60000")).split(
            ","
        )
    ]
    info = c.machine()
    results: list[dict[str, Any]] = []
    with c.fake_server(latency=0.0) as server, tempfile.TemporaryDirectory() as tmp:
        for n in sizes:
            folder = c.corpus_dir(n)
            c.log(f"{n:,} articles ...")
            argv = [
                *c.diplosum_cli(), "summarise", str(folder), "-m", "bench", "--base-url", server.url,
                "--cache", str(Path(tmp) / f"c{n}.db"), "-o", str(Path(tmp) / f"o{n}.jsonl"),
                "-q", "-j", str(args.concurrency),
            ]  # fmt: skip
            s0 = server.cpu()
            run, samples = run_sampled(argv, c.child_env())
            scpu = server.cpu() - s0
            if run.returncode != 0 or f"{n} ok" not in run.stderr:
                raise SystemExit(f"diplosum failed ({run.returncode}):\n{run.stderr[-3000:]}")

            def at(
                fraction: float,
                samples: list[tuple[float, float]] = samples,
                wall: float = run.wall_s,
            ) -> float | None:
                done = [rss for t, rss in samples if t <= fraction * wall]
                return done[-1] if done else None

            res = {
                "articles": n,
                "wall_s": run.wall_s,
                "per_s": n / run.wall_s,
                "client_cpu_s": run.cpu_s,
                "client_cpu_ms_per_article": run.cpu_s / n * 1e3,
                "server_cpu_s": scpu,
                "maxrss_mb": run.maxrss_mb,
                "rss_mb_at": {f"{int(f * 100)}%": at(f) for f in (0.1, 0.25, 0.5, 0.75, 0.99)},
                "samples": samples[:: max(1, len(samples) // 200)],
            }
            results.append(res)
            c.log(
                f"  {run.wall_s:.0f} s, {n / run.wall_s:.0f} articles/s, peak RSS {run.maxrss_mb:.0f} MB"
            )
    rows = [
        [
            f"{r['articles']:,}",
            c.fmt(r["maxrss_mb"], 0),
            " / ".join(c.fmt(v, 0) for v in r["rss_mb_at"].values()),
            c.fmt(r["wall_s"], 0),
            c.fmt(r["per_s"], 0),
            c.fmt(r["client_cpu_ms_per_article"]),
        ]
        for r in results
    ]
    print(f"\nPeak RSS of `diplosum summarise -j {args.concurrency}` (target < 250 MB)\n")
    print(
        c.table(
            [
                "articles",
                "peak RSS MB",
                "RSS MB at 10/25/50/75/99% of the run",
                "wall s",
                "articles/s",
                "client CPU ms/art",
            ],
            rows,
        )
    )
    growth = None
    if len(results) >= 2:
        a, b = results[0], results[-1]
        growth = (b["maxrss_mb"] - a["maxrss_mb"]) / (b["articles"] - a["articles"]) * 1000 * 1024
        print(
            f"\npeak RSS growth between {a['articles']:,} and {b['articles']:,} articles: {growth:.1f} KB per 1,000 articles"
        )
    path = c.write_results(
        args.name,
        {
            "machine": info,
            "concurrency": args.concurrency,
            "growth_kb_per_1000_articles": growth,
            "results": results,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
