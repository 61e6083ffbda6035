"""Talking HTTP to a SPARQL server: credentials kept secret, and every failure explained."""

from __future__ import annotations

import base64
import socket

import pytest
from tests.remote_server import OxigraphServer, RecordingProxy, free_port, running_proxy

from kgpub.errors import ConfigError, KgpubError, QueryError, StoreError
from kgpub.remote import RemoteStore

from .test_remote import (
    EX,
    MANIFEST,
    PASSWORD,
    forwarding_proxy,
    nquads,
    publish,
    quads_in,
    through,
)

__all__ = ["forwarding_proxy"]  # a fixture, imported for pytest


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


def test_server_failures_raise_store_error_with_the_status() -> None:
    with running_proxy(RecordingProxy(status=503, body=b"overloaded")) as proxy:
        with pytest.raises(StoreError, match=r"HTTP 503.*overloaded.*remote_query_url"):
            through(proxy).query("ASK {}")


def test_a_malformed_query_error_carries_the_servers_message(server: OxigraphServer) -> None:
    store = RemoteStore(server.query_url, server.update_url)
    with pytest.raises(QueryError, match="rejected the query: error at 1:"):
        store.query("SELEKT ?s")


def test_urls_other_than_http_are_refused() -> None:
    with pytest.raises(ConfigError, match="remote_update_url must be an http"):
        RemoteStore("http://localhost:7878/query", "file:///etc/passwd")
