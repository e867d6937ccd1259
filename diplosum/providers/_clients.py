"""The life of one summariser's clients: built on first use, rebuilt per event loop, closed.

A :class:`Clients` holds the sync and the async instructor client over either the OpenAI SDK
clients it creates for the endpoint (SDK retries off, loopback never proxied) or the ones the
caller injected. Nothing connects before the first request. The async client belongs to the
event loop it was built on: ``asyncio.run`` per batch gets a fresh one (an injected async
client is the caller's to manage). Only clients it created are closed.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import ConfigurationError
from ..retry import RetryPolicy
from ._client import build_instructor, make_openai_client
from ._endpoint import endpoint_base_url
from ._spec import Mode, ModelSpec

if TYPE_CHECKING:
    import openai

__all__ = ["Clients"]


class Clients:
    """The instructor clients of one configuration (see the module docstring).

    ``mode`` is the instructor mode to run in, ``compact`` the response model's JSON schema
    when it is to be sent compactly (JSON modes only).
    """

    def __init__(
        self,
        spec: ModelSpec,
        *,
        api_key: str | None,
        timeout: float,
        retry: RetryPolicy,
        mode: Mode,
        compact: dict[str, Any] | None = None,
        client: openai.OpenAI | None = None,
        async_client: openai.AsyncOpenAI | None = None,
    ) -> None:
        self.spec = spec
        self.api_key = api_key
        self.timeout = timeout
        self.retry = retry
        self.mode: Mode = mode
        self.compact = compact
        self._injected = client
        self._injected_async = async_client
        self._sync: Any = None
        self._async: Any = None
        self._owned: Any = None
        self._owned_async: Any = None
        self._loop: asyncio.AbstractEventLoop | None = None

    @property
    def sync_only(self) -> bool:
        """Whether only a sync client was injected (async calls then run it in a thread)."""
        return self._injected is not None and self._injected_async is None

    def start(self) -> str | None:
        """Make the endpoint ready now (for a local model: join the weights, start the server);
        its base URL."""
        return endpoint_base_url(self.spec)

    def sync(self) -> Any:
        """The sync instructor client, built on first use."""
        if self._sync is None:
            if self._injected is None and self._injected_async is not None:
                raise ConfigurationError("only an async_client was injected: use asummarise()")
            raw = self._injected or make_openai_client(
                self.spec,
                base_url=self.start(),
                api_key=self.api_key,
                timeout=self.timeout,
                is_async=False,
            )
            self._owned = None if self._injected is not None else raw
            self._sync = build_instructor(raw, self.mode, self.retry, self.compact)
        return self._sync

    def raw(self) -> Any:
        """The sync OpenAI SDK client under :meth:`sync` (the Files and Batches APIs use it)."""
        self.sync()
        return self._injected or self._owned

    def over(self, create: Callable[..., Any]) -> Any:
        """A sync instructor client like :meth:`sync`'s whose requests go to ``create`` instead
        (same mode, schema and retry layers: the Batch API replays its answers through it)."""
        return build_instructor(self._injected, self.mode, self.retry, self.compact, create=create)

    async def async_(self) -> Any:
        """The async instructor client of the running event loop, built on first use there."""
        loop = asyncio.get_running_loop()

        def needed() -> bool:  # none yet, or ours was built on another (finished) loop
            owned = self._injected_async is None
            return self._async is None or (owned and self._loop is not loop)

        if needed():
            # Resolving the base URL may start the local server: keep it off the event loop.
            base_url = await asyncio.to_thread(self.start)
            if needed():
                raw = self._injected_async or make_openai_client(
                    self.spec,
                    base_url=base_url,
                    api_key=self.api_key,
                    timeout=self.timeout,
                    is_async=True,
                )
                self._owned_async = None if self._injected_async is not None else raw
                self._async = build_instructor(raw, self.mode, self.retry, self.compact)
                self._loop = loop
        return self._async

    def close(self) -> None:
        """Close the sync HTTP client created here (an injected one is left open)."""
        if self._owned is not None:
            self._owned.close()
        self._owned = self._sync = None

    async def aclose(self) -> None:
        """Close the async HTTP client created here for the running loop."""
        if self._owned_async is not None:
            await self._owned_async.close()
        self._owned_async = self._async = self._loop = None
