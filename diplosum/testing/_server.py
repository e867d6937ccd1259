"""The loopback fake OpenAI-compatible server."""

from __future__ import annotations

import contextlib
import json
import socket
import socketserver
import struct
import sys
import threading
import time
from collections.abc import Sequence
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, Literal, cast

from ._answers import _answer_json, _article, _shape, fake_answer
from ._batches import BatchScript, FakeBatches
from ._faults import _ERRORS, FaultKind, FaultSchedule, RequestRecord, fingerprint

# --------------------------------------------------------------------------- the server

_Reply = tuple[int, bytes, tuple[str, ...], bool]  # status, body, extra headers, reset


def _json(payload: Any, status: int = 200, *headers: str) -> _Reply:
    return status, json.dumps(payload).encode(), headers, False


def _error(status: int, message: str, kind: str, code: str | None, *headers: str) -> _Reply:
    error = {"message": message, "type": kind, "param": None, "code": code}
    return _json({"error": error}, status, *headers)


class _HTTPServer(ThreadingHTTPServer):
    daemon_threads = True
    request_queue_size = 256

    def __init__(self, address: tuple[str, int], fake: FakeOpenAIServer) -> None:
        self.fake = fake
        self.connections: set[socket.socket] = set()
        self.connections_lock = threading.Lock()
        super().__init__(address, _Handler)

    def server_bind(self) -> None:  # HTTPServer's would look the host name up
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = "127.0.0.1", int(self.server_address[1])

    def process_request(self, request: Any, client_address: Any) -> None:
        with self.connections_lock:  # before shutdown() returns, so close() sees them all
            self.connections.add(request)
        super().process_request(request, client_address)

    def shutdown_request(self, request: Any) -> None:
        with self.connections_lock:
            self.connections.discard(request)
        super().shutdown_request(request)

    def handle_error(self, request: Any, client_address: Any) -> None:
        if not isinstance(sys.exc_info()[1], OSError):  # a client that went away is normal
            super().handle_error(request, client_address)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    _reset = False

    def setup(self) -> None:
        super().setup()
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)

    def finish(self) -> None:
        super().finish()
        if self._reset:  # SO_LINGER 0: closing sends RST, not FIN
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: the request log is :attr:`FakeOpenAIServer.log`."""

    def do_GET(self) -> None:
        fake = cast(_HTTPServer, self.server).fake
        if self.path.split("?")[0] == "/v1/models":
            model = {"id": fake.model, "object": "model", "created": 0, "owned_by": "diplosum"}
            return self._send(_json({"object": "list", "data": [model]}))
        if self.path.startswith(("/v1/files", "/v1/batches")):
            return self._send(fake.batch_api.get(self.path))
        self._send(_error(404, f"no GET {self.path}", "invalid_request_error", "not_found"))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.startswith(("/v1/files", "/v1/batches")):
            fake = cast(_HTTPServer, self.server).fake
            ctype = self.headers.get("Content-Type", "")
            return self._send(fake.batch_api.post(self.path, ctype, body))
        if self.path.split("?")[0] != "/v1/chat/completions":
            return self._send(_error(404, f"no POST {self.path}", "invalid_request_error", None))
        auth = self.headers.get("Authorization", "")
        self._send(cast(_HTTPServer, self.server).fake._chat(auth, body))

    def _send(self, reply: _Reply | None) -> None:
        if reply is None:  # the server is closing
            self.close_connection = True
            return
        status, body, headers, reset = reply
        head = [f"HTTP/1.1 {status} {HTTPStatus(status).phrase}", "Content-Type: application/json"]
        head += [f"Content-Length: {len(body)}", *headers]
        data = ("\r\n".join(head) + "\r\n\r\n").encode() + body
        if reset:
            data = data[: len(data) - len(body) // 2]
            self._reset = self.close_connection = True
        self.wfile.write(data)


class FakeOpenAIServer:
    """A fake OpenAI-compatible endpoint on 127.0.0.1, served from a background thread.

    Args:
        port: 0 for a free port.
        latency: seconds to wait before answering each chat completion.
        faults: a :class:`FaultPlan` or any ``(request_index, article) -> FaultKind | None``.
        slow_seconds: how long a :attr:`FaultKind.SLOW` answer takes.
        model: the model listed by ``GET /v1/models``.
        batches: how its Batch API's batches behave: one :class:`BatchScript` for all, or one
            per batch in the order they are created (the last one for any after them).
    """

    def __init__(
        self,
        *,
        port: int = 0,
        latency: float = 0.0,
        faults: FaultSchedule | None = None,
        slow_seconds: float = 5.0,
        model: str = "fake-model",
        batches: Sequence[BatchScript] | BatchScript | None = None,
    ) -> None:
        self.port, self.latency, self.faults = port, latency, faults
        self.slow_seconds, self.model = slow_seconds, model
        self._lock = threading.Lock()
        self._log: list[RequestRecord] = []
        self._bodies: list[dict[str, Any]] = []
        #: The Files and Batches APIs (``/v1/files``, ``/v1/batches``); batch requests are
        #: answered by the same handler as direct ones (logged with ``batch=True``).
        self.batch_api = FakeBatches(lambda body: self._chat("Bearer batch", body, batch=True))
        self.batch_api.scripts = BatchScript() if batches is None else batches
        self._stopping = threading.Event()
        self._httpd: _HTTPServer | None = None
        self._thread: threading.Thread | None = None

    def start(self) -> FakeOpenAIServer:
        """Bind the port and serve in a background thread."""
        if self._httpd is None:
            self._stopping.clear()
            httpd = self._httpd = _HTTPServer(("127.0.0.1", self.port), self)
            self._thread = threading.Thread(target=httpd.serve_forever, args=(0.02,), daemon=True)
            self._thread.start()
        return self

    def close(self) -> None:
        """Stop serving: wake idle connections and waiting answers, join every thread."""
        httpd, self._httpd = self._httpd, None
        if httpd is None:
            return
        self._stopping.set()
        httpd.shutdown()
        with httpd.connections_lock:
            for conn in httpd.connections:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        httpd.server_close()
        if self._thread is not None:
            self._thread.join()

    def __enter__(self) -> FakeOpenAIServer:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.close()

    @property
    def base_url(self) -> str:
        """``http://127.0.0.1:PORT/v1``, for ``openai.OpenAI(base_url=...)``."""
        if self._httpd is None:
            raise RuntimeError("the server is not running: use it in a with block, or start() it")
        return f"http://127.0.0.1:{self._httpd.server_address[1]}/v1"

    @property
    def requests(self) -> int:
        """How many chat-completions requests arrived (faulted ones included)."""
        with self._lock:
            return len(self._log)

    @property
    def log(self) -> list[RequestRecord]:
        """A copy of the request log, in arrival order."""
        with self._lock:
            return list(self._log)

    @property
    def request_bodies(self) -> list[dict[str, Any]]:
        """The JSON bodies of the chat-completions requests that came over HTTP, in order."""
        with self._lock:
            return list(self._bodies)

    def calls_for(self, article: str) -> list[RequestRecord]:
        """The logged requests about ``article``."""
        key = fingerprint(article)
        return [r for r in self.log if r.article_sha256 == key]

    def reset(self) -> None:
        """Empty the log (and the counter), and reset the fault plan's per-article counts."""
        with self._lock:
            self._log = []
            self._bodies = []
        reset = getattr(self.faults, "reset", None)
        if callable(reset):
            reset()

    def _chat(self, authorization: str, body: bytes, *, batch: bool = False) -> _Reply | None:
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        request = request if isinstance(request, dict) else {"messages": None, "_bad": True}
        if not batch:
            with self._lock:
                self._bodies.append(request)
        article, prompt_chars = _article(request.get("messages"))
        tools = request.get("tools")
        model = str(request.get("model") or self.model)
        authorized = authorization.startswith("Bearer ") and bool(authorization[7:].strip())
        with self._lock:  # the index and the fault are decided in arrival order
            index = len(self._log)
            fault = self.faults(index, article) if self.faults is not None else None
            mode: Literal["tools", "json"] = "tools" if tools else "json"
            record = RequestRecord(
                index, fingerprint(article), fault, authorized, mode, model, batch=batch
            )
            self._log.append(record)
        if self.latency > 0 and self._stopping.wait(self.latency):
            return None
        if request.get("_bad"):
            return _error(400, "the body is not a JSON object", "invalid_request_error", None)
        if fault is not None and fault in _ERRORS:
            status, kind, code = _ERRORS[fault]
            extra = ("Retry-After: 0",) if fault is FaultKind.RATE_LIMIT else ()
            return _error(status, f"fake {fault.value} (request {index})", kind, code, *extra)
        if fault is FaultKind.SLOW and self._stopping.wait(self.slow_seconds):
            return None
        shape = _shape(body)
        answer = _answer_json(article, shape)
        if fault is FaultKind.TRUNCATED_JSON:
            answer = answer[: len(answer) // 2]
        elif fault is FaultKind.SCHEMA_INVALID:
            answer = json.dumps({"talks_status": "imminent", "parties": "everyone", "language": 7})
        elif fault is FaultKind.UNGROUNDED_QUOTE and shape != "quotes":
            data = json.loads(answer)
            bad = len(article) + 7  # an id the article does not have (at most one per char)
            fake = {"actor": "Nowhere", "speaker": None, "stance": "It agreed.", "segment": bad}
            answer = json.dumps({**data, "positions": [*data["positions"], fake]})
        elif fault is FaultKind.UNGROUNDED_QUOTE:
            data = fake_answer(article)
            quote = f"Every side agreed, said nobody (fake {record.article_sha256[:16]})."
            fake = {"actor": "Nowhere", "stance": "It agreed to everything.", "quote": quote}
            answer = json.dumps({**data, "positions": [*data["positions"], fake]})
        message: dict[str, Any] = {"role": "assistant", "content": answer}
        if tools:
            wanted = request.get("tool_choice")
            first = tools[0] if isinstance(tools, list) and tools else {}
            fn = (wanted if isinstance(wanted, dict) else first).get("function") or {}
            call = {"name": str(fn.get("name") or "Extraction"), "arguments": answer}
            tool_call = {"id": f"call_{index}", "type": "function", "function": call}
            message = {"role": "assistant", "content": None, "tool_calls": [tool_call]}
        finish = "tool_calls" if tools else "stop"
        choice = {"index": 0, "message": message, "logprobs": None, "finish_reason": finish}
        usage = {"prompt_tokens": max(1, prompt_chars // 4), "completion_tokens": len(answer) // 4}
        usage["total_tokens"] = usage["prompt_tokens"] + usage["completion_tokens"]
        payload = {
            "id": f"chatcmpl-fake-{index}",
            "object": "chat.completion",
            "created": int(time.time()),
            "model": model,
            "choices": [] if fault is FaultKind.EMPTY_CHOICES else [choice],
            "usage": usage,
        }
        return 200, json.dumps(payload).encode(), (), fault is FaultKind.RESET
