"""``diplosum summarise --engine ray``: the same records, summarised by a Ray actor pool.

The driver (this process) reads the inputs, resumes and writes the output exactly as the
default engine does; :func:`diplosum.ray.summarise_paths` runs the articles on the cluster
(``--ray-address``, or a local one on this machine), ``--workers`` actors of ``-j`` calls each.
"""

from __future__ import annotations

import argparse
import contextlib
import logging
import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from ..errors import ConfigurationError
from ._common import eprint

__all__ = ["ray_records"]


def _options(args: argparse.Namespace, prices: dict[str, Any] | None) -> dict[str, Any]:
    """The summariser options of the command line (those of ``make_summariser``)."""
    from .._pricing import default_prices

    return {
        "model": args.model,
        "base_url": args.base_url,
        "mode": args.mode,
        "prompt": args.prompt,
        "max_reasks": args.max_reasks,
        "timeout": args.timeout,
        "strict": args.strict,
        "compact_schema": args.compact_schema,
        "prices": {**default_prices(), **prices} if prices else None,
    }


def ray_records(
    args: argparse.Namespace, summariser: Any, prices: dict[str, Any] | None, writer: Any
) -> Iterator[Any]:
    """The records of ``args.paths``, summarised on Ray (see the module docstring). Ray is
    imported and the cluster started or joined now (a :class:`ConfigurationError`, exit 2, if
    it cannot be); the records are summarised as the iterator is read."""
    local = not (args.ray_address or os.environ.get("RAY_ADDRESS"))
    os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
    if local:  # a cluster of this machine alone listens on loopback, not on its address
        os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")
    try:
        import ray

        from ..ray import summarise_paths
    except ImportError:
        raise ConfigurationError(
            "--engine ray needs Ray, which is not installed: pip install 'diplosum[ray]'"
        ) from None
    started = time.perf_counter()
    owned = not ray.is_initialized()
    if owned:
        try:
            ray.init(
                address=args.ray_address,
                include_dashboard=False,
                log_to_driver=False,
                logging_level=logging.ERROR,
            )
        except (ConnectionError, RuntimeError, ValueError) as exc:
            where = args.ray_address or "a local cluster"
            raise ConfigurationError(f"--engine ray: cannot start or join {where}: {exc}") from None
    logging.getLogger("ray.data").setLevel(logging.CRITICAL)  # diplosum reports failures
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False  # diplosum's own progress line is the one shown
    context.print_on_execution_start = False
    cluster: Any = ray  # cluster_resources() is not annotated
    cpus = int(cluster.cluster_resources().get("CPU", 1))
    workers = args.workers or max(1, cpus)
    where = args.ray_address or ("a local Ray cluster" if local else "the RAY_ADDRESS cluster")
    eprint(
        f"diplosum: engine ray: {workers} worker(s) of {args.concurrency} call(s) at once on "
        f"{where} ({cpus} CPUs), up in {time.perf_counter() - started:.1f} s"
    )
    records = summarise_paths(
        [Path(p) for p in args.paths],
        summariser,
        _options(args, prices),
        cache=summariser.cache,  # its spec: each actor opens its own connection
        concurrency=args.concurrency,
        workers=workers,
        budget_usd=args.budget,
        rpm=args.rpm / workers if args.rpm else None,  # the run's limits, shared out
        tpm=args.tpm / workers if args.tpm else None,
        skip=writer.done,
        exclude=writer.own_files,
    )
    return _shut_down_after(records, ray if owned else None)


def _shut_down_after(records: Iterator[Any], ray: Any) -> Iterator[Any]:
    """``records``, then the cluster this run started is shut down (also on Ctrl-C)."""
    try:
        yield from records
    finally:
        if ray is not None:
            with contextlib.suppress(Exception):
                ray.shutdown()
