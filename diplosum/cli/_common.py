"""What every subcommand shares: exit codes, writing to stderr, showing the library's log."""

from __future__ import annotations

import logging
import sys
from typing import Any

__all__ = [
    "EXIT_BROKEN_PIPE",
    "EXIT_BUDGET",
    "EXIT_FAILED",
    "EXIT_INTERRUPTED",
    "EXIT_OK",
    "EXIT_TERMINATED",
    "EXIT_USAGE",
    "StderrLog",
    "eprint",
]

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_BUDGET, EXIT_INTERRUPTED = 0, 1, 2, 3, 130
EXIT_BROKEN_PIPE, EXIT_TERMINATED = 141, 143  # 128 + SIGPIPE, 128 + SIGTERM


def eprint(*args: Any) -> None:
    """Print to stderr at once (progress, warnings and totals never go to stdout)."""
    print(*args, file=sys.stderr, flush=True)


class StderrLog:
    """Shows the library's warnings (``logging.getLogger("diplosum")``) on stderr, made
    visible (no raw control characters), as ``diplosum: warning: ...``. Installed by the CLI
    alone: library code only logs."""

    installed = False

    @classmethod
    def install(cls) -> None:
        if cls.installed:
            return
        cls.installed = True

        class Handler(logging.Handler):
            def emit(self, record: logging.LogRecord) -> None:
                from .._names import visible

                try:
                    level = record.levelname.lower()
                    eprint(f"diplosum: {level}: {visible(record.getMessage())}")
                except Exception:  # pragma: no cover - never let a warning stop the run
                    self.handleError(record)

        logging.getLogger("diplosum").addHandler(Handler(logging.WARNING))
