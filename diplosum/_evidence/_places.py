"""The venue and the date of the talks, each checked against the segment that shows it."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Sequence
from typing import Any

from .._article import Article
from .._cited import NamedDate, NamedExtraction, NamedVenue
from .._schema import Actor, Dropped, Evidence, TalksDate, Venue
from .._segments import Segment, Segments
from ..normalise import (
    VenueRef,
    canonical_actor,
    capital,
    date_phrases,
    direction_for_status,
    resolve_date,
    resolve_venue,
)
from ._index import (
    _AS_PLACE,
    _COUNTS,
    _FILLER,
    _as_place,
    _contains_words,
    _evidence,
    _fold,
    _Index,
    _ordered,
    _ref,
    _spanning,
    _tokens,
)
from ._roles import _EARLIER, _FUTURE, _THE_TALKS, _about_an_earlier_meeting

_PAST = re.compile(
    r"\b(?:held|met|took place|ended|concluded|wrapped up|signed|hosted|convened|chaired"
    r"|gathered|sat down|arrived|issued|reached|discussed|visited|received|welcomed|spoke"
    # "agreed at talks on Wednesday to reopen ...", not "agreed to meet again on Tuesday"
    r"|agreed(?!\s+(?:to\s+)?(?:meet|hold|resume|return|reconvene|sit|talk|convene|continue)\b))\b",
    re.IGNORECASE,
)
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


def _bare(phrase: str) -> str:
    """A date phrase without its leading "on" or "the" ("on Thursday": "Thursday")."""
    return re.sub(r"^(?:on|the)\s+", "", phrase.strip(), flags=re.I)


def _when_said(text: str, phrase: str) -> bool:
    """Whether every occurrence of ``phrase`` in ``text`` dates a statement ("The Kremlin said
    Friday that talks are on pause"), not the talks."""
    bare = _bare(phrase)
    spots = [m.start() for m in re.finditer(re.escape(bare), text, re.I)]
    return bool(spots) and all(_SAID.search(text[:at]) for at in spots)


def _date_phrase(text: str, phrase: str) -> str | None:
    """The part of the model's date ``phrase`` that ``text`` shows: the phrase itself, or the
    phrase without the ISO date or comma-separated parts the model added ("Monday,
    2026-02-13" for "on Monday": code, not the model, resolves the date)."""
    if _date_in(text, phrase):
        if _names_a_date(phrase):
            return phrase
        return _phrase_within(text, phrase) or phrase
    bare = _ISO_DATE.sub(" ", phrase)
    parts = [p.strip(" ,()") for p in re.split(r"[,;()]", bare)]
    kept = [p for p in parts if p and _date_in(text, p)]
    if not kept:
        return _phrase_within(text, phrase)
    return ", ".join(kept)


def _names_a_date(phrase: str) -> bool:
    """Whether ``phrase`` resolves to a date at all (against any publication date)."""
    return resolve_date(phrase, dt.date(2026, 1, 1)) is not None


def _phrase_within(text: str, phrase: str) -> str | None:
    """The longest date phrase of ``text`` whose every word is in the model's ``phrase``: "the
    21st" for "21st to discuss security", "the 20th" for "20th May 2026" when the article only
    says "on the 20th" (the month the model added is not in the text, and not taken)."""
    words = set(_tokens(phrase))
    found = [
        p
        for p, _, _ in date_phrases(text)
        if (need := [w for w in _tokens(p) if w not in _FILLER]) and all(w in words for w in need)
    ]
    return max(found, key=len, default=None)


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


#: A city named as an earlier meeting's place: "The previous round, held in Brussels in March",
#: "hosted the last round in Banjul", "last met ... in Kingstown in 2024".
_EARLIER_BEFORE = re.compile(_EARLIER + r"[^.;]{0,60}?\b(?:in|at)\s+(?:the\s+)?$", re.IGNORECASE)
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


#: Where a statement was made: "Speaking to reporters in Nairobi", "told a news conference in
#: Dhaka", "said in Skopje", "a statement issued in Geneva".
_STATEMENT_PLACE = re.compile(
    r"\b(?:(?:told|telling|speaking\s+to|spoke\s+to|briefed|briefing|addressing|addressed)"
    r"\s+(?:a\s+|the\s+|its\s+|his\s+|her\s+)?(?:reporters|journalists|the\s+press"
    r"|(?:(?:weekly|daily|regular|joint|news|press)\s+)*(?:conference|briefing)"
    r"|parliament|lawmakers|state\s+(?:media|television|radio))"
    r"|(?:(?:weekly|daily|regular|joint)\s+)?(?:news|press)\s+(?:conference|briefing)"
    r"|(?:weekly|daily|regular)\s+briefing|(?:said|announced|added)"
    r"|statement\s+(?:issued|released)|interview)"
    r"(?:\s+(?:on|late|early)\s+\w+)?\s+(?:in|at)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


#: A sentence that says the talks have no date or no venue yet: "no date or venue has been set
#: for talks", "neither a date nor a place has been fixed".
_UNSET = re.compile(
    r"\b(?:no|neither(?:\s+an?)?)\s+(?P<first>date|venue|place|time|location)"
    r"(?:\s+(?:or|nor|and)\s+(?:an?\s+)?(?P<second>date|venue|place|time|location))?"
    r"\s+(?:(?:for\s+(?:the\s+)?(?:talks|meeting|round)\s+)?(?:has|have|had)\s+(?:yet\s+)?been"
    r"|(?:is|was)\s+yet\s+to\s+be)\s+(?:set|fixed|agreed|announced|decided|named|chosen)",
    re.IGNORECASE,
)
_PLACE_WORDS = frozenset({"venue", "place", "location"})
#: "they have not agreed where", "are yet to decide on a venue": the sides have not chosen.
_NOT_AGREED = re.compile(
    r"\b(?:not|yet\s+to)\s+(?:yet\s+)?(?:agreed|agree|decided|decide|settled|settle)\s+"
    r"(?:on\s+)?(?P<what>where|when|an?\s+(?:venue|date|place)|the\s+(?:venue|date|place))\b",
    re.IGNORECASE,
)
#: "Neither side said where the meeting would take place", "officials did not say when the
#: talks would open": the article does not know.
_NOT_SAID = re.compile(
    r"\b(?:neither\s+(?:side|government|party|delegation|ministry|capital)|no\s+one|nobody"
    r"|(?:did|does|do|has|have|had|would|could)\s+not|didn['’]t|hasn['’]t|haven['’]t"
    r"|declined\s+to|refused\s+to)\s+(?:yet\s+|publicly\s+)?(?:say|said|disclosed?|announced?"
    r"|revealed?|specif(?:y|ied)|confirm(?:ed)?)\s+(?P<what>where|when)\s+(?:the\s+|their\s+)?"
    r"(?:next\s+|new\s+|first\s+)?(?:talks|meeting|round|negotiations|sessions?|it|they)\b",
    re.IGNORECASE,
)
#: "has been postponed with no new date", "postponed indefinitely": the old day is void.
_POSTPONED = re.compile(
    r"\bpostponed\s+(?:indefinitely|with\s+no\s+new\s+date|without\s+a\s+new\s+date"
    r"|until\s+further\s+notice)\b",
    re.IGNORECASE,
)


def _unset(text: str, what: str) -> bool:
    """Whether ``text`` says the talks have no ``what`` ("date" or "place") yet: none is set or
    agreed ("no date or venue has been set", "they have not agreed where"), or the meeting is
    postponed with no new date."""
    for m in _UNSET.finditer(text):
        said = {w.lower() for w in (m["first"], m["second"]) if w}
        if what == "place" and said & _PLACE_WORDS:
            return True
        if what == "date" and said & {"date", "time"}:
            return True
    for m in _NOT_AGREED.finditer(text):
        word = m["what"].split()[-1].lower()
        if what == "place" and word in {"where", "venue", "place"}:
            return True
        if what == "date" and word in {"when", "date"}:
            return True
    for m in _NOT_SAID.finditer(text):
        if (what == "place") == (m["what"].lower() == "where"):
            return True
    return what == "date" and bool(_POSTPONED.search(text))


def _named_as_venue(segment: Segment, names: Sequence[str], published: dt.date | None) -> bool:
    """Whether ``segment`` can show the talks' venue: a mention of the name that is neither the
    dateline ("PRISTINA", a name in capitals), nor an earlier meeting's place, nor where a
    statement was made ("told reporters in Nairobi"), nor where someone comes from ("will join
    from Kyiv"), nor a city acting for its government ("at Kigali's request")."""
    for name in names:
        for m in re.finditer(rf"(?<!\w){re.escape(name)}(?!\w)", segment.text, re.IGNORECASE):
            written = m.group(0)
            if written.isupper() and not name.isupper():
                continue  # the dateline
            before, after = segment.text[: m.start()], segment.text[m.end() :]
            if _EARLIER_BEFORE.search(before) or _earlier_after(after, published):
                continue
            if _STATEMENT_PLACE.search(before) or _FROM_BEFORE.search(before):
                continue  # "told reporters in Nairobi", "will join from Kyiv"
            if _PEOPLE_IN.search(before) and _SAID_AFTER.match(after):
                continue  # "officials in Abidjan and Ouagadougou said": where they spoke
            if _SPEAKING.match(after) and not _HOSTING.search(segment.text):
                continue  # "Dhaka wants guarantees": the government, not a place
            if _ITS_REQUEST.match(after):
                continue  # "at Kigali's request": the government, not a place
            return True
    return False


#: Before where people are: "officials in Abidjan and Ouagadougou said", "diplomats in
#: Brussels told" (the second city of "A and B" too); only with the statement after it.
_PEOPLE_IN = re.compile(
    r"\b(?:officials|diplomats|sources|ministries|governments|spokesm[ae]n|spokeswom[ae]n"
    r"|analysts|observers|residents|journalists|reporters|negotiators)\s+in\s+(?:the\s+)?"
    r"(?:[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?\s*(?:,|and)\s+)?$"
)
#: After such a place, the statement: "(and Ouagadougou) said", "told reporters"; not "will
#: convene Sudanese and Chadian officials in Cairo on 12 November".
_SAID_AFTER = re.compile(
    r"(?:\s*(?:,|and)\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?)?,?\s+"
    r"(?:said|say|says|told|announced|confirmed|reported|added)\b"
)
#: Before a place someone comes from, not where the talks are: "the Ukrainian team will join
#: from Kyiv", "will fly to Nairobi from Addis Ababa", "delegations from Juba".
_FROM_BEFORE = re.compile(r"\bfrom\s+(?:the\s+)?$", re.IGNORECASE)
#: After a city that acts for its government: "at Kigali's request" (not "Kigali's
#: convention centre").
_ITS_REQUEST = re.compile(
    r"['’]s?\s+(?:request|invitation|suggestion|insistence|demand|proposal|behest|urging)\b",
    re.IGNORECASE,
)
#: After a city that speaks for its government: "Dhaka wants", "Paramaribo would not accept".
_SPEAKING = re.compile(
    r"\s+(?:(?:also|still|now)\s+)?(?:wants?|wanted|said|says|insist(?:s|ed)?|demand(?:s|ed)?"
    r"|reject(?:s|ed)?|accus(?:es|ed)|refus(?:es|ed)|warn(?:s|ed)|(?:would|will|could|did|does)"
    r"(?:\s+not)?\s+(?:accept|agree|sign|insist|reject|refuse|negotiate|discuss|demand|seek"
    r"|want|allow|withdraw|recogni[sz]e|consider|support|oppose|return|release)\b"
    r"|(?:is|was|are|were)\s+(?:ready|willing|prepared|open)\b)",
    re.IGNORECASE,
)
#: A segment about hosting: then a city that speaks may still be the venue ("Doha said it
#: would host the talks").
_HOSTING = re.compile(r"\bhost(?:s|ed|ing)?\b", re.IGNORECASE)


def _venue(
    item: NamedVenue, segments: Segments, dropped: list[Dropped], published: dt.date | None = None
) -> Venue | None:
    if not (item.city or item.country):
        return None  # {"city": null, "country": null}: the article does not say
    described = _CAPITAL_DESCRIBED.fullmatch((item.city or "").strip())
    named = canonical_actor(described["demonym"] or described["state"]) if described else None
    if named is not None and named.kind == "state" and (seat := capital(named.iso3)):
        # the model copied the description ("Kazakh capital"): the capital it names
        item = item.model_copy(update={"city": seat.city, "country": seat.country})
    ref = resolve_venue(item.city, item.country)
    if item.city and item.country and not ref.normalised:
        # The gazetteer knows the city in another country: the model's country is the slip
        # ("Caracas", "Colombia" for talks between Colombia and the ELN in Caracas).
        alone = resolve_venue(item.city, None)
        ref = alone if alone.normalised and alone.city else ref
    names = [n for n in (item.city, ref.city, ref.site) if n] or [n for n in (item.country,) if n]
    country_only = not (item.city or ref.city or ref.site)
    # "Belize" for a city (read as Belize City) names the state: a place only as one ("in
    # Belize"), not as the side in "Belize and Honduras will hold talks in Mexico City"
    a_state = bool(item.city) and _a_state_as_a_city(item.city or "", ref)
    earlier = False
    unset = next(
        (s for s in segments if _unset(s.text, "place") and not _about_an_earlier_meeting(s)),
        None,
    )
    not_agreed = unset is not None and bool(_NOT_AGREED.search(unset.text))
    if unset is not None and (not_agreed or _NOT_SAID.search(unset.text)):
        # "they have not agreed where": a city named elsewhere is one side's proposal;
        # "neither side said where": one named elsewhere is another meeting's
        written = item.city or item.country or ""
        reason = (
            f"segment {unset.id} says the sides have not agreed where the talks will be"
            if not_agreed
            else f"segment {unset.id} says the place of the talks is not known"
        )
        dropped.append(Dropped(field="venue", item=written, reason=reason))
        return None
    # "the Mongolian capital": the capital of the venue's state, when the model wrote only the
    # state, or the capital itself, which the article may never name
    seat = capital(ref.iso3) if ref.iso3 else None
    if seat is not None and ref.city and _fold(ref.city) != _fold(seat.city or ""):
        seat = None
    for segment in _ordered(segments, getattr(item, "segment", None)):
        if seat is not None and _capital_described(segment, seat, published):
            return Venue(
                city=seat.city,
                country=seat.country,
                iso3=seat.iso3,
                site=ref.site,
                normalised=True,
                evidence=_evidence(segment),
            )
        if not any(_contains_words(segment.text, name) for name in names):
            continue
        if a_state and not _as_place(segment.text, item.city or ""):
            continue
        if _unset(segment.text, "place") or not _named_as_venue(segment, names, published):
            earlier = True
            continue
        if country_only and not any(
            _as_place(segment.text, n) for n in {item.country or "", ref.country or ""} if n
        ):
            continue
        found = ref
        if item.city and not ref.normalised:
            found = _site_city(segment.text, item.city) or ref
        return _placed(found, _evidence(segment))
    written = item.city or item.country or ""
    reason = (
        "only the dateline, an earlier meeting, where a statement was made, or a sentence "
        "saying no venue is set names this place"
        if earlier
        else "no segment names this venue"
    )
    if earlier and (instead := _the_dateline_city(segments, ref, written)) is not None:
        return instead  # "NOUAKCHOTT ... will meet in the capital"
    # the segment the model cited, then the lead (a dateline and the first sentence)
    cited = segments.get(getattr(item, "segment", None) or 0)
    lead = [s for s in list(segments)[:2] if s is not cited]
    for segment in ([cited] if cited is not None else []) + lead:
        instead = _city_in(segment, written, published)
        if instead is not None:
            reason = f"replaced: {reason}; segment {segment.id} names {instead.city} as the place"
            dropped.append(Dropped(field="venue", item=written, reason=reason))
            return instead
    # then the one city the article says the talks will be held in ("The second round will be
    # held in Dakar"), or that it names as the earlier rounds' "same city"
    instead = (
        _held_in(segments, written, published)
        or _same_city(segments, written)
        or _sidelines_city(segments, written, published)
    )
    if instead is not None:
        at = instead.evidence.segment
        reason = f"replaced: {reason}; segment {at} names {instead.city} as the place"
        dropped.append(Dropped(field="venue", item=written, reason=reason))
        return instead
    dropped.append(Dropped(field="venue", item=written, reason=reason))
    return None


#: The talks placed in "the capital" with no state named: the dateline's, when it is one; or
#: "here", the dateline's place itself.
_TALKS_WILL = (
    r"\b(?:will|shall|(?:is|are)\s+(?:to|due\s+to|set\s+to|scheduled\s+to))\s+"
    r"(?:meet|be\s+held|take\s+place|hold\s+(?:the\s+|their\s+)?talks|open\s+talks)\b"
)
_IN_THE_CAPITAL = re.compile(
    _TALKS_WILL + r"[^.;]{0,120}?\bin\s+the\s+capital\b(?!\s+of\b|['’])", re.IGNORECASE
)
_HERE = re.compile(_TALKS_WILL + r"\s+here\b", re.IGNORECASE)


def _the_dateline_city(segments: Segments, ref: VenueRef, written: str) -> Venue | None:
    """The dateline's city, when the model named it and a segment says the talks will be
    "here" ("CHAU DOC, Vietnam" ... "will meet here"), or, when it is its state's capital, "in
    the capital" ("NOUAKCHOTT" ... "will meet in the capital"); the evidence spans the
    dateline to that segment."""
    first = next(iter(segments), None)
    # the dateline's city: "NOUAKCHOTT", "CHAU DOC, Vietnam"
    dateline = first.text.split(",")[0].strip() if first is not None else ""
    if first is None or not ref.city or not ref.iso3 or not dateline.isupper():
        return None
    if _fold(dateline) not in {_fold(ref.city), _fold(written)}:
        return None  # "CHAU DOC" for "Châu Đốc": as the model wrote it
    here = next((s for s in segments if _HERE.search(s.text)), None)
    if here is not None and not _about_an_earlier_meeting(here):
        return _placed(ref, _spanning(segments.body, first, here, here))  # "will meet here"
    seat = capital(ref.iso3)
    if seat is None or _fold(seat.city or "") != _fold(ref.city):
        return None
    said = next((s for s in segments if _IN_THE_CAPITAL.search(s.text)), None)
    if said is None or _about_an_earlier_meeting(said):
        return None
    return _placed(seat, _spanning(segments.body, first, said, said))


#: A future meeting's place, said outright: "The second round will be held in Dakar", "the
#: talks are due to take place in Lusaka", "will meet in Accra" (not "would take place in
#: Lome", a round that may never be needed).
_WILL_BE = (
    r"\b(?:will|shall|(?:is|are)\s+(?:now\s+)?(?:to|due\s+to|set\s+to|scheduled\s+to))\s+"
    r"(?:(?:now|instead|again|also|then)\s+)?"
)
_HELD_VERB = r"(?:be\s+held|take\s+place|be\s+hosted|meet|convene|reconvene|open|resume)\s+"
_HELD_IN = re.compile(_WILL_BE + _HELD_VERB, re.IGNORECASE)
#: The place of the earlier rounds, named again: "The third will be held in the same city".
_SAME_PLACE = re.compile(
    _WILL_BE + _HELD_VERB + r"(?:again\s+)?(?:in|at)\s+the\s+same\s+(?:city|capital|town|venue)\b",
    re.IGNORECASE,
)


_CLAUSE_END = re.compile(r"[;.]")
#: The subject of such a sentence: the talks, a round, a meeting, the sides.
_MEETING = re.compile(_THE_TALKS.pattern + r"|\b(?:meeting|session)s?\b", re.IGNORECASE)


def _placed(ref: VenueRef, evidence: Evidence) -> Venue:
    """The venue ``ref`` names, shown by ``evidence``."""
    return Venue(
        city=ref.city,
        country=ref.country,
        iso3=ref.iso3,
        site=ref.site,
        normalised=ref.normalised,
        evidence=evidence,
    )


#: The first words of the names of waters, which no city name begins with in running text.
_WATER_WORDS = frozenset({"gulf", "sea", "lake", "river", "strait", "straits", "ocean", "bay"})


def _known_city(name: str) -> tuple[str, VenueRef | None]:
    """The longest leading run of the words of ``name`` that the gazetteer knows as a city
    ("Dar es Salaam", not "Dar"), and its place; None when no run is one, or when ``name`` is
    a sea, a lake or a gulf ("the Gulf of Thailand" is no city "Gulf")."""
    words = name.split()
    if words and words[0].casefold() in _WATER_WORDS:
        return name, None
    for n in range(len(words), 0, -1):
        ref = resolve_venue(" ".join(words[:n]), None)
        if ref.normalised and ref.city:
            return " ".join(words[:n]), ref
    return name, None


def _held_in(segments: Segments, written: str, published: dt.date | None) -> Venue | None:
    """The one city that the article's segments say a meeting will be held in ("will be held
    in Dakar on the first Tuesday of next month"), when the model's venue is not borne out;
    none when they name two, or none."""
    found: dict[str, tuple[VenueRef, Segment]] = {}
    for segment in segments:
        if _unset(segment.text, "place") or _about_an_earlier_meeting(segment):
            continue
        for verb in _HELD_IN.finditer(segment.text):
            if _CITY_AFTER.match(segment.text, verb.end()) is None:
                continue
            if not _MEETING.search(segment.text, 0, verb.start()):
                continue  # not said of a meeting: "Leaders of the alliance are due to meet in"
            # every city of the clause: "will be held in Mexico City or in Panama City" is two
            stop = _CLAUSE_END.search(segment.text, verb.end())
            clause = segment.text[verb.end() : stop.start() if stop else len(segment.text)]
            for m in _CITY_AFTER.finditer(clause):
                name, ref = _known_city(m["name"])
                if ref is None or ref.city is None or _fold(name) == _fold(written):
                    continue
                if _a_state_as_a_city(name, ref):
                    continue
                if _named_as_venue(segment, [name], published):
                    found.setdefault(ref.city, (ref, segment))
    if len(found) != 1:
        return None
    ref, segment = next(iter(found.values()))
    return _placed(ref, _evidence(segment))


#: Talks held beside another gathering: "on the sidelines of the Caribbean Community's July
#: summit", "on the margins of the next meeting of Gulf Arab foreign ministers".
_SIDELINES = re.compile(r"\bon\s+the\s+(?:sidelines|margins)\s+of\b", re.IGNORECASE)
#: Where that gathering is: "which opens in Basseterre", "meets at the council's secretariat
#: in Riyadh".
_GATHERS_IN = re.compile(
    r"\b(?:opens|meets|convenes|gathers|is\s+held|will\s+be\s+held|takes\s+place"
    r"|will\s+(?:open|meet|convene|gather|take\s+place))\b(?:\s+(?:at|on)\s+[^.;,]{0,60}?)?"
    r"\s+(?=in\s+)",
    re.IGNORECASE,
)


def _sidelines_city(segments: Segments, written: str, published: dt.date | None) -> Venue | None:
    """The city of the gathering the talks are held beside ("will meet ... on the sidelines of
    the Caribbean Community's July summit" ... "the meeting of CARICOM heads of government,
    which opens in Basseterre"): the one known city that the segment, or one of the next two,
    says the gathering opens or meets in. The evidence spans both segments."""
    ordered = list(segments)
    for at, segment in enumerate(ordered):
        side = _SIDELINES.search(segment.text)
        if side is None or _about_an_earlier_meeting(segment):
            continue
        for later in ordered[at : at + 3]:
            text = later.text[side.end() :] if later is segment else later.text
            cities: dict[str, VenueRef] = {}
            for verb in _GATHERS_IN.finditer(text):
                m = _CITY_AFTER.match(text, verb.end())
                if m is None:
                    continue
                name, ref = _known_city(m["name"])
                if ref is None or ref.city is None or _a_state_as_a_city(name, ref):
                    continue
                if _fold(name) != _fold(written) and _named_as_venue(later, [name], published):
                    cities[ref.city] = ref
            if len(cities) == 1:
                ref = next(iter(cities.values()))
                return _placed(ref, _spanning(segments.body, segment, later, later))
    return None


def _same_city(segments: Segments, written: str) -> Venue | None:
    """The city of the earlier rounds, when a segment says the talks will be held "in the same
    city" and it, or the segment before it, names one city as a place ("The first two rounds
    were held in Doha ... The third will be held in the same city"); the evidence spans both
    segments."""
    ordered = list(segments)
    for at, segment in enumerate(ordered):
        same = _SAME_PLACE.search(segment.text)
        if same is None:
            continue
        before = [(segment, segment.text[: same.start()])]
        if at > 0:
            before.insert(0, (ordered[at - 1], ordered[at - 1].text))
        cities: dict[str, tuple[VenueRef, Segment]] = {}
        for holder, text in before:
            for m in _CITY_AFTER.finditer(text):
                name, ref = _known_city(m["name"])
                if ref is None or ref.city is None or _a_state_as_a_city(name, ref):
                    continue
                cities.setdefault(ref.city, (ref, holder))
        if len(cities) != 1:
            continue
        ref, holder = next(iter(cities.values()))
        if _fold(ref.city or "") == _fold(written):
            continue
        return _placed(ref, _spanning(segments.body, holder, segment, segment))
    return None


#: A capital named by its state, not by its name: "the Mongolian capital", "the capital of
#: Mongolia" (the state is checked by the caller: not "the capital of Yunnan province").
_CAPITAL_DESCRIBED = re.compile(
    r"\b(?:the\s+)?(?:(?P<demonym>[A-Z][\w'’-]+)\s+capital"
    r"|capital\s+of\s+(?:the\s+)?(?P<state>[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+){0,2}))\b"
)


def _capital_described(segment: Segment, seat: VenueRef, published: dt.date | None) -> str | None:
    """The phrase of ``segment`` that names ``seat``, a state's capital, by its state as the
    talks' place ("will meet in the Mongolian capital"), if any; not the dateline, an earlier
    meeting's place nor where a statement was made."""
    for m in _CAPITAL_DESCRIBED.finditer(segment.text):
        named = canonical_actor(m["demonym"] or m["state"])
        if named.kind != "state" or named.iso3 != seat.iso3:
            continue
        if _named_as_venue(segment, [m.group(0)], published):
            return m.group(0)
    return None


def _a_state_as_a_city(name: str, ref: VenueRef) -> bool:
    """Whether ``name`` is a state's name that the gazetteer reads as a city ("Belize" as Belize
    City, "Kuwait" as Kuwait City); not a city's own name ("Mexico City", "Djibouti")."""
    return canonical_actor(name).kind == "state" and _fold(ref.city or "") != _fold(name)


#: "in Mexico City", "at Kuala Lumpur": a capitalised name after a word of place.
_CITY_AFTER = re.compile(
    _AS_PLACE + r"(?P<name>[A-Z][\w'’-]+(?:\s+(?:(?:es|el|al|de|da|do|du|la|le|of|am|an|sur)\s+)?"
    r"[A-Z][\w'’-]+){0,2})"
)


def _city_in(segment: Segment, written: str, published: dt.date | None) -> Venue | None:
    """The one city the model's own segment names as a place of the talks, when the venue it
    wrote is not borne out ("Belize" for talks "in Mexico City"): not the dateline, an earlier
    meeting's place nor where a statement was made; none when the segment names two."""
    if _unset(segment.text, "place"):
        return None
    found: dict[str, VenueRef] = {}
    for m in _CITY_AFTER.finditer(segment.text):
        name, ref = _known_city(m["name"])
        if ref is None or ref.city is None or _fold(name) == _fold(written):
            continue
        if _a_state_as_a_city(name, ref):
            continue  # "in Belize" names a country: not one city
        if _named_as_venue(segment, [name], published):
            found[ref.city] = ref
    if len(found) != 1:
        return None
    ref = next(iter(found.values()))
    return _placed(ref, _evidence(segment))


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


#: A day given as the one after a date of the same sentence: "the summit closes on 15
#: February, and the talks open the following day".
_NEXT_DAY = r"(?:the\s+following\s+day|the\s+next\s+day|a\s+day\s+later|the\s+day\s+after)"
_NEXT_DAY_AFTER = re.compile(
    r"[^.;:]{0,80}?\b(?:talks|negotiations|meeting|sessions?|round|open|opens|begin|begins"
    r"|start|starts|meet|resume|hold|sit\s+down)\b"
    rf"[^.;:]{{0,40}}?\b(?P<phrase>{_NEXT_DAY})\b",
    re.IGNORECASE,
)
_NEXT_DAY_PHRASE = re.compile(rf"\s*(?:on\s+)?{_NEXT_DAY}\s*", re.IGNORECASE)


def _or_the_day_after(
    found: TalksDate, segment: Segment, end: int, article: Article, status: str
) -> TalksDate:
    """``found``, or the day the sentence goes on to give: the day after it ("the summit, which
    closes on 15 February, ... and open the talks the following day"), a week later ("due on
    Thursday, has been put back by a week") or the new date of a postponement ("due on
    Thursday, have been put back to later this month")."""
    if found.date is None:
        return found
    start = max(0, end - len(found.text))
    ahead = _AHEAD_OF.search(segment.text, 0, start) if found.precision == "day" else None
    if ahead is not None:  # "a week from Monday": the Monday after next
        count = _COUNTS.get(ahead["n"].lower()) or int(ahead["n"])
        days = count * (14 if ahead["unit"].lower() == "fortnight" else 7)
        return found.model_copy(
            update={
                "date": found.date + dt.timedelta(days=days),
                "text": segment.text[ahead.start() : end].strip(),
            }
        )
    eve = _EVE_OF.search(segment.text, 0, start) if found.precision == "day" else None
    if eve is not None:  # "on the eve of the summit, which opens ... on 25 June": 24 June
        return found.model_copy(
            update={
                "date": found.date - dt.timedelta(days=1),
                "text": segment.text[eve.start() : end].strip(),
            }
        )
    moved = _MOVED.match(segment.text, end)
    if moved is not None and moved["n"] and found.precision == "day":
        count = _COUNTS.get(moved["n"].lower()) or int(moved["n"])
        days = count * (7 if moved["unit"].lower().startswith("week") else 1)
        if moved["forward"]:
            days = -days  # "planned for 25 June, was brought forward by a week"
        # "on Thursday, has been put back by a week", as written
        text = segment.text[start : moved.end("shift")]
        return found.model_copy(
            update={"date": found.date + dt.timedelta(days=days), "text": text.strip()}
        )
    if moved is not None and moved["new"]:
        words = moved["new"].split()
        for size in range(min(len(words), 5), 0, -1):  # "later this month at Bogota's request"
            phrase = _TRAILING.sub("", " ".join(words[:size]))
            again = _talks_date(segment, phrase, article, status) if phrase else found
            if again.date is not None and again is not found:
                return again
    later = _NEXT_DAY_AFTER.match(segment.text, end)
    if found.precision != "day" or later is None:
        return found
    return _talks_date(segment, later["phrase"], article, status)


#: Just before a weekday, a count of weeks from it: "a week from Monday", "a fortnight on
#: Tuesday", "two weeks from Friday".
_AHEAD_OF = re.compile(
    r"\b(?P<n>a|an|one|two|three|\d)\s+(?P<unit>weeks?|fortnight)\s+(?:from|on)\s+(?:this\s+)?$",
    re.IGNORECASE,
)
#: Before the date of another event the talks come the day before: "on the eve of the
#: EU-Western Balkans summit, which opens in Brussels on" (the summit's own date follows).
_EVE_OF = re.compile(
    r"\bon\s+the\s+eve\s+of\s+[^.;:]{3,80}?,?\s+(?:which|that)\s+(?:opens|begins|starts"
    r"|is\s+(?:held|due)|takes\s+place|will\s+(?:open|begin|start|be\s+held|take\s+place))"
    r"[^.;:]{0,40}?\b(?:on\s+)?$",
    re.IGNORECASE,
)


#: Words that end a date phrase's run of words, not the phrase: "later this month at".
_TRAILING = re.compile(r"(?:\s+(?:at|in|on|for|by|after|because|from|with|the|a|an))+$", re.I)
#: After the old date of a postponement: "..., has been put back by a week", "have been
#: postponed to later this month" (the shift or the new date).
_MOVED = re.compile(
    r"[^.;:]{0,60}?\b(?:(?:has|have|had)\s+been|(?:was|were)(?:\s+been)?)\s+"
    r"(?:(?:put|pushed|moved)\s+back|postponed|delayed"
    r"|(?P<forward>(?:brought|moved|pulled)\s+forward|advanced|moved\s+up))"
    r"(?P<shift>\s+by\s+(?P<n>a|an|one|two|three|four|\d{1,2})\s+(?P<unit>days?|weeks?))?"
    r"(?:\s+(?:to|until)\s+(?P<new>[^.;:,]{3,60}))?",
    re.IGNORECASE,
)


def _talks_date(segment: Segment, text: str, article: Article, status: str) -> TalksDate:
    direction: Any = _direction(segment, status)
    if _NEXT_DAY_PHRASE.fullmatch(text):
        # "the following day": the day after the date the sentence gives before it
        at = segment.text.lower().find(text.strip().lower())
        before = [(p, end) for p, start, end in date_phrases(segment.text) if start < at]
        for phrase, end in reversed(before):
            later = _NEXT_DAY_AFTER.match(segment.text, end)
            if later is None or later.start("phrase") < at:
                continue  # not this phrase, or not said of the talks
            day = resolve_date(phrase, article.published, direction=direction)
            if day is not None and day.precision == "day":
                return TalksDate(
                    date=day.date + dt.timedelta(days=1),
                    precision="day",
                    text=text,
                    evidence=_evidence(segment),
                )
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
    said = elsewhere = earlier = unset = False
    for segment in _ordered(index.segments, getattr(item, "segment", None)):
        text = _date_phrase(segment.text, written)
        if text is None:
            continue
        if _when_said(segment.text, text):
            said = True
        elif _unset(segment.text, "date"):
            unset = True
        elif _about_an_earlier_meeting(segment):
            earlier = True
        elif not _about_talks(segment, index, parties, venue):
            elsewhere = True
        else:
            found = _talks_date(segment, text, article, status)
            at = segment.text.lower().find(text.lower())
            end = at + len(text) if at >= 0 else len(segment.text)
            return _or_the_day_after(found, segment, end, article, status)
    if said:
        return f"the date phrase dates a statement ('said {_bare(written)}'), not the talks"
    if earlier:
        return "the date phrase dates an earlier meeting ('the previous round, held in March')"
    if unset:
        return "the date phrase's segment says no date has been set for the talks"
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
        if not _about_talks(segment, index, parties, None) or _unset(segment.text, "date"):
            continue
        for phrase, start, end in date_phrases(segment.text):
            if _SAID.search(segment.text[:start]):
                continue
            found = _or_the_day_after(
                _talks_date(segment, phrase, article, status), segment, end, article, status
            )
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
    event = (
        (
            _after_an_event(index, article)
            or _after_a_named_day(index, article)
            or _from_a_dated_event(index, article)
        )
        if written
        else None
    )
    nth_day = _on_a_day_of_a_gathering(index, article) if written else None
    if isinstance(found, TalksDate) and found.date is not None:
        if event is not None and _fold(_bare(found.text or "")) in _fold(event.text or ""):
            return event  # "Tuesday" of "the Tuesday after Orthodox Easter": that Tuesday
        if nth_day is not None and found.date == nth_day[1]:
            return nth_day[0]  # "on the second day of the meeting ..., which opens ... on
            # Sunday 5 July": the Monday, not the Sunday the model wrote
        return found
    rescued = event or _venue_date(index, article, status, parties, venue)
    if rescued is not None and written:
        why = found if isinstance(found, str) else "the phrase names no day"
        reason = f"replaced: {why}; segment {rescued.evidence.segment} dates the talks"
        dropped.append(Dropped(field="proposed_date", item=written, reason=reason))
    elif isinstance(found, str):
        dropped.append(Dropped(field="proposed_date", item=written, reason=found))
    return rescued or (found if isinstance(found, TalksDate) else None)


#: The talks dated by another event's end: "will meet in Kars the day after the European
#: Political Community summit in Yerevan ends".
_DAY_AFTER_EVENT = re.compile(
    r"\bthe\s+day\s+after\s+(?:the|a|an)\s+(?P<event>[^.;:]{3,90}?)\s+"
    r"(?:ends|closes|finishes|concludes|is\s+over)\b",
    re.IGNORECASE,
)
_EVENTS = ("summit", "conference", "forum", "meeting", "assembly", "congress", "games")
#: Before the day an event ends: "closes on", "ends on"; before the day it opens, with its
#: length after: "opens on Monday and runs for three days".
_ENDS_ON = re.compile(r"\b(?:closes|ends|finishes|concludes)\s+(?:on\s+)?$", re.IGNORECASE)
_OPENS_ON = re.compile(r"\b(?:opens|begins|starts)\s+(?:on\s+)?$", re.IGNORECASE)
_RUNS_FOR = re.compile(
    r"\s+and\s+(?:runs|lasts|continues)\s+(?:for\s+)?(?P<n>two|three|four|five|[2-9])\s+days\b",
    re.IGNORECASE,
)


def _after_an_event(index: _Index, article: Article) -> TalksDate | None:
    """The day after another event ends, when a segment dates the talks only so ("the day after
    the ... summit in Yerevan ends") and the same or one of the next two segments gives the
    event's last day ("The summit ... opens on Monday and closes on Tuesday", "opens on Monday
    and runs for three days"). The evidence spans the phrase's segment to the one that gives
    the day."""
    ordered = list(index.segments)
    for at, segment in enumerate(ordered):
        m = _DAY_AFTER_EVENT.search(segment.text)
        if m is None:
            continue
        event = _fold(m["event"])
        noun = next((n for n in _EVENTS if re.search(rf"\b{n}\b", event)), None)
        if noun is None:
            continue
        for later in ordered[at : at + 3]:
            text = later.text[m.end() :] if later is segment else later.text
            if not re.search(rf"\b{noun}\b", text, re.IGNORECASE):
                continue
            last = _last_day(text, article)
            if last is not None:
                return _dated_by(index, last + dt.timedelta(days=1), m.group(0), segment, later)
    return None


#: A weekday after a named day whose date the article gives elsewhere: "on the Tuesday after
#: Orthodox Easter", "on the first Monday after Eid al-Adha", "the Monday after Chile's
#: independence holidays".
_WEEKDAY_AFTER = re.compile(
    r"\b(?:the\s+)?(?:first\s+)?(?P<wd>Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
    r"\s+after\s+(?P<day>(?:[A-Z][\w'’-]*)(?:\s+(?:[A-Z][\w'’-]*|al-[A-Z]\w*|[a-z]+)){0,3}?)"
    r"(?=\s+(?:to|in|at|for|with|and|when|if)\b|\s*[.;,:]|\s*$)"
)
_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
#: The capitalised words of a named day, one of which its dated sentence names ("Easter",
#: "Eid", "Chile" of "Chile's independence holidays").
_DAY_WORD = re.compile(r"[A-Z][\w-]{2,}")
#: Before the date a named day falls on: "falls on", "is on", "celebrates ... on".
_FALLS_ON = re.compile(
    r"\b(?:falls?|is|are|begins?|ends?|starts?|celebrates?\s+(?:its\s+|the\s+)?[^.;]{0,40}?)"
    # a range's first day before its last: "on 18 and 19 September"
    r"\s+on\s+(?:\d{1,2}(?:st|nd|rd|th)?\s*(?:and|to|-|–)\s*)?$",
    re.IGNORECASE,
)


def _after_a_named_day(index: _Index, article: Article) -> TalksDate | None:
    """The first such weekday after a named day ("the Tuesday after Orthodox Easter"), when
    a segment of the article gives that day's date in a sentence naming it
    ("Orthodox Easter ... falls on 12 April this year"; a range's last day: "celebrates its
    Fiestas Patrias on 18 and 19 September"). The evidence spans both segments."""
    ordered = list(index.segments)
    for at, segment in enumerate(ordered):
        m = _WEEKDAY_AFTER.search(segment.text)
        if m is None:
            continue
        words = [w for w in _DAY_WORD.findall(m["day"]) if w.casefold() not in _WEEKDAYS]
        weekday = _WEEKDAYS.index(m["wd"].casefold())
        for later in ordered[at:] + ordered[:at]:
            text = later.text[m.end() :] if later is segment else later.text
            if not any(re.search(rf"\b{re.escape(w)}\b", text) for w in words):
                continue
            for phrase, start, _ in date_phrases(text):
                if not _FALLS_ON.search(text[:start]):
                    continue
                day = resolve_date(phrase, article.published, direction="forward")
                if day is None or day.precision != "day":
                    continue
                last = day.end or day.date
                ahead = (weekday - last.weekday()) % 7 or 7
                return _dated_by(index, last + dt.timedelta(days=ahead), m.group(0), segment, later)
    return None


#: The talks dated from another event the article dates elsewhere: "a month to the day after
#: a Malian army drone came down", "on the 40th anniversary of the treaty that created the
#: scheme".
_FROM_EVENT = re.compile(
    r"\b(?:(?P<n>a|an|one|two|three|four|five)\s+(?P<unit>week|month|year)s?\s+to\s+the\s+"
    r"day\s+(?:after|since)|on\s+the\s+(?P<nth>\d{1,3})(?:st|nd|rd|th)\s+anniversary\s+of"
    r"|on\s+the\s+(?P<word>first|second|third|fourth|fifth|tenth|twentieth|fiftieth)\s+"
    r"anniversary\s+of)\s+(?P<event>[^.;:,]{3,120})",
    re.IGNORECASE,
)
_ORDINAL_WORDS = {
    "first": 1, "second": 2, "third": 3, "fourth": 4, "fifth": 5, "tenth": 10,
    "twentieth": 20, "fiftieth": 50,
}  # fmt: skip
#: The words of an event phrase that a sentence dating it shares ("drone", "treaty").
_EVENT_WORD = re.compile(r"[A-Za-z]{4,}")
_NOT_EVENT_WORDS = frozenset({"after", "since", "that", "which", "with", "from", "their", "this"})


def _from_a_dated_event(index: _Index, article: Article) -> TalksDate | None:
    """The day a period after an event ends, or the event's anniversary, when a segment dates
    the talks only so and the same or a later segment dates the event in a sentence that
    shares a word with it ("The drone crashed on 14 September"; "The treaty ... was signed on
    24 October 1986"). The evidence spans both segments."""
    ordered = list(index.segments)
    for at, segment in enumerate(ordered):
        m = _FROM_EVENT.search(segment.text)
        if m is None:
            continue
        words = {w.casefold() for w in _EVENT_WORD.findall(m["event"])} - _NOT_EVENT_WORDS
        for later in ordered[at : at + 6]:
            text = later.text[m.end() :] if later is segment else later.text
            if not words & {w.casefold() for w in _EVENT_WORD.findall(text)}:
                continue
            for phrase, _, _ in date_phrases(text):
                day = resolve_date(phrase, article.published, direction="backward")
                if day is None or day.precision != "day":
                    continue
                past = day.date  # the event came before the report ("24 August last year")
                if article.published and past >= article.published:
                    past = _shifted(past, months=-12) or past
                if m["unit"]:
                    count = _COUNTS[m["n"].lower()]
                    unit = m["unit"].lower()
                    when = (
                        past + dt.timedelta(weeks=count)
                        if unit == "week"
                        else _shifted(past, months=count * (12 if unit == "year" else 1))
                    )
                else:
                    years = int(m["nth"]) if m["nth"] else _ORDINAL_WORDS[m["word"].lower()]
                    when = _shifted(past, months=12 * years)
                if when is None or (article.published and when < article.published):
                    continue
                return _dated_by(index, when, m.group(0), segment, later)
    return None


#: The talks on one day of another gathering: "will sit down on the second day of the meeting
#: of CARICOM heads of government".
_NTH_DAY_OF = re.compile(
    r"\bon\s+the\s+(?P<nth>second|third|fourth|fifth)\s+day\s+of\s+(?:the\s+)?"
    r"(?P<event>[^.;:]{3,90})",
    re.IGNORECASE,
)
_NTH_DAY = {"second": 2, "third": 3, "fourth": 4, "fifth": 5}
#: Before the day a gathering opens: "which opens in Basseterre, the capital of ..., on".
_OPENS_BEFORE = re.compile(r"\b(?:opens|begins|starts)\b[^.;]{0,80}?\bon\s+$", re.IGNORECASE)


def _on_a_day_of_a_gathering(index: _Index, article: Article) -> tuple[TalksDate, dt.date] | None:
    """(the talks' date, the gathering's first day) when a segment puts the talks on its
    second (third ...) day and the same or one of the next two segments gives the day it
    opens ("which opens in Basseterre ... on Sunday 5 July": Monday 6 July). The evidence
    spans both segments."""
    ordered = list(index.segments)
    for at, segment in enumerate(ordered):
        m = _NTH_DAY_OF.search(segment.text)
        if m is None:
            continue
        for later in ordered[at : at + 3]:
            text = later.text[m.start("event") :] if later is segment else later.text
            for phrase, start, _ in date_phrases(text):
                if not _OPENS_BEFORE.search(text[:start]):
                    continue
                day = resolve_date(phrase, article.published, direction="forward")
                if day is None or day.precision != "day":
                    continue
                when = day.date + dt.timedelta(days=_NTH_DAY[m["nth"].lower()] - 1)
                talks = _dated_by(index, when, m.group(0), segment, later)
                return talks, day.date
    return None


def _dated_by(index: _Index, day: dt.date, phrase: str, one: Segment, other: Segment) -> TalksDate:
    """The talks on ``day``, from ``phrase`` of segment ``one`` read with the later segment
    ``other`` that dates its event; the evidence spans both."""
    evidence = _spanning(index.segments.body, one, other, other)
    return TalksDate(date=day, precision="day", text=phrase, evidence=evidence)


def _shifted(day: dt.date, months: int) -> dt.date | None:
    """``day`` that many months later (None when that month has no such day: 31 April)."""
    total = day.month - 1 + months
    try:
        return day.replace(year=day.year + total // 12, month=total % 12 + 1)
    except ValueError:
        return None


def _last_day(text: str, article: Article) -> dt.date | None:
    """The last day of the event ``text`` describes: the day it "closes on", or the day it
    "opens on" plus its length ("runs for three days")."""
    for phrase, start, end in date_phrases(text):
        before = text[:start]
        day = resolve_date(phrase, article.published, direction="forward")
        if day is None or day.precision != "day":
            continue
        if _ENDS_ON.search(before):
            return day.date
        runs = _RUNS_FOR.match(text, end)
        if _OPENS_ON.search(before) and runs is not None:
            count = _COUNTS.get(runs["n"].lower()) or int(runs["n"])
            return day.date + dt.timedelta(days=count - 1)
    return None


def _direction(segment: Segment, status: str) -> str:
    """Past or future, from the tense of the sentence holding the date; else from status."""
    past, future = bool(_PAST.search(segment.text)), bool(_FUTURE.search(segment.text))
    if past != future:
        return "backward" if past else "forward"
    return direction_for_status(status)
