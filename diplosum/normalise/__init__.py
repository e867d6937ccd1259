"""Normalise what the model wrote: canonical actors, venues, dates resolved against the dateline.

Offline and deterministic. ``pycountry`` (ISO 3166), a gazetteer prebuilt from GeoNames
(:mod:`diplosum.normalise._gazetteer`: cities, capitals) and ``dateparser`` are loaded on first
use and their indexes built once, so ``import diplosum`` stays fast. The hand-written tables in
:mod:`diplosum.normalise._data` hold only what those sources do not know.

- ``canonical_actor("Ankara")``, ``("Turkey")``, ``("Turkish mediators")`` all give
  ``ActorRef("Türkiye", "state", "TUR", True)``.
- ``resolve_venue("Istanbul")`` gives ``VenueRef("Istanbul", "Türkiye", "TUR", None, True)``.
- ``resolve_date("Thursday", date(2025, 5, 13))`` gives 2025-05-15, precision ``"day"``.

Nothing is guessed: an unknown or ambiguous actor keeps its mention (``normalised=False``), an
unknown venue keeps what was written, and a phrase naming no date resolves to ``None``.

Internal to diplosum (what it finds is published in the summary's fields): ``_actors``,
``_venues`` and ``_dates`` do the work, ``_text`` makes the lookup keys, ``_data`` and
``_gazetteer`` hold the tables.
"""

from __future__ import annotations

from ._actors import (
    ActorKind,
    ActorRef,
    acronyms,
    actor_mentions,
    actors_in,
    ambiguous_states,
    canonical_actor,
    governments,
    organisation_heads,
    state_forms,
    state_iso3,
)
from ._data import NAME_SMALL_WORDS as NAME_SMALL_WORDS  # re-exported: _evidence reads descriptions
from ._dates import (
    Direction,
    Precision,
    ResolvedDate,
    date_phrases,
    direction_for_status,
    resolve_date,
)
from ._text import _fold as _fold  # re-exported: _evidence folds text the same way
from ._text import _key as _key  # re-exported: the keys of the shipped gazetteer
from ._venues import VenueRef, capital, resolve_venue

__all__ = [
    "ActorKind",
    "ActorRef",
    "Direction",
    "Precision",
    "ResolvedDate",
    "VenueRef",
    "acronyms",
    "actor_mentions",
    "actors_in",
    "ambiguous_states",
    "canonical_actor",
    "capital",
    "date_phrases",
    "direction_for_status",
    "governments",
    "organisation_heads",
    "resolve_date",
    "resolve_venue",
    "state_forms",
    "state_iso3",
]
