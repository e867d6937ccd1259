"""One model request for one article: the prepared call, and what instructor is asked.

:func:`prepare` fits the article to its token budget, numbers its segments (segment prompts)
and renders the prompt. :func:`request_kwargs` is the ``chat.completions.create`` call: the
extraction as response model, the re-ask policy (:func:`diplosum.retry.reask_retrying`), the
answer's token cap and, for a llama.cpp grammar endpoint, the grammar (segment ids of this
article only). :func:`attempts` collects what each attempt sent and received, and lets the
validators see the article and its segments.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from . import _budget
from ._article import Article
from ._cited import SEGMENTS, constrain_ids
from ._grammar import compact_grammar
from ._grounding import ArticleIndex
from ._prompt import Prompt
from ._schema import GROUNDING
from ._segments import Segments
from ._shape import Shape
from .providers import AttemptLog, Mode, current_log
from .retry import reask_retrying

__all__ = ["Call", "attempts", "instructor_mode", "prepare", "request_kwargs"]


@dataclass(frozen=True, slots=True)
class Call:
    """An article ready to send: its cache key, messages, segments, whether it was cut."""

    article: Article
    key: str
    messages: list[dict[str, str]]
    truncated: bool
    segments: Segments | None = None


def prepare(
    article: Article, *, key: str, prompt: Prompt, segmented: bool, max_input_tokens: int
) -> Call:
    """The call for ``article``: fitted to ``max_input_tokens``, segmented, rendered."""
    text, truncated = _budget.fit(article.text, max_input_tokens)
    # The fitted text is a prefix of the body: its segments' offsets index the body.
    segments = Segments(text) if segmented else None
    messages = prompt.render(
        segments.numbered() if segments is not None else text,
        published=article.published.isoformat() if article.published else "unknown",
        headline=article.headline or "none",
    )
    return Call(article, key, messages, truncated, segments)


def instructor_mode(mode: Mode, shape: Shape) -> Mode:
    """The mode instructor runs in: for a grammar endpoint and a segment prompt, instructor's
    ``json_schema`` mode, whose ``response_format`` the grammar request replaces: the schema
    is then not copied into the system message, which stays the same for every article."""
    if mode == "json_grammar" and shape.segmented:
        return "json_schema"
    return mode


def request_kwargs(
    call: Call,
    *,
    model: str,
    shape: Shape,
    mode: Mode,
    max_tokens: int,
    max_reasks: int,
    temperature: float,
    seed: int | None,
    grammar: bool,
    is_async: bool,
) -> dict[str, Any]:
    """The keyword arguments of instructor's ``chat.completions.create`` for ``call``;
    ``grammar``: send a compact grammar (llama-cpp-python's converter) instead of the schema."""
    kwargs: dict[str, Any] = {
        "model": model,
        "messages": call.messages,
        "response_model": shape.model,
        "max_retries": reask_retrying(max_reasks, is_async=is_async, repeated=_answer_repeated),
        "temperature": temperature,
        "max_tokens": _budget.answer_cap(
            max_tokens, len(call.segments) if call.segments is not None else None
        ),
    }
    if seed is not None:
        kwargs["seed"] = seed
    if mode == "json_grammar":
        schema = shape.model.model_json_schema()
        if call.segments is not None:  # per-article ids live only in the grammar
            schema = constrain_ids(schema, len(call.segments))
        text = compact_grammar(schema) if grammar else None
        if text is not None:  # "text" keeps llama.cpp from replacing the grammar
            kwargs["extra_body"] = {"response_format": {"type": "text"}, "grammar": text}
        else:
            kwargs["extra_body"] = {"response_format": {"type": "json_object", "schema": schema}}
    return kwargs


def _answer_repeated() -> bool:
    """Whether the model of the running call gave the same answer twice in a row."""
    log = current_log().get()
    outputs = log.raw_outputs if log is not None else []
    return len(outputs) >= 2 and outputs[-1] == outputs[-2]


@contextlib.contextmanager
def attempts(call: Call) -> Iterator[AttemptLog]:
    """For one call: collect every attempt's output and usage, and let the validators see the
    article and its segments (through context variables, so each task or thread has its own)."""
    log = AttemptLog()
    token = current_log().set(log)
    grounding = GROUNDING.set(ArticleIndex(call.article.text))
    segments = SEGMENTS.set(call.segments)
    try:
        yield log
    finally:
        SEGMENTS.reset(segments)
        GROUNDING.reset(grounding)
        current_log().reset(token)
