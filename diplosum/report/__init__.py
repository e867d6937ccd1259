"""An HTML page to review summaries against their articles: ``diplosum report``.

One self-contained file (inline CSS and JavaScript, nothing fetched): an index of all articles,
then per article the summary fields next to the article text, each evidence quote highlighted in
the colour of its field. Hovering or clicking a field shows its quote in the text, and a quote
its field. Each article is re-read from the record's ``source`` and its sha256 compared with the
record's ``article_sha256``: a changed or missing article is said to be so and not highlighted,
since the offsets would point at the wrong text. Overlapping quotes are cut into non-overlapping
segments carrying every field they belong to.

Rendered with jinja2 (imported on use) with autoescaping on: article text is always text.
Internal: the ``diplosum report`` command (:mod:`diplosum.cli._report`) writes the page; the
records are read by :func:`diplosum._records.read_records`.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .._records import OutputRecord
    from .._schema import Evidence

__all__ = [
    "FIELDS",
    "GENERATOR_MARK",
    "Segment",
    "render_report",
    "segments",
]

#: The summary fields whose evidence is highlighted, with their headings.
FIELDS = {
    "mediators": "Mediators",
    "parties": "Parties",
    "venue": "Venue",
    "date": "Date",
    "positions": "Positions",
}

#: What the page says about the article re-read from ``source``.
ARTICLE_STATES = {
    "ok": "article unchanged since it was summarised",
    "changed": "the article has changed since it was summarised (its sha256 is not the "
    "record's): it could not be verified, so its text is not shown, only the record's evidence",
    "missing": "the article file is missing: only the record's evidence is shown",
    "unreadable": "the article cannot be read: only the record's evidence is shown",
    "unchecked": "the record has no article_sha256: the article could not be verified, so its "
    "text is not shown, only the record's evidence",
    "-": "no article source in the record",
}

# --------------------------------------------------------------------------- view model


@dataclass(slots=True)
class _Quote:
    id: str
    field: str
    label: str
    evidence: Evidence
    placed: bool = False


@dataclass(slots=True)
class _Item:
    field: str
    label: str
    detail: str
    quotes: list[_Quote]

    @property
    def ids(self) -> str:
        return " ".join(q.id for q in self.quotes if q.placed)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of article text; highlighted when ``ids`` (evidence ids) is not empty."""

    text: str
    classes: str = ""
    ids: str = ""
    title: str = ""


@dataclass(slots=True)
class _ArticleView:
    anchor: str
    record: OutputRecord
    state: str
    items: dict[str, list[_Item]] = field(default_factory=dict)
    segments: list[Segment] = field(default_factory=list)

    @property
    def state_message(self) -> str:
        return ARTICLE_STATES[self.state]

    @property
    def quotes(self) -> list[_Quote]:
        return [q for items in self.items.values() for item in items for q in item.quotes]


def segments(text: str, quotes: list[tuple[int, int, str, str, str]]) -> list[Segment]:
    """Cut ``text`` at every quote boundary; ``quotes`` are (start, end, field, id, label).

    A segment covered by several quotes carries all their ids; it takes the colour of the
    shortest quote (class ``f-FIELD``), is underlined in the colour of another field covering it
    (``u-FIELD``), and is marked ``multi``.
    """
    cuts = sorted({0, len(text), *(q[0] for q in quotes), *(q[1] for q in quotes)})
    out: list[Segment] = []
    for start, end in itertools.pairwise(cuts):
        covering = sorted(
            (q for q in quotes if q[0] <= start and q[1] >= end), key=lambda q: (q[1] - q[0], q[3])
        )
        if not covering:
            out.append(Segment(text[start:end]))
            continue
        top = covering[0][2]
        classes = ["hl", f"f-{top}"]
        under = next((q[2] for q in covering if q[2] != top), None)
        classes += [f"u-{under}"] if under else []
        classes += ["multi"] if len(covering) > 1 else []
        out.append(
            Segment(
                text[start:end],
                " ".join(classes),
                " ".join(q[3] for q in covering),
                "; ".join(f"{FIELDS[q[2]]}: {q[4]}" for q in covering),
            )
        )
    return out


def _items(rec: OutputRecord, prefix: str) -> dict[str, list[_Item]]:
    s = rec.summary
    items: dict[str, list[_Item]] = {name: [] for name in FIELDS}
    if s is None:
        return items
    counter = iter(range(1_000_000))

    def quotes(name: str, label: str, evidence: list[Evidence]) -> list[_Quote]:
        return [_Quote(f"{prefix}e{next(counter)}", name, label, ev) for ev in evidence]

    for name, actors in (("mediators", s.mediators), ("parties", s.parties)):
        for a in actors:
            detail = ", ".join(
                x
                for x in (
                    a.kind,
                    a.iso3 or "",
                    f"as '{a.mention}'" if a.mention != a.name else "",
                    "" if a.normalised else "not normalised",
                )
                if x
            )
            items[name].append(_Item(name, a.name, detail, quotes(name, a.name, a.evidence)))
    if s.venue is not None:
        v = s.venue
        label = ", ".join(x for x in (v.site, v.city, v.country) if x) or "?"
        detail = v.iso3 or ""
        items["venue"].append(_Item("venue", label, detail, quotes("venue", label, [v.evidence])))
    if s.proposed_date is not None:
        d = s.proposed_date
        when = d.date.isoformat() if d.date else "unresolved"
        when += f" to {d.end.isoformat()}" if d.end else ""
        detail = f"'{d.text}'" + (f", {d.precision} precision" if d.precision else "")
        items["date"].append(_Item("date", when, detail, quotes("date", when, [d.evidence])))
    for p in s.positions:
        detail = f"{p.actor}" + (f" ({p.speaker})" if p.speaker else "")
        items["positions"].append(
            _Item("positions", p.stance, detail, quotes("positions", p.actor, [p.evidence]))
        )
    return items


def _view(n: int, rec: OutputRecord, base: Path | None) -> _ArticleView:
    from .._records import reread_article

    article, state = (None, "-")
    if rec.source:
        article, state = reread_article(rec.source, rec.article_sha256, base=base)
    view = _ArticleView(f"a{n}", rec, state, _items(rec, f"a{n}"))
    if article is None or state != "ok":
        # Only an article whose sha256 is the record's is shown: a record may name any local
        # file in its source (/etc/passwd), and offsets into changed text point at other words.
        return view
    text = article.text
    for q in view.quotes:
        ev = q.evidence
        q.placed = 0 <= ev.start < ev.end <= len(text) and text[ev.start : ev.end] == ev.quote
    spans = [(q.evidence.start, q.evidence.end, q.field, q.id, q.label) for q in view.quotes]
    view.segments = segments(text, [s for s, q in zip(spans, view.quotes, strict=True) if q.placed])
    return view


def render_report(
    records: list[OutputRecord], *, title: str = "diplosum report", base: Path | None = None
) -> str:
    """The HTML page for ``records`` (articles re-read from their sources, see the module)."""
    import jinja2

    from .._version import __version__

    env = jinja2.Environment(
        loader=jinja2.PackageLoader("diplosum.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    views = [_view(n, rec, base) for n, rec in enumerate(records)]
    return env.get_template("report.html.j2").render(
        title=title, views=views, fields=FIELDS, version=__version__
    )


#: Every page :func:`render_report` writes says so in its first lines.
GENERATOR_MARK = b'<meta name="generator" content="diplosum '
