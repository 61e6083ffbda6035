"""When each document last changed: gathered by a build, kept with it, sent as Last-Modified."""

from __future__ import annotations

import time
from pathlib import Path

import pyoxigraph
import pytest

from kgpub import document_times
from kgpub.build import build_collection
from kgpub.config_loading import load_settings
from kgpub.document_times import ChangedDocuments, DocumentTimes
from kgpub.embedded import EmbeddedStore
from kgpub.web import linked_data
from kgpub.web.entity_documents import EntityDocument, QuadSource
from kgpub.web.writes import apply_update

from .test_web_fixtures import build_examples, running_app

BASE = "https://kg.example.org/id/"
CLAIM = f"{BASE}claim/a/1"


def _store(*nquads: str) -> pyoxigraph.Store:
    store = pyoxigraph.Store()
    if nquads:
        store.load("".join(nquads).encode(), format=pyoxigraph.RdfFormat.N_QUADS)
    return store


PARTICIPATION = f"<{CLAIM}#participation-1> <urn:p> <{BASE}organization/sdf> <{CLAIM}> .\n"
PERSON = f"<{BASE}person/x> <urn:p> <{BASE}person/x> <{CLAIM}> .\n"
LABEL = f'<{BASE}organization/sdf> <urn:label> "SDF > ISIS" <urn:g> .\n'


def test_added_n_quads_change_the_documents_of_their_subjects() -> None:
    changed = ChangedDocuments()
    changed.added((PARTICIPATION + LABEL).encode())
    before, after = _store(), _store(PARTICIPATION, LABEL)
    assert changed.documents(before, after) == {CLAIM, f"{BASE}organization/sdf"}


def test_a_dropped_graph_changes_the_documents_of_the_subjects_it_held() -> None:
    before, staged = _store(PARTICIPATION, PERSON, LABEL), _store(PARTICIPATION, PERSON, LABEL)
    changed = ChangedDocuments()
    changed.dropping(staged, [CLAIM, "urn:unknown"])
    staged.remove_graph(pyoxigraph.NamedNode(CLAIM))
    assert changed.documents(before, staged) == {CLAIM, f"{BASE}person/x"}


def test_a_graph_published_again_as_it_was_changes_no_document() -> None:
    before, staged = _store(PARTICIPATION, PERSON), _store(PARTICIPATION, PERSON)
    changed = ChangedDocuments()
    changed.dropping(staged, [CLAIM])
    staged.remove_graph(pyoxigraph.NamedNode(CLAIM))
    changed.added(PERSON.encode())
    staged.load(PERSON.encode(), format=pyoxigraph.RdfFormat.N_QUADS)
    changed.added(PARTICIPATION.encode())
    staged.load(PARTICIPATION.encode(), format=pyoxigraph.RdfFormat.N_QUADS)
    assert changed.documents(before, staged) == set()


def test_past_the_lines_kept_every_subject_noted_counts_as_changed(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(document_times, "LINES_KEPT", 1)
    before, staged = _store(PARTICIPATION, PERSON), _store(PARTICIPATION, PERSON)
    changed = ChangedDocuments()
    changed.dropping(staged, [CLAIM])
    changed.added((PARTICIPATION + PERSON).encode())
    assert changed.documents(before, staged) == {CLAIM, f"{BASE}person/x"}


def test_a_document_without_a_row_changed_when_everything_last_did(tmp_path: Path) -> None:
    times = DocumentTimes(tmp_path)
    times.record(None, "2026-01-01T00:00:00Z")
    times.record([CLAIM], "2026-02-01T00:00:00Z")
    times.close()
    published = DocumentTimes.published(tmp_path)
    assert published is not None
    assert published.changed_at(CLAIM) == "2026-02-01T00:00:00Z"
    assert published.changed_at(f"{BASE}person/x") == "2026-01-01T00:00:00Z"


def test_everything_changing_forgets_what_changed_before(tmp_path: Path) -> None:
    times = DocumentTimes(tmp_path)
    times.record([CLAIM], "2026-02-01T00:00:00Z")
    times.record(None, "2026-03-01T00:00:00Z")
    assert times.changed_at(CLAIM) == "2026-03-01T00:00:00Z"


def test_a_state_from_before_the_times_gives_them_the_first_change_s_time(tmp_path: Path) -> None:
    assert DocumentTimes.published(tmp_path) is None
    times = DocumentTimes(tmp_path)
    times.record([CLAIM], "2026-02-01T00:00:00Z")
    assert times.changed_at(f"{BASE}person/x") == "2026-02-01T00:00:00Z"


@pytest.fixture
def examples(tmp_path: Path) -> Path:
    return build_examples(tmp_path)


def _documents(examples: Path) -> list[str]:
    """The /doc/ paths of every data resource of the published build."""
    store = EmbeddedStore(load_settings(examples, env={}).store_path(examples))
    try:
        subjects = {
            quad.subject.value.partition("#")[0]
            for quad in store.database().quads_for_pattern(None, None, None, None)
            if isinstance(quad.subject, pyoxigraph.NamedNode)
            and quad.subject.value.startswith(BASE)
        }
    finally:
        store.close()
    return sorted(f"/doc/{iri.removeprefix(BASE)}.ttl" for iri in subjects)


def test_an_edit_moves_last_modified_of_exactly_the_documents_it_changed(examples: Path) -> None:
    with running_app(examples, query_workers="1") as app:
        client = app.test_client()
        paths = _documents(examples)
        before = {path: client.get(path).headers for path in paths}
        time.sleep(1.05)  # HTTP dates count whole seconds
        article = examples / "articles" / "lemonde-2022-01-ghwayran.yaml"
        text = article.read_text(encoding="utf-8")
        article.write_text(text.replace("  title: ", "  title: (corrected) ", 1), encoding="utf-8")
        summary = build_collection(examples, load_settings(examples, env={}))
        assert summary.published and len(summary.updated) == 1
        after = {path: client.get(path).headers for path in paths}
    changed = {path for path in paths if after[path]["ETag"] != before[path]["ETag"]}
    moved = {
        path for path in paths if after[path]["Last-Modified"] != before[path]["Last-Modified"]
    }
    assert "/doc/article/lemonde-2022-01-ghwayran.ttl" in changed
    assert changed <= moved  # a changed document never keeps its date: no wrong 304
    assert len(moved) < len(paths) / 2  # the others keep theirs: a crawler gets 304
    unchanged = sorted(set(paths) - moved)[0]
    conditional = {"If-Modified-Since": before[unchanged]["Last-Modified"]}
    with running_app(examples, query_workers="1") as app:
        assert app.test_client().get(unchanged, headers=conditional).status_code == 304


def test_a_write_through_the_app_moves_every_document_s_date(examples: Path) -> None:
    token = "a-token-long-enough-for-writes"  # noqa: S105 - a test value
    with running_app(examples, query_workers="1", update_token=token) as app:
        client = app.test_client()
        path = _documents(examples)[0]
        before = client.get(path).headers["Last-Modified"]
        time.sleep(1.05)
        update = "INSERT DATA { GRAPH <urn:notes> { <urn:a> <urn:b> <urn:c> } }"
        authorized = {"Authorization": f"Bearer {token}"}
        written = client.post("/sparql", data={"update": update}, headers=authorized)
        assert written.status_code == 200, written.text
        assert client.get(path).headers["Last-Modified"] != before


def test_a_document_made_while_a_build_is_published_is_made_again_from_the_new_one(
    examples: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    entity = f"{BASE}organization/le-temps"
    note = f"<{entity}> <urn:note> 'written meanwhile'"
    publish_a_change = [f"INSERT DATA {{ GRAPH <urn:notes> {{ {note} }} }}"]
    read = linked_data.read_document

    def read_then_publish(source: QuadSource, iri: pyoxigraph.NamedNode) -> EntityDocument:
        found = read(source, iri)
        if publish_a_change:
            store = EmbeddedStore(load_settings(examples, env={}).store_path(examples))
            apply_update(store, publish_a_change.pop())
        return found

    monkeypatch.setattr(linked_data, "read_document", read_then_publish)
    with running_app(examples, query_workers="1") as app:
        answer = app.test_client().get("/doc/organization/le-temps.ttl")
    assert "written meanwhile" in answer.text  # the data of the build its date comes from
