"""Reading the OpenAI SDK's errors: was a failure transport, and is the endpoint there at all."""

from __future__ import annotations

from ..retry import EmptyCompletion

__all__ = ["provider_cause", "unreachable"]


def provider_cause(error: BaseException | None) -> BaseException | None:
    """The OpenAI SDK error behind an instructor exception, if the failure was transport."""
    if error is None:
        return None
    import openai

    seen: set[int] = set()
    exc: BaseException | None = error
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, (openai.APIError, EmptyCompletion)):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None


def unreachable(error: BaseException) -> bool:
    """Whether ``error`` says the endpoint is not there at all: no connection could be made
    (refused, no such host, no answer to the connection: the HTTP library's ``ConnectError`` or
    ``ConnectTimeout`` behind the SDK's error; not a reset or a read timeout, which come from a
    server that is there), or HTTP 404 (no such path: a base URL without its ``/v1``)."""
    if getattr(error, "status_code", None) == 404:
        return True
    seen: set[int] = set()
    exc: BaseException | None = error
    while exc is not None and id(exc) not in seen:
        if type(exc).__name__ in ("ConnectError", "ConnectTimeout"):  # httpx and its forks
            return True
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return False
