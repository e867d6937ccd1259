"""Score summaries against gold annotations: ``diplosum eval``.

Gold is JSON Lines, one article a line: ``file``, ``mediators``, ``parties``, ``venue {city,
country}``, ``proposed_date`` and ``positions [{actor, stance, evidence}]``. Predictions are the
output records of ``diplosum summarise``, joined to gold by file name (the record's ``id``, else
the base name of its ``source``). A gold article without a prediction, or with a failed one, is a
failure and is scored as an empty summary.

Metrics are micro-averaged over articles (counts summed over articles, then divided):

- **mediators**, **parties**: precision, recall and F1 over sets of actors. States match by ISO3
  code ("Turkey", "Ankara" and "Türkiye" are one actor), others by canonical name
  (:func:`~diplosum.normalise.canonical_actor`). Nothing predicted: precision 1; nothing to
  find: recall 1.
- **venue city**, **venue country**, **proposed date**: accuracy. A null prediction for a null
  gold is correct, a guess where gold is null is wrong. Both sides go through
  :func:`~diplosum.normalise.resolve_venue`; cities then compare case-insensitively, countries
  by ISO3. Dates compare exactly (``YYYY-MM-DD``; a week, month or year precision gives the ISO
  week ``YYYY-Www``, ``YYYY-MM`` or ``YYYY``).
- **position actor recall**: the distinct actors of the gold positions found among the actors of
  the predicted positions.
- **grounding rate**: the evidence quotes the model gave (kept ones, and those dropped because
  they could not be found) that are in the article verbatim: located by
  :func:`~diplosum._grounding.locate` with status ``exact`` in the article re-read from the
  record's ``source``, or, when it cannot be read, by the recorded evidence status.
- **failures**, **tokens** and **cost**, summed from the records.
- **re-ask rate**: the share of articles with a record whose summary took more than one model
  call (a validation re-ask), with the model calls and prompt tokens per article.
- **dropped items** per 10 articles: what the evidence checks left out, demotions ("demoted",
  "moved") and replaced values ("replaced") counted apart; of them the **true items lost**: the
  ones the gold holds (a named mediator or party, the gold's city, the gold's day; a dropped
  position whenever the gold has positions, its item being a stance, unless the summary keeps
  the same stance for another actor).

The command line and its tables live in :mod:`diplosum.cli._eval`. Internal: ``_gold`` reads
the annotations, ``_measures`` scores one article, ``_scores`` totals and compares.
"""

from __future__ import annotations

from ._gold import Gold, load_gold, load_predictions
from ._measures import (
    METRICS,
    ArticleScore,
    Grounding,
    Match,
    SetScore,
    actor_key,
    score_article,
)
from ._measures import _date_key as _date_key  # re-exported: benchmarks/ score with them
from ._measures import _venue_keys as _venue_keys
from ._scores import Scores, compare, score

__all__ = [
    "METRICS",
    "ArticleScore",
    "Gold",
    "Grounding",
    "Match",
    "Scores",
    "SetScore",
    "actor_key",
    "compare",
    "load_gold",
    "load_predictions",
    "score",
    "score_article",
]
