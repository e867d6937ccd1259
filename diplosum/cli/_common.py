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
    "ProgressBars",
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


class ProgressBars(logging.Handler):
    """Draws the library's progress records (:mod:`diplosum._progress`) on stderr: one line
    redrawn with \\r on a terminal, a line every 25 % otherwise; notes as lines of their own."""

    installed = False

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.tty = sys.stderr.isatty()
        self.shown: dict[str, int] = {}

    @classmethod
    def install(cls) -> None:
        from .._progress import PROGRESS_LOGGER

        if cls.installed:
            return
        cls.installed = True
        logger = logging.getLogger(PROGRESS_LOGGER)
        logger.setLevel(logging.INFO)
        logger.addHandler(cls())

    def emit(self, record: logging.LogRecord) -> None:
        try:
            step = getattr(record, "diplosum_progress", None)
            if step is None:
                eprint(f"diplosum: {record.getMessage()}")
            elif step.finished:
                if self.tty and self.shown.pop(step.label, -1) >= 0:
                    sys.stderr.write(f" {step.elapsed:.1f} s\n")
                    sys.stderr.flush()
            else:
                self._draw(step)
        except Exception:  # pragma: no cover - never let a progress line stop the run
            self.handleError(record)

    def _draw(self, step: Any) -> None:
        shown = self.shown.get(step.label, -1)
        percent, every = step.percent, 1 if self.tty else 25
        if shown >= 0 and percent // every == shown // every:
            return
        self.shown[step.label] = percent
        filled = percent * 30 // 100
        line = (
            f"diplosum: {step.label} [{'#' * filled}{'.' * (30 - filled)}] {percent:3d}% "
            f"{step.done / 2**20:,.0f}/{step.total / 2**20:,.0f} MiB"
        )
        sys.stderr.write(("\r" + line) if self.tty else (line + "\n"))
        sys.stderr.flush()
