"""Dollar cost of token usage, from a price table passed as a value.

Prices are US dollars per million tokens (input, output). :data:`PRICES` holds OpenAI's list
prices and is never changed; a :class:`~diplosum.Summariser` prices with its own table
(``prices=``), by default :func:`default_prices`: the list prices overridden and extended by
the JSON file ``{"openai/gpt-4o-mini": [0.15, 0.6], ...}`` named by ``DIPLOSUM_PRICES``
(``diplosum summarise --prices FILE`` adds its own file on top). Local models cost nothing; an
unknown model's cost is ``None`` (unknown), never a guess.

Answers of a provider's Batch API have prices of their own, under the model's label with
:data:`BATCH_SUFFIX` (``"openai/gpt-4o-mini@batch"``), listed explicitly for each model (for
OpenAI, half the standard price) and overridable in the same JSON file.
"""

from __future__ import annotations

import json
import os
from collections.abc import Mapping
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING

from .errors import ConfigurationError

if TYPE_CHECKING:
    from ._schema import Usage

__all__ = [
    "BATCH_SUFFIX",
    "PRICES",
    "Prices",
    "batch_label",
    "cost_usd",
    "default_prices",
    "read_prices",
]

#: A price table: model label -> (USD per 1M input tokens, USD per 1M output tokens).
Prices = Mapping[str, tuple[float, float]]

#: USD per 1M tokens (input, output), list prices of OpenAI models (standard tier).
PRICES: Prices = MappingProxyType(
    {
        "openai/gpt-4o-mini": (0.15, 0.60),
        "openai/gpt-4o": (2.50, 10.00),
        "openai/gpt-4.1": (2.00, 8.00),
        "openai/gpt-4.1-mini": (0.40, 1.60),
        "openai/gpt-4.1-nano": (0.10, 0.40),
        "openai/gpt-5": (1.25, 10.00),
        "openai/gpt-5-mini": (0.25, 2.00),
        "openai/gpt-5-nano": (0.05, 0.40),
        # The Batch API (results within 24 h): 50 % of the standard prices above.
        "openai/gpt-4o-mini@batch": (0.075, 0.30),
        "openai/gpt-4o@batch": (1.25, 5.00),
        "openai/gpt-4.1@batch": (1.00, 4.00),
        "openai/gpt-4.1-mini@batch": (0.20, 0.80),
        "openai/gpt-4.1-nano@batch": (0.05, 0.20),
        "openai/gpt-5@batch": (0.625, 5.00),
        "openai/gpt-5-mini@batch": (0.125, 1.00),
        "openai/gpt-5-nano@batch": (0.025, 0.20),
    }
)

#: Appended to a model's label for its Batch API prices.
BATCH_SUFFIX = "@batch"


def batch_label(model: str) -> str:
    """The price-table key of ``model``'s Batch API prices."""
    return model + BATCH_SUFFIX


def read_prices(path: str | os.PathLike[str]) -> dict[str, tuple[float, float]]:
    """The prices in a JSON file ``{"MODEL": [usd_per_M_in, usd_per_M_out], ...}``."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read price file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"price file {path}: expected an object of model -> [input, output]"
        )
    prices: dict[str, tuple[float, float]] = {}
    for model, pair in data.items():
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(x, (int, float)) for x in pair)
        ):
            raise ConfigurationError(
                f"price file {path}: {model!r} needs [input_usd_per_M, output_usd_per_M]"
            )
        prices[str(model)] = (float(pair[0]), float(pair[1]))
    return prices


def default_prices() -> dict[str, tuple[float, float]]:
    """:data:`PRICES` with the file named by ``DIPLOSUM_PRICES`` (if set) on top."""
    path = os.environ.get("DIPLOSUM_PRICES")
    return {**PRICES, **(read_prices(path) if path else {})}


def cost_usd(
    model: str, usage: Usage, prices: Prices | None = None, *, batch: bool = False
) -> float | None:
    """The cost of ``usage`` on ``model`` (``openai/gpt-4o-mini``) under ``prices`` (default:
    :func:`default_prices`), or None if the model's price is unknown; ``batch``: at the
    model's Batch API prices (None if those are unknown)."""
    if model.startswith("local:"):
        return 0.0
    key = batch_label(model) if batch else model
    price = (prices if prices is not None else default_prices()).get(key)
    if price is None:
        return None
    return round((usage.prompt_tokens * price[0] + usage.completion_tokens * price[1]) / 1e6, 8)
