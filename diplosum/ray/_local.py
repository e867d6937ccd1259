"""Local models at scale: one llama.cpp server per node, shared by that node's actors.

A node's server is held by one host actor pinned to that node (``NodeAffinitySchedulingStrategy``,
created by the driver for every alive node with CPUs). The summarising actors on the node ask
their host for the server's base URL; the host starts the server on the first request
(:func:`diplosum.local.shared_server`: weights joined and checked, llama.cpp on loopback) and
keeps it for the run. llama.cpp serves one request at a time and uses the node's cores, so the
summarising actors of a local model ask for :data:`LOCAL_ACTOR_CPUS` each: they only wait.
A node with no host (one that joined later) starts a server of its own in its first actor.
"""

from __future__ import annotations

from typing import Any

__all__ = ["LOCAL_ACTOR_CPUS", "LocalModelHost", "endpoint_for_node", "node_hosts"]

#: CPUs a summarising actor of a local model asks for (the node's server has the cores).
LOCAL_ACTOR_CPUS = 0.25


class LocalModelHost:
    """Holds one node's llama.cpp server for a local model spec (``local:ALIAS``)."""

    def __init__(self, model: str) -> None:
        self.model = model
        self._url: str | None = None

    def base_url(self) -> str:
        """The server's base URL, starting it on first use (restarted if it died)."""
        from ..local import shared_server
        from ..providers import LOCAL_CONTEXT

        alias = self.model.partition(":")[2]
        server = shared_server(alias or "", n_ctx=LOCAL_CONTEXT)
        self._url = server.base_url
        return self._url


def node_hosts(model: str) -> dict[str, Any]:
    """One :class:`LocalModelHost` per alive node with CPUs, by node id."""
    import ray
    from ray.util.scheduling_strategies import NodeAffinitySchedulingStrategy

    hosts: dict[str, Any] = {}
    remote = ray.remote(num_cpus=0, max_restarts=-1)(LocalModelHost)
    cluster: Any = ray  # ray.nodes() is not annotated
    for node in cluster.nodes():
        if not node.get("Alive") or not node.get("Resources", {}).get("CPU"):
            continue
        node_id = node["NodeID"]
        strategy = NodeAffinitySchedulingStrategy(node_id=node_id, soft=False)
        hosts[node_id] = remote.options(scheduling_strategy=strategy).remote(model)
    return hosts


def endpoint_for_node(hosts: dict[str, Any], node_id: str) -> str | None:
    """The base URL of ``node_id``'s shared server, or None if the node has no host."""
    import ray

    host = hosts.get(node_id)
    if host is None:
        return None
    return str(ray.get(host.base_url.remote()))
