"""The transport retry policy: one of diplosum's two retry layers.

Transport retries repeat a single HTTP request that failed for a transient
reason (429, 408/409, 5xx, timeouts, connection errors) with jittered exponential
back-off, honouring ``Retry-After``, bounded by attempts *and* total time. The
OpenAI SDK's own retries are switched off so the layers never stack. The other
layer, validation re-asks, lives in instructor and only sees validation errors:
a transport error never reaches the prompt.

For tests, :func:`set_testing` removes every wait (it is off by default).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import random
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EmptyCompletion",
    "RetryPolicy",
    "is_retryable",
    "retry_after_seconds",
    "set_testing",
    "testing",
]

_TESTING = os.environ.get("DIPLOSUM_TESTING_NO_WAIT") == "1"
_RETRY_STATUSES = frozenset({408, 409, 429, 500, 502, 503, 504, 520, 522, 524, 529})


def set_testing(enabled: bool = True) -> None:
    """Remove (or restore) all retry waits, for test suites."""
    global _TESTING
    _TESTING = enabled


def testing() -> bool:
    """Whether retry waits are currently removed."""
    return _TESTING


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Bounds of the transport retry layer."""

    attempts: int = 6
    total_seconds: float = 300.0
    initial_wait: float = 1.0
    max_wait: float = 60.0
    jitter: float = 1.0

    def wait(self, attempt: int, exc: BaseException | None) -> float:
        """Seconds to wait before retry number ``attempt`` (1-based) after ``exc``."""
        if _TESTING:
            return 0.0
        hinted = retry_after_seconds(exc) if exc is not None else None
        if hinted is not None:
            return float(min(hinted, self.max_wait))
        base = self.initial_wait * 2.0 ** (attempt - 1)
        return min(self.max_wait, base + random.uniform(0, self.jitter))


class EmptyCompletion(Exception):
    """The endpoint answered 200 with no choices: retried like a transport failure."""


def _status(exc: BaseException) -> int | None:
    status = getattr(exc, "status_code", None)
    return status if isinstance(status, int) else None


def is_retryable(exc: BaseException) -> bool:
    """Whether an exception raised by the OpenAI SDK is transient."""
    import openai

    if isinstance(exc, (openai.APIConnectionError, EmptyCompletion)):  # incl. APITimeoutError
        return True
    status = _status(exc)
    return status is not None and status in _RETRY_STATUSES


def retry_after_seconds(exc: BaseException) -> float | None:
    """The server's ``Retry-After`` (or ``retry-after-ms``) hint in seconds, if any."""
    response: Any = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    ms = headers.get("retry-after-ms")
    if ms is not None:
        try:
            return max(0.0, float(ms) / 1000)
        except ValueError:
            pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=dt.UTC)
    return max(0.0, (when - dt.datetime.now(dt.UTC)).total_seconds())
