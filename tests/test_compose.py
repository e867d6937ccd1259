"""The summary extract-v3 composes from the verified fields, and the brief shape behind it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest

from diplosum._article import Article
from diplosum._cited import BriefExtraction, CitedExtraction, segment_schema
from diplosum._compose import compose_summary
from diplosum._evidence import build_cited_summary
from diplosum._prompt import load_prompt
from diplosum._schema import Actor, Evidence, TalksDate, Venue
from diplosum._segments import Segments
from diplosum._shape import shape_for

_EV = Evidence(quote="x", start=0, end=1, status="segment")


def _actor(name: str, kind: str = "state") -> Actor:
    return Actor(name=name, mention=name, kind=kind, evidence=[_EV])  # type: ignore[arg-type]


def test_everything_in_one_sentence() -> None:
    text = compose_summary(
        parties=[_actor("Armenia"), _actor("Azerbaijan")],
        mediators=[_actor("United Nations", "organisation")],
        status="held",
        venue=Venue(city="Geneva", country="Switzerland", evidence=_EV),
        date=TalksDate(date=dt.date(2026, 3, 10), precision="day", text="Tuesday", evidence=_EV),
    )
    assert text == (
        "Talks between Armenia and Azerbaijan, mediated by the United Nations, were held in "
        "Geneva, Switzerland, on 10 March 2026."
    )


@pytest.mark.parametrize(
    ("date", "end", "precision", "expected"),
    [
        (dt.date(2026, 5, 1), None, "month", " in May 2026."),
        (dt.date(2026, 1, 1), None, "year", " in 2026."),
        (dt.date(2026, 7, 13), dt.date(2026, 7, 19), "week", " in the week of 13 July 2026."),
        (dt.date(2026, 5, 13), dt.date(2026, 5, 15), "day", " from 13 to 15 May 2026."),
        (dt.date(2026, 5, 30), dt.date(2026, 6, 2), "day", " from 30 May 2026 to 2 June 2026."),
        (None, None, None, "."),
    ],
)
def test_dates_at_their_precision(
    date: dt.date | None, end: dt.date | None, precision: str | None, expected: str
) -> None:
    talks = TalksDate(date=date, end=end, precision=precision, text="soon", evidence=_EV)  # type: ignore[arg-type]
    text = compose_summary(
        parties=[_actor("Oman")], mediators=[], status="proposed", venue=None, date=talks
    )
    assert text == "Talks involving Oman are proposed" + expected


def test_three_parties_site_and_unknown_status() -> None:
    text = compose_summary(
        parties=[_actor("A"), _actor("B"), _actor("C")],
        mediators=[_actor("Qatar"), _actor("Egypt")],
        status="unknown",
        venue=Venue(city="Cairo", site="Tahrir Palace", evidence=_EV),
        date=None,
    )
    assert text == (
        "Talks between A, B and C, mediated by Qatar and Egypt, are reported at Tahrir Palace, Cairo."
    )


def test_organisations_and_groups_take_their_article() -> None:
    text = compose_summary(
        parties=[_actor("Sudan"), _actor("RSF", "armed_group"), _actor("Hamas", "armed_group")],
        mediators=[_actor("African Union", "organisation"), _actor("NATO", "organisation")],
        status="held",
        venue=None,
        date=None,
    )
    assert (
        text
        == "Talks between Sudan, the RSF and Hamas, mediated by the African Union and NATO, were held."
    )


def test_no_talks_no_sentence() -> None:
    assert compose_summary(parties=[], mediators=[], status="held", venue=None, date=None) == ""


def test_the_brief_schema_asks_for_no_summary() -> None:
    brief, cited = segment_schema(BriefExtraction), segment_schema(CitedExtraction)
    assert "summary" not in brief["properties"] and "summary" not in brief["required"]
    assert "summary" in cited["properties"]
    assert set(brief["properties"]) == set(cited["properties"]) - {"summary"}
    assert brief["title"] == "BriefExtraction"


def test_a_summary_sent_anyway_is_ignored_and_one_is_composed() -> None:
    body = (
        "GENEVA - Armenia and Azerbaijan held talks in Geneva on Tuesday under the auspices "
        "of the United Nations. Both sides called the meeting useful."
    )
    article = Article(id="a", text=body, published=dt.date(2026, 3, 12))
    segments = Segments(body)
    answer = {
        "actors": [
            {"name": "Armenia", "role": "party", "segments": [1]},
            {"name": "Azerbaijan", "role": "party", "segments": [1]},
            {"name": "United Nations", "role": "mediator", "segments": [1]},
        ],
        "venue": {"city": "Geneva", "country": "Switzerland", "segment": 1},
        "talks_date": {"text": "Tuesday", "segment": 1},
        "talks_status": "held",
        "positions": [],
        "summary": "An unverified sentence the model wrote.",
        "language": "en",
    }
    extraction = BriefExtraction.model_validate_json(json.dumps(answer))
    summary, _ = build_cited_summary(article, extraction, segments)
    assert "unverified" not in summary.summary
    assert summary.summary.startswith("Talks between Armenia and Azerbaijan, mediated by ")
    assert summary.summary.endswith("were held in Geneva, Switzerland, on 10 March 2026.")
    # extract-v2's own summary is kept as the model wrote it.
    cited = CitedExtraction.model_validate_json(json.dumps(answer))
    assert build_cited_summary(article, cited, segments)[0].summary == answer["summary"]


def test_extract_v3_is_the_brief_shape() -> None:
    prompt = load_prompt("extract-v3")
    assert prompt.format == "brief"
    assert '"summary"' not in prompt.system
    shape = shape_for(prompt.format)
    assert shape.model is BriefExtraction and shape.segmented


def test_the_fake_server_answers_extract_v3_without_a_summary() -> None:
    """End to end on the loopback server: the request's schema has no summary, the answer
    has none, and the published summary is the composed sentence."""
    from diplosum import Summariser
    from diplosum.testing import FakeOpenAIServer

    body = (
        "OSLO - Norway offered on Monday to host talks between Colombia and the ELN rebels. "
        "Colombia's government said it welcomed the offer."
    )
    art = Article(id="oslo", text=body, published=dt.date(2026, 4, 6))
    with (
        FakeOpenAIServer() as server,
        Summariser("fake", base_url=server.base_url, api_key="t", prompt="extract-v3") as s,
    ):
        result = s.summarise_article(art)
    assert result.meta.prompt_version == "extract-v3"
    assert result.summary.summary.startswith("Talks")
    names = [a.name for a in result.summary.parties + result.summary.mediators]
    assert names and all(name in result.summary.summary for name in names)


def test_extract_v4_sends_extract_v2s_messages_with_a_grammar_without_a_summary() -> None:
    """extract-v4 is extract-v2's messages, byte for byte, with the brief shape: the model reads
    the same tokens, so at temperature 0 it writes the same fields up to where extract-v2's
    summary would start; only the schema (the grammar on llama.cpp) lacks ``summary``."""
    from diplosum import Summariser
    from diplosum.testing import FakeOpenAIServer

    v2, v4 = load_prompt("extract-v2"), load_prompt("extract-v4")
    assert (v4.system, v4.user, v4.format) == (v2.system, v2.user, "brief")
    assert v4.hash != v2.hash  # cached answers of one are never served for the other
    body = (
        "OSLO - Norway offered on Monday to host talks between Colombia and the ELN rebels. "
        "Colombia's government said it welcomed the offer."
    )
    art = Article(id="oslo", text=body, published=dt.date(2026, 4, 6))
    sent: dict[str, dict[str, Any]] = {}
    with FakeOpenAIServer() as server:
        for version in ("extract-v2", "extract-v4"):
            server.reset()
            with Summariser(
                "fake", base_url=server.base_url, api_key="t", prompt=version, mode="json_schema"
            ) as s:
                result = s.summarise_article(art)
            assert result.meta.prompt_version == version
            sent[version] = server.request_bodies[0]
    assert sent["extract-v4"]["messages"] == sent["extract-v2"]["messages"]

    def properties(request: dict[str, Any]) -> list[str]:
        return list(request["response_format"]["json_schema"]["schema"]["properties"])

    assert properties(sent["extract-v2"])[-2:] == ["summary", "language"]
    assert properties(sent["extract-v4"]) == [
        p for p in properties(sent["extract-v2"]) if p != "summary"
    ]
    assert result.summary.summary.startswith("Talks")
