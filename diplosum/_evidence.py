"""Evidence by construction: build the public summary from segment citations, checked locally.

For the segment prompts (:mod:`diplosum._cited`) evidence is never text the model wrote: it
is a segment of the article, ``body[start:end]``, with status ``segment``. Each item is then
checked against its evidence, not just for existence:

- **Actors**: a cited segment must mention the actor (its name, an alias, a demonym, its
  capital or seat of power: :func:`diplosum.normalise.actors_in`). Cited segments that do not
  are replaced by the segments that do; an actor no segment mentions is dropped and reported.
- **Mediators**: one of the actor's segments must show a mediating role (hosts, facilitates,
  brokers, mediates, guarantees, sponsors, convenes, chairs, "under the auspices of",
  "offered to host", ...). Otherwise the actor is not presented as a mediator (reported as
  demoted). A party is never also a mediator, and each actor is listed once.
- **Venue**: a segment must name the city (or, without a city, the country).
- **Date**: the phrase must be in the article (in the cited segment or, failing that, any
  other); it is then resolved by code against the dateline, as before.
- **Positions**: the cited segment must mention the actor or the speaker; a segment that names
  no actor at all ("He added that ...") may lean on the one before it.
- **Parties the model missed**: an actor named in a "talks between A and B" or "delegations
  from A and B" phrase of a segment that shows the talks is a party (and not a mediator).
- **Direction of a weekday**: "on Tuesday" resolves backward when its segment says the talks
  were held (held, met, took place...) and forward when they are to come (will, is to...),
  whatever status the model gave; otherwise the status decides, as before.

When the model gives no ids (:class:`~diplosum._cited.NamedExtraction`), the same checks find
the segments: the first segments that mention the item are its evidence.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from collections.abc import Iterable, Sequence
from typing import Any, NamedTuple

from ._article import Article
from ._cited import CitedPosition, NamedActor, NamedDate, NamedExtraction, NamedVenue
from ._compose import compose_summary
from ._grounding import ArticleIndex
from ._language import detect_language
from ._schema import Actor, DiplomaticSummary, Dropped, Evidence, Position, TalksDate, Venue
from ._segments import Segment, Segments
from .normalise import (
    ActorRef,
    VenueRef,
    acronyms,
    actor_mentions,
    canonical_actor,
    date_phrases,
    direction_for_status,
    resolve_date,
    resolve_venue,
)

__all__ = ["MEDIATING", "build_cited_summary", "mentions"]

#: Words and phrases that show a mediating role in a sentence.
MEDIATING = re.compile(
    r"\b(?:host(?:s|ed|ing)?|mediat\w*|facilitat\w*|broker\w*|(?<!security )guarant\w*|sponsor\w*"
    r"|conven(?:e|es|ed|ing)|chair(?:s|ed|ing)?|auspices|good offices|intermediar\w*"
    r"|go-between|shuttle|relay(?:s|ed|ing)?|convey(?:s|ed|ing)?"
    r"|(?:carr(?:y|ies|ied|ying)|pass(?:es|ed|ing)?|deliver(?:s|ed|ing)?) (?:on )?messages"
    r"|arbitrat\w*|welcom(?:e|es|ed|ing) (?:the )?(?:delegations|talks|sides)"
    r"|(?:bring|brings|bringing|brought) together|run by|lead(?:s|ing)? the (?:talks|negotiations)"
    r"|receiv(?:e|es|ed|ing) (?:the |both )?delegations)\b",
    re.IGNORECASE,
)
#: "invite Brazil, Chile and Mexico to join as guarantor countries": the actors named there are
#: asked to take a role, not (yet) in it.
_INVITED = re.compile(
    r"\b(?:invit(?:e|es|ed|ing)|ask(?:s|ed|ing)?|request(?:s|ed|ing)?|urg(?:e|es|ed|ing)"
    r"|call(?:s|ed|ing)? on)\s+(?P<invited>[^.;:]{2,160}?)\s+to\s+(?:join|become|act|serve"
    r"|participate|consider|take part|be (?:a |the )?(?:guarantor|mediator|host))",
    re.IGNORECASE,
)
#: "talks between A and B", "delegations from A and B", "will convene Kyrgyz and Tajik
#: officials": the actors named there are the sides.
_SIDES = re.compile(
    r"\b(?:between|delegations? (?:from|of)|talks with"
    r"|conven(?:e|es|ed|ing)(?:\s+(?:representatives|delegations?|officials|envoys|negotiators"
    r"|leaders|ministers|delegates)\s+(?:from|of))?"
    r"(?!\s+(?:in|at|on|for|to|from|with|by|under|next|this|later|a|an|the two|both)\b))"
    r"\s+(?P<sides>[^.;:]{3,160}?)"
    r"(?=\s+(?:in|at|on|for|to|over|under|this|next|later|after|before|as|that|which|who)\b"
    r"|\s+(?:and|but)\s+(?:would|will|is|are|was|were|has|have|had|said|says|could|should"
    r"|may|might|must|can|did|does|do|not)\b|[.;:,]|$)",
    re.IGNORECASE,
)
#: "Iran-US talks", "the India–China dialogue": a hyphenated pair of sides.
_PAIR = re.compile(
    r"\b(?P<sides>[A-Z][\w.]*[A-Za-z.][-–][A-Z][\w.]*[A-Za-z])\s+(?:[\"'“”‘’\w-]+\s+){0,3}?"
    r"(?:talks|negotiations|dialogue|summit|meeting|deal|agreement|ceasefire|truce|peace)\b",
)
_PAST = re.compile(
    r"\b(?:held|met|took place|ended|concluded|wrapped up|signed|hosted|convened|chaired"
    r"|gathered|sat down|arrived|issued|reached|discussed|visited|received|welcomed|spoke)\b",
    re.IGNORECASE,
)
_FUTURE = re.compile(
    r"\b(?:will|shall|is to|are to|to be held|is set to|are set to|plans? to|planned"
    r"|scheduled|expected|would|next|upcoming|offered to|ready to|proposed)\b",
    re.IGNORECASE,
)
_TOKEN = re.compile(r"\w+")
_FILLER = frozenset({"on", "the", "of", "in", "at", "by", "and", "a", "an", "for", "from"})
_MAX_EVIDENCE = 3


def _fold(text: str) -> str:
    from .normalise import _fold as fold_text

    return fold_text(text)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_fold(text))


def _contains_words(haystack: str, needle: str) -> bool:
    """Whether every word of ``needle`` (fillers aside) is a word of ``haystack``."""
    words = [w for w in _tokens(needle) if w not in _FILLER]
    have = set(_tokens(haystack))
    return bool(words) and all(w in have for w in words)


_ISO_DATE = re.compile(r"\b\d{4}-\d{2}-\d{2}\b")


def _date_in(text: str, phrase: str) -> bool:
    """Whether the date ``phrase`` is in ``text``: every word of it, except a year the model
    added ("April 21, 2026" for "on April 21")."""
    have = set(_tokens(text))
    words = [w for w in _tokens(phrase) if w not in _FILLER]
    needed = [w for w in words if not (len(w) == 4 and w.isdigit() and w not in have)]
    return (
        bool(needed)
        and any(not w.isdigit() or len(w) < 4 for w in needed)
        and all(w in have for w in needed)
    )


_SAID = re.compile(
    r"\b(?:said|says|told(?:\s+\w+){0,2}|announced|stated|added|reported)\s+"
    r"(?:on\s+|late\s+|early\s+)?$",
    re.IGNORECASE,
)


def _when_said(text: str, phrase: str) -> bool:
    """Whether every occurrence of ``phrase`` in ``text`` dates a statement ("The Kremlin said
    Friday that talks are on pause"), not the talks."""
    bare = re.sub(r"^(?:on|the)\s+", "", phrase.strip(), flags=re.I)
    spots = [m.start() for m in re.finditer(re.escape(bare), text, re.I)]
    return bool(spots) and all(_SAID.search(text[:at]) for at in spots)


def _date_phrase(text: str, phrase: str) -> str | None:
    """The part of the model's date ``phrase`` that ``text`` shows: the phrase itself, or the
    phrase without the ISO date or comma-separated parts the model added ("Monday,
    2026-02-13" for "on Monday": code, not the model, resolves the date)."""
    if _date_in(text, phrase):
        return phrase
    bare = _ISO_DATE.sub(" ", phrase)
    parts = [p.strip(" ,()") for p in re.split(r"[,;()]", bare)]
    kept = [p for p in parts if p and _date_in(text, p)]
    if not kept:
        return None
    return ", ".join(kept)


def _surname(name: str) -> str | None:
    words = [w for w in _tokens(name) if len(w) >= 3]
    return words[-1] if words else None


#: "EU-facilitated", "Qatari-mediated": an actor fused to the word that follows it.
_FUSED = re.compile(r"\b([A-Z][\w.]*?[A-Za-z.])-(?=[a-z])")


@functools.lru_cache(maxsize=512)
def _mentions(text: str) -> tuple[tuple[ActorRef, int, int], ...]:
    """The actor mentions of ``text`` (see :func:`normalise.actor_mentions`), without a shorter
    run inside a longer one that names another actor ("Republic of the Congo" inside
    "Democratic Republic of the Congo"), and with actors fused to a following word by a hyphen
    ("EU-facilitated")."""
    found = [_longer(text, r, a, b) for r, a, b in actor_mentions(text)]
    for m in _FUSED.finditer(text):
        for ref, a, b in actor_mentions(m.group(1)):
            if a == 0 and b == len(m.group(1)):
                found.append((ref, m.start(1), m.end(1)))
    return tuple(
        (r, a, b)
        for r, a, b in found
        if not any(r2 != r and a2 <= a and b <= b2 and (a2, b2) != (a, b) for r2, a2, b2 in found)
    )


_BEFORE = re.compile(r"(?:[A-Z][\w'’.-]*\s+){1,2}$")


def _longer(text: str, ref: ActorRef, start: int, end: int) -> tuple[ActorRef, int, int]:
    """The mention with the capitalised words just before it, when together they name another
    actor (the normaliser reads runs of up to four words: "Democratic Republic of the Congo"
    has five)."""
    before = _BEFORE.search(text[:start])
    if before is None:
        return ref, start, end
    words = before.group(0).split()
    for k in range(len(words), 0, -1):
        at = start - len(" ".join(words[-k:])) - 1
        if at < 0 or text[at:start].split() != words[-k:]:
            continue
        longer = canonical_actor(text[at:end])
        if longer.normalised and longer != ref:
            return longer, at, end
    return ref, start, end


def _mentioned(text: str) -> frozenset[ActorRef]:
    return frozenset(r for r, _, _ in _mentions(text))


#: Descriptors after a name that do not change who it is ("the M23 rebel group").
_DESCRIPTOR = re.compile(
    r"\s+(?:rebel group|rebels|rebel movement|militia|movement|group|government|delegation"
    r"|side|authorities|administration|leadership)$",
    re.IGNORECASE,
)


def _canonical(name: str) -> ActorRef:
    """The canonical actor of a name the model wrote, also when it added a descriptor the
    normaliser does not know ("M23 rebel group" is M23)."""
    ref = canonical_actor(name)
    if ref.normalised:
        return ref
    bare = re.sub(r"^the\s+", "", _DESCRIPTOR.sub("", name.strip()), flags=re.IGNORECASE)
    if bare and bare != name.strip():
        stripped = canonical_actor(bare)
        if stripped.normalised:
            return stripped
    return ref


#: A stance this long found in the article was copied from it (shorter ones match by chance).
_COPIED_CHARS = 24


#: A person's name as the model writes it: two to four capitalised words.
_PERSON = re.compile(r"[A-Z][\w'’.-]+(?:\s+(?:bin|al|de|van|von|[A-Z][\w'’.-]+)){1,3}")

#: Between a state and the name it qualifies, only a title: "US Special Envoy to the Middle
#: East Steve Witkoff", "Iranian Foreign Minister Seyed Abbas Araghchi".
_TITLE = re.compile(r"\s*(?:(?:[A-Z][\w'’.-]*|to|the|of|for|and|on|-)\s+){1,8}")


def _affiliation(body: str, written: str) -> ActorRef | None:
    """The state or organisation a person speaks for, read from the article's own title for
    them ("US Special Envoy ... Steve Witkoff" is the United States); None when no mention of
    the person carries one, or two mentions carry different ones."""
    if not _PERSON.fullmatch(written.strip()):
        return None
    names = {written.strip(), written.split()[-1]}
    found: set[ActorRef] = set()
    for name in names:
        for at in (m.start() for m in re.finditer(rf"\b{re.escape(name)}\b", body)):
            window = body[max(0, at - 80) : at]
            titled = [
                (end, ref)
                for ref, _, end in actor_mentions(window)
                if ref.kind in _SIDE_KINDS and _TITLE.fullmatch(window[end:])
            ]
            if titled:  # the nearest: "Kosovo. US Special Envoy Jane Roe" is the US's
                found.add(max(titled, key=lambda t: t[0])[1])
    return next(iter(found)) if len(found) == 1 else None


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


class _Index:
    """The segments of one article with the actors each mentions (computed once each)."""

    def __init__(self, segments: Segments) -> None:
        self.segments = segments
        self._actors: dict[int, frozenset[ActorRef]] = {}
        self._located: ArticleIndex | None = None
        self._affiliations: dict[str, ActorRef | None] = {}
        self._defined: dict[str, str] | None = None

    @property
    def defined(self) -> dict[str, str]:
        """The acronyms the article defines, by folded long name ("movement of democratic
        forces of casamance": "MFDC"; see :func:`normalise.acronyms`)."""
        if self._defined is None:
            self._defined = {
                _fold(long): short for long, short in acronyms(self.segments.body).items()
            }
        return self._defined

    def groups(self, segment: Segment) -> list[ActorRef]:
        """The groups ``segment`` names: armed groups the tables know, and the acronyms the
        article defines ("An AGovC spokesman said")."""
        found = [r for r in self.actors(segment) if r.kind == "armed_group"]
        for short in dict.fromkeys(self.defined.values()):
            if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", segment.text):
                ref = self.canonical(short)
                if ref not in found and ref.kind != "state":
                    found.append(ref)
        return found

    def canonical(self, name: str) -> ActorRef:
        """The actor of a name the model wrote, read with the acronyms the article defines: a
        long name it gives an acronym goes by the acronym ("Movement of Democratic Forces of
        Casamance" is MFDC), and an acronym it defines for a group is that group, not the
        state whose ISO code it spells ("Barisan Revolusi Nasional (BRN)": BRN, not Brunei)."""
        ref = _canonical(name)
        written = re.sub(r"^the\s+", "", name.strip(), flags=re.IGNORECASE)
        short = self.defined.get(_fold(written))
        if short is not None and not ref.normalised:
            known = _canonical(short)
            return (
                known
                if known.normalised and known.kind != "state"
                else ActorRef(short, "other", None, False)
            )
        if ref.kind == "state" and written in self.defined.values():
            long = next(k for k, v in self.defined.items() if v == written)
            meant = _canonical(long)
            if meant != ref:
                return meant if meant.normalised else ActorRef(written, "other", None, False)
        return ref

    def affiliation(self, written: str) -> ActorRef | None:
        """The side the person ``written`` speaks for in this article (see _affiliation)."""
        if written not in self._affiliations:
            self._affiliations[written] = _affiliation(self.segments.body, written)
        return self._affiliations[written]

    def actors(self, segment: Segment) -> frozenset[ActorRef]:
        if segment.id not in self._actors:
            self._actors[segment.id] = _mentioned(segment.text)
        return self._actors[segment.id]

    def mentions(self, segment: Segment, ref: ActorRef, written: str) -> bool:
        """Whether ``segment`` mentions the actor ``ref`` (written ``written`` by the model)."""
        if ref.normalised and ref in self.actors(segment):
            return True
        if _contains_words(segment.text, written) or _contains_words(segment.text, ref.name):
            return True
        if ref.kind == "person" or not ref.normalised:
            surname = _surname(written)
            return surname is not None and surname in _tokens(segment.text)
        return False

    def holding(self, text: str) -> Segment | None:
        """The segment where ``text`` begins when it is copied from the article, else None."""
        if len(text.strip()) < _COPIED_CHARS:
            return None
        if self._located is None:
            self._located = ArticleIndex(self.segments.body)
        span = self._located.locate(text)
        if span is None:
            return None
        return next((s for s in self.segments if s.start <= span.start < s.end), None)

    def find(self, ref: ActorRef, written: str, cited: Iterable[int] = ()) -> list[Segment]:
        """The segments that mention the actor: cited ones first, then the rest in order."""
        cited_segments = [s for i in dict.fromkeys(cited) if (s := self.segments.get(i))]
        rest = [s for s in self.segments if s not in cited_segments]
        return [s for s in cited_segments + rest if self.mentions(s, ref, written)]


def mentions(segments: Segments, name: str) -> list[int]:
    """The ids of the segments that mention the actor ``name`` (for tests and tools)."""
    ref = canonical_actor(name)
    return [s.id for s in _Index(segments).find(ref, name)]


def _evidence(segment: Segment) -> Evidence:
    return Evidence(
        quote=segment.text,
        start=segment.start,
        end=segment.end,
        status="segment",
        segment=segment.id,
    )


def _key(ref: ActorRef) -> str:
    return ref.iso3 or ref.name.casefold()


class _Demoted(NamedTuple):
    """A mediator the check demoted: kept aside in case the talks lack their second side."""

    ref: ActorRef
    written: str
    found: list[Segment]
    note: Dropped


def _actors(
    items: Sequence[NamedActor],
    index: _Index,
    dropped: list[Dropped],
    venue: NamedVenue | None = None,
) -> tuple[list[Actor], list[Actor], list[_Demoted]]:
    """(mediators, parties, demoted): each actor once, evidenced, its role checked."""
    demoted: list[_Demoted] = []
    parties: dict[str, Actor] = {}
    mediators: dict[str, tuple[Actor, str]] = {}
    places = {_fold(p) for p in (venue.city, venue.country) if p} if venue else set()
    for item in items:
        if item.role == "other":
            continue
        ref = index.canonical(item.name)
        if not ref.normalised and _fold(item.name) in places:
            field = "parties" if item.role == "party" else "mediators"
            reason = "the place where the talks are held, not an actor"
            dropped.append(Dropped(field=field, item=item.name, reason=reason))
            continue
        found = index.find(ref, item.name, getattr(item, "segments", ()))
        field = "parties" if item.role == "party" else "mediators"
        if not found:
            reason = "no segment of the article mentions it"
            dropped.append(Dropped(field=field, item=item.name, reason=reason))
            continue
        if item.role == "mediator":
            roles = [s for s in found if _mediating(s, ref, item.name)]
            if not roles:
                reason = (
                    "demoted: none of its segments shows a mediating role (hosts, mediates, "
                    f"facilitates, brokers, guarantees...): segment {found[0].id}"
                )
                note = Dropped(field="mediators", item=item.name, reason=reason)
                dropped.append(note)
                demoted.append(_Demoted(ref, item.name, found, note))
                continue
            found = roles + [s for s in found if s not in roles]
        target = parties if item.role == "party" else None
        key = _key(ref)
        if target is None:
            if key in mediators:
                _extend(mediators[key][0], found)
                continue
            mediators[key] = (_actor(ref, item.name, found), item.name)
        elif key in parties:
            _extend(parties[key], found)
        else:
            parties[key] = _actor(ref, item.name, found)
    for key, (_, written) in list(mediators.items()):
        if key in parties:
            reason = "demoted: also named as a party (a mediator is a third party)"
            dropped.append(Dropped(field="mediators", item=written, reason=reason))
            del mediators[key]
    return [a for a, _ in mediators.values()], list(parties.values()), demoted


def _third_parties(
    mediators: list[Actor], parties: list[Actor], index: _Index, dropped: list[Dropped]
) -> tuple[list[Actor], list[Actor]]:
    """A 'party' whose own segment shows it mediating talks between two other actors
    ("Türkiye has intensified its efforts to facilitate direct talks between Russia and
    Ukraine") is the mediator."""
    for party in list(parties):
        ref, key = _ref(party), _key(_ref(party))
        for evidence in party.evidence:
            segment = index.segments.get(evidence.segment) if evidence.segment else None
            if segment is None:
                continue
            sides = {_key(r) for r, _, _ in _sides([segment], index)}
            if key in sides or len(sides) < 2 or not _mediating(segment, ref, party.mention):
                continue
            parties.remove(party)
            mediators.append(party)
            reason = (
                f"moved to mediators: segment {segment.id} shows it mediating between two "
                "other sides"
            )
            dropped.append(Dropped(field="parties", item=party.mention, reason=reason))
            break
    return mediators, parties


_SIDE_KINDS = frozenset({"state", "organisation", "armed_group"})


def _second_side(
    mediators: list[Actor],
    parties: list[Actor],
    demoted: list[_Demoted],
    dropped: list[Dropped],
    index: _Index,
) -> list[Actor]:
    """Talks have two sides: with fewer than two parties, a demoted 'mediator' (the model's
    usual label for the other side of bilateral talks, "Mitsotakis meets Erdoğan in Ankara")
    is that side."""
    have = {_key(_ref(a)) for a in mediators + parties}
    defined = set(index.defined.values())
    for item in demoted:
        # Only a known state, organisation or armed group, or a group the article gives an
        # acronym, counts as a side: a name the tables do not know is usually a person ("India
        # and Ajit Doval" lack the second side).
        if sum(1 for p in parties if p.kind in _SIDE_KINDS or p.name in defined) >= 2:
            break
        key = _key(item.ref)
        if key in have or any(_observing(s, item.ref, item.written) for s in item.found):
            continue  # an observer is no side either
        parties.append(_actor(item.ref, item.written, item.found))
        have.add(key)
        at = next(i for i, d in enumerate(dropped) if d is item.note)
        reason = (
            "moved to parties: no segment shows a mediating role, and the talks lack a second side"
        )
        dropped[at] = Dropped(field="mediators", item=item.written, reason=reason)
    return parties


#: Words a proper name carries in lower case ("National Democratic Front of the Philippines").
_NAME_SMALL_WORDS = frozenset(
    ["of", "the", "for", "and", "in", "on", "de", "du", "des", "la", "le", "el", "al", "y", "da"]
)


def _a_description(name: str) -> bool:
    """Whether the model wrote a description rather than a name: a lower-case word that is not
    one of a name's small words ("Anglophone separatists", "Tuareg-led rebel alliance in the
    north", "the armed opposition"; not "New People's Army")."""
    words = re.findall(r"[\w'’]+", name)
    return any(w[:1].islower() and w.casefold() not in _NAME_SMALL_WORDS for w in words)


def _described(
    mediators: list[Actor], parties: list[Actor], index: _Index, dropped: list[Dropped]
) -> list[Actor]:
    """A party the model named by a description is the group its segments name: "Anglophone
    separatists", cited to "An AGovC spokesman said the separatists wanted ...", is AGovC
    (already a party: the description is dropped; not yet one: it takes the description's
    place). A description whose segments name no group, or two, is kept as written."""
    have = {_key(_ref(a)) for a in mediators + parties}
    out: list[Actor] = []
    for party in parties:
        if party.normalised or not _a_description(party.mention):
            out.append(party)
            continue
        segments = [s for e in party.evidence if (s := index.segments.get(e.segment or 0))]
        groups = list(dict.fromkeys(r for s in segments for r in index.groups(s)))
        if len(groups) != 1:
            out.append(party)
            continue
        group = groups[0]
        if _key(group) in have:
            reason = f"a description of {group.name}, already listed"
        else:
            reason = f"replaced by {group.name}, the group its segment names"
            out.append(
                _actor(group, group.name, index.find(group, group.name, [s.id for s in segments]))
            )
            have.add(_key(group))
        dropped.append(Dropped(field="parties", item=party.mention, reason=reason))
    return out


def _actor(ref: ActorRef, written: str, found: list[Segment]) -> Actor:
    return Actor(
        name=ref.name,
        mention=written,
        kind=ref.kind,
        iso3=ref.iso3,
        normalised=ref.normalised,
        evidence=[_evidence(s) for s in found[:_MAX_EVIDENCE]],
    )


def _extend(actor: Actor, found: list[Segment]) -> None:
    have = {e.segment for e in actor.evidence}
    extra = [_evidence(s) for s in found if s.id not in have]
    actor.evidence.extend(extra[: max(0, _MAX_EVIDENCE - len(actor.evidence))])


def _ordered(segments: Segments, cited: int | None) -> list[Segment]:
    first = segments.get(cited) if cited is not None else None
    return ([first] if first else []) + [s for s in segments if s is not first]


def _site_city(text: str, written: str) -> VenueRef | None:
    """A site the gazetteer does not know, written before its city in ``text`` ("in Waraira
    Repano, Caracas"): the venue is that city, with the site."""
    at = _fold(text).find(_fold(written))
    if at < 0:
        return None
    after = re.match(r",\s+((?:[A-Z][\w'’-]+\s?){1,3})", text[at + len(written) :])
    if after is None:
        return None
    ref = resolve_venue(f"{written}, {after.group(1).strip()}", None)
    return ref if ref.normalised and ref.city else None


#: Just before a name used as a place, not an actor: "talks in Qatar", "convene the two
#: delegations in Djibouti".
_AS_PLACE = r"\b(?:in|at|to|inside|within)\s+(?:the\s+)?"
_PLACE_BEFORE = re.compile(_AS_PLACE + "$", re.IGNORECASE)


def _as_place(text: str, name: str) -> bool:
    """Whether ``text`` names the country ``name`` as a place ("talks in Qatar"), not only as
    an actor ("Russia has continued its war")."""
    words = r"\s+".join(re.escape(w) for w in name.split())
    return bool(re.search(rf"{_AS_PLACE}{words}\b", text, re.I))


#: A segment about an earlier meeting: "The previous round ... ended", "last met in 2024".
_EARLIER_MEETING = re.compile(
    r"\b(?:(?:earlier|previous|last|past|prior|preceding)\s+(?:rounds?|sessions?|talks"
    r"|meetings?)|last\s+(?:met|talked|convened|gathered))\b",
    re.IGNORECASE,
)
#: A city named as an earlier meeting's place: "The previous round, held in Brussels in March",
#: "hosted the last round in Banjul", "last met ... in Kingstown in 2024".
_EARLIER_BEFORE = re.compile(
    r"\b(?:(?:earlier|previous|last|past|prior|preceding)\s+(?:rounds?|sessions?|talks|meetings?"
    r"|summits?)|last\s+(?:met|talked|convened|gathered))\b[^.;]{0,60}?\b(?:in|at)\s+(?:the\s+)?$",
    re.IGNORECASE,
)
_EARLIER_AFTER = re.compile(
    r"^[^.;]{0,12}?\b(?:in|during)\s+(?:(?:early|late|mid-?)\s*)?(?:[A-Z][a-z]+\s+)?"
    r"(?P<year>(?:19|20)\d\d)\b|^\s+last\s+(?:year|month|week|spring|summer|autumn|winter)\b"
)


def _earlier_after(after: str, published: dt.date | None) -> bool:
    """ "Banjul in 2024", "Geneva last year": a place followed by a time before the article's
    year (not "Oslo in January 2027")."""
    m = _EARLIER_AFTER.match(after)
    if m is None:
        return False
    return not m["year"] or (published is not None and int(m["year"]) < published.year)


def _named_as_venue(segment: Segment, names: Sequence[str], published: dt.date | None) -> bool:
    """Whether ``segment`` can show the talks' venue: a mention of the name that is neither the
    dateline ("PRISTINA", a name in capitals) nor an earlier meeting's place."""
    for name in names:
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", segment.text, re.IGNORECASE):
            written = m.group(0)
            if written.isupper() and not name.isupper():
                continue  # the dateline
            before, after = segment.text[: m.start()], segment.text[m.end() :]
            if _EARLIER_BEFORE.search(before) or _earlier_after(after, published):
                continue
            return True
    return False


def _venue(
    item: NamedVenue, segments: Segments, dropped: list[Dropped], published: dt.date | None = None
) -> Venue | None:
    if not (item.city or item.country):
        return None  # {"city": null, "country": null}: the article does not say
    ref = resolve_venue(item.city, item.country)
    if item.city and item.country and not ref.normalised:
        # The gazetteer knows the city in another country: the model's country is the slip
        # ("Caracas", "Colombia" for talks between Colombia and the ELN in Caracas).
        alone = resolve_venue(item.city, None)
        ref = alone if alone.normalised and alone.city else ref
    names = [n for n in (item.city, ref.city, ref.site) if n] or [n for n in (item.country,) if n]
    country_only = not (item.city or ref.city or ref.site)
    earlier = False
    for segment in _ordered(segments, getattr(item, "segment", None)):
        if not any(_contains_words(segment.text, name) for name in names):
            continue
        if not _named_as_venue(segment, names, published):
            earlier = True
            continue
        if country_only and not any(
            _as_place(segment.text, n) for n in {item.country or "", ref.country or ""} if n
        ):
            continue
        found = ref
        if item.city and not ref.normalised:
            found = _site_city(segment.text, item.city) or ref
        return Venue(
            city=found.city,
            country=found.country,
            iso3=found.iso3,
            site=found.site,
            normalised=found.normalised,
            evidence=_evidence(segment),
        )
    written = item.city or item.country or ""
    reason = (
        "only the dateline or an earlier meeting names this place"
        if earlier
        else "no segment names this venue"
    )
    dropped.append(Dropped(field="venue", item=written, reason=reason))
    return None


def _about_talks(
    segment: Segment, index: _Index, parties: list[Actor], venue: Venue | None
) -> bool:
    """Whether ``segment`` is about these talks: it names the talks, a party or the venue (not
    "Erdoğan received NATO's Rutte on May 13 in Ankara")."""
    if _THE_TALKS.search(segment.text):
        return True
    if venue is not None and venue.city and _contains_words(segment.text, venue.city):
        return True
    return any(index.mentions(segment, _ref(p), p.mention) for p in parties)


def _talks_date(segment: Segment, text: str, article: Article, status: str) -> TalksDate:
    direction: Any = _direction(segment, status)
    resolved = resolve_date(text, article.published, direction=direction)
    return TalksDate(
        date=resolved.date if resolved else None,
        end=resolved.end if resolved else None,
        precision=resolved.precision if resolved else None,
        text=text,
        evidence=_evidence(segment),
    )


def _date(
    item: NamedDate,
    index: _Index,
    article: Article,
    status: str,
    parties: list[Actor],
    venue: Venue | None,
) -> TalksDate | str:
    """The talks' date from the model's phrase, or why it is refused."""
    written = item.text or ""
    said = elsewhere = earlier = False
    for segment in _ordered(index.segments, getattr(item, "segment", None)):
        text = _date_phrase(segment.text, written)
        if text is None:
            continue
        if _when_said(segment.text, text):
            said = True
        elif _EARLIER_MEETING.search(segment.text) and not _FUTURE.search(segment.text):
            earlier = True
        elif not _about_talks(segment, index, parties, venue):
            elsewhere = True
        else:
            return _talks_date(segment, text, article, status)
    if said:
        return "the date phrase dates a statement ('said Friday'), not the talks"
    if earlier:
        return "the date phrase dates an earlier meeting ('the previous round, held in March')"
    if elsewhere:
        return "the date phrase's segment names neither the talks, a party nor the venue"
    return "the date phrase is in no segment of the article"


def _venue_date(
    index: _Index, article: Article, status: str, parties: list[Actor], venue: Venue | None
) -> TalksDate | None:
    """A day named where the article places the talks: the first segment (the venue's own
    first) that names the venue's city and the talks or a party, and a date phrase in it that
    does not date a statement ("met in Ankara on Wednesday"; not "the Kremlin said Friday")."""
    if venue is None or not venue.city:
        return None
    for segment in _ordered(index.segments, venue.evidence.segment):
        if not _contains_words(segment.text, venue.city):
            continue
        if not _about_talks(segment, index, parties, None):
            continue
        for phrase, start, _ in date_phrases(segment.text):
            if _SAID.search(segment.text[:start]):
                continue
            found = _talks_date(segment, phrase, article, status)
            if found.date is not None:
                return found
    return None


def _dated(
    extraction: NamedExtraction,
    index: _Index,
    article: Article,
    parties: list[Actor],
    venue: Venue | None,
    dropped: list[Dropped],
) -> TalksDate | None:
    """The talks' date: the model's phrase where its segment bears it out and it names a day;
    otherwise the day the venue's segment gives (reported as a replacement)."""
    item, status = extraction.talks_date, extraction.talks_status
    written = (item.text or "").strip() if item is not None else ""
    found: TalksDate | str | None = None
    if item is not None and written:
        found = _date(item, index, article, status, parties, venue)
    if isinstance(found, TalksDate) and found.date is not None:
        return found
    rescued = _venue_date(index, article, status, parties, venue)
    if rescued is not None and written:
        why = found if isinstance(found, str) else "the phrase names no day"
        reason = f"replaced: {why}; segment {rescued.evidence.segment} dates the talks"
        dropped.append(Dropped(field="proposed_date", item=written, reason=reason))
    elif isinstance(found, str):
        dropped.append(Dropped(field="proposed_date", item=written, reason=found))
    return rescued or (found if isinstance(found, TalksDate) else None)


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


#: How far (in characters) a mediating word may stand from the actor's mention.
_ROLE_WINDOW = 100


#: A mention this much farther from a mediating word than the nearest one still shares it
#: ("Egyptian and Qatari mediators", "Saudi Arabia and the United States act as guarantors").
_ROLE_SLACK = 32


def _side_spans(text: str) -> list[tuple[int, int]]:
    """Where ``text`` names the sides of talks ("between A and B"); not "talks with Egyptian
    mediators", whose actors are the third party."""
    spans = [
        (m.start("sides"), m.end("sides"))
        for m in _SIDES.finditer(text)
        if not MEDIATING.search(m.group("sides"))
    ]
    return spans + [
        (m.start("sides"), m.end("sides"))
        for m in _PAIR.finditer(text)
        if not canonical_actor(m.group("sides")).normalised  # "Guinea-Bissau" is one state
    ]


def _place_named(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` names a place the gazetteer knows, used as where something
    happens ("in Djibouti"; not "in the EU-facilitated dialogue" nor "in Qatari mediation")."""
    if not _PLACE_BEFORE.search(text[:start]) or text[end : end + 1] == "-":
        return False
    return resolve_venue(text[start:end], None).normalised


#: "will attend as an observer", "Sweden as observer", "with observer status".
_OBSERVER = re.compile(
    r"\b(?:as\s+(?:an?\s+)?(?P<one>observer)|as\s+(?P<many>observers)"
    r"|(?:with|has|have|given|granted)\s+observer status)\b",
    re.IGNORECASE,
)
#: Where the subject of an observer phrase starts: after a clause break, "and" or "said".
_CLAUSE_BREAK = re.compile(
    r"[;:]|\b(?:and|while|but|whereas|said|says|told|added|announced|that)\b", re.IGNORECASE
)


def _observing(segment: Segment, ref: ActorRef, written: str) -> bool:
    """Whether ``segment`` names ``ref`` an observer of the talks: the subject of "will attend
    as an observer" (its clause's first actor; "with Norway as guarantor and Sweden as observer"
    makes Sweden one, not Norway), or any actor of the clause before "as observers". The
    clause's mediating words before it ("The Gambia, which hosted an earlier round, will attend
    as an observer") are then about something else."""
    text = segment.text
    for cue in _OBSERVER.finditer(text):
        head = text[: cue.start()]
        breaks = [m.end() for m in _CLAUSE_BREAK.finditer(head)]
        start = breaks[-1] if breaks and not cue["many"] else 0
        clause = [(r, a) for r, a, _ in _mentions(text) if start <= a < cue.start()]
        if not clause:
            at = _fold(head).find(_fold(written), start) if written else -1
            if at >= 0:
                clause = [(ref, at)]
        if cue["many"]:
            if any(r == ref for r, _ in clause):
                return True
        elif clause and min(clause, key=lambda m: m[1])[0] == ref:
            return True
    return False


def _mediating(segment: Segment, ref: ActorRef, written: str, window: int = _ROLE_WINDOW) -> bool:
    """Whether ``segment`` shows ``ref`` in a mediating role: a mediating word close to one of
    its mentions, and not much closer to another actor's ("Qatar has offered to host", "under
    the auspices of the United Nations"; not NATO in "NATO ministers met in Antalya while
    Türkiye hosted the talks"). The sides of "talks between A and B" are not candidates, nor
    the actors invited to take a role ("invite Brazil to join as guarantor"), nor a place named
    as where the talks are ("in Djibouti"), nor an observer ("will attend as an observer")."""
    if _observing(segment, ref, written):
        return False
    sides = _side_spans(segment.text) + [
        (m.start("invited"), m.end("invited")) for m in _INVITED.finditer(segment.text)
    ]
    mentions = [
        (r, a, b)
        for r, a, b in _mentions(segment.text)
        if not any(s0 <= a < s1 for s0, s1 in sides) and not _place_named(segment.text, a, b)
    ]
    if not any(r == ref for r, _, _ in mentions):
        low, name = _fold(segment.text), _fold(written)
        at = low.find(name) if name else -1
        if (
            at < 0
            or any(s0 <= at < s1 for s0, s1 in sides)
            or _place_named(low, at, at + len(name))
        ):
            return False
        mentions.append((ref, at, at + len(name)))
    for cue in MEDIATING.finditer(segment.text):
        by = re.match(r"\s+by\s+", segment.text[cue.end() :])
        if by:  # "to be hosted by Türkiye": the role is the agent's alone
            agent = cue.end() + by.end()
            return any(r == ref and a == agent for r, a, _ in mentions) or (
                _fold(segment.text[agent:]).startswith(_fold(written))
            )
        gaps: dict[ActorRef, int] = {}
        for r, a, b in mentions:
            gap = max(cue.start() - b, a - cue.end(), 0)
            gaps[r] = min(gap, gaps.get(r, gap))
        mine = gaps.get(ref)
        if mine is not None and mine <= window and mine <= min(gaps.values()) + _ROLE_SLACK:
            return True
    return False


def _says(index: _Index, segment: Segment, holder: ActorRef, item: CitedPosition) -> bool:
    if index.mentions(segment, holder, item.actor):
        return True
    return bool(item.speaker) and index.mentions(
        segment, canonical_actor(item.speaker or ""), item.speaker or ""
    )


#: A segment about talks: "talks", "will convene delegations", "to discuss".
_TALKS_WORD = re.compile(
    r"\b(?:talks|negotiations|dialogue|meeting|summit|round|discuss(?:es|ed|ing)?"
    r"|conven(?:e|es|ed|ing)|delegations)\b",
    re.IGNORECASE,
)


def _sides(
    segments: Iterable[Segment], index: _Index | None = None
) -> list[tuple[ActorRef, str, Segment]]:
    """The actors named as the sides of talks ("between A and B") in ``segments``; with
    ``index``, also the groups the article gives an acronym ("and the Ambazonia Governing
    Council (AGovC)")."""
    found: list[tuple[ActorRef, str, Segment]] = []
    for segment in segments:
        if not _TALKS_WORD.search(segment.text):
            continue
        for start, end in _side_spans(segment.text):
            span = segment.text[start:end]
            refs = set(_mentioned(span))
            if index is not None:
                refs |= {
                    index.canonical(short)
                    for short in set(index.defined.values())
                    if re.search(rf"(?<![\w-]){re.escape(short)}(?![\w-])", span)
                }
            for ref in sorted(refs, key=lambda r: r.name):
                found.append((ref, ref.name, segment))
    return found


#: A sentence about the talks themselves, or their sides, without naming a party.
_THE_TALKS = re.compile(
    r"\b(?:talks|negotiations|dialogue|discussions|delegations|peace|ceasefire|truce|deal"
    r"|agreement|accord|process|round"
    r"|both sides|two sides|the parties|both parties"
    r"|the two (?:countries|nations|sides|delegations|leaders))\b",
    re.IGNORECASE,
)


#: A sentence that goes on from the one before: "They announced ...", "The two sides ...".
_GOES_ON = re.compile(r"(?:They|He|She|It|Both|The two|The delegations|The sides)\b")


def _in_these_talks(segment: Segment, index: _Index, parties: list[Actor]) -> bool:
    """Whether ``segment`` names the talks or a party, or goes on from one that does."""
    for _ in range(3):
        if _THE_TALKS.search(segment.text) or any(
            index.mentions(segment, _ref(p), p.mention) for p in parties
        ):
            return True
        before = index.segments.get(segment.id - 1)
        if before is None or not _GOES_ON.match(segment.text):
            return False
        segment = before
    return False


def _between_parties(
    mediators: list[Actor],
    parties: list[Actor],
    demoted: list[_Demoted],
    index: _Index,
    dropped: list[Dropped],
) -> list[Actor]:
    """A mediator mediates *these* talks: a segment that shows its role must also name a party
    or the talks themselves (not NATO chairing its own ministers' meeting)."""
    kept: list[Actor] = []
    for mediator in mediators:
        ref = _ref(mediator)
        segments = [s for e in mediator.evidence if (s := index.segments.get(e.segment or 0))]
        roles = [s for s in segments if _mediating(s, ref, mediator.mention)]
        if not roles or any(_in_these_talks(s, index, parties) for s in roles):
            kept.append(mediator)
            continue
        reason = (
            f"demoted: its role in segment {roles[0].id} is not in these talks (the segment "
            "names neither a party nor the talks)"
        )
        note = Dropped(field="mediators", item=mediator.mention, reason=reason)
        dropped.append(note)
        demoted.append(_Demoted(ref, mediator.mention, segments, note))
    return kept


#: A mediator the model did not list is taken only from a mediating word this close to it.
_RESCUE_WINDOW = 30


def _rescue_mediators(
    extraction: NamedExtraction,
    index: _Index,
    mediators: list[Actor],
    parties: list[Actor],
    demoted: list[_Demoted],
) -> list[Actor]:
    """Mediators the model left out but the talks' own segments show in the role ("Norway and
    Cuba have acted as guarantors", "with the African Union acting as co-mediator"): the
    segments cited for the parties, mediators, venue or date, read by the same role check;
    every segment when the model named mediators and none of them held. An actor listed with
    one in the role shares it ("Cuba, Venezuela, and the Kingdom of Norway as guarantors")."""
    cited = {e.segment for a in mediators + parties for e in a.evidence}
    cited |= {
        getattr(extraction.venue, "segment", None),
        getattr(extraction.talks_date, "segment", None),
    }
    everywhere = bool(demoted) and not mediators
    have = {_key(_ref(a)) for a in mediators + parties}
    for segment in index.segments:
        if segment.id not in cited and not everywhere:
            continue
        found = [
            (ref, start, end)
            for ref, start, end in _mentions(segment.text)
            if _key(ref) not in have and ref.kind != "person"
        ]
        roles = [
            _mediating(segment, ref, segment.text[a:b], window=_RESCUE_WINDOW)
            for ref, a, b in found
        ]
        for i in range(len(found) - 2, -1, -1):  # a list shares its last member's role
            if roles[i + 1] and not roles[i]:
                roles[i] = bool(_LISTED.fullmatch(segment.text[found[i][2] : found[i + 1][1]]))
        for (ref, start, end), role in zip(found, roles, strict=True):
            key = _key(ref)
            if role and key not in have:
                written = segment.text[start:end]
                mediators.append(_actor(ref, written, index.find(ref, written, [segment.id])))
                have.add(key)
    return mediators


#: Between two members of a list: "Cuba, Venezuela, and the Kingdom of Norway".
_LISTED = re.compile(r"\s*(?:,\s*|,?\s+(?:and|or)\s+)(?:the\s+)?(?:[A-Z]\w+\s+of\s+)?")


def _add_sides(
    segments: Segments,
    index: _Index,
    mediators: list[Actor],
    parties: list[Actor],
    dropped: list[Dropped],
) -> tuple[list[Actor], list[Actor]]:
    """Parties the model missed or called mediators, from "talks between A and B" phrases in
    the segments that already evidence the talks' actors."""
    cited = {e.segment for a in mediators + parties for e in a.evidence}
    shown = [s for s in segments if s.id in cited]
    have = {_key(_ref(a)) for a in parties}
    for ref, written, segment in _sides(shown, index):
        key = _key(ref)
        if key in have:
            continue
        for m in [m for m in mediators if _key(_ref(m)) == key]:
            mediators.remove(m)
            reason = f"moved to parties: segment {segment.id} names it as a side of the talks"
            dropped.append(Dropped(field="mediators", item=m.mention, reason=reason))
        parties.append(_actor(ref, written, index.find(ref, written, [segment.id])))
        have.add(key)
    return mediators, parties


def _ref(actor: Actor) -> ActorRef:
    return ActorRef(actor.name, actor.kind, actor.iso3, actor.normalised)


def _direction(segment: Segment, status: str) -> str:
    """Past or future, from the tense of the sentence holding the date; else from status."""
    past, future = bool(_PAST.search(segment.text)), bool(_FUTURE.search(segment.text))
    if past != future:
        return "backward" if past else "forward"
    return direction_for_status(status)


def build_cited_summary(
    article: Article, extraction: NamedExtraction, segments: Segments | None = None
) -> tuple[DiplomaticSummary, list[Dropped]]:
    """The public summary of ``article`` from a segment extraction, and what was left out."""
    segments = segments or Segments(article.text)
    index = _Index(segments)
    dropped: list[Dropped] = []
    mediators, parties, demoted = _actors(extraction.actors, index, dropped, extraction.venue)
    mediators, parties = _third_parties(mediators, parties, index, dropped)
    mediators, parties = _add_sides(segments, index, mediators, parties, dropped)
    mediators = _rescue_mediators(extraction, index, mediators, parties, demoted)
    mediators = _between_parties(mediators, parties, demoted, index, dropped)
    parties = _described(mediators, parties, index, dropped)
    parties = _second_side(mediators, parties, demoted, dropped, index)
    venue = (
        _venue(extraction.venue, segments, dropped, article.published) if extraction.venue else None
    )
    talks_date = _dated(extraction, index, article, parties, venue, dropped)
    written = extraction.summary or compose_summary(
        parties=parties,
        mediators=mediators,
        status=extraction.talks_status,
        venue=venue,
        date=talks_date,
    )
    summary = DiplomaticSummary(
        headline=article.headline,
        published=article.published,
        language=detect_language(article.text) or extraction.language,
        summary=written,
        talks_status=extraction.talks_status,
        mediators=mediators,
        parties=parties,
        venue=venue,
        proposed_date=talks_date,
        positions=_positions(extraction.positions, index, dropped),
    )
    return summary, dropped
