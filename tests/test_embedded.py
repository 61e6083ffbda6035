"""The embedded store publishes atomically: killed builds and readers during a rebuild prove it."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from kgpub import embedded
from kgpub.backend import BuildManifest
from kgpub.build import build_collection
from kgpub.config import load_settings
from kgpub.embedded import BUILDS_FOLDER, EmbeddedStore
from kgpub.errors import StoreError
from kgpub.export import canonical_nquads

NEW_BASE = "https://news.example/"
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def manifest(quads: int = 1) -> BuildManifest:
    return BuildManifest("2026-01-01T00:00:00Z", "https://kg.example.org/", "test", quads, 1)


def quad(number: int) -> bytes:
    return f'<https://e/s{number}> <https://e/p> "{number}" <https://e/g> .\n'.encode()


def publish(store: EmbeddedStore, number: int) -> str:
    """Publish a build of one quad; its id."""
    transaction = store.begin(replace_all=True)
    transaction.add_nquads(quad(number))
    transaction.commit(manifest())
    return transaction.build_id


def test_a_second_concurrent_build_is_refused_clearly(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    first = store.begin(replace_all=True)
    with pytest.raises(StoreError, match="another build is publishing"):
        store.begin(replace_all=True)
    first.abort()
    store.begin(replace_all=True).abort()  # the lock was released


def test_an_aborted_build_leaves_no_trace(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    transaction = store.begin(replace_all=True)
    transaction.add_nquads(quad(1))
    transaction.abort()
    assert store.manifest() is None
    assert list((tmp_path / "store" / BUILDS_FOLDER).iterdir()) == []


def test_malformed_data_fails_the_commit_and_publishes_nothing(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    transaction = store.begin(replace_all=True)
    transaction.add_nquads(quad(1) + b"<https://e/s> not a quad .\n")
    with pytest.raises(StoreError, match="cannot load the mapped data"):
        transaction.commit(manifest())
    assert store.manifest() is None
    store.begin(replace_all=True).abort()  # the lock was released


def test_an_incremental_build_starts_from_the_published_data(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    transaction = store.begin(replace_all=True)
    transaction.add_nquads(quad(1) + quad(2))
    (transaction.state_dir / "note").write_text("first", encoding="utf-8")
    transaction.commit(manifest(2))
    again = store.begin(replace_all=False)
    assert (again.state_dir / "note").read_text(encoding="utf-8") == "first"
    again.add_nquads(quad(3).replace(b"/g>", b"/h>"))
    again.drop_graphs(["https://e/g"])
    assert store.query(COUNT_QUADS)  # readers still see the published build
    assert next(iter(store.query(COUNT_QUADS)))["n"].value == "2"
    again.commit(manifest(1))
    assert next(iter(store.query(COUNT_QUADS)))["n"].value == "1"
    assert len(list((tmp_path / "store" / BUILDS_FOLDER).iterdir())) == 2  # and one previous


def test_a_build_still_read_by_someone_is_not_deleted_until_they_let_go(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    for number in range(1, 4):
        transaction = store.begin(replace_all=True)
        transaction.add_nquads(quad(number))
        transaction.commit(manifest())
        if number == 1:
            reader = EmbeddedStore(tmp_path / "store")
            reader.database()  # holds the first build open
    builds = tmp_path / "store" / BUILDS_FOLDER
    assert len(list(builds.iterdir())) == 3  # the current, the previous, and the one being read
    reader.close()
    transaction = store.begin(replace_all=True)
    transaction.commit(manifest())
    assert len(list(builds.iterdir())) == 2


def test_the_previous_build_is_removed_as_the_next_starts_unless_someone_reads_it(
    tmp_path: Path,
) -> None:
    store = EmbeddedStore(tmp_path / "store")
    builds = tmp_path / "store" / BUILDS_FOLDER

    publish(store, 1)
    second = publish(store, 2)
    store.begin(replace_all=False).abort()  # started, so the previous build went
    assert sorted(p.name for p in builds.iterdir()) == [second]
    reader = EmbeddedStore(tmp_path / "store")
    reader.database()  # holds the second build open
    third = publish(store, 3)
    store.begin(replace_all=False).abort()
    assert sorted(p.name for p in builds.iterdir()) == [second, third]
    reader.close()
    assert next(iter(store.query(COUNT_QUADS)))["n"].value == "1"


def test_the_removal_of_older_builds_ends_before_the_new_build_is_switched_in(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[tuple[int, list[str]]] = []
    remove = embedded._remove_old_builds

    def slow_removal(builds: Path, *, keep: Path, previous: int) -> None:
        time.sleep(0.3)  # longer than staging and publishing the small builds below
        seen.append((previous, sorted(p.name for p in builds.iterdir() if p.name[0] != ".")))
        remove(builds, keep=keep, previous=previous)

    monkeypatch.setattr(embedded, "_remove_old_builds", slow_removal)
    store = EmbeddedStore(tmp_path / "store")
    first, second, third = (publish(store, number) for number in range(3))
    assert seen == [
        (1, [first]),  # after the first switch
        (0, [first]),  # as the second build starts: it never sees the second build itself
        (1, [first, second]),
        (0, [first, second]),
        (1, [second, third]),
    ]


def test_a_query_with_its_own_from_sees_only_that_graph(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    transaction = store.begin(replace_all=True)
    transaction.add_nquads(quad(1) + quad(2).replace(b"/g>", b"/h>"))
    transaction.commit(manifest(2))
    everything = next(iter(store.query("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")))
    only_h = next(iter(store.query("SELECT (COUNT(*) AS ?n) FROM <https://e/h> { ?s ?p ?o }")))
    assert (everything["n"].value, only_h["n"].value) == ("2", "1")


def _start_build(root: Path, base_iri: str) -> subprocess.Popen[bytes]:
    environment = {**os.environ, "KGPUB_BASE_IRI": base_iri, "KGPUB_WORKERS": "1"}
    return subprocess.Popen(
        [sys.executable, "-m", "kgpub", "build", str(root)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )


def _published(root: Path) -> bytes:
    return canonical_nquads(EmbeddedStore(root / ".kgpub" / "store"))


@pytest.fixture(scope="module")
def before_and_after(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, bytes, bytes]:
    """The examples built with the default base IRI, and what a build with another publishes."""
    from .conftest import EXAMPLES

    base = tmp_path_factory.mktemp("atomic")
    root = base / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".kgpub"))
    assert build_collection(root, load_settings(root, env={})).published
    other = base / "other" / "examples"
    shutil.copytree(root, other, ignore=shutil.ignore_patterns(".kgpub"))
    settings = load_settings(other, env={}, overrides={"base_iri": NEW_BASE})
    assert build_collection(other, settings).published
    return root, _published(root), _published(other)


@pytest.mark.slow
def test_a_build_killed_at_any_moment_leaves_the_old_publication_or_the_new_one(
    before_and_after: tuple[Path, bytes, bytes],
) -> None:
    root, old, new = before_and_after
    killed_midway = 0
    for delay in (0.2, 0.6, 1.0, 1.5, 2.0, 2.6):
        process = _start_build(root, NEW_BASE)
        time.sleep(delay)
        if process.poll() is None:
            process.send_signal(signal.SIGKILL)
            killed_midway += 1
        process.wait(timeout=60)
        assert _published(root) in (old, new)
        if _published(root) == new:  # start again from the old publication
            assert build_collection(root, load_settings(root, env={})).published
    assert killed_midway >= 3
    assert build_collection(root, load_settings(root, env={})).published  # the lock is free
    assert _published(root) == old


READ_BOTH = """
SELECT (COUNT(*) AS ?n) (SUM(IF(STRSTARTS(STR(?s), "https://news.example/"), 1, 0)) AS ?fresh)
WHERE { GRAPH ?g { ?s ?p ?o } }
"""


@pytest.mark.slow
def test_readers_see_the_old_data_or_the_new_never_a_half_built_state(
    before_and_after: tuple[Path, bytes, bytes],
) -> None:
    root, old, new = before_and_after
    fresh = sum(1 for line in new.splitlines() if line.startswith(b"<https://news.example/"))
    allowed = {(old.count(b"\n"), 0), (new.count(b"\n"), fresh)}
    reader = EmbeddedStore(root / ".kgpub" / "store")
    seen = set()
    process = _start_build(root, NEW_BASE)
    for _ in range(20_000):  # bounded: a build takes seconds, each query milliseconds
        answer = next(iter(reader.query(READ_BOTH)))
        seen.add((int(answer["n"].value), int(answer["fresh"].value)))
        if process.poll() is not None:
            break
    assert process.wait(timeout=60) == 0
    answer = next(iter(reader.query(READ_BOTH)))
    seen.add((int(answer["n"].value), int(answer["fresh"].value)))
    assert seen == allowed  # both states were seen, nothing in between
    assert build_collection(root, load_settings(root, env={})).published


def test_builds_staged_within_one_clock_tick_get_different_ids(tmp_path: Path) -> None:
    store = EmbeddedStore(tmp_path / "store")
    first = store.begin(replace_all=True)
    try:
        first_id = first.build_id
    finally:
        first.abort()
    second = store.begin(replace_all=True)
    try:
        assert second.build_id != first_id
    finally:
        second.abort()


def test_the_published_manifest_is_read_once_per_build_and_follows_the_switch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = EmbeddedStore(tmp_path / "store")
    assert store.current_build() is None and store.manifest() is None
    first = store.begin(replace_all=True)
    first.add_nquads(quad(1))
    first.commit(manifest(1))
    reads: list[Path] = []
    original = BuildManifest.read

    def counted(cls: type[BuildManifest], path: Path) -> BuildManifest:
        reads.append(path)
        return original(path)

    monkeypatch.setattr(BuildManifest, "read", classmethod(counted))
    assert [store.manifest() for _ in range(3)] == [manifest(1)] * 3
    assert len(reads) == 1
    assert store.current_build() == (tmp_path / "store" / "current").resolve()
    second = store.begin(replace_all=False)
    second.commit(manifest(2))
    assert store.manifest() == manifest(2) and len(reads) == 2
    assert store.current_build() == (tmp_path / "store" / "current").resolve()
