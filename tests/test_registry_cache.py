"""The parsed registry is kept in the store's cache folder and never trusted blindly."""

from __future__ import annotations

import json
import pickle
from pathlib import Path
from typing import Any

import pytest

from kgpub import collection as collection_module
from kgpub import registry_cache
from kgpub.article_records import entity_digests
from kgpub.build import build_collection
from kgpub.collection import load_registry
from kgpub.config_loading import load_settings
from kgpub.errors import Problem
from kgpub.registry_cache import CACHE_FILE, ParsedRegistry, load_parsed_registry

from .conftest import REGISTRY


@pytest.fixture
def cache(sample_collection: Path) -> Path:
    """The cache folder of a store folder that exists (as after a first build)."""
    store = sample_collection / ".kgpub" / "store"
    store.mkdir(parents=True)
    return store / "cache"


@pytest.fixture
def parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files the YAML/JSON reader is asked for, in order."""
    asked: list[str] = []
    read = collection_module.read_document

    def counting(file: Path) -> Any:
        asked.append(Path(file).name)
        return read(file)

    monkeypatch.setattr(collection_module, "read_document", counting)
    return asked


def load(root: Path, cache: Path | None) -> tuple[ParsedRegistry, list[Problem]]:
    problems: list[Problem] = []
    return load_parsed_registry(root, problems, cache=cache), problems


def assert_same(found: ParsedRegistry, expected: ParsedRegistry) -> None:
    assert found.collection == expected.collection
    assert found.collection.index.entities == expected.collection.index.entities
    assert found.collection.index.names == expected.collection.index.names
    assert found.entity_digests == expected.entity_digests


def test_a_second_load_of_the_same_registry_reads_the_cache_without_parsing(
    sample_collection: Path, cache: Path, parses: list[str]
) -> None:
    first, _ = load(sample_collection, cache)
    assert parses == ["registry.yaml"]
    assert (cache / CACHE_FILE).is_file()
    second, problems = load(sample_collection, cache)
    assert parses == ["registry.yaml"]  # not parsed again
    assert problems == []
    assert second is not first
    assert_same(second, first)


def test_a_cached_registry_equals_what_load_registry_gives(
    sample_collection: Path, cache: Path
) -> None:
    load(sample_collection, cache)
    cached, _ = load(sample_collection, cache)
    fresh = load_registry(sample_collection, [])
    assert cached.collection == fresh
    assert cached.collection.registry_document == fresh.registry_document
    assert cached.entity_digests == entity_digests(fresh.index)


def test_a_changed_registry_is_parsed_again_and_replaces_the_cache(
    sample_collection: Path, cache: Path, parses: list[str]
) -> None:
    load(sample_collection, cache)
    registry = sample_collection / "registry.yaml"
    registry.write_text(REGISTRY.replace("Ghwayran prison", "Ghwayran jail"), encoding="utf-8")
    changed, _ = load(sample_collection, cache)
    assert parses == ["registry.yaml", "registry.yaml"]
    labels = [e.labels for e in changed.collection.registry.facilities.values()]
    assert labels == [{"en": "Ghwayran jail"}]
    again, _ = load(sample_collection, cache)
    assert len(parses) == 2  # the new registry is the one kept now
    assert_same(again, changed)


@pytest.mark.parametrize(
    "damage",
    [
        pytest.param(lambda data: b"", id="empty"),
        pytest.param(lambda data: b"not a header\n" + data, id="no JSON header"),
        pytest.param(lambda data: data[: len(data) // 2], id="truncated"),
        pytest.param(lambda data: data[:-10] + bytes(10), id="payload overwritten"),
        pytest.param(lambda data: b"[1]\n" + data.partition(b"\n")[2], id="header not an object"),
    ],
)
def test_a_corrupt_cache_file_is_ignored_and_rewritten(
    sample_collection: Path, cache: Path, parses: list[str], damage: Any
) -> None:
    expected, _ = load(sample_collection, cache)
    kept = cache / CACHE_FILE
    kept.write_bytes(damage(kept.read_bytes()))
    found, problems = load(sample_collection, cache)
    assert (problems, len(parses)) == ([], 2)
    assert_same(found, expected)
    load(sample_collection, cache)
    assert len(parses) == 2  # rewritten whole: read back next time


def test_a_cache_made_by_another_kgpub_is_ignored(
    sample_collection: Path, cache: Path, parses: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    load(sample_collection, cache)
    monkeypatch.setattr(registry_cache, "__version__", "0.0.0-other")
    load(sample_collection, cache)
    assert len(parses) == 2
    header = json.loads((cache / CACHE_FILE).read_bytes().partition(b"\n")[0])
    assert header["kgpub"] == "0.0.0-other"


def test_a_well_formed_cache_holding_something_else_is_ignored(
    sample_collection: Path, cache: Path, parses: list[str]
) -> None:
    load(sample_collection, cache)
    kept = cache / CACHE_FILE
    header = json.loads(kept.read_bytes().partition(b"\n")[0])
    payload = pickle.dumps({"not": "a registry"})
    header["payload_sha256"] = registry_cache._sha256(payload)
    kept.write_bytes(json.dumps(header).encode() + b"\n" + payload)
    found, _ = load(sample_collection, cache)
    assert len(parses) == 2
    assert isinstance(found, ParsedRegistry)


def test_a_copied_collection_does_not_take_the_registry_of_its_original(
    sample_collection: Path, cache: Path, tmp_path: Path
) -> None:
    load(sample_collection, cache)
    copy = tmp_path / "copy"
    copy.mkdir()
    (copy / "registry.yaml").write_bytes((sample_collection / "registry.yaml").read_bytes())
    found, _ = load(copy, cache)
    assert found.collection.root == copy
    assert found.collection.registry_document is not None
    assert found.collection.registry_document.source == str(copy / "registry.yaml")


def test_a_registry_with_problems_is_reported_every_time_and_never_kept(
    sample_collection: Path, cache: Path, parses: list[str]
) -> None:
    registry = sample_collection / "registry.yaml"
    registry.write_text(REGISTRY.replace("iso: SY", "iso: Syria"), encoding="utf-8")
    expected: list[Problem] = []
    load_registry(sample_collection, expected)
    assert expected
    for _ in range(2):
        _, problems = load(sample_collection, cache)
        assert problems == expected
    assert not (cache / CACHE_FILE).exists()


def test_no_cache_folder_is_made_where_no_store_folder_exists(
    sample_collection: Path, tmp_path: Path
) -> None:
    cache = tmp_path / "no-store" / "cache"
    load(sample_collection, cache)
    assert not cache.parent.exists()


def test_without_a_cache_folder_the_registry_is_parsed_each_time(
    sample_collection: Path, parses: list[str]
) -> None:
    load(sample_collection, None)
    load(sample_collection, None)
    assert parses == ["registry.yaml", "registry.yaml"]


def test_a_build_parses_the_registry_once_and_not_at_all_when_it_did_not_change(
    sample_collection: Path, parses: list[str]
) -> None:
    settings = load_settings(sample_collection, env={})
    assert build_collection(sample_collection, settings).published
    assert parses.count("registry.yaml") == 1  # the plan's; the worker reads the cache
    article = sample_collection / "articles" / "sample.yaml"
    article.write_text(article.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    assert build_collection(sample_collection, settings).remapped == 1
    assert parses.count("registry.yaml") == 1
    registry = sample_collection / "registry.yaml"
    registry.write_text(REGISTRY.replace("Ghwayran prison", "Ghwayran jail"), encoding="utf-8")
    assert build_collection(sample_collection, settings).published
    assert parses.count("registry.yaml") == 2
