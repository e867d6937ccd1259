"""The article as the checks read it: text helpers, actor mentions, the segment index."""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable

from .._grounding import ArticleIndex
from .._schema import Actor, Evidence
from .._segments import Segment, Segments
from ..normalise import NAME_SMALL_WORDS as _name_small_words
from ..normalise import (
    ActorRef,
    acronyms,
    actor_mentions,
    ambiguous_states,
    canonical_actor,
    governments,
    organisation_heads,
    state_forms,
)

_TOKEN = re.compile(r"\w+")
#: The state of the talks' venue, named by its part in them: "the host country", "the host
#: government".
HOST_PHRASE = re.compile(
    r"\bthe\s+(?P<name>host\s+(?:country|nation|government|state))\b", re.IGNORECASE
)
#: The article's one organisation, named by what it is: "the bloc's executive secretary".
_SOLE_ORGANISATION = (
    # "the Abuja-based regional bloc"
    r"\b[Tt]he\s+(?P<name>(?:[A-Z][\w'’]*(?:\s+[A-Z][\w'’]*)?-based\s+)?"
    r"(?:(?:regional|economic|continental|[a-z]+-nation)\s+)?"
    r"(?:bloc|grouping|organi[sz]ation))\b"
)
_FILLER = frozenset({"on", "the", "of", "in", "at", "by", "and", "a", "an", "for", "from"})
_MAX_EVIDENCE = 3
#: Small counts written as words: "a week from Monday", "runs for three days", "the two
#: guarantors".
_COUNTS = {"a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5}


def _fold(text: str) -> str:
    from ..normalise import _fold as fold_text

    return fold_text(text)


def _tokens(text: str) -> list[str]:
    return _TOKEN.findall(_fold(text))


def _contains_words(haystack: str, needle: str) -> bool:
    """Whether every word of ``needle`` (fillers aside) is a word of ``haystack``."""
    words = [w for w in _tokens(needle) if w not in _FILLER]
    have = set(_tokens(haystack))
    return bool(words) and all(w in have for w in words)


def _surname(name: str) -> str | None:
    words = [w for w in _tokens(name) if len(w) >= 3]
    return words[-1] if words else None


#: "EU-facilitated", "Qatari-mediated": an actor fused to the word that follows it (not
#: "Abuja-based", a place that locates something).
_FUSED = re.compile(r"\b([A-Z][\w.]*?[A-Za-z.])-(?=[a-z])(?!based\b|headquartered\b)")


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

#: The lower-case words of a title written in running text ("the European Union's envoy for
#: the dialogue, Jane Roe"; "Kosovo's foreign minister, John Roe").
_OFFICE = (
    "envoy", "special", "personal", "representative", "ambassador", "minister", "foreign",
    "deputy", "prime", "chief", "senior", "top", "negotiator", "mediator", "spokesman",
    "spokeswoman", "spokesperson", "secretary", "adviser", "advisor", "dialogue", "peace",
    "process", "talks", "affairs",
)  # fmt: skip
#: Between a state and the name it qualifies, only a title: "US Special Envoy to the Middle
#: East Steve Witkoff", "Iranian Foreign Minister Seyed Abbas Araghchi".
_TITLE = re.compile(
    r"\s*(?:['’]s\s+)?(?:(?:[A-Z][\w'’.-]*|to|the|of|for|and|on|-|"
    + "|".join(_OFFICE)
    + r")\s+){1,8}"
)
#: Where a title's portfolio begins: "US Special Envoy for Kosovo".
_FOR = re.compile(r"\bfor\b")


def _affiliation(segments: Segments, written: str) -> ActorRef | None:
    """The state or organisation a person speaks for, read from the article's own title for
    them ("US Special Envoy ... Steve Witkoff" is the United States), in the sentence that
    names them; None when no mention of the person carries one, or two mentions carry
    different ones."""
    if not _PERSON.fullmatch(written.strip()):
        return None
    body = segments.body
    starts = [segment.start for segment in segments]
    names = {written.strip(), written.split()[-1]}
    found: set[ActorRef] = set()
    for name in names:
        for at in (m.start() for m in re.finditer(rf"\b{re.escape(name)}\b", body)):
            sentence = max((start for start in starts if start <= at), default=0)
            window = body[max(0, at - 80, sentence) : at]
            titled = [
                (start, end, ref)
                for ref, start, end in actor_mentions(window)
                if ref.kind in _SIDE_KINDS
                and _TITLE.fullmatch(re.sub(r",\s*$", " ", window[end:]))  # "Envoy, Jane Roe"
            ]
            # Not an actor in the title's portfolio: "US Special Envoy for Kosovo", "the EU's
            # envoy for the Belgrade-Pristina dialogue".
            titled = [
                t
                for t in titled
                if not any(o[1] <= t[0] and _FOR.search(window, o[1], t[0]) for o in titled)
            ]
            if titled:  # the nearest: "Serbia and the European Union's envoy Jane Roe"
                found.add(max(titled, key=lambda t: t[1])[2])
    return next(iter(found)) if len(found) == 1 else None


class _Index:
    """The segments of one article with the actors each mentions (computed once each)."""

    def __init__(self, segments: Segments) -> None:
        self.segments = segments
        self._actors: dict[int, frozenset[ActorRef]] = {}
        self._located: ArticleIndex | None = None
        self._affiliations: dict[str, ActorRef | None] = {}
        self._defined: dict[str, str] | None = None
        self._governed: dict[str, ActorRef] | None = None
        self._host: ActorRef | None = None
        self._named: frozenset[ActorRef] | None = None
        self._aliases: dict[ActorRef, list[re.Pattern[str]]] | None = None
        self._aliased: dict[int, list[tuple[ActorRef, int, int]]] = {}

    @property
    def defined(self) -> dict[str, str]:
        """The acronyms the article defines, by folded long name ("movement of democratic
        forces of casamance": "MFDC"; see :func:`normalise.acronyms`)."""
        if self._defined is None:
            self._defined = {
                _fold(long): short for long, short in acronyms(self.segments.body).items()
            }
        return self._defined

    @property
    def governed(self) -> dict[str, ActorRef]:
        """The groups the article names as a state's government, with that state ("the
        Taliban administration": the Taliban are Afghanistan here; see
        :func:`normalise.governments`)."""
        if self._governed is None:
            self._governed = governments(self.segments.body)
        return self._governed

    def governing(self, ref: ActorRef) -> ActorRef:
        """``ref``, or the state it governs when the article names it as a government."""
        return self.governed.get(ref.name, ref) if ref.kind == "armed_group" else ref

    def acronyms_in(self, text: str) -> list[ActorRef]:
        """The actors of the acronyms the article defines that ``text`` names."""
        shorts = dict.fromkeys(self.defined.values())
        return [self.canonical(short) for short in shorts if _word_spans(text, short)]

    def groups(self, segment: Segment) -> list[ActorRef]:
        """The groups ``segment`` names: armed groups the tables know, and the acronyms the
        article defines ("An AGovC spokesman said")."""
        found = [r for r in self.actors(segment) if r.kind == "armed_group"]
        for ref in self.acronyms_in(segment.text):
            if ref not in found and ref.kind != "state":
                found.append(ref)
        return found

    def canonical(self, name: str) -> ActorRef:
        """The actor of a name the model wrote, read with the acronyms the article defines: a
        long name it gives an acronym goes by the acronym ("Movement of Democratic Forces of
        Casamance" is MFDC), and an acronym it defines for a group is that group, not the
        state whose ISO code it spells ("Barisan Revolusi Nasional (BRN)": BRN, not Brunei)."""
        ref = self.governing(_canonical(name))
        if not ref.normalised and len(named := set(governments(name).values())) == 1:
            return named.pop()  # "Afghanistan's Taliban administration"
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
        if not ref.normalised and (options := ambiguous_states(name)):
            # "Congo" in an article that names the Democratic Republic of the Congo (or
            # Kinshasa) and not the Republic of the Congo: the one it names
            meant_one = [r for r in options if r in self.named]
            if len(meant_one) == 1:
                return meant_one[0]
        return ref

    def affiliation(self, written: str) -> ActorRef | None:
        """The side the person ``written`` speaks for in this article (see _affiliation)."""
        if written not in self._affiliations:
            self._affiliations[written] = _affiliation(self.segments, written)
        return self._affiliations[written]

    def actors(self, segment: Segment) -> frozenset[ActorRef]:
        if segment.id not in self._actors:
            self._actors[segment.id] = frozenset(
                self.governing(r) for r in _mentioned(segment.text)
            )
        return self._actors[segment.id]

    @property
    def host(self) -> ActorRef | None:
        """The state of the verified venue, which the article may call "the host country"."""
        return self._host

    @host.setter
    def host(self, ref: ActorRef | None) -> None:
        self._host, self._aliases, self._aliased = ref, None, {}

    @property
    def named(self) -> frozenset[ActorRef]:
        """Every actor some segment of the article mentions."""
        if self._named is None:
            self._named = frozenset(r for segment in self.segments for r in self.actors(segment))
        return self._named

    @property
    def aliases(self) -> dict[ActorRef, list[re.Pattern[str]]]:
        """The phrases by which the article names an actor by its part alone, by actor: the
        venue's state as "the host country"; an organisation it names in full by its head noun
        ("the League" once it has named the Arab League), when no other organisation of the
        article has that noun (not "the Union" beside the African and the European Union);
        and its one organisation, when it names no other and no armed group, as "the bloc"."""
        if self._aliases is None:
            named = self.named
            organisations = {r for r in named if r.kind == "organisation"}
            owners: dict[str, set[ActorRef]] = {}
            heads = [(ref, organisation_heads(ref.name)) for ref in organisations]
            for long, short in self.defined.items():  # "the Mano River Union (MRU)"
                ref = self.canonical(short)
                if not ref.normalised and ref.kind != "state":
                    heads.append((ref, organisation_heads(long, defined=True)))
            for ref, nouns in heads:
                for head in nouns:  # "the League", "the union's secretary-general"
                    noun = f"[{head[0]}{head[0].lower()}]{head[1:]}"
                    owners.setdefault(rf"\b[Tt]he\s+(?P<name>{noun})\b", set()).add(ref)
            if len(organisations) == 1 and not any(r.kind == "armed_group" for r in named):
                owners[_SOLE_ORGANISATION] = set(organisations)
            for ref in named:  # "the sultanate's foreign ministry" once it has named Oman
                for form in state_forms(ref) if ref.kind == "state" else ():
                    owners.setdefault(rf"\b[Tt]he\s+(?P<name>{form})\b", set()).add(ref)
            found: dict[ActorRef, list[re.Pattern[str]]] = {}
            for pattern, refs in owners.items():
                if len(refs) == 1:
                    found.setdefault(next(iter(refs)), []).append(re.compile(pattern))
            if self._host is not None:
                found.setdefault(self._host, []).append(HOST_PHRASE)
            self._aliases = found
        return self._aliases

    def aliases_in(self, segment: Segment) -> list[tuple[ActorRef, int, int]]:
        """Every actor ``segment`` names by an alias (see :meth:`alias_in`), with its span."""
        if segment.id not in self._aliased:
            self._aliased[segment.id] = [
                (ref, *span) for ref in self.aliases if (span := self.alias_in(segment, ref))
            ]
        return self._aliased[segment.id]

    def alias_in(self, segment: Segment, ref: ActorRef) -> tuple[int, int] | None:
        """The span of the first phrase of :attr:`aliases` naming ``ref`` in ``segment``,
        without its "the" ("bloc" of "by the bloc's executive secretary", as a name's span)."""
        found = [m for p in self.aliases.get(ref, ()) if (m := p.search(segment.text))]
        if not found:
            return None
        first = min(found, key=lambda m: m.start())
        return first.start("name"), first.end()

    def mentions(self, segment: Segment, ref: ActorRef, written: str) -> bool:
        """Whether ``segment`` mentions the actor ``ref`` (written ``written`` by the model)."""
        if ref.normalised and ref in self.actors(segment):
            return True
        if self.alias_in(segment, ref) is not None:
            return True  # "the League", "The host country's foreign minister"
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


def _spanning(body: str, one: Segment, other: Segment, cited: Segment) -> Evidence:
    """The passage from the first of two segments to the end of the later one, verbatim (a
    venue or date that two sentences show together), cited as ``cited``."""
    start, end = min(one.start, other.start), max(one.end, other.end)
    return Evidence(quote=body[start:end], start=start, end=end, status="segment", segment=cited.id)


def _key(ref: ActorRef) -> str:
    return ref.iso3 or ref.name.casefold()


_SIDE_KINDS = frozenset({"state", "organisation", "armed_group"})


def _word_spans(text: str, word: str) -> list[tuple[int, int]]:
    """Where ``text`` holds ``word`` whole ("AGovC", not inside "AGovC-led" or "XAGovC")."""
    return [m.span() for m in re.finditer(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text)]


_NAME_SMALL_WORDS = frozenset(_name_small_words)


def _a_description(name: str) -> bool:
    """Whether the model wrote a description rather than a name: a lower-case word that is not
    one of a name's small words ("Anglophone separatists", "Tuareg-led rebel alliance in the
    north", "the armed opposition"; not "New People's Army")."""
    words = re.findall(r"[\w'’]+", name)
    return any(w[:1].islower() and w.casefold() not in _NAME_SMALL_WORDS for w in words)


def _ordered(segments: Segments, cited: int | None) -> list[Segment]:
    first = segments.get(cited) if cited is not None else None
    return ([first] if first else []) + [s for s in segments if s is not first]


#: Just before a name used as a place, not an actor: "talks in Qatar", "convene the two
#: delegations in Djibouti".
_AS_PLACE = r"\b(?:in|at|to|inside|within)\s+(?:the\s+)?"
_PLACE_BEFORE = re.compile(_AS_PLACE + "$", re.IGNORECASE)


def _as_place(text: str, name: str) -> bool:
    """Whether ``text`` names the country ``name`` as a place ("talks in Qatar"), not only as
    an actor ("Russia has continued its war")."""
    words = r"\s+".join(re.escape(w) for w in name.split())
    return bool(re.search(rf"{_AS_PLACE}{words}\b", text, re.I))


def _ref(actor: Actor) -> ActorRef:
    return ActorRef(actor.name, actor.kind, actor.iso3, actor.normalised)
