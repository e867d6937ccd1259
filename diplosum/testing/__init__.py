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

It also serves the Files and Batches APIs (``/v1/files``, ``/v1/batches``: upload, create,
retrieve, list, cancel, output and error files), each batch following a scripted sequence of
states (:class:`BatchScript`: completed, failed, expired with partial output, error lines); its
requests are answered like direct ones (``server.batch_api``, ``RequestRecord.batch``).

For benchmarks, ``python -m diplosum.testing --port 0 --latency 0.1`` serves in its own
process and prints the base URL as its first line of stdout; see :func:`run_in_subprocess`.
"""

from __future__ import annotations

from ._answers import fake_answer, fake_segment_answer
from ._batches import BatchScript
from ._faults import FaultKind, FaultPlan, RequestRecord, fingerprint
from ._process import ServerProcess, main, run_in_subprocess
from ._server import FakeOpenAIServer

__all__ = [
    "BatchScript",
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
