"""A one-sentence summary composed from the verified fields, not written by the model.

``extract-v3`` does not ask the model for a summary: on the embedded 1.5B model it was ~60 of
~300 completion tokens (~6 s on two CPU cores) and the one field of the answer that nothing
checked. The sentence below says only what the published summary already holds (parties,
mediators, status, venue, date), each of which carries its evidence, so it is grounded by
construction:

    Talks between Armenia and Azerbaijan, mediated by the United Nations, were held in Geneva,
    Switzerland, on 10 March 2026.
"""

from __future__ import annotations

import datetime as dt

from ._schema import Actor, TalksDate, Venue

__all__ = ["compose_summary"]

_VERBS = {
    "held": "were held",
    "scheduled": "are scheduled",
    "agreed": "were agreed",
    "proposed": "are proposed",
    "cancelled": "were cancelled",
}


def _named(actor: Actor) -> str:
    """The name as a sentence uses it: "the United Nations", "the ELN", but "Hamas", "NATO"."""
    name = actor.name
    words = name.split()
    if name.casefold().startswith("the "):
        return name
    if actor.kind == "organisation" and len(words) > 1:
        return f"the {name}"
    if actor.kind == "armed_group" and (len(words) > 1 or name.isupper()):
        return f"the {name}"
    return name


def _names(actors: list[Actor]) -> str:
    names = [_named(a) for a in actors]
    if len(names) <= 2:
        return " and ".join(names)
    return ", ".join(names[:-1]) + " and " + names[-1]


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def _when(date: TalksDate) -> str:
    """E.g. " on 10 March 2026", " in March 2026", " from 10 to 12 March 2026"; or ""."""
    day, end = date.date, date.end
    if day is None:
        return ""
    if date.precision == "year":
        return f" in {day.year}"
    if date.precision == "month":
        return f" in {day:%B %Y}"
    if date.precision == "week":
        return f" in the week of {_day(day)}"
    if end is not None and end != day:
        if (end.year, end.month) == (day.year, day.month):
            return f" from {day.day} to {_day(end)}"
        return f" from {_day(day)} to {_day(end)}"
    return f" on {_day(day)}"


def _where(venue: Venue) -> str:
    place = ", ".join(p for p in (venue.city, venue.country) if p)
    if venue.site and place:
        return f" at {venue.site}, {place}"
    if venue.site:
        return f" at {venue.site}"
    return f" in {place}" if place else ""


def compose_summary(
    *,
    parties: list[Actor],
    mediators: list[Actor],
    status: str,
    venue: Venue | None,
    date: TalksDate | None,
) -> str:
    """One neutral sentence from the published fields; "" when they name no talks at all."""
    where = _where(venue) if venue is not None else ""
    when = _when(date) if date is not None else ""
    if not (parties or mediators or where or when):
        return ""
    if len(parties) >= 2:
        subject = f"Talks between {_names(parties)}"
    elif parties:
        subject = f"Talks involving {_names(parties)}"
    else:
        subject = "Talks"
    if mediators:
        subject += f", mediated by {_names(mediators)},"
    if when and ", " in where:  # "in Geneva, Switzerland, on 10 March"
        where += ","
    verb = _VERBS.get(status)
    if verb is None:
        verb = "are reported"
    sentence = f"{subject} {verb}{where}{when}."
    return sentence
