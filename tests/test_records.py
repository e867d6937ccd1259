"""The one outcome type: what the batch yields, the writers write and every reader reads."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from diplosum import BatchItem, Summariser, read_article
from diplosum._batch import summarise_many
from diplosum._records import CSV_COLUMNS, CSV_FIELDS, OutputRecord, csv_row, read_records
from diplosum._schema import DiplomaticSummary, Dropped, Usage
from diplosum.cli._output import OutputWriter
from diplosum.testing import FakeOpenAIServer, FaultKind, FaultPlan

GOOD = (
    "Qatar offered to host talks between Sudan and Chad in Doha on March 3. "
    "The Sudanese minister said Sudan wants a ceasefire first (article {n})."
)


def _record(ident: str, **fields: Any) -> OutputRecord:
    base: dict[str, Any] = {
        "id": ident,
        "source": f"{ident}.txt",
        "article_sha256": f"sha-{ident}",
        "status": "ok",
        "summary": DiplomaticSummary(summary="Talks.", talks_status="proposed"),
        "usage": Usage(prompt_tokens=10, completion_tokens=5, total_tokens=15),
        "model": "compatible/fake",
        "schema_version": "1",
        "diplosum_version": "test",
        "attempts": 1,
        "http_attempts": 1,
    }
    return OutputRecord(**{**base, **fields})


#: A record exactly as diplosum 0.x wrote it before http_attempts existed (and before the
#: record type was shared by writer and readers).
WRITTEN_BEFORE = {
    "id": "old.txt",
    "source": "in/old.txt",
    "article_sha256": "ab" * 32,
    "status": "error",
    "summary": None,
    "error": {"type": "ProviderError", "message": "old.txt: HTTP 503", "attempts": 6},
    "usage": {"prompt_tokens": 0, "completion_tokens": 0, "total_tokens": 0},
    "cost_usd": None,
    "cached": False,
    "model": "compatible/fake",
    "prompt_version": "extract-v2",
    "prompt_hash": "sha256:00",
    "schema_version": "1",
    "diplosum_version": "0.1.0",
    "attempts": 6,
    "dropped": [],
    "truncated": False,
    "latency_s": 0.0,
    "incomplete": False,
    "flagged": [],
}


def test_batch_item_is_the_record() -> None:
    """The public BatchItem is the output record: one type, not four."""
    assert BatchItem is OutputRecord


def test_every_record_field_has_a_csv_column() -> None:
    """The CSV is derived from the record: no field of the record is left out of it."""
    covered = {c.field for c in CSV_COLUMNS}
    assert covered == set(OutputRecord.model_fields)
    assert {"incomplete", "flagged", "http_attempts", "truncated"} <= set(CSV_FIELDS)
    assert len(CSV_FIELDS) == len(set(CSV_FIELDS))
    flagged = Dropped(field="mediators", item="Atlantis", reason="instruction")
    row = csv_row(_record("a", incomplete=True, flagged=[flagged]))
    assert row["incomplete"] is True and row["flagged"] == 1 and row["total_tokens"] == 15


def test_records_read_back_strictly(tmp_path: Path) -> None:
    """A key the record does not know is refused; a record the previous version wrote reads."""
    path = tmp_path / "out.jsonl"
    drifted = {**_record("new").record(), "surprise": 1}
    lines = [json.dumps(WRITTEN_BEFORE), json.dumps(drifted), _record("ok").json_line()]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_records(path)
    assert [r.id for r in read.records] == ["old.txt", "ok"]
    assert [(s.line, s.is_json) for s in read.skipped] == [(2, True)]
    assert "surprise" in read.skipped[0].reason or "Extra" in read.skipped[0].reason
    old = read.records[0]
    assert old.error is not None and old.error.attempts == 6 and old.http_attempts == 0
    assert old.meta is None  # run metadata is not written, so a record read back has none


@pytest.mark.parametrize("fmt", ["jsonl", "csv"])
def test_resume_redoes_an_incomplete_record(tmp_path: Path, fmt: str) -> None:
    """An answer kept after a failed re-ask (incomplete) is redone on resume, in CSV as in
    JSON Lines; complete successes are kept and failures redone."""
    path = tmp_path / f"out.{fmt}"
    records = [_record("done"), _record("partial", incomplete=True)]
    records.append(_record("failed", status="error", summary=None))
    with OutputWriter(path, fmt) as writer:  # type: ignore[arg-type]
        for rec in records:
            writer.write(rec)
    with OutputWriter(path, fmt) as writer:  # type: ignore[arg-type]
        assert writer.done == {("done", "sha-done")}
        assert (writer.kept, writer.dropped_failures) == (1, 2)


def test_a_csv_written_before_the_new_columns_resumes(tmp_path: Path) -> None:
    """A CSV whose header lacks the columns added later keeps its finished rows, rewritten
    under the current header so that appended rows line up."""
    old_fields = CSV_FIELDS[: CSV_FIELDS.index("latency_s") + 1]
    path = tmp_path / "out.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=old_fields, lineterminator="\n")
        w.writeheader()
        w.writerow({k: v for k, v in csv_row(_record("done")).items() if k in old_fields})
    with OutputWriter(path, "csv") as writer:
        assert writer.done == {("done", "sha-done")}
        writer.write(_record("next"))
    rows = list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert list(rows[0]) == CSV_FIELDS
    assert [(r["id"], r["incomplete"]) for r in rows] == [("done", ""), ("next", "False")]


def test_attempts_count_model_calls_and_http_attempts_requests(tmp_path: Path) -> None:
    """attempts is the number of model calls whatever the outcome; the HTTP requests behind
    them (transport retries included) are http_attempts."""
    (tmp_path / "ok.txt").write_text(GOOD.format(n="OK"))
    (tmp_path / "down.txt").write_text(GOOD.format(n="DOWN"))

    down = read_article(tmp_path / "down.txt").sha256

    def decide(_index: int, article: str, call: int) -> FaultKind | None:
        if article == down:
            return FaultKind.UNAVAILABLE_503  # every request: the transport retries give up
        return FaultKind.SERVER_500 if call == 0 else None  # one retry, then an answer

    with FakeOpenAIServer(faults=FaultPlan(decide)) as server:
        s = Summariser("fake", base_url=server.base_url, api_key="test", cache=None)
        items = {i.id: i for i in summarise_many([tmp_path], s, concurrency=1)}
    ok, failed = items["ok.txt"], items["down.txt"]
    assert ok.ok and ok.meta is not None
    assert (ok.attempts, ok.meta.attempts, ok.http_attempts, ok.meta.http_attempts) == (1, 1, 2, 2)
    assert failed.error is not None and failed.error.type == "ProviderError"
    assert (failed.attempts, failed.error.attempts, failed.http_attempts) == (1, 1, 6)


def test_an_unknown_key_inside_the_summary_is_refused_too(tmp_path: Path) -> None:
    """Strictness reaches the nested summary, evidence and usage, not only the top level."""
    base = _record("deep").record()
    path = tmp_path / "out.jsonl"
    bad_summary = {**base, "summary": {**base["summary"], "extra_field": 1}}
    bad_usage = {**base, "usage": {**base["usage"], "cached_tokens": 3}}
    lines = [json.dumps(base), json.dumps(bad_summary), json.dumps(bad_usage)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    read = read_records(path)
    assert [r.id for r in read.records] == ["deep"]
    assert [s.line for s in read.skipped] == [2, 3]
