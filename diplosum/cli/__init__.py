"""The ``diplosum`` command line: the only part of diplosum that prints, exits, handles signals
or configures logging.

Data goes to stdout (JSON Lines) or ``-o``; progress, warnings and totals go to
stderr. Exit codes: 0 every article succeeded, 1 some articles failed, 2 bad
usage or configuration, 3 the budget stopped the run, 130 interrupted (Ctrl-C),
141 stdout was closed before the output was complete (a broken pipe), 143
terminated (SIGTERM, handled like Ctrl-C: the totals line, then exit). The
SIGTERM handler is installed by :func:`main` alone, never by library code.
Heavy modules are imported only by the subcommand that needs them, so
``diplosum --help`` answers fast.

Internal: nothing imports this package but ``diplosum.__main__`` (an import-linter contract).
The subcommands live in ``_summarise``, ``_show``, ``_dry_run``, ``_cache``, ``_eval`` and
``_report``; the parser in ``_parser``, output files in ``_output`` and ``_outfile``.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Sequence
from typing import Any

from ._common import (
    EXIT_BROKEN_PIPE,
    EXIT_INTERRUPTED,
    EXIT_OK,
    EXIT_TERMINATED,
    EXIT_USAGE,
    ProgressBars,
    StderrLog,
    eprint,
)
from ._parser import build_parser
from ._summarise import make_summariser

__all__ = ["build_parser", "fake_server_main", "main", "run"]

_make_summariser = make_summariser  # the name tests use


class _Terminated(KeyboardInterrupt):
    """Raised by the CLI's SIGTERM handler: a KeyboardInterrupt, so every clean-up path of
    Ctrl-C runs (the batch stops, the local server is stopped, the totals line is printed)."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Terminated()


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``diplosum`` command: installs the SIGTERM handler, then runs."""
    import signal

    if signal.getsignal(signal.SIGTERM) == signal.SIG_DFL:  # not ignored, not taken by a host
        signal.signal(signal.SIGTERM, _on_sigterm)
    try:
        code = run(argv)
        sys.stdout.flush()
    except BrokenPipeError:  # e.g. `diplosum summarise news/ | head -c 100`
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        eprint(
            "diplosum: error: the output was cut: stdout was closed (a broken pipe) before "
            "everything was written (summarise -o FILE keeps every record)"
        )
        code = EXIT_BROKEN_PIPE
    sys.exit(code)


def fake_server_main(argv: Sequence[str] | None = None) -> int:
    """``python -m diplosum.testing``: print the fake server's URL, serve until SIGTERM/SIGINT
    (see :mod:`diplosum.cli._fake_server`); the exit code."""
    from ._fake_server import run as run_fake_server

    return run_fake_server(argv)


def run(argv: Sequence[str] | None = None) -> int:
    """Run the command line; returns the exit code."""
    import logging

    # instructor logs every exhausted re-ask at ERROR; diplosum reports failures itself.
    logging.getLogger("instructor").addHandler(logging.NullHandler())
    StderrLog.install()
    ProgressBars.install()
    parser = build_parser()
    args = parser.parse_args(argv)
    if not args.command:
        parser.print_help()
        return EXIT_USAGE
    from ..errors import DiplosumError

    try:
        if args.command in ("summarise", "summarize"):
            from ._summarise import run as run_summarise

            return run_summarise(args)
        if args.command == "show":
            from ._show import show

            return show(args.file)
        if args.command == "cache":
            from ._cache import run as run_cache

            return run_cache(args)
        if args.command == "schema":
            from .._records import output_record_schema

            print(json.dumps(output_record_schema(), indent=2))
            return EXIT_OK
        if args.command == "eval":
            from ._eval import run as run_eval

            return run_eval(args)
        if args.command == "report":
            from ._report import run as run_report

            return run_report(args)
        parser.error(f"unknown command {args.command}")
    except DiplosumError as exc:
        eprint(f"diplosum: error: {exc}")
        return EXIT_USAGE
    except KeyboardInterrupt as exc:
        if isinstance(exc, _Terminated):
            eprint("diplosum: terminated (SIGTERM)")
            return EXIT_TERMINATED
        eprint("diplosum: interrupted")
        return EXIT_INTERRUPTED
