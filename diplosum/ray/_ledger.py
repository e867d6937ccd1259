"""The run's spend ledger: one small Ray actor every summarising actor reports to, so that a
budget holds across all of them (see :class:`diplosum._batch.SharedSpend`)."""

from __future__ import annotations

from typing import Any

__all__ = ["Ledger", "new_ledger"]


class Ledger:
    """Dollars spent by the run's fresh model calls, as the actors report them."""

    def __init__(self) -> None:
        self.usd = 0.0

    def add(self, usd: float) -> float:
        self.usd += usd
        return self.usd

    def spent(self) -> float:
        return self.usd


def new_ledger() -> Any:
    """A new ledger actor (owned by the caller: it lives as long as the dataset that holds its
    handle), needing no CPU of its own."""
    import ray

    return ray.remote(num_cpus=0, max_restarts=0)(Ledger).remote()
