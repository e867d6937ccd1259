"""Greedy grammar sampling that asks the grammar about the chosen token first
(``diplosum.local._sampling``) gives exactly llama-cpp-python's tokens.

Needs llama-cpp-python and the tiny weights (``pip install -e ".[local-tiny]"``; CI runs this
file after installing them); skipped otherwise.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

llama_cpp = pytest.importorskip("llama_cpp")

from diplosum._cited import CitedExtraction, constrain_ids  # noqa: E402
from diplosum._grammar import compact_grammar  # noqa: E402
from diplosum.errors import DiplosumError  # noqa: E402
from diplosum.local import _sampling, resolve_weights  # noqa: E402

SEGMENTS = [
    "OSLO, 12 May - Norway will host talks between Colombia and the ELN in Oslo next month.",
    "Cuba and Mexico will act as guarantors, the Norwegian foreign ministry said on Monday.",
    "The ELN said it wanted a bilateral ceasefire first.",
    "Colombia's peace commissioner said the government was ready to talk without conditions.",
    "Brazil will send an observer.",
    "The talks open on 9 June.",
]
PROMPT = (
    "Read the numbered article and answer in JSON: the actors (party, mediator or other) with "
    "the numbers of the segments that show them, the venue, the date and the positions.\n\n"
    + "\n".join(f"[{i}] {s}" for i, s in enumerate(SEGMENTS, 1))
    + "\n\nJSON:"
)


@pytest.fixture(scope="module")
def llm() -> Any:
    try:
        path = resolve_weights("smollm2-135m", progress=False)
    except DiplosumError as exc:  # the tiny weights' package is not installed
        pytest.skip(f"no tiny weights: {exc}")
    return llama_cpp.Llama(
        str(path), n_ctx=2048, n_threads=2, logits_all=False, verbose=False, seed=0
    )


@pytest.fixture
def patched() -> Iterator[None]:
    _sampling.install()
    try:
        yield
    finally:
        _sampling.uninstall()


def _grammar() -> Any:
    text = compact_grammar(constrain_ids(CitedExtraction.model_json_schema(), len(SEGMENTS)))
    assert text is not None
    return llama_cpp.LlamaGrammar.from_string(text, verbose=False)


def _complete(llm: Any, **kwargs: Any) -> tuple[str, int]:
    llm.reset()
    out = llm.create_completion(PROMPT, max_tokens=160, grammar=_grammar(), **kwargs)
    return out["choices"][0]["text"], out["usage"]["completion_tokens"]


@pytest.mark.parametrize("repeat_penalty", [1.1, 1.0])
def test_greedy_grammar_sampling_gives_the_same_tokens(llm: Any, repeat_penalty: float) -> None:
    """At temperature 0, with the server's repeat penalty (1.1) and without it (llama.cpp
    names that sampler "?penalties"), the same text and token count with and without the
    patch, and the patched run took the grammar-first path."""
    assert not _sampling.installed()  # importing diplosum changes nothing in llama_cpp
    plain = _complete(llm, temperature=0.0, repeat_penalty=repeat_penalty)
    assert getattr(llm._sampler, "_diplosum_grammar_first", None) is None
    _sampling.install()
    try:
        fast = _complete(llm, temperature=0.0, repeat_penalty=repeat_penalty)
        assert llm._sampler._diplosum_grammar_first is True
    finally:
        _sampling.uninstall()
    assert fast == plain
    assert plain[1] > 20  # a real answer, long enough to meet rejected tokens


def test_grammar_first_output_obeys_the_grammar(llm: Any, patched: None) -> None:
    """The grammar stays in force on the fast path: the text is JSON of the answer's shape
    whose segment ids exist (a cut at max_tokens is the one exception: then it is a prefix)."""
    text, tokens = _complete(llm, temperature=0.0, repeat_penalty=1.1)
    assert text.startswith("{")
    if tokens < 160:
        data = json.loads(text)
        ids = [i for actor in data["actors"] for i in actor["segments"]]
        assert all(1 <= i <= len(SEGMENTS) for i in ids)


def test_other_chains_are_sampled_as_before(llm: Any, patched: None) -> None:
    """A temperature (top-k, top-p, ... , dist) is not the greedy grammar chain: the original
    sampler runs it, and its seeded answer is llama-cpp-python's."""
    fast = _complete(llm, temperature=0.8, seed=7)
    assert llm._sampler._diplosum_grammar_first is False
    _sampling.uninstall()
    plain = _complete(llm, temperature=0.8, seed=7)
    assert fast == plain


def test_install_is_idempotent_and_uninstall_restores() -> None:
    from llama_cpp import _internals

    original = _internals.LlamaSampler.sample
    _sampling.install()
    _sampling.install()
    try:
        assert _internals.LlamaSampler.sample is _sampling.sample_grammar_first_token
        assert _sampling.installed()
    finally:
        _sampling.uninstall()
    assert _internals.LlamaSampler.sample is original and not _sampling.installed()
    _sampling.uninstall()  # a no-op when not installed
