"""Gold annotations, and the predictions scored against them."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._records import OutputRecord


@dataclass(frozen=True, slots=True)
class Gold:
    """The gold annotation of one article."""

    file: str
    mediators: tuple[str, ...] = ()
    parties: tuple[str, ...] = ()
    city: str | None = None
    country: str | None = None
    proposed_date: str | None = None
    position_actors: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> Gold:
        venue = data.get("venue") or {}
        return cls(
            file=str(data["file"]),
            mediators=tuple(str(m) for m in data.get("mediators") or ()),
            parties=tuple(str(p) for p in data.get("parties") or ()),
            city=venue.get("city") or None,
            country=venue.get("country") or None,
            proposed_date=data.get("proposed_date") or None,
            position_actors=tuple(str(p["actor"]) for p in data.get("positions") or ()),
        )


def load_gold(path: str | Path) -> list[Gold]:
    """Read gold annotations; a malformed line or a repeated file name is an error."""
    from .._jsonl import jsonl_lines
    from ..errors import ArticleError

    try:
        # Split on "\n" only: str.splitlines() would cut a record at U+2028, U+2029 or U+0085.
        lines = list(jsonl_lines(path))
    except OSError as exc:
        reason = exc.strerror or exc
        raise ArticleError(f"cannot read the gold file: {reason}", source=str(path)) from None
    golds: dict[str, Gold] = {}
    for n, line in lines:
        if not line.strip():
            continue
        try:
            gold = Gold.from_json(json.loads(line))
        except (ValueError, TypeError, KeyError, AttributeError) as exc:
            raise ArticleError(f"not a gold annotation: {exc!r}", source=f"{path}:{n}") from None
        if gold.file in golds:
            raise ArticleError(f"{gold.file} is annotated twice", source=f"{path}:{n}")
        golds[gold.file] = gold
    return list(golds.values())


def load_predictions(path: str | Path) -> list[OutputRecord]:
    """Read the output records of ``diplosum summarise`` (lines that are not records are
    skipped: :func:`diplosum._records.read_records` says which)."""
    from .._records import read_records

    return read_records(path).records
