"""A loopback fake OpenAI-compatible server, for testing pipelines built on diplosum offline.

:class:`FakeOpenAIServer` serves ``POST /v1/chat/completions`` and ``GET /v1/models`` on
127.0.0.1, one thread per connection. It answers with an extraction derived from the article
between the ``<article>`` and ``</article>`` lines of the last user message holding them (an
instructor re-ask adds one without), see :func:`fake_answer`, in the shape the request asks
for: segment citations (``extract-v2``, the article sent as ``[1] ...`` lines), names only
(``extract-v2-align``) or quotes (``extract-v1``); or verbatim with the JSON of an article line
``FAKE-ANSWER: {...}``. Requests with ``tools`` get a tool call, others the JSON as message
content.
Faults follow a deterministic schedule, a :class:`FaultPlan` or any callable
``(request_index, article) -> FaultKind | None``::

    plan = FaultPlan.sequence([FaultKind.RATE_LIMIT, None])  # each article: a 429, then OK
    with FakeOpenAIServer(faults=plan) as server:
        summariser = Summariser("fake", base_url=server.base_url, api_key="test")
        ...
        assert [r.fault for r in server.calls_for(text)] == [FaultKind.RATE_LIMIT, None]

For benchmarks, ``python -m diplosum.testing --port 0 --latency 0.1`` serves in its own
process and prints the base URL as its first line of stdout; see :func:`run_in_subprocess`.
"""

from __future__ import annotations

import argparse
import contextlib
import enum
import hashlib
import json
import os
import re
import signal
import socket
import socketserver
import struct
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from functools import lru_cache
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Literal, cast

from ._segments import unnumber

__all__ = [
    "FakeOpenAIServer",
    "FaultKind",
    "FaultPlan",
    "RequestRecord",
    "ServerProcess",
    "fake_answer",
    "fake_segment_answer",
    "fingerprint",
    "main",
    "run_in_subprocess",
]


class FaultKind(enum.Enum):
    """What can go wrong with one request; error bodies have OpenAI's error shape."""

    RATE_LIMIT = "rate_limit"  # 429 with Retry-After: 0
    RATE_LIMIT_NO_HEADER = "rate_limit_no_header"  # 429 without Retry-After
    SERVER_500 = "server_500"
    BAD_GATEWAY_502 = "bad_gateway_502"
    UNAVAILABLE_503 = "unavailable_503"
    SLOW = "slow"  # a normal answer after slow_seconds: the client times out first
    RESET = "reset"  # headers and half the body, then the connection is reset
    TRUNCATED_JSON = "truncated_json"  # 200, the answer JSON cut in half
    SCHEMA_INVALID = "schema_invalid"  # 200, valid JSON: a required field missing, a bad enum
    UNGROUNDED_QUOTE = "ungrounded_quote"  # 200, one position quote not in the article
    EMPTY_CHOICES = "empty_choices"  # 200 with "choices": []


FaultSchedule = Callable[[int, str], FaultKind | None]
_ERRORS = {
    FaultKind.RATE_LIMIT: (429, "requests", "rate_limit_exceeded"),
    FaultKind.RATE_LIMIT_NO_HEADER: (429, "requests", "rate_limit_exceeded"),
    FaultKind.SERVER_500: (500, "server_error", "internal_error"),
    FaultKind.BAD_GATEWAY_502: (502, "server_error", "bad_gateway"),
    FaultKind.UNAVAILABLE_503: (503, "server_error", "service_unavailable"),
}


def fingerprint(article: str) -> str:
    """The article's SHA-256 hex digest (``Article.sha256`` of an untruncated article)."""
    return hashlib.sha256(article.encode("utf-8", "surrogatepass")).hexdigest()


class FaultPlan:
    """A deterministic fault schedule, called as ``plan(request_index, article)``.

    ``decide(request_index, article_fingerprint, article_call_number)`` chooses; the plan
    counts the calls for each article (0 for the first). :meth:`reset` forgets the counts.
    """

    def __init__(self, decide: Callable[[int, str, int], FaultKind | None]) -> None:
        self._decide = decide
        self._lock = threading.Lock()
        self._seen: dict[str, int] = {}

    def __call__(self, request_index: int, article: str) -> FaultKind | None:
        key = fingerprint(article)
        with self._lock:
            call = self._seen[key] = self._seen.get(key, -1) + 1
        return self._decide(request_index, key, call)

    def reset(self) -> None:
        """Forget how many calls each article has had."""
        with self._lock:
            self._seen.clear()

    @classmethod
    def every(cls, n: int, kind: FaultKind) -> FaultPlan:
        """Fault every ``n``-th request (request indexes n-1, 2n-1, ...) with ``kind``."""
        if n < 1:
            raise ValueError("n must be 1 or more")
        return cls(lambda index, _key, _call: kind if (index + 1) % n == 0 else None)

    @classmethod
    def sequence(cls, kinds: Iterable[FaultKind | None]) -> FaultPlan:
        """Per article: its k-th call gets ``kinds[k]``; later calls succeed."""
        seq = tuple(kinds)
        return cls(lambda _index, _key, call: seq[call] if call < len(seq) else None)

    @classmethod
    def random(cls, rate: float, kinds: Sequence[FaultKind] = (), seed: int = 0) -> FaultPlan:
        """Fault a share ``rate`` of calls with one of ``kinds`` (default: all), drawn from a
        hash of (seed, article, call number): the same whatever order requests arrive in."""
        choices = tuple(kinds or FaultKind)
        if not 0.0 <= rate <= 1.0:
            raise ValueError(f"rate must be within [0, 1], not {rate}")

        def decide(_index: int, key: str, call: int) -> FaultKind | None:
            digest = hashlib.blake2b(f"{seed}:{key}:{call}".encode(), digest_size=8).digest()
            if int.from_bytes(digest[:4], "big") / 2**32 >= rate:
                return None
            return choices[int.from_bytes(digest[4:], "big") % len(choices)]

        return cls(decide)


@dataclass(frozen=True, slots=True)
class RequestRecord:
    """One chat-completions request as the server saw it (never the token itself)."""

    index: int
    article_sha256: str
    fault: FaultKind | None
    authorized: bool  # whether a non-empty Bearer token was sent
    mode: Literal["tools", "json"]
    model: str


# --------------------------------------------------------------------------- the answer

_MONTHS = "January February March April May June July August September October November December"
_STOP = frozenset(
    f"{_MONTHS} Monday Tuesday Wednesday Thursday Friday Saturday Sunday A An And As At But By "
    "For From He Her His However If In It Its Mr Mrs Ms Dr Of On Or She So The Their There "
    "These They This Those To We When While With".split()
)
_SENTENCE = re.compile(r"\S[^.!?\n]*[.!?]*")
_CAPS = r"[A-Z][A-Za-z'-]+(?: [A-Z][A-Za-z'-]+)*"
_NAME = re.compile(rf"\b{_CAPS}")
_MEDIATOR = re.compile(rf"(?:mediated|hosted|brokered|facilitated) by (?:the )?({_CAPS})")
_VENUE = re.compile(rf"\bin ({_CAPS})")
_MONTH = _MONTHS.replace(" ", "|")
_DATE = re.compile(rf"\b(?:(?:{_MONTH}) \d{{1,2}}|\d{{1,2}} (?:{_MONTH}))\b")
_FAKE_ANSWER = re.compile(r"^FAKE-ANSWER: ?(.*?)\r?$", re.M)


def _clean(name: str, start: int) -> tuple[str, int] | None:
    """Drop leading stop words and a possessive; None when nothing is left."""
    words = name.split(" ")
    while words and words[0] in _STOP:
        start += len(words.pop(0)) + 1
    clean = " ".join(words).removesuffix("'s")
    return (clean, start) if len(clean) >= 2 else None


def fake_answer(article: str) -> dict[str, Any]:
    """The extraction the server answers for ``article``; every quote is a verbatim passage.

    Summary: the first sentence (200 chars at most). Mediators: names after "mediated /
    hosted / brokered / facilitated by". Parties: the first two other capitalised names.
    Venue: "in <Name>". Talks date: "<Month> <day>" or "<day> <Month>". Positions: one per
    sentence containing "said". Quotes: the sentence holding the item (300 chars at most).
    """
    spans = [(m.start(), m.end()) for m in _SENTENCE.finditer(article)]

    def quote_at(pos: int) -> str | None:
        start, end = next(((s, e) for s, e in spans if s <= pos < e), (pos, len(article)))
        start = pos if pos >= start + 300 else start
        quote = article[start : min(end, start + 300)].rstrip()
        return quote if len(quote.strip()) >= 4 else None

    def actor(name: str, pos: int) -> dict[str, Any] | None:
        quote = quote_at(pos)
        return {"name": name, "kind": "state", "quote": quote} if quote else None

    names = [c for m in _NAME.finditer(article) if (c := _clean(m.group(0), m.start()))]
    mediators: dict[str, dict[str, Any]] = {}
    for m in _MEDIATOR.finditer(article):
        found = _clean(m.group(1), m.start(1))
        if found and len(mediators) < 2 and (item := actor(*found)):
            mediators.setdefault(found[0].casefold(), item)
    venue: dict[str, Any] | None = None
    for m in _VENUE.finditer(article):
        found = _clean(m.group(1), m.start(1))
        if found and found[1] == m.start(1) and (quote := quote_at(found[1])):
            venue = {"city": found[0], "country": None, "site": None, "quote": quote}
            break
    taken = set(mediators) | ({venue["city"].casefold()} if venue else set())
    parties: dict[str, dict[str, Any]] = {}
    for name, pos in names:
        if len(parties) < 2 and name.casefold() not in taken and (item := actor(name, pos)):
            parties.setdefault(name.casefold(), item)
    positions: list[dict[str, Any]] = []
    for start, end in spans:
        who = next((n for n, p in names if start <= p < end), None)
        if who and " said" in article[start:end] and len(positions) < 5:
            stance = f"{who} made a public statement about the talks."
            if quote := quote_at(start):
                positions.append({"actor": who, "stance": stance, "quote": quote})
    date = _DATE.search(article)
    return {
        "summary": article[spans[0][0] : spans[0][1]][:200] if spans else "The article is empty.",
        "language": "en",
        "talks_status": "proposed",
        "mediators": list(mediators.values()),
        "parties": list(parties.values()),
        "venue": venue,
        "talks_date": {"text": date.group(0), "quote": date.group(0)} if date else None,
        "positions": positions,
    }


def fake_segment_answer(article: str, *, cite: bool = True) -> dict[str, Any]:
    """:func:`fake_answer` in the segment shape of ``extract-v2`` for ``article`` (the body).

    The same items, each citing the segment (:func:`diplosum._segments.split_segments`) its
    quote came from; with ``cite=False`` the ``extract-v2-align`` shape, where only positions
    cite a segment. Mediators and parties become actors with a role.
    """
    from ._segments import split_segments

    segments = split_segments(article)
    v1 = fake_answer(article)

    def seg(quote: str | None) -> int:
        pos = article.find(quote) if quote else -1
        return next((s.id for s in reversed(segments) if s.start <= pos), 1)

    def cited(item: dict[str, Any], **fields: Any) -> dict[str, Any]:
        return {**fields, "segments": [seg(item["quote"])]} if cite else fields

    actors = [
        cited(a, name=a["name"], role=role)
        for role, key in (("mediator", "mediators"), ("party", "parties"))
        for a in v1[key]
    ]
    venue = v1["venue"]
    if venue is not None:
        fields = {k: venue[k] for k in ("city", "country")}
        venue = {**fields, "segment": seg(venue["quote"])} if cite else fields
    date = v1["talks_date"]
    if date is not None:
        date = (
            {"text": date["text"], "segment": seg(date["quote"])}
            if cite
            else {"text": date["text"]}
        )
    positions = [
        {"actor": p["actor"], "speaker": None, "stance": p["stance"], "segment": seg(p["quote"])}
        for p in v1["positions"]
    ]
    return {
        "actors": actors,
        "venue": venue,
        "talks_date": date,
        "talks_status": v1["talks_status"],
        "positions": positions,
        "summary": v1["summary"],
        "language": v1["language"],
    }


def _shape(body: bytes) -> Literal["quotes", "cited", "named"]:
    """The answer shape a request asks for, read off the schema it carries."""
    if b"CitedActor" in body:
        return "cited"
    return "named" if b"NamedActor" in body else "quotes"


@lru_cache(maxsize=4096)
def _answer_json(article: str, shape: str = "quotes") -> str:
    match = _FAKE_ANSWER.search(article)
    if match:
        return match.group(1)
    if shape == "quotes":
        return json.dumps(fake_answer(article))
    return json.dumps(fake_segment_answer(article, cite=shape == "cited"))


def _article(messages: Any) -> tuple[str, int]:
    """The article in the last user message that has the markers (a re-ask adds one without),
    else the whole last user message; and the prompt's length in characters."""
    chars, user, article = 0, "", None
    for message in messages if isinstance(messages, list) else []:
        message = message if isinstance(message, dict) else {}
        content = message.get("content")
        if isinstance(content, list):  # content parts
            content = "".join(str(p.get("text", "")) for p in content if isinstance(p, dict))
        content = content if isinstance(content, str) else ""
        chars += len(content)
        if message.get("role") == "user":
            user = content
            start, end = content.find("<article>\n"), content.rfind("\n</article>")
            article = content[start + 10 : end] if 0 <= start <= end - 9 else article
    if article is not None:  # a segment prompt numbers the body: take the numbers out
        article = unnumber(article) or article
    return (user if article is None else article), chars


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
        self._send(_error(404, f"no GET {self.path}", "invalid_request_error", "not_found"))

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
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
    """

    def __init__(
        self,
        *,
        port: int = 0,
        latency: float = 0.0,
        faults: FaultSchedule | None = None,
        slow_seconds: float = 5.0,
        model: str = "fake-model",
    ) -> None:
        self.port, self.latency, self.faults = port, latency, faults
        self.slow_seconds, self.model = slow_seconds, model
        self._lock = threading.Lock()
        self._log: list[RequestRecord] = []
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

    def calls_for(self, article: str) -> list[RequestRecord]:
        """The logged requests about ``article``."""
        key = fingerprint(article)
        return [r for r in self.log if r.article_sha256 == key]

    def reset(self) -> None:
        """Empty the log (and the counter), and reset the fault plan's per-article counts."""
        with self._lock:
            self._log = []
        reset = getattr(self.faults, "reset", None)
        if callable(reset):
            reset()

    def _chat(self, authorization: str, body: bytes) -> _Reply | None:
        try:
            request = json.loads(body)
        except ValueError:
            request = None
        request = request if isinstance(request, dict) else {"messages": None, "_bad": True}
        article, prompt_chars = _article(request.get("messages"))
        tools = request.get("tools")
        model = str(request.get("model") or self.model)
        authorized = authorization.startswith("Bearer ") and bool(authorization[7:].strip())
        with self._lock:  # the index and the fault are decided in arrival order
            index = len(self._log)
            fault = self.faults(index, article) if self.faults is not None else None
            mode: Literal["tools", "json"] = "tools" if tools else "json"
            record = RequestRecord(index, fingerprint(article), fault, authorized, mode, model)
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


# --------------------------------------------------------------------------- own process


@dataclass(frozen=True, slots=True)
class ServerProcess:
    """A fake server running in its own process: its base URL and process id (for CPU probes)."""

    url: str
    pid: int


@contextlib.contextmanager
def run_in_subprocess(
    *,
    latency: float = 0.0,
    fault_rate: float = 0.0,
    fault_kinds: Sequence[FaultKind] = (),
    seed: int = 0,
    slow_seconds: float = 5.0,
    port: int = 0,
) -> Iterator[ServerProcess]:
    """Run the server in its own process (``python -m diplosum.testing``); yield its URL and pid.

    Faults there follow ``FaultPlan.random(fault_rate, fault_kinds, seed)``.
    """
    kinds = ",".join(k.value for k in fault_kinds)
    argv = [sys.executable, "-m", "diplosum.testing", f"--port={port}", f"--latency={latency}"]
    argv += [f"--fault-rate={fault_rate}", f"--fault-kinds={kinds}", f"--seed={seed}"]
    argv += [f"--slow-seconds={slow_seconds}"]
    root = str(Path(__file__).resolve().parent.parent)  # importable from a source checkout too
    path = os.pathsep.join(p for p in (root, os.environ.get("PYTHONPATH")) if p)
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, text=True, env={**os.environ, "PYTHONPATH": path}
    ) as proc:
        try:
            url = proc.stdout.readline().strip() if proc.stdout else ""
            if not url.startswith("http://"):
                raise RuntimeError(f"the fake server did not start (exit code {proc.poll()})")
            yield ServerProcess(url, proc.pid)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                proc.kill()


def main(argv: Sequence[str] | None = None) -> int:
    """``python -m diplosum.testing``: print the base URL, then serve until SIGTERM/SIGINT."""
    parser = argparse.ArgumentParser(
        prog="python -m diplosum.testing",
        description="A loopback fake OpenAI-compatible server; prints its base URL first.",
    )
    add = parser.add_argument
    add("--port", type=int, default=0, help="port on 127.0.0.1 (default 0: a free one)")
    add("--latency", type=float, default=0.0, help="seconds to wait before each completion")
    add("--fault-rate", type=float, default=0.0, help="share of faulted calls (FaultPlan.random)")
    kinds_help = "comma-separated fault kinds (default: all): " + ", ".join(
        k.value for k in FaultKind
    )
    add("--fault-kinds", default="", help=kinds_help)
    add("--seed", type=int, default=0, help="seed of the fault draws")
    add("--slow-seconds", type=float, default=5.0, help="how long a 'slow' answer takes")
    args = parser.parse_args(argv)
    try:
        kinds = [FaultKind(k.strip()) for k in args.fault_kinds.split(",") if k.strip()]
        plan = FaultPlan.random(args.fault_rate, kinds, args.seed) if args.fault_rate else None
    except ValueError as exc:
        parser.error(str(exc))
    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    options = {"port": args.port, "latency": args.latency, "slow_seconds": args.slow_seconds}
    with FakeOpenAIServer(faults=plan, **options) as server:
        print(server.base_url, flush=True)
        while not stop.wait(0.5):
            pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
