"""Dollar cost of token usage, from a price table the user can override.

Prices are US dollars per million tokens (input, output). Override or extend
the table with a JSON file ``{"openai/gpt-4o-mini": [0.15, 0.6], ...}`` named by
``DIPLOSUM_PRICES`` or passed to :func:`load_prices`. Local models cost nothing;
an unknown model's cost is ``None`` (unknown), never a guess.
"""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import ConfigurationError

if TYPE_CHECKING:
    from .schema import Usage

__all__ = ["PRICES", "cost_usd", "load_prices"]

#: USD per 1M tokens (input, output), list prices of OpenAI models (standard tier).
PRICES: dict[str, tuple[float, float]] = {
    "openai/gpt-4o-mini": (0.15, 0.60),
    "openai/gpt-4o": (2.50, 10.00),
    "openai/gpt-4.1": (2.00, 8.00),
    "openai/gpt-4.1-mini": (0.40, 1.60),
    "openai/gpt-4.1-nano": (0.10, 0.40),
    "openai/gpt-5": (1.25, 10.00),
    "openai/gpt-5-mini": (0.25, 2.00),
    "openai/gpt-5-nano": (0.05, 0.40),
}
_loaded_from: str | None = None


def load_prices(path: str | os.PathLike[str]) -> None:
    """Merge a JSON price file into :data:`PRICES`."""
    try:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise ConfigurationError(f"cannot read price file {path}: {exc}") from None
    if not isinstance(data, dict):
        raise ConfigurationError(
            f"price file {path}: expected an object of model -> [input, output]"
        )
    for model, pair in data.items():
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(x, (int, float)) for x in pair)
        ):
            raise ConfigurationError(
                f"price file {path}: {model!r} needs [input_usd_per_M, output_usd_per_M]"
            )
        PRICES[str(model)] = (float(pair[0]), float(pair[1]))


def _env_prices() -> None:
    global _loaded_from
    path = os.environ.get("DIPLOSUM_PRICES")
    if path and path != _loaded_from:
        load_prices(path)
        _loaded_from = path


def cost_usd(model: str, usage: Usage) -> float | None:
    """The cost of ``usage`` on ``model`` (``openai/gpt-4o-mini``), or None if unknown."""
    if model.startswith("local:"):
        return 0.0
    _env_prices()
    price = PRICES.get(model)
    if price is None:
        return None
    return round((usage.prompt_tokens * price[0] + usage.completion_tokens * price[1]) / 1e6, 8)
