"""A scripted OpenAI endpoint on httpx2.MockTransport: replies in order, records requests."""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import httpx2
import openai

Reply = (
    dict[str, Any]
    | int
    | str
    | tuple[int, dict[str, str]]
    | Callable[[httpx2.Request], httpx2.Response]
)


def completion(payload: dict[str, Any] | str, *, tools: bool) -> dict[str, Any]:
    """A chat completion carrying ``payload`` as a tool call (TOOLS mode) or as content."""
    args = payload if isinstance(payload, str) else json.dumps(payload)
    if tools:
        message: dict[str, Any] = {
            "role": "assistant",
            "content": None,
            "tool_calls": [
                {
                    "id": "call_1",
                    "type": "function",
                    "function": {"name": "Extraction", "arguments": args},
                }
            ],
        }
    else:
        message = {"role": "assistant", "content": args}
    return {
        "id": "chatcmpl-test",
        "object": "chat.completion",
        "created": 0,
        "model": "gpt-4o-mini",
        "choices": [{"index": 0, "finish_reason": "stop", "message": message}],
        "usage": {"prompt_tokens": 100, "completion_tokens": 20, "total_tokens": 120},
    }


class ScriptedEndpoint:
    """Answers each request with the next reply of the script.

    A reply is an extraction dict (sent as the model's answer), a raw string (sent
    as the model's text), an HTTP status (an error body), ``(status, headers)``,
    or a function of the request.
    """

    def __init__(self, *script: Reply, tools: bool = True) -> None:
        self.script = list(script)
        self.tools = tools
        self.requests: list[dict[str, Any]] = []

    def __call__(self, request: httpx2.Request) -> httpx2.Response:
        self.requests.append(json.loads(request.content))
        if not self.script:
            raise AssertionError("the scripted endpoint ran out of replies")
        reply = self.script.pop(0)
        if callable(reply):
            return reply(request)
        if isinstance(reply, int):
            reply = (reply, {})
        if isinstance(reply, tuple):
            status, headers = reply
            body = {
                "error": {"message": f"scripted {status}", "type": "server_error", "code": None}
            }
            return httpx2.Response(status, json=body, headers=headers)
        return httpx2.Response(200, json=completion(reply, tools=self.tools))

    def client(self) -> openai.OpenAI:
        return openai.OpenAI(
            api_key="sk-test-not-a-real-key",
            base_url="https://api.openai.com/v1",
            http_client=httpx2.Client(transport=httpx2.MockTransport(self)),
            max_retries=0,
        )

    def async_client(self) -> openai.AsyncOpenAI:
        return openai.AsyncOpenAI(
            api_key="sk-test-not-a-real-key",
            base_url="https://api.openai.com/v1",
            http_client=httpx2.AsyncClient(transport=httpx2.MockTransport(self)),
            max_retries=0,
        )

    def user_messages(self, n: int) -> list[str]:
        """The contents of every message of request ``n`` (0-based)."""
        return [str(m.get("content")) for m in self.requests[n]["messages"]]
