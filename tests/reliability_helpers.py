"""Helpers of the reliability suite: synthetic articles, the CLI in a subprocess, output checks."""

from __future__ import annotations

import json
import os
import random
import sqlite3
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

from diplosum._article import Article
from diplosum._inputs import iter_articles
from diplosum._records import OutputRecord
from diplosum.testing import FakeOpenAIServer, FaultKind, FaultPlan, fingerprint

ROOT = Path(__file__).resolve().parent.parent

_STATES = [
    "Armenia", "Azerbaijan", "Ethiopia", "Eritrea", "Serbia", "Kosovo", "Sudan", "Chad",
    "India", "Pakistan", "Colombia", "Venezuela", "Russia", "Ukraine", "Israel", "Lebanon",
    "Rwanda", "Burundi", "Georgia", "Moldova", "Somalia", "Kenya", "Niger", "Mali",
]  # fmt: skip
_MEDIATORS = ["Qatar", "Egypt", "Norway", "Turkey", "Oman", "Switzerland", "Kenya", "Brazil"]
_CITIES = ["Doha", "Cairo", "Oslo", "Istanbul", "Muscat", "Geneva", "Nairobi", "Vienna"]
_MONTHS = ["March", "April", "May", "June", "July", "September", "October", "November"]
_STANCES = [
    "wants a ceasefire before any talks",
    "is ready to exchange prisoners",
    "rejects any foreign troops on its soil",
    "supports a phased withdrawal",
    "asks for guarantees from the mediators",
]


def article_text(n: int, rng: random.Random) -> tuple[str, str]:
    """A short synthetic news article unique to ``n``: (headline, body)."""
    a, b = rng.sample(_STATES, 2)
    mediator = rng.choice([m for m in _MEDIATORS if m not in (a, b)])
    city, month, day = rng.choice(_CITIES), rng.choice(_MONTHS), rng.randint(1, 28)
    stance = rng.choice(_STANCES)
    shape = n % 4
    if shape == 0:
        body = (
            f"{a} and {b} will hold talks in {city} on {month} {day}, in a process mediated by "
            f"{mediator}. The {a} foreign minister said {a} {stance}. "
            f"Officials from {b} said they would send a delegation (report {n})."
        )
    elif shape == 1:
        body = (
            f"Delegations from {a} and {b} met in {city} this week. The meeting was hosted by "
            f"{mediator}, diplomats said.\n\n"
            f'"We came in good faith," a senior {b} negotiator said. {a} said it {stance}. '
            f"A second round is planned for {day} {month} (dispatch {n})."
        )
    elif shape == 2:
        body = (
            f"{mediator} has offered to broker talks between {a} and {b}. "
            f"No date has been set, but officials expect a meeting in {city} before {month}. "
            f"{b} said it {stance} (item {n})."
        )
    else:
        body = (
            f"Talks between {a} and {b} collapsed in {city} on {month} {day}. "
            f"The talks, facilitated by {mediator}, ended without a statement.\n\n"
            f"A spokesman for {a} said the other side had walked out; {b} said it {stance} "
            f"(bulletin {n})."
        )
    return f"{a} and {b} talks ({n})", body


def write_articles(folder: Path, count: int, *, seed: int = 0, start: int = 0) -> list[Path]:
    """Write ``count`` varied articles into ``folder`` as .txt, .md, .json and .html files."""
    rng = random.Random(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    for n in range(start, start + count):
        headline, body = article_text(n, rng)
        day = f"2025-{1 + n % 12:02d}-{1 + n % 28:02d}"
        kind = n % 5
        if kind in (0, 1):
            path = folder / f"a{n:04d}.txt"
            path.write_text(f"date {day} {headline}\n\n{body}\n", encoding="utf-8")
        elif kind == 2:
            path = folder / f"a{n:04d}.md"
            path.write_text(f"---\npublished: {day}\ntitle: {headline}\n---\n{body}\n")
        elif kind == 3:
            path = folder / f"a{n:04d}.json"
            record = {"id": f"rec-{n}", "published": day, "headline": headline, "text": body}
            path.write_text(json.dumps(record), encoding="utf-8")
        else:
            path = folder / f"a{n:04d}.html"
            paras = "".join(f"<p>{p}</p>" for p in body.split("\n\n"))
            path.write_text(
                f"<html><head><title>{headline}</title><script>var n = {n};</script></head>"
                f"<body>{paras}</body></html>",
                encoding="utf-8",
            )
        paths.append(path)
    return paths


def read_all(paths: Iterable[str | os.PathLike[str]]) -> dict[str, Article]:
    """Every readable article under ``paths``, by sha256 (the fake server's fingerprint)."""
    found: dict[str, Article] = {}
    for item in iter_articles(paths):
        if isinstance(item, Article):
            found[item.sha256] = item
    return found


def run_cli(
    *args: str | os.PathLike[str],
    env: dict[str, str] | None = None,
    timeout: float = 120,
) -> subprocess.CompletedProcess[str]:
    """``python -m diplosum ARGS`` in a fresh interpreter; output captured."""
    return subprocess.run(
        [sys.executable, "-m", "diplosum", *map(str, args)],
        capture_output=True,
        text=True,
        env=cli_env(env),
        timeout=timeout,
        cwd=ROOT,
        check=False,
    )


def cli_env(extra: dict[str, str] | None = None) -> dict[str, str]:
    """The environment of a CLI subprocess: source tree importable, no keys, no retry waits."""
    env = {k: v for k, v in os.environ.items() if k not in ("OPENAI_API_KEY", "DIPLOSUM_API_KEY")}
    env["PYTHONPATH"] = os.pathsep.join(p for p in (str(ROOT), env.get("PYTHONPATH")) if p)
    env["DIPLOSUM_TESTING_NO_WAIT"] = "1"  # no retry back-off waits in the child either
    env.update(extra or {})
    return env


def summarise_argv(
    server: FakeOpenAIServer,
    cache: Path,
    output: Path,
    *paths: str | os.PathLike[str],
    jobs: int = 16,
) -> list[str]:
    """The ``diplosum summarise`` arguments used by the suite (quiet, fake model)."""
    return [
        "summarise",
        *map(str, paths),
        "-m",
        "fake",
        "--base-url",
        server.base_url,
        "--cache",
        str(cache),
        "-o",
        str(output),
        "-j",
        str(jobs),
        "-q",
    ]


def output_lines(path: Path) -> tuple[list[dict[str, Any]], bool]:
    """The complete JSON lines of an output file, and whether a partial last line was there."""
    raw = path.read_bytes() if path.exists() else b""
    partial = bool(raw) and not raw.endswith(b"\n")
    complete = raw[: raw.rfind(b"\n") + 1] if partial else raw
    return [json.loads(line) for line in complete.decode("utf-8").splitlines() if line], partial


def validate_records(lines: list[dict[str, Any]]) -> list[OutputRecord]:
    """Every line is a valid OutputRecord (the published output schema)."""
    return [OutputRecord.model_validate(line) for line in lines]


def evidence(record: OutputRecord) -> list[Any]:
    """Every Evidence object of a record's summary."""
    s = record.summary
    if s is None:
        return []
    found = [ev for actor in [*s.mediators, *s.parties] for ev in actor.evidence]
    found += [p.evidence for p in s.positions]
    found += [x.evidence for x in (s.venue, s.proposed_date) if x is not None]
    return found


def check_grounded(record: OutputRecord, article: Article) -> int:
    """Assert every evidence quote of ``record`` is ``article.text[start:end]``; count them."""
    quotes = evidence(record)
    for ev in quotes:
        assert article.text[ev.start : ev.end] == ev.quote, (record.id, ev)
    return len(quotes)


def integrity(cache: Path) -> tuple[str, set[str]]:
    """``PRAGMA integrity_check`` of a cache file and the article hashes it holds."""
    conn = sqlite3.connect(cache)
    try:
        check = conn.execute("PRAGMA integrity_check").fetchone()[0]
        shas = {sha for (sha,) in conn.execute("SELECT article_sha256 FROM results")}
    finally:
        conn.close()
    return check, shas


def requests_per_article(server: FakeOpenAIServer, since: int = 0) -> Counter[str]:
    """How many chat requests the server saw per article fingerprint (from log index ``since``)."""
    return Counter(r.article_sha256 for r in server.log[since:])


def fault_mix(
    rate: float,
    seed: int,
    doomed: dict[str, FaultKind] | None = None,
) -> Callable[[int, str], FaultKind | None]:
    """Random faults of every kind on a share ``rate`` of calls; ``doomed`` articles always get
    their fault while ``plan.doom`` is true (so they fail in a first run and recover later)."""
    random_plan = FaultPlan.random(rate, list(FaultKind), seed)

    class Mix:
        doom = True

        def __call__(self, index: int, article: str) -> FaultKind | None:
            kind = (doomed or {}).get(fingerprint(article)) if self.doom else None
            return kind or random_plan(index, article)

        def reset(self) -> None:
            random_plan.reset()

    return Mix()


def wait_until(predicate: Callable[[], bool], timeout: float, step: float = 0.005) -> bool:
    """Poll ``predicate`` until true or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()
