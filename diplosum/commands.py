"""Smaller subcommands of the CLI: ``show`` and ``summarise --dry-run``."""

from __future__ import annotations

import argparse
import json
import sys
import textwrap
from typing import Any

from .errors import ArticleError

__all__ = ["dry_run", "show"]


def dry_run(args: argparse.Namespace, summariser: Any) -> int:
    """List what a run would send, with cache hits and estimated tokens and cost; call nothing."""
    from .articles import iter_articles
    from .pricing import cost_usd
    from .schema import Usage

    overhead = len(json.dumps(summariser.prompt.render("")).encode()) // 3 + 1100
    n = hits = errors = tokens_in = 0
    own = [args.output] if getattr(args, "output", None) else []
    for art in iter_articles(args.paths, exclude=own):  # -o is not an input
        if isinstance(art, ArticleError):
            errors += 1
            print(json.dumps({"source": art.source, "status": "error", "error": art.reason}))
            continue
        n += 1
        hit = summariser.lookup(art) is not None
        hits += hit
        est = 0 if hit else overhead + len(summariser._fit(art.text)[0].encode()) // 3
        tokens_in += est
        print(
            json.dumps(
                {"id": art.id, "source": art.source, "cached": hit, "estimated_prompt_tokens": est}
            )
        )
    est_out = (n - hits) * summariser.max_tokens // 2
    cost = cost_usd(
        summariser.spec.label, Usage(prompt_tokens=tokens_in, completion_tokens=est_out)
    )
    cost_text = "unknown" if cost is None else f"${cost:.4f}"
    print(
        f"diplosum: dry run: {n} articles, {hits} cached, {n - hits} to send, {errors} unreadable; "
        f"about {tokens_in:,} prompt + {est_out:,} output tokens, {cost_text}",
        file=sys.stderr,
    )
    return 0 if errors == 0 else 1


def show(path: str) -> int:
    """Print a readable table of the summaries in an output file (read as
    :class:`~diplosum.records.OutputRecord`: what is shown is what the record holds).

    Every value is shown through :func:`~diplosum._names.visible`: an escape sequence in a
    headline or a file name is printed as ``\x1b[...``, never sent to the terminal raw.
    """
    from ._names import visible
    from .records import OutputRecord, read_records

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
