"""diplosum.ray on a local Ray cluster (2 CPUs, loopback only) against the loopback fake server:
the same summaries as the default engine, a killed actor, one cache for all workers, a budget
shared by the workers, one local-model server per node. Skipped without Ray (the [ray] extra).

One ``ray.init`` for the whole module (about 10 s): the tests share the cluster."""

from __future__ import annotations

import json
import logging
import os
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

# Before Ray is imported: no usage report, and a local cluster on loopback (Ray would otherwise
# bind the machine's own address).
os.environ.setdefault("RAY_DISABLE_USAGE_STATS", "1")
os.environ.setdefault("RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER", "0")

pytest.importorskip(
    "ray.data", reason="Ray is not installed: pip install -e '.[ray]' (the ray extra)"
)

import ray

from diplosum import Summariser
from diplosum._batch import summarise_many
from diplosum._cache import open_cache
from diplosum.cli import run as cli_run
from diplosum.ray import record_schema, summarise_dataset, to_record
from diplosum.testing import FakeOpenAIServer
from tests.test_cache_backends import pg_url  # noqa: F401  (the fixture: a fresh schema)

pytestmark = [
    pytest.mark.filterwarnings("ignore::DeprecationWarning"),
    # Ray Data's note that a one-block input cannot keep every actor of the pool busy.
    pytest.mark.filterwarnings("ignore:The minimum number of concurrent actors:UserWarning"),
]


def article(n: int) -> str:
    """A small synthetic article whose body is unique to ``n``."""
    return (
        f"Qatar offered to host talks between Sudan and Chad in Doha on March {1 + n % 28}. "
        f"The Sudanese minister said Sudan wants a ceasefire first (item {n})."
    )


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    """One local Ray cluster for the module: 2 CPUs, no dashboard, a small object store."""
    ray.init(
        num_cpus=2,
        include_dashboard=False,
        object_store_memory=150 * 2**20,
        log_to_driver=False,
        logging_level=logging.ERROR,
    )
    context = ray.data.DataContext.get_current()
    context.enable_progress_bars = False
    context.print_on_execution_start = False
    logging.getLogger("ray.data").setLevel(logging.ERROR)
    yield ray
    ray.shutdown()


@pytest.fixture(scope="module")
def server() -> Iterator[FakeOpenAIServer]:
    with FakeOpenAIServer() as srv:
        yield srv


@pytest.fixture(autouse=True)
def _fresh_server(server: FakeOpenAIServer) -> None:
    server.reset()
    server.latency = 0.0
    server.faults = None


def options(server: FakeOpenAIServer, **kw: Any) -> dict[str, Any]:
    return {"model": "fake", "base_url": server.base_url, "api_key": "test", **kw}


def rows(path: Path) -> dict[str, dict[str, Any]]:
    """An output file's records by id, without the one field that differs run to run."""
    out: dict[str, dict[str, Any]] = {}
    for line in path.read_text().splitlines():
        rec = json.loads(line)
        rec.pop("latency_s")
        assert rec["id"] not in out, f"{rec['id']} written twice"
        out[rec["id"]] = rec
    return out


def test_cli_engine_ray_writes_the_default_engines_output(
    cluster: Any, server: FakeOpenAIServer, tmp_path: Path
) -> None:
    """2,000 articles: --engine ray with 2 workers writes the records the default engine
    writes (every field but the latency), each article once; a re-run resumes (nothing to do)."""
    src = tmp_path / "news.jsonl"
    with src.open("w") as fh:
        for n in range(2000):
            fh.write(json.dumps({"id": f"a{n}", "text": article(n), "published": "2026-01-05"}))
            fh.write("\n")
    base = ["summarise", str(src), "-m", "fake", "--base-url", server.base_url, "-q", "-j", "16"]
    one, two = tmp_path / "default.jsonl", tmp_path / "ray.jsonl"
    assert cli_run([*base, "--no-cache", "-o", str(one)]) == 0
    assert server.requests == 2000
    server.reset()
    ray_args = ["--engine", "ray", "--workers", "2", "--cache", str(tmp_path / "c.db")]
    assert cli_run([*base, *ray_args, "-o", str(two)]) == 0
    assert server.requests == 2000
    default, on_ray = rows(one), rows(two)
    assert len(default) == 2000 and all(r["status"] == "ok" for r in default.values())
    assert default == on_ray
    assert cli_run([*base, *ray_args, "-o", str(two)]) == 0  # resumed: all kept
    assert server.requests == 2000 and len(rows(two)) == 2000


def test_summarise_dataset_from_pandas_with_columns(cluster: Any, server: FakeOpenAIServer) -> None:
    """Any source: a pandas frame with id, published and headline columns; the rows have the
    fields of an output line, the summaries are the default engine's, a bad row is an error
    record."""
    import pandas as pd

    frame = pd.DataFrame(
        {
            "doc": [f"d{n}" for n in range(40)] + ["empty"],
            "body": [article(n) for n in range(40)] + ["   "],
            "day": ["2026-02-03"] * 41,
            "title": [f"Talks {n}" for n in range(41)],
        }
    )
    # Three blocks, made in the driver (a repartition would need a CPU the two actors hold).
    ds = ray.data.from_pandas([frame[:14], frame[14:28], frame[28:]])
    out = summarise_dataset(
        ds,
        text_column="body",
        id_column="doc",
        published_column="day",
        headline_column="title",
        workers=2,
        concurrency=4,
        batch_size=16,
        **options(server),
    )
    got = out.take_all()
    assert out.schema().names == record_schema().names
    records = {r.id: r for r in map(to_record, got)}
    assert len(got) == 41 and set(records) == {*(f"d{n}" for n in range(40)), "empty"}
    assert records["empty"].status == "error" and records["empty"].error is not None
    assert "empty" in records["empty"].error.message
    s = Summariser(**options(server))
    expected = {
        r.id: r.summary_json
        for r in summarise_many(
            [
                {
                    "id": f"d{n}",
                    "text": article(n),
                    "published": "2026-02-03",
                    "headline": f"Talks {n}",
                }
                for n in range(40)
            ],
            s,
        )
    }
    assert {k: v.summary_json for k, v in records.items() if k != "empty"} == expected
    assert records["d1"].summary is not None and records["d1"].summary.headline == "Talks 1"


class _Registry:
    """Where each summarising actor leaves its handle when it starts (a named actor)."""

    def __init__(self) -> None:
        self.handles: list[Any] = []

    def add(self, handle: Any) -> None:
        self.handles.append(handle)

    def get(self) -> list[Any]:
        return self.handles


def _register() -> None:
    registry = ray.get_actor("diplosum-test-registry")
    ray.get(registry.add.remote(ray.get_runtime_context().current_actor))


def test_a_killed_actor_loses_no_article_and_writes_none_twice(
    cluster: Any, server: FakeOpenAIServer, tmp_path: Path
) -> None:
    """ray.kill of an actor mid-batch: Ray restarts it and retries its batch; every article
    comes out exactly once (no deduplication needed downstream), all ok."""
    registry = ray.remote(num_cpus=0)(_Registry).options(name="diplosum-test-registry").remote()
    server.latency = 0.02
    ds = ray.data.from_items(
        [{"id": f"k{n}", "text": article(n)} for n in range(1000)], override_num_blocks=20
    )
    out = summarise_dataset(
        ds,
        id_column="id",
        workers=2,
        concurrency=4,
        batch_size=50,
        cache=tmp_path / "kill.db",
        actor_setup=_register,
        **options(server),
    )
    got: list[dict[str, Any]] = []
    killed = threading.Event()

    def kill_one_mid_batch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            handles = ray.get(registry.get.remote())
            if len(handles) >= 2 and server.requests >= 150:
                ray.kill(handles[0], no_restart=False)
                killed.set()
                return
            time.sleep(0.05)

    killer = threading.Thread(target=kill_one_mid_batch, daemon=True)
    killer.start()
    for batch in out.iter_batches(batch_format="pyarrow", batch_size=None):
        got += batch.to_pylist()
    killer.join()
    assert killed.is_set()
    assert len(ray.get(registry.get.remote())) >= 3  # the killed actor was started again
    ids = [r["id"] for r in got]
    assert len(ids) == 1000 and set(ids) == {f"k{n}" for n in range(1000)}
    assert all(r["status"] == "ok" for r in got)
    ray.kill(registry)


@pytest.fixture(params=["sqlite", "postgresql"])
def shared_cache(request: pytest.FixtureRequest, tmp_path: Path) -> str:
    """A cache spec: a SQLite file, or a fresh schema of the test PostgreSQL server (skipped,
    saying why, when none is configured: DIPLOSUM_TEST_POSTGRES)."""
    if request.param == "sqlite":
        return str(tmp_path / "shared.db")
    url: str = request.getfixturevalue("pg_url")
    return url


def test_workers_share_one_cache(cluster: Any, server: FakeOpenAIServer, shared_cache: str) -> None:
    """Two workers write one cache at once (SQLite in WAL mode; PostgreSQL with upserts): every
    answer is stored, none lost; a second run is served from it entirely, by both workers."""
    path = shared_cache
    ds = ray.data.from_items(
        [{"id": f"c{n}", "text": article(n)} for n in range(300)], override_num_blocks=6
    )
    kw = {"id_column": "id", "workers": 2, "concurrency": 8, "batch_size": 50, "cache": path}
    first = [to_record(r) for r in summarise_dataset(ds, **kw, **options(server)).take_all()]
    assert all(r.ok and not r.cached for r in first) and server.requests == 300
    with open_cache(path) as cache:
        assert cache.stats().entries == 300
    second = [to_record(r) for r in summarise_dataset(ds, **kw, **options(server)).take_all()]
    assert all(r.ok and r.cached for r in second) and server.requests == 300
    assert {r.id: r.summary_json for r in first} == {r.id: r.summary_json for r in second}


def test_budget_holds_across_workers(
    cluster: Any, server: FakeOpenAIServer, tmp_path: Path
) -> None:
    """--budget with --engine ray: the workers share one ledger, so the run stops (exit 3) once
    the spend of all of them reaches the budget, overshooting by at most the calls in flight
    (workers x -j); every article is in the output once, the rest as BudgetExceeded."""
    src = tmp_path / "news.jsonl"
    src.write_text(
        "".join(json.dumps({"id": f"b{n}", "text": article(n)}) + "\n" for n in range(200))
    )
    prices = tmp_path / "prices.json"
    prices.write_text(json.dumps({"compatible/fake": [10.0, 10.0]}))
    out = tmp_path / "out.jsonl"
    server.latency = 0.02
    budget = 1.0
    args = ["summarise", str(src), "-m", "fake", "--base-url", server.base_url, "-q"]
    args += ["--engine", "ray", "--workers", "2", "-j", "2", "--no-cache"]
    args += ["--prices", str(prices), "--budget", str(budget), "-o", str(out)]
    assert cli_run(args) == 3
    records = rows(out)
    assert len(records) == 200
    paid = [r for r in records.values() if r["status"] == "ok"]
    stopped = [r for r in records.values() if r["error"] and r["error"]["type"] == "BudgetExceeded"]
    assert len(paid) + len(stopped) == 200 and paid and stopped
    spent = sum(r["cost_usd"] for r in paid)
    most = max(r["cost_usd"] for r in paid)
    assert budget <= spent <= budget + 2 * 2 * most
    assert server.requests == len(paid)


def test_one_local_model_host_per_node(cluster: Any) -> None:
    """For a local model the driver creates one server host per node (none started yet: the
    first actor of the node starts it), keyed by node id."""
    from diplosum.ray._local import node_hosts

    hosts = node_hosts("local:qwen2.5-0.5b")
    assert list(hosts) == [ray.get_runtime_context().get_node_id()]
    for handle in hosts.values():
        ray.kill(handle)


def test_a_local_model_actor_uses_its_nodes_server(
    server: FakeOpenAIServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An actor of a local model pointed at its node's server (here the fake one) sends its
    requests there and starts no server of its own; its records and cache keys stay the local
    model's. The host starts the node's server once, through diplosum.local.shared_server."""
    import diplosum.local
    from diplosum.local import _shared
    from diplosum.ray._local import LocalModelHost
    from diplosum.ray._udf import _use_server

    monkeypatch.setattr(diplosum.local, "weights_sha256", lambda spec: "0" * 64)
    s = Summariser("local:qwen2.5-0.5b", cache=None)
    key = s.key(diplosum.Article(article(1)))
    _use_server(s, server.base_url)
    with s:
        result = s.summarise_article(diplosum.Article(article(1)))
    assert result.meta.model == "local:qwen2.5-0.5b" and server.requests == 1
    assert s.key(diplosum.Article(article(1))) == key and not _shared._shared

    started: list[str] = []

    class Running:
        base_url = "http://127.0.0.1:9/v1"

    def fake_shared_server(alias: str, **kw: Any) -> Running:
        started.append(alias)
        return Running()

    monkeypatch.setattr(diplosum.local, "shared_server", fake_shared_server)
    host = LocalModelHost("local:qwen2.5-0.5b")
    assert host.base_url() == host.base_url() == Running.base_url
    assert started == ["qwen2.5-0.5b", "qwen2.5-0.5b"]  # shared_server reuses a running one


def test_an_endpoint_that_is_not_there_is_exit_2(cluster: Any, tmp_path: Path) -> None:
    """A wrong --base-url stops an --engine ray run as it stops the default one: exit 2 (the
    actor's ConfigurationError, unwrapped from Ray's error)."""
    src = tmp_path / "news.jsonl"
    src.write_text(
        "".join(json.dumps({"id": f"e{n}", "text": article(n)}) + "\n" for n in range(20))
    )
    args = ["summarise", str(src), "-m", "fake", "--base-url", "http://127.0.0.1:9/v1", "-q"]
    args += ["--engine", "ray", "--workers", "1", "--no-cache", "-o", str(tmp_path / "o.jsonl")]
    assert cli_run(args) == 2
