"""Positions: who holds each, and the segment that states it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from .._cited import CitedPosition
from .._schema import Actor, Dropped, Position
from .._segments import Segment
from ..normalise import (
    ActorRef,
    canonical_actor,
)
from ._index import (
    _SIDE_KINDS,
    _a_description,
    _evidence,
    _Index,
    _key,
    _mentions,
    _ref,
    _tokens,
    _word_spans,
)

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
        return _speaking_for(index, item, holder) or holder, speaker
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


def _speaking_for(index: _Index, item: CitedPosition, holder: ActorRef) -> ActorRef | None:
    """The side the position's speaker speaks for, when it is not the model's holder and the
    cited segment does not name the holder: "Kowalczyk said the EU would facilitate the new
    round", given to Serbia with speaker "Marta Kowalczyk", whom the article titles "The
    European Union's envoy", is the European Union's."""
    if not item.speaker:
        return None
    side = index.affiliation(item.speaker)
    segment = index.segments.get(item.segment) if item.segment else None
    if side is None or not side.normalised or _key(side) == _key(holder) or segment is None:
        return None
    return None if index.mentions(segment, holder, item.actor) else side


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


#: A reporting verb, then what was said: "said Gitega wanted ...", "said on Wednesday that ...".
_REPORTED = re.compile(
    r"\b(?:said|says|told (?:reporters|journalists|the [a-z]+)|added|insisted|stressed)"
    r"(?:\s+(?:on|late on|early on)\s+[A-Z][a-z]+day)?(?:\s+(?:in a statement|in an interview))?"
    r"(?:\s+that)?\s+(?P<said>[^;]+)"
)
#: What the sides agreed is an outcome the article reports, not a position one of them states.
_OUTCOME = re.compile(r"(?:both|the two) (?:sides|delegations|parties|governments)\b", re.I)
#: A reported clause this short says nothing ("said on Wednesday.").
_SAID_WORDS = 5
#: How close to the reporting verb its speaker or the clause's subject must be.
_SAYER_CHARS = 60
_SUBJECT_CHARS = 25


def _spans(index: _Index, segment: Segment, actor: Actor) -> list[tuple[int, int]]:
    """Where ``segment`` names ``actor``: its mentions (name, alias, demonym, capital or seat),
    or, for a name the tables do not know, the name itself."""
    ref = _ref(actor)
    found = [(a, b) for r, a, b in _mentions(segment.text) if _key(r) == _key(ref)]
    if not found and not ref.normalised:
        for name in {actor.name, actor.mention}:
            found += _word_spans(segment.text, name)
    return found


def _reported(index: _Index, actors: Sequence[Actor], positions: list[Position]) -> list[Position]:
    """Positions the model left out, for a mediator or party that has none: the first segment
    where the actor says something ("Burundi's foreign minister said Gitega wanted ...", "The
    envoy said the African Union would propose ..."), the reported clause kept verbatim as the
    stance. The actor is the reporting verb's speaker (the nearest actor named before it) or the
    reported clause's subject (the first actor named after it); an outcome ("the two sides
    agreed") is not a position."""
    held = {p.actor for p in positions}  # both carry the canonical name
    found: list[Position] = []
    for actor in actors:
        if actor.name in held:
            continue
        for segment in index.segments:
            spans = _spans(index, segment, actor)
            if not spans:
                continue
            stance = _said_by(index, segment, spans)
            if stance is not None:
                found.append(Position(actor=actor.name, stance=stance, evidence=_evidence(segment)))
                break
    return found


#: A clause that starts with these words dates or frames what was said, it states nothing
#: ("said on Tuesday, without giving a day", "said after the talks ended").
_NOT_A_STANCE = frozenset(
    [
        "on",
        "in",
        "at",
        "after",
        "before",
        "without",
        "during",
        "while",
        "when",
        "as",
        "last",
        "this",
        "earlier",
        "later",
    ]
)
#: Before a place where a speaker is, not whom they speak for: "speaking from southern Libya".
_WHERE_SAID = re.compile(
    r"\b(?:in|at|from|inside|within|near)\s+(?:the\s+)?"
    r"(?:(?:north|south|east|west)(?:ern)?\s+|central\s+)?$",
    re.IGNORECASE,
)
#: Before a reporting verb whose speaker is not named: "The envoy said", "He said".
_UNNAMED_SAYER = re.compile(r"(?:^|[,;]\s+)(?:The|An?|He|She)\b[\w\s'’-]{0,40}$")


def _said_by(index: _Index, segment: Segment, spans: list[tuple[int, int]]) -> str | None:
    """The clause ``segment`` reports the actor at ``spans`` saying, or None: the actor is the
    reporting verb's speaker (the nearest actor named before it, with no other actor as the
    clause's subject), or, when the speaker is unnamed ("The envoy said"), the clause's
    subject alone ("the African Union would propose"; not "Somalia and Ethiopia have ...")."""
    text = segment.text
    named = sorted({(a, b) for _, a, b in _mentions(text)} | set(spans))
    for verb in _REPORTED.finditer(text):
        said = verb.group("said").strip().rstrip(".\"'”’ ")
        words = said.split()
        if len(words) < _SAID_WORDS or _OUTCOME.match(said) or words[0] in _NOT_A_STANCE:
            continue
        before = [  # not a place: "a spokesman based in Doha said" is not Qatar's
            (a, b) for a, b in named if b <= verb.start() and not _WHERE_SAID.search(text[:a])
        ]
        after = [(a, b) for a, b in named if a >= verb.start("said")]
        sayer = before[-1] if before and verb.start() - before[-1][1] <= _SAYER_CHARS else None
        subject = after[0] if after and after[0][0] - verb.start("said") <= _SUBJECT_CHARS else None
        if subject is not None and subject not in spans:
            continue  # what another actor does or wants
        if sayer is not None:
            if sayer not in spans:
                continue
        elif subject is None or not _UNNAMED_SAYER.search(text[: verb.start()].rstrip()):
            continue
        elif re.match(r"\s*(?:,\s*|\s+)and\b", text[subject[1] :]):
            continue  # "Somalia and Ethiopia have been in conflict": a fact about both
        return said[0].upper() + said[1:]
    return None
