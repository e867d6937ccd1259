"""The command line: output, resume, formats, cache commands, dry run, errors and exit codes."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from diplosum.cli import run
from diplosum.testing import FakeOpenAIServer, FaultKind, fingerprint


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    """A fake OpenAI-compatible server on loopback."""
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    """A folder of five small articles in different formats."""
    d = tmp_path / "articles"
    d.mkdir()
    for n in range(3):
        (d / f"a{n}.txt").write_text(
            f"date 2026-02-0{n + 1} Talks {n}\n\nOman offered to host talks between Iran and the "
            f"United States in Muscat on Saturday (round {n}). Iran said it wants sanctions lifted."
        )
    (d / "b.md").write_text("Norway will host talks in Oslo next week between the two sides.")
    (d / "c.jsonl").write_text(
        json.dumps({"id": "rec-1", "text": "Egypt hosted talks in Cairo."}) + "\n"
    )
    return d


def cli(server: FakeOpenAIServer, *args: str) -> list[str]:
    return [*args, "-m", "fake", "--base-url", server.base_url]


def lines(path: Path) -> list[dict[str, object]]:
    return [json.loads(line) for line in path.read_text().splitlines()]


def test_summarise_folder_to_stdout(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """One JSON line per article on stdout; totals on stderr; exit 0."""
    code = run(cli(server, "summarise", str(folder), "--cache", str(tmp_path / "c.db")))
    out, err = capsys.readouterr()
    records = [json.loads(line) for line in out.splitlines()]
    assert code == 0
    assert sorted(r["id"] for r in records) == ["a0.txt", "a1.txt", "a2.txt", "b.md", "rec-1"]
    assert all(r["status"] == "ok" and r["summary"] for r in records)
    assert {
        "usage",
        "cost_usd",
        "cached",
        "model",
        "prompt_hash",
        "schema_version",
        "latency_s",
    } <= set(records[0])
    assert "5 articles: 5 ok, 0 failed, 0 cached" in err
    assert "model compatible/fake" in err


def test_second_run_is_served_from_cache(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Re-running the same folder pays for nothing."""
    args = cli(server, "summarise", str(folder), "--cache", str(tmp_path / "c.db"))
    run(args)
    run(args)
    _, err = capsys.readouterr()
    assert server.requests == 5
    assert "5 articles: 5 ok, 0 failed, 5 cached" in err


def test_failures_exit_1_and_resume_redoes_only_them(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path
) -> None:
    """A failed article gives exit 1; the re-run keeps successes and retries only the failure."""
    out = tmp_path / "out.jsonl"
    target = "round 1"
    server.faults = lambda _i, text: FaultKind.SERVER_500 if target in text else None
    args = cli(server, "summarise", str(folder), "-o", str(out), "--no-cache")
    assert run(args) == 1
    first = lines(out)
    assert [r["id"] for r in first if r["status"] == "error"] == ["a1.txt"]
    server.faults = None
    server.reset()
    assert run(args) == 0
    final = lines(out)
    assert sorted(r["id"] for r in final) == ["a0.txt", "a1.txt", "a2.txt", "b.md", "rec-1"]
    assert all(r["status"] == "ok" for r in final)
    assert server.requests == 1  # only the failed article was sent again


def test_resume_discards_a_half_written_line(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path
) -> None:
    """A partial last line (a crash mid-write) is dropped and its article redone."""
    out = tmp_path / "out.jsonl"
    args = cli(server, "summarise", str(folder), "-o", str(out), "--no-cache")
    run(args)
    text = out.read_text()
    out.write_text(text + text.splitlines()[0][:50])
    server.reset()
    assert run(args) == 0
    ids = [r["id"] for r in lines(out)]
    assert sorted(ids) == sorted(set(ids)) and len(ids) == 5
    assert server.requests == 0


def test_csv_output(server: FakeOpenAIServer, folder: Path, tmp_path: Path) -> None:
    """CSV has one row per article with list fields joined by '; ' and no evidence."""
    import csv

    out = tmp_path / "out.csv"
    assert (
        run(cli(server, "summarise", str(folder), "-o", str(out), "--format", "csv", "--no-cache"))
        == 0
    )
    with out.open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 5 and rows[0]["status"] == "ok"
    assert "evidence" not in out.read_text()
    assert all(";" not in r["parties"] or "; " in r["parties"] for r in rows)


def test_dry_run_calls_nothing(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--dry-run lists articles, cache hits and estimates without a request."""
    code = run(
        cli(server, "summarise", str(folder), "--dry-run", "--cache", str(tmp_path / "c.db"))
    )
    out, err = capsys.readouterr()
    assert code == 0 and server.requests == 0
    assert len(out.splitlines()) == 5
    assert "5 articles, 0 cached, 5 to send" in err


def test_cache_commands(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """cache path / stats / clear report on the cache file."""
    db = tmp_path / "c.db"
    run(cli(server, "summarise", str(folder), "--cache", str(db)))
    capsys.readouterr()
    assert run(["cache", "path", "--cache", str(db)]) == 0
    assert capsys.readouterr().out.strip() == str(db)
    assert run(["cache", "stats", "--cache", str(db)]) == 0
    stats = json.loads(capsys.readouterr().out)
    assert stats["entries"] == 5 and stats["models"] == {"compatible/fake": 5}
    assert run(["cache", "clear", "--cache", str(db)]) == 0
    assert "removed 5" in capsys.readouterr().err


def test_schema_command(capsys: pytest.CaptureFixture[str]) -> None:
    """diplosum schema prints the JSON Schema of an output record."""
    assert run(["schema"]) == 0
    schema = json.loads(capsys.readouterr().out)
    assert schema["title"] == "OutputRecord" and "summary" in schema["properties"]


def test_show_command(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """show renders a readable table of an output file."""
    out = tmp_path / "out.jsonl"
    run(cli(server, "summarise", str(folder), "-o", str(out), "--no-cache"))
    capsys.readouterr()
    assert run(["show", str(out)]) == 0
    text = capsys.readouterr().out
    assert "a0.txt" in text and "parties" in text


def test_bad_model_is_a_usage_error(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An unknown provider exits 2 with a message naming it."""
    (tmp_path / "a.txt").write_text("Some text.")
    assert run(["summarise", str(tmp_path), "-m", "anthropic/claude"]) == 2
    assert "provider 'anthropic' is not built in" in capsys.readouterr().err


def test_openai_without_key_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """Asking for OpenAI with no key says how to fix it, before any article is read."""
    (tmp_path / "a.txt").write_text("Some text.")
    assert run(["summarise", str(tmp_path), "-m", "openai/gpt-4o-mini", "--no-cache"]) == 2
    err = capsys.readouterr().err
    assert "OPENAI_API_KEY" in err


def test_help_is_fast_and_complete() -> None:
    """--help lists every summarise option and does not import the model stack."""
    probe = (
        "import sys, contextlib, io\n"
        "from diplosum import cli\n"
        "buf = io.StringIO()\n"
        "with contextlib.redirect_stdout(buf), contextlib.suppress(SystemExit):\n"
        "    cli.run(['summarise', '--help'])\n"
        "print(buf.getvalue())\n"
        "print('LOADED', sorted(m for m in ('openai', 'instructor', 'pydantic') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True
    ).stdout
    for option in (
        "--output",
        "--format",
        "--model",
        "--base-url",
        "--concurrency",
        "--cache",
        "--no-cache",
        "--budget",
        "--strict",
        "--compact-schema",
        "--dry-run",
        "--rpm",
        "--tpm",
        "--prices",
    ):
        assert option in out
    assert "LOADED []" in out


def test_compact_schema_option_reaches_the_summariser(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """--compact-schema turns the option on (json modes) and keys the cache apart."""
    from diplosum.cli import _make_summariser, build_parser

    base = cli(
        server, "summarise", "x.txt", "--mode", "json", "--prompt", "extract-v1",
        "--cache", str(tmp_path / "c.db"),
    )  # fmt: skip
    plain = _make_summariser(build_parser().parse_args(base))
    compact = _make_summariser(build_parser().parse_args([*base, "--compact-schema"]))
    capsys.readouterr()
    assert not plain.compact_schema and compact.compact_schema
    assert compact.params()["schema_in_prompt"] == "compact"
    assert "schema_in_prompt" not in plain.params()
    plain.close()
    compact.close()


def test_python_dash_m() -> None:
    """python -m diplosum works like the diplosum command."""
    proc = subprocess.run(
        [sys.executable, "-m", "diplosum", "--version"], capture_output=True, text=True
    )
    assert proc.returncode == 0 and proc.stdout.startswith("diplosum ")


def test_fingerprint_matches_article_hash() -> None:
    """The fake server's article fingerprint is the article sha256 diplosum records."""
    from diplosum._article import parse_text

    art = parse_text("Body of an article.")
    assert fingerprint(art.text) == art.sha256


def test_prices_are_a_value_not_a_global(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path
) -> None:
    """--prices prices this run's records; the process-wide table is left as it was."""
    from types import MappingProxyType

    from diplosum import Summariser, _pricing

    before = dict(_pricing.PRICES)
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"compatible/fake": [1000.0, 1000.0]}))
    out = tmp_path / "out.jsonl"
    argv = cli(server, "summarise", str(folder), "-o", str(out), "--no-cache")
    assert run([*argv, "--prices", str(prices)]) == 0
    assert all(float(r["cost_usd"]) > 0 for r in lines(out))  # type: ignore[arg-type]
    assert isinstance(_pricing.PRICES, MappingProxyType) and dict(_pricing.PRICES) == before
    later = Summariser("fake", base_url=server.base_url, api_key="test", cache=None)
    assert "compatible/fake" not in later.prices
