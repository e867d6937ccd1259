"""``diplosum eval``: scoring against gold (:mod:`diplosum.evaluate`) and its tables on stderr."""

from __future__ import annotations

import argparse
import json
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._names import visible
from ..evaluate import METRICS, Gold, Scores, compare, load_gold, score
from ._common import eprint

if TYPE_CHECKING:
    from .._records import OutputRecord

__all__ = ["run"]

_eprint = eprint


# --------------------------------------------------------------------------- tables


def _num(value: float | None) -> str:
    return "-" if value is None else f"{value:.3f}"


def print_articles(scores: Scores) -> None:
    """The per-article table of what was wrong, on stderr."""
    _eprint("per article: what was wrong")
    for a in scores.articles:
        rows = a.problems()
        _eprint(f"{visible(a.file)}  " + ("[all correct]" if not rows else f"[{len(rows)} wrong]"))
        for what, detail in rows:
            _eprint(f"  {what:<16} {visible(detail)}")
    for ident in scores.extra:
        _eprint(f"{visible(ident)}  [no gold annotation: not scored]")


def print_totals(scores: Scores, label: str) -> None:
    """The summary table, on stderr."""
    t = scores.totals()
    models = ", ".join(t["models"]) or "-"
    prompts = ", ".join(t["prompt_versions"]) or "-"
    _eprint(f"\n{label}: {t['articles']} articles; model {models}; prompt {prompts}")
    rows = []
    for name in ("mediators", "parties"):
        s = t[name]
        rows.append(
            (
                f"{name} P/R/F1",
                "/".join(_num(s[k]) for k in ("precision", "recall", "f1")),
                f"tp {s['tp']}, fp {s['fp']}, fn {s['fn']}",
            )
        )
    for key, name in (
        ("venue_city", "venue city"),
        ("venue_country", "venue country"),
        ("proposed_date", "proposed date"),
    ):
        rows.append((name, _num(t[key]["accuracy"]), f"{t[key]['correct']} of {t[key]['n']}"))
    pa, g = t["position_actor_recall"], t["grounding"]
    rows.append(("position actors", _num(pa["recall"]), f"recall: {pa['found']} of {pa['gold']}"))
    rows.append(
        (
            "grounding",
            _num(g["rate"]),
            f"{g['verbatim']} of {g['quotes']} quotes verbatim; "
            f"{g['fuzzy']} fuzzy, {g['not_found']} not found",
        )
    )
    rows.append(("failures", str(t["failures"]), f"{t['missing']} without a prediction"))
    r = t["reasks"]
    if r["articles"]:
        per = r["articles"]
        rows.append(
            (
                "re-ask rate",
                _num(r["rate"]),
                f"{r['reasked']} of {per} articles re-asked; {r['model_calls'] / per:.1f} model "
                f"calls and {r['prompt_tokens'] / per:,.0f} prompt tokens per article",
            )
        )
    d = t["dropped"]
    rows.append(
        (
            "dropped items",
            str(d["items"] - d["demoted_or_moved"] - d.get("replaced", 0)),
            f"{_num(d['per_10_articles'])} per 10 articles; also {d['demoted_or_moved']} "
            f"mediator(s) demoted or moved to parties, {d.get('replaced', 0)} value(s) replaced "
            "by a verified one",
        )
    )
    if "true_items_lost" in d:
        rows.append(
            (
                "true items lost",
                str(d["true_items_lost"]),
                f"{_num(d['lost_per_10_articles'])} per 10 articles: dropped items the gold holds "
                "(a dropped position counts whenever the gold has positions, unless its stance "
                "is kept)",
            )
        )
    lat = t["latency_s"]
    if lat["median"] is not None:
        rows.append(
            (
                "seconds per article",
                f"{lat['median']:.1f}",
                f"median of fresh calls; {lat['min']:.1f} to {lat['max']:.1f}",
            )
        )
    unknown = f"; cost unknown for {t['cost_unknown']}" if t["cost_unknown"] else ""
    rows.append(
        ("cost", f"${t['cost_usd']:.4f}", f"{t['tokens']:,} tokens; {t['cached']} cached{unknown}")
    )
    _eprint(f"{'metric':<20} {'score':<19} detail")
    for name, value, detail in rows:
        _eprint(f"{name:<20} {value:<19} {detail}")


def print_comparison(result: dict[str, Any], a: str, b: str) -> None:
    """Totals side by side, and which articles got better or worse, on stderr."""
    _eprint(f"\ncomparison: A = {a}, B = {b}")
    _eprint(f"{'metric':<18} {'A':>7} {'B':>7} {'change':>8}  better  worse")
    for m, label in METRICS.items():
        t = result["totals"][m]
        delta = "-" if t["delta"] is None else f"{t['delta']:+.3f}"
        _eprint(
            f"{label:<18} {_num(t['a']):>7} {_num(t['b']):>7} {delta:>8}  "
            f"{len(result['better'][m]):>6}  {len(result['worse'][m]):>5}"
        )
    by_file: dict[str, list[str]] = {}
    for c in result["changes"]:
        word = "better" if c["b"] > c["a"] else "worse"
        by_file.setdefault(c["file"], []).append(
            f"{word} {METRICS[c['metric']]} {c['a']:.2f} -> {c['b']:.2f}"
        )
    for file, changes in by_file.items():
        _eprint(f"  {file}: " + "; ".join(changes))
    if not by_file:
        _eprint("  no article changed")


# --------------------------------------------------------------------------- command line


def _summarise(args: argparse.Namespace, golds: Sequence[Gold]) -> list[OutputRecord]:
    """Summarise the gold articles found in ``args.articles``; each outcome as a record."""
    from .._batch import summarise_many
    from ..errors import ConfigurationError
    from ._summarise import make_summariser

    folder = Path(args.articles)
    if not folder.is_dir():
        raise ConfigurationError(f"--articles {folder}: not a folder")
    summariser = make_summariser(args)
    records: list[OutputRecord] = []
    out = open(args.output, "w", encoding="utf-8") if args.output else None  # noqa: SIM115
    try:
        items = summarise_many(
            [str(folder / g.file) for g in golds],
            summariser,
            concurrency=args.concurrency,
            check_cache=True,  # a read-only cache: exit 2 before the first model call
        )
        for n, item in enumerate(items, 1):
            if out is not None:
                out.write(item.json_line() + "\n")
                out.flush()
            records.append(item)
            how = "cached" if item.cached else item.status
            _eprint(f"diplosum: [{n}/{len(golds)}] {visible(item.id)}: {how}")
    finally:
        if out is not None:
            out.close()
    return records


def _predictions(path: str) -> list[OutputRecord]:
    """The records of ``path``; each line that is not one is said on stderr."""
    from .._records import read_records

    read = read_records(path)
    for skip in read.skipped:
        _eprint(f"diplosum: {path}:{skip.line}: not an output record, skipped ({skip.reason})")
    return read.records


def run(args: argparse.Namespace) -> int:
    """``diplosum eval``: score, print the tables, write ``--json``; 0 unless the input is bad."""
    from ..errors import ConfigurationError

    if (args.predictions is None) == (args.articles is None):
        raise ConfigurationError("give either a predictions file or --articles DIR")
    if args.output and not args.articles:
        raise ConfigurationError("-o/--output only applies with --articles")
    from ._usage import check_output

    check_output("-o", args.output)  # before any article is summarised
    if args.json_out and args.json_out != "-":
        check_output("--json", args.json_out)
    golds = load_gold(args.gold)
    if args.articles:
        label = f"{args.articles} summarised"
        scores = score(golds, _summarise(args, golds))
    else:
        label = args.predictions
        scores = score(golds, _predictions(args.predictions), base=Path(args.predictions).parent)
    if not args.quiet:
        print_articles(scores)
    print_totals(scores, label)
    result: dict[str, Any] = {"gold": args.gold, "predictions": label, **scores.to_json()}
    if args.compare:
        other = score(golds, _predictions(args.compare), base=Path(args.compare).parent)
        if not args.quiet:
            print_articles(other)
        print_totals(other, args.compare)
        result["compare"] = {"predictions": args.compare, **other.to_json()}
        result["comparison"] = compare(scores, other)
        print_comparison(result["comparison"], label, args.compare)
    if args.json_out:
        text = json.dumps(result, indent=2, ensure_ascii=False)
        if args.json_out == "-":
            print(text)
        else:
            Path(args.json_out).write_text(text + "\n", encoding="utf-8")
            _eprint(f"diplosum: scores written to {args.json_out}")
    return 0
