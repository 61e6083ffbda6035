"""Values kept per published build: computed once, recomputed after a new publication."""

from __future__ import annotations

import threading
from contextlib import closing
from pathlib import Path

from tests.remote_server import running_oxigraph

from kgpub.build import build_collection
from kgpub.config_loading import load_settings
from kgpub.remote import RemoteStore
from kgpub.store import open_store
from kgpub.web.per_build import PerBuild, build_key
from kgpub.web.search_index import SearchIndex

from .conftest import REGISTRY, write_collection

BASE = "https://kg.example.org/"


def test_a_new_build_gets_a_new_index_and_the_same_build_keeps_its_own(tmp_path: Path) -> None:
    root = write_collection(tmp_path / "collection")
    settings = load_settings(root, env={})
    assert build_collection(root, settings).published
    store = open_store(settings, root)
    cache: PerBuild[SearchIndex] = PerBuild()
    computed: list[object] = []

    def current_index() -> SearchIndex:
        build = build_key(store)

        def compute() -> SearchIndex:
            computed.append(build)
            return SearchIndex.from_database(store.database(), base_iri=BASE)

        return cache.get(build, compute)

    try:
        first = current_index()
        assert current_index() is first
        assert first.search("Kobani", languages=["en"], limit=5) == []
        kobani = "  kobani: {labels: {en: Kobanî}, kind: city, contained_in: syria}\n"
        write_collection(root, REGISTRY.replace("places:\n", f"places:\n{kobani}"))
        assert build_collection(root, settings).published
        (hit,) = current_index().search("kobani", languages=["en"], limit=5)
        assert hit.iri == f"{BASE}id/place/kobani"
        assert len(computed) == 2 and computed[0] != computed[1]
    finally:
        store.close()


def test_threads_asking_together_compute_the_value_once() -> None:
    cache: PerBuild[int] = PerBuild()
    start = threading.Barrier(8)
    calls: list[int] = []
    answers: list[int] = []

    def compute() -> int:
        calls.append(1)
        return 42

    def ask() -> None:
        start.wait(timeout=10)
        answers.append(cache.get("build-1", compute))

    threads = [threading.Thread(target=ask) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=10)
    assert (len(calls), answers) == (1, [42] * 8)


def test_a_remote_publication_under_way_or_done_is_a_new_build(tmp_path: Path) -> None:
    root = write_collection(tmp_path / "collection")
    with running_oxigraph(tmp_path) as server:
        overrides = {
            "backend": "remote",
            "remote_query_url": server.query_url,
            "remote_update_url": server.update_url,
        }
        settings = load_settings(root, env={}, overrides=overrides)
        with closing(RemoteStore(server.query_url, server.update_url)) as store:
            assert build_key(store) is None
            assert build_collection(root, settings).published
            published = build_key(store)
            assert published is not None and build_key(store) == published
            mark = '<urn:kgpub:build> <urn:kgpub:publishing> "2099-01-01T00:00:00Z"'
            store.send_update(f"INSERT DATA {{ GRAPH <urn:kgpub:build> {{ {mark} }} }}".encode())
            under_way = build_key(store)
            assert under_way not in (None, published)
            assert build_collection(root, settings).published  # finds the mark, republishes
            assert build_key(store) != under_way
            article = root / "articles" / "sample.yaml"
            article.write_text(article.read_text().replace("Jihadists escape", "Jihadists flee"))
            assert build_collection(root, settings).published  # maybe within the same second
            assert build_key(store) not in (published, under_way)
