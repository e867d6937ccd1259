"""The fake model: an answer derived from the article, in the shape the request asks for."""

from __future__ import annotations

import json
import re
from functools import lru_cache
from typing import Any, Literal

from .._segments import unnumber

# --------------------------------------------------------------------------- the answer

_MONTHS = "January February March April May June July August September October November December"
_STOP = frozenset(
    f"{_MONTHS} Monday Tuesday Wednesday Thursday Friday Saturday Sunday A An And As At But By "
    "For From He Her His However If In It Its Mr Mrs Ms Dr Of On Or She So The Their There "
    "These They This Those To We When While With".split()
)
_SENTENCE = re.compile(r"\S[^.!?\n]*[.!?]*")
_CAPS = r"[A-Z][A-Za-z'-]+(?: [A-Z][A-Za-z'-]+)*"
_NAME = re.compile(rf"\b{_CAPS}")
_MEDIATOR = re.compile(rf"(?:mediated|hosted|brokered|facilitated) by (?:the )?({_CAPS})")
_VENUE = re.compile(rf"\bin ({_CAPS})")
_MONTH = _MONTHS.replace(" ", "|")
_DATE = re.compile(rf"\b(?:(?:{_MONTH}) \d{{1,2}}|\d{{1,2}} (?:{_MONTH}))\b")
_FAKE_ANSWER = re.compile(r"^FAKE-ANSWER: ?(.*?)\r?$", re.M)


def _clean(name: str, start: int) -> tuple[str, int] | None:
    """Drop leading stop words and a possessive; None when nothing is left."""
    words = name.split(" ")
    while words and words[0] in _STOP:
        start += len(words.pop(0)) + 1
    clean = " ".join(words).removesuffix("'s")
    return (clean, start) if len(clean) >= 2 else None


def fake_answer(article: str) -> dict[str, Any]:
    """The extraction the server answers for ``article``; every quote is a verbatim passage.

    Summary: the first sentence (200 chars at most). Mediators: names after "mediated /
    hosted / brokered / facilitated by". Parties: the first two other capitalised names.
    Venue: "in <Name>". Talks date: "<Month> <day>" or "<day> <Month>". Positions: one per
    sentence containing "said". Quotes: the sentence holding the item (300 chars at most).
    """
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(article)]

    def quote_at(pos: int) -> str | None:
        start, end = next(((s, e) for s, e in spans if s <= pos < e), (pos, len(article)))
        start = pos if pos >= start + 300 else start
        quote = article[start : min(end, start + 300)].rstrip()
        return quote if len(quote.strip()) >= 4 else None

    def actor(name: str, pos: int) -> dict[str, Any] | None:
        quote = quote_at(pos)
        return {"name": name, "kind": "state", "quote": quote} if quote else None

    names = [c for m in _NAME.finditer(article) if (c := _clean(m.group(0), m.start()))]
    mediators: dict[str, dict[str, Any]] = {}
    for m in _MEDIATOR.finditer(article):
        found = _clean(m.group(1), m.start(1))
        if found and len(mediators) < 2 and (item := actor(*found)):
            mediators.setdefault(found[0].casefold(), item)
    venue: dict[str, Any] | None = None
    for m in _VENUE.finditer(article):
        found = _clean(m.group(1), m.start(1))
        if found and found[1] == m.start(1) and (quote := quote_at(found[1])):
            venue = {"city": found[0], "country": None, "site": None, "quote": quote}
            break
    taken = set(mediators) | ({venue["city"].casefold()} if venue else set())
    parties: dict[str, dict[str, Any]] = {}
    for name, pos in names:
        if len(parties) < 2 and name.casefold() not in taken and (item := actor(name, pos)):
            parties.setdefault(name.casefold(), item)
    positions: list[dict[str, Any]] = []
    for start, end in spans:
        who = next((n for n, p in names if start <= p < end), None)
        if who and " said" in article[start:end] and len(positions) < 5:
            stance = f"{who} made a public statement about the talks."
            if quote := quote_at(start):
                positions.append({"actor": who, "stance": stance, "quote": quote})
    date = _DATE.search(article)
    return {
        "summary": article[spans[0][0] : spans[0][1]][:200] if spans else "The article is empty.",
        "language": "en",
        "talks_status": "proposed",
        "mediators": list(mediators.values()),
        "parties": list(parties.values()),
        "venue": venue,
        "talks_date": {"text": date.group(0), "quote": date.group(0)} if date else None,
        "positions": positions,
    }


def fake_segment_answer(article: str, *, cite: bool = True) -> dict[str, Any]:
    """:func:`fake_answer` in the segment shape of ``extract-v2`` for ``article`` (the body).

    The same items, each citing the segment (:func:`diplosum._segments.split_segments`) its
    quote came from; with ``cite=False`` the ``extract-v2-align`` shape, where only positions
    cite a segment. Mediators and parties become actors with a role.
    """
    from .._segments import split_segments

    segments = split_segments(article)
    v1 = fake_answer(article)

    def seg(quote: str | None) -> int:
        pos = article.find(quote) if quote else -1
        return next((s.id for s in reversed(segments) if s.start <= pos), 1)

    def cited(item: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return {**fields, "segments": [seg(item["quote"])]} if cite else fields

    actors = [
        cited(a, name=a["name"], role=role)
        for role, key in (("mediator", "mediators"), ("party", "parties"))
        for a in v1[key]
    ]
    venue = v1["venue"]
    if venue is not None:
        fields = {k: venue[k] for k in ("city", "country")}
        venue = {**fields, "segment": seg(venue["quote"])} if cite else fields
    date = v1["talks_date"]
    if date is not None:
        date = (
            {"text": date["text"], "segment": seg(date["quote"])}
            if cite
            else {"text": date["text"]}
        )
    positions = [
        {"actor": p["actor"], "speaker": None, "stance": p["stance"], "segment": seg(p["quote"])}
        for p in v1["positions"]
    ]
    return {
        "actors": actors,
        "venue": venue,
        "talks_date": date,
        "talks_status": v1["talks_status"],
        "positions": positions,
        "summary": v1["summary"],
        "language": v1["language"],
    }


def _shape(body: bytes) -> Literal["quotes", "cited", "brief", "named"]:
    """The answer shape a request asks for, read off the schema it carries."""
    if b"BriefExtraction" in body:
        return "brief"
    if b"CitedActor" in body:
        return "cited"
    return "named" if b"NamedActor" in body else "quotes"


@lru_cache(maxsize=4096)
def _answer_json(article: str, shape: str = "quotes") -> str:
    match = _FAKE_ANSWER.search(article)
    if match:
        return match.group(1)
    if shape == "quotes":
        return json.dumps(fake_answer(article))
    answer = fake_segment_answer(article, cite=shape in ("cited", "brief"))
    if shape == "brief":  # extract-v3 does not ask for a summary
        del answer["summary"]
    return json.dumps(answer)


def _article(messages: Any) -> tuple[str, int]:
    """The article in the last user message that has the markers (a re-ask adds one without),
    else the whole last user message; and the prompt's length in characters."""
    chars, user, article = 0, "", None
    for message in messages if isinstance(messages, list) else []:
        message = message if isinstance(message, dict) else {}
        content = message.get("content")
        if isinstance(content, list):  # content parts
            content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        content = content if isinstance(content, str) else ""
        chars += len(content)
        if message.get("role") == "user":
            user = content
            start, end = content.find("<article>\n"), content.rfind("\n</article>")
            article = content[start + 10 : end] if 0 <= start <= end - 9 else article
    if article is not None:  # a segment prompt numbers the body: take the numbers out
        article = unnumber(article) or article
    return (user if article is None else article), chars
