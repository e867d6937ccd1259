"""Throughput against a fake server with a fixed latency per call (issue 8, item 1).

One fake server (its own process, ``--latency 0.1`` by default) serves, side by side and with
interleaved repeats:

* ``diplosum``: ``asummarise_many(articles, Summariser(model="bench", base_url=URL,
  cache=None), concurrency=N)``;
* ``instructor + semaphore``: instructor's asyncio recipe, ``instructor.from_openai(
  AsyncOpenAI(...))`` + ``asyncio.Semaphore(N)`` + ``asyncio.gather``;
* ``instructor loop``: a sequential loop of sync instructor calls (only at N = 1: it is
  sequential whatever N is, so at N > 1 its throughput is the N = 1 figure).

All three send the same prompt (diplosum's, rendered) with the same schema
(``diplosum.schema.Extraction``, instructor JSON mode) and validate quotes the same way.
Reported: articles/s (median of the repeats and spread), the ratio to the ideal
``N / latency``, and CPU seconds per article of this client process (``getrusage``) and of the
server process (``/proc``), with the share of the machine's cores they used, so a CPU cap on
this 2-core machine shows.

    python benchmarks/bench_throughput.py [--quick] [--latency 0.1] [--repeats 3]
"""

from __future__ import annotations

import argparse
import os
from typing import Any

import _common as c
from bench_overhead import diplosum_batch, instructor_loop, semaphore_recipe


def sequential(arts: list[Any], url: str, concurrency: int) -> int:
    return instructor_loop(arts, url)


CONTENDERS = {
    "diplosum asummarise_many": diplosum_batch,
    "instructor + semaphore": semaphore_recipe,
    "instructor loop (sequential)": sequential,
}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer articles and repeats")
    ap.add_argument("--latency", type=float, default=0.1, help="seconds per call (default 0.1)")
    ap.add_argument("--repeats", type=int, default=None, help="default 3 (2 with --quick)")
    ap.add_argument(
        "--concurrency", default="1,8,32,64", help="comma-separated levels (default 1,8,32,64)"
    )
    args = ap.parse_args()
    repeats = args.repeats or (2 if args.quick else 3)
    levels = [int(x) for x in args.concurrency.split(",")]
    big = 300 if args.quick else 1000
    small = 30 if args.quick else 100
    info = c.machine()
    arts = c.articles(big)
    cores = os.cpu_count() or 1
    runs: dict[str, dict[str, list[dict[str, float]]]] = {}
    with c.fake_server(latency=0.0) as warm:  # imports, lazily built normalisation indexes
        for fn in CONTENDERS.values():
            fn(arts[:100], warm.url, 8)
    with c.fake_server(latency=args.latency) as server:
        for level in levels:
            n = small if level == 1 else big
            names = [k for k in CONTENDERS if level == 1 or "sequential" not in k]
            runs[str(level)] = {k: [] for k in names}
            for rep in range(repeats):
                order = names[rep % len(names) :] + names[: rep % len(names)]
                for name in order:
                    s0 = server.cpu()
                    ok, wall, cpu = c.timed(
                        lambda name=name, n=n, level=level: CONTENDERS[name](
                            arts[:n], server.url, level
                        )
                    )
                    scpu = server.cpu() - s0
                    row = {
                        "articles": n,
                        "ok": ok,
                        "wall_s": wall,
                        "per_s": n / wall,
                        "client_cpu_s": cpu,
                        "server_cpu_s": scpu,
                    }
                    runs[str(level)][name].append(row)
                    c.log(
                        f"c={level} rep {rep + 1}/{repeats} {name}: {n / wall:.1f}/s, "
                        f"client CPU {cpu:.2f} s, server CPU {scpu:.2f} s, ok {ok}/{n}"
                    )

    results: list[dict[str, Any]] = []
    rows = []
    for level in levels:
        ideal = level / args.latency
        by = runs[str(level)]
        sem = c.summary([r["per_s"] for r in by["instructor + semaphore"]])
        for name, rs in by.items():
            rate = c.summary([r["per_s"] for r in rs])
            n = rs[0]["articles"]
            ccpu = c.summary([r["client_cpu_s"] / n * 1e3 for r in rs])
            scpu = c.summary([r["server_cpu_s"] / n * 1e3 for r in rs])
            busy = c.summary(
                [(r["client_cpu_s"] + r["server_cpu_s"]) / r["wall_s"] / cores for r in rs]
            )
            client_busy = c.summary([r["client_cpu_s"] / r["wall_s"] for r in rs])
            res = {
                "concurrency": level,
                "contender": name,
                "articles": n,
                "per_s": rate,
                "ideal_per_s": ideal,
                "ratio_to_ideal": rate["median"] / ideal,
                "ratio_to_semaphore": rate["median"] / sem["median"],
                "client_cpu_ms_per_article": ccpu,
                "server_cpu_ms_per_article": scpu,
                "machine_cpu_share": busy,
                "client_cores_busy": client_busy,
                "failures": sum(r["articles"] - r["ok"] for r in rs),
            }
            results.append(res)
            rows.append(
                [
                    level,
                    name,
                    n,
                    c.fmt(rate["median"], 1),
                    f"{rate['spread'] * 100:.0f}%",
                    c.fmt(ideal, 0),
                    f"{res['ratio_to_ideal'] * 100:.0f}%",
                    c.fmt(res["ratio_to_semaphore"], 2),
                    c.fmt(ccpu["median"]),
                    c.fmt(scpu["median"]),
                    f"{client_busy['median']:.2f}",
                    f"{busy['median'] * 100:.0f}%",
                ]
            )
    headers = [
        "N",
        "client",
        "articles",
        "articles/s (median)",
        "spread",
        "ideal/s",
        "of ideal",
        "vs semaphore",
        "client CPU ms/art",
        "server CPU ms/art",
        "client cores busy",
        "machine CPU used",
    ]
    print(f"\nThroughput, latency {args.latency * 1e3:.0f} ms, {repeats} repeats, {cores} cores\n")
    print(c.table(headers, rows))
    path = c.write_results(
        "throughput",
        {
            "machine": info,
            "latency_s": args.latency,
            "repeats": repeats,
            "results": results,
            "runs": runs,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
