"""``diplosum show``: a readable table of the records in an output file."""

from __future__ import annotations

import sys
import textwrap

__all__ = ["show"]


def show(path: str) -> int:
    """Print a readable table of the summaries in an output file (read as
    :class:`~diplosum._records.OutputRecord`: what is shown is what the record holds).

    Every value is shown through :func:`~diplosum._names.visible`: an escape sequence in a
    headline or a file name is printed as ``\x1b[...``, never sent to the terminal raw.
    """
    from .._names import visible
    from .._records import OutputRecord, read_records

    width = 100

    def field(name: str, value: str) -> None:
        wrapped = textwrap.wrap(visible(value), width - 14) or [""]
        print(f"  {name:<11} {wrapped[0]}")
        for more in wrapped[1:]:
            print(f"  {'':<11} {more}")

    for rec in read_records(path).entries:
        if not isinstance(rec, OutputRecord):
            what = "an output record" if rec.is_json else "a JSON line"
            print(f"{visible(path)}:{rec.line}: not {what}, skipped", file=sys.stderr)
            continue
        print("=" * width)
        cached = "  (cached)" if rec.cached else ""
        print(f"{visible(rec.id)}  [{visible(rec.status)}]{cached}")
        if rec.status != "ok" or rec.summary is None:
            err = rec.error
            print(
                f"  error: {visible(err.type if err else None)}: "
                f"{visible(err.message if err else None)}"
            )
            continue
        s = rec.summary
        venue, date = s.venue, s.proposed_date
        field("headline", s.headline or "")
        field("status", s.talks_status)
        field("mediators", ", ".join(a.name for a in s.mediators) or "-")
        field("parties", ", ".join(a.name for a in s.parties) or "-")
        places = (venue.site, venue.city, venue.country) if venue else ()
        field("venue", ", ".join(x for x in places if x) or "-")
        when = date.date.isoformat() if date and date.date else "?"
        field("date", f"{when} ({date.text})" if date else "-")
        field("summary", s.summary)
        for p in s.positions:
            field("position", f"{p.actor}: {p.stance}")
    return 0
