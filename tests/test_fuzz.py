"""Property tests: parsing, grounding and date resolution raise nothing but DiplosumError."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import tempfile
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from diplosum._article import ARTICLE_SUFFIXES, parse_record, parse_text, read_article
from diplosum._grounding import ArticleIndex, locate
from diplosum._inputs import iter_articles
from diplosum.errors import DiplosumError
from diplosum.normalise import resolve_date

FUZZ = settings(
    max_examples=int(os.environ.get("DIPLOSUM_FUZZ_EXAMPLES", "300")),
    deadline=None,
    database=None,  # nothing written into the work tree
    derandomize=True,  # the same examples on every run; raise DIPLOSUM_FUZZ_EXAMPLES to dig
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)

# Text that stresses the parsers: headers, front matter, markup, BOMs, NULs, surrogates.
TRICKY = st.sampled_from(
    [
        "date ",
        "date 2025-02-30 ",
        "date 2025-05-13 Talks\n",
        "---\n",
        "published: 2025-13-01\n",
        "title: x\n",
        "<html>",
        "<script>",
        "</script>",
        "<!--",
        "<![CDATA[",
        "<!",
        "&#0;",
        "&#xd800;",
        "&amp",
        "\ufeff",
        "\x00",
        "\r\n",
        "\ud800",
        "\udfff",
        '{"text": ',
        "[" * 50,
        "…",
        "“",
        "\u0130",
        "ß",
        "\u00ad",
    ]
)
TEXT = st.lists(st.one_of(st.text(max_size=40), TRICKY), max_size=12).map("".join)
SUFFIXES = st.sampled_from([*ARTICLE_SUFFIXES, ".TXT", ".Html", "", ".pdf", ".json.gz"])
RAW = st.one_of(
    st.binary(max_size=300),
    TEXT.map(lambda t: t.encode("utf-8", "surrogatepass")),
    TEXT.map(lambda t: t.encode("utf-16", "surrogatepass")),
    TEXT.map(lambda t: t.encode("latin-1", "replace")),
    st.builds(
        lambda t, h: json.dumps({"text": t, "published": h}).encode(),
        TEXT,
        st.one_of(st.none(), st.text(max_size=12), st.just("2025-02-30")),
    ),
    st.integers(min_value=1, max_value=3000).map(lambda n: b"[" * n + b"]" * n),
    st.integers(min_value=4000, max_value=6000).map(
        lambda n: b'{"text": "a", "n": ' + b"9" * n + b"}"
    ),
)
DATES = st.dates(min_value=dt.date(1, 1, 1), max_value=dt.date(9999, 12, 31))
DATE_PHRASES = st.one_of(
    st.text(max_size=60),
    st.lists(
        st.sampled_from(
            [
                "next",
                "last",
                "this",
                "week",
                "month",
                "year",
                "Friday",
                "on",
                "the",
                "May",
                "February",
                "30",
                "31",
                "29",
                "0",
                "9999",
                "10000",
                "1st",
                "-",
                "early",
                "late",
                "mid",
                "between",
                "and",
                "to",
                "of",
                "tomorrow",
                "ago",
                "in",
                "two",
                "weeks",
                "days",
                "1e9",
                "Q1",
                "2025-13-45",
                "00/00/0000",
            ]
        ),
        max_size=8,
    ).map(" ".join),
)


def _articles_from(raw: bytes, suffix: str) -> list[object]:
    """Write ``raw`` to a temporary file with ``suffix`` and read it every way diplosum does."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"fuzz{suffix}"
        path.write_bytes(raw)
        out: list[object] = []
        try:
            out.append(read_article(path))
        except DiplosumError as exc:
            out.append(exc)
        out.extend(iter_articles([path]))
        out.extend(iter_articles([folder]))
        return out


@FUZZ
@given(raw=RAW, suffix=SUFFIXES)
def test_read_article_on_random_bytes(raw: bytes, suffix: str) -> None:
    """Any bytes in any file raise only ArticleError, and every article is valid UTF-8 text."""
    for item in _articles_from(raw, suffix):
        if isinstance(item, DiplosumError):
            assert str(item)
            continue
        text = item.text  # type: ignore[attr-defined]
        assert text and text.strip() == text
        text.encode("utf-8")  # hashable and sendable: no lone surrogates


@FUZZ
@given(text=TEXT, fmt=st.sampled_from(["text", "markdown", "html", "json"]))
def test_parse_text_never_crashes(text: str, fmt: str) -> None:
    """parse_text either builds an article or raises a DiplosumError."""
    try:
        article = parse_text(text, id="fuzz", format=fmt)
    except DiplosumError:
        return
    assert article.text.encode("utf-8")
    assert len(article.sha256) == 64


@FUZZ
@given(
    record=st.dictionaries(
        st.sampled_from(["text", "body", "published", "date", "headline", "title", "id", "format"]),
        st.one_of(st.none(), st.integers(), TEXT, st.lists(st.integers(), max_size=2)),
    )
)
def test_parse_record_never_crashes(record: dict[str, object]) -> None:
    """parse_record refuses bad records with DiplosumError only."""
    with contextlib.suppress(DiplosumError):
        article = parse_record(record, source="fuzz.json", default_id="fuzz")
        assert article.text.encode("utf-8") and article.text == article.text.strip()


@FUZZ
@given(text=TEXT, start=st.integers(0, 200), length=st.integers(0, 80), noise=TEXT)
def test_locate_finds_only_what_is_there(text: str, start: int, length: int, noise: str) -> None:
    """locate never raises; a span it returns is inside the text, and an exact match is verbatim."""
    for quote in (text[start : start + length], noise, f"“{text[start : start + length]}…”"):
        span = locate(quote, text)
        if span is None:
            continue
        assert 0 <= span.start < span.end <= len(text)
        if span.status == "exact":
            assert text[span.start : span.end] == quote
    index = ArticleIndex(text)
    exact = text[start : start + length]
    if len(exact.strip()) >= 4:
        found = index.locate(exact)
        assert found is not None and text[found.start : found.end] == exact


@FUZZ
@given(
    text=DATE_PHRASES,
    published=st.one_of(st.none(), DATES),
    direction=st.sampled_from(["forward", "backward", "auto"]),
)
def test_resolve_date_never_crashes(text: str, published: dt.date | None, direction: str) -> None:
    """Any phrase against any dateline (year 1 to 9999) resolves, or not, without raising."""
    try:
        found = resolve_date(text, published, direction=direction)  # type: ignore[arg-type]
    except DiplosumError:
        return
    if found is not None:
        assert found.end is None or found.end > found.date
