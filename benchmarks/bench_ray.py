"""The Ray engine against the default one (issue 15): one process is capped at one core.

One fake server (its own process, ``--latency 0.1``) serves, one after the other, the same
folder of 10,000 small articles summarised by the command line::

    python -m diplosum summarise DIR -m bench --base-url URL --no-cache -j 32 -q -o default.jsonl
    python -m diplosum summarise DIR ... --engine ray --workers 2 -o ray.jsonl

The Ray run starts its own local cluster (2 CPUs here, on loopback). Reported: the wall time
of each whole command (interpreter, model choice, Ray start-up, writing the output), the
articles/s over that wall time and, for Ray, over the wall time less its start-up (the
"engine ray: ... up in S s" line: ``ray.init`` until the cluster answers; the actors' own
start-up, importing diplosum and building the summariser, is inside the run), the ratio of the
two engines, and a check that both outputs hold the same records (all but ``latency_s``).

    python benchmarks/bench_ray.py [--articles 10000] [--latency 0.1] [--workers 2] [-j 32]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import _common as c


def command(folder: Path, url: str, out: Path, concurrency: int, extra: list[str]) -> list[str]:
    return [
        *c.diplosum_cli(),
        "summarise",
        str(folder),
        "-m",
        "bench",
        "--base-url",
        url,
        "--no-cache",
        "-j",
        str(concurrency),
        "-q",
        "-o",
        str(out),
        *extra,
    ]


def records(path: Path) -> dict[str, dict[str, Any]]:
    out = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        rec = json.loads(line)
        rec.pop("latency_s", None)
        out[rec["id"]] = rec
    return out


def watched(argv: list[str], out: Path, env: dict[str, str], n: int) -> dict[str, Any]:
    """Run ``argv``, counting the lines of ``out`` every 0.1 s: the wall time, when the first
    record was written (start-up: interpreter, model choice, Ray, the actors) and the rate
    from then on."""
    err = out.with_suffix(".stderr")
    with err.open("wb") as fh:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=fh, env=env)
        first = None
        while proc.poll() is None:
            time.sleep(0.1)
            if first is None and out.exists() and out.stat().st_size > 0:
                first = time.perf_counter() - started
        wall = time.perf_counter() - started
    stderr = err.read_text(errors="replace")
    if proc.returncode != 0:
        raise SystemExit(f"exit {proc.returncode}\n{stderr[-3000:]}")
    first = first if first is not None else wall
    up = re.search(r"up in ([0-9.]+) s", stderr)
    return {
        "wall_s": wall,
        "first_record_s": first,
        "ray_init_s": float(up.group(1)) if up else None,
        "per_s": n / wall,
        "per_s_after_first": (n - 1) / max(wall - first, 1e-9),
        "loadavg_after": [round(x, 2) for x in os.getloadavg()],
        "stderr_tail": stderr[-600:],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=10_000)
    ap.add_argument("--latency", type=float, default=0.1, help="seconds per call (default 0.1)")
    ap.add_argument("--workers", type=int, default=2, help="Ray actors (default 2)")
    ap.add_argument("-j", "--concurrency", type=int, default=32, help="calls at once per process")
    args = ap.parse_args()
    info = c.machine()
    folder = c.corpus_dir(args.articles)
    env = c.child_env(RAY_DISABLE_USAGE_STATS="1")
    runs: dict[str, dict[str, Any]] = {}
    with tempfile.TemporaryDirectory() as tmp, c.fake_server(latency=args.latency) as server:
        outputs = {"default": Path(tmp) / "default.jsonl", "ray": Path(tmp) / "ray.jsonl"}
        extras = {"default": [], "ray": ["--engine", "ray", "--workers", str(args.workers)]}
        for name in ("default", "ray"):
            s0 = server.cpu()
            argv = command(folder, server.url, outputs[name], args.concurrency, extras[name])
            runs[name] = watched(argv, outputs[name], env, args.articles)
            runs[name]["server_cpu_s"] = server.cpu() - s0
            r = runs[name]
            c.log(
                f"{name}: {r['wall_s']:.1f} s, {r['per_s']:.1f} articles/s; first record after "
                f"{r['first_record_s']:.1f} s, {r['per_s_after_first']:.1f}/s from then on"
            )
        same = records(outputs["default"]) == records(outputs["ray"])
    d, r = runs["default"], runs["ray"]
    ratio = r["per_s"] / d["per_s"]
    ratio_after = r["per_s_after_first"] / d["per_s_after_first"]
    startup = r["first_record_s"] - d["first_record_s"]
    headers = ["engine", "articles", "wall s", "first record s", "articles/s", "after first"]
    rows = [
        [
            name,
            args.articles,
            c.fmt(x["wall_s"], 1),
            c.fmt(x["first_record_s"], 1),
            c.fmt(x["per_s"], 1),
            c.fmt(x["per_s_after_first"], 1),
        ]
        for name, x in (("default (one process)", d), (f"ray, {args.workers} workers", r))
    ]
    print(f"\nlatency {args.latency * 1e3:.0f} ms, -j {args.concurrency}, {os.cpu_count()} cores\n")
    print(c.table(headers, rows))
    print(
        f"\nratio ray/default: {ratio:.2f}x over the whole command, {ratio_after:.2f}x once "
        f"records flow; Ray's start-up: {startup:.1f} s more to the first record "
        f"(ray.init {r['ray_init_s']} s); same records: {same}"
    )
    path = c.write_results(
        "ray",
        {
            "machine": info,
            "articles": args.articles,
            "latency_s": args.latency,
            "concurrency": args.concurrency,
            "workers": args.workers,
            "runs": runs,
            "ratio": ratio,
            "ratio_after_first_record": ratio_after,
            "ray_startup_s": startup,
            "same_records": same,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
