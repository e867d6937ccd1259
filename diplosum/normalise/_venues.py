"""Venues: a city and its country from the gazetteer, a smaller site kept as written."""

from __future__ import annotations

import functools
from dataclasses import dataclass

from . import _data as data
from . import _gazetteer
from ._actors import ActorRef, _actor_index, _match
from ._gazetteer import City
from ._gazetteer import largest_city as _largest_city
from ._text import _key, _strip_possessive

__all__ = ["VenueRef", "capital", "resolve_venue"]


@dataclass(frozen=True, slots=True)
class VenueRef:
    """Where talks take place: city, its country (canonical name and ISO code), a smaller site."""

    city: str | None
    country: str | None
    iso3: str | None
    site: str | None
    normalised: bool


@functools.cache
def _subdivision_states() -> dict[str, frozenset[str]]:
    """ISO 3166-2 subdivision name -> the countries that have one of that name ("Alaska")."""
    import pycountry

    found: dict[str, set[str]] = {}
    for subdivision in pycountry.subdivisions:
        found.setdefault(_key(subdivision.name), set()).add(subdivision.country_code)
    return {key: frozenset(codes) for key, codes in found.items()}


def _country(text: str) -> ActorRef | None:
    """A state named by its name or an alias (not by its capital, which is also a city)."""
    found = _match(_actor_index(), _strip_possessive(text)[0])
    if found and found[1] in ("name", "demonym") and found[0].kind == "state":
        return found[0]
    return None


def _city(name: str, state: ActorRef | None) -> City | None:
    alpha2 = None
    if state is not None:
        index = _actor_index()
        alpha2 = next((code for code, ref in index.by_alpha2.items() if ref == state), None)
    return _largest_city(name, alpha2)


def _blank(text: str | None) -> str | None:
    return (text.strip() or None) if text else None


def resolve_venue(
    city: str | None, country: str | None = None, site: str | None = None
) -> VenueRef:
    """Canonical country and ISO code for a venue, derived from the city when only it is given.

    "Dolmabahçe Palace, Istanbul" (as city or site) splits into site and city; a trailing country
    ("Caracas, Venezuela") fills the country. A city the gazetteer does not know is kept as
    written; ``normalised`` is True when the country and any city were recognised.
    """
    city, country, site = _blank(city), _blank(country), _blank(site)
    state = _country(country) if country else None
    if country and state is None:  # a country we do not know: nothing to derive, nothing to check
        return VenueRef(city, country, None, site, normalised=False)
    from_site = city is None and site is not None and "," in site
    if from_site:
        city, site = site, None
    found = _city(city, state) if city else None
    if city and found is None and "," in city:
        parts = [part.strip() for part in city.split(",") if part.strip()]
        if len(parts) > 1 and country is None and (named := _country(parts[-1])):
            state, country = named, parts.pop()
        if parts and (found := _city(parts[-1], state)) is not None:
            site = site or ", ".join(parts[:-1]) or None
        elif from_site:
            city, site = None, city
        else:
            city = ", ".join(parts)
    if city and found is None and country is None and (named := _country(city)):
        state, country, city = named, city, None  # "talks in Qatar"
    if city and found is None and state is not None and _country(city) == state:
        city = None  # "Mongolia", "Mongolia": the state written twice, no city
    if city and found is None and site is None and data.SITE_WORDS.intersection(_key(city).split()):
        site, city = city, None
    in_region = False
    if city and found is None and state is None:
        codes = _subdivision_states().get(_key(city), frozenset())
        state = _actor_index().by_alpha2.get(next(iter(codes))) if len(codes) == 1 else None
        in_region = state is not None
    if found is not None:
        city = found.name
        state = state or _actor_index().by_alpha2.get(found.countrycode)
    return VenueRef(
        city=city,
        country=state.name if state else country,
        iso3=state.iso3 if state else None,
        site=site,
        normalised=state is not None and (city is None or found is not None or in_region),
    )


@functools.cache
def _capitals() -> dict[str, str]:
    return {row.alpha3: row.capital for row in _gazetteer.load().countries if row.capital}


@functools.cache
def capital(iso3: str | None) -> VenueRef | None:
    """The capital of the state ``iso3`` as a venue ("MNG": Ulaanbaatar, Mongolia), or None."""
    name = _capitals().get(iso3 or "")
    if not name:
        return None
    ref = resolve_venue(name, None)
    return ref if ref.normalised and ref.city and ref.iso3 == iso3 else None
