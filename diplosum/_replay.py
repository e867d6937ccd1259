"""Answers that did not come from a direct call, fed through the direct path's own seam.

The Batch API sends each article's request in a file and gets the answers back hours later.
So that a batch answer is validated, grounded and normalised exactly like a direct one, the
summariser runs the same instructor call over a :class:`Replay` create function in place of
``chat.completions.create``: it returns the stored answers in order (the first request, then
each re-ask), and after them either makes the next call for real (a re-ask as a direct call)
or raises :class:`Deferred` holding the request body instructor built, which is what the next
batch round sends. The very first request of an article, deferred at once, is the line of the
first batch file: the request file holds exactly the body the direct path would send.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from instructor.core import IncompleteOutputException

__all__ = ["Deferred", "Replay", "completion", "deferred", "request_body"]

#: Keyword arguments of ``chat.completions.create`` that are options of the SDK, not fields
#: of the request body (``extra_body`` is merged into the body, as the SDK does).
_NOT_BODY = frozenset({"extra_headers", "extra_query", "extra_body", "timeout"})


class Deferred(IncompleteOutputException):
    """The next model call of an article, not made: its request body, for a batch file.

    An ``IncompleteOutputException`` only because instructor's retry loop passes that one
    through without logging it as a failed call (a deferral is not a failure)."""

    def __init__(self, body: dict[str, Any]) -> None:
        super().__init__(message="deferred to the next batch round")
        self.body = body


def request_body(kwargs: dict[str, Any]) -> dict[str, Any]:
    """The JSON body the OpenAI SDK sends for ``chat.completions.create(**kwargs)``."""
    import openai

    omitted = tuple(
        v for v in (getattr(openai, "NOT_GIVEN", None), getattr(openai, "omit", None)) if v
    )
    body = {
        k: v for k, v in kwargs.items() if k not in _NOT_BODY and not any(v is o for o in omitted)
    }
    extra = kwargs.get("extra_body")
    if isinstance(extra, dict):
        body.update(extra)
    return body


def completion(body: dict[str, Any]) -> Any:
    """A ``ChatCompletion`` from the JSON body of a batch output line."""
    from openai.types.chat import ChatCompletion
    from pydantic import ValidationError

    try:
        return ChatCompletion.model_validate(body)
    except ValidationError:  # a compatible server's looser completion: read what is there
        return ChatCompletion.model_construct(**body)


class Replay:
    """A ``chat.completions.create`` that returns ``answers`` (completion bodies) in order;
    then calls ``then`` for real, or, with ``then`` None, raises :class:`Deferred`."""

    def __init__(
        self, answers: Sequence[dict[str, Any]], then: Callable[..., Any] | None = None
    ) -> None:
        self.answers = list(answers)
        self.then = then
        self.calls = 0

    def __call__(self, **kwargs: Any) -> Any:
        n, self.calls = self.calls, self.calls + 1
        if n < len(self.answers):
            return completion(self.answers[n])
        if self.then is None:
            raise Deferred(request_body(kwargs))
        return self.then(**kwargs)


def deferred(error: BaseException | None) -> Deferred | None:
    """The :class:`Deferred` behind an instructor exception, if the call was deferred."""
    seen: set[int] = set()
    exc = error
    while exc is not None and id(exc) not in seen:
        if isinstance(exc, Deferred):
            return exc
        seen.add(id(exc))
        exc = exc.__cause__ or exc.__context__
    return None
