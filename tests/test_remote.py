"""What only the remote store does: batched commits, data it refuses, a failed commit repaired.

HTTP, credentials and a server's own failures are in tests/test_sparql_client.py.
"""

from __future__ import annotations

import io
from collections.abc import Iterator

import pyoxigraph
import pytest
from tests.remote_server import (
    OxigraphServer,
    RecordingProxy,
    running_proxy,
)

from kgpub import remote_publish
from kgpub.backend import BuildManifest
from kgpub.config import Settings
from kgpub.errors import StoreError
from kgpub.remote import RemoteStore

EX = "http://example.org/"
PASSWORD = "hunter2-SECRET"  # noqa: S105 - a test password that must never be shown
MANIFEST = BuildManifest(
    built_at="2026-01-23T10:15:00Z", base_iri=EX, kgpub_version="test", quads=0, graphs=0
)


def quads_in(graph: str, count: int, *, word: str = "value") -> list[pyoxigraph.Quad]:
    return [
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(f"{EX}s{index}"),
            pyoxigraph.NamedNode(f"{EX}p"),
            pyoxigraph.Literal(f"{word} {index}"),
            pyoxigraph.NamedNode(graph),
        )
        for index in range(count)
    ]


def nquads(quads: list[pyoxigraph.Quad]) -> bytes:
    return bytes(pyoxigraph.serialize(quads, format=pyoxigraph.RdfFormat.N_QUADS) or b"")


def publish(
    store: RemoteStore, quads: list[pyoxigraph.Quad], *, drop: tuple[str, ...] = ()
) -> None:
    transaction = store.begin(replace_all=False)
    transaction.drop_graphs(drop)
    transaction.add_nquads(nquads(quads))
    transaction.commit(MANIFEST)


def dumped(store: RemoteStore) -> set[pyoxigraph.Quad]:
    output = io.BytesIO()
    store.dump(output, pyoxigraph.RdfFormat.N_QUADS)
    return set(pyoxigraph.parse(output.getvalue(), format=pyoxigraph.RdfFormat.N_QUADS))


def quads_sent(update: bytes) -> int:
    return sum(1 for line in update.splitlines() if line.endswith(b" ."))


@pytest.fixture
def forwarding_proxy(server: OxigraphServer) -> Iterator[RecordingProxy]:
    with running_proxy(RecordingProxy(target=server.base_url)) as proxy:
        yield proxy


def through(proxy: RecordingProxy, **options: object) -> RemoteStore:
    return RemoteStore(f"{proxy.base_url}/query", f"{proxy.base_url}/update", **options)  # type: ignore[arg-type]


def test_large_commits_are_split_into_several_requests_yet_publish_everything(
    forwarding_proxy: RecordingProxy,
) -> None:
    store = through(forwarding_proxy, max_request_quads=10, max_request_bytes=2_000)
    big = quads_in(f"{EX}big", 25)
    small = [quad for index in range(5) for quad in quads_in(f"{EX}small/{index}", 7)]
    publish(store, big + small)
    updates = [request.body for request in forwarding_proxy.updates()]
    assert len(updates) >= 7
    assert all(quads_sent(update) <= 10 for update in updates)
    assert all(len(update) <= 2_000 + 500 for update in updates[:-2])  # bookkeeping aside
    assert dumped(store) == set(big + small)


def test_a_graph_larger_than_a_request_is_still_replaced_whole(
    forwarding_proxy: RecordingProxy,
) -> None:
    store = through(forwarding_proxy, max_request_quads=10)
    publish(store, quads_in(f"{EX}big", 25))
    publish(store, quads_in(f"{EX}big", 3, word="new"))
    assert dumped(store) == set(quads_in(f"{EX}big", 3, word="new"))


def test_a_graph_scattered_over_a_large_spool_is_sent_whole(
    server: OxigraphServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(remote_publish, "SPOOL_BUCKET_BYTES", 300)  # many buckets, small change
    graphs = [f"{EX}g{index}" for index in range(4)]
    chunks = [quads_in(graph, 4, word=f"round {round_}") for round_ in range(3) for graph in graphs]
    store = RemoteStore(server.query_url, server.update_url)
    transaction = store.begin(replace_all=True)
    for chunk in chunks:
        transaction.add_nquads(nquads(chunk))
    transaction.commit(MANIFEST)
    assert dumped(store) == {quad for chunk in chunks for quad in chunk}


@pytest.mark.parametrize(
    ("line", "problem"),
    [
        (b'_:b1 <http://example.org/p> "x" <http://example.org/g> .\n', "blank nodes"),
        (b'<http://example.org/s> <http://example.org/p> "x" .\n', "named graphs only"),
        (b"<http://example.org/s> <http://example.org/p> .\n", "not valid N-Quads"),
    ],
)
def test_unpublishable_data_is_refused_before_anything_is_sent(
    forwarding_proxy: RecordingProxy, line: bytes, problem: str
) -> None:
    transaction = through(forwarding_proxy).begin(replace_all=True)
    transaction.add_nquads(nquads(quads_in(f"{EX}g", 3)) + line)
    with pytest.raises(StoreError, match=problem):
        transaction.commit(MANIFEST)
    assert forwarding_proxy.updates() == []


def test_a_failed_commit_keeps_the_previous_manifest_and_a_rerun_repairs_it(
    server: OxigraphServer,
) -> None:
    direct = RemoteStore(server.query_url, server.update_url)
    publish(direct, quads_in(f"{EX}old", 2))
    second = BuildManifest(built_at="later", base_iri=EX, kgpub_version="test", quads=9, graphs=3)
    change = quads_in(f"{EX}a", 3) + quads_in(f"{EX}b", 3) + quads_in(f"{EX}c", 3)
    failing = RecordingProxy(target=server.base_url, fail_updates_after=1)
    with running_proxy(failing) as proxy:
        transaction = through(proxy, max_request_quads=3).begin(replace_all=False)
        transaction.add_nquads(nquads(change))
        with pytest.raises(StoreError, match=r"partly updated.*Run the build again"):
            transaction.commit(second)
    assert direct.manifest() == MANIFEST
    transaction = direct.begin(replace_all=False)
    transaction.add_nquads(nquads(change))
    transaction.commit(second)
    assert direct.manifest() == second
    assert dumped(direct) == set(quads_in(f"{EX}old", 2) + change)


def test_the_store_is_built_from_the_remote_settings() -> None:
    settings = Settings(
        backend="remote",
        remote_query_url="https://sparql.example.org/ds/query",
        remote_update_url="https://sparql.example.org/ds/update",
        remote_user="kgpub",
        remote_password=PASSWORD,
        remote_timeout="5",
    )
    store = RemoteStore.from_settings(settings)
    assert (store.description, store.update_url, store.timeout) == (
        "https://sparql.example.org/ds/query",
        "https://sparql.example.org/ds/update",
        5.0,
    )
    assert PASSWORD not in repr(store)
