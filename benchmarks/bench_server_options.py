"""llama.cpp server options for the embedded model, side by side (issue 12, item 5).

For each configuration a fresh ``python -m llama_cpp.server`` is started with diplosum's
former flags (n_ctx 8192, threads = CPUs, ``--logits_all false``) plus the configuration's
(``use_mmap false`` is diplosum's own set now); the same
articles (the first ``--articles`` of ``examples/``) are summarised through it, one at a time,
with no cache; the server's peak RSS (``VmHWM``) is read before it stops. Reported: peak RSS,
seconds per article, and whether the mediators, parties, venue and date are the same as with
the first configuration (``default``: llama.cpp's own defaults, unless ``--config`` picks
another first). The configurations run one
after another on the same machine: run it on a quiet one.

    python benchmarks/bench_server_options.py [--articles 3] [--prompt extract-v2]
        [--config default --config "n_batch 256" ...]   # a subset (default: all)

Needs ``pip install -e ".[local]"``; writes ``results/server_options.json`` (``--name``).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
import urllib.request
from typing import Any

import _common as c

CONFIGS: dict[str, list[str]] = {
    "default": ["--flash_attn", "false", "--use_mmap", "true"],
    # Weights read into memory, not mapped: the mapped file's pages stay resident beside the
    # copy llama.cpp repacks for its CPU kernels (diplosum's default since 2026-12-02).
    "use_mmap false": ["--use_mmap", "false"],
    "flash_attn": ["--flash_attn", "true"],
    "flash_attn + q8_0 KV cache": ["--flash_attn", "true", "--type_k", "8", "--type_v", "8"],
    # A smaller batch: llama.cpp's compute buffer (the logits of a whole batch for a
    # 151,936-token vocabulary) scales with it.
    "n_batch 256": ["--n_batch", "256", "--n_ubatch", "256"],
    "q8_0 K cache": ["--type_k", "8"],
    # Prompt-lookup decoding: drafts continuations from n-grams of the prompt (names and
    # numbers the answer copies); llama-cpp-python turns logits_all on for it.
    "prompt lookup (10)": [
        "--draft_model", "prompt-lookup-decoding", "--draft_model_num_pred_tokens", "10",
        "--logits_all", "true",
    ],
    # The same on diplosum's own server flags (weights read in, not mapped).
    "use_mmap false + prompt lookup (10)": [
        "--use_mmap", "false", "--draft_model", "prompt-lookup-decoding",
        "--draft_model_num_pred_tokens", "10", "--logits_all", "true",
    ],
    "use_mmap false + prompt lookup (4)": [
        "--use_mmap", "false", "--draft_model", "prompt-lookup-decoding",
        "--draft_model_num_pred_tokens", "4", "--logits_all", "true",
    ],
}  # fmt: skip


def _wait(port: int, proc: subprocess.Popen[bytes], timeout: float = 300) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited with {proc.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/v1/models", timeout=2):
                return
        except OSError:
            time.sleep(1)
    raise SystemExit("server did not answer")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=3)
    ap.add_argument("--prompt", default="extract-v2")
    ap.add_argument(
        "--config",
        action="append",
        choices=list(CONFIGS),
        help="run only these configurations (repeatable; the first is the reference)",
    )
    ap.add_argument(
        "--name", default="server_options", help="results/NAME.json (default %(default)s)"
    )
    args = ap.parse_args()
    configs = {name: CONFIGS[name] for name in args.config} if args.config else CONFIGS

    from diplosum._article import read_article
    from diplosum.local import resolve_weights
    from diplosum.providers import LOCAL_CONTEXT

    weights = resolve_weights("qwen2.5-1.5b", progress=False)
    files = sorted(p for p in (c.ROOT / "examples").iterdir() if p.is_file())
    articles = [read_article(p) for p in files[: args.articles]]
    info = c.machine()
    results: dict[str, Any] = {}
    for name, extra in configs.items():
        port = c.free_port()
        threads = str(len(os.sched_getaffinity(0)))
        cmd = [
            sys.executable, "-m", "llama_cpp.server", "--model", str(weights),
            "--model_alias", "local", "--host", "127.0.0.1", "--port", str(port),
            "--n_ctx", str(LOCAL_CONTEXT), "--n_threads", threads, "--n_threads_batch", threads,
            "--logits_all", "false", *extra,
        ]  # fmt: skip
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            _wait(port, proc)
            seconds, answers = [], []
            with c.local_summariser(f"http://127.0.0.1:{port}/v1", args.prompt) as s:
                for article in articles:
                    t0 = time.perf_counter()
                    result = s.summarise_article(article)
                    seconds.append(time.perf_counter() - t0)
                    answers.append(
                        result.summary.model_dump(
                            mode="json", include={"mediators", "parties", "venue", "proposed_date"}
                        )
                    )
            peak = (c.proc_status_kb(proc.pid, "VmHWM") or 0) / 1024
        finally:
            proc.terminate()
            proc.wait(30)
        results[name] = {
            "flags": extra,
            "peak_rss_mib": peak,
            "seconds": seconds,
            "median_s": statistics.median(seconds),
            "total_s": sum(seconds),
            "answers": answers,
        }
        c.log(f"{name}: peak RSS {peak:.0f} MiB, seconds {[round(x, 1) for x in seconds]}")
    first = next(iter(results.values()))
    rows = []
    for name, r in results.items():
        r["same_answers_as_default"] = r["answers"] == first["answers"]
        rows.append(
            [
                name,
                f"{r['peak_rss_mib']:.0f}",
                c.fmt(r["median_s"], 1),
                c.fmt(r["total_s"], 1),
                c.fmt(r["total_s"] / first["total_s"]),
                "yes" if r["same_answers_as_default"] else "no",
            ]
        )
    headers = [
        "server options",
        "peak RSS MiB",
        "median s",
        "total s",
        "vs default",
        "same answers",
    ]
    print(c.table(headers, rows))
    c.write_results(
        args.name,
        {"machine": info, "git": c.git_state(), "prompt": args.prompt, "configs": results},
    )


if __name__ == "__main__":
    main()
