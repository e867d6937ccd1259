"""What is measured on one article: actor sets, venue and date matches, grounding."""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .._records import OutputRecord
    from .._schema import DiplomaticSummary

from ._gold import Gold

#: Per-article values compared by ``--compare`` (higher is better for each).
METRICS = {
    "ok": "succeeded",
    "mediators_f1": "mediators F1",
    "parties_f1": "parties F1",
    "venue_city": "venue city",
    "venue_country": "venue country",
    "proposed_date": "proposed date",
    "position_actor_recall": "position actors",
    "grounding_rate": "grounding",
}


def _fold(text: str) -> str:
    return " ".join(text.casefold().split())


def actor_key(name: str) -> str:
    """What two mentions of one actor share: the ISO3 code of a state, else the canonical name."""
    from ..normalise import canonical_actor

    ref = canonical_actor(name)
    return ref.iso3 if ref.kind == "state" and ref.iso3 else _fold(ref.name)


@dataclass(slots=True)
class SetScore:
    """Gold and predicted actor sets compared: counts, and the names missed or added."""

    tp: int = 0
    fp: int = 0
    fn: int = 0
    missing: list[str] = field(default_factory=list)
    extra: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, gold: dict[str, str], pred: dict[str, str]) -> SetScore:
        """``gold`` and ``pred`` map actor keys to the names to show."""
        missing = [name for key, name in gold.items() if key not in pred]
        extra = [name for key, name in pred.items() if key not in gold]
        return cls(len(gold) - len(missing), len(extra), len(missing), missing, extra)

    def __add__(self, other: SetScore) -> SetScore:
        return SetScore(self.tp + other.tp, self.fp + other.fp, self.fn + other.fn)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {"precision": self.precision, "recall": self.recall, "f1": self.f1}
        out.update(tp=self.tp, fp=self.fp, fn=self.fn)
        return out


@dataclass(frozen=True, slots=True)
class Match:
    """One gold value and the prediction for it (both as written), and whether they agree."""

    gold: str | None
    pred: str | None
    correct: bool


@dataclass(slots=True)
class Grounding:
    """How many of the model's quotes are in the article verbatim (see the module docstring)."""

    quotes: int = 0
    verbatim: int = 0
    fuzzy: int = 0
    not_found: int = 0
    position_quotes: int = 0
    position_verbatim: int = 0

    def add(self, status: str | None, *, position: bool) -> None:
        self.quotes += 1
        self.verbatim += status == "exact"
        self.fuzzy += status == "fuzzy"
        self.not_found += status is None
        self.position_quotes += position
        self.position_verbatim += position and status == "exact"

    def __add__(self, o: Grounding) -> Grounding:
        return Grounding(
            *(getattr(self, f) + getattr(o, f) for f in Grounding.__dataclass_fields__)
        )

    @property
    def rate(self) -> float | None:
        return self.verbatim / self.quotes if self.quotes else None

    def to_json(self) -> dict[str, Any]:
        out: dict[str, Any] = {f: getattr(self, f) for f in Grounding.__dataclass_fields__}
        out["rate"] = self.rate
        out["position_rate"] = (
            self.position_verbatim / self.position_quotes if self.position_quotes else None
        )
        return out


@dataclass(slots=True)
class ArticleScore:
    """Everything measured on one gold article."""

    file: str
    status: str  # "ok", "error" (the record is a failure) or "missing" (no record)
    error: str | None
    mediators: SetScore
    parties: SetScore
    city: Match
    country: Match
    date: Match
    position_actors: SetScore
    grounding: Grounding
    article: str  # how the article was re-read: "ok", "changed", "missing", "unreadable", "-"
    tokens: int = 0
    prompt_tokens: int = 0
    attempts: int = 0  # model calls the record took (0: no record)
    cost_usd: float | None = None
    cached: bool = False
    model: str | None = None
    prompt_version: str | None = None
    dropped: int = 0  # items the checks left out (a mediator demoted or moved counts too)
    demoted: int = 0  # of which: kept as an actor, not as a mediator
    replaced: int = 0  # of which: a model value refused, a verified one shown instead
    lost: int = 0  # of the rest: items the gold holds (true items left out; see _lost)
    latency_s: float | None = None  # of a fresh (uncached) model call

    def values(self) -> dict[str, float | None]:
        """The per-article value of each of :data:`METRICS` (None: nothing to measure)."""
        pa = self.position_actors
        return {
            "ok": float(self.status == "ok"),
            "mediators_f1": self.mediators.f1,
            "parties_f1": self.parties.f1,
            "venue_city": float(self.city.correct),
            "venue_country": float(self.country.correct),
            "proposed_date": float(self.date.correct),
            "position_actor_recall": pa.recall if pa.tp + pa.fn else None,
            "grounding_rate": self.grounding.rate,
        }

    def problems(self) -> list[tuple[str, str]]:
        """What was wrong, one (what, detail) row each."""
        rows: list[tuple[str, str]] = []
        if self.status != "ok":
            rows.append(("failure", self.error or "no prediction for this article"))
        for name, s in (("mediators", self.mediators), ("parties", self.parties)):
            detail = "; ".join(
                f"{label} {', '.join(names)}"
                for label, names in (("missing", s.missing), ("extra", s.extra))
                if names
            )
            if detail:
                rows.append((name, detail))
        for name, m in (("venue city", self.city), ("venue country", self.country)):
            if not m.correct:
                rows.append((name, f"{m.pred or 'none'}, gold {m.gold or 'none'}"))
        if not self.date.correct:
            rows.append(
                ("proposed date", f"{self.date.pred or 'none'}, gold {self.date.gold or 'none'}")
            )
        if self.position_actors.missing:
            rows.append(("position actors", "missing " + ", ".join(self.position_actors.missing)))
        g = self.grounding
        if g.verbatim < g.quotes:
            rows.append(
                (
                    "grounding",
                    f"{g.verbatim} of {g.quotes} quotes verbatim "
                    f"({g.fuzzy} fuzzy, {g.not_found} not found)",
                )
            )
        if self.article in ("changed", "missing", "unreadable"):
            rows.append(("article", f"{self.article} since it was summarised"))
        return rows

    def to_json(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "status": self.status,
            "error": self.error,
            "article": self.article,
            "mediators": {
                **self.mediators.to_json(),
                "missing": self.mediators.missing,
                "extra": self.mediators.extra,
            },
            "parties": {
                **self.parties.to_json(),
                "missing": self.parties.missing,
                "extra": self.parties.extra,
            },
            "venue_city": _match_json(self.city),
            "venue_country": _match_json(self.country),
            "proposed_date": _match_json(self.date),
            "position_actors": {
                "recall": self.values()["position_actor_recall"],
                "found": self.position_actors.tp,
                "gold": self.position_actors.tp + self.position_actors.fn,
                "missing": self.position_actors.missing,
            },
            "grounding": self.grounding.to_json(),
            "tokens": self.tokens,
            "prompt_tokens": self.prompt_tokens,
            "attempts": self.attempts,
            "cost_usd": self.cost_usd,
            "cached": self.cached,
            "model": self.model,
            "prompt_version": self.prompt_version,
            "values": self.values(),
        }


def _match_json(m: Match) -> dict[str, Any]:
    return {"gold": m.gold, "pred": m.pred, "correct": m.correct}


def _unaccented(text: str) -> str:
    """``text`` folded without its accents: gold written "Noumea" is the city "Nouméa"."""
    decomposed = unicodedata.normalize("NFKD", _fold(text))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def _venue_keys(city: str | None, country: str | None) -> tuple[str | None, str | None]:
    """(city, country) as compared: canonical city casefolded without accents, country ISO3
    (else its name)."""
    from ..normalise import resolve_venue

    if city is None and country is None:
        return None, None
    ref = resolve_venue(city, country)
    return (
        _unaccented(ref.city) if ref.city else None,
        ref.iso3 or (_fold(ref.country) if ref.country else None),
    )


def _lost(gold: Gold, rec: OutputRecord | None) -> int:
    """How many of the record's dropped items (demotions, moves and replacements apart) the gold
    holds: true items the checks left out, as against wrong ones they refused. A mediator or
    party counts when the gold names it, a venue when it is the gold's city, a date unless the
    gold has none or it names another day; a position (its dropped item is a stance, not an
    actor) whenever the gold has positions and the summary does not keep the same stance for
    another actor (:func:`_stance_kept`), so this errs towards counting a loss."""
    from ..normalise import resolve_date

    if rec is None:
        return 0
    named = {actor_key(n) for n in (*gold.mediators, *gold.parties)}
    city = _venue_keys(gold.city, gold.country)[0]
    published = rec.summary.published if rec.summary else None
    lost = 0
    for d in rec.dropped:
        if d.reason.startswith(("demoted", "moved", "replaced")):
            continue
        if d.field in ("mediators", "parties"):
            lost += actor_key(d.item) in named
        elif d.field == "venue":
            lost += city is not None and _venue_keys(d.item, None)[0] == city
        elif d.field == "proposed_date" and gold.proposed_date:
            day = resolve_date(d.item, published)
            lost += day is None or _key_of(day.date, day.precision) == gold.proposed_date
        elif d.field == "positions":
            lost += bool(gold.position_actors) and not _stance_kept(d.item, rec.summary)
    return lost


def _stance_words(text: str) -> set[str]:
    return set(re.findall(r"[^\W\d_]{3,}", text.lower()))


def _stance_kept(stance: str, summary: DiplomaticSummary | None) -> bool:
    """Whether the summary keeps ``stance`` as another position's: all its words (of three
    letters or more) but one in five, or but one, and at least three in common, so "Cairo is
    determined to ..." and "Egypt is determined to ..." are one stance given twice, the second
    time to the wrong actor."""
    words = _stance_words(stance)
    if summary is None:
        return False
    for p in summary.positions:
        other = _stance_words(p.stance)
        if len(words & other) >= 3 and len(words - other) <= max(1, len(words) // 5):
            return True
    return False


def _key_of(day: dt.date, precision: str | None) -> str:
    """A date as the gold writes it at its precision: "2026-07-13", ISO week "2026-W29",
    "2026-07", "2026"."""
    if precision == "week":
        year, week, _ = day.isocalendar()
        return f"{year}-W{week:02d}"
    iso = day.isoformat()
    return {"month": iso[:7], "year": iso[:4]}.get(precision or "day", iso)


def _date_key(summary: DiplomaticSummary | None) -> str | None:
    d = summary.proposed_date if summary else None
    if d is None or d.date is None:
        return None
    return _key_of(d.date, d.precision)


def _grounding(rec: OutputRecord | None, text: str | None) -> Grounding:
    from .._grounding import ArticleIndex

    g = Grounding()
    s = rec.summary if rec else None
    if rec is None or s is None:
        return g
    index = ArticleIndex(text) if text is not None else None
    evidence = [ev for a in (*s.mediators, *s.parties) for ev in a.evidence]
    evidence += [x.evidence for x in (s.venue, s.proposed_date) if x is not None]
    tagged = [(ev, False) for ev in evidence] + [(p.evidence, True) for p in s.positions]
    for ev, position in tagged:
        if ev.status == "segment":  # verbatim by construction: check the offsets
            verbatim = text is None or text[ev.start : ev.end] == ev.quote
            status: str | None = "exact" if verbatim else None
        elif index is None:
            status = ev.status
        else:
            span = index.locate(ev.model_quote or ev.quote)
            status = span.status if span else None
        g.add(status, position=position)
    for d in rec.dropped:
        if d.reason.startswith("quote not found"):
            g.add(None, position=d.field == "positions")
    return g


def score_article(
    gold: Gold, rec: OutputRecord | None, text: str | None, article: str
) -> ArticleScore:
    """Score one record (None: no prediction) against its gold; ``text`` is the article, if read."""
    s = rec.summary if rec is not None and rec.status == "ok" else None

    def actors(names: Iterable[str]) -> dict[str, str]:
        keyed: dict[str, str] = {}
        for name in names:
            keyed.setdefault(actor_key(name), name)
        return keyed

    pred_venue = s.venue if s else None
    gold_city, gold_country = _venue_keys(gold.city, gold.country)
    pred_city, pred_country = _venue_keys(
        pred_venue.city if pred_venue else None, pred_venue.country if pred_venue else None
    )
    pred_date = _date_key(s)
    usage = rec.usage if rec else None
    return ArticleScore(
        file=gold.file,
        status="missing" if rec is None else rec.status,
        error=f"{rec.error.type}: {rec.error.message}" if rec and rec.error else None,
        mediators=SetScore.of(
            actors(gold.mediators), actors(a.name for a in s.mediators) if s else {}
        ),
        parties=SetScore.of(actors(gold.parties), actors(a.name for a in s.parties) if s else {}),
        city=Match(gold.city, pred_venue.city if pred_venue else None, gold_city == pred_city),
        country=Match(
            gold.country, pred_venue.country if pred_venue else None, gold_country == pred_country
        ),
        date=Match(gold.proposed_date, pred_date, gold.proposed_date == pred_date),
        position_actors=SetScore.of(
            actors(gold.position_actors), actors(p.actor for p in s.positions) if s else {}
        ),
        grounding=_grounding(rec, text),
        article=article,
        tokens=usage.total_tokens if usage else 0,
        prompt_tokens=usage.prompt_tokens if usage else 0,
        attempts=rec.attempts if rec else 0,
        cost_usd=rec.cost_usd if rec else None,
        cached=bool(rec and rec.cached),
        model=rec.model if rec else None,
        prompt_version=rec.prompt_version if rec else None,
        dropped=len(rec.dropped) if rec else 0,
        demoted=sum(d.reason.startswith(("demoted", "moved")) for d in rec.dropped) if rec else 0,
        replaced=sum(d.reason.startswith("replaced") for d in rec.dropped) if rec else 0,
        lost=_lost(gold, rec),
        latency_s=rec.latency_s if rec and not rec.cached and rec.attempts else None,
    )
