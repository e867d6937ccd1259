"""Write batch results to JSON Lines or CSV, safely resumable.

Opening an existing output file for a resumed run keeps every complete
successful record, drops failures (they are retried) and any half-written
last line, and rewrites the file atomically before new records are appended.
Each record is written with one ``write`` and flushed, so a killed process
leaves at most one partial line, which the next run discards.
"""

from __future__ import annotations

import contextlib
import csv
import io
import json
import os
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

from .batch import BatchItem

__all__ = ["CSV_FIELDS", "OutputWriter", "csv_row"]

Format = Literal["jsonl", "csv"]
CSV_FIELDS = [
    "id",
    "source",
    "article_sha256",
    "status",
    "headline",
    "published",
    "talks_status",
    "mediators",
    "parties",
    "venue_city",
    "venue_country",
    "venue_iso3",
    "venue_site",
    "proposed_date",
    "proposed_date_end",
    "proposed_date_text",
    "positions",
    "summary",
    "error_type",
    "error_message",
    "prompt_tokens",
    "completion_tokens",
    "total_tokens",
    "cost_usd",
    "cached",
    "model",
    "prompt_version",
    "prompt_hash",
    "schema_version",
    "diplosum_version",
    "attempts",
    "dropped",
    "latency_s",
]


def csv_row(record: dict[str, Any]) -> dict[str, Any]:
    """Flatten one output record for CSV: list fields joined with "; ", evidence omitted."""
    s = record.get("summary") or {}
    venue = s.get("venue") or {}
    date = s.get("proposed_date") or {}
    usage = record.get("usage") or {}
    error = record.get("error") or {}
    return {
        "id": record["id"],
        "source": record.get("source"),
        "article_sha256": record.get("article_sha256"),
        "status": record["status"],
        "headline": s.get("headline"),
        "published": s.get("published"),
        "talks_status": s.get("talks_status"),
        "mediators": "; ".join(a["name"] for a in s.get("mediators", [])),
        "parties": "; ".join(a["name"] for a in s.get("parties", [])),
        "venue_city": venue.get("city"),
        "venue_country": venue.get("country"),
        "venue_iso3": venue.get("iso3"),
        "venue_site": venue.get("site"),
        "proposed_date": date.get("date"),
        "proposed_date_end": date.get("end"),
        "proposed_date_text": date.get("text"),
        "positions": "; ".join(f"{p['actor']}: {p['stance']}" for p in s.get("positions", [])),
        "summary": s.get("summary"),
        "error_type": error.get("type"),
        "error_message": error.get("message"),
        "prompt_tokens": usage.get("prompt_tokens"),
        "completion_tokens": usage.get("completion_tokens"),
        "total_tokens": usage.get("total_tokens"),
        "cost_usd": record.get("cost_usd"),
        "cached": record.get("cached"),
        "model": record.get("model"),
        "prompt_version": record.get("prompt_version"),
        "prompt_hash": record.get("prompt_hash"),
        "schema_version": record.get("schema_version"),
        "diplosum_version": record.get("diplosum_version"),
        "attempts": record.get("attempts"),
        "dropped": len(record.get("dropped") or []),
        "latency_s": record.get("latency_s"),
    }


class OutputWriter:
    """Append batch items to a file (or stdout), resuming what an earlier run finished."""

    def __init__(self, path: str | os.PathLike[str] | None, fmt: Format = "jsonl") -> None:
        self.path = Path(path) if path is not None else None
        self.fmt = fmt
        self.done: set[tuple[str, str]] = set()
        self.kept = 0
        self.dropped_failures = 0
        self._fh: IO[str]
        self._csv: Any = None
        if self.path is None:
            self._fh = sys.stdout
            self._start_csv(write_header=True)
            return
        if self.path.exists() and self.path.stat().st_size:
            self._resume()
        new = not self.path.exists() or self.path.stat().st_size == 0
        self._fh = self.path.open("a", encoding="utf-8", newline="")
        self._start_csv(write_header=new)

    def _start_csv(self, *, write_header: bool) -> None:
        if self.fmt != "csv":
            return
        self._csv = csv.DictWriter(self._fh, fieldnames=CSV_FIELDS, lineterminator="\n")
        if write_header:
            self._emit(_csv_header())

    def _complete_lines(self) -> Iterator[str]:
        """The file's complete lines, streamed; a half-written last line is discarded."""
        assert self.path is not None
        with self.path.open("r", encoding="utf-8", errors="replace", newline="") as fh:
            for line in fh:
                if line.endswith("\n"):
                    yield line

    def _keep(self, rec: dict[str, Any]) -> bool:
        key = (str(rec.get("id")), str(rec.get("article_sha256")))
        if rec.get("status") == "ok" and key not in self.done:
            self.done.add(key)
            self.kept += 1
            return True
        self.dropped_failures += 1
        return False

    def _resume(self) -> None:
        """Rewrite the file with only its complete, successful, unique records (streamed)."""
        assert self.path is not None
        fd, tmp = tempfile.mkstemp(
            dir=self.path.parent, prefix=f".{self.path.name}.", suffix=".tmp"
        )
        try:
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                if self.fmt == "jsonl":
                    for line in self._complete_lines():
                        try:
                            rec = json.loads(line)
                        except ValueError:
                            self.dropped_failures += 1
                            continue
                        if isinstance(rec, dict) and self._keep(rec):
                            out.write(line)
                else:
                    writer = csv.DictWriter(out, fieldnames=CSV_FIELDS, lineterminator="\n")
                    writer.writeheader()
                    for row in csv.DictReader(self._complete_lines()):
                        if None in row.values():  # a multi-line record the kill cut short
                            self.dropped_failures += 1
                        elif self._keep(row):
                            writer.writerow({k: row.get(k) for k in CSV_FIELDS})
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _emit(self, line: str) -> None:
        self._fh.write(line)
        self._fh.flush()

    def write(self, item: BatchItem) -> None:
        """Write one record as a single line."""
        if self.fmt == "jsonl":
            self._emit(item.json_line() + "\n")
        else:
            buf = io.StringIO()
            csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n").writerow(
                csv_row(item.record())
            )
            self._emit(buf.getvalue())

    def close(self) -> None:
        if self._fh is not sys.stdout:
            self._fh.flush()
            os.fsync(self._fh.fileno())
            self._fh.close()

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _csv_header() -> str:
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n").writeheader()
    return buf.getvalue()
