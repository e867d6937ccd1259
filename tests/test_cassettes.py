"""Real model traffic, replayed: the embedded local model (Qwen2.5-Coder-1.5B) on our own examples,
with the quote prompt ``extract-v1`` (still selectable; the default ``extract-v2`` is replayed in
``test_cassettes_v2.py``).

Recorded by ``python scripts/record_cassettes.py`` against llama.cpp's server started through
``diplosum.local`` (temperature 0, seed 0); replayed offline, matched on method, path and body.
What is asserted is what the recorded model actually answered, plus the invariants that hold
for any answer: every quote is the article text at its offsets, and metadata is complete.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from diplosum import Summariser, read_article
from diplosum._schema import DiplomaticSummary
from diplosum.cli import run
from tests.cassette_cases import evidence_of
from tests.conftest import EXAMPLES

#: Set by scripts/record_cassettes.py to the running local server; replay needs no server.
RECORD_URL = os.environ.get("DIPLOSUM_RECORD_URL")
BASE_URL = RECORD_URL or "http://127.0.0.1:9/v1"
MODEL = "qwen2.5-1.5b"
OPTIONS = ["-m", MODEL, "--base-url", BASE_URL, "--mode", "json_grammar", "--prompt", "extract-v1"]


def local_summariser(**kwargs: Any) -> Summariser:
    """The same requests the embedded model path sends (JSON + grammar, temperature 0, seed 0)."""
    return Summariser(
        MODEL, base_url=BASE_URL, mode="json_grammar", timeout=900, prompt="extract-v1", **kwargs
    )


def assert_grounded(summary: DiplomaticSummary, text: str) -> None:
    """Every evidence quote is exactly the article text at its offsets."""
    evidence = evidence_of(summary)
    assert evidence
    for ev in evidence:
        assert text[ev.start : ev.end] == ev.quote


@pytest.mark.vcr
@pytest.mark.default_cassette("oslo_offer.yaml")
def test_seed_style_article(cassette: Any) -> None:
    """A third party offers to host talks on a stated date: mediator, parties, venue, date.

    The 1.5B model paraphrased the quote for Colombia ("The Colombian government wants ..."),
    repeated it verbatim when re-asked, and so that party is dropped and reported, not
    presented as verified.
    """
    article = read_article(EXAMPLES / "oslo_offer.txt")
    with local_summariser() as summariser:
        result = summariser.summarise_article(article)
    s = result.summary
    assert_grounded(s, article.text)
    assert [(a.name, a.iso3) for a in s.mediators] == [("Norway", "NOR")]
    assert [a.name for a in s.parties] == ["ELN"]
    assert s.venue is not None and (s.venue.city, s.venue.iso3) == ("Oslo", "NOR")
    assert s.proposed_date is not None and s.proposed_date.date is not None
    assert (s.proposed_date.date.isoformat(), s.proposed_date.precision) == ("2026-03-10", "day")
    assert [(d.field, d.item) for d in result.meta.dropped] == [("parties", "Colombia")]
    assert result.meta.attempts == 2  # the re-ask brought the same answer: no third call
    assert len(result.meta.attempts_usage) == 2 and result.meta.usage.prompt_tokens > 0
    assert result.meta.prompt_version == "extract-v1"


@pytest.mark.vcr
@pytest.mark.default_cassette("athens_bilateral.yaml")
def test_article_without_mediator(cassette: Any) -> None:
    """Bilateral talks: the consistency validator makes the model split mediators and parties.

    The 1.5B model first listed Greece and Türkiye as both mediators and parties; the re-ask
    ("a mediator is not itself a party") made it keep each actor in one list. It still calls
    Greece, the host, a mediator: a known weakness of the small model, recorded as it is.
    """
    article = read_article(EXAMPLES / "athens_bilateral.txt")
    with local_summariser() as summariser:
        result = summariser.summarise_article(article)
    s = result.summary
    assert_grounded(s, article.text)
    assert result.meta.attempts == 2  # the re-ask for an actor in both lists
    assert not {a.iso3 for a in s.mediators} & {a.iso3 for a in s.parties}
    assert [a.iso3 for a in s.mediators] == ["GRC"] and [a.iso3 for a in s.parties] == ["TUR"]
    assert s.parties[0].mention == "Turkey" and s.parties[0].name == "Türkiye"
    assert s.proposed_date is not None and s.proposed_date.date is not None
    assert s.proposed_date.date.isoformat() == "2026-04-21"
    assert all(d.reason.startswith("quote not found") for d in result.meta.dropped)


@pytest.mark.vcr
@pytest.mark.default_cassette("oslo_offer.yaml")
async def test_async_path_replays_the_same_traffic(cassette: Any) -> None:
    """The async API sends byte-identical requests to the sync one."""
    article = read_article(EXAMPLES / "oslo_offer.txt")
    async with local_summariser() as s:
        result = await s.asummarise_article(article)
    assert result.summary.venue is not None and result.summary.venue.city == "Oslo"


@pytest.mark.vcr("oslo_offer.yaml", "athens_bilateral.yaml")
def test_cli_on_examples(cassette: Any, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """The CLI on two examples writes two ok records, in the output schema."""
    from diplosum._records import OutputRecord

    out = tmp_path / "out.jsonl"
    paths = [str(EXAMPLES / "oslo_offer.txt"), str(EXAMPLES / "athens_bilateral.txt")]
    code = run(["summarise", *paths, "-o", str(out), "--no-cache", "-j", "1", *OPTIONS])
    records = [OutputRecord.model_validate_json(line) for line in out.read_text().splitlines()]
    assert code == 0
    assert [r.id for r in records] == ["oslo_offer.txt", "athens_bilateral.txt"]
    assert all(r.status == "ok" and r.summary is not None for r in records)
    assert "2 articles: 2 ok" in capsys.readouterr().err
    assert json.loads(out.read_text().splitlines()[0])["model"] == f"compatible/{MODEL}"
