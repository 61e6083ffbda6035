"""The store folder's builds: unique ids, and old builds removed only once nobody reads them."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from kgpub import embedded_layout
from kgpub.embedded import EmbeddedStore
from kgpub.embedded_layout import BUILDS_FOLDER

from .test_embedded import COUNT_QUADS, manifest, quad


def publish(store: EmbeddedStore, number: int) -> str:
    """Publish a build of one quad; its id."""
    transaction = store.begin(replace_all=True)
    transaction.add_nquads(quad(number))
    transaction.commit(manifest())
    return transaction.build_id


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
    remove = embedded_layout.remove_old_builds

    def slow_removal(builds: Path, *, keep: Path, previous: int) -> None:
        time.sleep(0.3)  # longer than staging and publishing the small builds below
        seen.append((previous, sorted(p.name for p in builds.iterdir() if p.name[0] != ".")))
        remove(builds, keep=keep, previous=previous)

    monkeypatch.setattr(embedded_layout, "remove_old_builds", slow_removal)
    store = EmbeddedStore(tmp_path / "store")
    first, second, third = (publish(store, number) for number in range(3))
    assert seen == [
        (1, [first]),  # after the first switch
        (0, [first]),  # as the second build starts: it never sees the second build itself
        (1, [first, second]),
        (0, [first, second]),
        (1, [second, third]),
    ]


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
