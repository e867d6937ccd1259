"""The provider Batch API (issue 16) against the fake server's /v1/files and /v1/batches."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

import diplosum
from diplosum._article import Article, parse_text
from diplosum.cli import run
from diplosum.testing import BatchScript, FakeOpenAIServer, FaultKind, FaultPlan

ROOT = Path(__file__).resolve().parent.parent
PRICES = {"compatible/fake-model": (1.0, 2.0), "compatible/fake-model@batch": (0.5, 1.0)}

TEXTS = [
    "date 2026-03-02 Oslo offers to host talks\nOSLO\n\nNorway offered on Monday to host talks "
    "between Colombia and the ELN in Oslo on March 10. The talks would be mediated by Norway.",
    "date 2026-04-14 Ministers to meet\nATHENS\n\nThe Greek and Turkish foreign ministers will "
    "meet in Athens on April 21, officials said. Greece said it welcomed the meeting.",
    "date 2026-05-01 Talks in Doha\nDOHA\n\nTalks between Sudan and the RSF will be hosted by "
    "Qatar in Doha on May 12, the ministry said. Sudan said it would attend.",
]


def articles() -> list[Article]:
    return [parse_text(t, id=f"a{n}.txt") for n, t in enumerate(TEXTS)]


_OPEN: list[diplosum.Summariser] = []


@pytest.fixture(autouse=True)
def _close_summarisers() -> Any:
    yield
    while _OPEN:
        _OPEN.pop().close()


def summariser(server: FakeOpenAIServer, tmp_path: Path, **options: Any) -> diplosum.Summariser:
    options.setdefault("mode", "tools")
    _OPEN.append(s := _summariser(server, tmp_path, **options))
    return s


def _summariser(server: FakeOpenAIServer, tmp_path: Path, **options: Any) -> diplosum.Summariser:
    return diplosum.Summariser(
        "fake-model",
        base_url=server.base_url,
        api_key="test",
        cache=tmp_path / "cache.db",
        prices=PRICES,
        **options,
    )


def request_lines(server: FakeOpenAIServer, n: int = 0) -> list[dict[str, Any]]:
    return [json.loads(line) for line in server.batch_api.uploads[n].decode().splitlines()]


def collect(s: diplosum.Summariser, arts: list[Article], **kw: Any) -> dict[str, Any]:
    return {r.id: r for r in s.collect_batch(arts, poll_seconds=0, **kw)}


# --------------------------------------------------------------------------- the happy path


@pytest.mark.parametrize("mode", ["tools", "json"])
def test_happy_path_same_body_as_direct_and_batch_prices(tmp_path: Path, mode: str) -> None:
    arts = articles()
    states: list[str] = []
    with FakeOpenAIServer() as server:
        with summariser(server, tmp_path, mode=mode) as s:
            records = collect(s, arts, progress=lambda p: states.append(p.job.state))
        assert server.requests == len(arts) and all(r.batch for r in server.log)
        lines = request_lines(server)
        # the direct path, uncached, for the same articles: the same bodies, byte for byte
        with diplosum.Summariser(
            "fake-model", base_url=server.base_url, api_key="t", cache=False, mode=mode
        ) as direct:
            for art in arts:
                direct.summarise_article(art)
        assert [line["body"] for line in lines] == server.request_bodies
        # the same run again: served from the cache, nothing uploaded or downloaded again
        downloads = list(server.batch_api.downloads)
        with summariser(server, tmp_path, mode=mode) as s2:
            second = collect(s2, arts)
        assert all(r.cached and r.batch_round == 1 for r in second.values())
        assert len(server.batch_api.uploads) == 1 and server.batch_api.downloads == downloads
    assert states == ["in_progress", "completed"]
    assert len(server.batch_api.batches) == 1
    assert [line["custom_id"] for line in lines] == [s.key(a) for a in arts]
    assert {line["url"] for line in lines} == {"/v1/chat/completions"}
    for art in arts:
        r = records[art.id]
        assert r.ok and r.batch_round == 1 and r.attempts == 1 and not r.cached
        assert r.summary is not None and r.summary.parties
        u = r.usage
        assert r.cost_usd == pytest.approx((u.prompt_tokens * 0.5 + u.completion_tokens) / 1e6)


def test_a_cached_article_is_never_in_the_request_file(tmp_path: Path) -> None:
    arts = articles()
    with FakeOpenAIServer() as server:
        s = summariser(server, tmp_path)
        s.summarise_article(arts[1])  # a direct call: now cached
        records = collect(s, arts)
        lines = request_lines(server)
    assert [line["custom_id"] for line in lines] == [s.key(arts[0]), s.key(arts[2])]
    assert records["a1.txt"].cached and records["a1.txt"].batch_round is None
    assert not records["a0.txt"].cached and records["a0.txt"].batch_round == 1


def test_everything_cached_submits_nothing(tmp_path: Path) -> None:
    arts = articles()[:1]
    with FakeOpenAIServer() as server:
        s = summariser(server, tmp_path)
        s.summarise_article(arts[0])
        assert s.submit_batch(arts) == []
        assert [r.cached for r in s.collect_batch(arts, poll_seconds=0)] == [True]
    assert server.batch_api.uploads == [] and server.batch_api.batches == {}


# --------------------------------------------------------------------------- crash-safe


def test_interrupted_polling_resumes_the_same_batch(tmp_path: Path) -> None:
    arts = articles()
    script = BatchScript(states=("validating", "in_progress", "in_progress", "completed"))

    def interrupt(progress: Any) -> None:
        raise KeyboardInterrupt

    with FakeOpenAIServer(batches=script) as server:
        s = summariser(server, tmp_path)
        with pytest.raises(KeyboardInterrupt):
            collect(s, arts, progress=interrupt)
        [job] = s.cache.batch_jobs()  # type: ignore[union-attr]
        assert job.batch_id == "batch_fake_1" and job.state == "in_progress"
        assert set(job.keys) == {s.key(a) for a in arts} and job.input_file_id
        # another process (another summariser) resumes polling the same batch
        records = collect(summariser(server, tmp_path), arts)
    assert len(server.batch_api.uploads) == 1 and list(server.batch_api.batches) == ["batch_fake_1"]
    assert all(r.ok and r.batch_round == 1 for r in records.values())
    assert server.requests == len(arts)


def test_interrupted_after_the_download_downloads_nothing_again(tmp_path: Path) -> None:
    arts = articles()
    with FakeOpenAIServer() as server:
        s = summariser(server, tmp_path)

        def killed(*args: Any, **kwargs: Any) -> Any:
            raise KeyboardInterrupt  # killed while the first answer is being checked

        s._from_batch = killed  # type: ignore[method-assign]
        with pytest.raises(KeyboardInterrupt):
            collect(s, arts)
        downloads = list(server.batch_api.downloads)
        assert len(downloads) == 1
        records = collect(summariser(server, tmp_path), arts)
    assert server.batch_api.downloads == downloads and len(server.batch_api.uploads) == 1
    assert all(r.ok and r.batch_round == 1 for r in records.values())


def test_submit_then_collect_later(tmp_path: Path) -> None:
    arts = articles()
    with FakeOpenAIServer() as server:
        jobs = summariser(server, tmp_path).submit_batch(arts)
        assert [j.batch_id for j in jobs] == ["batch_fake_1"] and jobs[0].round == 1
        assert summariser(server, tmp_path).submit_batch(arts) == jobs  # not submitted twice
        records = collect(summariser(server, tmp_path), arts)
    assert len(server.batch_api.uploads) == 1 and all(r.ok for r in records.values())


def test_a_job_an_earlier_diplosum_submitted_is_resumed_not_paid_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A batch in flight across the upgrade of 2026-12-02 names its articles by the earlier
    key format: the next run resumes it, uploads nothing, and the results are then served
    from the cache under the current keys."""
    arts = articles()
    with FakeOpenAIServer() as server:
        with monkeypatch.context() as m:  # as the earlier diplosum keyed them
            m.setattr(diplosum.Summariser, "key", diplosum.Summariser._legacy_key)
            jobs = summariser(server, tmp_path).submit_batch(arts)
        assert len(jobs) == 1 and len(server.batch_api.uploads) == 1
        records = collect(summariser(server, tmp_path), arts)
        assert len(server.batch_api.uploads) == 1 and all(r.ok for r in records.values())
        again = collect(summariser(server, tmp_path), arts)
    assert all(r.cached for r in again.values()) and len(server.batch_api.uploads) == 1


def test_a_job_interrupted_before_its_batch_existed_is_submitted_anew(tmp_path: Path) -> None:
    arts = articles()
    with FakeOpenAIServer() as server:
        s = summariser(server, tmp_path)
        calls = []
        original = s._batch_client

        def failing_create() -> Any:
            client = original()

            class Batches:
                def __getattr__(self, name: str) -> Any:
                    return getattr(client.batches, name)

                def create(self, **kw: Any) -> Any:
                    calls.append(kw)
                    raise KeyboardInterrupt  # killed between the upload and the batch

            class Client:
                files = client.files
                batches = Batches()

            return Client()

        s._batch_client = failing_create  # type: ignore[method-assign]
        with pytest.raises(KeyboardInterrupt):
            collect(s, arts)
        [job] = s.cache.batch_jobs()  # type: ignore[union-attr]
        assert job.state == "submitting" and job.batch_id is None and job.input_file_id
        records = collect(summariser(server, tmp_path), arts)
    assert len(calls) == 1 and len(server.batch_api.batches) == 1
    assert all(r.ok for r in records.values())


def test_killed_cli_resumes_polling_the_same_batch(tmp_path: Path) -> None:
    """SIGKILL while the CLI polls: the next run polls the same batch, uploads nothing."""
    states = ("validating", *["in_progress"] * 100_000, "completed")
    inputs = tmp_path / "in"
    inputs.mkdir()
    for n, text in enumerate(TEXTS):
        (inputs / f"a{n}.txt").write_text(text, encoding="utf-8")
    out, cache = tmp_path / "out.jsonl", tmp_path / "cache.db"
    with FakeOpenAIServer(batches=BatchScript(states=states)) as server:
        argv = ["summarise", str(inputs), "-m", "fake-model", "--base-url", server.base_url]
        argv += ["--batch-api", "--batch-api-poll", "0.05", "-o", str(out), "--cache", str(cache)]
        env = {**os.environ, "DIPLOSUM_TESTING_NO_WAIT": "1", "PYTHONPATH": str(ROOT)}
        proc = subprocess.Popen([sys.executable, "-m", "diplosum", *argv], env=env)
        try:
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline:
                batch = server.batch_api.batches.get("batch_fake_1")
                if batch is not None and batch.step > 3:
                    break
                time.sleep(0.05)
            else:
                pytest.fail("the CLI never polled its batch")
        finally:
            proc.send_signal(signal.SIGKILL)
            proc.wait(30)
        with sqlite3.connect(cache) as conn:
            [(batch_id, state)] = conn.execute("SELECT batch_id, state FROM batch_jobs").fetchall()
        assert (batch_id, state) == ("batch_fake_1", "in_progress")
        batch.step = len(states) - 1  # the provider finishes meanwhile
        assert run(argv) == 0
    assert len(server.batch_api.uploads) == 1 and len(server.batch_api.batches) == 1
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert sorted(r["id"] for r in records) == ["a0.txt", "a1.txt", "a2.txt"]
    assert {r["status"] for r in records} == {"ok"} and {r["batch_round"] for r in records} == {1}


# --------------------------------------------------------------------------- re-asks


def test_reasks_after_the_batch_are_direct_calls_by_default(tmp_path: Path) -> None:
    arts = articles()
    plan = FaultPlan.sequence([FaultKind.SCHEMA_INVALID])  # each article: the batch answer bad
    with FakeOpenAIServer(faults=plan) as server:
        records = collect(summariser(server, tmp_path), arts)
        log = server.log
    assert [r.batch for r in log].count(True) == len(arts)
    assert [r.batch for r in log].count(False) == len(arts)  # one direct re-ask each
    assert len(server.batch_api.batches) == 1
    for r in records.values():
        assert r.ok and r.attempts == 2 and r.batch_round == 0
        first, second = r.meta.attempts_usage
        expected = (first.prompt_tokens * 0.5 + first.completion_tokens * 1.0) / 1e6
        expected += (second.prompt_tokens * 1.0 + second.completion_tokens * 2.0) / 1e6
        assert r.cost_usd == pytest.approx(expected)


def test_reasks_as_a_second_batch(tmp_path: Path) -> None:
    arts = articles()
    plan = FaultPlan.sequence([FaultKind.SCHEMA_INVALID])
    with FakeOpenAIServer(faults=plan) as server:
        records = collect(summariser(server, tmp_path), arts, reasks="batch")
        first, second = request_lines(server, 0), request_lines(server, 1)
    assert all(r.batch for r in server.log) and server.requests == 2 * len(arts)
    assert list(server.batch_api.batches) == ["batch_fake_1", "batch_fake_2"]
    assert [line["custom_id"] for line in second] == [line["custom_id"] for line in first]
    # the re-ask is the first request plus the bad answer and the validation error
    assert len(second[0]["body"]["messages"]) > len(first[0]["body"]["messages"])
    assert all(r.ok and r.batch_round == 2 and r.attempts == 2 for r in records.values())


def test_only_the_bad_answers_are_re_asked_in_the_second_batch(tmp_path: Path) -> None:
    arts = articles()
    bad = FaultPlan(
        lambda _i, key, call: (
            FaultKind.SCHEMA_INVALID if call == 0 and key == _sha(arts[1]) else None
        )
    )
    with FakeOpenAIServer(faults=bad) as server:
        s = summariser(server, tmp_path)
        records = collect(s, arts, reasks="batch")
        second = request_lines(server, 1)
    assert [line["custom_id"] for line in second] == [s.key(arts[1])]
    assert records["a0.txt"].batch_round == 1 and records["a1.txt"].batch_round == 2


def _sha(article: Article) -> str:
    return article.sha256


# --------------------------------------------------------------------------- provider failures


def test_a_failed_batch_fails_every_article_and_the_next_run_submits_again(tmp_path: Path) -> None:
    arts = articles()
    with FakeOpenAIServer(
        batches=[BatchScript.failed("line 1: bad model"), BatchScript()]
    ) as server:
        records = collect(summariser(server, tmp_path), arts)
        assert all(not r.ok for r in records.values())
        error = records["a0.txt"].error
        assert (
            error.type == "ProviderError"
            and "failed: invalid_request: line 1: bad model" in error.message
        )
        again = collect(summariser(server, tmp_path), arts)
    assert all(r.ok for r in again.values()) and len(server.batch_api.batches) == 2


def test_an_expired_batch_keeps_its_partial_output(tmp_path: Path) -> None:
    arts = articles()
    with FakeOpenAIServer(batches=BatchScript.expired(answered=1)) as server:
        records = collect(summariser(server, tmp_path), arts)
    assert records["a0.txt"].ok and records["a0.txt"].batch_round == 1
    for name in ("a1.txt", "a2.txt"):
        r = records[name]
        assert not r.ok and "batch_expired" in r.error.message and r.batch_round == 1


def test_an_error_line_fails_that_article_only(tmp_path: Path) -> None:
    arts = articles()
    with FakeOpenAIServer(batches=BatchScript(errors=frozenset({1}))) as server:
        records = collect(summariser(server, tmp_path), arts)
    assert records["a0.txt"].ok and records["a2.txt"].ok
    error = records["a1.txt"].error
    assert error.type == "ProviderError" and "HTTP 400: fake invalid request 1" in error.message


def test_a_cancelled_batch(tmp_path: Path) -> None:
    arts = articles()
    with FakeOpenAIServer(batches=BatchScript.running()) as server:
        s = summariser(server, tmp_path)
        [job] = s.submit_batch(arts)
        assert s.cancel_batch(job).state == "cancelling"
        records = collect(s, arts)
    assert all("batch_cancelled" in r.error.message for r in records.values())


def test_no_batch_api_is_a_usage_error(tmp_path: Path) -> None:
    from diplosum.errors import ConfigurationError

    with FakeOpenAIServer() as server:
        s = summariser(server, tmp_path)
        s.spec = diplosum.Summariser("ollama/x", cache=False).spec
        with pytest.raises(ConfigurationError, match="has no Batch API"):
            collect(s, articles())
        s2 = diplosum.Summariser("fake-model", base_url=server.base_url, api_key="t", cache=False)
        with pytest.raises(ConfigurationError, match="cannot run without a cache"):
            collect(s2, articles())


def test_an_endpoint_without_files_api_is_a_provider_error(tmp_path: Path) -> None:
    from diplosum.errors import ProviderError

    with FakeOpenAIServer() as server:
        s = diplosum.Summariser(
            "fake-model",
            base_url=server.base_url + "/nothing",
            api_key="t",
            cache=tmp_path / "c.db",
        )
        with pytest.raises(ProviderError, match="Batch API could not upload"):
            collect(s, articles())


# --------------------------------------------------------------------------- offline files


def _run_offline(server: FakeOpenAIServer, requests: Path, output: Path, skip: int = -1) -> None:
    """What ``vllm run-batch -i REQUESTS -o OUTPUT`` does, with the fake server's answers."""
    lines = []
    for n, raw in enumerate(requests.read_text(encoding="utf-8").splitlines()):
        request = json.loads(raw)
        if n == skip:
            continue
        reply = server.batch_api.chat(json.dumps(request["body"]).encode())
        assert reply is not None
        body = json.loads(reply[1])
        response = {"status_code": reply[0], "request_id": f"r{n}", "body": body}
        lines.append(
            json.dumps(
                {
                    "id": f"o{n}",
                    "custom_id": request["custom_id"],
                    "response": response,
                    "error": None,
                }
            )
        )
    output.write_text("".join(line + "\n" for line in lines), encoding="utf-8")


def test_offline_request_file_and_its_results(tmp_path: Path) -> None:
    """The request file for vLLM's offline run-batch (the lines the Batch API uploads), and its
    output read back: checked like any batch answer; a missing line is a failure."""
    arts = articles()
    requests, output = tmp_path / "requests.jsonl", tmp_path / "results.jsonl"
    with FakeOpenAIServer() as server:
        s = summariser(server, tmp_path)
        s.summarise_article(arts[2])  # cached: not in the file
        assert s.write_batch_file(arts, requests) == 2
        lines = [json.loads(x) for x in requests.read_text().splitlines()]
        assert [x["custom_id"] for x in lines] == [s.key(arts[0]), s.key(arts[1])]
        assert {x["url"] for x in lines} == {"/v1/chat/completions"}
        _run_offline(server, requests, output, skip=1)
        records = {r.id: r for r in s.read_batch_file(arts, output)}
        assert server.batch_api.uploads == [] and server.batch_api.batches == {}
    assert records["a0.txt"].ok and records["a0.txt"].batch_round == 1
    assert records["a2.txt"].cached
    assert (
        not records["a1.txt"].ok and "no line for this article" in records["a1.txt"].error.message
    )


def test_an_offline_output_file_of_an_earlier_diplosum_is_read(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An offline run's output file for requests written before the upgrade of 2026-12-02 (its
    custom_ids in the earlier key format) still gives its answers; they are then served from
    the cache under the current keys."""
    arts = articles()
    requests, output = tmp_path / "requests.jsonl", tmp_path / "results.jsonl"
    with FakeOpenAIServer() as server:
        with monkeypatch.context() as m:  # as the earlier diplosum keyed them
            m.setattr(diplosum.Summariser, "key", diplosum.Summariser._legacy_key)
            assert summariser(server, tmp_path).write_batch_file(arts, requests) == 3
        s = summariser(server, tmp_path)
        ids = {json.loads(x)["custom_id"] for x in requests.read_text().splitlines()}
        assert not ids & {s.key(a) for a in arts}  # the earlier keys differ from today's
        _run_offline(server, requests, output)
        answered = server.requests  # the offline run's own answers
        records = {r.id: r for r in s.read_batch_file(arts, output)}
        assert all(r.ok and r.batch_round == 1 for r in records.values()), records
        again = [summariser(server, tmp_path).summarise_article(a) for a in arts]
        assert server.requests == answered  # nothing asked of the model since
    assert all(r.meta.cached for r in again)


# --------------------------------------------------------------------------- the command line


def _argv(server: FakeOpenAIServer, tmp_path: Path, *extra: str) -> list[str]:
    inputs = tmp_path / "in"
    inputs.mkdir(exist_ok=True)
    for n, text in enumerate(TEXTS):
        (inputs / f"a{n}.txt").write_text(text, encoding="utf-8")
    argv = ["summarise", str(inputs), "-m", "fake-model", "--base-url", server.base_url]
    return [
        *argv,
        "--batch-api",
        "--batch-api-poll",
        "0",
        "--cache",
        str(tmp_path / "c.db"),
        *extra,
    ]


def test_cli_batch_api(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "out.jsonl"
    with FakeOpenAIServer() as server:
        assert run(_argv(server, tmp_path, "-o", str(out))) == 0
        err = capsys.readouterr().err
        assert "batch batch_fake_1 (round 1, 3 requests): completed, 3 done, 0 failed" in err
        records = [json.loads(line) for line in out.read_text().splitlines()]
        assert {r["batch_round"] for r in records} == {1} and len(records) == 3
        # a fresh output, everything cached: nothing uploaded or downloaded again
        downloads = list(server.batch_api.downloads)
        assert run(_argv(server, tmp_path, "-o", str(tmp_path / "o2.jsonl"))) == 0
    assert len(server.batch_api.uploads) == 1 and server.batch_api.downloads == downloads


def test_cli_offline_write_then_read(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    requests, results, out = tmp_path / "req.jsonl", tmp_path / "res.jsonl", tmp_path / "out.jsonl"
    with FakeOpenAIServer() as server:
        argv = _argv(server, tmp_path)
        argv.remove("--batch-api")
        assert run([*argv, "--batch-api-write", str(requests)]) == 0
        assert "wrote 3 request(s)" in capsys.readouterr().err
        _run_offline(server, requests, results)
        assert run([*argv, "--batch-api-read", str(results), "-o", str(out)]) == 0
        assert server.batch_api.uploads == [] and server.requests == 3
    records = [json.loads(line) for line in out.read_text().splitlines()]
    assert len(records) == 3 and {r["status"] for r in records} == {"ok"}
    assert {r["batch_round"] for r in records} == {1}


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (["-m", "local"], "has no Batch API"),
        (["--no-cache"], "drop --no-cache"),
        (["--budget", "1"], "drop --budget"),
    ],
)
def test_cli_batch_api_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    with FakeOpenAIServer() as server:
        argv = _argv(server, tmp_path, "-o", str(tmp_path / "out.jsonl"))
        if "--no-cache" in extra:
            at = argv.index("--cache")
            del argv[at : at + 2]
        assert run(argv + extra) == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "out.jsonl").exists() or not (tmp_path / "out.jsonl").read_text()


def test_cli_interrupted_off_a_terminal_leaves_the_batch_running(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    from diplosum.cli import _batchapi

    update = _batchapi._Line.update

    def interrupted(self: Any, progress: Any) -> None:
        update(self, progress)
        raise KeyboardInterrupt

    monkeypatch.setattr(_batchapi._Line, "update", interrupted)
    with FakeOpenAIServer(batches=BatchScript.running()) as server:
        assert run(_argv(server, tmp_path, "-o", str(tmp_path / "out.jsonl"))) == 130
        batch = server.batch_api.batches["batch_fake_1"]
        assert batch.data["status"] == "in_progress" and not batch.cancelled
    err = capsys.readouterr().err
    assert "batch batch_fake_1 keeps running at the provider; run the same command again" in err


def test_cli_interrupted_on_a_terminal_asks_and_cancels(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from diplosum.cli import _batchapi

    class Tty:
        def __init__(self, answer: str = "") -> None:
            self.answer, self.written = answer, ""

        def isatty(self) -> bool:
            return True

        def readline(self) -> str:
            return self.answer

        def write(self, text: str) -> int:
            self.written += text
            return len(text)

        def flush(self) -> None:
            pass

    class Sys:
        stdin, stderr = Tty("y\n"), Tty()

    with FakeOpenAIServer(batches=BatchScript.running()) as server:
        s = summariser(server, tmp_path)
        [job] = s.submit_batch(articles())
        monkeypatch.setattr(_batchapi, "sys", Sys)
        _batchapi._interrupted(s, [job], terminated=False)
        assert server.batch_api.batches["batch_fake_1"].cancelled
    assert "cancel batch batch_fake_1 at the provider too?" in Sys.stderr.written


# --------------------------------------------------------------------------- the state, both stores

from tests.test_cache_backends import pg_url, store  # noqa: E402, F401 (fixtures)


def test_batch_state_on_both_stores(store: Any) -> None:  # noqa: F811 (the fixture)
    from diplosum._cache import BatchJobRow

    with store.open() as cache:
        job = BatchJobRow("j1", 1, "compatible/m http://x", "submitting", keys=("k1", "k2"))
        cache.put_batch_job(job)
        cache.put_batch_job(BatchJobRow("j2", 2, "e", "collected", keys=("k3",)))
        # an update keeps the keys and created_at, changes the rest
        cache.put_batch_job(BatchJobRow("j1", 1, "e", "in_progress", batch_id="b1"))
        [found] = cache.batch_jobs(["k2", "nope"], exclude_states=["collected"])
        assert (found.job_id, found.state, found.batch_id, found.keys) == (
            "j1",
            "in_progress",
            "b1",
            ("k1", "k2"),
        )
        assert found.created_at and found.updated_at >= found.created_at
        assert [j.job_id for j in cache.batch_jobs()] == ["j1", "j2"]
        assert cache.batch_jobs(["k3"], exclude_states=["collected"]) == []
        cache.put_batch_answers("j1", 1, [("k1", '{"a": 1}'), ("k2", '{"a": 2}')])
        cache.put_batch_answers("j2", 2, [("k1", '{"b": 1}')])
        cache.put_batch_answers("j1", 1, [("k2", '{"a": 3}')])  # replaced
        assert cache.batch_answers(["k1", "k2", "k9"]) == {
            "k1": [(1, '{"a": 1}'), (2, '{"b": 1}')],
            "k2": [(1, '{"a": 3}')],
        }
        cache.delete_batch_answers("k1", from_round=2)
        cache.delete_batch_answers("k2")
        assert cache.batch_answers(["k1", "k2"]) == {"k1": [(1, '{"a": 1}')]}
