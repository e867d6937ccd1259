"""The gold sets shipped in ``evals/`` are consistent with their articles.

A wrong gold line scores every run wrongly and silently, so each set is checked here: every
annotated file exists and reads as an article, the publication date is the article's own,
every evidence string is in the article's text, a position's actor is a side or a mediator,
no actor is both, and a proposed date is a day, an ISO week or a month.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from diplosum._article import read_article
from diplosum.evaluate import load_gold

ROOT = Path(__file__).resolve().parent.parent
SETS = {
    "examples": (ROOT / "evals" / "examples.gold.jsonl", ROOT / "examples"),
    **{
        p.parent.name: (p, p.parent / "articles")
        for p in sorted((ROOT / "evals").glob("*/gold.jsonl"))
    },
}
_DATE = re.compile(r"\d{4}-(\d{2}-\d{2}|W\d{2}|\d{2})")


def _lines(path: Path) -> list[dict[str, Any]]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line]


def test_every_set_is_found() -> None:
    """The sets the README lists are all here (a renamed folder would silently skip one)."""
    assert {"examples", "hard", "heldout", "heldout5", "heldout6"} <= set(SETS)


@pytest.mark.parametrize("name", sorted(SETS))
def test_gold_matches_its_articles(name: str) -> None:
    gold_path, articles = SETS[name]
    assert len(load_gold(gold_path)) == len(_lines(gold_path))  # loads, no file twice
    for line in _lines(gold_path):
        where = f"{name}/{line['file']}"
        article = read_article(articles / str(line["file"]))
        if line.get("published"):
            assert str(article.published) == line["published"], where
        mediators = set(line.get("mediators") or ())
        parties = set(line.get("parties") or ())
        assert not mediators & parties, where
        for pos in line.get("positions") or ():
            assert pos["actor"] in mediators | parties, (where, pos["actor"])
            assert " ".join(pos["evidence"].split()) in " ".join(article.text.split()), (
                where,
                pos["evidence"],
            )
        date = line.get("proposed_date")
        assert date is None or _DATE.fullmatch(str(date)), (where, date)
