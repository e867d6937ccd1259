"""Positions: who holds each, and the segment that states it."""

from __future__ import annotations

from collections.abc import Sequence

from .._cited import CitedPosition
from .._schema import Dropped, Position
from .._segments import Segment
from ..normalise import (
    ActorRef,
    canonical_actor,
)
from ._index import _SIDE_KINDS, _a_description, _evidence, _Index, _tokens

#: Words too common to tie a stance to a segment.
_COMMON = frozenset(
    [
        "that",
        "this",
        "with",
        "from",
        "have",
        "will",
        "would",
        "their",
        "they",
        "them",
        "said",
        "says",
        "also",
        "about",
        "after",
        "before",
        "which",
        "while",
        "were",
        "been",
        "being",
        "into",
        "over",
        "such",
        "than",
        "more",
        "most",
        "other",
        "some",
        "only",
        "talks",
    ]
)


def _content(text: str) -> set[str]:
    return {w for w in _tokens(text) if len(w) >= 4 and w not in _COMMON}


def _holder(index: _Index, item: CitedPosition) -> tuple[ActorRef, str | None]:
    """Who holds a position the model gave to a name the tables do not know, and who speaks:
    a person the article titles ("US Special Envoy ... Steve Witkoff": the United States), a
    person whose speaker field is a title naming a state ("Yerlan Sadykov", speaker "Foreign
    Minister of Kazakhstan": Kazakhstan, said by Yerlan Sadykov), or a description whose
    segment names one group ("Anglophone separatists": AGovC)."""
    holder, speaker = index.canonical(item.actor), item.speaker
    if holder.normalised:
        return holder, speaker
    if (side := index.affiliation(item.actor)) is not None:
        return side, speaker or item.actor
    titled = canonical_actor(speaker) if speaker else None
    if titled is not None and titled.normalised and titled.kind in _SIDE_KINDS:
        return titled, item.actor
    segment = index.segments.get(item.segment) if item.segment else None
    if segment is not None and _a_description(item.actor):
        groups = index.groups(segment)
        if len(groups) == 1:
            return groups[0], speaker
    return holder, speaker


def _positions(
    items: Sequence[CitedPosition], index: _Index, dropped: list[Dropped]
) -> list[Position]:
    out: list[Position] = []
    for item in items:
        holder, speaker = _holder(index, item)
        heard = item.model_copy(update={"speaker": speaker})
        segment = _stated_in(index, holder, heard)
        if segment is None:
            reason = f"segment {item.segment} names neither {item.actor!r} nor its speaker"
            dropped.append(
                Dropped(field="positions", item=item.stance or item.actor, reason=reason)
            )
            continue
        if speaker and not _speaks_in(index, segment, speaker):
            speaker = None  # a speaker the evidence does not name is not shown
        out.append(
            Position(
                actor=holder.name,
                speaker=speaker,
                stance=item.stance,
                evidence=_evidence(segment),
            )
        )
    return out


#: A segment shares this many content words with a stance to evidence it when the model's
#: own segment does not name the actor ("agree to resume humanitarian activities").
_SHARED_WORDS = 2


def _stated_in(index: _Index, holder: ActorRef, item: CitedPosition) -> Segment | None:
    """The segment that evidences a position: the one holding the copied stance, else the one
    cited (each when it, or for "He added that ..." the segment before, names the actor or the
    speaker); else the segment naming them that shares the most content words with the stance."""
    cited = index.segments.get(item.segment)
    copied = index.holding(item.stance)
    # The stance is often copied from the article: the segment holding it is the evidence
    # (the model's segment number is often off by a few); else the one it cited.
    for candidate in dict.fromkeys(s for s in (copied, cited) if s is not None):
        if _says(index, candidate, holder, item):
            return candidate
        if not index.actors(candidate):
            before = index.segments.get(candidate.id - 1)  # "He added that ...": the speaker
            if before is not None and _says(index, before, holder, item):
                return candidate
    words = _content(item.stance)
    best, shared = None, _SHARED_WORDS - 1
    for segment in index.segments:
        overlap = len(words & _content(segment.text))
        if overlap > shared and _says(index, segment, holder, item):
            best, shared = segment, overlap
    return best


def _speaks_in(index: _Index, segment: Segment, speaker: str) -> bool:
    ref = canonical_actor(speaker)
    if index.mentions(segment, ref, speaker):
        return True
    before = index.segments.get(segment.id - 1)
    return not index.actors(segment) and before is not None and index.mentions(before, ref, speaker)


def _says(index: _Index, segment: Segment, holder: ActorRef, item: CitedPosition) -> bool:
    if index.mentions(segment, holder, item.actor):
        return True
    return bool(item.speaker) and index.mentions(
        segment, canonical_actor(item.speaker or ""), item.speaker or ""
    )
