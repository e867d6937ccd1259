"""Write batch results to JSON Lines or CSV, safely resumable.

Opening an existing output file for a resumed run keeps every complete
successful record, drops failures (they are retried) and any half-written
last line, and rewrites the file atomically before new records are appended.
Each record is written with one ``write`` and flushed, so a killed process
leaves at most one partial line, which the next run discards. A file that is
not diplosum output of the chosen format is never rewritten, and the file is
locked against a second writer for as long as it is open.
"""

from __future__ import annotations

import contextlib
import csv
import fcntl
import io
import itertools
import json
import os
import stat
import sys
import tempfile
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any, Literal

from .._records import CSV_FIELDS, OutputRecord, csv_row
from ..errors import ConfigurationError
from ._outfile import OutputLock, remove_stale_temps, temp_prefix, temp_suffix

__all__ = ["OutputWriter"]

Format = Literal["jsonl", "csv"]


class OutputWriter:
    """Append batch items to a file (or stdout), resuming what an earlier run finished.

    The file is locked for the writer's life (:class:`~diplosum.cli._outfile.OutputLock`: a second
    writer of the same file raises :class:`~diplosum.errors.ConfigurationError` at once), and
    temporary files a killed rewrite left are removed. A file that is not diplosum output of
    ``fmt`` (someone's notes, an article, the other format) is never rewritten: opening it
    raises :class:`~diplosum.errors.ConfigurationError` saying why, unless ``overwrite`` is
    true, which empties the file and starts afresh. A symlink is written through (the link is
    kept) and a rewritten file keeps its permissions.

    After opening, ``done`` holds the ``(id, article_sha256)`` pairs already finished,
    ``kept`` and ``dropped_failures`` count the records kept and the lines to redo, ``models``
    counts the kept records by model, ``removed_temps`` the stale temporary files removed and
    ``replaced`` says whether ``overwrite`` emptied a non-empty file.
    """

    def __init__(
        self,
        path: str | os.PathLike[str] | None,
        fmt: Format = "jsonl",
        *,
        overwrite: bool = False,
    ) -> None:
        self.path = Path(path) if path is not None else None
        self.fmt = fmt
        self.done: set[tuple[str, str]] = set()
        self.kept = 0
        self.dropped_failures = 0
        self.models: Counter[str] = Counter()
        self.removed_temps = 0
        self.replaced = False
        self._lock: OutputLock | None = None
        self._fh: IO[str]
        self._csv: Any = None
        if self.path is None:
            self._fh = sys.stdout
            self._start_csv(write_header=True)
            return
        # Symlinks are followed to the file they name: it is that file that is locked,
        # rewritten and appended to, and the link stays a link.
        self.target = Path(os.path.realpath(self.path))
        if _special(self.target):  # /dev/null, a FIFO, a terminal: nothing to resume or lose
            self._fh = self.target.open("a", encoding="utf-8", newline="")
            self._start_csv(write_header=True)
            return
        self._lock = OutputLock(self.target, str(self.path))
        self._lock.acquire()
        try:
            self.removed_temps = remove_stale_temps(self.target)
            if self._size():
                if overwrite:
                    os.truncate(self.target, 0)  # in place: mode, owner and links kept
                    self.replaced = True
                else:
                    self._resume()
            new = self._size() == 0
            self._fh = self.target.open("a", encoding="utf-8", newline="")
            self._start_csv(write_header=new)
        except BaseException:
            self._lock.release()
            raise

    @property
    def own_files(self) -> list[Path]:
        """The files this writer owns (output and lock): never to be read as inputs."""
        if self.path is None or self._lock is None:
            return []
        return [self.target, self._lock.path]

    def _size(self) -> int:
        try:
            return os.stat(self.target).st_size
        except FileNotFoundError:
            return 0

    def _start_csv(self, *, write_header: bool) -> None:
        if self.fmt != "csv":
            return
        self._csv = csv.DictWriter(self._fh, fieldnames=CSV_FIELDS, lineterminator="\n")
        if write_header:
            self._emit(_csv_header())

    def _lines(self) -> Iterator[tuple[int, str, bool]]:
        """``(line number, text, complete)`` for each line, split on ``\\n`` only, streamed;
        only the last line can be incomplete (no newline: a write the kill cut short)."""
        with self.target.open("rb") as fh:
            for lineno, raw in enumerate(fh, start=1):
                yield lineno, raw.decode("utf-8", errors="replace"), raw.endswith(b"\n")

    def _keep(self, rec: dict[str, Any]) -> bool:
        key = (str(rec.get("id")), str(rec.get("article_sha256")))
        # An incomplete answer (the endpoint failed during a re-ask) is redone, like a failure.
        # JSON holds a boolean, CSV the text "True" (a CSV written before the column: none).
        incomplete = rec.get("incomplete") in (True, "True")
        if rec.get("status") == "ok" and not incomplete and key not in self.done:
            self.done.add(key)
            self.kept += 1
            self.models[str(rec.get("model") or "an unknown model")] += 1
            return True
        self.dropped_failures += 1
        return False

    def _refuse(self, why: str) -> ConfigurationError:
        kind = "JSON Lines" if self.fmt == "jsonl" else "CSV"
        return ConfigurationError(
            f"refusing to rewrite {self.path}: {why}. It is not a diplosum {kind} output, "
            "so resuming it would destroy what it holds; choose another -o, or give "
            "--overwrite to replace it"
        )

    def _resume(self) -> None:
        """Rewrite the file with only its complete, successful, unique records (streamed).

        Each line is checked first: a line that is not a record of ours (nor the torn start of
        one) aborts the rewrite, leaving the file untouched."""
        st = os.stat(self.target)
        fd, tmp = tempfile.mkstemp(
            dir=self.target.parent, prefix=temp_prefix(self.target), suffix=temp_suffix()
        )
        try:
            with contextlib.suppress(OSError):
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)  # live: not stale
            _keep_mode(fd, st)
            with os.fdopen(fd, "w", encoding="utf-8", newline="") as out:
                if self.fmt == "jsonl":
                    self._resume_jsonl(out)
                else:
                    self._resume_csv(out)
                out.flush()
                os.fsync(out.fileno())
            os.replace(tmp, self.target)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    def _resume_jsonl(self, out: IO[str]) -> None:
        for lineno, line, complete in self._lines():
            if not line.strip():
                continue
            if not complete or not line.startswith(_RECORD_START):
                # A record of ours begins '{"id": '; the last line may be cut anywhere in it.
                if not complete and (
                    line.startswith(_RECORD_START) or _RECORD_START.startswith(line)
                ):
                    self.dropped_failures += 1
                    continue
                if lineno == 1 and line.startswith(_CSV_SIGNATURE):
                    raise self._refuse(
                        "it holds diplosum CSV output (add --format csv to resume it)"
                    )
                raise self._refuse(f"line {lineno} is not a diplosum output record")
            try:
                rec = json.loads(line)
            except ValueError:  # torn by a writer of an older version: redo it
                self.dropped_failures += 1
                continue
            if not _is_record(rec):
                raise self._refuse(f"line {lineno} is a JSON object but not a diplosum record")
            if self._keep(rec):
                out.write(line)

    def _resume_csv(self, out: IO[str]) -> None:
        lines = self._lines()
        first = next(lines, None)
        assert first is not None  # the file is not empty
        _, header, complete = first
        if header.startswith(_RECORD_START):
            raise self._refuse(
                "it holds diplosum JSON Lines output (drop --format csv to resume it)"
            )
        cut_header = not complete and _CSV_SIGNATURE.startswith(header)
        if not (header.startswith(_CSV_SIGNATURE) or cut_header):
            raise self._refuse("its first line is not the header of a diplosum CSV output")
        if not complete:  # the header itself was cut: nothing to keep
            return
        out.write(_csv_header())
        body = (line for _, line, complete in lines if complete)
        rows = csv.DictReader(itertools.chain([header], body))
        while True:
            try:
                row = next(rows)
            except StopIteration:
                break
            except csv.Error:  # a bare "\r" an older version wrote in a field: redo the row
                self.dropped_failures += 1
                continue
            if None in row.values():  # a multi-line record the kill cut short
                self.dropped_failures += 1
            elif self._keep(row):
                out.write(_csv_line({k: row.get(k) for k in CSV_FIELDS}))

    def _emit(self, line: str) -> None:
        self._fh.write(line)
        self._fh.flush()

    def write(self, record: OutputRecord) -> None:
        """Write one record as a single line."""
        if self.fmt == "jsonl":
            self._emit(record.json_line() + "\n")
        else:
            self._emit(_csv_line(csv_row(record)))

    def close(self) -> None:
        try:
            if self._fh is not sys.stdout:
                self._fh.flush()
                with contextlib.suppress(OSError):  # a FIFO or terminal cannot be synced
                    os.fsync(self._fh.fileno())
                self._fh.close()
        finally:
            if self._lock is not None:
                self._lock.release()

    def __enter__(self) -> OutputWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


#: How every JSON Lines record diplosum writes begins (``OutputRecord.json_line``).
_RECORD_START = '{"id": '
#: How the header of every CSV output diplosum writes begins.
_CSV_SIGNATURE = ",".join(CSV_FIELDS[:4]) + ","


def _is_record(rec: Any) -> bool:
    return (
        isinstance(rec, dict)
        and "id" in rec
        and "article_sha256" in rec
        and rec.get("status") in ("ok", "error")
    )


def _special(path: Path) -> bool:
    """Whether ``path`` exists and is not a regular file (a device, FIFO or socket)."""
    try:
        mode = os.stat(path).st_mode
    except OSError:
        return False
    return not stat.S_ISREG(mode) and not stat.S_ISDIR(mode)


def _keep_mode(fd: int, st: os.stat_result) -> None:
    """Give the new file ``fd`` the permissions (and, if allowed, the owner) of ``st``."""
    with contextlib.suppress(OSError):
        os.fchmod(fd, stat.S_IMODE(st.st_mode))
    if (st.st_uid, st.st_gid) != (os.geteuid(), os.getegid()):
        with contextlib.suppress(OSError):
            os.fchown(fd, st.st_uid, st.st_gid)


def _csv_header() -> str:
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\n").writeheader()
    return buf.getvalue()


def _csv_line(row: dict[str, Any]) -> str:
    """One CSV row ending in ``\n``, every field holding ``\r`` or ``\n`` quoted.

    The csv module quotes a field only for the characters of its ``lineterminator``: with
    ``"\n"`` a ``\r`` in a file name or headline would be written bare, and a reader would end
    the row there. Written with ``"\r\n"`` (both quoted), the row's own ending is then ``\n``.
    """
    buf = io.StringIO()
    csv.DictWriter(buf, fieldnames=CSV_FIELDS, lineterminator="\r\n").writerow(row)
    return buf.getvalue()[:-2] + "\n"
