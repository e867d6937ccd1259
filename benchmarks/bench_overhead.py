"""CPU overhead per article against a zero-latency fake server (issue 8, item 2).

Process CPU time (user + system, all threads, ``getrusage``) per article of this client
process, for the same articles, prompt and schema:

* ``openai + json.loads``: the bare SDK call and ``json.loads`` of the content (no validation).
* ``instructor loop``: ``instructor.from_openai(OpenAI(...), mode=JSON)``, ``response_model=
  Extraction``, ``context={"index": ArticleIndex(text)}`` (the same quote validation as diplosum).
* ``diplosum summarise_article``: ``Summariser(model="bench", base_url=URL, cache=None)``, sync.
* ``diplosum + cache``: the same with a fresh SQLite cache (every article a miss, then written).
* the async pair at concurrency 8: instructor's asyncio + semaphore recipe vs
  ``asummarise_many(..., concurrency=8)``.

Repeats are interleaved (A B C D E, B C D E A, ...) and the median is reported. Then the
stages of diplosum's own work are timed without HTTP, and a cProfile of the diplosum loop is
written to ``results/overhead_profile.txt``.

    python benchmarks/bench_overhead.py [--quick] [--articles N] [--repeats R]
"""

from __future__ import annotations

import argparse
import asyncio
import cProfile
import io
import json
import pstats
import tempfile
import time
import timeit
from pathlib import Path
from typing import Any

import _common as c

MODEL = "bench"


def _render(article: Any) -> list[dict[str, str]]:
    from diplosum._prompt import load_prompt

    return load_prompt().render(
        article.text,
        published=article.published.isoformat() if article.published else "unknown",
        headline=article.headline or "none",
    )


def _instructor_kwargs(article: Any) -> dict[str, Any]:
    from diplosum._grounding import ArticleIndex
    from diplosum._schema import Extraction

    return {
        "model": MODEL,
        "messages": _render(article),
        "response_model": Extraction,
        "context": {"index": ArticleIndex(article.text)},
        "max_retries": 2,
        "temperature": 0.0,
        "max_tokens": 1200,
        "seed": 0,
    }


# --------------------------------------------------------------------------- the contenders


def bare_openai(arts: list[Any], url: str) -> int:
    import openai

    client = openai.OpenAI(base_url=url, api_key="bench", max_retries=0)
    ok = 0
    for a in arts:
        resp = client.chat.completions.create(
            model=MODEL,
            messages=_render(a),
            temperature=0.0,
            max_tokens=1200,
            seed=0,  # type: ignore[arg-type]
        )
        data = json.loads(resp.choices[0].message.content or "null")
        ok += isinstance(data, dict)
    client.close()
    return ok


def instructor_loop(arts: list[Any], url: str) -> int:
    import instructor
    import openai

    raw = openai.OpenAI(base_url=url, api_key="bench", max_retries=0)
    client = instructor.from_openai(raw, mode=instructor.Mode.JSON)
    ok = 0
    for a in arts:
        ok += client.chat.completions.create(**_instructor_kwargs(a)) is not None
    raw.close()
    return ok


def diplosum_loop(arts: list[Any], url: str, cache: Any = None) -> int:
    from diplosum import Summariser

    s = Summariser(model=MODEL, base_url=url, cache=cache)
    ok = 0
    for a in arts:
        ok += s.summarise_article(a).summary is not None
    close = getattr(s, "close", None)  # closes the HTTP client diplosum made
    if close is not None:
        close()
    if s.cache is not None:
        s.cache.close()
    return ok


def diplosum_cached_writes(arts: list[Any], url: str) -> int:
    with tempfile.TemporaryDirectory() as tmp:
        return diplosum_loop(arts, url, cache=Path(tmp) / "c.db")


def semaphore_recipe(arts: list[Any], url: str, concurrency: int = 8) -> int:
    import instructor
    import openai

    async def main() -> int:
        raw = openai.AsyncOpenAI(base_url=url, api_key="bench", max_retries=0)
        client = instructor.from_openai(raw, mode=instructor.Mode.JSON)
        sem = asyncio.Semaphore(concurrency)

        async def one(a: Any) -> Any:
            async with sem:
                return await client.chat.completions.create(**_instructor_kwargs(a))

        results = await asyncio.gather(*(one(a) for a in arts), return_exceptions=True)
        await raw.close()
        return sum(not isinstance(r, BaseException) for r in results)

    return asyncio.run(main())


def diplosum_batch(arts: list[Any], url: str, concurrency: int = 8) -> int:
    from diplosum import Summariser
    from diplosum._batch import asummarise_many

    async def main() -> int:
        s = Summariser(model=MODEL, base_url=url, cache=None)
        ok = 0
        async for item in asummarise_many(arts, s, concurrency=concurrency):
            ok += item.ok  # asummarise_many closes the HTTP client it made
        return ok

    return asyncio.run(main())


CONTENDERS = {
    "openai + json.loads (sync)": bare_openai,
    "instructor loop (sync)": instructor_loop,
    "diplosum summarise_article (sync)": diplosum_loop,
    "diplosum + SQLite cache, all misses (sync)": diplosum_cached_writes,
    "instructor asyncio+semaphore (c=8)": semaphore_recipe,
    "diplosum asummarise_many (c=8)": diplosum_batch,
}


# --------------------------------------------------------------------------- stages


def stages(arts: list[Any]) -> dict[str, float]:
    """Microseconds per article of each step of diplosum's own work, without HTTP."""
    from diplosum import Summariser
    from diplosum._batch import BatchItem
    from diplosum._grounding import ArticleIndex
    from diplosum._schema import Extraction
    from diplosum._shape import build_summary
    from diplosum.providers import AttemptLog
    from diplosum.testing import fake_answer

    s = Summariser(model=MODEL, base_url="http://127.0.0.1:9/v1", cache=None)
    answers = [json.dumps(fake_answer(a.text)) for a in arts]
    extractions = [
        Extraction.model_validate_json(j, context={"index": ArticleIndex(a.text)})
        for a, j in zip(arts, answers, strict=True)
    ]
    calls = [s._prepare(a) for a in arts]
    n = len(arts)

    def per_article(fn: Any, number: int = 3) -> float:
        best = min(timeit.repeat(fn, number=1, repeat=number))
        return best / n * 1e6

    def finish() -> None:
        for call, ex in zip(calls, extractions, strict=True):
            log = AttemptLog()
            log.usages.append(
                {"prompt_tokens": 900, "completion_tokens": 200, "total_tokens": 1100}
            )
            log.raw_outputs.append("{}")
            s._finish(call, ex, log, time.perf_counter(), None)

    results = [
        s._finish(call, ex, _log(), 0.0, None) for call, ex in zip(calls, extractions, strict=True)
    ]
    out = {
        "prompt render + cache key (_prepare)": per_article(lambda: [s._prepare(a) for a in arts]),
        "cache key alone (Summariser.key)": per_article(lambda: [s.key(a) for a in arts]),
        "request kwargs (_kwargs: tenacity objects, ArticleIndex)": per_article(
            lambda: [s._kwargs(call, is_async=False) for call in calls]
        ),
        "validate answer: Extraction.model_validate_json + quote checks": per_article(
            lambda: [
                Extraction.model_validate_json(j, context={"index": ArticleIndex(a.text)})
                for a, j in zip(arts, answers, strict=True)
            ]
        ),
        "build_summary (grounding + normalisation)": per_article(
            lambda: [build_summary(a, ex) for a, ex in zip(arts, extractions, strict=True)]
        ),
        "_finish (build_summary + RunMetadata + cost), no cache": per_article(finish),
        "BatchItem.from_result (summary JSON + meta dump)": per_article(
            lambda: [BatchItem.from_result(a, r) for a, r in zip(arts, results, strict=True)]
        ),
        "BatchItem.json_line (output record)": per_article(
            lambda: [
                BatchItem.from_result(a, r).json_line() for a, r in zip(arts, results, strict=True)
            ]
        ),
    }
    return out


def _log() -> Any:
    from diplosum.providers import AttemptLog

    log = AttemptLog()
    log.usages.append({"prompt_tokens": 900, "completion_tokens": 200, "total_tokens": 1100})
    log.raw_outputs.append("{}")
    return log


def profile(arts: list[Any], url: str, path: Path) -> list[dict[str, Any]]:
    """cProfile the diplosum sync loop; write the report; return the top diplosum functions."""
    pr = cProfile.Profile()
    pr.enable()
    diplosum_loop(arts, url)
    pr.disable()
    buf = io.StringIO()
    st = pstats.Stats(pr, stream=buf)
    buf.write(f"cProfile of diplosum_loop over {len(arts)} articles (zero-latency fake server)\n")
    st.sort_stats("cumulative").print_stats(45)
    st.sort_stats("tottime").print_stats(30)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(buf.getvalue(), encoding="utf-8")
    rows = []
    for (file, line, func), (_cc, ncalls, tt, ct, _callers) in st.stats.items():  # type: ignore[attr-defined]
        if "/diplosum/" in file and "/site-packages/" not in file:
            rows.append(
                {
                    "function": f"diplosum/{file.split('/diplosum/')[-1]}:{line}({func})",
                    "calls": ncalls,
                    "cum_ms_per_article": ct / len(arts) * 1e3,
                    "own_ms_per_article": tt / len(arts) * 1e3,
                }
            )
    rows.sort(key=lambda r: -r["cum_ms_per_article"])
    return rows[:20]


# --------------------------------------------------------------------------- main


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="fewer articles and repeats")
    ap.add_argument("--articles", type=int, default=None)
    ap.add_argument("--repeats", type=int, default=None)
    args = ap.parse_args()
    n = args.articles or (100 if args.quick else 300)
    repeats = args.repeats or (3 if args.quick else 5)
    info = c.machine()
    arts = c.articles(n)
    names = list(CONTENDERS)
    runs: dict[str, list[dict[str, float]]] = {k: [] for k in names}
    with c.fake_server(latency=0.0) as server:
        for name in names:  # warm up: imports, lazily built normalisation indexes
            CONTENDERS[name](arts[:60], server.url)
        for rep in range(repeats):
            order = names[rep % len(names) :] + names[: rep % len(names)]
            for name in order:
                s0 = server.cpu()
                ok, wall, cpu = c.timed(lambda name=name: CONTENDERS[name](arts, server.url))
                scpu = server.cpu() - s0
                if ok != n:
                    raise SystemExit(f"{name}: only {ok}/{n} articles succeeded")
                runs[name].append({"wall_s": wall, "client_cpu_s": cpu, "server_cpu_s": scpu})
                c.log(
                    f"rep {rep + 1}/{repeats} {name}: {cpu / n * 1e3:.2f} ms CPU/article, wall {wall:.2f} s"
                )
        c.log("profiling the diplosum loop ...")
        top = profile(arts, server.url, c.RESULTS / "overhead_profile.txt")
    stage_us = stages(arts)

    base = "instructor loop (sync)"
    per = {k: c.summary([r["client_cpu_s"] / n * 1e3 for r in v]) for k, v in runs.items()}
    rows = []
    for k in names:
        ref = base if "sync" in k else "instructor asyncio+semaphore (c=8)"
        srv = c.summary([r["server_cpu_s"] / n * 1e3 for r in runs[k]])
        rows.append(
            [
                k,
                c.fmt(per[k]["median"]),
                f"{per[k]['spread'] * 100:.0f}%",
                c.fmt(per[k]["median"] - per[ref]["median"], 2) if k != ref else "(ref)",
                c.fmt(per[k]["median"] / per[ref]["median"], 2) if k != ref else "1.00",
                c.fmt(srv["median"]),
            ]
        )
    headers = [
        "client",
        "CPU ms/article (median)",
        "spread",
        "Δ vs instructor ms",
        "ratio",
        "server CPU ms/article",
    ]
    print(f"\nCPU per article, {n} articles x {repeats} repeats, zero-latency fake server\n")
    print(c.table(headers, rows))
    print("\ndiplosum's own stages, no HTTP (µs per article, best of 3)\n")
    print(c.table(["stage", "µs/article"], [[k, c.fmt(v, 0)] for k, v in stage_us.items()]))
    print("\ntop diplosum functions under cProfile (ms/article, cumulative; profiler inflates)\n")
    print(
        c.table(
            ["function", "cum ms/article", "own ms/article"],
            [
                [r["function"], c.fmt(r["cum_ms_per_article"]), c.fmt(r["own_ms_per_article"], 3)]
                for r in top[:12]
            ],
        )
    )
    path = c.write_results(
        "overhead",
        {
            "machine": info,
            "articles": n,
            "repeats": repeats,
            "mean_article_chars": sum(len(a.text) for a in arts) / n,
            "cpu_ms_per_article": per,
            "runs": runs,
            "stages_us_per_article": stage_us,
            "profile_top_diplosum": top,
        },
    )
    print(f"\nwrote {path}")


if __name__ == "__main__":
    main()
