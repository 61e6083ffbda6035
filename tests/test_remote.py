"""What only the remote store does: HTTP, credentials, batching, a server's own failures."""

from __future__ import annotations

import base64
import io
import socket
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from tests.remote_server import (
    OxigraphServer,
    RecordingProxy,
    free_port,
    running_oxigraph,
    running_proxy,
)

from kgpub import remote_publish
from kgpub.backend import BuildManifest
from kgpub.config import Settings
from kgpub.errors import ConfigError, KgpubError, QueryError, StoreError
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


def test_an_unreachable_server_raises_store_error_naming_the_url(server: OxigraphServer) -> None:
    dead = f"http://127.0.0.1:{free_port()}"
    with pytest.raises(StoreError, match=f"{dead}/query.*running.*remote_query_url"):
        RemoteStore(f"{dead}/query", f"{dead}/update").manifest()
    transaction = RemoteStore(server.query_url, f"{dead}/update").begin(replace_all=False)
    transaction.add_nquads(nquads(quads_in(f"{EX}g", 1)))
    with pytest.raises(StoreError, match=f"{dead}/update.*remote_update_url"):
        transaction.commit(MANIFEST)


def test_a_server_that_does_not_answer_in_time_raises_store_error() -> None:
    with socket.socket() as silent:  # accepts connections, never answers
        silent.bind(("127.0.0.1", 0))
        silent.listen(1)
        url = f"http://127.0.0.1:{silent.getsockname()[1]}/query"
        store = RemoteStore(url, url, timeout=0.2)
        with pytest.raises(StoreError, match=r"timed out.*remote_timeout"):
            store.query("ASK {}")


def test_the_password_never_appears_in_errors_or_repr() -> None:
    port = free_port()
    url = f"http://127.0.0.1:{port}"
    store = RemoteStore(f"{url}/query", f"{url}/update", user="kgpub", password=PASSWORD)
    shown = [repr(store), str(store), store.description]
    with pytest.raises(ConfigError, match="must not hold a user or password") as in_url:
        RemoteStore(f"http://kgpub:{PASSWORD}@localhost/query", f"{url}/update")
    shown.append(str(in_url.value))
    for action in (store.manifest, lambda: store.query("ASK {}")):
        with pytest.raises(KgpubError) as error:
            action()
        shown.append(str(error.value))
    refusing = RecordingProxy(status=401, body=b"who are you?")
    with running_proxy(refusing) as proxy:
        with pytest.raises(StoreError, match="refused access") as refused:
            through(proxy, user="kgpub", password=PASSWORD).manifest()
        shown.append(str(refused.value))
    assert all(PASSWORD not in text for text in shown), shown
    assert store.description == f"http://127.0.0.1:{port}/query"


def test_basic_auth_is_sent_with_queries_and_updates(forwarding_proxy: RecordingProxy) -> None:
    store = through(forwarding_proxy, user="kgpub", password=PASSWORD)
    publish(store, quads_in(f"{EX}g", 2))
    assert store.manifest() == MANIFEST
    expected = "Basic " + base64.b64encode(f"kgpub:{PASSWORD}".encode()).decode()
    assert {request.headers.get("authorization") for request in forwarding_proxy.requests} == {
        expected
    }
    assert forwarding_proxy.updates()


def test_no_authorization_is_sent_without_a_user(forwarding_proxy: RecordingProxy) -> None:
    through(forwarding_proxy).manifest()
    assert all("authorization" not in request.headers for request in forwarding_proxy.requests)


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


def test_server_failures_raise_store_error_with_the_status() -> None:
    with running_proxy(RecordingProxy(status=503, body=b"overloaded")) as proxy:
        with pytest.raises(StoreError, match=r"HTTP 503.*overloaded.*remote_query_url"):
            through(proxy).query("ASK {}")


def test_a_malformed_query_error_carries_the_servers_message(server: OxigraphServer) -> None:
    store = RemoteStore(server.query_url, server.update_url)
    with pytest.raises(QueryError, match="rejected the query: error at 1:"):
        store.query("SELEKT ?s")


def test_a_server_whose_default_graph_is_not_the_union_is_reported(tmp_path: Path) -> None:
    with running_oxigraph(tmp_path, union_default_graph=False) as plain:
        store = RemoteStore(plain.query_url, plain.update_url)
        with pytest.raises(StoreError, match="union-default-graph"):
            publish(store, quads_in(f"{EX}g", 1))


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


def test_urls_other_than_http_are_refused() -> None:
    with pytest.raises(ConfigError, match="remote_update_url must be an http"):
        RemoteStore("http://localhost:7878/query", "file:///etc/passwd")
