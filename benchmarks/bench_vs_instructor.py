"""diplosum against a plain instructor loop on the same embedded model (issue 12).

The alternative a user would write in ten lines: a Pydantic model of names (mediators, parties,
venue city and country, the date as ISO ``date``, positions as actor and stance), instructor in
``Mode.JSON`` with llama.cpp's grammar (``response_format`` ``json_object`` plus the schema),
the article in the user message, no grounding. Both contenders talk to the *same* llama.cpp
server (diplosum's shared embedded server), at temperature 0, one article at a time, with no
cache. They run in blocks over the whole corpus -- A then B, and with ``--repeats 2`` A B B A
-- because llama.cpp reuses only the previous request's prefix: interleaving article by article
would deny each contender its own prefix reuse. Scores use ``diplosum eval``'s own matching
(actor keys, venue keys; the baseline's ISO date is taken as it is).

    python benchmarks/bench_vs_instructor.py [--gold G.jsonl --articles DIR]... [--repeats 2]
        [--prompt extract-v2 --prompt extract-v3]   # several diplosum prompts side by side

Defaults: the dev corpus (``../shared/corpus/dev``, if present) and ``examples/`` with
``evals/examples.gold.jsonl``. Needs ``pip install -e ".[local]"``; it loads the CPU fully for
about 25 minutes on 2 cores: run it on a quiet machine. Writes ``results/vs_instructor.json``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import statistics
import time
from pathlib import Path
from typing import Any

import _common as c
from pydantic import BaseModel, Field

ROOT = Path(__file__).resolve().parent.parent

SYSTEM = (
    "You extract facts about diplomatic talks from a news article. Report only what the "
    "article states. mediators: third parties that host, facilitate or mediate the talks. "
    "parties: the sides that negotiate. venue: where the talks are held or proposed. "
    "proposed_date: the date of the talks (YYYY-MM-DD), not the publication date. positions: "
    "what each actor says it wants, offers or rejects."
)


class Position(BaseModel):
    actor: str
    stance: str = Field(max_length=200)


class Talks(BaseModel):
    """What a plain instructor user would ask for."""

    mediators: list[str] = Field(default_factory=list, max_length=8)
    parties: list[str] = Field(default_factory=list, max_length=8)
    venue_city: str | None = None
    venue_country: str | None = None
    proposed_date: dt.date | None = None
    positions: list[Position] = Field(default_factory=list, max_length=6)


def _baseline(base_url: str) -> Any:
    import instructor
    import openai

    client = instructor.from_openai(
        openai.OpenAI(base_url=base_url, api_key="local", max_retries=0, timeout=600),
        mode=instructor.Mode.JSON,
    )
    schema = Talks.model_json_schema()

    def run(article: Any) -> tuple[Talks | None, dict[str, int], str | None]:
        published = article.published.isoformat() if article.published else "unknown"
        user = f"Published: {published}\nHeadline: {article.headline}\n\n{article.text}"
        try:
            talks, raw = client.chat.completions.create_with_completion(
                model="local",
                response_model=Talks,
                max_retries=1,
                temperature=0,
                max_tokens=800,
                messages=[
                    {"role": "system", "content": SYSTEM},
                    {"role": "user", "content": user},
                ],
                extra_body={"response_format": {"type": "json_object", "schema": schema}},
            )
        except Exception as exc:  # a failed article is scored as empty, and counted
            return None, {}, f"{type(exc).__name__}: {str(exc)[:200]}"
        usage = raw.usage
        return (
            talks,
            {"prompt": usage.prompt_tokens, "completion": usage.completion_tokens},
            None,
        )

    return run


def _diplosum(summariser: Any) -> Any:
    def run(article: Any) -> tuple[Any, dict[str, int], str | None]:
        try:
            result = summariser.summarise_article(article)
        except Exception as exc:
            return None, {}, f"{type(exc).__name__}: {str(exc)[:200]}"
        usage = result.meta.usage
        return (
            result.summary,
            {"prompt": usage.prompt_tokens, "completion": usage.completion_tokens},
            None,
        )

    return run


def _names(answer: Any) -> dict[str, Any]:
    """Mediators, parties, venue, date and position actors of either contender's answer."""
    if answer is None:
        return {"mediators": [], "parties": [], "city": None, "country": None, "date": None}
    if isinstance(answer, Talks):
        return {
            "mediators": answer.mediators,
            "parties": answer.parties,
            "city": answer.venue_city,
            "country": answer.venue_country,
            "date": answer.proposed_date.isoformat() if answer.proposed_date else None,
            "positions": [p.actor for p in answer.positions],
        }
    from diplosum.evaluate import _date_key

    venue = answer.venue
    return {
        "mediators": [a.name for a in answer.mediators],
        "parties": [a.name for a in answer.parties],
        "city": venue.city if venue else None,
        "country": venue.country if venue else None,
        "date": _date_key(answer),
        "positions": [p.actor for p in answer.positions],
    }


def _score(gold: Any, got: dict[str, Any]) -> dict[str, Any]:
    from diplosum.evaluate import SetScore, _venue_keys, actor_key

    def keyed(names: Any) -> dict[str, str]:
        return {actor_key(n): n for n in names}

    gold_venue = _venue_keys(gold.city, gold.country)
    pred_venue = _venue_keys(got["city"], got["country"])
    return {
        "mediators": SetScore.of(keyed(gold.mediators), keyed(got["mediators"])),
        "parties": SetScore.of(keyed(gold.parties), keyed(got["parties"])),
        "positions": SetScore.of(keyed(gold.position_actors), keyed(got.get("positions", []))),
        "city": gold_venue[0] == pred_venue[0],
        "country": gold_venue[1] == pred_venue[1],
        "date": gold.proposed_date == got["date"],
    }


def _totals(rows: list[dict[str, Any]]) -> dict[str, Any]:
    from diplosum.evaluate import SetScore

    def total(key: str) -> SetScore:
        out = SetScore()
        for r in rows:
            out = out + r["score"][key]
        return out

    n = len(rows) or 1
    secs = [r["seconds"] for r in rows]
    return {
        "articles": len(rows),
        "failures": sum(1 for r in rows if r["error"]),
        "mediators_f1": total("mediators").f1,
        "parties_f1": total("parties").f1,
        "position_actors_recall": total("positions").recall,
        "venue_city": sum(r["score"]["city"] for r in rows) / n,
        "venue_country": sum(r["score"]["country"] for r in rows) / n,
        "date": sum(r["score"]["date"] for r in rows) / n,
        "median_s": statistics.median(secs) if secs else None,
        "mean_s": statistics.fmean(secs) if secs else None,
        "prompt_tokens": statistics.fmean(r["tokens"].get("prompt", 0) for r in rows),
        "completion_tokens": statistics.fmean(r["tokens"].get("completion", 0) for r in rows),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--gold", action="append", type=Path)
    parser.add_argument("--articles", action="append", type=Path)
    parser.add_argument("--repeats", type=int, default=1, help="1: A B; 2: A B B A")
    parser.add_argument("--model", default="local")
    parser.add_argument(
        "--prompt",
        action="append",
        help="diplosum prompt version(s) to run, each as its own contender (default: the default)",
    )
    args = parser.parse_args()

    import diplosum
    from diplosum._article import read_article
    from diplosum.evaluate import load_gold
    from diplosum.local import shared_server
    from diplosum.providers import LOCAL_CONTEXT

    sets: list[tuple[Path, Path]] = list(zip(args.gold or [], args.articles or [], strict=True))
    if not sets:
        dev = ROOT.parent / "shared" / "corpus" / "dev"
        if (dev / "gold.jsonl").is_file():
            sets.append((dev / "gold.jsonl", dev / "articles"))
        sets.append((ROOT / "evals" / "examples.gold.jsonl", ROOT / "examples"))
    work: list[tuple[str, Any, Any]] = []
    for gold_path, folder in sets:
        for gold in load_gold(gold_path):
            work.append((folder.name, gold, read_article(folder / gold.file)))

    info = c.machine()
    base_url = shared_server(args.model, n_ctx=LOCAL_CONTEXT).base_url
    prompts = args.prompt or [None]
    summarisers = [
        diplosum.Summariser(args.model, cache=False, **({"prompt": p} if p else {}))
        for p in prompts
    ]
    names = ["diplosum" if p is None else f"diplosum {p}" for p in prompts]
    contenders = {n: _diplosum(s) for n, s in zip(names, summarisers, strict=True)}
    contenders["instructor"] = _baseline(base_url)
    order = list(contenders)
    if args.repeats >= 2:
        order += order[::-1]
    rows: dict[str, list[dict[str, Any]]] = {name: [] for name in contenders}
    started = time.time()
    for block, name in enumerate(order):
        c.log(f"block {block + 1}/{len(order)}: {name}, {len(work)} articles")
        for corpus, gold, article in work:
            t0 = time.perf_counter()
            answer, tokens, error = contenders[name](article)
            seconds = time.perf_counter() - t0
            got = _names(answer)
            rows[name].append(
                {
                    "block": block,
                    "corpus": corpus,
                    "file": gold.file,
                    "seconds": seconds,
                    "tokens": tokens,
                    "error": error,
                    "answer": got,
                    "score": _score(gold, got),
                }
            )
            c.log(f"  {name} {gold.file}: {seconds:.1f} s{' ' + error if error else ''}")
    for summariser in summarisers:
        summariser.close()

    totals: dict[str, dict[str, Any]] = {}
    for corpus in dict.fromkeys(corpus for corpus, _, _ in work):
        for name in contenders:
            totals[f"{corpus}/{name}"] = _totals([r for r in rows[name] if r["corpus"] == corpus])
    metrics = [
        ("mediators F1", "mediators_f1", 2),
        ("parties F1", "parties_f1", 2),
        ("venue city", "venue_city", 2),
        ("venue country", "venue_country", 2),
        ("date", "date", 2),
        ("position actors", "position_actors_recall", 2),
        ("median s/article", "median_s", 1),
        ("prompt tokens", "prompt_tokens", 0),
        ("completion tokens", "completion_tokens", 0),
    ]
    for corpus in dict.fromkeys(corpus for corpus, _, _ in work):
        ours = [totals[f"{corpus}/{n}"] for n in names]
        b = totals[f"{corpus}/instructor"]
        table_rows = [
            [label, *(c.fmt(d[k], p) for d in ours), c.fmt(b[k], p)] for label, k, p in metrics
        ]
        ratios = [
            d["median_s"] / b["median_s"] if d["median_s"] and b["median_s"] else None for d in ours
        ]
        table_rows.append(["time ratio to plain instructor", *(c.fmt(r) for r in ratios), ""])
        print(f"\n### {corpus} ({b['articles']} article runs each)\n")
        print(c.table(["metric", *names, "plain instructor"], table_rows))

    def plain(row: dict[str, Any]) -> dict[str, Any]:
        score = {k: (v.to_json() if hasattr(v, "to_json") else v) for k, v in row["score"].items()}
        return {**row, "score": score}

    c.write_results(
        "vs_instructor",
        {
            "machine": info,
            "git": c.git_state(),
            "wall_s": time.time() - started,
            "order": order,
            "totals": totals,
            "rows": {name: [plain(r) for r in rs] for name, rs in rows.items()},
        },
    )


if __name__ == "__main__":
    main()
