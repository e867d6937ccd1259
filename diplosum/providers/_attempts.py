"""What one summarise call sent and received, attempt by attempt (a context variable per call)."""

from __future__ import annotations

import contextvars
import re
from dataclasses import dataclass, field
from typing import Any

from ..retry import EmptyCompletion


@dataclass
class AttemptLog:
    """What one summarise call sent and received, attempt by attempt (set per call)."""

    calls: int = 0  # model calls made: the first request and each re-ask, answered or not
    usages: list[dict[str, int]] = field(default_factory=list)  # one per answered call
    raw_outputs: list[str | None] = field(default_factory=list)
    http_attempts: int = 0  # HTTP requests sent for those calls, transport retries included


_LOG: contextvars.ContextVar[AttemptLog | None] = contextvars.ContextVar(
    "diplosum_log", default=None
)


def current_log() -> contextvars.ContextVar[AttemptLog | None]:
    """The context variable the retrying create functions report into."""
    return _LOG


def raw_output(completion: Any) -> str | None:
    """The text the model produced: tool-call arguments or message content."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return None
    calls = getattr(message, "tool_calls", None) or []
    if calls:
        return str(calls[0].function.arguments)
    content = getattr(message, "content", None)
    return content if isinstance(content, str) else None


_FENCE = re.compile(r"\A\s*```(?:json|JSON)?\s*\n?(.*?)\n?\s*```\s*\Z", re.S)


def _unfence(completion: Any) -> None:
    """Strip a Markdown code fence around a JSON answer (small models add them)."""
    try:
        message = completion.choices[0].message
    except (AttributeError, IndexError, TypeError):
        return
    content = getattr(message, "content", None)
    if isinstance(content, str) and not getattr(message, "tool_calls", None):
        match = _FENCE.match(content)
        if match:
            message.content = match.group(1)


def _record(completion: Any) -> None:
    if not getattr(completion, "choices", None):
        raise EmptyCompletion("the endpoint returned a completion with no choices")
    _unfence(completion)
    log = _LOG.get()
    if log is None:
        return
    usage = getattr(completion, "usage", None)
    log.usages.append(
        {
            "prompt_tokens": int(getattr(usage, "prompt_tokens", 0) or 0),
            "completion_tokens": int(getattr(usage, "completion_tokens", 0) or 0),
            "total_tokens": int(getattr(usage, "total_tokens", 0) or 0),
        }
    )
    log.raw_outputs.append(raw_output(completion))


def _count_call() -> None:
    log = _LOG.get()
    if log is not None:
        log.calls += 1
