"""Roles read in one segment: mediating words, the sides of talks, observers."""

from __future__ import annotations

import itertools
import re
from collections.abc import Iterable, Sequence

from .._schema import Actor
from .._segments import Segment
from ..normalise import (
    ActorRef,
    canonical_actor,
    resolve_venue,
)
from ._index import _PLACE_BEFORE, _fold, _Index, _mentioned, _mentions, _ref

#: Words and phrases that show a mediating role in a sentence.
MEDIATING = re.compile(
    r"\b(?:host(?:s|ed|ing)?|mediat\w*|facilitat\w*|broker\w*|sponsor\w*"
    # a guarantor, "guaranteed by", "will guarantee the deal"; not the guarantees a side wants
    # ("received firm guarantees from the EU", "security guarantees")
    r"|guarant(?:ors?|orship|eed|eeing)\b|(?<!security )(?<![Aa] )(?<!any )(?<!firm )"
    r"(?<!written )(?<!legal )(?<!new )(?<!such )(?<!no )guarantee(?!s)"
    r"|conven(?:e|es|ed|ing)|chair(?:s|ed|ing)?|auspices|good offices|intermediar\w*"
    r"|go-between|shuttl\w*|relay(?:s|ed|ing)?|convey(?:s|ed|ing)?"
    r"|(?:carr(?:y|ies|ied|ying)|pass(?:es|ed|ing)?|deliver(?:s|ed|ing)?) (?:on )?messages"
    r"|arbitrat\w*|welcom(?:e|es|ed|ing) (?:the )?(?:delegations|sides)"
    r"|(?:bring|brings|bringing|brought) together|run by|lead(?:s|ing)? the (?:talks|negotiations)"
    # "will run the sessions", "moderated the talks", "will preside over the meeting"
    r"|(?:run|runs|ran|running|moderat(?:e|es|ed|ing)|presid(?:e|es|ed|ing)\s+over)\s+"
    r"(?:the\s+|these\s+|both\s+|all\s+)?(?:talks|sessions?|meetings?|negotiations|rounds?"
    r"|dialogue)"
    r"|receiv(?:e|es|ed|ing) (?:the |both )?delegations"
    r"|(?:arranged|organi[sz]ed)(?=\s+by\b)"
    # "arranged the session", "set up the meeting" (not "arranged the flights")
    r"|(?:arrang|organi[sz])(?:e|es|ed|ing)\s+(?:the\s+|a\s+|this\s+|both\s+)?(?:first\s+)?"
    r"(?:talks|meetings?|sessions?|rounds?|negotiations|contacts|dialogue)"
    r"|set(?:s|ting)?\s+up\s+(?:the\s+|a\s+|this\s+)?(?:talks|meeting|session|channel|contacts)"
    r"|ferr(?:y|ies|ied|ying)\s+(?:proposals|messages|drafts)"
    r"|carr(?:y|ies|ied|ying)\s+(?:proposals|drafts|offers)\s+between)\b",
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
#: "talks between A and B", "delegations from A and B", "Negotiators for A and B", "will
#: convene Kyrgyz and Tajik officials": the actors named there are the sides.
_SIDES = re.compile(
    r"\b(?:between|delegations? (?:from|of)|talks with"
    r"|(?:negotiators|representatives|delegates|negotiating teams) (?:for|from|of)"
    r"|conven(?:e|es|ed|ing)(?:\s+(?:representatives|delegations?|officials|envoys|negotiators"
    r"|leaders|ministers|delegates)\s+(?:from|of))?"
    r"(?!\s+(?:in|at|on|for|to|from|with|by|under|next|this|later|a|an|the two|both)\b))"
    r"\s+(?P<sides>[^.;:]{3,160}?)"
    r"(?=\s+(?:in|at|on|for|to|over|under|this|next|later|after|before|as|that|which|who"
    r"|since|with|together|alongside|along|amid|during|until|despite|without)\b"
    r"|\s+(?:and|but)\s+(?:would|will|is|are|was|were|has|have|had|said|says|could|should"
    r"|may|might|must|can|did|does|do|not)\b|[.;:,]|$)",
    re.IGNORECASE,
)
#: "Iran-US talks", "the India–China dialogue": a hyphenated pair of sides.
_PAIR = re.compile(
    r"\b(?P<sides>[A-Z][\w.]*[A-Za-z.][-–][A-Z][\w.]*[A-Za-z])\s+(?:[\"'“”‘’\w-]+\s+){0,3}?"
    r"(?:talks|negotiations|dialogue|summit|meeting|deal|agreement|ceasefire|truce|peace)\b",
)
#: "Israeli and Hamas negotiators will return ...", "Thai and BRN delegations": two sides
#: named before the word for their envoys, as the sentence's subject (not "since the
#: withdrawal of the Israeli and the US delegations"); two only ("Egyptian, Qatari and US
#: negotiators" may be the mediators).
_NEGOTIATORS = re.compile(
    r"\A(?:The\s+)?(?P<sides>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}\s+and\s+(?:the\s+)?"
    r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2})"
    r"\s+(?:negotiators|delegations|delegates|negotiating teams|peace negotiators)\b"
)
#: "Guyana and Venezuela will hold their first direct talks ...": two sides as the subject of
#: holding talks, at the start of a sentence (not "Qatar and Egypt will hold talks with
#: Hamas", whose sides follow "with").
_HOLDERS = re.compile(
    r"\A(?:The\s+)?(?P<sides>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}\s+and\s+(?:the\s+)?"
    r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2})"
    r"\s+(?:will|are\s+(?:due|set|expected|scheduled)\s+to|are\s+to|to|have\s+agreed\s+to"
    r"|agreed\s+to|plan\s+to)\s+(?:hold|resume|open|begin|start|restart)\b"
    r"(?![^.;]*\b(?:with|mediat\w*|facilitat\w*|shuttl\w*)\b)"
)
#: "when their officials meet Iranian counterparts": the counterparts are the other side.
_COUNTERPARTS = re.compile(
    r"\bmeet(?:s|ing)?\s+(?:with\s+)?(?:their\s+|its\s+|his\s+|her\s+)?"
    r"(?P<sides>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2})\s+(?:counterparts|opposite numbers)\b"
)
#: "Malagasy and French officials will meet in Saint-Denis": two sides' envoys as the subject
#: of meeting, at the start of a sentence (not "Egyptian and Qatari officials will meet Hamas
#: leaders", who meet a side, nor a sentence that names a mediator's role).
_MEETERS = re.compile(
    r"\A(?:The\s+)?(?P<sides>[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}\s+and\s+(?:the\s+)?"
    r"[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2})"
    r"\s+(?:(?:foreign|defence|defense|trade|water|fisheries|energy|interior)\s+)?"
    r"(?:officials|ministers|envoys|diplomats|leaders)"
    r"\s+(?:will|are\s+(?:due|set|expected|scheduled)\s+to|are\s+to|plan\s+to)\s+"
    r"(?:meet|hold|open|begin|start|resume)\b(?!\s+(?:with\s+)?(?:the\s+)?[A-Z])"
    r"(?![^.;]*\b(?:mediat\w*|facilitat\w*|shuttl\w*|good\s+offices|auspices)\b)"
)
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
    spans += [
        (m.start("sides"), m.end("sides"))
        for pattern in (_NEGOTIATORS, _HOLDERS, _COUNTERPARTS, _MEETERS)
        for m in pattern.finditer(text)
        if not any(a <= m.start("sides") < b for a, b in spans)
    ]
    return spans + [
        (m.start("sides"), m.end("sides"))
        for m in _PAIR.finditer(text)
        if not canonical_actor(m.group("sides")).normalised  # "Guinea-Bissau" is one state
    ]


#: Just before a title's portfolio: "Personal Envoy for Western Sahara", "envoy to Ukraine".
_PORTFOLIO_BEFORE = re.compile(
    r"\b(?:envoy|envoys|representative|coordinator|adviser|advisor|mediator|rapporteur)\s+"
    r"(?:for|to|on)\s+(?:the\s+)?$",
    re.IGNORECASE,
)


#: After a name that only qualifies a noun: "brokered the truce that ended the Bougainville
#: civil war", "the Sudan crisis": the name is no agent of the role word.
_ATTRIBUTIVE = re.compile(
    r"\s+(?:civil\s+)?(?:war|conflict|crisis|insurgency|uprising|dispute|question|file)\b",
    re.IGNORECASE,
)


def _portfolio(text: str, start: int) -> bool:
    """Whether the mention at ``start`` is a title's portfolio ("the UN Personal Envoy for
    Western Sahara will convene"): the place or conflict the envoy works on, not an actor."""
    return bool(_PORTFOLIO_BEFORE.search(text[:start]))


def _place_named(text: str, start: int, end: int) -> bool:
    """Whether ``text[start:end]`` names a place the gazetteer knows, used as where something
    happens ("in Djibouti"; not "in the EU-facilitated dialogue" nor "in Qatari mediation")."""
    before = text[:start]
    if not (_PLACE_BEFORE.search(before) or _LISTED_PLACE_BEFORE.search(before)):
        return False
    if text[end : end + 1] == "-":
        return False
    return resolve_venue(text[start:end], None).normalised


#: Before the second or later place of a list: "travelled to Tokyo and Pyongyang", "in Juba,
#: Khartoum and".
_LISTED_PLACE_BEFORE = re.compile(
    r"\b(?:in|at|to)\s+(?:the\s+)?(?:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*){0,2}"
    r"(?:\s*,\s*(?:and\s+)?|\s+and\s+))+$"
)


#: "will attend as an observer", "Sweden as observer", "with observer status".
_OBSERVER = re.compile(
    r"\b(?:as\s+(?:an?\s+)?(?P<one>observer)|as\s+(?P<many>observers)"
    r"|(?:with|has|have|given|granted)\s+observer status"
    # "CARICOM will send an observer": the sender observes
    r"|send(?:s|ing)?\s+(?:an?\s+|its\s+own\s+|its\s+|their\s+)?(?:observer|(?P<sent>observers)))\b",
    re.IGNORECASE,
)
#: After a name, the observer body it sends: "an ASEAN observer team", "the AU monitoring
#: mission".
_OBSERVER_BODY = re.compile(
    r"\s+(?:observer|observation|monitoring|monitor)\s+(?:team|mission|group|delegation"
    r"|contingent|force|unit)s?\b",
    re.IGNORECASE,
)
#: A name the model wrote for an observer body: "United Nations observer team".
_NAMES_AN_OBSERVER_BODY = re.compile(_OBSERVER_BODY.pattern + r"\s*$", re.IGNORECASE)
#: Where the subject of an observer phrase starts: after a clause break, "and", "said" or
#: "with" ("A and B will act as co-mediators, with C as an observer": C).
_CLAUSE_BREAK = re.compile(
    r"[;:]|\b(?:and|while|but|whereas|said|says|told|added|announced|that|with)\b",
    re.IGNORECASE,
)


def _observing(segment: Segment, ref: ActorRef, written: str) -> bool:
    """Whether ``segment`` names ``ref`` an observer of the talks: the subject of "will attend
    as an observer" (its clause's first actor; "with Norway as guarantor and Sweden as observer"
    makes Sweden one, not Norway), or any actor of the clause before "as observers". The
    clause's mediating words before it ("The Gambia, which hosted an earlier round, will attend
    as an observer") are then about something else. A name before "observer team" ("with an
    ASEAN observer team attending") observes too."""
    text = segment.text
    if any(r == ref and _OBSERVER_BODY.match(text, b) for r, _, b in _mentions(text)):
        return True  # "with an ASEAN observer team ... attending"
    named = _mentions(text)
    for cue in _OBSERVER.finditer(text):
        head = text[: cue.start()]
        breaks = [
            m.end()
            for m in _CLAUSE_BREAK.finditer(head)
            # "Liberia and Cote d'Ivoire ... will send observers": both of a list send them
            if not (cue["sent"] and m.group(0).lower() == "and" and _joins(text, named, m))
        ]
        start = breaks[-1] if breaks and not cue["many"] else 0
        clause = [(r, a) for r, a, _ in named if start <= a < cue.start()]
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


def _joins(text: str, named: Sequence[tuple[ActorRef, int, int]], word: re.Match[str]) -> bool:
    """Whether the "and" at ``word`` joins two actors' names ("Liberia and Cote d'Ivoire")."""
    before = any(not text[b : word.start()].strip() for _, _, b in named)
    return before and any(not text[word.end() : a].strip() for _, a, _ in named)


#: Between an organisation or state and its role word, the title of the person who acts for it
#: ("African Union Commission Chairperson's Special Envoy for the Great Lakes, Joseph Roe,
#: will convene"): capitalised words, "'s", "for the", "of", commas, then an auxiliary. The
#: title must hold an office word, so "Norway and Cuba will host" is not one.
_TITLE_GAP = re.compile(
    r"(?=[^.;:]*\b(?:Envoy|Representative|Chairperson|Chairman|Chairwoman|Chair|Commissioner"
    r"|Secretary|Minister|President|Emissary|Coordinator|Adviser|Advisor|Mediator)\b)"
    r"(?:\s|,|['’]s\b|\b(?:for|of|the|on)\b|[A-Z][\w'’.-]*)*"
    r"(?:\s+(?:will|would|has|have|had|is|are|was|were|shall|can|could|to|also))*\s*"
)
#: Between a subject and its role word, a relative clause or an appositive set off by commas:
#: "(OSCE) in Moldova, which has handled contacts between the two banks since the 1990s,
#: will", "Sant'Egidio, the Catholic lay organisation that ran earlier rounds, will".
_RELATIVE_GAP = re.compile(
    r"(?:\s*\([^()]{1,20}\))?(?:\s+(?:in|of|for)\s+(?:the\s+)?[A-Z][\w'’-]*)*"
    # "..., which has handled contacts since the 1990s," or an appositive: "The Community of
    # Sant'Egidio, the Catholic lay organisation that ran earlier rounds,"
    r"\s*,\s+(?:which|who|the|an?)\s+[^;:()]{3,200}?,"
    r"(?:\s+(?:will|would|shall|has|have|had|is|are|was|were|also|now|again|agreed\s+to"
    r"|is\s+to|are\s+to|be))*\s*"
)
#: Between an organisation or state and its role word, the office that acts for it, written
#: after a possessive with the holder's name and a relative clause set off by commas: "The
#: Andean Community's secretary-general, Rosa Quispe, who proposed the meeting, will chair it".
_OWNER_TITLE_GAP = re.compile(
    r"(?:['’]s?)?\s+(?:[a-z][\w-]*\s+){0,3}?"
    r"(?i:secretary[- ]general|(?:special\s+|personal\s+)?(?:envoy|representative)"
    r"|chair(?:man|woman|person)?|president|commissioner|mediator|coordinator|secretary"
    r"|(?:foreign\s+)?minister|director[- ]general)"
    r"(?:\s+for\s+[^,;:.()]{1,40})?(?:\s*,\s+(?:[A-Z][\w'’.-]*\s*){1,5}(?=,))?"
    # an appositive after the name: ", a former Kenyan fisheries official"
    r"(?:\s*,\s+(?:a|an|the)\s+[^,;:.()]{3,80}?(?=,))?"
    r"(?:\s*,\s+(?:who|which)\s+[^;:()]{3,120}?)?,?"
    r"(?:\s+(?:will|would|shall|has|have|had|is|was|also|now|again))*\s*"
)
#: Before a sentence's subject: nothing, or "The".
_SUBJECT_START = re.compile(r"(?:The\s+)?")
#: Between a sentence's subject and a role verb that its predicate coordinates: " persuaded the
#: FPL leadership to send a delegation, drafted the agenda both sides will work from and
#: will" (no "said", "that", "which" or other clause in between).
_COORDINATED = re.compile(
    r"\s+(?:(?:has|have|had|also)\s+)?(?!(?:and|or|nor|with)\b)[a-z]+\b"
    r"(?:(?!\b(?:said|says|told|that|which|who|whom|whose|while|but|after|before|because"
    r"|when|if|as|and)\b)[^.;:])*?"
    r"(?:,\s+(?:(?!\b(?:said|says|told|that|which|who|whom|whose|while|but|after|before"
    r"|because|when|if|as|and)\b)[^.;:])*?)*"
    r",?\s+and\s+(?:(?:will|would|shall|has|have|had|is|are|was|were|also|then|now)\s+)*"
)
#: A role disclaimed: "Tanzania is hosting the meeting ... and has no role in the talks",
#: "Austria is lending a hall but plays no part", "Norway is not mediating".
_NO_ROLE = re.compile(
    r"\b(?:has|have|had|plays?|played|playing|takes?|took|with)\s+no\s+(?:role|part)\b"
    r"|\b(?:is|are|was|were)\s+not\s+(?:a\s+)?(?:mediat\w*|facilitat\w*|guarant\w*)"
    # "Oman ... is not involved either", "will not take part"
    r"|\b(?:(?:is|are|was|were)\s+not|(?:is|are|was|were)n['’]t|will\s+not\s+be)\s+"
    r"(?:involved|taking\s+part|participating)\b|\bwill\s+not\s+(?:take\s+part|participate)\b"
    # "Doha has not been asked to take part", "has not been invited to mediate"
    r"|\b(?:has|have|had)\s+not\s+been\s+(?:asked|invited)\s+to\s+(?:take\s+part|join"
    r"|participate|mediate|facilitate|help)\b",
    re.IGNORECASE,
)
#: A report of a role, denied: "Reports in the Kuwaiti press that Qatar would act as
#: co-mediator were wrong", "claims that Egypt will mediate are false".
_DENIED_REPORT = re.compile(
    r"\b(?:reports?|claims?|suggestions?|rumou?rs?)\b(?P<said>[^.;]{0,160}?)\s+(?:were|was|are|is)"
    r"\s+(?:wrong|false|untrue|incorrect|inaccurate|baseless|unfounded)\b",
    re.IGNORECASE,
)
#: Where a new clause with its own subject may start: "Egypt has no role, and Oman ...".
_NEW_CLAUSE = re.compile(r";|,\s+(?:and|but|while|whereas)\s+", re.IGNORECASE)


#: Just before a role word, an offer of it: "offered last month to mediate", "an offer to host".
_OFFERED = re.compile(
    r"\boffer(?:s|ed|ing)?\s+(?:(?:last|this|earlier|in)\s+\w+\s+|again\s+)?(?:to|of)\s+$",
    re.IGNORECASE,
)
#: Before a role word, the subject of an absolute phrase: "with Brazil facilitating", "with
#: Senegal and Guinea acting as co-mediators", "with Norway as guarantor".
_ABSOLUTE = re.compile(
    r"\bwith\s+(?P<subj>(?:the\s+)?[A-Z][^,;:.()]{1,80}?)"
    # an appositive: "with Solomon Islands and Palau, the current and incoming chairs of the
    # Pacific Islands Forum, acting as facilitators"
    r"(?:,\s+(?:the|an?|its|their|both)\s+[^;:.()]{3,100}?,)?\s+"
    r"(?:(?:acting|serving)\s+as\s+|as\s+)?(?:an?\s+|the\s+|its\s+)?(?:co-)?$"
)
#: Before a verb, a side asked to do it: "wanted Lesotho to", "asked Kabul to".
_DEMANDED = re.compile(
    r"\b(?:wants?|wanted|ask(?:s|ed)?|demand(?:s|ed)?|urg(?:e|es|ed)|call(?:s|ed)?\s+on"
    r"|press(?:es|ed)?|expect(?:s|ed)?)\s+(?:the\s+)?(?:[A-Z][\w'’.-]*(?:\s+[A-Z][\w'’.-]*)*"
    r"|it|them|the\s+other\s+side)\s+to\s+(?:(?:first|also|publicly|formally)\s+)?$"
)
#: Before a role noun, "as": "as a mediator", "as co-".
_AS_ROLE = re.compile(r"\bas\s+(?:an?\s+|the\s+)?(?:co-)?$", re.IGNORECASE)
#: Between an antecedent and the role verb of its relative clause: ", which hosted", ", who
#: has mediated".
_WHICH_BEFORE = re.compile(
    r",\s+(?:which|who)\s+(?:(?:has|have|had|also|once|first|twice|already)\s+)*(?:co-)?$"
)
#: Before a plural role noun, the words that make it a reference to the role's holders, named
#: elsewhere, as a verb's or preposition's object: "checked by the mediators", "told the
#: guarantors" (not an appositive: "Qatar and Egypt, the mediators, said").
_THE_ROLE_HOLDERS = re.compile(
    r"\b(?!(?:and|or|as|are|were|be|been|being)\b)[a-z]+\s+the\s+(?:two\s+|three\s+|four\s+)?"
    r"(?:co-)?$"
)
_HOLDER_NOUNS = frozenset(
    {"mediators", "facilitators", "guarantors", "hosts", "brokers", "sponsors"}
)
#: After such a noun, the holders named at once: "by the mediators, Qatar and Egypt".
_ROLE_NAMED_AFTER = re.compile(r"[\s,(]*(?:the\s+)?[A-Z]")
#: Before a role word, an offer or plan in the past perfect, which another took up: "which had
#: offered to host the talks in Doha", "had hoped to mediate".
_SUPERSEDED = re.compile(
    r"\bhad\s+(?:(?:first|earlier|once|also)\s+)?(?:offered|proposed|hoped|planned|wanted"
    r"|sought|asked)\s+to\s+(?:co-)?$",
    re.IGNORECASE,
)
#: After an offer, its refusal: "but Asmara turned the offer down", "which Kigali rejected".
_REFUSED = re.compile(
    r"\b(?:turn(?:ed|s)?|turning)\s+(?:the|its|that|this|their)\s+offer\s+down"
    r"|\b(?:turn(?:ed|s)?|turning)\s+down\s+(?:the|its|that|this|their)\s+offer"
    r"|\b(?:rejected|declined|refused|rebuffed|spurned)\s+(?:the|its|that|this|their|an?)\s+"
    r"(?:offer|proposal|mediation)|\bwhich\s+[A-Z][\w'’-]+\s+(?:rejected|declined|refused)\b",
    re.IGNORECASE,
)


#: A role given up: "after Hungary pulled out", "Ghana, which hosted the first round, withdrew
#: on Monday", "stepped aside"; not "withdrew its troops".
_WITHDREW = re.compile(
    r"\b(?:pull(?:ed|s|ing)?\s+out|dropped\s+out|step(?:ped|ping|s)?\s+(?:aside|down)"
    r"|withdr(?:ew|awn|aws|awing)(?!\s+(?:its|their|the|his|her|some|all)\s+\w+))\b",
    re.IGNORECASE,
)
#: Between a subject and its verb of withdrawal: nothing, an auxiliary, an adverb.
_WITHDREW_GAP = re.compile(
    r"\s+(?:(?:has|have|had|abruptly|suddenly|then|later|also|now)\s+)*", re.IGNORECASE
)
#: Around an actor another one replaces: "will chair the session in Hungary's place",
#: "replacing Ghana", "instead of Ghana".
_REPLACED_BEFORE = re.compile(r"\b(?:replacing|instead\s+of|in\s+place\s+of)\s+(?:the\s+)?$")
#: After the replaced actor's mention, with or without the "'s" it may hold: "'s place".
_IN_ITS_PLACE = re.compile(r"(?:['’]s?)?\s+place\b")


def _withdrawn(segment: Segment, ref: ActorRef, written: str) -> bool:
    """Whether ``segment`` says ``ref`` gave up its role: the subject of "pulled out",
    "withdrew" or "stepped aside" ("after Hungary pulled out", "Ghana, which hosted the first
    round in Accra, pulled out on Monday"), or the actor another one replaces ("in Hungary's
    place", "replacing Ghana")."""
    text = segment.text
    mine = [(a, b) for r, a, b in _mentions(text) if r == ref]
    for a, b in mine:
        if _REPLACED_BEFORE.search(text, 0, a):
            return True
        if _IN_ITS_PLACE.match(text, b) and re.search(r"\bin\s+$", text[:a]):
            return True  # "will chair the session in Hungary's place"
    for cue in _WITHDREW.finditer(text):
        for a, b in mine:
            if b <= cue.start() and (
                _WITHDREW_GAP.fullmatch(text, b, cue.start())
                or _subject_of(text, a, b, cue.start())
            ):
                return True
    return False


def _with_aliases(
    mentions: list[tuple[ActorRef, int, int]], aliases: Sequence[tuple[ActorRef, int, int]]
) -> list[tuple[ActorRef, int, int]]:
    """``mentions`` and the alias spans (:meth:`_Index.aliases_in`) that fall inside none of
    them."""
    return mentions + [
        (r, a, b) for r, a, b in aliases if not any(x <= a < y for _, x, y in mentions)
    ]


def _disclaimed(
    segment: Segment,
    ref: ActorRef,
    written: str,
    aliases: Sequence[tuple[ActorRef, int, int]] = (),
) -> bool:
    """Whether ``segment`` says ``ref`` has no role in the talks: the sentence's first actor,
    before a disclaimer ("Tanzania is hosting the meeting at a conference centre and has no
    role in the talks, a Tanzanian official said"; "The regional bloc ... would play no part",
    with ``aliases``, the article's other names in the segment)."""
    text = segment.text
    named = _with_aliases(list(_mentions(text)), aliases)
    for report in _DENIED_REPORT.finditer(text):
        if any(r == ref and report.start("said") <= a < report.end("said") for r, a, _ in named):
            return True  # "Reports ... that Qatar would act as co-mediator were wrong"
    for cue in _NO_ROLE.finditer(text):
        before = sorted((a, r) for r, a, _ in named if a < cue.start())
        # the subject of the disclaimer's own clause, when it has one ("Egypt has no role in
        # the new talks, and Oman, which hosted ..., is not involved either": Oman too)
        breaks = [m.end() for m in _NEW_CLAUSE.finditer(text, 0, cue.start())]
        clause = [(a, r) for a, r in before if breaks and a >= breaks[-1]]
        if clause:
            if clause[0][1] == ref:
                return True
        elif before:
            if before[0][1] == ref:
                return True
        elif written and _fold(text[: cue.start()]).startswith(_fold(written)):
            return True
    return False


def _mediating(
    segment: Segment,
    ref: ActorRef,
    written: str,
    window: int = _ROLE_WINDOW,
    aliases: Sequence[tuple[ActorRef, int, int]] = (),
) -> bool:
    """Whether ``segment`` shows ``ref`` in a mediating role: a mediating word close to one of
    its mentions, and not much closer to another actor's ("Qatar has offered to host", "under
    the auspices of the United Nations"; not NATO in "NATO ministers met in Antalya while
    Türkiye hosted the talks"). The sides of "talks between A and B" are not candidates, nor
    the actors invited to take a role ("invite Brazil to join as guarantor"), nor a place named
    as where the talks are ("in Djibouti"), nor a title's portfolio ("Personal Envoy for Western
    Sahara"), nor an observer ("will attend as an observer"), nor an actor the segment says has
    no role ("is hosting the meeting ... and has no role in the talks")."""
    if _observing(segment, ref, written) or _disclaimed(segment, ref, written, aliases):
        return False
    sides = _side_spans(segment.text) + [
        (m.start("invited"), m.end("invited")) for m in _INVITED.finditer(segment.text)
    ]
    mentions = [
        (r, a, b)
        for r, a, b in _mentions(segment.text)
        if not any(s0 <= a < s1 for s0, s1 in sides)
        and not _place_named(segment.text, a, b)
        and not _portfolio(segment.text, a)
        and not _ATTRIBUTIVE.match(segment.text, b)
    ]
    mentions = _with_aliases(mentions, aliases)  # "A deputy secretary-general of the League"
    if not any(r == ref for r, _, _ in mentions):
        low, name = _fold(segment.text), _fold(written)
        at = low.find(name) if name else -1
        if (
            at < 0
            or any(s0 <= at < s1 for s0, s1 in sides)
            or _place_named(low, at, at + len(name))
            or _portfolio(low, at)
            or _ATTRIBUTIVE.match(low, at + len(name))
        ):
            return False
        mentions.append((ref, at, at + len(name)))
    for cue in MEDIATING.finditer(segment.text):
        if _OFFERED.search(segment.text, 0, cue.start()) and _REFUSED.search(
            segment.text, cue.end()
        ):
            continue  # "offered last month to mediate ..., but Asmara turned the offer down"
        if _SUPERSEDED.search(segment.text, 0, cue.start()):
            continue  # "Qatar, which had offered to host the talks in Doha, said it backed"
        if _hosts_another_meeting(segment.text, cue):
            continue  # "will host the group's foreign ministers", "a conference ... X will host"
        if cue.group(0).lower().startswith("guarant") and _DEMANDED.search(
            segment.text, 0, cue.start()
        ):
            continue  # "wanted Lesotho to guarantee first that ...": a side's promise asked
        if (
            cue.group(0).lower() in _HOLDER_NOUNS
            and _THE_ROLE_HOLDERS.search(segment.text, 0, cue.start())
            and not _ROLE_NAMED_AFTER.match(segment.text, cue.end())
        ):
            continue  # "guarantees, checked by the mediators, that Kabul would": others'
            # role, named by it (an actor beside it is no holder)
        if cue.group(0).lower().startswith("chair") and _CHAIRS_A_BODY.match(
            segment.text, cue.end()
        ):
            continue  # "which chairs ASEAN this year": an office in another body
        by = _BY.match(segment.text, cue.end())
        if by:  # "to be hosted by Türkiye": the role is the agent's alone
            agent = by.end()  # "hosted by the Prime Minister of Ethiopia": Ethiopia
            if any(r == ref for r, _, _ in _agents(segment.text, agent, mentions)) or (
                _fold(segment.text[agent:]).startswith(_fold(written))
            ):
                return True
            continue  # another cue may still show it ("..., who has mediated ...")
        owner = next(
            (r for r, _, b in mentions if _possessive(segment.text, b, cue.start())),
            None,
        )
        if owner is not None:  # "Qatar's mediation": the role is Qatar's alone
            if owner == ref:
                return True
            continue
        absolute = _ABSOLUTE.search(segment.text, 0, cue.start())
        word = cue.group(0).lower()
        if absolute is not None and word.endswith(("ing", "or", "ors")):
            # "with Brazil facilitating", "with Senegal and Guinea acting as co-mediators": the
            # role is theirs alone, not that of an actor named just before ("Bolivia's")
            holders = {
                r for r, a, _ in mentions if absolute.start("subj") <= a < absolute.end("subj")
            }
            if holders:
                if ref in holders:
                    return True
                continue
        relative = _WHICH_BEFORE.search(segment.text, 0, cue.start())
        if relative is not None:
            # "Hargeisa long rejected Turkiye, which hosted the leaders in 2013, as": the role
            # of the relative clause is its antecedent's alone
            antecedents = {r for r, _, b in mentions if b == relative.start()}
            if antecedents:
                if ref in antecedents:
                    return True
                if not any(r == ref and a > cue.start() for r, a, _ in mentions):
                    continue  # not an actor before it ("who has mediated ... together with
                    # the African Union" still shares the role)
        gaps: dict[ActorRef, int] = {}
        for r, a, b in mentions:
            if _OBJECT_VERB.fullmatch(cue.group(0)) and _OBJECT_GAP.fullmatch(
                segment.text, cue.end(), a
            ):
                continue  # "which chairs ASEAN", "hosting Russia and Ukraine": the object
            if _in_a_relative_clause(segment.text, mentions, r, a, b, cue.start()):
                continue  # "The Philippines, which holds the chairmanship of ASEAN, will chair"
            gap = max(cue.start() - b, a - cue.end(), 0)
            if b <= cue.start() and _subject_of(segment.text, a, b, cue.start()):
                gap = 0
            gaps[r] = min(gap, gaps.get(r, gap))
        ordered = sorted((m for m in mentions if m[0] in gaps), key=lambda m: m[1])
        for _ in ordered:  # until nothing changes: a list's first actor shares its last's role
            before = dict(gaps)
            for (r0, _, b0), (r, a, _) in itertools.pairwise(ordered):
                # "who has mediated ... together with the United States": joined, it shares
                # the role
                if r0 in gaps and _JOINED.fullmatch(segment.text, b0, a):
                    gaps[r] = min(gaps[r], gaps[r0])
                # "Barbados, Brazil and the Caribbean Community (CARICOM) will serve as
                # mediators": the actors of one list share the role word after or before it
                elif r0 != r and _LISTED.fullmatch(segment.text, b0, a):
                    gaps[r] = gaps[r0] = min(gaps[r], gaps[r0])
            if gaps == before:
                break
        mine = gaps.get(ref)
        if _AS_ROLE.search(segment.text, 0, cue.start()):
            # "rejected Turkiye ... as a mediator": the role of "as" is the nearest actor's
            # before it (and its list's), not one's a little farther back
            preceding = [(b, r) for r, _, b in mentions if r in gaps and b <= cue.start()]
            nearest = max(preceding, key=lambda m: m[0])[1] if preceding else None
            if nearest is not None and mine is not None and mine > gaps[nearest]:
                continue
        if mine is not None and mine <= window and mine <= min(gaps.values()) + _ROLE_SLACK:
            return True
    return False


#: A relative clause set off by commas: ", which holds the rotating chairmanship of ASEAN this
#: year,".
_RELATIVE_CLAUSE = re.compile(r",\s+(?:which|who|whose)\b[^;:()]{3,200}?,")


def _in_a_relative_clause(
    text: str,
    mentions: Sequence[tuple[ActorRef, int, int]],
    ref: ActorRef,
    start: int,
    end: int,
    cue: int,
) -> bool:
    """Whether the mention ``text[start:end]`` of ``ref`` is inside a relative clause that
    qualifies another actor just before it and closes before the role word at ``cue``: the
    clause's actor is not the role verb's subject ("The Philippines, which holds the rotating
    chairmanship of ASEAN this year, will chair the session": ASEAN does not chair)."""
    for clause in _RELATIVE_CLAUSE.finditer(text, 0, cue):
        c0, c1 = clause.span()
        if not (c0 < start and end < c1 and c1 <= cue):
            continue
        if any(r != ref and c0 - 25 <= b <= c0 for r, _, b in mentions):
            return True
    return False


def _subject_of(text: str, start: int, end: int, cue: int) -> bool:
    """Whether the mention ``text[start:end]`` is the subject of the role word at ``cue``, with
    words between them that do not count as distance: a person's title ("the AU Commission
    Chairperson's Special Envoy ..., Jane Roe, will convene"), a relative clause ("The OSCE
    mission in Moldova, which has handled contacts since the 1990s, will chair the meeting"),
    or, for the sentence's subject, the rest of a predicate that goes on to the role verb
    ("Chad persuaded the FPL leadership to send a delegation, drafted the agenda and will run
    the sessions": Chad, not the FPL named nearer it)."""
    if _TITLE_GAP.fullmatch(text, end, cue) or _RELATIVE_GAP.fullmatch(text, end, cue):
        return True
    # "Qatar's", "the Commonwealth of Independent States'" (the mention may hold the mark)
    owned = text[end - 2 : end] in ("'s", "’s") or any(c in "'’" for c in text[end - 1 : end + 1])
    if owned and _OWNER_TITLE_GAP.fullmatch(text, end, cue):
        return True  # "The Andean Community's secretary-general, ..., will chair it"
    if _JOIN_GAP.fullmatch(text, end, cue):
        return True  # "Oman, which at first offered only the venue, agreed ... to join them as"
    if _SPEECH_GAP.fullmatch(text, end, cue):
        return True  # "... (OAS) said in a joint statement that they would co-facilitate"
    if _OFFICIAL_OF.fullmatch(text, 0, start) and _NAMED_PREDICATE.fullmatch(text, end, cue):
        return True  # "A deputy secretary-general of the League, Jane Roe, has spent a month"
    if not _SUBJECT_START.fullmatch(text, 0, start):
        return False
    # "Mauritania, which borders both countries, proposed the meeting and will chair it"
    relative = _RELATIVE_CLAUSE.match(text, end)
    after = relative.end() if relative else end
    return bool(_COORDINATED.fullmatch(text, after, cue))


#: What a late co-mediator joins: "join them as", "join the talks as".
_JOIN_OBJECT = r"(?:(?:them|the\s+talks|the\s+process|the\s+mediation|the\s+mediators)\s+)?"
#: Between a late co-mediator and its role: ", which at first offered only the venue, agreed
#: on Wednesday to join them as a third co-".
_JOIN_GAP = re.compile(
    r"(?:,\s+(?:which|who)\s+[^;:()]{3,120}?,)?\s+(?:has\s+|have\s+)?agreed"
    r"(?:\s+on\s+[A-Z]\w+)?\s+to\s+join\s+" + _JOIN_OBJECT + r"as\s+(?:an?\s+|the\s+)?"
    r"(?:second\s+|third\s+|fourth\s+)?(?:co-)?"
)
#: Between the actors of a statement and the role it gives them: " (OAS) said in a joint
#: statement that they would", " said on Tuesday it will" (its own role, in reported speech).
_SPEECH_GAP = re.compile(
    r"(?:\s*\([^()]{1,20}\))?,?\s+(?:said|say|says|announced|confirmed)"
    r"(?:\s+(?:in\s+a\s+(?:joint\s+)?statement|on\s+[A-Z]\w+|late\s+on\s+[A-Z]\w+)){0,2}"
    r"\s+(?:that\s+)?(?:they|it)\s+(?:would|will|had\s+agreed\s+to|have\s+agreed\s+to"
    r"|has\s+agreed\s+to)\s+(?:(?:jointly|also|again|now)\s+)?(?:act\s+as\s+|serve\s+as\s+)?"
    r"(?:co-)?"
)
#: Before an organisation or state that acts through an official named after it, from the
#: sentence's start: "A deputy secretary-general of (the)", "The special envoy of (the)".
_OFFICIAL_OF = re.compile(
    r"(?:An?|The)\s+(?:[a-z][\w-]*\s+){0,3}?"
    r"(?i:secretary[- ]general|(?:special\s+|personal\s+)?(?:envoy|representative)"
    r"|chair(?:man|woman|person)?|president|commissioner|mediator|coordinator|secretary"
    r"|(?:foreign\s+)?minister|director[- ]general|official|diplomat)"
    r"\s+(?:of|from)\s+(?:the\s+)?"
)
#: After it, the official's name set off by commas, then the predicate up to the role word:
#: ", Karim Adel Mansour, has spent a month" (no "said" or other verb of speech).
_NAMED_PREDICATE = re.compile(
    r",\s+(?:[A-Z][\w'’.-]*\s*){1,5},\s+(?:(?:has|have|had|will|would|shall|is|was|also|now)\s+)*"
    r"(?:(?!(?:said|says|told|tells|added|that|which|who)\b)[a-z][\w'-]*\s+){0,4}?"
)


#: A gathering that is not the talks: "a reconstruction conference", "the group's foreign
#: ministers", "a summit of ...", "the Games".
_OTHER_MEETING = (
    # "the foreign ministers of Armenia and Azerbaijan" are the sides: not another meeting
    r"(?:conference|summit|forum|congress|ministerial|(?:(?:foreign|defence|defense|finance)\s+)?"
    r"ministers(?!\s+of\b)|leaders(?!\s+of\b)|heads\s+of\s+state(?!\s+of\b)"
    r"|(?:meeting|gathering)\s+of|games|olympics|world\s+cup|ceremony|festival|exhibition|expo)"
)
#: After "host": up to four words, none of them the talks ("will host the talks on the
#: sidelines of the summit" hosts the talks), then another gathering.
_HOSTS_AFTER = re.compile(
    r"\s+(?:(?!(?:talks|negotiations|rounds?|sessions?|meeting|dialogue|delegations)\b)"
    rf"[\w'’-]+\s+){{0,4}}?{_OTHER_MEETING}\b",
    re.IGNORECASE,
)
_HOSTED_BEFORE = re.compile(
    rf"\b{_OTHER_MEETING}\b[^.;]{{0,120}}?,?\s+which\s+[^.;]{{0,40}}$", re.IGNORECASE
)


def _hosts_another_meeting(text: str, cue: re.Match[str]) -> bool:
    """Whether the role word ``cue`` is hosting another gathering, not the talks: "will host the
    group's foreign ministers in Manila", "a reconstruction conference ..., which Saudi Arabia
    is due to host" (not "will host the talks", "hosted the meeting")."""
    if not cue.group(0).lower().startswith(("host", "chair", "conven")):
        return False  # "The summit of ... (BIMSTEC), which Bangladesh chairs this year": too
    return bool(_HOSTS_AFTER.match(text, cue.end()) or _HOSTED_BEFORE.search(text, 0, cue.start()))


#: A role verb whose next name is its object, not a co-agent: "chairs ASEAN", "hosts Iran".
_OBJECT_VERB = re.compile(
    r"(?:host|hosts|hosting|chair|chairs|chaired|chairing|convene|convenes|convened|convening"
    r"|sponsor|sponsors|sponsored|sponsoring)",
    re.IGNORECASE,
)
#: "hosts Iran", "hosts the EU", "hosts a Gulf Cooperation Council meeting": the object.
_OBJECT_GAP = re.compile(r"\s+(?:the\s+|a\s+|an\s+)?")
#: After "chairs": a body's name ("chairs ASEAN", "chairs the Organization of Turkic States"),
#: not the talks ("chairs the talks", "will chair the sessions").
_CHAIRS_A_BODY = re.compile(r"\s+(?:the\s+)?[A-Z]")


def _agents(
    text: str, agent: int, mentions: list[tuple[ActorRef, int, int]]
) -> list[tuple[ActorRef, int, int]]:
    """The mentions that are the agent of "... by" at ``agent``, with those listed after it
    ("mediated by Mauritania and the United Nations")."""
    ordered = sorted(mentions, key=lambda m: m[1])
    first = next((i for i, m in enumerate(ordered) if m[1] == agent), None)
    if first is None:
        return []
    found = [ordered[first]]
    for m in ordered[first + 1 :]:
        if m[1] < found[-1][2]:
            continue  # the same run read twice, or a shorter one inside it
        if not _AGENT_LISTED.fullmatch(text, found[-1][2], m[1]):
            break
        found.append(m)
    return found


#: Between two agents of one "by": "Mauritania and the United Nations", "Oman, Qatar".
#: An aside may follow the first: "The European Union, through its monitoring mission, and".
#: After an agent, the office it acts through may follow: "by the office of the UN Special
#: Envoy and the ICRC".
_AGENT_LISTED = re.compile(
    r"(?:\s+(?:(?:Special|Personal|Deputy)\s+)?(?:Envoy|Representative|Coordinator|Mission)"
    r"(?:\s+for\s+[A-Z][\w'’-]*)?)?"
    # the official it acts through, after a possessive: "the bloc's commission president and
    # by Nigeria's foreign minister"
    r"(?:['’]s?\s+(?:[a-z][\w-]*\s+){0,2}?(?i:secretary[- ]general|president|chair(?:man|woman"
    r"|person)?|(?:foreign\s+)?minister|envoy|representative|commissioner|secretary))?"
    # an aside on how the first acts: "The European Union, through its monitoring mission, and"
    r"(?:,\s+(?:through|via|with)\s+(?:its|their|the)\s+[^,;:.()]{1,40}(?=,))?"
    r"\s*(?:,\s*|,?\s+and\s+)(?:by\s+)?(?:the\s+)?"
)

#: "hosted by", "hosted by the Emir of", "mediated by the Government of": where the agent is.
_BY = re.compile(
    r"\s+by\s+(?:the\s+)?(?:(?:Emir|King|Queen|Sultan|Crown\s+Prince|President|Prime\s+Minister"
    r"|Premier|Chancellor|Government|Foreign\s+Minister|Foreign\s+Ministry|Secretary-General"
    r"|Presidency|[Oo]ffice|[Ss]ecretariat)\s+of\s+(?:the\s+)?)?"
)
#: Between two actors of one list: "Oman, Qatar", "Nigeria and the Economic Community of
#: West African States (ECOWAS)" (a long name the tables do not know, then its acronym).
_LISTED = re.compile(
    _AGENT_LISTED.pattern
    + r"(?:[A-Z][\w'’.-]*(?:\s+(?:of|for|on|and|the|[A-Z][\w'’.-]*)){0,8}\s+\()?"
)
#: Between an actor and its role word: "Qatar's mediation", "Norway's good offices".
_POSSESSIVE = re.compile(r"['’]s?\s+(?:(?:continued|renewed|offer\s+of|own)\s+)?")


def _possessive(text: str, end: int, cue: int) -> bool:
    """Whether the mention ending at ``end`` owns the role word at ``cue`` ("Qatar's
    mediation", "Hamas' offer of mediation"); the mention may hold the "'s" itself."""
    return any(
        _POSSESSIVE.fullmatch(text, at, cue)
        for at in (end, end - 2, end - 1)
        if at >= 0 and text[at : at + 1] in ("'", "’")
    )


#: Between an actor in a role and one that shares it: "..., together with the United States".
_JOINED = re.compile(
    r"[^.;:]{0,80}?,?\s+(?:together|jointly|along)\s+with\s+(?:the\s+)?|\s+alongside\s+(?:the\s+)?"
)


#: A segment about talks: "talks", "will convene delegations", "to discuss".
_TALKS_WORD = re.compile(
    r"\b(?:talks|negotiations|dialogue|meet|meets|meeting|summit|round|discuss(?:es|ed|ing)?"
    r"|conven(?:e|es|ed|ing)|delegations)\b",
    re.IGNORECASE,
)


def _sides(
    segments: Iterable[Segment], index: _Index | None = None
) -> list[tuple[ActorRef, str, Segment]]:
    """The actors named as the sides of talks ("between A and B") in ``segments``; with
    ``index``, also the groups the article gives an acronym ("and the Ambazonia Governing
    Council (AGovC)"). A segment that says an actor has no role names another channel's sides,
    if any."""
    found: list[tuple[ActorRef, str, Segment]] = []
    for segment in segments:
        if not _TALKS_WORD.search(segment.text) or _NO_ROLE.search(segment.text):
            continue  # "Oman, which has carried messages between Riyadh and the Houthis, has
            # no role in the round": another channel's sides
        for start, end in _side_spans(segment.text):
            span = segment.text[start:end]
            refs = set(_mentioned(span))
            if index is not None:
                refs = {index.governing(r) for r in refs} | set(index.acronyms_in(span))
            for ref in sorted(refs, key=lambda r: r.name):
                found.append((ref, ref.name, segment))
    return found


_FUTURE = re.compile(
    r"\b(?:will|shall|is to|are to|to be held|is set to|are set to|plans? to|planned"
    r"|scheduled|expected|would|next|upcoming|offered to|ready to|proposed)\b",
    re.IGNORECASE,
)

#: A segment about an earlier meeting: "The previous round ... ended", "last met in 2024".
_EARLIER = (
    r"\b(?:(?:earlier|previous|last|past|prior|preceding)\s+(?:rounds?|sessions?|talks"
    r"|meetings?|summits?)|last\s+(?:met|talked|convened|gathered))\b"
)
_EARLIER_MEETING = re.compile(_EARLIER, re.IGNORECASE)


def _about_an_earlier_meeting(segment: Segment) -> bool:
    """Whether ``segment`` is about an earlier meeting and not about talks to come ("The
    previous round was hosted by Morocco in Rabat", not "Qatar, which hosted the previous
    round, will host the next", nor "The talks are mediated by A and B, which have kept in
    touch with both sides since the last session"), or about a separate track ("held a separate
    three-way meeting in Kabul, and Beijing has offered to host another")."""
    if _SEPARATE.search(segment.text):
        return True  # "held a separate three-way meeting ..., and Beijing has offered to host
        # another": another track, whatever is to come in it
    earlier = [
        m
        for m in _EARLIER_MEETING.finditer(segment.text)
        if not _SINCE.search(segment.text, 0, m.start())
    ]
    return bool(earlier) and not _FUTURE.search(segment.text)


#: Another track of talks: "a separate three-way meeting", "separate talks".
_SEPARATE = re.compile(
    r"\bseparate\s+(?:[\w-]+\s+){0,2}?(?:meetings?|talks|tracks?|rounds?|channels?|summits?)\b",
    re.IGNORECASE,
)


#: A year: "in 2018", "the 2018 agreement".
_YEAR = re.compile(r"\b(?:19|20)\d\d\b")
#: Before a year that starts a span to now: "since 2022", "since early 2024".
_SINCE_YEAR = re.compile(r"\bsince\s+(?:(?:early|late|mid-?)\s*)?(?:[A-Z][a-z]+\s+)?$")


def _a_dated_past_role(segment: Segment) -> bool:
    """Whether every role word of ``segment`` is in the past tense and the segment dates it to
    a year, with nothing about talks to come: "The two countries signed a peace agreement in
    2018 that was brokered by the United Arab Emirates", "rejected the 2016 agreement, a deal
    for which Cuba and Norway acted as guarantors" (an earlier deal's mediators), not
    "Finland, which helped broker the 1999 agreement, is mediating" nor "Kenya has mediated
    since 2022"."""
    text = segment.text
    if _FUTURE.search(text):
        return False
    if not any(not _SINCE_YEAR.search(text, 0, m.start()) for m in _YEAR.finditer(text)):
        return False
    cues = list(MEDIATING.finditer(text))
    past_clause = bool(_PAST_VERB.search(text))
    return bool(cues) and all(
        c.group(0).lower().endswith("ed")
        or _PAST_AS.search(text, 0, c.start())
        or (past_clause and _WITH_AS.search(text, 0, c.start()))
        for c in cues
    )


#: Before a role noun in an absolute phrase: "The 2016 agreement was signed in Havana, with Cuba
#: and Norway as guarantors" (past when the sentence's verb is).
_WITH_AS = re.compile(r"\bwith\s+[^.;:]{1,80}?\s+as\s+(?:the\s+|its\s+|their\s+)?(?:co-?)?$")
#: A past verb of an event: "was signed", "were held", "ended".
_PAST_VERB = re.compile(
    r"\b(?:was|were)\s+(?:signed|held|reached|concluded|agreed|brokered|negotiated)\b"
    r"|\b(?:signed|ended|concluded)\b",
    re.IGNORECASE,
)


#: Before a role noun, a past verb: "a deal for which Cuba and Norway acted as guarantors".
_PAST_AS = re.compile(
    r"\b(?:acted|served|were|was|had\s+been)\s+(?:as\s+)?(?:the\s+|its\s+|their\s+)?"
    r"(?:co-?)?$",
    re.IGNORECASE,
)


#: Just before an earlier meeting named as a point in time ("since the last session") or as
#: one of all the rounds a standing mediator served ("at each of the three earlier rounds").
_SINCE = re.compile(
    r"\b(?:(?:since|after)\s+(?:the\s+|its\s+|their\s+)?"
    r"|(?:each|all|every|both)\s+(?:of\s+)?(?:the\s+)?(?:(?:two|three|four|five|six|\d+)\s+)?)$",
    re.IGNORECASE,
)


#: A sentence about the talks themselves, or their sides, without naming a party.
_THE_TALKS = re.compile(
    r"\b(?:talks|negotiations|dialogue|discussions|delegations|peace|ceasefire|truce|deal"
    r"|agreement|accord|process|round"
    r"|both sides|two sides|the parties|both parties"
    r"|both (?:governments|countries|capitals|delegations|neighbours|neighbors)"
    r"|the two (?:countries|nations|sides|delegations|leaders|governments|parties|neighbours"
    r"|neighbors|rivals|states|capitals)"
    r"|between the two \w+)\b",
    re.IGNORECASE,
)
#: "will chair the sessions", "proposed the meeting": the talks the article is about, for a
#: mediator's role (not "the meeting of NATO ministers").
#: "the meeting", "that session": the talks of the sentence before ("the Bahraini and Qatari
#: delegations will hold their own session there" ... "will chair that session").
_THE_MEETING = re.compile(
    r"\b(?:the|that|this|their|its)\s+(?:meeting|sessions?)\b(?!\s+of\b)", re.IGNORECASE
)


#: A role word with no object, ending its sentence: "Togo and Ghana are jointly mediating."
_BARE_ROLE = re.compile(r"(?:" + MEDIATING.pattern + r")[\s\"”’'.!]*$", re.IGNORECASE)

#: A sentence that goes on from the one before: "They announced ...", "The two sides ...".
_GOES_ON = re.compile(
    r"(?:They|He|She|It|Both|The two|The delegations|The sides"
    r"|The (?:meeting|session|talks|round|negotiations))\b"
)


#: A role taken up for talks to come: "Togo, Ghana and ECOWAS will act as mediators".
_FUTURE_ROLE = re.compile(
    r"\b(?:will|shall|are to|is to|are set to|is set to|have agreed to|has agreed to)\s+"
    r"(?:also\s+|jointly\s+|together\s+)?(?:act|serve)\s+as\s+(?:the\s+)?(?:talks'\s+)?"
    r"(?:co-?)?(?:mediators?|facilitators?|guarantors?|hosts?|chairs?|go-betweens?"
    r"|intermediar(?:y|ies))\b"
    # "agreed on Wednesday to join them as a third co-chair"
    r"|\bagreed(?:\s+on\s+[A-Z]\w+)?\s+to\s+join\s+" + _JOIN_OBJECT + r"as\s+(?:an?\s+|the\s+)?"
    r"(?:second\s+|third\s+|fourth\s+)?(?:co-?)?(?:mediators?|facilitators?|guarantors?|chairs?)\b",
    re.IGNORECASE,
)


#: A role verb for talks to come whose object is the talks: "will chair it", "is to mediate
#: the talks", "has agreed to facilitate the negotiations", "will host and chair the talks".
_FUTURE_ROLE_VERB = re.compile(
    r"\b(?:will|shall|is\s+to|are\s+to|is\s+set\s+to|are\s+set\s+to|has\s+agreed\s+to"
    r"|have\s+agreed\s+to)\s+(?:also\s+|jointly\s+|again\s+)?(?:host\s+and\s+)?(?:co-?)?(?:chair|mediate"
    r"|facilitate|broker|convene|moderate|preside\s+over)(?:\s+(?:it|them|the\s+(?:talks|meeting"
    r"|sessions?|negotiations|round|dialogue))\b|(?=\s*[,.;]))",
    re.IGNORECASE,
)


def _takes_up_a_role(segment: Segment) -> bool:
    """Whether ``segment`` gives someone a role in talks to come ("Brazil has agreed to act as
    co-mediator", "the secretary-general ... will chair it"), whichever segment the model
    cited for the talks."""
    return bool(_FUTURE_ROLE.search(segment.text) or _FUTURE_ROLE_VERB.search(segment.text))


def _in_these_talks(segment: Segment, index: _Index, parties: list[Actor]) -> bool:
    """Whether ``segment`` names the talks or a party, takes up a role for talks to come
    ("Togo, Ghana and ECOWAS will act as mediators"), or goes on from one that does (a
    sentence that starts "They ..." or ends on its role word: "Kenya and Uganda are jointly
    mediating.")."""
    if _takes_up_a_role(segment) or _THE_MEETING.search(segment.text):
        return True
    for _ in range(3):
        if _THE_TALKS.search(segment.text) or any(
            index.mentions(segment, _ref(p), p.mention) for p in parties
        ):
            return True
        before = index.segments.get(segment.id - 1)
        if before is None or not (_GOES_ON.match(segment.text) or _BARE_ROLE.search(segment.text)):
            return False
        segment = before
    return False
