"""Build the public summary from a validated extraction, locally.

Every quote is located in the article (items whose quote cannot be found are
dropped and reported, never presented as verified), actors are normalised and
merged, the venue is resolved to a country, and the date phrase is resolved
against the publication date in the direction the talks' status implies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from pydantic import BaseModel, ValidationError

from ._article import Article
from ._grounding import ArticleIndex
from ._schema import (
    Actor,
    ActorMention,
    DiplomaticSummary,
    Dropped,
    Evidence,
    Extraction,
    Position,
    TalksDate,
    Venue,
)
from .normalise import canonical_actor, direction_for_status, resolve_date, resolve_venue

__all__ = ["BUILD_VERSION", "Shape", "build_summary", "lenient_extraction", "shape_for"]

#: Bumped when building or normalisation changes what a summary holds. Not part of cache
#: keys: a cached answer built by another version is rebuilt from its raw model output, locally.
BUILD_VERSION = "84"
_FENCE = re.compile(r"^\s*```(?:json)?\s*|\s*```\s*$")


def lenient_extraction(raw: str, model: type[BaseModel] = Extraction) -> Any:
    """Parse a raw model answer without grounding checks (for the last-chance salvage)."""
    text = _FENCE.sub("", raw.strip())
    try:
        return model.model_validate_json(text, context={"lenient": True})
    except (ValidationError, json.JSONDecodeError, ValueError):
        return None


@dataclass(frozen=True, slots=True)
class Shape:
    """What a prompt format asks the model for and how its answer becomes a summary."""

    format: str
    model: type[BaseModel]
    builder: Callable[..., tuple[DiplomaticSummary, list[Dropped]]]

    @property
    def segmented(self) -> bool:
        """Whether the article is shown to the model as numbered segments."""
        return self.format != "quotes"

    def parse(self, raw: str) -> Any:
        """The extraction in ``raw``, parsed leniently, or None."""
        return lenient_extraction(raw, self.model)

    def build(
        self, article: Article, extraction: Any, segments: Any = None
    ) -> tuple[DiplomaticSummary, list[Dropped]]:
        """The public summary and what was dropped (``segments``: the ones the model saw)."""
        if self.segmented:
            return self.builder(article, extraction, segments)
        return self.builder(article, extraction)


def shape_for(fmt: str) -> Shape:
    """The :class:`Shape` of a prompt format (``quotes``, ``cited``, ``brief``, ``named`` or
    ``lists``)."""
    if fmt == "quotes":
        return Shape("quotes", Extraction, build_summary)
    from ._cited import BriefExtraction, CitedExtraction, ListedExtraction, NamedExtraction
    from ._evidence import build_cited_summary

    models: dict[str, type[BaseModel]] = {
        "cited": CitedExtraction,
        "brief": BriefExtraction,
        "named": NamedExtraction,
        "lists": ListedExtraction,
    }
    return Shape(fmt, models[fmt], build_cited_summary)


def _evidence(index: ArticleIndex, quote: str) -> Evidence | None:
    span = index.locate(quote)
    if span is None:
        return None
    located = index.text[span.start : span.end]
    return Evidence(
        quote=located,
        start=span.start,
        end=span.end,
        status=span.status,
        model_quote=None if located == quote else quote,
    )


def _grounded(
    index: ArticleIndex, quote: str, field: str, item: str, dropped: list[Dropped]
) -> Evidence | None:
    """The located evidence for ``quote``, or None with the item recorded as dropped."""
    ev = _evidence(index, quote)
    if ev is None:
        dropped.append(Dropped(field=field, item=item, reason=f"quote not found: {quote!r}"))
    return ev


def _actors(
    mentions: list[ActorMention], field: str, index: ArticleIndex, dropped: list[Dropped]
) -> list[Actor]:
    merged: dict[str, Actor] = {}
    for m in mentions:
        ev = _grounded(index, m.quote, field, m.name, dropped)
        if ev is None:
            continue
        ref = canonical_actor(m.name, hint=m.represents, kind=m.kind)
        key = ref.iso3 or ref.name.casefold()
        if key in merged:
            merged[key].evidence.append(ev)
            continue
        merged[key] = Actor(
            name=ref.name,
            mention=m.name,
            kind=ref.kind,
            iso3=ref.iso3,
            normalised=ref.normalised,
            evidence=[ev],
        )
    return list(merged.values())


def build_summary(
    article: Article, extraction: Extraction
) -> tuple[DiplomaticSummary, list[Dropped]]:
    """The public summary of ``article`` and the items dropped for want of grounding."""
    index = ArticleIndex(article.text)
    dropped: list[Dropped] = []
    parties = _actors(extraction.parties, "parties", index, dropped)
    party_keys = {a.iso3 or a.name.casefold() for a in parties}
    mediators = [
        a
        for a in _actors(extraction.mediators, "mediators", index, dropped)
        if (a.iso3 or a.name.casefold()) not in party_keys
    ]

    venue = None
    if extraction.venue is not None:
        v = extraction.venue
        ev = _grounded(index, v.quote, "venue", v.city or v.country or "", dropped)
        if ev is not None:
            ref = resolve_venue(v.city, v.country, v.site)
            venue = Venue(
                city=ref.city,
                country=ref.country,
                iso3=ref.iso3,
                site=ref.site,
                normalised=ref.normalised,
                evidence=ev,
            )

    talks_date = None
    if extraction.talks_date is not None:
        d = extraction.talks_date
        ev = _grounded(index, d.quote, "proposed_date", d.text, dropped)
        if ev is not None:
            direction = direction_for_status(extraction.talks_status)
            resolved = resolve_date(d.text, article.published, direction=direction)
            talks_date = TalksDate(
                date=resolved.date if resolved else None,
                end=resolved.end if resolved else None,
                precision=resolved.precision if resolved else None,
                text=d.text,
                evidence=ev,
            )

    positions: list[Position] = []
    for p in extraction.positions:
        ev = _grounded(index, p.quote, "positions", p.stance, dropped)
        if ev is None:
            continue
        holder = canonical_actor(p.actor)
        positions.append(
            Position(actor=holder.name, speaker=p.speaker, stance=p.stance, evidence=ev)
        )

    summary = DiplomaticSummary(
        headline=article.headline,
        published=article.published,
        language=extraction.language,
        summary=extraction.summary,
        talks_status=extraction.talks_status,
        mediators=mediators,
        parties=parties,
        venue=venue,
        proposed_date=talks_date,
        positions=positions,
    )
    return summary, dropped
