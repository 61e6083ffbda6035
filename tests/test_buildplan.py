"""Planning a build: which fact files are new, changed, rewritten alike, removed or untouched."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import closing
from pathlib import Path

import pytest

from kgpub.build import build_collection
from kgpub.buildplan import BuildPlan, compare_fact_files, plan_build, scan_fact_files
from kgpub.buildstate import BuildState
from kgpub.collection import load_registry
from kgpub.config_loading import load_settings
from kgpub.embedded import EmbeddedStore
from kgpub.registry_cache import CACHE_FILE

from .conftest import ARTICLE, REGISTRY, UNRELATED_ARTICLE, write_collection


@pytest.fixture
def built(tmp_path: Path) -> Path:
    """A published collection of two articles, one of them in a sub-folder."""
    root = write_collection(tmp_path / "collection", sample=ARTICLE)
    (root / "articles" / "2022").mkdir()
    (root / "articles" / "2022" / "other.yaml").write_text(UNRELATED_ARTICLE, encoding="utf-8")
    assert build_collection(root, load_settings(root, env={})).published
    return root


@pytest.fixture
def state(built: Path) -> Iterator[BuildState]:
    """The published build's state, read-only."""
    with closing(EmbeddedStore(built / ".kgpub" / "store")) as store:
        folder = store.state_dir()
        assert folder is not None
        with closing(BuildState(folder, read_only=True)) as opened:
            yield opened


def plan(root: Path, state: BuildState, cache: Path | None = None) -> BuildPlan:
    return plan_build(root, state, full=False, cache=cache)


def test_fact_files_in_sub_folders_are_found_by_relative_path_with_their_stamps(
    built: Path,
) -> None:
    (built / "articles" / "notes.txt").write_text("not a fact file", encoding="utf-8")
    found = scan_fact_files(built)
    assert sorted(found) == ["articles/2022/other.yaml", "articles/sample.yaml"]
    stat = (built / "articles" / "2022" / "other.yaml").stat()
    assert found["articles/2022/other.yaml"] == (stat.st_mtime_ns, stat.st_size)


def test_a_collection_without_an_articles_folder_has_no_fact_files(tmp_path: Path) -> None:
    assert scan_fact_files(tmp_path) == {}


def test_a_folder_named_like_a_fact_file_is_searched_and_a_linked_folder_is_not(
    tmp_path: Path,
) -> None:
    articles = tmp_path / "articles"
    (articles / "odd.yaml").mkdir(parents=True)
    (articles / "odd.yaml" / "inside.yaml").write_text(ARTICLE, encoding="utf-8")
    (articles / "linked.yaml").symlink_to(articles / "odd.yaml" / "inside.yaml")
    (articles / "folder-link.yaml").symlink_to(articles / "odd.yaml", target_is_directory=True)
    (articles / "broken.yaml").symlink_to(articles / "nowhere.yaml")
    found = scan_fact_files(tmp_path)
    assert sorted(found) == ["articles/linked.yaml", "articles/odd.yaml/inside.yaml"]
    assert found["articles/linked.yaml"] == found["articles/odd.yaml/inside.yaml"]


def test_files_are_compared_with_recorded_stamps_as_they_are_found(built: Path) -> None:
    on_disk = scan_fact_files(built)
    recorded = {
        "articles/sample.yaml": on_disk["articles/sample.yaml"],
        "articles/2022/other.yaml": (0, 0),
        "articles/gone.yaml": (0, 0),
    }
    changes = compare_fact_files(built, recorded)
    assert changes.differing == {"articles/2022/other.yaml": on_disk["articles/2022/other.yaml"]}
    assert (changes.removed, changes.files) == (["articles/gone.yaml"], 2)
    assert len(recorded) == 3  # the recorded stamps are left as they were


def test_the_state_s_stamps_match_the_files_it_recorded(built: Path, state: BuildState) -> None:
    assert state.stamps() == scan_fact_files(built)
    assert state.recorded_sha256("articles/nowhere.yaml") is None


def test_an_untouched_collection_plans_no_work(built: Path, state: BuildState) -> None:
    planned = plan(built, state)
    assert (planned.work, planned.added, planned.updated, planned.removed) == ([], [], [], [])
    assert (planned.touched, planned.unchanged, planned.registry) == ({}, 2, None)


def test_added_changed_and_removed_files_are_told_apart(built: Path, state: BuildState) -> None:
    articles = built / "articles"
    (articles / "2022" / "other.yaml").unlink()
    (articles / "sample.yaml").write_text(ARTICLE + "# edited\n", encoding="utf-8")
    (articles / "new.yaml").write_text(UNRELATED_ARTICLE, encoding="utf-8")
    planned = plan(built, state)
    assert planned.added == ["articles/new.yaml"]
    assert planned.updated == ["articles/sample.yaml"]
    assert planned.removed == ["articles/2022/other.yaml"]
    assert planned.work == ["articles/new.yaml", "articles/sample.yaml"]
    assert sorted(planned.retired) == ["articles/2022/other.yaml", "articles/sample.yaml"]
    assert planned.unchanged == 0


def test_a_file_rewritten_with_the_same_bytes_is_touched_not_redone(
    built: Path, state: BuildState
) -> None:
    sample = built / "articles" / "sample.yaml"
    sample.write_bytes(sample.read_bytes())
    later = sample.stat().st_mtime_ns + 1_000_000_000
    os.utime(sample, ns=(later, later))
    planned = plan(built, state)
    assert planned.touched == {"articles/sample.yaml": later}
    assert (planned.work, planned.updated, planned.unchanged) == ([], [], 2)


def test_a_changed_registry_is_loaded_and_kept_for_the_workers(
    built: Path, state: BuildState
) -> None:
    registry = built / "registry.yaml"
    registry.write_text(REGISTRY.replace("Human Rights", "Human Rights (UK)"), encoding="utf-8")
    cache = built / ".kgpub" / "store" / "cache"
    planned = plan(built, state, cache)
    assert planned.registry == load_registry(built, [])
    assert planned.work == ["articles/sample.yaml"]  # the only one naming the observatory
    assert (cache / CACHE_FILE).is_file()
