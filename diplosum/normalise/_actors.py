"""Actors: states, organisations and armed groups under one canonical name."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any, Literal

from . import _data as data
from . import _gazetteer
from ._gazetteer import largest_city as _largest_city
from ._text import _key, _strip_possessive

__all__ = [
    "ActorKind",
    "ActorRef",
    "acronyms",
    "actor_mentions",
    "actors_in",
    "ambiguous_states",
    "canonical_actor",
    "organisation_heads",
    "state_forms",
    "state_iso3",
]

ActorKind = Literal["state", "organisation", "person", "armed_group", "other"]


@dataclass(frozen=True, slots=True)
class ActorRef:
    """An actor under its canonical name; ``normalised`` is False when kept as written."""

    name: str
    kind: ActorKind
    iso3: str | None
    normalised: bool


@dataclass(frozen=True, slots=True)
class _ActorIndex:
    names: dict[str, ActorRef]  # ISO names, aliases, organisations: matched anywhere
    seats: dict[str, ActorRef]  # capitals, seats of power: alone or possessive only
    demonyms: dict[str, ActorRef]
    codes: dict[str, ActorRef]  # alpha-3, matched only when written in capitals
    by_alpha2: dict[str, ActorRef]
    ambiguous: frozenset[str]
    initialisms: frozenset[str]  # "FACT", "NATO": a name only when it starts with a capital


def _display_name(country: Any) -> str:
    return data.DISPLAY_NAMES.get(country.alpha_3) or getattr(country, "common_name", country.name)


def _name_variants(name: str) -> Iterator[str]:
    """An ISO name, without its parenthesis, and with "Korea, Republic of" reordered."""
    yield name
    base = name.split("(")[0].strip()
    yield base
    head, comma, tail = base.partition(", ")
    if comma:
        yield f"{tail} {head}"


def _demonyms(name: str) -> Iterator[tuple[int, str]]:
    """(cost, key) for each demonym the suffix rules derive from a short name."""
    for cost, (strip, add) in enumerate(data.DEMONYM_RULES):
        if name.endswith(strip) and len(name) - len(strip) + len(add) >= 5:
            yield cost, _key(name[: len(name) - len(strip)] + add)


@functools.cache
def _actor_index() -> _ActorIndex:
    import pycountry

    states: dict[str, ActorRef] = {}
    by_alpha2: dict[str, ActorRef] = {}
    names: dict[str, ActorRef] = {}
    short_names: dict[str, list[str]] = {}
    for country in pycountry.countries:
        ref = ActorRef(_display_name(country), "state", country.alpha_3, True)
        states[country.alpha_3], by_alpha2[country.alpha_2] = ref, ref
        spellings = (country.name, getattr(country, "official_name", None), ref.name)
        for spelling in filter(None, (*spellings, getattr(country, "common_name", None))):
            for variant in _name_variants(spelling):
                names.setdefault(_key(variant), ref)
        short_names[country.alpha_3] = [ref.name, getattr(country, "common_name", country.name)]
    for code, name in data.NON_ISO_STATES.items():
        states[code] = ActorRef(name, "state", None, True)
        names.setdefault(_key(name), states[code])
    for row in _gazetteer.load().countries:
        if row.alpha3 in states:  # Kosovo
            by_alpha2.setdefault(row.alpha2, states[row.alpha3])
    for alias, code in data.STATE_ALIASES.items():
        names[_key(alias)] = states[code]
        short_names.setdefault(code, []).append(alias)
    for phrase, code in _provincial_governments(by_alpha2):
        names.setdefault(phrase, states[code])
    for canonical, (kind, aliases) in data.GROUPS.items():
        group = ActorRef(canonical, kind, None, True)
        names.update((_key(alias), group) for alias in (canonical, *aliases))
    initialisms = frozenset(
        _key(alias)
        for canonical, (_, aliases) in data.GROUPS.items()
        for alias in (canonical, *aliases)
        if alias.isupper() and " " not in alias
    )

    derived: dict[str, tuple[int, set[str]]] = {}
    for code, written in short_names.items():
        for cost, word in (d for spelling in written for d in _demonyms(spelling)):
            best, holders = derived.get(word, (cost, set()))
            if cost < best:
                derived[word] = (cost, {code})
            elif cost == best:
                derived[word] = (cost, holders | {code})
    demonyms = {word: states[min(c)] for word, (_, c) in derived.items() if len(c) == 1}
    demonyms.update((_key(word), states[code]) for word, code in data.IRREGULAR_DEMONYMS.items())

    seats = {_key(seat): states[code] for seat, code in data.METONYMS.items()}
    for row in _gazetteer.load().countries:
        capital, seat_of = row.capital, states.get(row.alpha3)
        biggest = _largest_city(capital, spellings=False) if capital and seat_of else None
        if seat_of and biggest and biggest.countrycode == row.alpha2:
            seats.setdefault(_key(capital), seat_of)
    codes = {state.iso3: state for state in states.values() if state.iso3}
    ambiguous = frozenset(_key(word) for word in data.AMBIGUOUS)
    return _ActorIndex(names, seats, demonyms, codes, by_alpha2, ambiguous, initialisms)


#: A province's or state's own government, in the words a report names it with: "the Yunnan
#: provincial government" speaks and acts for China (its foreign affairs office hosts talks).
_SUBNATIONAL_GOVERNMENTS = (
    "provincial government",
    "provincial authorities",
    "provincial administration",
    "regional government",
    "regional authorities",
    "state government",
)
#: The words of a subdivision's local name that say what kind it is ("Yunnan Sheng").
_SUBDIVISION_SUFFIXES = re.compile(
    r"\s+(?:Sheng|Shi|Zizhiqu|Province|State|Region|Oblast'?|Oblysy|Kray|Krai)$", re.IGNORECASE
)
#: The kinds of subdivision with a government of their own.
_SUBDIVISION_TYPES = frozenset(
    {"Province", "State", "Region", "Autonomous region", "Autonomous province", "Federal state"}
)


def _provincial_governments(by_alpha2: dict[str, ActorRef]) -> Iterator[tuple[str, str]]:
    """(folded phrase, alpha-3) for "<subdivision> provincial government" and its like, from
    ISO 3166-2; a subdivision name two states share ("Punjab") names neither."""
    import pycountry

    holders: dict[str, set[str]] = {}
    for sub in pycountry.subdivisions:
        state = by_alpha2.get(sub.country_code)
        if sub.type not in _SUBDIVISION_TYPES or state is None or state.iso3 is None:
            continue
        # "Yunnan Sheng" is "Yunnan"; "Free State" stays whole too
        for name in {sub.name, _SUBDIVISION_SUFFIXES.sub("", sub.name)}:
            if len(name) > 3:
                holders.setdefault(_key(name), set()).add(state.iso3)
    for name, codes in holders.items():
        if len(codes) == 1:
            for words in _SUBNATIONAL_GOVERNMENTS:
                yield f"{name} {_key(words)}", next(iter(codes))


_UNKNOWN = ActorRef("", "other", None, False)


def _match(index: _ActorIndex, words: str) -> tuple[ActorRef, str] | None:
    """Look a whole phrase up; the second item says how it matched."""
    key = _key(words)
    if not key:
        return None
    if key in index.ambiguous:
        return _UNKNOWN, "ambiguous"
    for how, table in (("name", index.names), ("seat", index.seats), ("demonym", index.demonyms)):
        if key in table and not (key in index.initialisms and _lowercase(words)):
            return table[key], how
    if key.endswith("s") and key[:-1] in index.demonyms:  # "the Qataris"
        return index.demonyms[key[:-1]], "demonym"
    if words.isupper() and words in index.codes:
        return index.codes[words], "name"
    return None


def _lowercase(words: str) -> bool:
    """Whether ``words`` begin in lower case after any "the" ("in fact" and "the fact" do not
    name FACT)."""
    return re.sub(r"^the\s+", "", words.strip(), flags=re.IGNORECASE)[:1].islower()


def _whole(index: _ActorIndex, mention: str) -> ActorRef | None:
    found = _match(index, _strip_possessive(mention)[0])
    return found[0] if found and found[1] != "ambiguous" else None


def _names_another(index: _ActorIndex, words: list[str], actor: ActorRef) -> bool:
    """Whether any run of up to four words names an actor other than ``actor``."""
    for start in range(len(words)):
        for stop in range(start + 1, min(start + 4, len(words)) + 1):
            found = _match(index, _strip_possessive(" ".join(words[start:stop]))[0])
            if found and found[0] != actor:
                return True
    return False


#: Words that qualify a title without being one: "personal envoy", "High Representative".
_TITLE_QUALIFIERS = frozenset(
    ["personal", "high", "senior", "acting", "permanent", "resident", "executive", "chief"]
)
#: A title's portfolio follows one of these: "envoy for Western Sahara", "envoy to Ukraine".
_PORTFOLIO = frozenset(["for", "to", "on"])


def _titled(rest: list[str]) -> bool:
    """Whether the words after an actor's name begin with a title ("envoy", "personal envoy",
    "High Representative"): up to two qualifiers, then a role word."""
    for word in rest[:3]:
        if word in data.ROLE_WORDS or (word.endswith("s") and word[:-1] in data.ROLE_WORDS):
            return True  # "envoy", and "Chairperson's" before the title it holds
        if word not in _TITLE_QUALIFIERS:
            return False
    return False


def _before_portfolio(words: list[str]) -> list[str]:
    """The words of a title before its portfolio: "envoy" of "envoy for Western Sahara" (the
    portfolio names a place or conflict, not who the envoy speaks for)."""
    for at, word in enumerate(words):
        if at and word.casefold() in _PORTFOLIO:
            return words[:at]
    return words


def _phrase(index: _ActorIndex, mention: str) -> ActorRef | None:
    """ "Qatari mediators", "Türkiye's foreign minister", "US officials", "the Emir of Qatar"."""
    words = mention.split()
    if words and words[0].casefold() == "the":
        words = words[1:]
    for size in range(min(len(words) - 1, 5), 0, -1):
        head, possessive = _strip_possessive(" ".join(words[:size]))
        found = _match(index, head)
        if found is None:
            continue
        actor, how = found
        rest = _key(" ".join(words[size:])).split()
        titled = how == "name" and _titled(rest)
        if how == "ambiguous" or not (possessive or how == "demonym" or titled):
            return None
        if actor.kind == "state" and data.NON_STATE_WORDS.intersection(rest):
            return None
        return None if _names_another(index, _before_portfolio(words[size:]), actor) else actor
    lowered = [word.casefold() for word in words]
    for at in range(len(words) - 1, 0, -1):
        if lowered[at] in ("of", "from"):
            roles = _key(" ".join(words[:at])).split()
            if roles and all(w in data.ROLE_WORDS or w in data.TERRITORY_WORDS for w in roles):
                return _whole(index, " ".join(words[at + 1 :]))
            break
    return None


_BEFORE_COMPLEMENT = re.compile(r"\s+(?:of|for|on|in)\s+", re.IGNORECASE)


@functools.cache
def organisation_heads(name: str, *, defined: bool = False) -> frozenset[str]:
    """The head nouns of the organisation ``name`` (canonical) under any of its long names,
    capitalised ("League" for the Arab League, "Community" for ECOWAS): the word before its
    complement ("League of Arab States") or its last word ("Arab League"), when it is one of
    the nouns organisations are called by. Empty for anything but a known organisation, unless
    ``defined``: an organisation the article itself names in full beside its acronym ("the Mano
    River Union (MRU)"), ``name`` being that full name."""
    group = data.GROUPS.get(name)
    if group is None and defined:
        longs: tuple[str, ...] = (name,)
    elif group is None or group[0] != "organisation":
        return frozenset()
    else:
        longs = (name, *group[1])
    heads = set()
    for long in longs:
        words = _BEFORE_COMPLEMENT.split(long, maxsplit=1)[0].split()
        head = words[-1].casefold() if words and " " in long else ""
        if head in data.HEAD_NOUNS:
            heads.add(head.capitalize())
            if head in {"organisation", "organization"}:  # either spelling in the text
                heads.update({"Organisation", "Organization"})
    return frozenset(heads)


def canonical_actor(
    mention: str, *, hint: str | None = None, kind: ActorKind | None = None
) -> ActorRef:
    """The canonical actor for a mention; unrecognised mentions are kept as written.

    ``hint`` is the state or organisation a named person speaks for ("Hakan Fidan",
    hint="Türkiye"); it wins over a partial reading of the mention. ``kind`` is the model's
    own guess, used only for a mention that is not recognised.
    """
    written = mention.strip()
    index = _actor_index()
    actor = _whole(index, written)
    if actor is None and _SPACED_INITIALS.search(written):  # "U. S." as "U.S."
        actor = _whole(index, _SPACED_INITIALS.sub(r"\1.", written))
    if actor is None and hint and hint.strip() != written:
        spoken_for = canonical_actor(hint)
        actor = spoken_for if spoken_for.normalised else None
    actor = actor or _phrase(index, written)
    if actor is None and "(" in written:  # "National Liberation Army (ELN)"
        outer, _, inner = written.partition("(")
        for part in (inner.rstrip(") "), outer):
            found = canonical_actor(part, kind=kind) if part.strip() else None
            if found is not None and found.normalised:
                return found
        if _ACRONYM.fullmatch(inner.rstrip(") ")) and _LISTED_NAME.fullmatch(outer.strip()):
            # "Ambazonia Governing Council (AGovC)": an unknown group goes by its acronym
            return ActorRef(inner.rstrip(") "), kind or "other", None, False)
    return actor or ActorRef(written, kind or "other", None, False)


#: Initials written with spaces between them: "U. S.", "U. K.", "U. A. E.".
_SPACED_INITIALS = re.compile(r"\b([A-Z])\.\s+(?=[A-Z]\.)")
#: An acronym: "NDFP", "SPLM-IO", "AGovC", "M23", "3R", "G5" (no spaces; a capital, and two
#: capitals or digits at least: not "Mr", nor a year).
_ACRONYM = re.compile(
    r"(?=[^A-Z]*[A-Z])(?=(?:[^A-Z0-9]*[A-Z0-9]){2})[A-Z0-9][A-Za-z0-9]*(?:[-/][A-Za-z0-9]+)*"
)
#: A proper name of capitalised words, with the small words names carry inside them, and
#: commas that list its words: "Return, Reclamation and Rehabilitation".
_NAME_WORD = r"[A-Z][\w'’.-]*"
_SMALL_WORD = rf"(?:{'|'.join(data.NAME_SMALL_WORDS)}|-)"
_LISTED_NAME = re.compile(rf"{_NAME_WORD},?(?:\s+(?:{_SMALL_WORD}\s+)*{_NAME_WORD},?){{1,9}}(?<!,)")
#: "Long Name (ACR)"; the acronym is checked with _ACRONYM.
_DEFINED = re.compile(
    rf"(?P<long>{_LISTED_NAME.pattern})\s+\((?P<short>[A-Z0-9][A-Za-z0-9]*(?:[-/][A-Za-z0-9]+)*)\)"
)


def acronyms(text: str) -> dict[str, str]:
    """The acronyms ``text`` defines, by the long name it gives them.

    "the Movement of Democratic Forces of Casamance (MFDC)" gives ``{"Movement of Democratic
    Forces of Casamance": "MFDC"}``. The long name is the run of capitalised words before the
    parentheses: from the first word when the capitals of the words from there are the
    acronym's ("Thailand's Barisan Revolusi Nasional (BRN)" defines "Barisan Revolusi
    Nasional"), else from the first word that is not a possessive. Parentheses that hold no
    acronym (a year, one capital) define nothing.
    """
    found: dict[str, str] = {}
    for match in _DEFINED.finditer(text):
        short = match["short"]
        if not _ACRONYM.fullmatch(short):
            continue
        words = match["long"].split()
        if words[0] in ("The", "A", "An"):  # a sentence's first word
            words = words[1:]
        initials = _initials(short)
        start = next(
            (
                at
                for at in range(len(words))
                if words[at][:1].isupper()
                and [w[0] for w in words[at:] if w[:1].isupper()] == initials
            ),
            None,
        )
        if start is None:  # not the acronym's initials ("FLA": Front de Libération de l'Azawad)
            # a list before the name is not part of it: "Sudan, Chad and the Sahel Front (SF)"
            start = max((at + 1 for at, w in enumerate(words) if w.endswith(",")), default=0)
            if start < len(words) and words[start].endswith(("'s", "’s")):
                start += 1
        if len(words) - start >= 2:
            found.setdefault(" ".join(words[start:]), short)
    return found


def _initials(acronym: str) -> list[str]:
    """The capitals an acronym stands for: "3R" is R, R, R (a count before a capital), "M23"
    is M, "SPLM-IO" S, P, L, M, I, O."""
    initials: list[str] = []
    for count, capital in re.findall(r"(\d*)([A-Z])", acronym):
        initials.extend(capital * (int(count) if count and int(count) <= 9 else 1))
    return initials


@functools.lru_cache(maxsize=1)
def _governing() -> re.Pattern[str]:
    groups = "|".join(re.escape(g) for g in data.GOVERNING_GROUPS)
    words = "|".join(data.GOVERNMENT_WORDS)
    return re.compile(rf"\b(?P<group>{groups})(?:-(?:led|run)|'s)?\s+(?:{words})\b", re.IGNORECASE)


def governments(text: str) -> dict[str, ActorRef]:
    """The groups ``text`` names as a state's government, each with that state.

    "Afghanistan's Taliban administration" (or "the Taliban-led government", "Taliban
    authorities") gives ``{"Taliban": ActorRef("Afghanistan", "state", "AFG", True)}``: in
    that article the Taliban are Afghanistan. A group named only as a group ("the Taliban")
    gives nothing.
    """
    found: dict[str, ActorRef] = {}
    by_key = {g.casefold(): g for g in data.GOVERNING_GROUPS}
    for match in _governing().finditer(text):
        group = by_key[match["group"].casefold()]
        state = canonical_actor(data.GOVERNING_GROUPS[group])
        if state.normalised:
            found.setdefault(group, state)
    return found


_WORDS = re.compile(r"[\w][\w'’.&-]*")


def actors_in(text: str) -> frozenset[ActorRef]:
    """Every known actor that ``text`` mentions: by name, alias, demonym, capital or seat.

    "Ankara has offered to host", "Turkish mediators" and "Türkiye" all mention Türkiye.
    Runs of up to four words are looked up whole; an ambiguous word ("Georgia") counts as
    no mention.
    """
    return frozenset(ref for ref, _, _ in actor_mentions(text))


def actor_mentions(text: str) -> list[tuple[ActorRef, int, int]]:
    """Each mention of a known actor in ``text`` with its character span (see
    :func:`actors_in`); overlapping runs of words may name the same actor more than once."""
    index = _actor_index()
    spans = list(_WORDS.finditer(text))
    words = [
        m.group(0) if _ACRONYM_WORD.match(m.group(0)) else m.group(0).rstrip(".") for m in spans
    ]
    found: list[tuple[ActorRef, int, int]] = []
    longest = _longest_name()
    for start in range(len(words)):
        for stop in range(start + 1, min(start + 4, len(words)) + 1):
            phrase = " ".join(words[start:stop])
            match = _match(index, _strip_possessive(phrase)[0])
            if match is None and stop == start + 1 and words[start][:1].isupper():
                match = _plural_demonym(index, words[start])
            if (
                match
                and match[1] == "seat"
                and stop == start + 1
                and _name_goes_on(text, spans, words, start, index)
            ):
                match = None  # "Sofia Arreola Campos", "Victoria Falls": not the capital
            if match and match[1] != "ambiguous" and match[0].normalised:
                end = spans[stop - 1].start() + len(words[stop - 1])  # without a full stop
                found.append((match[0], spans[start].start(), end))
            elif stop == start + 1 and "-" in words[start]:
                found.extend(_pair_mentions(index, words[start], spans[start].start()))
        # a longer name, word for word ("Organization for Security and Co-operation in Europe")
        if words[start][:1].isupper():
            for stop in range(start + 5, min(start + longest, len(words)) + 1):
                ref = index.names.get(_key(" ".join(words[start:stop])))
                if ref is not None and ref.normalised:
                    end = spans[stop - 1].start() + len(words[stop - 1])  # not a full stop
                    found.append((ref, spans[start].start(), end))
    features = [(m.start(), m.end()) for m in _FEATURES.finditer(text)]
    return [
        f
        for f in found
        if not any(f[1] < b and a < f[2] <= b for a, b in features)
        and not _BASED.match(text, f[2])  # "the Abuja-based regional bloc": a place, no actor
    ]


def _name_goes_on(
    text: str, spans: list[re.Match[str]], words: list[str], at: int, index: _ActorIndex
) -> bool:
    """Whether the word at ``at`` is followed, after one space, by a capitalised word that names
    no actor: the first word of a longer name ("Sofia Arreola Campos", a person)."""
    if at + 1 >= len(words) or text[spans[at].end() : spans[at + 1].start()] != " ":
        return False
    following = words[at + 1]
    return (
        following[:1].isupper()
        and not following.isupper()
        and following not in _SEAT_INSTITUTIONS
        and _match(index, following) is None
    )


#: After a seat, the words of its government's own bodies: "Beijing Foreign Ministry".
_SEAT_INSTITUTIONS = frozenset(
    {"Foreign", "Ministry", "Government", "Administration", "Authorities", "Officials", "Office"}
)


@functools.lru_cache(maxsize=1)
def _longest_name() -> int:
    """The most words a known name (ISO names, aliases, organisations) may be written with: its
    key's words and the articles the key leaves out ("the Arab States of the Gulf")."""
    return max(len(name.split()) for name in _actor_index().names) + 3


#: After a place that only locates an organisation: "Abuja-based", "Geneva-headquartered".
_BASED = re.compile(r"-(?:based|headquartered)\b", re.IGNORECASE)

#: A sea, gulf or peninsula whose name holds an actor's (``data.GEOGRAPHIC_FEATURES``).
_FEATURES = re.compile(
    r"\b(?:" + "|".join(re.escape(f) for f in data.GEOGRAPHIC_FEATURES) + r")\b", re.IGNORECASE
)


def _pair_mentions(index: _ActorIndex, word: str, at: int) -> list[tuple[ActorRef, int, int]]:
    """ "Iran-US", "U.S.-Iran": a hyphenated pair of capitalised names that is not itself a
    name ("Guinea-Bissau" is) mentions both."""
    parts = word.split("-")
    if len(parts) != 2 or not all(p[:1].isupper() for p in parts):
        return []
    found: list[tuple[ActorRef, int, int]] = []
    offset = at
    for part in parts:
        bare = part if _ACRONYM_WORD.match(part) else part.rstrip(".")
        match = _match(index, _strip_possessive(bare)[0])
        if match is None:
            match = _plural_demonym(index, bare)
        if match is None or match[1] == "ambiguous" or not match[0].normalised:
            return []
        found.append((match[0], offset, offset + len(bare)))
        offset += len(part) + 1
    return found


_ACRONYM_WORD = re.compile(r"(?:[A-Za-z]\.){2,}\Z")


def _plural_demonym(index: _ActorIndex, word: str) -> tuple[ActorRef, str] | None:
    """ "Egyptians", "Qataris": a demonym in the plural."""
    key = _key(word)
    if key.endswith("s") and key[:-1] in index.demonyms:
        return index.demonyms[key[:-1]], "demonym"
    return None


def state_forms(ref: ActorRef) -> frozenset[str]:
    """The forms of government an article may call the state ``ref`` by ("sultanate" for
    Oman, "kingdom" for Saudi Arabia); empty for anything else."""
    return frozenset(form for form, codes in data.STATE_FORMS.items() if ref.iso3 in codes)


def ambiguous_states(mention: str) -> tuple[ActorRef, ...]:
    """The states an ambiguous short name may mean ("Congo": the Democratic Republic of the
    Congo and the Republic of the Congo), for a reader that knows the article; empty for any
    other mention. :func:`canonical_actor` never guesses between them."""
    words = re.sub(r"^the\s+", "", mention.strip(), flags=re.IGNORECASE)
    words = _strip_possessive(words)[0]
    codes = next((v for k, v in data.AMBIGUOUS_STATES.items() if _key(k) == _key(words)), ())
    states = _actor_index().codes
    return tuple(states[code] for code in codes if code in states)


def state_iso3(name: str) -> str | None:
    """The ISO 3166-1 alpha-3 code of a state mention, or None."""
    actor = canonical_actor(name)
    return actor.iso3 if actor.kind == "state" else None
