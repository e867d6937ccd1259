"""One article through the summariser against a scripted endpoint: grounding, re-asks, retries.

These scripts answer in the quote shape of ``extract-v1`` (still selectable); the segment
shape of the default ``extract-v2`` is tested in ``test_cited.py``.
"""

from __future__ import annotations

import copy
import functools
import json
from pathlib import Path
from typing import Any

import pytest

from diplosum import ExtractionError, ProviderError, summarise_many
from diplosum import Summariser as _Summariser
from diplosum._cache import Cache
from tests.scripted import ScriptedEndpoint

#: The quote-prompt summariser these scripted answers are written for.
Summariser = functools.partial(_Summariser, prompt="extract-v1")

ARTICLE = (
    "date 2026-03-02 Norway offers to host talks\n\n"
    "Norway has offered to host peace talks between Colombia and the ELN in Oslo on March 10. "
    "\u201cWe stand ready to host both delegations,\u201d the foreign minister said. "
    "Colombia wants a bilateral ceasefire first."
)

GOOD: dict[str, Any] = {
    "summary": "Norway offered to host Colombia-ELN talks in Oslo on March 10.",
    "language": "en",
    "talks_status": "proposed",
    "mediators": [
        {"name": "Norway", "kind": "state", "quote": "Norway has offered to host peace talks"}
    ],
    "parties": [
        {"name": "Colombia", "kind": "state", "quote": "between Colombia and the ELN"},
        {"name": "ELN", "kind": "armed_group", "quote": "between Colombia and the ELN"},
    ],
    "venue": {"city": "Oslo", "country": None, "site": None, "quote": "in Oslo on March 10"},
    "talks_date": {"text": "March 10", "quote": "in Oslo on March 10"},
    "positions": [
        {
            "actor": "Norway",
            "speaker": "the foreign minister",
            "stance": "Norway is ready to host both delegations.",
            "quote": '"We stand ready to host both delegations,"',
        },
        {
            "actor": "Colombia",
            "stance": "Colombia wants a ceasefire first.",
            "quote": "Colombia wants a bilateral ceasefire first.",
        },
    ],
}


def with_(path: str, value: Any) -> dict[str, Any]:
    """A copy of GOOD with one field replaced (dotted path, list indices allowed)."""
    data = copy.deepcopy(GOOD)
    *parents, last = path.split(".")
    node: Any = data
    for p in parents:
        node = node[int(p)] if p.isdigit() else node[p]
    node[int(last) if last.isdigit() else last] = value
    return data


def test_grounded_summary_with_offsets() -> None:
    """Every field is published with a verbatim quote located by offset, and metadata is complete."""
    ep = ScriptedEndpoint(GOOD)
    result = Summariser(client=ep.client()).summarise_article(_article())
    s, meta = result.summary, result.meta
    body = _article().text
    assert s.published is not None and s.published.isoformat() == "2026-03-02"
    assert [m.name for m in s.mediators] == ["Norway"]
    assert s.mediators[0].iso3 == "NOR"
    assert {p.name for p in s.parties} == {"Colombia", "ELN"}
    assert s.venue is not None and s.venue.city == "Oslo" and s.venue.iso3 == "NOR"
    assert s.proposed_date is not None and s.proposed_date.date is not None
    assert s.proposed_date.date.isoformat() == "2026-03-10"
    for ev in [s.venue.evidence, s.proposed_date.evidence, *[p.evidence for p in s.positions]]:
        assert body[ev.start : ev.end] == ev.quote
    curly = s.positions[0].evidence
    assert curly.status == "fuzzy" and curly.model_quote is not None
    assert meta.attempts == 1 and meta.usage.total_tokens == 120
    assert meta.model == "openai/gpt-4o-mini" and meta.cost_usd is not None
    assert meta.prompt_version == "extract-v1" and meta.prompt_hash.startswith("sha256:")
    assert meta.article_sha256 == _article().sha256 and meta.dropped == []
    sent = ep.requests[0]
    assert sent["temperature"] == 0 and sent["seed"] == 0 and "tools" in sent
    assert "Published: 2026-03-02" in ep.user_messages(0)[-1]


def test_invented_quote_is_reasked_then_corrected() -> None:
    """A quote not in the article goes back to the model with a precise message."""
    bad = with_("mediators.0.quote", "Norway will mediate in Bergen")
    ep = ScriptedEndpoint(bad, GOOD)
    result = Summariser(client=ep.client()).summarise_article(_article())
    assert len(ep.requests) == 2
    reask = json.dumps(ep.requests[1]["messages"])
    assert "not in the article" in reask and "Norway will mediate in Bergen" in reask
    assert result.meta.attempts == 2 and result.meta.usage.total_tokens == 240
    assert len(result.meta.attempts_usage) == 2


def test_invalid_json_is_reasked() -> None:
    """Malformed output is a validation error: re-asked, and counted in usage."""
    ep = ScriptedEndpoint('{"summary": "cut off', GOOD)
    result = Summariser(client=ep.client()).summarise_article(_article())
    assert len(ep.requests) == 2 and result.meta.attempts == 2


def test_mediator_cannot_be_party() -> None:
    """An actor listed as both mediator and party triggers a re-ask."""
    bad = with_(
        "mediators",
        [{"name": "Colombia", "kind": "state", "quote": "between Colombia and the ELN"}],
    )
    ep = ScriptedEndpoint(bad, GOOD)
    Summariser(client=ep.client()).summarise_article(_article())
    assert "both mediator and party" in json.dumps(ep.requests[1]["messages"])


def test_ungrounded_items_dropped_after_budget() -> None:
    """After the re-asks, ungrounded items are dropped and counted; the rest is kept."""
    bads = [
        with_("positions.1.quote", f"Colombia demands referendum number {n}.") for n in range(3)
    ]
    bads[2]["positions"][1]["quote"] = "Colombia demands a referendum."
    ep = ScriptedEndpoint(*bads)
    result = Summariser(client=ep.client()).summarise_article(_article())
    assert len(ep.requests) == 3
    assert [p.actor for p in result.summary.positions] == ["Norway"]
    assert [(d.field, d.item) for d in result.meta.dropped] == [
        ("positions", "Colombia wants a ceasefire first.")
    ]


def test_strict_raises_with_context() -> None:
    """With strict=True an ungrounded answer raises ExtractionError carrying the last output."""
    bad = with_("positions.1.quote", "Colombia demands a referendum.")
    ep = ScriptedEndpoint(bad, bad)
    with pytest.raises(ExtractionError) as info:
        Summariser(client=ep.client(), strict=True, max_reasks=1).summarise_article(_article())
    err = info.value
    assert err.attempts == 2 and err.article_id == "article"
    assert err.last_output is not None and "referendum" in err.last_output
    assert "not in the article" in err.errors


def test_rate_limit_retried_and_never_reaches_prompt() -> None:
    """429 (with Retry-After) and 503 are retried at the transport layer with identical requests."""
    ep = ScriptedEndpoint((429, {"retry-after": "0"}), 503, GOOD)
    result = Summariser(client=ep.client()).summarise_article(_article())
    assert len(ep.requests) == 3
    assert ep.requests[0] == ep.requests[1] == ep.requests[2]
    assert result.meta.attempts == 1


def test_persistent_server_error_raises_provider_error() -> None:
    """When transport retries run out, ProviderError names the status and the attempts."""
    ep = ScriptedEndpoint(*([500] * 6))
    with pytest.raises(ProviderError) as info:
        Summariser(client=ep.client()).summarise_article(_article())
    assert info.value.status_code == 500 and info.value.http_attempts == 6
    assert "sk-test" not in str(info.value)


def test_client_errors_are_not_retried() -> None:
    """A 400 is not transient: one request, then ProviderError."""
    ep = ScriptedEndpoint(400)
    with pytest.raises(ProviderError) as info:
        Summariser(client=ep.client()).summarise_article(_article())
    assert info.value.status_code == 400 and len(ep.requests) == 1


def test_venue_without_quote_is_null() -> None:
    """A venue the model cannot quote is null, not a guess."""
    ep = ScriptedEndpoint(with_("venue.quote", ""))
    assert Summariser(client=ep.client()).summarise(ARTICLE).venue is None


def test_cache_serves_second_call(tmp_path: Path) -> None:
    """A cached article is never paid for twice; the hit is marked cached."""
    ep = ScriptedEndpoint(GOOD)
    s = Summariser(client=ep.client(), cache=Cache(tmp_path / "c.db"))
    first = s.summarise_article(_article())
    second = s.summarise_article(_article())
    assert len(ep.requests) == 1
    assert second.meta.cached and not first.meta.cached
    assert second.summary == first.summary


def test_cache_key_changes_with_what_changes_the_answer(tmp_path: Path) -> None:
    """Model, generation parameters and article text all change the key."""
    ep = ScriptedEndpoint()
    base = Summariser(client=ep.client())
    keys = {
        base.key(_article()),
        Summariser("openai/gpt-4o", client=ep.client()).key(_article()),
        Summariser(client=ep.client(), temperature=0.5).key(_article()),
        Summariser(client=ep.client(), max_reasks=0).key(_article()),
        base.key(_article(ARTICLE + " More.")),
    }
    assert len(keys) == 5


def test_json_mode_reads_content() -> None:
    """In JSON mode the answer comes from the message content, fenced or not."""
    ep = ScriptedEndpoint("```json\n" + json.dumps(GOOD) + "\n```", tools=False)
    s = Summariser(client=ep.client(), mode="json").summarise(ARTICLE)
    assert [m.name for m in s.mediators] == ["Norway"]
    assert "tools" not in ep.requests[0]


@pytest.mark.parametrize("mode", ["json", "json_grammar"])
async def test_compact_schema_is_sent_in_json_modes(mode: str) -> None:
    """With compact_schema=True the schema instructor appends to the system message goes out
    without indentation, in first requests and re-asks, sync and async; the key records it.
    By default instructor's indented copy goes out unchanged, under an unchanged key."""
    from diplosum._schema import Extraction

    schema = Extraction.model_json_schema()
    pretty = json.dumps(schema, indent=2, ensure_ascii=False)
    compact = json.dumps(schema, separators=(",", ":"), ensure_ascii=False)
    bad = json.dumps(with_("mediators.0.quote", "Norway will mediate in Bergen"))
    ep = ScriptedEndpoint(bad, json.dumps(GOOD), json.dumps(GOOD), json.dumps(GOOD), tools=False)
    s = Summariser(
        client=ep.client(), async_client=ep.async_client(), mode=mode, compact_schema=True
    )
    assert s.summarise(ARTICLE).mediators[0].name == "Norway"
    await s.asummarise(ARTICLE + " More.")
    assert len(ep.requests) == 3
    for sent in ep.requests:
        system = sent["messages"][0]
        assert system["role"] == "system" and compact in system["content"]
        assert pretty not in system["content"]
        assert "json_schema" in system["content"]  # instructor's wrapper text is kept
    default = Summariser(client=ep.client(), mode=mode)
    default.summarise(ARTICLE)
    assert pretty in ep.requests[3]["messages"][0]["content"]
    assert s.params() == {**default.params(), "schema_in_prompt": "compact"}
    assert s.key(_article()) != default.key(_article())


def test_compact_schema_leaves_other_modes_alone() -> None:
    """Tool calling and json_schema carry the schema elsewhere: nothing is rewritten."""
    from diplosum.providers import SCHEMA_IN_PROMPT, compact_schema

    assert sorted(SCHEMA_IN_PROMPT) == ["json", "json_grammar"]
    ep = ScriptedEndpoint(GOOD)
    s = Summariser(client=ep.client(), mode="tools", compact_schema=True)
    assert not s.compact_schema and "schema_in_prompt" not in s.params()
    prepare = compact_schema({"type": "object", "properties": {"a": {"type": "string"}}})
    kwargs = {"messages": [{"role": "user", "content": "no system message"}]}
    assert prepare(kwargs) is kwargs
    listed = {"messages": [{"role": "system", "content": [{"type": "text", "text": "x"}]}]}
    assert prepare(listed) is listed


async def test_async_twin() -> None:
    """asummarise works on an injected async client."""
    ep = ScriptedEndpoint(GOOD)
    s = await Summariser(async_client=ep.async_client()).asummarise(ARTICLE)
    assert s.parties and len(ep.requests) == 1


def test_long_article_is_truncated_and_flagged() -> None:
    """Articles over the input budget are cut at a paragraph and flagged, never sent whole."""
    long = ARTICLE + "\n\n" + ("Filler paragraph about other matters. " * 40 + "\n\n") * 20
    ep = ScriptedEndpoint(GOOD)
    result = Summariser(client=ep.client(), max_input_tokens=300).summarise_article(_article(long))
    assert result.meta.truncated
    assert len(ep.user_messages(0)[-1]) < 1300


def _article(text: str = ARTICLE) -> Any:
    from diplosum._article import parse_text

    return parse_text(text)


def test_identical_answer_stops_reasking() -> None:
    """When a re-ask brings back the very same answer, no further re-ask is spent."""
    bad = with_("positions.1.quote", "Colombia demands a referendum.")
    ep = ScriptedEndpoint(bad, bad, GOOD)
    result = Summariser(client=ep.client(), max_reasks=2).summarise_article(_article())
    assert len(ep.requests) == 2
    assert result.meta.attempts == 2
    assert [d.field for d in result.meta.dropped] == ["positions"]


def test_api_key_echoed_by_an_endpoint_is_redacted() -> None:
    """A proxy that echoes the key in its error body does not leak it into ProviderError."""
    import httpx2

    key = "sk-test-not-a-real-key"

    def echo(request: httpx2.Request) -> httpx2.Response:
        return httpx2.Response(400, json={"error": {"message": f"bad key {key}", "type": "x"}})

    ep = ScriptedEndpoint(echo)
    with pytest.raises(ProviderError) as info:
        Summariser(client=ep.client(), api_key=key).summarise_article(_article())
    assert key not in str(info.value) and "[redacted]" in str(info.value)


def test_endpoint_failing_during_a_reask_keeps_the_last_answer() -> None:
    """A re-ask refused by the endpoint (context too long) still yields the grounded part."""
    bad = with_("positions.1.quote", "Colombia demands a referendum.")
    ep = ScriptedEndpoint(bad, 400)
    result = Summariser(client=ep.client()).summarise_article(_article())
    assert len(ep.requests) == 2
    assert [p.actor for p in result.summary.positions] == ["Norway"]
    assert [d.field for d in result.meta.dropped] == ["positions"]


def test_new_build_version_rebuilds_from_cache_without_a_call(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Upgrading normalisation re-derives cached summaries from the stored raw answer, no model call."""
    from diplosum import _shape as module

    ep = ScriptedEndpoint(GOOD)
    cache = Cache(tmp_path / "c.db")
    s = Summariser(client=ep.client(), cache=cache)
    first = s.summarise_article(_article())
    monkeypatch.setattr(module, "BUILD_VERSION", "99")
    again = s.summarise_article(_article())
    item = s.lookup(_article())
    assert len(ep.requests) == 1
    assert again.meta.cached and again.meta.build_version == "99"
    assert again.summary == first.summary
    assert item is not None and item.meta is not None and item.meta.build_version == "99"
    stored = json.loads(cache.get(s.key(_article())).meta_json)  # type: ignore[union-attr]
    assert stored["build_version"] == "99"


def test_a_cached_answer_the_new_build_cannot_rebuild_is_served_as_stored(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    """A bug in a new build's checks (here: they raise) must not stop a batch nor pay for the
    article again: the cached summary is served as the earlier build made it, with that
    build's number, and a warning names the article."""
    import dataclasses

    from diplosum import _shape as module

    ep = ScriptedEndpoint(GOOD)
    cache = Cache(tmp_path / "c.db")
    s = Summariser(client=ep.client(), cache=cache)
    first = s.summarise_article(_article())
    old_build = first.meta.build_version
    monkeypatch.setattr(module, "BUILD_VERSION", "99")

    def broken(*_args: object) -> None:
        raise KeyError("a bug in the checks")

    monkeypatch.setattr(s, "shape", dataclasses.replace(s.shape, builder=broken))
    monkeypatch.setattr(s._stored, "shape", s.shape)
    with caplog.at_level("WARNING", logger="diplosum"):
        again = s.summarise_article(_article())
        items = list(summarise_many([_article()], s))
    assert len(ep.requests) == 1
    assert again.meta.cached and again.meta.build_version == old_build
    assert again.summary == first.summary
    assert len(items) == 1 and items[0].ok
    assert any("could not be rebuilt" in r.getMessage() for r in caplog.records)


def test_a_row_under_the_earlier_key_format_is_found_and_copied(tmp_path: Path) -> None:
    """Keys written before 2026-12-02 also hashed the summary schema of the time: an upgrade
    finds those rows, copies them under the current key and pays for nothing again."""
    import dataclasses

    from diplosum._summariser import _legacy_schema_hash

    ep = ScriptedEndpoint(GOOD)
    cache = Cache(tmp_path / "c.db")
    s = Summariser(client=ep.client(), cache=cache)
    first = s.summarise_article(_article())
    row = cache.get(s.key(_article()))
    assert row is not None
    legacy = s._key(_article(), _legacy_schema_hash(s.shape))
    assert legacy != s.key(_article())
    older = Cache(tmp_path / "old.db")  # as an earlier diplosum left it: only the legacy key
    older.put(dataclasses.replace(row, key=legacy))
    upgraded = Summariser(client=ep.client(), cache=older)
    again = upgraded.summarise_article(_article())
    assert len(ep.requests) == 1 and again.meta.cached
    assert again.summary == first.summary
    assert older.get(upgraded.key(_article())) is not None  # copied under the current key
    assert older.get(legacy) is not None  # and the old row left as it was


def test_the_cache_key_does_not_change_with_the_summary_schema(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Only what the model is sent keys its answer: a new summary field re-pays nothing."""
    from diplosum import _summariser

    s = Summariser(client=ScriptedEndpoint(GOOD).client())
    before = s.key(_article())
    _summariser._schema_hash.cache_clear()
    monkeypatch.setattr(
        _summariser.DiplomaticSummary,
        "model_json_schema",
        classmethod(lambda cls, *a, **k: {"changed": True}),
    )
    try:
        assert s.key(_article()) == before
    finally:
        _summariser._schema_hash.cache_clear()


@pytest.mark.parametrize(
    "text", ["The talks {{ 7*7 }} resume.", "A stray {{ brace and {% tag here."]
)
def test_article_text_is_never_templated(text: str) -> None:
    """Jinja syntax in an article reaches the model verbatim and does not break the call."""
    article = ARTICLE + " " + text
    ep = ScriptedEndpoint(GOOD)
    Summariser(client=ep.client()).summarise(article)
    assert text in ep.user_messages(0)[-1]


def test_one_call_functions_keep_a_bounded_closable_set_of_summarisers(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """diplosum.summarise reuses one Summariser per model and options, keeps at most
    MAX_DEFAULTS (the least recently used is closed), and close_defaults closes them all."""
    import diplosum
    from diplosum import _defaults
    from diplosum.testing import FakeOpenAIServer

    closed: list[int] = []
    monkeypatch.setattr(_defaults, "MAX_DEFAULTS", 2)
    monkeypatch.setattr(_defaults, "_DEFAULTS", type(_defaults._DEFAULTS)())
    real_close = _Summariser.close

    def close(self: _Summariser) -> None:
        closed.append(self.max_tokens)
        real_close(self)

    monkeypatch.setattr(_Summariser, "close", close)
    with FakeOpenAIServer() as server:
        options = {"model": "fake", "base_url": server.base_url, "api_key": "test", "cache": None}
        for max_tokens in (1000, 1100, 1000, 1200):
            diplosum.summarise(ARTICLE, max_tokens=max_tokens, **options)
    assert closed == [1100]  # 1000 was used again, so 1100 was the least recent
    assert [s.max_tokens for s in _defaults._DEFAULTS.values()] == [1000, 1200]
    diplosum.close_defaults()
    assert sorted(closed) == [1000, 1100, 1200] and not _defaults._DEFAULTS


def test_close_closes_a_cache_it_opened_and_leaves_an_injected_one_open(tmp_path: Path) -> None:
    """A cache opened from a path is the summariser's own, closed with it (and reopened on
    its next use); a cache backend passed in belongs to the caller and stays open."""
    ep = ScriptedEndpoint(GOOD, GOOD)
    owned = Summariser(client=ep.client(), cache=tmp_path / "owned.db")
    owned.summarise_article(_article())
    assert owned.cache is not None and owned.cache._conn is not None  # type: ignore[attr-defined]
    owned.close()
    assert owned.cache._conn is None  # type: ignore[attr-defined]
    assert owned.lookup(_article()) is not None  # reopened: the row is still there

    injected = Cache(tmp_path / "injected.db")
    with Summariser(client=ep.client(), cache=injected) as s:
        s.summarise_article(_article())
    assert injected._conn is not None
    injected.close()
