"""After the re-ask budget: keep the last answer minus what the article does not show, or raise
the error that says why (:class:`~diplosum.errors.ProviderError`,
:class:`~diplosum.errors.ExtractionError`), with the context a user needs."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ._schema import Usage
from .errors import ExtractionError, ProviderError
from .providers import AttemptLog, provider_cause, unreachable

__all__ = ["last_validation_message", "salvage"]


def salvage(
    article_id: str,
    log: AttemptLog,
    error: BaseException | None,
    usage: Usage,
    *,
    strict: bool,
    parse: Callable[[str], Any],
    redact: Callable[[str], str],
    death: Callable[[], str | None],
) -> Any:
    """The last answer, parsed leniently (its ungrounded items are dropped later), or raise.

    The last answer is also kept when the endpoint failed during a re-ask (say, the
    conversation outgrew a small context window): it was a real, parsed answer. ``death``
    says why the endpoint is gone, if it is known (the local server died).
    """
    provider_error = provider_cause(error)
    context = {
        "article_id": article_id,
        "attempts": log.calls,
        "http_attempts": log.http_attempts,
        "usage": usage.model_dump(),
    }
    last = log.raw_outputs[-1] if log.raw_outputs else None
    if not strict and last is not None:
        salvaged = parse(last)
        if salvaged is not None:
            return salvaged
    if provider_error is not None:
        status = getattr(provider_error, "status_code", None)
        body = redact(str(getattr(provider_error, "body", None) or provider_error))[:500]
        kind = f"HTTP {status}" if status else type(provider_error).__name__
        why = death()
        body = f"{why}. {body}" if why else body
        raise ProviderError(
            f"{article_id}: the model endpoint failed ({kind}) after "
            f"{log.http_attempts} attempt(s): {body}",
            status_code=status,
            body=body,
            unreachable=unreachable(provider_error),
            **context,
        ) from None
    reason = last_validation_message(error)
    raise ExtractionError(
        f"{article_id}: no valid extraction after {log.calls} attempt(s): {reason}",
        errors=reason,
        last_output=last,
        **context,
    ) from None


def last_validation_message(error: BaseException | None) -> str:
    """What the last failed validation said (for the error and the user)."""
    if error is None:
        return "the model returned nothing usable"
    attempts = getattr(error, "failed_attempts", None) or []
    if attempts:
        return str(attempts[-1].exception)[:2000]
    cause = error.__cause__ or error
    return f"{type(cause).__name__}: {cause}"[:2000]
