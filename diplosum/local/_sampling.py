"""Greedy sampling under a grammar, the grammar asked about the chosen token first.

llama-cpp-python 0.3.x samples through one llama.cpp chain, ``penalties -> grammar -> greedy``,
applied to every token of the vocabulary (151,936 for Qwen 2.5) at every step: the grammar
sampler decodes each candidate and matches it against its stacks, ~20 ms a token on a 2-core
CPU, about a quarter of an article's time. llama.cpp's own ``common_sampler`` does what this
module does: sample without the grammar, ask the grammar about that one token, and only when
it is rejected apply the grammar to the whole vocabulary and sample again. At temperature 0
(greedy) the two are the same function: the first most likely token the grammar allows is the
most likely token overall whenever the grammar allows that one, and the full path is taken
otherwise. Any other chain (a temperature, top-k, a logits processor) is sampled as before.

:func:`install` patches ``llama_cpp._internals.LlamaSampler.sample`` in the process that calls
it; diplosum calls it only in the llama.cpp server child it starts
(``python -m diplosum.local._llama_server``), never in a program that imports diplosum.
"""

from __future__ import annotations

import ctypes
import logging
from typing import Any

import numpy as np

log = logging.getLogger(__name__)

__all__ = [
    "GREEDY_GRAMMAR_CHAIN",
    "install",
    "installed",
    "sample_grammar_first_token",
    "uninstall",
]

#: The chain llama-cpp-python builds for a greedy request with a grammar.
GREEDY_GRAMMAR_CHAIN = ("penalties", "grammar", "greedy")
_TOKEN_DATA = np.dtype([("id", np.int32), ("logit", np.float32), ("p", np.float32)])
_ORIGINAL = "_diplosum_original_sample"


def _plan(sampler: Any) -> bool:
    """Whether ``sampler``'s chain is the greedy grammar chain (cached on the sampler)."""
    plan = getattr(sampler, "_diplosum_grammar_first", None)
    if plan is None:
        import llama_cpp

        chain = sampler.sampler
        # llama.cpp writes "?penalties" for a penalties sampler whose penalties are neutral.
        names = tuple(
            llama_cpp.llama_sampler_name(llama_cpp.llama_sampler_chain_get(chain, i))
            .decode()
            .lstrip("?")
            for i in range(llama_cpp.llama_sampler_chain_n(chain))
        )
        plan = names == GREEDY_GRAMMAR_CHAIN and not getattr(sampler, "custom_samplers", None)
        sampler._diplosum_grammar_first = plan
    return bool(plan)


def sample_grammar_first_token(sampler: Any, ctx: Any, idx: int = -1) -> int:
    """``LlamaSampler.sample`` for the greedy grammar chain; any other chain as before."""
    if not _plan(sampler):
        return int(getattr(type(sampler), _ORIGINAL)(sampler, ctx, idx))
    import llama_cpp

    chain = sampler.sampler
    penalties = llama_cpp.llama_sampler_chain_get(chain, 0)
    grammar = llama_cpp.llama_sampler_chain_get(chain, 1)
    raw_ctx = ctx.ctx
    buf = getattr(sampler, "_diplosum_buffer", None)
    if buf is None:  # one per request: a sampler serves one context's vocabulary
        n_vocab = llama_cpp.llama_vocab_n_tokens(
            llama_cpp.llama_model_get_vocab(llama_cpp.llama_get_model(raw_ctx))
        )
        buf = np.zeros(n_vocab, dtype=_TOKEN_DATA)
        # Token ids stay in place: the penalties and the grammar change logits only.
        buf["id"] = np.arange(n_vocab, dtype=np.int32)
        sampler._diplosum_buffer = buf
    n_vocab = len(buf)
    buf["logit"] = np.ctypeslib.as_array(
        llama_cpp.llama_get_logits_ith(raw_ctx, idx), shape=(n_vocab,)
    )
    cur = llama_cpp.llama_token_data_array(
        data=buf.ctypes.data_as(llama_cpp.llama_token_data_p),
        size=n_vocab,
        selected=-1,
        sorted=False,
    )
    llama_cpp.llama_sampler_apply(penalties, ctypes.byref(cur))
    view = buf[: cur.size]
    best = int(np.argmax(view["logit"]))
    token = int(view["id"][best])
    one = (llama_cpp.llama_token_data * 1)(
        llama_cpp.llama_token_data(token, float(view["logit"][best]), 0.0)
    )
    single = llama_cpp.llama_token_data_array(data=one, size=1, selected=-1, sorted=False)
    llama_cpp.llama_sampler_apply(grammar, ctypes.byref(single))
    if one[0].logit == float("-inf"):
        # The grammar rejects the most likely token: the full path, as the chain does it.
        llama_cpp.llama_sampler_apply(grammar, ctypes.byref(cur))
        view = buf[: cur.size]
        token = int(view["id"][int(np.argmax(view["logit"]))])
    llama_cpp.llama_sampler_accept(chain, token)
    return token


def installed() -> bool:
    """Whether :func:`install` has patched ``LlamaSampler.sample`` in this process."""
    from llama_cpp import _internals

    return hasattr(_internals.LlamaSampler, _ORIGINAL)


def install() -> None:
    """Patch llama-cpp-python's sampler in this process (idempotent)."""
    from llama_cpp import _internals

    cls = _internals.LlamaSampler
    if hasattr(cls, _ORIGINAL):
        return
    setattr(cls, _ORIGINAL, cls.sample)
    setattr(cls, "sample", sample_grammar_first_token)  # noqa: B010  # a method, replaced
    log.debug("llama.cpp greedy grammar sampling: the chosen token is checked first")


def uninstall() -> None:
    """Undo :func:`install` (for tests and benchmarks that compare the two)."""
    from llama_cpp import _internals

    cls = _internals.LlamaSampler
    original = cls.__dict__.get(_ORIGINAL)
    if original is not None:
        setattr(cls, "sample", original)  # noqa: B010
        delattr(cls, _ORIGINAL)
