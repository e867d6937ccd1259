"""The HTML review report: highlighting, escaping, article checks, overlapping spans, the CLI.

The helpers at the top build small articles and output records; the evaluation and browser
tests import them.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Iterable
from html import unescape
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diplosum._article import Article, read_article
from diplosum._records import OutputRecord, reread_article
from diplosum.cli import run as cli_run
from diplosum.report import FIELDS, render_report, segments

TALKS = (
    "Qatar will host talks between Sudan and Chad in Doha on May 15, officials said. "
    "The Sudanese foreign minister said Sudan wants a ceasefire first. "
    "Chad rejected any preconditions for the talks."
)
SCRIPT = (
    'Officials said <script>document.title = "pwned"; window.pwned = 1;</script> was found in a '
    "leaked memo. Norway offered to mediate between Colombia and the ELN in Oslo next week."
)


# --------------------------------------------------------------------------- fixture builders


def write_article(folder: Path, name: str, body: str, published: str = "2025-05-13") -> Article:
    """Write an article file with a dateline header and read it back as diplosum does."""
    path = folder / name
    path.write_text(f"date {published} Headline of {name}\n\n{body}", encoding="utf-8")
    return read_article(path)


def ev(article: Article, quote: str, **extra: Any) -> dict[str, Any]:
    """Evidence for ``quote``, located in the article."""
    start = article.text.index(quote)
    return {"quote": quote, "start": start, "end": start + len(quote), "status": "exact", **extra}


def actor(
    article: Article, name: str, quote: str, iso3: str | None = None, kind: str = "state"
) -> dict[str, Any]:
    """A summary actor with one piece of evidence."""
    return {
        "name": name,
        "mention": name,
        "kind": kind,
        "iso3": iso3,
        "normalised": True,
        "evidence": [ev(article, quote)],
    }


def venue(
    article: Article, city: str | None, country: str | None, iso3: str | None, quote: str
) -> dict[str, Any]:
    """A summary venue."""
    return {
        "city": city,
        "country": country,
        "iso3": iso3,
        "site": None,
        "normalised": True,
        "evidence": ev(article, quote),
    }


def date(
    article: Article, day: str, text: str, quote: str, precision: str = "day"
) -> dict[str, Any]:
    """A summary talks date."""
    return {
        "date": day,
        "end": None,
        "precision": precision,
        "text": text,
        "evidence": ev(article, quote),
    }


def position(
    article: Article, holder: str, stance: str, quote: str, **extra: Any
) -> dict[str, Any]:
    """A summary position."""
    return {
        "actor": holder,
        "speaker": None,
        "stance": stance,
        "evidence": ev(article, quote, **extra),
    }


def record(
    article: Article,
    *,
    mediators: Iterable[dict[str, Any]] = (),
    parties: Iterable[dict[str, Any]] = (),
    venue: dict[str, Any] | None = None,
    date: dict[str, Any] | None = None,
    positions: Iterable[dict[str, Any]] = (),
    dropped: Iterable[dict[str, Any]] = (),
    tokens: int = 100,
    cost: float | None = 0.001,
    cached: bool = False,
    attempts: int = 1,
) -> dict[str, Any]:
    """A successful output record of ``diplosum summarise`` (validated against the model)."""
    rec = {
        "id": article.id,
        "source": article.source,
        "article_sha256": article.sha256,
        "status": "ok",
        "summary": {
            "headline": article.headline,
            "published": article.published.isoformat() if article.published else None,
            "summary": "Talks are planned.",
            "talks_status": "proposed",
            "mediators": list(mediators),
            "parties": list(parties),
            "venue": venue,
            "proposed_date": date,
            "positions": list(positions),
        },
        "usage": {"prompt_tokens": tokens - 10, "completion_tokens": 10, "total_tokens": tokens},
        "cost_usd": cost,
        "cached": cached,
        "model": "openai/gpt-4o-mini",
        "prompt_version": "extract-v1",
        "prompt_hash": "sha256:0",
        "schema_version": "1",
        "diplosum_version": "0.1.0",
        "attempts": attempts,
        "dropped": list(dropped),
    }
    OutputRecord.model_validate(rec)
    return rec


def failure(
    ident: str, source: str | None, message: str = "HTTP 500 from the endpoint"
) -> dict[str, Any]:
    """A failed output record."""
    rec = {
        "id": ident,
        "source": source,
        "article_sha256": None,
        "status": "error",
        "error": {"type": "ProviderError", "message": message, "attempts": 3},
        "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
        "cost_usd": None,
        "model": "openai/gpt-4o-mini",
        "schema_version": "1",
        "diplosum_version": "0.1.0",
        "attempts": 3,
    }
    OutputRecord.model_validate(rec)
    return rec


def talks_record(article: Article) -> dict[str, Any]:
    """A full record for the ``TALKS`` article, with overlapping quotes in several fields."""
    first = "Qatar will host talks between Sudan and Chad in Doha on May 15"
    return record(
        article,
        mediators=[actor(article, "Qatar", first, "QAT")],
        parties=[
            actor(article, "Sudan", first, "SDN"),
            actor(article, "Chad", "Chad rejected any preconditions"),
        ],
        venue=venue(article, "Doha", "Qatar", "QAT", "talks between Sudan and Chad in Doha"),
        date=date(article, "2025-05-15", "May 15", "in Doha on May 15"),
        positions=[
            position(article, "Sudan", "wants a ceasefire first", "Sudan wants a ceasefire first"),
            position(
                article,
                "Chad",
                "rejects preconditions",
                "Chad rejected any preconditions for the talks",
            ),
        ],
        dropped=[
            {
                "field": "positions",
                "item": "Qatar is neutral",
                "reason": "quote not found: 'we are neutral'",
            }
        ],
    )


def script_record(article: Article) -> dict[str, Any]:
    """A record for the ``SCRIPT`` article (its text holds a <script> element)."""
    return record(
        article,
        mediators=[actor(article, "Norway", "Norway offered to mediate", "NOR")],
        parties=[
            actor(article, "Colombia", "between Colombia and the ELN", "COL"),
            actor(article, "ELN", "the ELN", kind="armed_group"),
        ],
        venue=venue(article, "Oslo", "Norway", "NOR", "in Oslo next week"),
    )


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> Path:
    """Write records as JSON Lines."""
    path.write_text(
        "".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8"
    )
    return path


class Page(HTMLParser):
    """The parts of a report page the tests look at."""

    def __init__(self, html: str) -> None:
        super().__init__(convert_charrefs=True)
        self.marks: list[dict[str, str]] = []
        self.items: list[dict[str, str]] = []
        self.scripts = 0
        self.urls: list[str] = []
        self.sections: dict[str, list[str]] = {}
        self._section: str | None = None
        self.feed(html)

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        self.urls += [v for k, v in a.items() if k in ("src", "href") and not v.startswith("#")]
        if tag == "script":
            self.scripts += 1
        if tag == "section":
            self._section = a.get("id")
            self.sections[a["id"]] = []
        if tag == "mark":
            self.marks.append({**a, "section": self._section or ""})
        if tag == "li" and "item" in a.get("class", "").split():
            self.items.append({**a, "section": self._section or ""})


def render(records: list[dict[str, Any]]) -> str:
    """Render a report for record dicts."""
    return render_report([OutputRecord.model_validate(r) for r in records])


# --------------------------------------------------------------------------- tests


def test_every_quote_is_highlighted_in_its_field_colour(tmp_path: Path) -> None:
    """Each evidence id of a field appears on a mark carrying that field's class."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    page = Page(render([talks_record(art)]))
    assert len(page.items) == 7  # 1 mediator, 2 parties, venue, date, 2 positions
    for item in page.items:
        field = next(c[2:] for c in item["class"].split() if c.startswith("f-"))
        for ev_id in item["data-ev"].split():
            marks = [m for m in page.marks if ev_id in m["data-ev"].split()]
            assert marks, f"no mark for {ev_id}"
            assert all(f"{FIELDS[field]}: " in m["title"] for m in marks)
            assert any(f"f-{field}" in m["class"].split() for m in marks) or all(
                "multi" in m["class"] for m in marks
            )
    assert {c for m in page.marks for c in m["class"].split()} >= {
        "hl",
        "f-positions",
        "f-date",
        "multi",
    }


def test_article_text_survives_highlighting(tmp_path: Path) -> None:
    """Stripping the marks from the rendered text gives back the article exactly."""
    art = write_article(tmp_path, "talks.txt", TALKS + " It's <fine> & 'quoted'.")
    html = render([talks_record(art)])
    start = html.index('<div class="text">') + len('<div class="text">')
    body = html[start : html.index("</div>", start)]
    assert unescape(re.sub(r"</?mark[^>]*>", "", body)) == art.text


def test_article_script_is_shown_as_text(tmp_path: Path) -> None:
    """An article containing <script> is escaped: the page holds only its own script element."""
    art = write_article(tmp_path, "script.txt", SCRIPT)
    html = render([script_record(art)])
    assert "&lt;script&gt;document.title" in html
    assert Page(html).scripts == 1
    assert "<script>document.title" not in html


def test_changed_article_is_said_and_not_highlighted(tmp_path: Path) -> None:
    """When the article's sha256 no longer matches, the page says so and places no mark."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    rec = talks_record(art)
    (tmp_path / "talks.txt").write_text(
        "date 2025-05-13 Edited\n\nSomething else entirely.", encoding="utf-8"
    )
    html = render([rec])
    assert "has changed since it was summarised" in html
    assert Page(html).marks == []
    assert "not highlighted" in html


def test_missing_article_is_said_and_quotes_still_listed(tmp_path: Path) -> None:
    """A record whose source is gone shows the quotes as text, without highlights."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    rec = talks_record(art)
    (tmp_path / "talks.txt").unlink()
    html = render([rec])
    assert "the article file is missing" in html
    assert Page(html).marks == []
    assert "<q>Sudan wants a ceasefire first</q>" in html


def test_offsets_that_do_not_match_are_not_highlighted(tmp_path: Path) -> None:
    """Evidence whose offsets point elsewhere in an unchanged article is listed, not marked."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    rec = talks_record(art)
    rec["summary"]["positions"][0]["evidence"]["start"] += 3
    page = Page(render([rec]))
    off = next(i for i in page.items if "positions" in i["class"])
    assert off["data-ev"] == ""
    assert len(page.marks) > 0


def test_failures_are_shown_in_the_index_and_their_section(tmp_path: Path) -> None:
    """A failed record appears in the index and in its own section with the error."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    html = render([talks_record(art), failure("broken.txt", str(tmp_path / "broken.txt"))])
    page = Page(html)
    assert set(page.sections) == {"a0", "a1"}
    assert html.count('href="#a1"') == 1
    assert "<strong>ProviderError</strong> after 3 attempt(s): HTTP 500 from the endpoint" in html


def test_page_is_self_contained(tmp_path: Path) -> None:
    """No resource outside the page: only in-page links, no external stylesheets or fonts."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    html = render([talks_record(art), failure("x.txt", None)])
    page = Page(html)
    assert page.urls == []
    for needle in ("<link", "@import", "url(", "http://", "https://"):
        assert needle not in html


def test_jsonl_sources_are_reread_by_line(tmp_path: Path) -> None:
    """A ``PATH.jsonl:LINE`` source re-reads that line's record and checks its hash."""
    path = tmp_path / "batch.jsonl"
    path.write_text(
        json.dumps({"id": "one", "text": "First."})
        + "\n"
        + json.dumps({"id": "two", "text": TALKS})
        + "\n"
    )
    from diplosum._article import parse_text

    sha = parse_text(TALKS).sha256
    article, state = reread_article(f"{path}:2", sha)
    assert state == "ok" and article is not None and article.text == TALKS
    assert reread_article(f"{path}:1", sha)[1] == "changed"
    assert reread_article(f"{path}:9", sha)[1] == "unreadable"


def test_relative_sources_are_found_next_to_the_records(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A relative source missing from the working folder is looked up beside the records file."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    monkeypatch.chdir(tmp_path.parent)
    assert reread_article("talks.txt", art.sha256)[1] == "missing"
    assert reread_article("talks.txt", art.sha256, base=tmp_path)[1] == "ok"


def test_segments_split_overlaps_into_disjoint_runs() -> None:
    """Overlapping quotes give disjoint segments, each listing every quote covering it."""
    text = "abcdefghij"
    segs = segments(text, [(0, 6, "parties", "e1", "P"), (3, 9, "venue", "e2", "V")])
    assert [(s.text, s.ids) for s in segs] == [
        ("abc", "e1"),
        ("def", "e1 e2"),
        ("ghi", "e2"),
        ("j", ""),
    ]
    assert segs[1].classes.split() == ["hl", "f-parties", "u-venue", "multi"]


@given(
    st.text(alphabet="ab <&>", min_size=1, max_size=30),
    st.lists(st.tuples(st.integers(0, 30), st.integers(1, 30)), max_size=6),
)
def test_segments_rebuild_the_text_and_cover_each_quote(
    text: str, raw: list[tuple[int, int]]
) -> None:
    """For any spans, segments concatenate to the text and each quote's segments spell it."""
    spans = [(min(a, len(text)), min(a + b, len(text))) for a, b in raw]
    quotes = [(s, e, "positions", f"e{i}", "x") for i, (s, e) in enumerate(spans) if s < e]
    segs = segments(text, quotes)
    assert "".join(s.text for s in segs) == text
    for start, end, _, ident, _ in quotes:
        assert "".join(s.text for s in segs if ident in s.ids.split()) == text[start:end]


def test_cli_writes_the_report(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    """``diplosum report OUT.jsonl -o FILE`` writes the page and says where."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    out = write_jsonl(tmp_path / "out.jsonl", [talks_record(art)])
    assert cli_run(["report", str(out), "-o", str(tmp_path / "r.html")]) == 0
    assert "<mark" in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "1 article(s) written to" in capsys.readouterr().err


def test_cli_default_output_and_missing_input(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page goes to ./report.html by default; a missing records file is a usage error."""
    art = write_article(tmp_path, "talks.txt", TALKS)
    out = write_jsonl(tmp_path / "out.jsonl", [talks_record(art)])
    monkeypatch.chdir(tmp_path)
    assert cli_run(["report", "out.jsonl"]) == 0 and (tmp_path / "report.html").is_file()
    assert out.is_file()
    assert cli_run(["report", str(tmp_path / "nope.jsonl")]) == 2


def test_registering_the_commands_imports_nothing_heavy() -> None:
    """Building the CLI parser loads neither jinja2 nor pydantic nor normalisation."""
    code = (
        "import sys, diplosum.cli as c; c.build_parser(); "
        "print([m for m in ('jinja2', 'pydantic', 'diplosum.normalise') if m in sys.modules])"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"
