"""``diplosum summarise --batch-api``: the provider's Batch API, with a progress line and a
question on Ctrl-C (README: Batch API).

The batch itself is :meth:`~diplosum.Summariser.collect_batch`; this module reads the inputs,
checks the options, draws the polling progress on stderr and, when the run is interrupted,
asks on a terminal whether to cancel the remote batch (anywhere else it leaves the batch
running and says how to resume it: the same command again).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ._common import eprint

__all__ = ["batch_api_records", "check_batch_api", "write_requests"]


def check_batch_api(args: argparse.Namespace, summariser: Any) -> None:
    """Usage errors of ``--batch-api`` (exit 2), before the output is opened."""
    from .._batchapi import check_supported
    from ..errors import ConfigurationError

    if not getattr(args, "batch_api_read", None):  # an offline run's file needs no Batch API
        check_supported(summariser.spec)
    if getattr(args, "engine", "default") != "default":
        raise ConfigurationError("--batch-api runs in one process: drop --engine")
    if args.budget is not None:
        raise ConfigurationError(
            "--batch-api submits every article at once, so --budget cannot stop it midway: "
            "drop --budget (--dry-run estimates the cost first)"
        )
    if summariser.cache is None:
        raise ConfigurationError(
            "--batch-api keeps its batch ids in the cache, to resume an interrupted run: "
            "drop --no-cache"
        )


def batch_api_records(args: argparse.Namespace, summariser: Any, writer: Any) -> Iterator[Any]:
    """The records of ``args.paths`` through the Batch API (inputs that cannot be read first),
    skipping what ``writer`` already holds."""
    from .._inputs import iter_articles
    from .._records import OutputRecord
    from ..errors import ArticleError

    articles = []
    for art in iter_articles([Path(p) for p in args.paths], exclude=writer.own_files):
        if isinstance(art, ArticleError):
            yield OutputRecord.failure(art, summariser=summariser, source=art.source)
        elif (art.id, art.sha256) not in writer.done:
            articles.append(art)
    if getattr(args, "batch_api_read", None):
        yield from summariser.read_batch_file(
            articles, args.batch_api_read, concurrency=args.concurrency
        )
        return
    line = _Line(enabled=not args.quiet)
    try:
        yield from summariser.collect_batch(
            articles,
            reasks=args.batch_api_reasks,
            poll_seconds=args.batch_api_poll,
            progress=line.update,
            concurrency=args.concurrency,
        )
    except KeyboardInterrupt as exc:
        line.clear()
        _interrupted(summariser, line.open_jobs(), terminated=type(exc).__name__ == "_Terminated")
        raise
    finally:
        line.clear()


def write_requests(args: argparse.Namespace, summariser: Any) -> int:
    """``--batch-api-write FILE``: the request file of the articles not cached; exit 0."""
    from .._inputs import iter_articles
    from ..errors import ArticleError, ConfigurationError

    if summariser.cache is None:
        raise ConfigurationError("--batch-api-write leaves out cached articles: drop --no-cache")
    articles, unreadable = [], 0
    for art in iter_articles([Path(p) for p in args.paths]):
        if isinstance(art, ArticleError):
            unreadable += 1
            eprint(f"diplosum: failed: {art}")
        else:
            articles.append(art)
    n = summariser.write_batch_file(articles, args.batch_api_write)
    eprint(
        f"diplosum: wrote {n} request(s) to {args.batch_api_write} ({len(articles) - n} cached, "
        f"{unreadable} unreadable); run them (e.g. vllm run-batch -i {args.batch_api_write} "
        "-o results.jsonl --model MODEL), then: diplosum summarise ... --batch-api-read "
        "results.jsonl -o out.jsonl"
    )
    return 0


def _interrupted(summariser: Any, jobs: list[Any], *, terminated: bool) -> None:
    """Ctrl-C while polling: on a terminal, ask whether to cancel each remote batch; otherwise
    (or if the answer is no) leave it running and say how to resume."""
    for job in jobs:
        cancel = False
        if not terminated and sys.stdin.isatty() and sys.stderr.isatty():
            try:
                sys.stderr.write(
                    f"diplosum: cancel batch {job.batch_id} at the provider too? Answers it "
                    "finished are kept; what it did not is submitted again next time [y/N] "
                )
                sys.stderr.flush()
                cancel = sys.stdin.readline().strip().lower() in ("y", "yes")
            except (KeyboardInterrupt, EOFError, OSError):
                cancel = False
        if cancel:
            summariser.cancel_batch(job)
            eprint(
                f"diplosum: batch {job.batch_id}: cancellation requested; run the same command "
                "again to collect what it finished"
            )
        else:
            eprint(
                f"diplosum: batch {job.batch_id} keeps running at the provider; run the same "
                "command again to resume polling it (nothing is uploaded or paid for twice)"
            )


class _Line:
    """The polling progress on stderr: one line redrawn on a terminal, else a line per state
    change and at most one every 60 s."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.last = 0.0
        self.states: dict[str, str] = {}
        self.jobs: dict[str, Any] = {}

    def open_jobs(self) -> list[Any]:
        from .._batchapi import TERMINAL

        return [job for job in self.jobs.values() if job.state not in TERMINAL]

    def update(self, progress: Any) -> None:
        job = progress.job
        self.jobs[job.job_id] = job
        changed = self.states.get(job.job_id) != job.state
        self.states[job.job_id] = job.state
        if not self.enabled:
            return
        now = time.monotonic()
        if not self.tty and not changed and now - self.last < 60:
            return
        self.last = now
        minutes, seconds = divmod(int(progress.elapsed_s), 60)
        text = (
            f"diplosum: batch {job.batch_id} (round {job.round}, {progress.total} requests): "
            f"{job.state}, {progress.completed} done, {progress.failed} failed, "
            f"{minutes}m{seconds:02d}s"
        )
        if self.tty:
            sys.stderr.write("\r\033[K" + text)
            sys.stderr.flush()
        else:
            eprint(text)

    def clear(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
