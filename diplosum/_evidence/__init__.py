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
- **Parties the model missed**: an actor named in a "talks between A and B", "delegations
  from A and B", "Negotiators for A and B" or "A and B negotiators" phrase of a segment that
  shows the talks (one cited for an actor, the venue or the date) is a party (and not a
  mediator).
- **Direction of a weekday**: "on Tuesday" resolves backward when its segment says the talks
  were held (held, met, took place...) and forward when they are to come (will, is to...),
  whatever status the model gave; otherwise the status decides, as before.

When the model gives no ids (:class:`~diplosum._cited.NamedExtraction`), the same checks find
the segments: the first segments that mention the item are its evidence.
"""

from __future__ import annotations

from .._article import Article
from .._cited import NamedExtraction
from .._compose import compose_summary
from .._language import detect_language
from .._schema import DiplomaticSummary, Dropped
from .._segments import Segments
from ..normalise import canonical_actor
from ._actors import (
    _actors,
    _add_sides,
    _between_parties,
    _described,
    _envoys,
    _numbered_roles,
    _rescue_mediators,
    _second_side,
    _third_parties,
    _where_and_when,
)
from ._index import _fold, _Index, mentions
from ._places import _dated, _venue
from ._positions import _positions, _reported
from ._roles import MEDIATING

__all__ = ["MEDIATING", "build_cited_summary", "mentions"]


def build_cited_summary(
    article: Article, extraction: NamedExtraction, segments: Segments | None = None
) -> tuple[DiplomaticSummary, list[Dropped]]:
    """The public summary of ``article`` from a segment extraction, and what was left out."""
    segments = segments or Segments(article.text)
    index = _Index(segments)
    dropped: list[Dropped] = []
    speakers = {_fold(p.speaker): p.actor for p in extraction.positions if p.speaker and p.actor}
    venue = (
        _venue(extraction.venue, segments, dropped, article.published) if extraction.venue else None
    )
    if venue is not None and venue.iso3:
        index.host = canonical_actor(venue.iso3)  # "the host country's foreign minister"
    mediators, parties, demoted = _actors(
        extraction.actors, index, dropped, extraction.venue, speakers
    )
    mediators, parties = _third_parties(mediators, parties, index, dropped)
    where = _where_and_when(extraction, index)
    mediators, parties = _add_sides(segments, index, mediators, parties, dropped, where)
    mediators = _rescue_mediators(extraction, index, mediators, parties, demoted)
    mediators = _numbered_roles(index, mediators, parties)
    mediators = _envoys(index, mediators, parties)
    mediators = _between_parties(mediators, parties, demoted, index, dropped)
    parties = _described(mediators, parties, index, dropped)
    parties = _second_side(mediators, parties, demoted, dropped, index)
    talks_date = _dated(extraction, index, article, parties, venue, dropped)
    written = extraction.summary or compose_summary(
        parties=parties,
        mediators=mediators,
        status=extraction.talks_status,
        venue=venue,
        date=talks_date,
    )
    positions = _positions(extraction.positions, index, dropped)
    positions += _reported(index, mediators + parties, positions)
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
        positions=positions,
    )
    return summary, dropped
