"""Progress of long library work (joining or verifying model weights), reported as log records.

Library code never draws on a terminal. It logs on the ``diplosum.progress`` logger at INFO:
a record whose ``diplosum_progress`` attribute is a :class:`Step` for each percent of a long
task, and plain records for one-line notes ("joined ... in 12.3 s"). Nothing is shown unless
a handler takes that logger: the ``diplosum`` command draws a bar on stderr; a program that
embeds diplosum can route the records to its own display, or leave them unseen.
"""

from __future__ import annotations

import logging
import time
from dataclasses import dataclass

__all__ = ["PROGRESS_LOGGER", "Progress", "Step", "note"]

PROGRESS_LOGGER = "diplosum.progress"
_log = logging.getLogger(PROGRESS_LOGGER)


@dataclass(frozen=True, slots=True)
class Step:
    """Where a task is: ``done`` of ``total`` units (bytes), ``finished`` at its end."""

    label: str
    done: int
    total: int
    elapsed: float
    finished: bool = False

    @property
    def percent(self) -> int:
        return min(100, self.done * 100 // self.total)


class Progress:
    """Reports one task's progress (each percent, then its end) when ``enabled``."""

    def __init__(self, label: str, total: int, enabled: bool = True) -> None:
        self.label, self.total, self.enabled = label, max(total, 1), enabled
        self.seen = 0
        self._percent = -1
        self._started = time.monotonic()

    def _emit(self, finished: bool) -> None:
        step = Step(self.label, self.seen, self.total, time.monotonic() - self._started, finished)
        _log.info("%s: %d%%", self.label, step.percent, extra={"diplosum_progress": step})

    def advance(self, n: int) -> None:
        self.seen += n
        if not self.enabled or not _log.isEnabledFor(logging.INFO):
            return
        percent = min(100, self.seen * 100 // self.total)
        if percent != self._percent:
            self._percent = percent
            self._emit(False)

    def done(self) -> None:
        if self.enabled and self._percent >= 0:
            self._emit(True)


def note(message: str, enabled: bool = True) -> None:
    """A one-line note about a long task (shown where progress is shown)."""
    if enabled:
        _log.info(message)
