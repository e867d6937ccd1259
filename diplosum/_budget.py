"""Token budgets, counted offline (no tokenizer is downloaded): every estimate in one place.

Tokens are estimated from UTF-8 bytes: ``len(text.encode()) // BYTES_PER_TOKEN``. A request's
prompt is the article plus what the prompt adds around it; the embedded model's context
window (:data:`~diplosum.providers.LOCAL_CONTEXT`) must hold the prompt, the answer and the
re-asks, which is what :func:`input_budget` leaves for the article. These values feed
``Summariser.max_input_tokens``, which is part of every cache key: changing one changes the
keys of every cached local-model answer.
"""

from __future__ import annotations

__all__ = [
    "ANSWER_BASE_TOKENS",
    "ANSWER_TOKENS_PER_SEGMENT",
    "BYTES_PER_TOKEN",
    "PROMPT_TOKENS",
    "REASK_TOKENS",
    "REMOTE_INPUT_TOKENS",
    "REQUEST_EXTRA_TOKENS",
    "answer_cap",
    "estimate_tokens",
    "fit",
    "input_budget",
]

#: UTF-8 bytes per token, a low estimate (news prose averages about four bytes a token), so
#: ``bytes // BYTES_PER_TOKEN`` over-counts tokens and every budget below errs on the safe
#: side: a fitted article is never longer than its budget.
BYTES_PER_TOKEN = 3
#: Tokens of the prompt apart from the article, reserved in the local context window: the
#: system instructions, the user template and what instructor adds (the schema in the JSON
#: modes, about 1,300 tokens for ``extract-v1``'s).
PROMPT_TOKENS = 1600
#: What each validation re-ask adds to the conversation: the previous answer and the errors.
REASK_TOKENS = 700
#: The article budget for remote endpoints, whose context windows are far larger.
REMOTE_INPUT_TOKENS = 60_000
#: What a request adds to its rendered messages, for estimates (``--dry-run``): the schema or
#: tool definition instructor sends and the chat template's own tokens.
REQUEST_EXTRA_TOKENS = 1100
#: Output tokens a segment answer needs at most, in all and per segment of the article: the
#: lists and strings are bounded in the schema, so this only cuts a run-away that the grammar
#: does not bound (an endpoint without one).
ANSWER_BASE_TOKENS = 400
ANSWER_TOKENS_PER_SEGMENT = 30


def estimate_tokens(text: str) -> int:
    """An upper estimate of the tokens of ``text`` (see :data:`BYTES_PER_TOKEN`)."""
    return len(text.encode()) // BYTES_PER_TOKEN


def input_budget(*, local: bool, context: int, max_tokens: int, max_reasks: int) -> int:
    """The article's token budget: for the embedded model, what its ``context`` window leaves
    after the prompt, the answer (``max_tokens``) and ``max_reasks`` re-asks."""
    if not local:
        return REMOTE_INPUT_TOKENS
    return context - max_tokens - PROMPT_TOKENS - max(0, max_reasks) * REASK_TOKENS


def fit(text: str, max_input_tokens: int) -> tuple[str, bool]:
    """``text`` cut to ``max_input_tokens`` (at a paragraph break in its second half, if there
    is one), and whether it was cut. The result is a prefix of ``text``."""
    budget_bytes = max_input_tokens * BYTES_PER_TOKEN
    raw = text.encode("utf-8")
    if len(raw) <= budget_bytes:
        return text, False
    cut = raw[:budget_bytes].decode("utf-8", errors="ignore")
    para = cut.rfind("\n\n")
    if para > len(cut) // 2:
        cut = cut[:para]
    return cut.rstrip(), True


def answer_cap(max_tokens: int, segments: int | None) -> int:
    """The ``max_tokens`` of a request: for a segment prompt, no more than its answer can need."""
    if segments is None:
        return max_tokens
    return min(max_tokens, ANSWER_BASE_TOKENS + ANSWER_TOKENS_PER_SEGMENT * segments)
