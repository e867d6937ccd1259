"""``diplosum summarise``: a batch to JSON Lines or CSV, with progress and totals on stderr."""

from __future__ import annotations

import argparse
import os
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ._common import EXIT_BUDGET, EXIT_FAILED, EXIT_OK, eprint

__all__ = ["make_summariser", "run"]


def make_summariser(args: argparse.Namespace, prices: dict[str, Any] | None = None) -> Any:
    """The :class:`~diplosum.Summariser` the model and cache options describe (``prices``:
    those of ``--prices``, on top of the defaults); says which model was chosen and why."""
    from .._pricing import default_prices
    from .._summariser import Summariser

    cache: Any = False if args.no_cache else (args.cache or True)
    s = Summariser(
        args.model,
        base_url=args.base_url,
        cache=cache,
        mode=args.mode,
        prompt=args.prompt,
        max_reasks=args.max_reasks,
        timeout=args.timeout,
        strict=args.strict,
        compact_schema=args.compact_schema,
        prices={**default_prices(), **prices} if prices else None,
    )
    why = {
        "argument": "from --model",
        "DIPLOSUM_MODEL": "from DIPLOSUM_MODEL",
        "OPENAI_API_KEY": "OPENAI_API_KEY is set",
        "default": "no OPENAI_API_KEY set: using the embedded local model",
    }[s.spec.chosen_by]
    eprint(f"diplosum: model {s.spec.label} ({why})")
    if s.spec.provider == "local":
        from ..local import SECONDS_PER_ARTICLE
        from ._signals import stop_servers_on_signals

        # The command stops the server on SIGTERM/SIGINT (library code never installs signal
        # handlers); from the main thread, before the batch's thread starts the server.
        stop_servers_on_signals()
        eprint(
            "diplosum: local models run on the CPU, one article at a time "
            f"(about 15-{SECONDS_PER_ARTICLE} s per article for the 1.5B default on 2 cores, "
            "depending on the CPU)"
        )
    return s


def run(args: argparse.Namespace) -> int:
    """``diplosum summarise``: the exit code (0, 1 some failed, 3 the budget stopped it)."""
    from .._batch import BatchStats, summarise_many
    from .._names import visible
    from .._pricing import read_prices
    from ..errors import ConfigurationError
    from ._output import OutputWriter
    from ._usage import check_output, open_problem

    prices = read_prices(args.prices) if args.prices else None  # a value, passed on
    if not args.dry_run:
        check_output("-o", args.output)  # before a model is chosen or a server started
    summariser = make_summariser(args, prices)
    if args.dry_run:
        from ._dry_run import dry_run

        return dry_run(args, summariser)
    if getattr(args, "batch_api_write", None):  # README: Batch API
        from ._batchapi import write_requests

        return write_requests(args, summariser)
    if args.budget is not None:
        from .._schema import Usage

        if summariser.cost(Usage()) is None:
            eprint(
                f"diplosum: warning: no price is known for {summariser.spec.label}, so "
                "--budget cannot be enforced; add one with --prices"
            )
    if getattr(args, "batch_api", False) or getattr(args, "batch_api_read", None):
        from ._batchapi import check_batch_api

        check_batch_api(args, summariser)
    _refuse_output_as_input(args.output, args.paths)
    try:
        writer = OutputWriter(args.output, args.format, overwrite=args.overwrite)
    except OSError as exc:
        raise ConfigurationError(f"-o {visible(args.output)}: {open_problem(exc)}") from None
    if writer.removed_temps:
        eprint(
            f"diplosum: removed {writer.removed_temps} temporary file(s) of {args.output} "
            "left by a killed run"
        )
    if writer.replaced:
        eprint(f"diplosum: --overwrite: {args.output} emptied, starting afresh")
    if writer.kept:
        eprint(
            f"diplosum: resuming {args.output}: {writer.kept} finished article(s) kept, "
            f"{writer.dropped_failures} failed or partial line(s) to redo"
        )
        _warn_other_models(args.output, writer.models, summariser.spec.label)
    stats = BatchStats()
    progress = _Progress(enabled=not args.quiet)
    budget_hit = False
    try:
        with writer:
            if getattr(args, "engine", "default") == "ray":  # README: Scaling out
                from ._ray import ray_records

                records = ray_records(args, summariser, prices, writer)
            elif getattr(args, "batch_api", False) or getattr(args, "batch_api_read", None):
                from ._batchapi import batch_api_records

                records = batch_api_records(args, summariser, writer)
            else:
                records = summarise_many(
                    [Path(p) for p in args.paths],  # command-line words are paths, never text
                    summariser,
                    concurrency=args.concurrency,
                    rpm=args.rpm,
                    tpm=args.tpm,
                    budget_usd=args.budget,
                    skip=writer.done,
                    exclude=writer.own_files,  # -o inside an input folder is not an input
                    check_cache=True,  # a read-only cache: exit 2 before the first model call
                )
            for item in records:
                writer.write(item)
                stats.add(item)
                if not item.ok:
                    etype = item.error.type if item.error else None
                    budget_hit |= etype == "BudgetExceeded"
                    if etype != "BudgetExceeded":
                        progress.clear()
                        message = item.error.message if item.error else None
                        eprint(f"diplosum: failed: {visible(message)}")
                progress.update(stats)
    finally:
        progress.clear()
        eprint(_totals(stats, writer.kept))
        if summariser.cache_write_failures:
            eprint(
                f"diplosum: warning: {summariser.cache_write_failures} answer(s) could not be "
                "written to the cache: they are in the output with their cost, but a run "
                "without this output would pay for them again"
            )
    if budget_hit:
        eprint(
            f"diplosum: the budget of ${args.budget} was reached; articles not started are "
            "reported as BudgetExceeded and will run on the next invocation"
        )
        return EXIT_BUDGET
    return EXIT_OK if stats.failed == 0 else EXIT_FAILED


def _refuse_output_as_input(output: str | None, paths: Sequence[str]) -> None:
    """-o naming one of the inputs given on the command line is a usage error."""
    from ..errors import ConfigurationError

    if output is None or not os.path.isfile(output):
        return
    for p in paths:
        try:
            same = os.path.samefile(p, output)
        except OSError:
            continue
        if same:
            raise ConfigurationError(
                f"the output file {output} is also an input ({p}): choose another -o"
            )


def _warn_other_models(output: str, models: Any, label: str) -> None:
    """Records kept from other models are not redone: say so, with how many from which."""
    other = {m: n for m, n in models.items() if m != label}
    if not other:
        return
    counts = ", ".join(f"{n} by {m}" for m, n in sorted(other.items()))
    eprint(
        f"diplosum: warning: {output} holds record(s) made by another model ({counts}); "
        f"they are kept and not redone with {label}; to redo them, use another -o or "
        "--overwrite"
    )


def _totals(stats: Any, kept: int) -> str:
    cost = f"${stats.cost_usd:.4f}" + (" + unknown" if stats.cost_unknown else "")
    resumed = f", {kept} resumed" if kept else ""
    return (
        f"diplosum: {stats.articles} articles: {stats.ok} ok, {stats.failed} failed, "
        f"{stats.cached} cached{resumed}; {stats.tokens:,} tokens, {cost}; "
        f"{stats.elapsed:.1f} s"
    )


class _Progress:
    """A one-line progress display on stderr (a TTY), or a line every 10 s otherwise."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled
        self.tty = sys.stderr.isatty()
        self.last = 0.0

    def update(self, stats: Any) -> None:
        if not self.enabled:
            return
        now = time.monotonic()
        if not self.tty and now - self.last < 10:
            return
        self.last = now
        rate = stats.articles / max(stats.elapsed, 1e-9)
        line = (
            f"[{stats.articles}] ok {stats.ok} failed {stats.failed} cached {stats.cached} "
            f"tokens {stats.tokens:,} ${stats.cost_usd:.4f} {rate:.2f}/s"
        )
        if self.tty:
            sys.stderr.write("\r\033[K" + line)
            sys.stderr.flush()
        else:
            eprint("diplosum: " + line)

    def clear(self) -> None:
        if self.enabled and self.tty:
            sys.stderr.write("\r\033[K")
            sys.stderr.flush()
