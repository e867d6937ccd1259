"""The output file: never rewritten unless ours, one writer at a time, not read as an input,
mode and links kept, unique ids, stale temporary files removed, other models' records said."""

from __future__ import annotations

import fcntl
import json
import os
import stat
import subprocess
import sys
from collections import Counter
from collections.abc import Iterator
from pathlib import Path

import pytest

from diplosum._article import Article
from diplosum._inputs import iter_articles
from diplosum.cli import run
from diplosum.cli._output import OutputWriter
from diplosum.testing import FakeOpenAIServer
from tests.reliability_helpers import (
    ROOT,
    cli_env,
    output_lines,
    read_all,
    run_cli,
    summarise_argv,
    validate_records,
    wait_until,
    write_articles,
)

NOTES = "My notes on the talks.\nCall the embassy on Monday.\n"


@pytest.fixture
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture
def folder(tmp_path: Path) -> Path:
    d = tmp_path / "articles"
    write_articles(d, 5, seed=11)
    return d


def summarise(
    server: FakeOpenAIServer, out: Path, *paths: Path | str, extra: tuple[str, ...] = ()
) -> int:
    argv = summarise_argv(server, out.parent / "cache.db", out, *paths, jobs=4)
    return run([*argv, *extra])


# --------------------------------------------------------------------------- 1. not ours


def _csv_output(server: FakeOpenAIServer, folder: Path, path: Path) -> str:
    assert summarise(server, path, folder, extra=("--format", "csv")) == 0
    return path.read_text()


def _jsonl_output(server: FakeOpenAIServer, folder: Path, path: Path) -> str:
    assert summarise(server, path, folder) == 0
    return path.read_text()


@pytest.mark.parametrize(
    ("case", "fmt", "why"),
    [
        ("csv_as_jsonl", "jsonl", "holds diplosum CSV output (add --format csv"),
        ("jsonl_as_csv", "csv", "holds diplosum JSON Lines output (drop --format csv"),
        ("notes", "jsonl", "line 1 is not a diplosum output record"),
        ("notes_one_line", "jsonl", "line 1 is not a diplosum output record"),
        ("notes", "csv", "first line is not the header of a diplosum CSV output"),
        ("article", "jsonl", "line 1 is not a diplosum output record"),
        ("input_records", "jsonl", "line 1 is a JSON object but not a diplosum record"),
        ("records_then_notes", "jsonl", "line 6 is not a diplosum output record"),
    ],
)
def test_resume_never_rewrites_a_file_that_is_not_its_output(
    server: FakeOpenAIServer,
    folder: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    case: str,
    fmt: str,
    why: str,
) -> None:
    """-o onto the other format, notes, an article or input records: exit 2, file untouched."""
    out = tmp_path / "target.out"
    if case == "csv_as_jsonl":
        content = _csv_output(server, folder, out)
    elif case == "jsonl_as_csv":
        content = _jsonl_output(server, folder, out)
    elif case == "records_then_notes":
        content = _jsonl_output(server, folder, out) + NOTES
    elif case == "article":
        content = (folder / "a0000.txt").read_text()
        out = folder / "a0000.txt"
    elif case == "input_records":
        content = "".join(json.dumps({"id": f"r{n}", "text": f"Talks {n}."}) + "\n" for n in (1, 2))
    elif case == "notes_one_line":
        content = "remember the date"  # no newline: not a cut record either
    else:
        content = NOTES
    out.write_text(content)
    capsys.readouterr()
    server.reset()

    code = summarise(server, out, folder, extra=("--format", fmt))
    err = capsys.readouterr().err
    assert code == 2, err
    assert out.read_text() == content, "the file was rewritten"
    assert f"refusing to rewrite {out}" in err and why in err and "--overwrite" in err, err
    assert server.requests == 0
    assert not list(out.parent.glob(f".{out.name}.*")), "a temp or lock file was left"


def test_overwrite_replaces_what_is_not_ours(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path
) -> None:
    """--overwrite replaces the file on purpose; an empty or missing file needs no flag."""
    out = tmp_path / "notes.txt"
    out.write_text(NOTES)
    assert summarise(server, out, folder, extra=("--overwrite",)) == 0
    lines, partial = output_lines(out)
    assert not partial and len(validate_records(lines)) == 5
    assert NOTES not in out.read_text()
    for path in (tmp_path / "empty.jsonl", tmp_path / "missing.jsonl"):
        if path.name == "empty.jsonl":
            path.write_text("")
        assert summarise(server, path, folder) == 0
        assert len(output_lines(path)[0]) == 5


def test_a_cut_record_is_still_resumed(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path
) -> None:
    """The checks do not refuse what a kill leaves: a record cut anywhere, even at its start."""
    out = tmp_path / "out.jsonl"
    content = _jsonl_output(server, folder, out)
    first = content.splitlines()[0]
    for cut in ("{", '{"id', first[:40]):
        out.write_text(content + cut)
        assert summarise(server, out, folder) == 0, cut
        assert out.read_text() == content


def test_report_refuses_to_overwrite_what_it_did_not_write(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`report out.jsonl -o out.jsonl` keeps the records (exit 2); a report may be replaced."""
    out = tmp_path / "out.jsonl"
    records = _jsonl_output(server, folder, out)
    capsys.readouterr()
    assert run(["report", str(out), "-o", str(out)]) == 2
    err = capsys.readouterr().err
    assert f"refusing to overwrite {out}" in err and "--overwrite" in err
    assert out.read_text() == records
    notes = tmp_path / "notes.html"
    notes.write_text("<html><body>my own page</body></html>")
    assert run(["report", str(out), "-o", str(notes)]) == 2
    assert "my own page" in notes.read_text()

    page = tmp_path / "report.html"
    assert run(["report", str(out), "-o", str(page)]) == 0
    assert run(["report", str(out), "-o", str(page)]) == 0  # its own page: replaced
    assert run(["report", str(out), "-o", str(notes), "--overwrite"]) == 0
    assert "my own page" not in notes.read_text()


# --------------------------------------------------------------------------- 2. one writer


def test_a_second_writer_is_refused_at_once(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """While a run holds -o, another run with the same -o (or a link to it) exits 2."""
    out = tmp_path / "out.jsonl"
    link = tmp_path / "link.jsonl"
    link.symlink_to(out)
    with OutputWriter(out) as holder:
        lock = tmp_path / ".out.jsonl.lock"
        assert lock.exists()
        for target in (out, link):
            assert summarise(server, target, folder) == 2
            err = capsys.readouterr().err
            assert f"the output file {target} is being written by another diplosum run" in err
            assert f"(process {os.getpid()})" in err
        assert server.requests == 0
        assert holder.kept == 0
    assert not lock.exists(), "the lock file outlived the run"
    assert summarise(server, out, folder) == 0
    assert not lock.exists()


def test_a_lock_file_left_by_a_killed_run_is_harmless(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path
) -> None:
    """A lock file nobody holds (its run was SIGKILLed) does not stop the next run."""
    out = tmp_path / "out.jsonl"
    (tmp_path / ".out.jsonl.lock").write_text("12345\n")
    assert summarise(server, out, folder) == 0
    assert len(output_lines(out)[0]) == 5
    assert not (tmp_path / ".out.jsonl.lock").exists()


@pytest.mark.slow
def test_two_processes_on_one_output_lose_nothing(tmp_path: Path) -> None:
    """Two CLI runs with the same -o: the second is refused at once, the first writes all."""
    folder, out = tmp_path / "articles", tmp_path / "out.jsonl"
    write_articles(folder, 40, seed=12)
    with FakeOpenAIServer(latency=0.05) as server:
        argv = [
            sys.executable,
            "-m",
            "diplosum",
            *summarise_argv(server, tmp_path / "c.db", out, folder, jobs=2),
        ]
        with subprocess.Popen(
            argv, env=cli_env(), cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        ) as first:
            assert wait_until(lambda: server.requests >= 2, timeout=60)
            second = run_cli(*argv[3:], timeout=60)
            _, first_err = first.communicate(timeout=120)
    assert second.returncode == 2, second.stderr
    assert "is being written by another diplosum run" in second.stderr
    assert first.returncode == 0, first_err
    records = validate_records(output_lines(out)[0])
    assert Counter(r.article_sha256 for r in records) == Counter(list(read_all([folder])))
    assert not (tmp_path / ".out.jsonl.lock").exists()


# --------------------------------------------------------------------------- 3. not an input


@pytest.mark.parametrize("name", ["out.jsonl", "out.txt"])
def test_output_inside_an_input_folder_is_not_read(folder: Path, tmp_path: Path, name: str) -> None:
    """-o in the folder being summarised: the run ends, the output is never an input."""
    out = folder / name
    with FakeOpenAIServer() as server:
        first = run_cli(*summarise_argv(server, tmp_path / "c.db", out, folder, jobs=4), timeout=60)
        again = run_cli(*summarise_argv(server, tmp_path / "c.db", out, folder, jobs=4), timeout=60)
    assert first.returncode == 0, first.stderr
    assert again.returncode == 0, again.stderr
    records = validate_records(output_lines(out)[0])
    assert len(records) == 5 and all(r.status == "ok" for r in records)
    assert str(out) not in {r.source for r in records}


def test_output_given_as_an_input_is_a_usage_error(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`summarise out.jsonl -o out.jsonl` is refused even with --overwrite."""
    out = tmp_path / "out.jsonl"
    records = _jsonl_output(server, folder, out)
    capsys.readouterr()
    assert summarise(server, out, out, extra=("--overwrite",)) == 2
    assert "is also an input" in capsys.readouterr().err
    assert out.read_text() == records


def test_iter_articles_excludes_by_identity(tmp_path: Path) -> None:
    """exclude= leaves a file out however it is named (a link, another relative path)."""
    (tmp_path / "a.txt").write_text("Talks in Doha.")
    (tmp_path / "b.jsonl").write_text('{"text": "Talks in Oslo."}\n')
    link = tmp_path / "link.jsonl"
    link.symlink_to(tmp_path / "b.jsonl")
    got = list(iter_articles([tmp_path], exclude=[link]))
    assert [a.id for a in got if isinstance(a, Article)] == ["a.txt"]


# --------------------------------------------------------------------------- 9. mode, links


def test_resume_keeps_mode_and_symlink(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path
) -> None:
    """A resumed output keeps its permissions, and a symlinked -o stays a link to its file."""
    real = tmp_path / "data" / "real.jsonl"
    real.parent.mkdir()
    real.write_text("")
    link = tmp_path / "out.jsonl"
    link.symlink_to(real)
    assert summarise(server, link, folder) == 0
    os.chmod(real, 0o640)
    with real.open("a") as fh:
        fh.write('{"id": "cut')  # so the resume must rewrite
    assert summarise(server, link, folder) == 0
    assert link.is_symlink() and link.resolve() == real
    assert stat.S_IMODE(real.stat().st_mode) == 0o640
    assert len(output_lines(real)[0]) == 5 and not output_lines(real)[1]
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith(".")) == []
    assert sorted(p.name for p in real.parent.iterdir()) == ["real.jsonl"]


# --------------------------------------------------------------------------- 10. unique ids


def test_same_name_in_two_folders_and_a_path_given_twice(
    server: FakeOpenAIServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """a/x.txt and b/x.txt get two ids; a folder or file given twice is read once; resume
    finds every id again and redoes nothing."""
    a, b = tmp_path / "a", tmp_path / "b"
    a.mkdir()
    b.mkdir()
    (a / "x.txt").write_text("Qatar will host talks between Sudan and Chad in Doha.")
    (b / "x.txt").write_text("Norway will host talks between Serbia and Kosovo in Oslo.")
    (a / "same.txt").write_text("Egypt hosted talks in Cairo.")
    (b / "same.txt").write_text("Egypt hosted talks in Cairo.")  # same text, same sha256
    out = tmp_path / "out.jsonl"
    paths = (a, b, a, f"{a}/", a / "x.txt", tmp_path / "b" / ".." / "b")
    assert summarise(server, out, *paths) == 0
    records = validate_records(output_lines(out)[0])
    ids = [r.id for r in records]
    assert len(records) == 4 and len(set(ids)) == 4, ids
    assert {r.source for r in records} == {
        str(p) for p in (a / "x.txt", b / "x.txt", a / "same.txt", b / "same.txt")
    }
    by_source = {r.source: r.id for r in records}
    assert by_source[str(a / "x.txt")] == "x.txt" and by_source[str(a / "same.txt")] == "same.txt"
    assert by_source[str(b / "x.txt")].startswith("x.txt~")
    assert server.requests == 4

    server.reset()
    capsys.readouterr()
    assert summarise(server, out, *paths) == 0
    assert server.requests == 0, "a resumed run redid an article"
    assert [r.id for r in validate_records(output_lines(out)[0])] == ids
    assert "4 finished article(s) kept, 0 failed" in capsys.readouterr().err


def test_a_single_folder_keeps_the_ids_of_earlier_versions(tmp_path: Path) -> None:
    """No duplicate, no change: file names (and record ids) as before."""
    write_articles(tmp_path, 10, seed=1)
    got = [a for a in iter_articles([tmp_path]) if isinstance(a, Article)]
    expected = [
        f"rec-{n}" if n % 5 == 3 else p.name
        for n, p in enumerate(sorted(tmp_path.iterdir(), key=lambda p: p.name))
    ]
    assert [a.id for a in got] == expected


# --------------------------------------------------------------------------- 13. stale temps


def test_stale_temp_files_of_this_output_are_removed(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Temp files a killed resume left are removed; others' files and locked ones are kept."""
    out = tmp_path / "out.jsonl"
    _jsonl_output(server, folder, out)
    stale = [tmp_path / ".out.jsonl.abcd1234.tmp", tmp_path / ".out.jsonl.x_9zz0qq.tmp"]
    for path in stale:
        path.write_text(out.read_text())  # a full copy, as a killed rewrite leaves
    keep = [
        tmp_path / ".other.jsonl.abcd1234.tmp",  # another output's
        tmp_path / ".out.jsonl.abcd1234.tmp.bak",
        tmp_path / ".out.jsonl.notes",
        tmp_path / "out.jsonl.abcd1234.tmp",  # not hidden: not ours
    ]
    for path in keep:
        path.write_text("x")
    live = tmp_path / ".out.jsonl.live0000.tmp"
    live.write_text("being written")
    capsys.readouterr()
    with live.open("rb") as held:
        fcntl.flock(held.fileno(), fcntl.LOCK_EX)
        assert summarise(server, out, folder) == 0
    assert "removed 2 temporary file(s) of" in capsys.readouterr().err
    assert not any(p.exists() for p in stale)
    assert all(p.exists() for p in keep) and live.exists()


# --------------------------------------------------------------------------- another model


def test_resuming_with_another_model_says_whose_records_are_kept(
    server: FakeOpenAIServer, folder: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Records of another -m are kept, not redone, and the run says how many from which."""
    out = tmp_path / "out.jsonl"
    _jsonl_output(server, folder, out)
    capsys.readouterr()
    argv = summarise_argv(server, tmp_path / "cache.db", out, folder)
    argv[argv.index("fake")] = "other"
    assert run(argv) == 0
    err = capsys.readouterr().err
    assert (
        f"warning: {out} holds record(s) made by another model (5 by compatible/fake); they "
        "are kept and not redone with compatible/other" in err
    ), err
    assert "--overwrite" in err
    assert run(summarise_argv(server, tmp_path / "cache.db", out, folder)) == 0
    assert "another model" not in capsys.readouterr().err
    assert run([*argv, "--overwrite"]) == 0
    assert {r["model"] for r in output_lines(out)[0]} == {"compatible/other"}
