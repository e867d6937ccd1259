"""Locate the model's quotes in the article and report where they are.

A quote is *exact* when it appears in the article character for character, and
*fuzzy* when it appears once typography is folded: curly and straight quotes,
dashes and hyphens, runs of whitespace, letter case, the quotation marks or
final full stop a model wraps a quote in, and an ellipsis standing for left-out
words. Offsets always refer to the original article text, so
``text[start:end]`` is the located quote. A quote that cannot be found is not
grounded; the summariser re-asks the model or drops the item.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cached_property
from typing import Literal

__all__ = ["ArticleIndex", "Span", "locate"]

Status = Literal["exact", "fuzzy"]

_QUOTES = "\"'`\u00b4\u2018\u2019\u201a\u201b\u2032\u2033\u201c\u201d\u201e\u201f\u00ab\u00bb"
_DASHES = "\u2010\u2011\u2012\u2013\u2014\u2015\u2212"
# Every quotation mark folds to one (models swap " and ' to avoid escaping), every dash to "-".
_FOLD = str.maketrans({**dict.fromkeys(_QUOTES, "'"), **dict.fromkeys(_DASHES, "-"), "\u00ad": ""})
_ELLIPSIS = re.compile(r"\s*(?:\.\.\.+|\u2026|\[\.\.\.\]|\[\u2026\])\s*")
_WRAP = " \t\n" + _QUOTES
#: Quotes shorter than this (after folding) are too weak to count as evidence.
MIN_QUOTE_CHARS = 4


@dataclass(frozen=True, slots=True)
class Span:
    """Where a quote sits in the article: ``text[start:end]``."""

    start: int
    end: int
    status: Status


def _fold(text: str) -> tuple[str, list[int]]:
    """Fold typography and case; return the folded text and, per folded char, its source offset."""
    out: list[str] = []
    index: list[int] = []
    in_space = False
    for i, ch in enumerate(text):
        if ch.isspace():
            if not in_space:
                out.append(" ")
                index.append(i)
            in_space = True
            continue
        in_space = False
        folded = ch.translate(_FOLD).lower()
        for c in folded:
            out.append(c)
            index.append(i)
    return "".join(out), index


class ArticleIndex:
    """An article prepared for repeated quote look-ups (the folding is done once)."""

    def __init__(self, text: str) -> None:
        self.text = text

    @cached_property
    def _folded(self) -> tuple[str, list[int]]:
        return _fold(self.text)

    def _find_folded(self, needle: str, start: int = 0) -> tuple[int, int] | None:
        pos = self._folded[0].find(needle, start)
        if pos < 0:
            return None
        end = pos + len(needle)
        return pos, end

    def _to_source(self, fstart: int, fend: int) -> tuple[int, int]:
        _, index = self._folded
        return index[fstart], index[fend - 1] + 1

    def locate(self, quote: str) -> Span | None:
        """Find ``quote`` in the article; None when it is not there."""
        if not quote:
            return None
        pos = self.text.find(quote)
        if pos >= 0 and len(quote.strip()) >= MIN_QUOTE_CHARS:
            return Span(pos, pos + len(quote), "exact")
        core = quote.strip(_WRAP).rstrip(".,;:").strip(_WRAP)
        pieces = [p for p in (_fold(piece)[0].strip() for piece in _ELLIPSIS.split(core)) if p]
        if not pieces or sum(len(p) for p in pieces) < MIN_QUOTE_CHARS:
            return None
        first = self._find_folded(pieces[0])
        if first is None:
            return None
        fstart, fend = first
        for piece in pieces[1:]:
            nxt = self._find_folded(piece, fend)
            if nxt is None or nxt[0] - fend > 2000:
                return None
            fend = nxt[1]
        start, end = self._to_source(fstart, fend)
        status: Status = "exact" if self.text[start:end] == quote else "fuzzy"
        return Span(start, end, status)


def locate(quote: str, text: str) -> Span | None:
    """Find ``quote`` in ``text`` (see the module docstring for what is tolerated)."""
    return ArticleIndex(text).locate(quote)
