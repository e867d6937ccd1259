"""Crashes and concurrency: SIGKILLed batches resume exactly; two processes share one cache."""

from __future__ import annotations

import random
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

import pytest

from diplosum._batch import BatchItem
from diplosum._cache import Cache
from diplosum._schema import DiplomaticSummary
from diplosum.cli._output import OutputWriter
from diplosum.errors import ArticleError
from diplosum.testing import FakeOpenAIServer, fingerprint
from tests.reliability_helpers import (
    ROOT,
    cli_env,
    integrity,
    output_lines,
    read_all,
    requests_per_article,
    run_cli,
    summarise_argv,
    validate_records,
    wait_until,
    write_articles,
)

ARTICLES, KILLS, SEED = 80, 5, 20240607
OVERLAP = 25  # articles both processes summarise


@pytest.mark.slow
def test_sigkill_at_random_points_then_resume(tmp_path: Path) -> None:
    """Five SIGKILLs at random points, then a re-run: each article once, cache intact, no cached call repeated."""
    folder, cache, out = tmp_path / "articles", tmp_path / "cache.db", tmp_path / "out.jsonl"
    write_articles(folder, ARTICLES, seed=3)
    articles = read_all([folder])
    assert len(articles) == ARTICLES
    rng = random.Random(SEED)
    rows: list[str] = []
    cached_at_kill: list[set[str]] = []
    log_at_kill: list[int] = []
    with FakeOpenAIServer(latency=0.05) as server:
        argv = [
            sys.executable,
            "-m",
            "diplosum",
            *summarise_argv(server, cache, out, folder, jobs=8),
        ]
        for k in range(KILLS):
            remaining = ARTICLES - (len(cached_at_kill[-1]) if cached_at_kill else 0)
            before = server.requests
            # Kill once the server has seen a random number of this run's requests, plus a
            # random delay, so kills land while calls are in flight, results are being
            # cached and lines are being written.
            threshold = max(1, round(remaining * rng.uniform(0.05, 0.5)))
            delay = rng.uniform(0.0, 0.1) if remaining > 16 else 0.0
            with subprocess.Popen(
                argv, env=cli_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
            ) as proc:
                target = before + threshold
                reached = wait_until(
                    lambda p=proc, t=target: server.requests >= t or p.poll() is not None,
                    timeout=60,
                )
                time.sleep(delay)
                finished_first = proc.poll() is not None
                proc.send_signal(signal.SIGKILL)
                proc.wait(timeout=30)
                stderr = proc.stderr.read().decode() if proc.stderr else ""
            assert reached and not finished_first, f"run {k} ended before its kill: {stderr}"
            time.sleep(0.2)  # requests the dead client had already sent are logged by now
            log_at_kill.append(server.requests)
            check, shas = integrity(cache)
            assert check == "ok", f"after kill {k}: integrity_check says {check}"
            lines, partial = output_lines(out)
            keys = [(line["id"], line["article_sha256"]) for line in lines]
            assert len(keys) == len(set(keys)), f"after kill {k}: a duplicated output line"
            cached_at_kill.append(shas)
            unwritten = len(shas - {line["article_sha256"] for line in lines})
            rows.append(
                f"kill {k}: after {server.requests - before} request(s) of this run "
                f"(threshold {threshold}, +{delay:.2f} s); {len(shas)} cached, {len(lines)} "
                f"lines written{' + a partial line' if partial else ''}, {unwritten} cached "
                "but not yet written (the next run must serve them from the cache)"
            )
        final = run_cli(*summarise_argv(server, cache, out, folder, jobs=8))
        log = server.log

    assert final.returncode == 0, final.stderr
    lines, partial = output_lines(out)
    records = validate_records(lines)
    assert not partial
    assert Counter(r.article_sha256 for r in records) == Counter(list(articles)), (
        "not each article once"
    )
    assert all(r.status == "ok" for r in records)
    check, shas = integrity(cache)
    assert check == "ok" and shas == set(articles)
    with Cache(cache) as reopened:
        assert reopened.stats().entries == ARTICLES

    # No article that was in the cache when a process died was asked for again later.
    bounds = [*log_at_kill, len(log)]
    for k, cached in enumerate(cached_at_kill):
        later = {r.article_sha256 for r in log[bounds[k] :]}
        assert not later & cached, (
            f"run {k + 1} re-requested {len(later & cached)} cached article(s)"
        )
    # A request whose body the kill cut short reaches the server as no article at all.
    torn = sum(r.article_sha256 == fingerprint("") for r in log)
    per_article = Counter(r.article_sha256 for r in log if r.article_sha256 != fingerprint(""))
    repeated = sum(n - 1 for n in per_article.values())
    rows.append(
        f"final run: {len(log) - log_at_kill[-1]} request(s); total {len(log)} requests for "
        f"{ARTICLES} articles, {repeated} repeated (in flight at a kill, never cached), "
        f"{torn} torn by a kill"
    )
    print("crash:\n  " + "\n  ".join(rows))
    assert set(per_article) == set(articles)
    assert repeated <= KILLS * 8, rows  # at most the calls in flight (-j 8) at each kill


@pytest.mark.slow
def test_two_processes_share_one_cache(tmp_path: Path) -> None:
    """Two CLI processes, overlapping folders, one cache: both complete, cache intact, only the overlap paid twice."""
    shared, only_a, only_b = (tmp_path / name for name in ("shared", "only_a", "only_b"))
    write_articles(shared, OVERLAP, seed=5, start=0)
    write_articles(only_a, OVERLAP, seed=6, start=100)
    write_articles(only_b, OVERLAP, seed=7, start=200)
    cache = tmp_path / "cache.db"
    out_a, out_b = tmp_path / "a.jsonl", tmp_path / "b.jsonl"
    with FakeOpenAIServer(latency=0.02) as server:
        argv_a = summarise_argv(server, cache, out_a, shared, only_a)
        argv_b = summarise_argv(server, cache, out_b, shared, only_b)  # both race on shared
        procs = [
            subprocess.Popen(
                [sys.executable, "-m", "diplosum", *argv],
                env=cli_env(),
                cwd=ROOT,
                stdout=subprocess.DEVNULL,
                stderr=subprocess.PIPE,
                text=True,
            )
            for argv in (argv_a, argv_b)
        ]
        results = [(p.wait(timeout=120), p.stderr.read() if p.stderr else "") for p in procs]
        for p in procs:
            if p.stderr:
                p.stderr.close()
        per_article = requests_per_article(server)

    assert [code for code, _ in results] == [0, 0], results
    overlap = read_all([shared])
    for out, folders in ((out_a, [shared, only_a]), (out_b, [shared, only_b])):
        lines, partial = output_lines(out)
        records = validate_records(lines)
        assert not partial and all(r.status == "ok" for r in records)
        assert Counter(r.article_sha256 for r in records) == Counter(list(read_all(folders)))
    check, shas = integrity(cache)
    assert check == "ok" and len(shas) == 3 * OVERLAP
    duplicates = {sha: n for sha, n in per_article.items() if n > 1}
    print(
        f"concurrency: 2 processes, {3 * OVERLAP} articles ({OVERLAP} shared), "
        f"{sum(per_article.values())} "
        f"requests, {len(duplicates)} shared article(s) paid twice (bound: {OVERLAP})"
    )
    assert set(duplicates) <= set(overlap), "an article outside the overlap was paid twice"
    assert max(per_article.values()) <= 2 and len(duplicates) <= len(overlap)


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_output_resumes_from_a_cut_at_any_byte(tmp_path: Path, fmt: str) -> None:
    """An output file cut at any byte resumes with exactly its complete successful records."""
    summary = DiplomaticSummary(
        headline='Talks, "quoted"\nand split',
        published=None,
        language="en",
        summary="Line one of the synopsis.\nLine two, with a comma.\n",
        talks_status="proposed",
    )
    items = [
        BatchItem(
            id=f"ok{n}",
            source=f"a{n}.txt",
            article_sha256=f"sha{n}",
            status="ok",
            summary=summary,
            schema_version="1",
            diplosum_version="test",
        )
        for n in range(3)
    ]
    items.insert(
        1,
        BatchItem.failure(
            ArticleError("bad\ninput", source="b.txt"), summariser=None, source="b.txt"
        ),
    )
    path = tmp_path / f"out.{fmt}"
    ends: list[tuple[int, BatchItem]] = []
    with OutputWriter(path, fmt) as writer:  # type: ignore[arg-type]
        for item in items:
            writer.write(item)
            writer._fh.flush()
            ends.append((path.stat().st_size, item))
    data = path.read_bytes()
    header = data.index(b"\n") + 1 if fmt == "csv" else 0
    step = max(1, (len(data) - header) // 120)
    cuts = sorted({*range(header, len(data) + 1, step), *(end for end, _ in ends), len(data) - 1})
    for cut in cuts:
        path.write_bytes(data[:cut])
        with OutputWriter(path, fmt) as writer:  # type: ignore[arg-type]
            done = set(writer.done)
        complete = {(i.id, i.article_sha256) for end, i in ends if end <= cut and i.ok}
        assert done == complete, (fmt, cut)
        kept = path.read_text(encoding="utf-8")
        assert kept.count("Line two, with a comma.") == len(complete), (fmt, cut)
    print(f"resume ({fmt}): {len(cuts)} cut points, each kept exactly its complete records")
