"""``diplosum summarise --dry-run``: what a run would send, with cache hits, estimated tokens
and cost; nothing is called."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from ..errors import ArticleError

__all__ = ["dry_run"]


def dry_run(args: argparse.Namespace, summariser: Any) -> int:
    """List what a run would send, with cache hits and estimated tokens and cost; call nothing."""
    from .._budget import REQUEST_EXTRA_TOKENS, estimate_tokens, fit
    from .._inputs import iter_articles
    from .._schema import Usage

    # The prompt around the article, and what a request adds to it (the schema, the template).
    overhead = estimate_tokens(json.dumps(summariser.prompt.render(""))) + REQUEST_EXTRA_TOKENS
    n = hits = errors = tokens_in = 0
    own = [args.output] if getattr(args, "output", None) else []
    for art in iter_articles(args.paths, exclude=own):  # -o is not an input
        if isinstance(art, ArticleError):
            errors += 1
            print(json.dumps({"source": art.source, "status": "error", "error": art.reason}))
            continue
        n += 1
        hit = summariser.lookup(art) is not None
        hits += hit
        text, _ = fit(art.text, summariser.max_input_tokens)
        est = 0 if hit else overhead + estimate_tokens(text)
        tokens_in += est
        print(
            json.dumps(
                {"id": art.id, "source": art.source, "cached": hit, "estimated_prompt_tokens": est}
            )
        )
    est_out = (n - hits) * summariser.max_tokens // 2
    usage = Usage(prompt_tokens=tokens_in, completion_tokens=est_out)
    cost = summariser.cost(usage)
    cost_text = "unknown" if cost is None else f"${cost:.4f}"
    if getattr(args, "batch_api", False):  # README: Batch API
        from .._pricing import cost_usd

        batch = cost_usd(summariser.spec.label, usage, summariser.prices, batch=True)
        cost_text += " direct, " + ("unknown" if batch is None else f"${batch:.4f}")
        cost_text += " through the Batch API"
    print(
        f"diplosum: dry run: {n} articles, {hits} cached, {n - hits} to send, {errors} unreadable; "
        f"about {tokens_in:,} prompt + {est_out:,} output tokens, {cost_text}",
        file=sys.stderr,
    )
    return 0 if errors == 0 else 1
