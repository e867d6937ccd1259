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
    """Print a readable table of the summaries in an output file.

    Every value is shown through :func:`~diplosum._names.visible`: an escape sequence in a
    headline or a file name is printed as ``\x1b[...``, never sent to the terminal raw.
    """
    from ._jsonl import jsonl_lines
    from ._names import visible

    try:
        # Split on "\n" only: str.splitlines() would cut a record at U+2028, U+2029 or U+0085.
        lines = list(jsonl_lines(path))
    except OSError as exc:
        raise ArticleError(f"cannot read: {exc.strerror or exc}", source=path) from None
    width = 100
    for n, line in lines:
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except ValueError:
            print(f"{visible(path)}:{n}: not a JSON line, skipped", file=sys.stderr)
            continue
        if not isinstance(rec, dict):
            print(f"{visible(path)}:{n}: not an output record, skipped", file=sys.stderr)
            continue
        print("=" * width)
        cached = "  (cached)" if rec.get("cached") else ""
        print(f"{visible(rec.get('id'))}  [{visible(rec.get('status'))}]{cached}")
        if rec.get("status") != "ok":
            err = rec.get("error") or {}
            print(f"  error: {visible(err.get('type'))}: {visible(err.get('message'))}")
            continue
        s = rec.get("summary") or {}
        venue = s.get("venue") or {}
        date = s.get("proposed_date") or {}
        rows = [
            ("headline", s.get("headline") or ""),
            ("status", s.get("talks_status") or ""),
            ("mediators", ", ".join(a["name"] for a in s.get("mediators", [])) or "-"),
            ("parties", ", ".join(a["name"] for a in s.get("parties", [])) or "-"),
            (
                "venue",
                ", ".join(
                    x for x in (venue.get("site"), venue.get("city"), venue.get("country")) if x
                )
                or "-",
            ),
            ("date", f"{date.get('date') or '?'} ({date.get('text')})" if date else "-"),
            ("summary", s.get("summary") or ""),
        ]
        for name, value in rows:
            wrapped = textwrap.wrap(visible(value), width - 14) or [""]
            print(f"  {name:<11} {wrapped[0]}")
            for more in wrapped[1:]:
                print(f"  {'':<11} {more}")
        for p in s.get("positions", []):
            stance = textwrap.wrap(visible(f"{p['actor']}: {p['stance']}"), width - 14) or [""]
            print(f"  {'position':<11} {stance[0]}")
            for more in stance[1:]:
                print(f"  {'':<11} {more}")
    return 0
