"""The mediators and parties: each actor once, evidenced, its role checked against the article."""

from __future__ import annotations

import itertools
import re
from collections.abc import Mapping, Sequence, Set
from typing import NamedTuple

from .._cited import NamedActor, NamedExtraction, NamedVenue
from .._schema import Actor, Dropped
from .._segments import Segment, Segments
from ..normalise import (
    ActorRef,
)
from ._index import (
    _COUNTS,
    _MAX_EVIDENCE,
    _SIDE_KINDS,
    _a_description,
    _evidence,
    _fold,
    _Index,
    _key,
    _mentions,
    _ref,
)
from ._roles import (
    _NAMES_AN_OBSERVER_BODY,
    MEDIATING,
    _a_dated_past_role,
    _about_an_earlier_meeting,
    _disclaimed,
    _in_these_talks,
    _mediating,
    _observing,
    _sides,
    _takes_up_a_role,
    _withdrawn,
)


class _Demoted(NamedTuple):
    """A mediator the check demoted: kept aside in case the talks lack their second side."""

    ref: ActorRef
    written: str
    found: list[Segment]
    note: Dropped
    withdrawn: bool = False  # it gave up the role: no side of the talks either


def _actors(
    items: Sequence[NamedActor],
    index: _Index,
    dropped: list[Dropped],
    venue: NamedVenue | None = None,
    speakers: Mapping[str, str] | None = None,
) -> tuple[list[Actor], list[Actor], list[_Demoted]]:
    """(mediators, parties, demoted): each actor once, evidenced, its role checked.

    ``speakers`` maps a position's speaker (folded) to the actor the model says they speak for:
    a person the model also listed as an actor is that actor ("Dut Akech Malith", the speaker
    of South Sudan's position, is South Sudan)."""
    demoted: list[_Demoted] = []
    parties: dict[str, Actor] = {}
    mediators: dict[str, tuple[Actor, str]] = {}
    places = {_fold(p) for p in (venue.city, venue.country) if p} if venue else set()
    listed = {_fold(i.name) for i in items if i.role != "other"}
    for item in items:
        if item.role == "other":
            continue
        ref = index.canonical(item.name)
        if not ref.normalised and (side := index.affiliation(item.name)) is not None:
            ref = side  # a person the article titles: "Special Envoy ..., Jane Roe" is the UN
        if not ref.normalised and (
            (side := _spoken_for(item.name, speakers, index, listed)) is not None
        ):
            ref = side  # the speaker of another actor's position
        if _NAMES_AN_OBSERVER_BODY.search(item.name):
            field = "parties" if item.role == "party" else "mediators"
            reason = "an observer team, neither a mediator nor a party"
            dropped.append(Dropped(field=field, item=item.name, reason=reason))
            continue  # "United Nations observer team"
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
        if item.role == "party" and _only_observing(found, ref, item.name, index):
            reason = "an observer, neither a mediator nor a party"
            dropped.append(Dropped(field="parties", item=item.name, reason=reason))
            continue  # "The Troika of the United States, Britain and Norway ... as observers"
        if item.role == "mediator":
            roles = _roles_in(found, ref, item.name, index)
            # a withdrawal in a sentence about the role ("with Tanzania taking over as mediator
            # after Kenya pulled out"), not a side's ("if the Arakan Army withdrew")
            gone = next(
                (
                    s
                    for s in found
                    if (roles or MEDIATING.search(s.text)) and _withdrawn(s, ref, item.name)
                ),
                None,
            )
            if not roles and gone is None:
                reason = (
                    "demoted: none of its segments shows a mediating role (hosts, mediates, "
                    f"facilitates, brokers, guarantees...): segment {found[0].id}"
                )
                note = Dropped(field="mediators", item=item.name, reason=reason)
                dropped.append(note)
                demoted.append(_Demoted(ref, item.name, found, note))
                continue
            denied = next(
                (
                    s
                    for s in index.segments
                    if s not in roles and _disclaimed(s, ref, item.name, index.aliases_in(s))
                ),
                None,
            )
            if denied is not None:
                reason = f"demoted: segment {denied.id} says it has no part in the talks"
                note = Dropped(field="mediators", item=item.name, reason=reason)
                dropped.append(note)
                demoted.append(_Demoted(ref, item.name, found, note, withdrawn=True))
                continue  # "The regional bloc ... would play no part in them"
            if gone is not None:
                reason = f"demoted: segment {gone.id} says it gave up the role"
                note = Dropped(field="mediators", item=item.name, reason=reason)
                dropped.append(note)
                demoted.append(_Demoted(ref, item.name, found, note, withdrawn=True))
                continue  # "after Hungary pulled out", "in Hungary's place"
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


def _only_observing(found: list[Segment], ref: ActorRef, written: str, index: _Index) -> bool:
    """Whether a segment names ``ref`` an observer of the talks and none names it a side."""
    if not any(_observing(s, ref, written) for s in found):
        return False
    return _key(ref) not in {_key(r) for r, _, _ in _sides(found, index)}


def _spoken_for(
    name: str,
    speakers: Mapping[str, str] | None,
    index: _Index,
    listed: Set[str] = frozenset(),
) -> ActorRef | None:
    """The actor whose position the person ``name`` speaks (by the model's own positions), if
    ``name`` is a position's speaker for another actor that the tables recognise or that the
    model also lists ("Firmin Gbazoui", the speaker of the CPC's position, is the CPC)."""
    actor = (speakers or {}).get(_fold(name))
    if not actor or _fold(actor) == _fold(name):
        return None
    ref = index.canonical(actor)
    return ref if ref.normalised or _fold(actor) in listed else None


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
            aliases = index.aliases_in(segment)
            if (
                key in sides
                or len(sides) < 2
                or not _mediating(segment, ref, party.mention, aliases=aliases)
            ):
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
        if sum(1 for p in parties if _a_side(p, defined)) >= 2:
            break
        key = _key(item.ref)
        if item.withdrawn:
            continue  # a mediator that pulled out is no side
        if key in have or any(_observing(s, item.ref, item.written) for s in item.found):
            continue  # an observer is no side either
        if _only_a_nationality(item.ref, item.found):
            continue  # "The envoy, Jane Roe, a Ghanaian diplomat": no side of the talks
        parties.append(_actor(item.ref, item.written, item.found))
        have.add(key)
        at = next(i for i, d in enumerate(dropped) if d is item.note)
        reason = (
            "moved to parties: no segment shows a mediating role, and the talks lack a second side"
        )
        dropped[at] = Dropped(field="mediators", item=item.written, reason=reason)
    return parties


#: After a demonym: a person it describes ("a Ghanaian diplomat", "the Kenyan envoy").
_PERSON_NOUN = re.compile(
    r"\s+(?:diplomat|envoy|national|citizen|official|politician|lawyer|general|judge"
    r"|former\s+\w+|career\s+diplomat|mediator)\b(?!s)",
    re.IGNORECASE,
)
_ONE_PERSON_BEFORE = re.compile(r"\b(?:an?|the)\s+$", re.IGNORECASE)


def _only_a_nationality(ref: ActorRef, segments: Sequence[Segment]) -> bool:
    """Whether every mention of ``ref`` in ``segments`` is one person's nationality ("a
    Ghanaian diplomat", "the Kenyan envoy"), not the state itself ("Kenyan officials" may be a
    side)."""
    spans = [(s.text, a, b) for s in segments for r, a, b in _mentions(s.text) if r == ref]
    return bool(spans) and all(
        _ONE_PERSON_BEFORE.search(text, 0, a) is not None and _PERSON_NOUN.match(text, b)
        for text, a, b in spans
    )


def _a_side(party: Actor, defined: set[str]) -> bool:
    """Whether a party counts as one of two sides: a known state, organisation or armed group,
    a group the article gives an acronym, or a one-word name the tables do not know (a region:
    "Transnistria", "Somaliland"; not a person: "Ajit Doval")."""
    return (
        party.kind in _SIDE_KINDS
        or party.name in defined
        or (not party.normalised and len(party.name.split()) == 1 and party.name[:1].isupper())
    )


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


def _roles_in(
    segments: list[Segment], ref: ActorRef, written: str, index: _Index | None = None
) -> list[Segment]:
    """The segments that show ``ref`` mediating, apart from those about an earlier meeting
    only: a role there ("The previous round was hosted by Morocco") is not one in these
    talks."""
    return [
        s
        for s in segments
        if _mediating(s, ref, written, aliases=index.aliases_in(s) if index else ())
        and not _about_an_earlier_meeting(s)
        and not _a_dated_past_role(s)
    ]


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
        roles = _roles_in(segments, ref, mediator.mention, index)
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
        if (
            (segment.id not in cited and not everywhere and not _takes_up_a_role(segment))
            or _about_an_earlier_meeting(segment)
            or _a_dated_past_role(segment)
        ):
            continue
        found = [
            (ref, start, end)
            for ref, start, end in _mentions(segment.text)
            if _key(ref) not in have and ref.kind != "person"
        ]
        found = sorted(found + _by_alias(segment, index, have, found), key=lambda t: t[1])
        roles = [
            _mediating(
                segment,
                ref,
                segment.text[a:b],
                window=_RESCUE_WINDOW,
                aliases=index.aliases_in(segment),
            )
            for ref, a, b in found
        ]
        for i in range(len(found) - 2, -1, -1):  # a list shares its last member's role
            if roles[i + 1] and not roles[i]:
                roles[i] = bool(_LISTED.fullmatch(segment.text[found[i][2] : found[i + 1][1]]))
        for (ref, start, end), role in zip(found, roles, strict=True):
            key = _key(ref)
            if not role or key in have:
                continue
            written = segment.text[start:end]
            if any(_withdrawn(s, ref, written) for s in index.segments):
                continue  # "Ghana, which hosted and mediated the first round, pulled out"
            if any(_disclaimed(s, ref, written, index.aliases_in(s)) for s in index.segments):
                continue  # "Slovenia has no role in the talks", whatever another segment says
            if any(_observing(s, ref, written) for s in index.segments):
                continue  # "with a Liberian deputy at her side" ... "Liberia ... will send
                # observers": an observer, wherever the article says so
            mediators.append(_actor(ref, written, index.find(ref, written, [segment.id])))
            have.add(key)
    return mediators


#: The actors of an earlier sentence named again by their number and role: "The two
#: guarantors, whose delegations will sit beside the chair, have promised ...".
_THE_N_ROLE = re.compile(
    r"\b[Tt]he\s+(?P<n>two|three|four)\s+(?:co-?)?(?:guarantors|mediators|facilitators"
    r"|chairs|sponsors|brokers)\b"
)
#: How many segments back such a phrase may reach for its actors.
_ANAPHOR_REACH = 4


def _numbered_roles(index: _Index, mediators: list[Actor], parties: list[Actor]) -> list[Actor]:
    """Mediators named by an anaphor: "Delegations from China and Russia will also attend." ...
    "The two guarantors ... have promised": the nearest earlier segment (up to four back) that
    names actors other than the parties names exactly that many, as one list ("China and
    Russia"), and none of them is a party. Their evidence is both segments."""
    sides = {_key(_ref(p)) for p in parties}
    have = {_key(_ref(m)) for m in mediators}
    ordered = list(index.segments)
    for at, segment in enumerate(ordered):
        m = _THE_N_ROLE.search(segment.text)
        if m is None or _about_an_earlier_meeting(segment) or _a_dated_past_role(segment):
            continue
        count = _COUNTS[m["n"]]
        for earlier in reversed(ordered[max(0, at - _ANAPHOR_REACH) : at]):
            named = [
                (ref, a, b)
                for r, a, b in _mentions(earlier.text)
                if (ref := index.governing(r)).kind in _SIDE_KINDS and _key(ref) not in sides
            ]
            if not named:
                continue
            distinct = list(dict.fromkeys(ref for ref, _, _ in named))
            listed = all(
                _LISTED.fullmatch(earlier.text[b0:a1])
                for (_, _, b0), (_, a1, _) in itertools.pairwise(named)
            )
            if len(distinct) == count and listed:
                for ref, a, b in named:
                    if _key(ref) not in have:
                        mediators.append(_actor(ref, earlier.text[a:b], [earlier, segment]))
                        have.add(_key(ref))
            break  # the nearest segment that names other actors decides
    return mediators


#: A sentence that names an envoy only by the word, then gives the envoy a role in the talks:
#: "The envoy, Cardinal Stefano Rinaldi Conti, will chair the meeting", "The envoy, ..., told
#: reporters at the Vatican that he would chair the meeting".
_THE_ENVOY_CHAIRS = re.compile(
    r"\A(?:The|the)\s+(?:special\s+|personal\s+)?(?:envoy|emissary)\b[^.;]{0,200}?"
    r"\b(?:will|would|is\s+to|has\s+agreed\s+to)\s+(?:also\s+)?(?:co-)?(?:chair|mediate"
    r"|facilitate|convene|preside\s+over|host)\b"
)
#: An earlier sentence's envoy of an actor: "the Pope's envoy said", "Norway's special envoy".
_OWNERS_ENVOY = re.compile(r"['’]s?\s+(?:special\s+|personal\s+)?(?:envoy|emissary)\b")


def _envoys(index: _Index, mediators: list[Actor], parties: list[Actor]) -> list[Actor]:
    """Mediators named through their envoy: "..., the Pope's envoy said on Friday." ... "The
    envoy, Cardinal ..., will chair the meeting": the actor whose envoy the nearest earlier
    segment (up to two back) names, when it is not a side. The evidence is both segments."""
    have = {_key(_ref(a)) for a in mediators + parties}
    ordered = list(index.segments)
    for at, segment in enumerate(ordered):
        if not _THE_ENVOY_CHAIRS.search(segment.text) or _about_an_earlier_meeting(segment):
            continue
        for earlier in reversed(ordered[max(0, at - 2) : at]):
            text = earlier.text
            owners = [  # the mention may hold its "'s" ("The Pope's")
                ref
                for ref, _, b in _mentions(text)
                if _OWNERS_ENVOY.match(text, b - 2 if text[b - 2 : b] in ("'s", "’s") else b)
                and ref.kind in _SIDE_KINDS
            ]
            if len(set(owners)) == 1:
                ref = owners[0]
                if _key(ref) not in have:
                    mediators.append(_actor(ref, ref.name, [segment, earlier]))
                    have.add(_key(ref))
                break
    return mediators


def _by_alias(
    segment: Segment,
    index: _Index,
    have: set[str],
    found: list[tuple[ActorRef, int, int]],
) -> list[tuple[ActorRef, int, int]]:
    """The actors ``segment`` names only by an alias of the article ("of the League" once it
    has named the Arab League, "a deputy foreign minister of the host country")."""
    named = {r for r, _, _ in found}
    return [t for t in index.aliases_in(segment) if _key(t[0]) not in have and t[0] not in named]


#: Between two members of a list: "Cuba, Venezuela, and the Kingdom of Norway".
_LISTED = re.compile(r"\s*(?:,\s*|,?\s+(?:and|or)\s+)(?:the\s+)?(?:[A-Z]\w+\s+of\s+)?")


def _add_sides(
    segments: Segments,
    index: _Index,
    mediators: list[Actor],
    parties: list[Actor],
    dropped: list[Dropped],
    where: frozenset[int] = frozenset(),
) -> tuple[list[Actor], list[Actor]]:
    """Parties the model missed or called mediators, from "talks between A and B" phrases in
    the segments that already evidence the talks' actors, or the talks' venue or date
    ("Negotiators for A and B will return to Jeddah on Sunday", when the model listed only the
    mediators); with fewer than two sides still, the lead's."""
    cited = {e.segment for a in mediators + parties for e in a.evidence}
    shown = [s for s in segments if s.id in cited or s.id in where]
    have = {_key(_ref(a)) for a in parties}
    found = _sides(shown, index)
    if len(parties) + len({_key(r) for r, _, _ in found} - have) < 2:
        # still fewer than two sides: the lead, which names them in nearly every report
        lead = [s for s in list(segments)[:_LEAD] if s not in shown]
        found += _sides([s for s in lead if not _about_an_earlier_meeting(s)], index)
    for ref, written, segment in found:
        key = _key(ref)
        if key in have:
            continue
        for m in [m for m in mediators if _key(_ref(m)) == key]:
            mediators.remove(m)
            reason = f"moved to parties: segment {segment.id} names it as a side of the talks"
            dropped.append(Dropped(field="mediators", item=m.mention, reason=reason))
        parties.append(_actor(ref, written, index.find(ref, written, [segment.id])))
        have.add(key)
    return _swapped(mediators, parties, found, index, dropped)


def _swapped(
    mediators: list[Actor],
    parties: list[Actor],
    sides: list[tuple[ActorRef, str, Segment]],
    index: _Index,
    dropped: list[Dropped],
) -> tuple[list[Actor], list[Actor]]:
    """With two parties named as the sides ("Negotiators for A and B will meet"), a party the
    model gave that is no side, and that one of its segments shows mediating ("C and D are
    jointly mediating."), is a mediator: the model swapped the roles."""
    named = {_key(r) for r, _, _ in sides}
    if sum(1 for p in parties if _key(_ref(p)) in named) < 2:
        return mediators, parties
    for party in [p for p in parties if _key(_ref(p)) not in named]:
        ref = _ref(party)
        found = index.find(ref, party.mention)
        roles = _roles_in(found, ref, party.mention, index)
        if not roles:
            continue
        parties.remove(party)
        mediators.append(_actor(ref, party.mention, roles + [s for s in found if s not in roles]))
        reason = (
            f"moved to mediators: segment {roles[0].id} shows it mediating, and segment "
            f"{sides[0][2].id} names the two sides"
        )
        dropped.append(Dropped(field="parties", item=party.mention, reason=reason))
    return mediators, parties


#: The segments read as the lead: a dateline ("JEDDAH") and the first sentence.
_LEAD = 2


def _where_and_when(extraction: NamedExtraction, index: _Index) -> frozenset[int]:
    """The segments the model cited for the venue and the date that bear them out (name the
    city or country, hold the date phrase), apart from those about an earlier meeting."""
    found: set[int] = set()
    venue, when = extraction.venue, extraction.talks_date
    names = [n for n in (venue.city, venue.country) if n] if venue is not None else []
    for cited, words in (
        (getattr(venue, "segment", None), names),
        (getattr(when, "segment", None), [when.text] if when is not None and when.text else []),
    ):
        segment = index.segments.get(cited) if isinstance(cited, int) else None
        if segment is None or _about_an_earlier_meeting(segment):
            continue
        text = _fold(segment.text)
        if any(_fold(w) in text for w in words):
            found.add(segment.id)
    return frozenset(found)
