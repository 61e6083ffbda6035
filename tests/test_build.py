"""Incremental builds: only what changed is redone, and the result equals a build from scratch."""

from __future__ import annotations

import os
import shutil
import textwrap
from pathlib import Path

import pytest

from kgpub import build as build_module
from kgpub import workers
from kgpub.build import BuildSummary, build_collection
from kgpub.buildstate import BuildState
from kgpub.config import Settings
from kgpub.config_loading import load_settings
from kgpub.embedded import EmbeddedStore
from kgpub.export import canonical_nquads
from kgpub.removals import Removal
from kgpub.wholecheck import check_collection

from .conftest import ARTICLE, REGISTRY, UNRELATED_ARTICLE, write_collection

FOLLOW_UP = """\
article:
  key: follow-up
  title: The SDF confirm the attack
  language: en
  publisher: le-monde
  published: 2022-01-22
claims:
  - key: sdf-attack
    claimant: sdf
    confirms: ["sample#attack"]
    asserts:
      events:
        - event: prison-attack
          type: attack
          facility: ghwayran-prison
"""


def build(root: Path, **settings: str) -> BuildSummary:
    summary = build_collection(root, load_settings(root, env={}, overrides=settings))
    assert summary.published, [str(p) for p in summary.problems]
    return summary


def published(root: Path) -> bytes:
    return canonical_nquads(EmbeddedStore(root / ".kgpub" / "store"))


def from_scratch(root: Path, tmp_path: Path) -> bytes:
    """What a first build of the same files publishes."""
    fresh = tmp_path / "fresh" / root.name
    shutil.rmtree(fresh.parent, ignore_errors=True)
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".kgpub"))
    build(fresh)
    return published(fresh)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def linked(tmp_path: Path) -> Path:
    """The sample collection plus a follow-up article confirming one of its claims."""
    return write_collection(tmp_path / "linked", sample=ARTICLE, follow_up=FOLLOW_UP)


def test_a_first_build_maps_every_article_and_a_second_maps_none(linked: Path) -> None:
    first = build(linked)
    assert first.full
    assert first.added == ["articles/follow_up.yaml", "articles/sample.yaml"]
    assert first.remapped == 2
    data = published(linked)
    second = build(linked)
    assert (second.full, second.remapped, second.unchanged) == (False, 0, 2)
    assert published(linked) == data


def test_a_changed_article_is_redone_alone_and_equals_a_build_from_scratch(
    examples_copy: Path, tmp_path: Path
) -> None:
    build(examples_copy)
    edit(examples_copy / "articles" / "letemps-2022-01-ghwayran.yaml", "Ghwayran", "Ghweiran")
    summary = build(examples_copy)
    assert summary.updated == ["articles/letemps-2022-01-ghwayran.yaml"]
    assert (summary.remapped, summary.unchanged) == (1, 4)
    assert published(examples_copy) == from_scratch(examples_copy, tmp_path)


def test_rewriting_a_file_with_the_same_content_redoes_nothing(linked: Path) -> None:
    build(linked)
    article = linked / "articles" / "sample.yaml"
    os.utime(article, ns=(1, 1))
    assert build(linked).remapped == 0
    assert build(linked).remapped == 0  # the new time was recorded


def test_a_removed_article_disappears_with_all_its_graphs(
    examples_copy: Path, tmp_path: Path
) -> None:
    build(examples_copy)
    (examples_copy / "articles" / "sohr-2022-01-sinaa-report.yaml").unlink()
    summary = build(examples_copy)
    assert summary.removed == ["articles/sohr-2022-01-sinaa-report.yaml"]
    assert summary.remapped == 0
    assert b"sohr-2022-01-sinaa-report" not in published(examples_copy)
    assert published(examples_copy) == from_scratch(examples_copy, tmp_path)


def test_a_registry_change_redoes_only_the_articles_that_refer_to_the_changed_entity(
    tmp_path: Path,
) -> None:
    root = write_collection(tmp_path / "c", sample=ARTICLE, other=UNRELATED_ARTICLE)
    build(root)
    observatory = "labels: {en: Syrian Observatory for Human Rights}"
    edit(root / "registry.yaml", observatory, observatory[:-1] + ", fr: Observatoire syrien}")
    summary = build(root)
    assert summary.remapped == 1  # only the sample article names the observatory
    assert published(root) == from_scratch(root, tmp_path)
    edit(root / "registry.yaml", "aliases: {en: [SOHR], fr: [OSDH]}", "aliases: {en: [SOHR]}")
    failed = build_collection(root, load_settings(root, env={}))
    assert not failed.published  # "OSDH" no longer names anything
    assert {p.source.rsplit("/", 1)[-1] for p in failed.problems} == {"sample.yaml"}
    assert all("'OSDH'" in p.message and p.line for p in failed.problems)


def test_changing_a_linked_claim_redoes_the_article_that_links_to_it(
    linked: Path, tmp_path: Path
) -> None:
    build(linked)
    edit(linked / "articles" / "sample.yaml", "value: 2022-01-20", "value: 2022-01-21")
    summary = build(linked)
    assert summary.updated == ["articles/sample.yaml"]
    assert summary.remapped == 2  # the follow-up's link names the claim by its new digest
    assert published(linked) == from_scratch(linked, tmp_path)


def test_removing_a_linked_article_fails_at_the_link_and_keeps_the_publication(
    linked: Path,
) -> None:
    build(linked)
    before = published(linked)
    (linked / "articles" / "sample.yaml").unlink()
    summary = build_collection(linked, load_settings(linked, env={}))
    assert not summary.published
    (problem,) = summary.problems
    assert problem.source.endswith("follow_up.yaml")
    assert problem.pointer == "/claims/0/confirms/0"
    assert problem.line == 10
    assert "no article has the key 'sample'" in problem.message
    assert published(linked) == before


def test_a_new_file_reusing_a_published_key_is_refused(linked: Path) -> None:
    build(linked)
    (linked / "articles" / "copy.yaml").write_text(textwrap.dedent(FOLLOW_UP), encoding="utf-8")
    summary = build_collection(linked, load_settings(linked, env={}))
    assert not summary.published
    assert [p.pointer for p in summary.problems] == ["/article/key"]
    assert "also used by articles/follow_up.yaml" in summary.problems[0].message


def test_batched_validation_reports_what_validating_everything_at_once_reports(
    examples_copy: Path,
) -> None:
    edit(
        examples_copy / "articles" / "lemonde-2022-01-ghwayran.yaml",
        "value: 12000\n          qualifier: approximately",
        "value: 12000\n          qualifier: unknown",
    )
    whole = check_collection(examples_copy, Settings())
    summary = build_collection(examples_copy, Settings(), publish=False)
    assert not whole.conforms
    assert sorted(map(str, summary.problems)) == sorted(map(str, whole.problems))
    assert not (examples_copy / ".kgpub").exists()


def test_parallel_workers_publish_what_one_process_publishes(
    linked: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    expected = from_scratch(linked, tmp_path)
    monkeypatch.setattr(workers, "IN_PROCESS_LIMIT", 0)
    monkeypatch.setattr(workers, "BATCH_SIZE", 1)
    summary = build(linked, workers="2")
    assert summary.remapped == 2
    assert published(linked) == expected


def test_a_new_base_iri_rebuilds_everything(linked: Path) -> None:
    build(linked)
    summary = build(linked, base_iri="https://news.example/")
    assert (summary.full, summary.remapped) == (True, 2)
    assert b"https://news.example/id/article/sample" in published(linked)
    assert b"https://kg.example.org/" not in published(linked)


BASE = "https://kg.example.org/"
MERGE_OBSERVATORY = ("  sohr:\n", "  syrian-observatory:\n    replaces: [sohr]\n")
"""A registry edit: the observatory's entry re-keyed, ``sohr`` kept as its former key."""
SPOKESMAN = "persons:\n  farhad-shami: {labels: {en: Farhad Shami}}\n"


def removal_of(root: Path, iri: str) -> Removal | None:
    """What the published state records about an IRI that is gone."""
    state_dir = EmbeddedStore(root / ".kgpub" / "store").state_dir()
    assert state_dir is not None
    state = BuildState(state_dir, read_only=True)
    try:
        return state.removals.find(iri, base_iri=BASE)
    finally:
        state.close()


def built_at(root: Path) -> str:
    manifest = EmbeddedStore(root / ".kgpub" / "store").manifest()
    assert manifest is not None
    return manifest.built_at


def test_merging_an_entry_redoes_only_the_articles_that_use_its_former_key(
    tmp_path: Path,
) -> None:
    root = write_collection(tmp_path / "c", sample=ARTICLE, other=UNRELATED_ARTICLE)
    build(root)
    edit(root / "registry.yaml", *MERGE_OBSERVATORY)
    summary = build(root)
    assert summary.remapped == 1  # only the sample article writes "sohr" (and "OSDH")
    data = published(root)
    assert data == from_scratch(root, tmp_path)
    survivor = f"<{BASE}id/organization/syrian-observatory>"
    former = f"<{BASE}id/organization/sohr>"
    assert f"{survivor} <http://purl.org/dc/terms/replaces> {former}".encode() in data
    subjects = {line.split(b" ", 1)[0] for line in data.splitlines()}
    assert former.encode() not in subjects  # the subject of nothing: it redirects
    assert removal_of(root, former.strip("<>")) is None  # merged, not removed


def test_listing_a_former_key_no_article_uses_redoes_no_article(tmp_path: Path) -> None:
    root = write_collection(tmp_path / "c", sample=ARTICLE, other=UNRELATED_ARTICLE)
    build(root)
    edit(root / "registry.yaml", "  sdf:\n", "  sdf:\n    replaces: [ypg]\n")
    summary = build(root)
    assert summary.remapped == 0
    replaced = f"<{BASE}id/organization/sdf> <http://purl.org/dc/terms/replaces>"
    assert replaced.encode() in published(root)


def test_a_removed_article_s_iris_are_recorded_as_gone_until_it_comes_back(
    tmp_path: Path,
) -> None:
    root = write_collection(tmp_path / "c", sample=ARTICLE, other=UNRELATED_ARTICLE)
    build(root)
    state_dir = EmbeddedStore(root / ".kgpub" / "store").state_dir()
    assert state_dir is not None
    state = BuildState(state_dir, read_only=True)
    record = state.record_of_key("other")
    state.close()
    assert record is not None
    claim = f"{BASE}id/claim/other/{record.claims['claim'][0]}"
    text = (root / "articles" / "other.yaml").read_text(encoding="utf-8")
    (root / "articles" / "other.yaml").unlink()
    build(root)
    for iri in (claim, f"{BASE}id/article/other"):
        removal = removal_of(root, iri)
        assert removal is not None, iri
        assert (removal.article, removal.source_file) == ("other", "articles/other.yaml")
        assert removal.removed_at == built_at(root)
    assert removal_of(root, f"{BASE}id/article/sample") is None
    assert removal_of(root, f"{BASE}id/event/prison-attack") is None
    (root / "articles" / "other.yaml").write_text(text, encoding="utf-8")
    build(root)
    assert removal_of(root, claim) is None


def test_changing_an_article_s_key_records_the_old_key_as_removed(tmp_path: Path) -> None:
    root = write_collection(tmp_path / "c", sample=ARTICLE, other=UNRELATED_ARTICLE)
    build(root)
    edit(root / "articles" / "other.yaml", "key: other,", "key: another,")
    assert build(root).updated == ["articles/other.yaml"]
    removal = removal_of(root, f"{BASE}id/article/other")
    assert removal is not None and removal.source_file == "articles/other.yaml"
    assert removal_of(root, f"{BASE}id/article/another") is None
    assert removal_of(root, f"{BASE}id/article/sample") is None


def test_moving_a_fact_file_removes_none_of_its_iris(tmp_path: Path) -> None:
    root = write_collection(tmp_path / "c", sample=ARTICLE, other=UNRELATED_ARTICLE)
    build(root)
    (root / "articles" / "2022").mkdir()
    (root / "articles" / "other.yaml").rename(root / "articles" / "2022" / "other.yaml")
    summary = build(root)
    assert summary.added == ["articles/2022/other.yaml"]
    assert summary.removed == ["articles/other.yaml"]
    assert removal_of(root, f"{BASE}id/article/other") is None


def test_a_removed_registry_entity_is_recorded_as_gone_until_it_comes_back(
    tmp_path: Path,
) -> None:
    root = write_collection(tmp_path / "c", registry=REGISTRY + SPOKESMAN)
    build(root)
    edit(root / "registry.yaml", SPOKESMAN, "")
    assert build(root).remapped == 0
    removal = removal_of(root, f"{BASE}id/person/farhad-shami")
    assert removal is not None
    assert (removal.label, removal.article) == ("Farhad Shami", None)
    assert removal.removed_at == built_at(root)
    edit(root / "registry.yaml", "events:\n", SPOKESMAN + "events:\n")
    build(root)
    assert removal_of(root, f"{BASE}id/person/farhad-shami") is None


def test_a_full_build_keeps_earlier_removals_and_records_what_went_since(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = write_collection(
        tmp_path / "c", registry=REGISTRY + SPOKESMAN, sample=ARTICLE, other=UNRELATED_ARTICLE
    )
    build(root)
    edit(root / "registry.yaml", SPOKESMAN, "")
    build(root)
    spokesman_removed_at = built_at(root)
    (root / "articles" / "other.yaml").unlink()
    monkeypatch.setattr(build_module, "__version__", "0.0.0+new")  # kgpub upgraded
    assert build(root).full
    spokesman = removal_of(root, f"{BASE}id/person/farhad-shami")
    other = removal_of(root, f"{BASE}id/article/other")
    assert spokesman is not None and spokesman.removed_at == spokesman_removed_at
    assert other is not None and other.removed_at == built_at(root)


def test_issue_6_a_collection_named_by_a_relative_path_builds(
    sample_collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(sample_collection)
    summary = build_collection(Path("."), load_settings(Path("."), env={}))
    assert summary.published, summary.describe()
    assert summary.added and not summary.problems
