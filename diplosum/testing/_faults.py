"""Faults of the fake server: what can go wrong with a request, and deterministic schedules."""

from __future__ import annotations

import enum
import hashlib
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Literal


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
    batch: bool = False  # answered for a Batch API batch, not over HTTP
