"""The cassette tests of the segment prompts, shared by ``test_cassettes_v2`` and
``test_cassettes_v4``: real model traffic of the embedded Qwen2.5-Coder-1.5B on our own
examples, replayed offline (each module from its own ``cassettes/<module>/`` folder).

Recorded by ``python scripts/record_cassettes.py --tests tests/test_cassettes_vN.py`` against
llama.cpp's server started through ``diplosum.local`` (JSON + grammar, temperature 0, seed 0);
matched on method, path and body. Asserted: what the recorded model answered, after diplosum's
checks, and the invariants that hold for any answer: every piece of evidence is a segment of
the article at its offsets, one model call per article, and the system message is the same for
every article.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from diplosum import Summariser, read_article
from diplosum._schema import DiplomaticSummary, Evidence, SummaryResult
from diplosum.cli import run
from tests.conftest import EXAMPLES

RECORD_URL = os.environ.get("DIPLOSUM_RECORD_URL")
BASE_URL = RECORD_URL or "http://127.0.0.1:9/v1"
MODEL = "qwen2.5-1.5b"
CASSETTES = ["geneva_held", "oslo_offer", "athens_bilateral", "cairo_record", "nairobi_summit"]


def summarise(prompt: str, name: str) -> SummaryResult:
    """One example through the same requests the embedded model path sends."""
    file = next(EXAMPLES.glob(f"{name}.*"))
    article = read_article(file)
    with Summariser(MODEL, base_url=BASE_URL, mode="json_grammar", timeout=900, prompt=prompt) as s:
        result = s.summarise_article(article)
    assert_segments(result.summary, article.text)
    assert result.meta.prompt_version == prompt and result.meta.attempts == 1
    return result


def evidence_of(summary: DiplomaticSummary) -> list[Evidence]:
    """Every piece of evidence the summary shows: actors', positions', venue's and date's."""
    evidence = [e for a in summary.mediators + summary.parties for e in a.evidence]
    evidence += [p.evidence for p in summary.positions]
    evidence += [x.evidence for x in (summary.venue, summary.proposed_date) if x is not None]
    return evidence


def assert_segments(summary: DiplomaticSummary, text: str) -> None:
    """Every piece of evidence is a whole segment of the article, at its offsets."""
    evidence = evidence_of(summary)
    assert evidence
    for ev in evidence:
        assert ev.status == "segment" and text[ev.start : ev.end] == ev.quote


def actors(summary: DiplomaticSummary) -> tuple[list[str], list[str]]:
    return [a.name for a in summary.mediators], [a.name for a in summary.parties]


def options(prompt: str) -> list[str]:
    """The CLI options of the embedded model path, against the recording server."""
    return ["-m", MODEL, "--base-url", BASE_URL, "--mode", "json_grammar", "--prompt", prompt]


def cassette_tests(prompt: str) -> dict[str, Any]:
    """The tests of one prompt's cassettes, for a module's globals: the same examples and
    checks for ``extract-v2`` and ``extract-v4``, each module replaying its own folder."""

    @pytest.mark.vcr
    @pytest.mark.default_cassette("geneva_held.yaml")
    def test_held_talks_under_un_auspices(cassette: Any) -> None:
        """UN-chaired talks already held: the weekday resolves backward from the sentence's tense."""
        s = summarise(prompt, "geneva_held").summary
        assert actors(s) == (["United Nations"], ["Armenia", "Azerbaijan"])
        assert s.venue is not None and (s.venue.city, s.venue.iso3) == ("Geneva", "CHE")
        assert s.proposed_date is not None and str(s.proposed_date.date) == "2026-05-19"

    @pytest.mark.vcr
    @pytest.mark.default_cassette("oslo_offer.yaml")
    def test_offer_to_host(cassette: Any) -> None:
        """A third party offers to host talks on a stated date."""
        s = summarise(prompt, "oslo_offer").summary
        mediators, parties = actors(s)
        assert mediators[0] == "Norway" and parties == ["Colombia", "ELN"]
        assert s.venue is not None and (s.venue.city, s.venue.iso3) == ("Oslo", "NOR")
        assert s.proposed_date is not None and str(s.proposed_date.date) == "2026-03-10"

    @pytest.mark.vcr
    @pytest.mark.default_cassette("athens_bilateral.yaml")
    def test_bilateral_talks_have_no_mediator(cassette: Any) -> None:
        """Two states meet in one's capital: no mediator, both parties."""
        s = summarise(prompt, "athens_bilateral").summary
        assert actors(s) == ([], ["Greece", "Türkiye"])
        assert s.venue is not None and s.venue.city == "Athens"

    @pytest.mark.vcr
    @pytest.mark.default_cassette("cairo_record.yaml")
    def test_two_mediators_receive_delegations(cassette: Any) -> None:
        """Egypt and Qatar mediate between Israel and Hamas (a JSON record input)."""
        s = summarise(prompt, "cairo_record").summary
        mediators, parties = actors(s)
        assert mediators == ["Egypt", "Qatar"] and set(parties) == {"Israel", "Hamas"}
        assert s.proposed_date is not None and str(s.proposed_date.date) == "2026-06-11"

    @pytest.mark.vcr
    @pytest.mark.default_cassette("nairobi_summit.yaml")
    def test_html_page(cassette: Any) -> None:
        """An HTML page: Kenya hosts Sudan and the RSF in Nairobi."""
        s = summarise(prompt, "nairobi_summit").summary
        mediators, parties = actors(s)
        assert "Kenya" in mediators and parties == ["Sudan", "RSF"]
        assert s.venue is not None and (s.venue.city, s.venue.iso3) == ("Nairobi", "KEN")

    @pytest.mark.vcr
    @pytest.mark.default_cassette("oslo_offer.yaml")
    async def test_async_path_replays_the_same_traffic(cassette: Any) -> None:
        """The async API sends byte-identical requests to the sync one."""
        article = read_article(EXAMPLES / "oslo_offer.txt")
        async with Summariser(
            MODEL, base_url=BASE_URL, mode="json_grammar", timeout=900, prompt=prompt
        ) as s:
            result = await s.asummarise_article(article)
        assert result.summary.venue is not None and result.summary.venue.city == "Oslo"

    @pytest.mark.vcr(*(f"{name}.yaml" for name in CASSETTES))
    def test_cli_on_the_examples(
        cassette: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]
    ) -> None:
        """The README's main command on examples/: five ok records; one system prompt for all."""
        from diplosum._records import OutputRecord

        out = tmp_path / "out.jsonl"
        code = run(["summarise", str(EXAMPLES), "-o", str(out), "--no-cache", *options(prompt)])
        records = [OutputRecord.model_validate_json(line) for line in out.read_text().splitlines()]
        assert code == 0 and len(records) == 5
        assert all(r.status == "ok" and r.summary is not None for r in records)
        assert "5 articles: 5 ok" in capsys.readouterr().err
        systems = {
            json.loads(r.body)["messages"][0]["content"] for r in cassette.requests if r.body
        }
        assert len(systems) == 1  # the fixed prefix llama.cpp reuses from its cache

    return {name: value for name, value in locals().items() if name.startswith("test_")}
