"""Every gold article scored, the micro-averaged totals, and two runs compared."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._records import OutputRecord

from ._gold import Gold
from ._measures import METRICS, ArticleScore, Grounding, SetScore, score_article


def _join(
    golds: Sequence[Gold], records: Iterable[OutputRecord]
) -> tuple[dict[str, Any], list[str]]:
    """Records by gold file name (a success wins over a failure, else the later one) and extras."""
    files = {g.file for g in golds}
    joined: dict[str, OutputRecord] = {}
    extra: list[str] = []
    for rec in records:
        name = rec.id if rec.id in files or not rec.source else Path(rec.source).name
        if name not in files:
            extra.append(rec.id)
        elif name not in joined or rec.status == "ok" or joined[name].status != "ok":
            joined[name] = rec
    return joined, extra


@dataclass(slots=True)
class Scores:
    """The scores of every gold article, and the ids of predictions no gold article matched."""

    articles: list[ArticleScore]
    extra: list[str] = field(default_factory=list)

    def totals(self) -> dict[str, Any]:
        """Every micro-averaged number, with the counts behind it."""
        arts = self.articles
        n = len(arts)

        def accuracy(attr: str) -> dict[str, Any]:
            correct = sum(getattr(a, attr).correct for a in arts)
            return {"accuracy": correct / n if n else None, "correct": correct, "n": n}

        pa = sum((a.position_actors for a in arts), SetScore())
        called = [a for a in arts if a.attempts > 0]
        reasked = sum(a.attempts > 1 for a in called)
        return {
            "articles": n,
            "failures": sum(a.status != "ok" for a in arts),
            "missing": sum(a.status == "missing" for a in arts),
            "mediators": sum((a.mediators for a in arts), SetScore()).to_json(),
            "parties": sum((a.parties for a in arts), SetScore()).to_json(),
            "venue_city": accuracy("city"),
            "venue_country": accuracy("country"),
            "proposed_date": accuracy("date"),
            "position_actor_recall": {
                "recall": pa.recall if pa.tp + pa.fn else None,
                "found": pa.tp,
                "gold": pa.tp + pa.fn,
            },
            "grounding": sum((a.grounding for a in arts), Grounding()).to_json(),
            "tokens": sum(a.tokens for a in arts),
            "reasks": {
                "rate": reasked / len(called) if called else None,
                "reasked": reasked,
                "articles": len(called),
                "model_calls": sum(a.attempts for a in called),
                "prompt_tokens": sum(a.prompt_tokens for a in called),
            },
            "dropped": {
                "items": sum(a.dropped for a in arts),
                "demoted_or_moved": sum(a.demoted for a in arts),
                "replaced": sum(a.replaced for a in arts),
                "true_items_lost": sum(a.lost for a in arts),
                "lost_per_10_articles": 10 * sum(a.lost for a in arts) / n if n else None,
                "per_10_articles": (
                    10 * sum(a.dropped - a.demoted - a.replaced for a in arts) / n if n else None
                ),
            },
            "latency_s": _latency(arts),
            "cost_usd": sum(a.cost_usd or 0.0 for a in arts),
            "cost_unknown": sum(a.cost_usd is None and a.tokens > 0 for a in arts),
            "cached": sum(a.cached for a in arts),
            "models": sorted({a.model for a in arts if a.model}),
            "prompt_versions": sorted({a.prompt_version for a in arts if a.prompt_version}),
            "extra_predictions": self.extra,
        }

    def headline(self) -> dict[str, float | None]:
        """The totals of :data:`METRICS`, for comparisons."""
        t = self.totals()
        return {
            "ok": 1 - t["failures"] / t["articles"] if t["articles"] else None,
            "mediators_f1": t["mediators"]["f1"],
            "parties_f1": t["parties"]["f1"],
            "venue_city": t["venue_city"]["accuracy"],
            "venue_country": t["venue_country"]["accuracy"],
            "proposed_date": t["proposed_date"]["accuracy"],
            "position_actor_recall": t["position_actor_recall"]["recall"],
            "grounding_rate": t["grounding"]["rate"],
        }

    def to_json(self) -> dict[str, Any]:
        return {"totals": self.totals(), "articles": [a.to_json() for a in self.articles]}


def _latency(arts: Sequence[ArticleScore]) -> dict[str, float | None]:
    """Median, lowest and highest seconds per freshly summarised article."""
    import statistics

    seen = sorted(a.latency_s for a in arts if a.latency_s is not None)
    if not seen:
        return {"median": None, "min": None, "max": None}
    return {"median": statistics.median(seen), "min": seen[0], "max": seen[-1]}


def score(
    golds: Sequence[Gold], records: Iterable[OutputRecord], *, base: Path | None = None
) -> Scores:
    """Join records to gold and score every gold article.

    Each successful record's article is re-read from its ``source`` (relative paths are also
    tried against ``base``) to check its quotes; see :func:`diplosum._records.reread_article`.
    """
    from .._records import reread_article

    joined, extra = _join(golds, records)
    scored = []
    for gold in golds:
        rec = joined.get(gold.file)
        text, state = None, "-"
        if rec is not None and rec.summary is not None and rec.source:
            article, state = reread_article(rec.source, rec.article_sha256, base=base)
            text = article.text if article is not None else None
        scored.append(score_article(gold, rec, text, state))
    return Scores(scored, extra)


def compare(a: Scores, b: Scores) -> dict[str, Any]:
    """From ``a`` to ``b``: the totals of :data:`METRICS`, and per metric the articles that
    got better or worse (an article with nothing to measure on either side is left out)."""
    in_b = {s.file: s for s in b.articles}
    better: dict[str, list[str]] = {m: [] for m in METRICS}
    worse: dict[str, list[str]] = {m: [] for m in METRICS}
    changes = []
    for sa in a.articles:
        sb = in_b.get(sa.file)
        if sb is None:
            continue
        va, vb = sa.values(), sb.values()
        for m in METRICS:
            x, y = va[m], vb[m]
            if x is None or y is None or abs(x - y) < 1e-9:
                continue
            (better if y > x else worse)[m].append(sa.file)
            changes.append({"file": sa.file, "metric": m, "a": x, "b": y})
    ha, hb = a.headline(), b.headline()
    totals: dict[str, dict[str, float | None]] = {}
    for m in METRICS:
        x, y = ha[m], hb[m]
        totals[m] = {"a": x, "b": y, "delta": None if x is None or y is None else y - x}
    return {"totals": totals, "better": better, "worse": worse, "changes": changes}
