"""Direct calls against the provider Batch API: tokens and dollars for the same articles
(issue 16).

The articles of ``examples/`` and ``evals/hard/articles`` (29) go through the in-process fake
server twice, each time with a fresh cache: once as direct calls (``Summariser.summarise_article``),
once through its Batch API (``Summariser.collect_batch``: request file, upload, batch, poll,
output file). Usage is the fake server's (prompt characters / 4, answer characters / 4: the
same figures for the same requests either way); the cost is those tokens times the
``openai/gpt-4o-mini`` prices of diplosum's table, standard and ``@batch``. A second
scenario makes one first answer in five fail validation (``FaultKind.SCHEMA_INVALID``): its
re-ask is a direct call, at the standard price.

    python benchmarks/bench_batch_api.py        # writes benchmarks/results/batch_api.json
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path
from typing import Any

import _common as c

MODEL = "openai/gpt-4o-mini"
ARTICLES = 20_000  # the user


def run(scenario: str, faults: Any, ways: tuple[str, ...]) -> dict[str, Any]:
    import diplosum
    from diplosum import retry
    from diplosum._inputs import iter_articles
    from diplosum._pricing import PRICES, batch_label
    from diplosum._schema import Usage
    from diplosum.testing import FakeOpenAIServer

    retry.set_testing(True)
    paths = [c.ROOT / "examples", c.ROOT / "evals" / "hard" / "articles"]
    articles = [a for a in iter_articles(paths) if isinstance(a, diplosum.Article)]
    direct_price, batch_price = PRICES[MODEL], PRICES[batch_label(MODEL)]
    # The fake server is a compatible endpoint: price its label as gpt-4o-mini.
    prices = {"compatible/gpt-4o-mini": direct_price, "compatible/gpt-4o-mini@batch": batch_price}
    out: dict[str, Any] = {"scenario": scenario, "articles": len(articles)}
    for way in ways:
        with tempfile.TemporaryDirectory() as tmp, FakeOpenAIServer(faults=faults()) as server:
            options = {"base_url": server.base_url, "api_key": "bench", "mode": "tools"}
            with diplosum.Summariser(
                "gpt-4o-mini", cache=Path(tmp) / "c.db", prices=prices, **options
            ) as s:
                if way == "direct":
                    records = [
                        diplosum.BatchItem.from_result(a, s.summarise_article(a)) for a in articles
                    ]
                else:
                    reasks = "batch" if way == "batch, re-asks batched" else "direct"
                    records = list(s.collect_batch(articles, poll_seconds=0, reasks=reasks))
        assert all(r.ok for r in records), [r.error for r in records if not r.ok]
        batch_part, direct_part = Usage(), Usage()
        for r in records:
            assert r.meta is not None
            answered = r.meta.attempts_usage
            # the first answer came from the batch; with batched re-asks, every answer did
            n = {"direct": 0, "batch": 1}.get(way, len(answered))
            batch_part = sum(answered[:n], batch_part)
            direct_part = sum(answered[n:], direct_part)

        def dollars(u: Usage, price: tuple[float, float]) -> float:
            return (u.prompt_tokens * price[0] + u.completion_tokens * price[1]) / 1e6

        cost = dollars(batch_part, batch_price) + dollars(direct_part, direct_price)
        recorded = sum(r.cost_usd or 0.0 for r in records)
        assert abs(cost - recorded) < 1e-6, (cost, recorded)  # the records say the same
        total = batch_part + direct_part
        out[way] = {
            "model_calls": sum(r.attempts for r in records),
            "prompt_tokens": total.prompt_tokens,
            "completion_tokens": total.completion_tokens,
            "tokens_at_batch_price": batch_part.total_tokens,
            "tokens_at_direct_price": direct_part.total_tokens,
            "cost_usd": round(cost, 6),
            "cost_usd_per_20000_articles": round(cost / len(articles) * ARTICLES, 2),
            "direct_http_requests": sum(not x.batch for x in server.log),
            "batch_requests": sum(x.batch for x in server.log),
        }
    for way in ways[1:]:
        out[f"{way} / direct"] = round(out[way]["cost_usd"] / out["direct"]["cost_usd"], 4)
    return out


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="accepted for run_all.py; no effect")
    ap.parse_args(argv)
    from diplosum.testing import FaultKind, FaultPlan

    def clean() -> Any:
        return None

    def one_in_five() -> FaultPlan:
        return FaultPlan(
            lambda _i, key, call: (
                FaultKind.SCHEMA_INVALID if call == 0 and int(key[:8], 16) % 5 == 0 else None
            )
        )

    results = [
        run("every answer valid", clean, ("direct", "batch")),
        run(
            "1 first answer in 5 re-asked",
            one_in_five,
            ("direct", "batch", "batch, re-asks batched"),
        ),
    ]
    rows = []
    for r in results:
        for way in [w for w in r if w in ("direct", "batch", "batch, re-asks batched")]:
            x = r[way]
            rows.append(
                [
                    r["scenario"],
                    way,
                    r["articles"],
                    x["model_calls"],
                    f"{x['prompt_tokens']:,}",
                    f"{x['completion_tokens']:,}",
                    f"${x['cost_usd']:.4f}",
                    f"${x['cost_usd_per_20000_articles']:.2f}",
                ]
            )
    headers = ["scenario", "path", "articles", "calls", "prompt", "completion", "cost", "20,000"]
    print(c.table(headers, rows))
    for r in results:
        ratios = {k: v for k, v in r.items() if k.endswith("/ direct")}
        print(f"{r['scenario']}: " + ", ".join(f"{k} = {v:.3f}" for k, v in ratios.items()))
    c.write_results("batch_api", {"machine": c.machine(), "model": MODEL, "results": results})
    return 0


if __name__ == "__main__":
    sys.exit(main())
