"""Quotes are located in the article, tolerant of typography, with exact offsets."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from diplosum._grounding import ArticleIndex, locate

TEXT = "Officials said: “We are ready — to host\n the  talks.” Talks follow in Doha on May 15."


@pytest.mark.parametrize(
    ("quote", "status", "located"),
    [
        ("We are ready", "exact", "We are ready"),
        ("in Doha on May 15", "exact", "in Doha on May 15"),
        ('"We are ready - to host the talks."', "fuzzy", "We are ready — to host\n the  talks"),
        ("we are ready … talks", "fuzzy", "We are ready — to host\n the  talks"),
        ("WE ARE READY", "fuzzy", "We are ready"),
        ("“in Doha on May 15.”", "fuzzy", "in Doha on May 15"),
        ('Officials said: "We', "fuzzy", "Officials said: “We"),
    ],
)
def test_locates_quotes(quote: str, status: str, located: str) -> None:
    """Each tolerated variant maps back to the original span."""
    span = locate(quote, TEXT)
    assert span is not None
    assert span.status == status
    assert TEXT[span.start : span.end] == located


@pytest.mark.parametrize("quote", ["in Cairo on May 15", "", "   ", "We", "ready ... Cairo", "..."])
def test_rejects_what_is_not_there(quote: str) -> None:
    """Invented, empty and trivially short quotes are not grounded."""
    assert locate(quote, TEXT) is None


def test_index_reuses_folding() -> None:
    """An ArticleIndex answers many look-ups over one folding of the text."""
    index = ArticleIndex(TEXT)
    assert index.locate("Doha") is not None
    assert index.locate("talks follow") is not None
    assert index.locate("Cairo") is None


@given(st.text(max_size=300), st.text(max_size=60))
def test_never_raises_and_offsets_are_consistent(text: str, quote: str) -> None:
    """Arbitrary input never raises; a found span always lies inside the text."""
    span = locate(quote, text)
    if span is not None:
        assert 0 <= span.start < span.end <= len(text)
        if span.status == "exact":
            assert text[span.start : span.end] == quote


@given(st.text(min_size=20, max_size=400), st.data())
def test_every_substring_is_found_exactly(text: str, data: st.DataObject) -> None:
    """Any substring of reasonable length is located exactly where it first occurs."""
    start = data.draw(st.integers(0, len(text) - 10))
    end = data.draw(st.integers(start + 5, len(text)))
    quote = text[start:end]
    if len(quote.strip()) < 4:
        return
    span = locate(quote, text)
    assert span is not None
    assert text[span.start : span.end] == quote
