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

from kgpub.backend import BuildManifest
from kgpub.build import build_collection
from kgpub.config_loading import load_settings
from kgpub.embedded import EmbeddedStore
from kgpub.export import canonical_nquads

NEW_BASE = "https://news.example/"
COUNT_QUADS = "SELECT (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"


def manifest(quads: int = 1) -> BuildManifest:
    return BuildManifest("2026-01-01T00:00:00Z", "https://kg.example.org/", "test", quads, 1)


def quad(number: int) -> bytes:
    return f'<https://e/s{number}> <https://e/p> "{number}" <https://e/g> .\n'.encode()


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
