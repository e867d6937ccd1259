"""Split an article body into numbered segments (sentences) with exact character offsets.

The split is done once per article, deterministically, by a small tested rule set (no model,
no download): a paragraph break always ends a segment; inside a paragraph a sentence ends at
``.``, ``!``, ``?`` or ``…`` (and any closing quotation marks or brackets after it) followed
by white space and something that can start a sentence, or at a CJK full stop. A full stop
does not end a sentence after a title or a common abbreviation ("Mr.", "Gen.", "Sept."), a
dotted acronym ("U.S.", "U.N.") that is not followed by a usual sentence opener, or a single
initial ("J. Smith"). Datelines ("ANKARA, May 13 -") stay with the sentence they open.

Invariants (property-tested): segments are in order, disjoint, carry no surrounding white
space, cover every non-space character of the body, and ``body[start:end] == text``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property

__all__ = ["Segment", "Segments", "split_segments", "unnumber"]

#: Words after which a full stop does not end a sentence (compared case-insensitively).
_ABBREVIATIONS = frozenset(
    [
        "mr",
        "mrs",
        "ms",
        "mx",
        "dr",
        "prof",
        "sr",
        "jr",
        "st",
        "mt",
        "ft",
        "gen",
        "lt",
        "col",
        "maj",
        "capt",
        "cpt",
        "sgt",
        "adm",
        "cmdr",
        "brig",
        "gov",
        "sen",
        "rep",
        "rev",
        "hon",
        "amb",
        "pres",
        "sec",
        "dept",
        "min",
        "no",
        "nos",
        "vol",
        "pp",
        "fig",
        "approx",
        "est",
        "etc",
        "vs",
        "v",
        "al",
        "inc",
        "corp",
        "ltd",
        "co",
        "jan",
        "feb",
        "mar",
        "apr",
        "jun",
        "jul",
        "aug",
        "sep",
        "sept",
        "oct",
        "nov",
        "dec",
        "mon",
        "tue",
        "tues",
        "wed",
        "thu",
        "thur",
        "thurs",
        "fri",
        "sat",
        "sun",
    ]
)
#: After a dotted acronym ("U.S."), only these words show that a new sentence has started.
_OPENERS = frozenset(
    [
        "the",
        "a",
        "an",
        "he",
        "she",
        "it",
        "they",
        "we",
        "i",
        "you",
        "this",
        "that",
        "these",
        "those",
        "there",
        "but",
        "and",
        "or",
        "so",
        "yet",
        "however",
        "in",
        "on",
        "at",
        "as",
        "after",
        "before",
        "while",
        "when",
        "if",
        "his",
        "her",
        "its",
        "their",
        "our",
        "meanwhile",
        "earlier",
        "later",
    ]
)
_CLOSERS = "\"'”’»)]}"
_END = re.compile(r"[.!?…]+[" + re.escape(_CLOSERS) + r"]*(?=\s)")
_CJK_END = re.compile(r"[。！？]+[」』”’)]*")
_ACRONYM = re.compile(r"(?:[A-Za-z]\.){2,}\Z")
_INITIAL = re.compile(r"(?<![\w.])[A-Z]\.\Z")
_WORD_BEFORE = re.compile(r"([\w-]+)\.\Z")
_NEXT_WORD = re.compile(r"\s+[\"'“‘«(\[]*([\w-]+)")


@dataclass(frozen=True, slots=True)
class Segment:
    """One numbered segment: ``body[start:end] == text``; ids start at 1."""

    id: int
    start: int
    end: int
    text: str


def _starts_sentence(body: str, at: int) -> bool:
    """Whether the text after the white space at ``at`` can open a sentence."""
    match = re.match(r"\s+(\S)", body[at:])
    if match is None:
        return False
    first = match.group(1)
    if first in "\"'“‘«([¿¡-–—•*" or first.isdigit():
        return True
    return first.isalpha() and not first.islower()


def _is_boundary(body: str, mark_start: int, mark_end: int) -> bool:
    """Whether the punctuation at ``body[mark_start:mark_end]`` ends a sentence."""
    if not _starts_sentence(body, mark_end):
        return False
    if body[mark_start] != "." or body[mark_start:mark_end].startswith(".."):
        return True  # ! ? … and an ellipsis followed by a capital end a sentence
    before = body[max(0, mark_start - 40) : mark_start + 1]
    if _INITIAL.search(before):
        return False
    if _ACRONYM.search(before):
        nxt = _NEXT_WORD.match(body, mark_end)
        return nxt is not None and nxt.group(1).casefold() in _OPENERS
    word = _WORD_BEFORE.search(before)
    return not (word and word.group(1).casefold() in _ABBREVIATIONS)


def _sentences(body: str, start: int, end: int) -> Iterator[tuple[int, int]]:
    """Sentence spans (untrimmed) of the paragraph ``body[start:end]``."""
    cuts: list[int] = []
    for match in _END.finditer(body, start, end):
        if _is_boundary(body, match.start(), match.end()):
            cuts.append(match.end())
    cuts.extend(m.end() for m in _CJK_END.finditer(body, start, end))
    last = start
    for cut in sorted(set(cuts)):
        if last < cut < end:
            yield last, cut
            last = cut
    yield last, end


def split_segments(body: str) -> list[Segment]:
    """The numbered segments of ``body`` (see the module docstring)."""
    segments: list[Segment] = []
    for paragraph in re.finditer(r"[^\n]+", body):
        for start, end in _sentences(body, paragraph.start(), paragraph.end()):
            piece = body[start:end]
            stripped = piece.strip()
            if not stripped:
                continue
            lead = len(piece) - len(piece.lstrip())
            s = start + lead
            segments.append(Segment(len(segments) + 1, s, s + len(stripped), stripped))
    return segments


class Segments:
    """An article body split into segments, with look-ups by id and by offset."""

    def __init__(self, body: str) -> None:
        self.body = body
        self.items: list[Segment] = split_segments(body)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Segment]:
        return iter(self.items)

    def get(self, segment_id: int) -> Segment | None:
        """The segment with that id, or None when the article has no such segment."""
        if isinstance(segment_id, int) and 1 <= segment_id <= len(self.items):
            return self.items[segment_id - 1]
        return None

    @cached_property
    def ids(self) -> list[int]:
        """Every valid segment id, in order."""
        return [s.id for s in self.items]

    def numbered(self) -> str:
        """The body as the model sees it: each segment preceded by ``[id] ``, the text between
        segments (spaces, paragraph breaks) kept as it is. :func:`unnumber` reverses it."""
        parts: list[str] = []
        at = 0
        for s in self.items:
            parts += [self.body[at : s.start], f"[{s.id}] ", s.text]
            at = s.end
        parts.append(self.body[at:])
        return "".join(parts)


def unnumber(numbered: str) -> str | None:
    """The body a :meth:`Segments.numbered` text was made from, or None if it is not one.

    Markers are removed only in sequence (``[1] ``, then ``[2] ``...), so a bracketed number
    in the article itself stays.
    """
    if not numbered.lstrip().startswith("[1] "):
        return None
    parts: list[str] = []
    at, expected = 0, 1
    while (found := numbered.find(f"[{expected}] ", at)) >= 0:
        parts.append(numbered[at:found])
        at, expected = found + len(f"[{expected}] "), expected + 1
    parts.append(numbered[at:])
    return "".join(parts)
