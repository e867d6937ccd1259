"""diplosum's two retry layers, which never stack: their policies, in one place.

- **Transport** (:func:`transport_retrying`): one HTTP request that failed for a transient
  reason (429, 408/409, 5xx, timeouts, connection errors, an empty completion) is repeated with
  jittered exponential back-off, honouring ``Retry-After``, bounded by attempts *and* total
  time (:class:`RetryPolicy`). The OpenAI SDK's own retries are switched off.
- **Validation re-asks** (:func:`reask_retrying`): instructor's ``max_retries``. The model is
  asked again only when its answer did not parse or validate, at most ``max_reasks`` times, and
  not after it gave the same answer twice. A transport error never reaches the prompt.

For tests, :func:`set_testing` removes every wait (it is off by default).
"""

from __future__ import annotations

import datetime as dt
import email.utils
import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = [
    "EmptyCompletion",
    "RetryPolicy",
    "is_retryable",
    "reask_retrying",
    "retry_after_seconds",
    "set_testing",
    "testing",
    "transport_retrying",
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


# --------------------------------------------------------------------------- the two layers


def transport_retrying(
    policy: RetryPolicy, *, before: Callable[[], None] | None = None
) -> dict[str, Any]:
    """The keyword arguments of a tenacity ``Retrying`` for one HTTP request under ``policy``;
    ``before`` is called before every attempt (diplosum counts them)."""
    from tenacity import retry_if_exception, stop_after_attempt, stop_after_delay

    def wait(state: Any) -> float:
        exc = state.outcome.exception() if state.outcome else None
        return policy.wait(state.attempt_number, exc)

    def count(state: Any) -> None:
        if before is not None:
            before()

    return {
        "stop": stop_after_attempt(policy.attempts) | stop_after_delay(policy.total_seconds),
        "wait": wait,
        "retry": retry_if_exception(is_retryable),
        "before": count,
        "reraise": True,
    }


def reask_retrying(max_reasks: int, *, is_async: bool, repeated: Callable[[], bool]) -> Any:
    """instructor's ``max_retries``: re-ask on a validation error only (pydantic's, or JSON that
    does not parse), at most ``max_reasks`` times after the first answer, and stop as soon as
    ``repeated()`` says the model gave the same answer twice in a row: at temperature 0 a model
    that ignored one correction ignores the next, and a further re-ask would only spend tokens
    (and, on a CPU, about 50 s) to get the same answer again."""
    import json

    from pydantic import ValidationError
    from tenacity import (
        AsyncRetrying,
        Retrying,
        retry_if_exception_type,
        stop_after_attempt,
        stop_any,
    )
    from tenacity.stop import stop_base

    class _Repeated(stop_base):
        def __call__(self, retry_state: Any) -> bool:
            return repeated()

    retrying_cls = AsyncRetrying if is_async else Retrying
    return retrying_cls(
        stop=stop_any(stop_after_attempt(max_reasks + 1), _Repeated()),
        retry=retry_if_exception_type((ValidationError, json.JSONDecodeError)),
        reraise=True,
    )
