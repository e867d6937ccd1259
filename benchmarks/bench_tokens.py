"""Prompt tokens per article spent on instructions and schema (issue 8, item 6).

For each instructor mode diplosum can use (``tools``, ``json``, ``json_schema``,
``json_grammar``) one article is summarised through a ``Summariser`` whose injected OpenAI
client records the exact request body the fake server receives (an ``httpx2`` request hook).
The body is split into:

* **system prompt**: diplosum's own instructions (``prompts/<version>.toml``, ``system``);
* **schema in the prompt**: what instructor adds to the messages (JSON modes: the schema and
  its wrapper text appended to the system message) plus, in ``tools`` mode, the tool
  definition (``tools`` + ``tool_choice``), which OpenAI renders into the prompt;
* **user template**: the user message minus the article (publication date, headline, markers);
* **article**: the article text itself;
* **response_format schema**: ``response_format`` carrying the JSON schema (``json_grammar``,
  ``json_schema``). On llama.cpp it becomes a sampling grammar, not prompt text, so it is
  reported apart (OpenAI's structured outputs also bill some of it: not estimated here).

instructor pretty-prints the schema it appends in JSON modes (``indent=2``, and an indented
wrapper): the table also shows what the same text would cost serialised compactly.

Tokens are estimated offline as characters / 4 (no tokenizer download; real BPE counts for
English prose are close to this, JSON schemas tokenize somewhat denser). Overhead = everything
but the article.

The re-ask rate on the dev corpus with the local model is not measured here (it needs the local
model): the lead fills that row of the README table.

    python benchmarks/bench_tokens.py
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import Any

import _common as c

MODES = ("tools", "json", "json_schema", "json_grammar")


def tokens(chars: int) -> int:
    """The offline estimate used throughout: ceil(chars / 4)."""
    return math.ceil(chars / 4)


def capture(url: str, mode: str, article: Any) -> dict[str, Any]:
    """The JSON body of the first chat request diplosum sends for ``article`` in ``mode``."""
    import httpx2
    import openai

    from diplosum import Summariser

    bodies: list[dict[str, Any]] = []

    def hook(request: Any) -> None:
        if request.url.path.endswith("/chat/completions"):
            bodies.append(json.loads(request.read()))

    http = httpx2.Client(event_hooks={"request": [hook]})
    client = openai.OpenAI(base_url=url, api_key="bench", max_retries=0, http_client=http)
    # extract-v1: the prompt whose schema overhead this measures (extract-v2 numbers its
    # segments and sends no schema in the prompt; see the README's Evaluation section).
    s = Summariser(
        model="bench", base_url=url, client=client, mode=mode, cache=None, prompt="extract-v1"
    )
    s.summarise_article(article)
    http.close()
    return bodies[0]


def split(body: dict[str, Any], article: Any, system_prompt: str) -> dict[str, int]:
    """Characters of each part of the request (see the module docstring)."""
    messages = body["messages"]
    system = "".join(
        m["content"]
        for m in messages
        if m["role"] == "system" and isinstance(m.get("content"), str)
    )
    user = "".join(
        m["content"] for m in messages if m["role"] == "user" and isinstance(m.get("content"), str)
    )
    if system_prompt not in system:
        raise SystemExit("diplosum's system prompt is not in the request: cannot split it")
    tool_chars = (
        len(json.dumps(body["tools"])) + len(json.dumps(body.get("tool_choice", "")))
        if body.get("tools")
        else 0
    )
    rf = body.get("response_format")
    has_schema = isinstance(rf, dict) and ("schema" in rf or "json_schema" in rf)
    grammar = len(json.dumps(rf)) if has_schema else 0
    added = system[system.index(system_prompt) + len(system_prompt) :]
    compact = tool_chars
    if "{" in added:  # instructor's JSON-mode text: wrapper + indent=2 schema + wrapper
        start = added.index("{")
        schema, end = json.JSONDecoder().raw_decode(added, start)
        squeeze = " ".join(added[:start].split()) + " " + " ".join(added[end:].split())
        compact += len(squeeze) + len(json.dumps(schema, separators=(",", ":")))
    if article.text not in user:
        raise SystemExit("the article is not in the user message verbatim")
    return {
        "system_prompt": len(system_prompt),
        "schema_in_prompt": len(system) - len(system_prompt) + tool_chars,
        "user_template": len(user) - len(article.text),
        "article": len(article.text),
        "grammar_constraint": grammar,
        "schema_in_prompt_if_compact": compact,
        "messages": len(messages),
        "body_bytes": len(json.dumps(body).encode()),
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="(no effect: this one is quick)")
    ap.parse_args()
    from diplosum._article import read_article
    from diplosum._prompt import load_prompt

    info = c.machine()
    prompt = load_prompt("extract-v1")
    examples = sorted(p for p in (c.ROOT / "examples").iterdir() if p.is_file())
    arts = [read_article(p) for p in examples] or c.articles(5)
    mean_article = sum(len(a.text) for a in arts) / len(arts)
    results: dict[str, Any] = {}
    bodies: dict[str, Any] = {}
    with c.fake_server(latency=0.0) as server:
        for mode in MODES:
            parts = [split(capture(server.url, mode, a), a, prompt.system) for a in arts]
            first = parts[0]
            overhead = first["system_prompt"] + first["schema_in_prompt"] + first["user_template"]
            results[mode] = {
                "chars": first,
                "tokens": {
                    "system_prompt": tokens(first["system_prompt"]),
                    "schema_in_prompt": tokens(first["schema_in_prompt"]),
                    "schema_in_prompt_if_compact": tokens(first["schema_in_prompt_if_compact"]),
                    "user_template": tokens(first["user_template"]),
                    "overhead": tokens(overhead),
                    "article_mean_examples": tokens(round(mean_article)),
                    "grammar_constraint_not_prompt": tokens(first["grammar_constraint"]),
                },
                "overhead_constant_across_examples": len(
                    {p["system_prompt"] + p["schema_in_prompt"] for p in parts}
                )
                == 1,
                "overhead_share_for_mean_example": overhead / (overhead + mean_article),
            }
            bodies[mode] = capture(server.url, mode, arts[0])
    rows = []
    for mode, r in results.items():
        t = r["tokens"]
        rows.append(
            [
                mode,
                t["system_prompt"],
                t["schema_in_prompt"],
                t["schema_in_prompt_if_compact"],
                t["user_template"],
                t["overhead"],
                t["article_mean_examples"],
                f"{r['overhead_share_for_mean_example'] * 100:.0f}%",
                t["grammar_constraint_not_prompt"] or "–",
            ]
        )
    print(f"\nPrompt tokens per article by mode (estimate: chars / 4), prompt {prompt.version}\n")
    print(
        c.table(
            [
                "mode",
                "system prompt",
                "schema in prompt",
                "same schema, compact JSON",
                "user template",
                "overhead total",
                "article (mean of examples/)",
                "overhead share",
                "response_format schema (not prompt text on llama.cpp)",
            ],
            rows,
        )
    )
    print("\nre-ask rate on the dev corpus with the local model: not measured here (lead)")
    out = Path(c.RESULTS)
    out.mkdir(parents=True, exist_ok=True)
    (out / "tokens_request_bodies.json").write_text(
        json.dumps(bodies, indent=2) + "\n", encoding="utf-8"
    )
    path = c.write_results(
        "tokens",
        {
            "machine": info,
            "estimator": "ceil(chars / 4) over message contents; tools and response_format as compact JSON",
            "prompt_version": prompt.version,
            "prompt_hash": prompt.hash,
            "examples": [str(p.relative_to(c.ROOT)) for p in examples],
            "modes": results,
            "reask_rate_local_dev_corpus": None,
        },
    )
    print(f"\nwrote {path} (and the captured bodies in results/tokens_request_bodies.json)")


if __name__ == "__main__":
    main()
