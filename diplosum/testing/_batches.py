"""The fake server's Files and Batches APIs (``/v1/files``, ``/v1/batches``), scripted.

A batch walks through the states of its :class:`BatchScript`, one per retrieve (the create
answers with the first); when it reaches a final state its output and error files are made
by answering each request line with the server's own chat completions handler (so fault
plans apply, and usage is counted as for direct calls). Scripts::

    BatchScript()                          # validating -> in_progress -> completed
    BatchScript.failed("bad line")         # validating -> failed, no files
    BatchScript.expired(answered=2)        # ... -> expired: 2 answered, the rest batch_expired
    BatchScript(errors=frozenset({1}))     # request 1 answered with an HTTP 400 in the error file
"""

from __future__ import annotations

import email.parser
import itertools
import json
import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

__all__ = ["BatchScript", "FakeBatches"]

_TERMINAL = frozenset({"completed", "failed", "expired", "cancelled"})
# status, body, extra headers, reset (the server's reply tuple)
_Reply = tuple[int, bytes, tuple[str, ...], bool]
Chat = Callable[[bytes], "_Reply | None"]


@dataclass(frozen=True, slots=True)
class BatchScript:
    """How one fake batch behaves.

    ``states``: the statuses of the create answer and of each retrieve after it (the last
    one stays). ``answered``: for a batch that ends expired or cancelled, how many requests
    (the first ones) were answered; None: all. ``errors``: indexes of requests answered
    with HTTP 400 (a line of the error file). ``failure``: the validation error of a batch
    that ends ``failed``.
    """

    states: tuple[str, ...] = ("validating", "in_progress", "completed")
    answered: int | None = None
    errors: frozenset[int] = frozenset()
    failure: str = "the input file is not valid"

    @classmethod
    def failed(cls, message: str = "the input file is not valid") -> BatchScript:
        return cls(states=("validating", "failed"), failure=message)

    @classmethod
    def expired(cls, answered: int = 0) -> BatchScript:
        return cls(states=("validating", "in_progress", "expired"), answered=answered)

    @classmethod
    def running(cls) -> BatchScript:
        """A batch that stays in progress until it is cancelled."""
        return cls(states=("validating", "in_progress"), answered=0)


@dataclass
class _Batch:
    data: dict[str, Any]
    script: BatchScript
    lines: list[dict[str, Any]]
    step: int = 1
    cancelled: bool = False


@dataclass
class FakeBatches:
    """The files and batches one fake server holds (see the module docstring)."""

    chat: Chat
    scripts: Sequence[BatchScript] | BatchScript = field(default_factory=BatchScript)
    files: dict[str, tuple[dict[str, Any], bytes]] = field(default_factory=dict)
    batches: dict[str, _Batch] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock)
    _ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    #: The ids of the files whose content was downloaded, in order.
    downloads: list[str] = field(default_factory=list)

    @property
    def uploads(self) -> list[bytes]:
        """The contents of the files uploaded for batches, in order."""
        with self.lock:
            return [content for meta, content in self.files.values() if meta["purpose"] == "batch"]

    def _script(self, n: int) -> BatchScript:
        if isinstance(self.scripts, BatchScript):
            return self.scripts
        return self.scripts[min(n, len(self.scripts) - 1)]

    def _file(self, content: bytes, purpose: str, name: str) -> dict[str, Any]:
        file_id = f"file-fake-{next(self._ids)}"
        meta = {
            "id": file_id,
            "object": "file",
            "bytes": len(content),
            "created_at": int(time.time()),
            "filename": name,
            "purpose": purpose,
            "status": "processed",
        }
        self.files[file_id] = (meta, content)
        return meta

    # ------------------------------------------------------------------ routes

    def get(self, path: str) -> _Reply:
        parts = path.split("?")[0].strip("/").split("/")  # v1, files|batches, id, content
        with self.lock:
            if parts[1] == "files" and len(parts) == 4 and parts[3] == "content":
                found = self.files.get(parts[2])
                if found is None:
                    return _not_found(path)
                self.downloads.append(parts[2])
                return 200, found[1], (), False
            if parts[1] == "files" and len(parts) == 3 and parts[2] in self.files:
                return _json(self.files[parts[2]][0])
            if parts[1] == "batches" and len(parts) == 2:
                data = [b.data for b in reversed(self.batches.values())]
                return _json({"object": "list", "data": data, "has_more": False})
            if parts[1] == "batches" and len(parts) == 3 and parts[2] in self.batches:
                batch = self.batches[parts[2]]
                self._advance(batch)
                return _json(batch.data)
        return _not_found(path)

    def post(self, path: str, content_type: str, body: bytes) -> _Reply:
        parts = path.split("?")[0].strip("/").split("/")
        with self.lock:
            if parts[1] == "files" and len(parts) == 2:
                fields = _multipart(content_type, body)
                if "file" not in fields:
                    return _bad("no file in the upload")
                name, content = fields["file"]
                return _json(
                    self._file(content, fields.get("purpose", ("", b""))[1].decode(), name)
                )
            if parts[1] == "batches" and len(parts) == 2:
                return self._create(json.loads(body or b"{}"))
            if parts[1] == "batches" and len(parts) == 4 and parts[3] == "cancel":
                batch = self.batches.get(parts[2])
                if batch is None:
                    return _not_found(path)
                if batch.data["status"] not in _TERMINAL:
                    batch.cancelled = True
                    batch.data["status"] = "cancelling"
                    batch.data["cancelling_at"] = int(time.time())
                return _json(batch.data)
        return _not_found(path)

    # ------------------------------------------------------------------ batches

    def _create(self, request: dict[str, Any]) -> _Reply:
        found = self.files.get(str(request.get("input_file_id")))
        if found is None:
            return _bad(f"no file {request.get('input_file_id')}")
        lines = [json.loads(line) for line in found[1].decode().splitlines() if line.strip()]
        script = self._script(len(self.batches))
        batch_id = f"batch_fake_{len(self.batches) + 1}"
        data: dict[str, Any] = {
            "id": batch_id,
            "object": "batch",
            "endpoint": request.get("endpoint"),
            "errors": None,
            "input_file_id": request.get("input_file_id"),
            "completion_window": request.get("completion_window"),
            "status": script.states[0],
            "output_file_id": None,
            "error_file_id": None,
            "created_at": int(time.time()),
            "request_counts": {"total": len(lines), "completed": 0, "failed": 0},
            "metadata": request.get("metadata") or {},
        }
        self.batches[batch_id] = batch = _Batch(data, script, lines)
        if data["status"] in _TERMINAL:
            self._finish(batch)
        return _json(data)

    def _advance(self, batch: _Batch) -> None:
        """The next state of a retrieved batch; its files once it is final."""
        if batch.data["status"] in _TERMINAL:
            return
        if batch.cancelled:
            batch.data["status"] = "cancelled"
        else:
            states = batch.script.states
            batch.data["status"] = states[min(batch.step, len(states) - 1)]
            batch.step += 1
        if batch.data["status"] == "in_progress":
            batch.data["request_counts"]["completed"] = len(batch.lines) // 2
        if batch.data["status"] in _TERMINAL:
            self._finish(batch)

    def _finish(self, batch: _Batch) -> None:
        status = batch.data["status"]
        batch.data[f"{status}_at"] = int(time.time())
        if status == "failed":
            error = {"code": "invalid_request", "message": batch.script.failure, "line": None}
            batch.data["errors"] = {"object": "list", "data": [{**error, "param": None}]}
            return
        answered = len(batch.lines)
        if status != "completed" or batch.cancelled:
            answered = batch.script.answered or 0
        output: list[str] = []
        errors: list[str] = []
        for n, line in enumerate(batch.lines):
            custom_id = line.get("custom_id")
            out: dict[str, Any] = {"id": f"batch_req_{n}", "custom_id": custom_id, "error": None}
            if n >= answered:
                code = "batch_cancelled" if status == "cancelled" else "batch_expired"
                message = "This request could not be executed before the batch ended."
                out.update(response=None, error={"code": code, "message": message})
                errors.append(json.dumps(out))
                continue
            if n in batch.script.errors:
                error = {"message": f"fake invalid request {n}", "type": "invalid_request_error"}
                reply: _Reply | None = 400, json.dumps({"error": error}).encode(), (), False
            else:
                reply = self.chat(json.dumps(line.get("body") or {}).encode())
            if reply is None:
                continue
            code_, body, _, _ = reply
            response = {"status_code": code_, "request_id": f"req_{n}", "body": json.loads(body)}
            out["response"] = response
            (output if code_ == 200 else errors).append(json.dumps(out))
        counts = batch.data["request_counts"]
        counts["completed"], counts["failed"] = len(output), len(errors)
        if output:
            name = f"{batch.data['id']}_output.jsonl"
            content = "".join(line + "\n" for line in output).encode()
            batch.data["output_file_id"] = self._file(content, "batch_output", name)["id"]
        if errors:
            name = f"{batch.data['id']}_error.jsonl"
            content = "".join(line + "\n" for line in errors).encode()
            batch.data["error_file_id"] = self._file(content, "batch_output", name)["id"]


def _json(payload: Any, status: int = 200) -> _Reply:
    return status, json.dumps(payload).encode(), (), False


def _error(status: int, message: str) -> _Reply:
    error = {"message": message, "type": "invalid_request_error", "param": None, "code": None}
    return _json({"error": error}, status)


def _not_found(path: str) -> _Reply:
    return _error(404, f"no such object: {path}")


def _bad(message: str) -> _Reply:
    return _error(400, message)


def _multipart(content_type: str, body: bytes) -> dict[str, tuple[str, bytes]]:
    """The fields of a ``multipart/form-data`` body: name -> (file name, content)."""
    head = f"Content-Type: {content_type}\r\nMIME-Version: 1.0\r\n\r\n".encode()
    message = email.parser.BytesParser().parsebytes(head + body)
    fields: dict[str, tuple[str, bytes]] = {}
    for part in message.walk() if message.is_multipart() else []:
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        payload = part.get_payload(decode=True)
        fields[name] = (part.get_filename() or "", payload if isinstance(payload, bytes) else b"")
    return fields
