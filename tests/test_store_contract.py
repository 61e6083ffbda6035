"""One behaviour suite for every store backend: what the build, CLI and web app rely on."""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from pathlib import Path

import pyoxigraph
import pytest
from tests.remote_server import OxigraphServer, running_oxigraph

from kgpub.backend import WHOLE_STORE, BuildManifest, Dataset, Store, query_kind
from kgpub.errors import QueryError
from kgpub.remote import RemoteStore

EX = "http://example.org/"
GRAPH_1 = f"{EX}graph/1"
GRAPH_2 = f"{EX}graph/2"
GRAPH_3 = f"{EX}graph/3"
XSD_DATE = pyoxigraph.NamedNode("http://www.w3.org/2001/XMLSchema#date")
MANIFEST = BuildManifest(
    built_at="2026-01-23T10:15:00Z",
    base_iri=EX,
    kgpub_version="test",
    quads=3,
    graphs=2,
    articles=1,
)
OUR_QUADS = f"""SELECT (COUNT(*) AS ?n) WHERE {{
  GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?g), "{EX}"))
}}"""


def term(name: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(f"{EX}{name}")


def quad(subject: str, value: str | pyoxigraph.Literal, graph: str) -> pyoxigraph.Quad:
    literal = value if isinstance(value, pyoxigraph.Literal) else pyoxigraph.Literal(value)
    return pyoxigraph.Quad(term(subject), term("says"), literal, pyoxigraph.NamedNode(graph))


def nquads(quads: Iterable[pyoxigraph.Quad]) -> bytes:
    return bytes(pyoxigraph.serialize(list(quads), format=pyoxigraph.RdfFormat.N_QUADS) or b"")


FIRST_BUILD = [quad("a", "one", GRAPH_1), quad("b", "two", GRAPH_1), quad("a", "three", GRAPH_2)]


def publish(
    store: Store,
    quads: Iterable[pyoxigraph.Quad] = FIRST_BUILD,
    *,
    drop: Iterable[str] = (),
    replace_all: bool = False,
    manifest: BuildManifest = MANIFEST,
) -> None:
    transaction = store.begin(replace_all=replace_all)
    transaction.drop_graphs(drop)
    transaction.add_nquads(nquads(quads))
    transaction.commit(manifest)


def dumped_quads(store: Store) -> set[pyoxigraph.Quad]:
    output = io.BytesIO()
    store.dump(output, pyoxigraph.RdfFormat.N_QUADS)
    return set(pyoxigraph.parse(output.getvalue(), format=pyoxigraph.RdfFormat.N_QUADS))


def count_our_quads(store: Store) -> int:
    solutions = store.query(OUR_QUADS)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return int(next(iter(solutions))["n"].value)


def values(store: Store, sparql: str, *, dataset: Dataset = WHOLE_STORE) -> set[str]:
    solutions = store.query(sparql, dataset=dataset)
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return {solution[0].value for solution in solutions}


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture(params=["embedded", "remote"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Store]:
    backend: Store
    if request.param == "embedded":
        # kgpub.embedded is being written alongside; the suite picks it up once it imports.
        embedded = pytest.importorskip("kgpub.embedded")
        backend = embedded.EmbeddedStore(tmp_path / "store")
    else:
        server: OxigraphServer = request.getfixturevalue("oxigraph")
        server.clear()
        backend = RemoteStore(server.query_url, server.update_url, timeout=10)
    yield backend
    backend.close()


def test_nothing_published_means_no_manifest_and_no_state(store: Store) -> None:
    assert store.manifest() is None
    assert store.state_dir() is None


def test_commit_publishes_the_quads_and_the_manifest(store: Store) -> None:
    publish(store)
    assert store.manifest() == MANIFEST
    assert dumped_quads(store) == set(FIRST_BUILD)


def test_queries_without_graph_see_the_union_of_all_graphs(store: Store) -> None:
    publish(store)
    assert values(store, f"SELECT ?o WHERE {{ <{EX}a> ?p ?o }}") == {"one", "three"}


def test_graph_queries_tell_which_graph_holds_a_triple(store: Store) -> None:
    publish(store)
    sparql = f'SELECT ?g WHERE {{ GRAPH ?g {{ <{EX}a> ?p "three" }} }}'
    assert values(store, sparql) == {GRAPH_2}


def test_a_dataset_restricts_the_default_graph(store: Store) -> None:
    publish(store)
    only_graph_2 = Dataset(default_graphs=(GRAPH_2,))
    assert values(store, "SELECT ?o WHERE { ?s ?p ?o }", dataset=only_graph_2) == {"three"}


def test_a_dataset_restricts_the_named_graphs(store: Store) -> None:
    publish(store)
    only_graph_1 = Dataset(named_graphs=(GRAPH_1,))
    sparql = "SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert values(store, sparql, dataset=only_graph_1) == {GRAPH_1}


def test_construct_returns_triples_and_ask_a_boolean(store: Store) -> None:
    publish(store)
    triples = store.query(f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH_1}> {{ ?s ?p ?o }} }}")
    assert query_kind(triples) == "graph"
    assert {triple.object.value for triple in triples} == {"one", "two"}
    answer = store.query(f'ASK {{ <{EX}b> ?p "two" }}')
    assert query_kind(answer) == "ask"
    assert bool(answer)


def test_publishing_the_same_graphs_again_is_idempotent(store: Store) -> None:
    publish(store)
    publish(store)
    publish(store, drop=[GRAPH_1, GRAPH_2])
    assert count_our_quads(store) == len(FIRST_BUILD)
    assert dumped_quads(store) == set(FIRST_BUILD)


def test_dropping_and_adding_a_graph_replaces_its_content(store: Store) -> None:
    publish(store)
    publish(store, [quad("a", "one, corrected", GRAPH_1)], drop=[GRAPH_1])
    assert dumped_quads(store) == {quad("a", "one, corrected", GRAPH_1), FIRST_BUILD[2]}


def test_dropping_a_graph_removes_it(store: Store) -> None:
    publish(store)
    publish(store, [], drop=[GRAPH_2, f"{EX}graph/never-published"])
    assert dumped_quads(store) == set(FIRST_BUILD[:2])


def test_replace_all_removes_the_graphs_not_added_again(store: Store) -> None:
    publish(store)
    publish(store, [quad("c", "four", GRAPH_3)], replace_all=True)
    assert dumped_quads(store) == {quad("c", "four", GRAPH_3)}
    assert store.manifest() == MANIFEST


def test_abort_leaves_the_previous_publication_unchanged(store: Store) -> None:
    publish(store)
    transaction = store.begin(replace_all=True)
    transaction.drop_graphs([GRAPH_1])
    transaction.add_nquads(nquads([quad("z", "never", GRAPH_3)]))
    transaction.abort()
    assert dumped_quads(store) == set(FIRST_BUILD)
    assert store.manifest() == MANIFEST


def test_a_new_manifest_replaces_the_previous_one(store: Store) -> None:
    publish(store)
    second = BuildManifest(
        built_at="2026-02-01T00:00:00Z", base_iri=EX, kgpub_version="test", quads=1, graphs=1
    )
    publish(store, [quad("a", "one", GRAPH_1)], replace_all=True, manifest=second)
    assert store.manifest() == second


def test_malformed_sparql_raises_query_error(store: Store) -> None:
    publish(store)
    with pytest.raises(QueryError):
        store.query("SELECT ?s WHERE { ?s ?p }")


def test_nquads_dump_round_trips_to_the_published_quads(store: Store) -> None:
    publish(store)
    output = io.BytesIO()
    store.dump(output, pyoxigraph.RdfFormat.N_QUADS)
    lines = [line for line in output.getvalue().splitlines() if line]
    assert len(lines) == len(FIRST_BUILD)
    assert set(pyoxigraph.parse(output.getvalue(), format=pyoxigraph.RdfFormat.N_QUADS)) == set(
        FIRST_BUILD
    )


def test_triple_format_dump_writes_a_triple_asserted_twice_once(store: Store) -> None:
    publish(store, [quad("a", "same", GRAPH_1), quad("a", "same", GRAPH_2)])
    output = io.BytesIO()
    store.dump(output, pyoxigraph.RdfFormat.N_TRIPLES)
    lines = [line for line in output.getvalue().splitlines() if line]
    assert lines == [f'<{EX}a> <{EX}says> "same" .'.encode()]


TRICKY_LITERALS = [
    pyoxigraph.Literal("Hassaké, État islamique", language="fr"),
    pyoxigraph.Literal("الحسكة", language="ar"),
    pyoxigraph.Literal('Ghwayran\nprison, "quoted", back\\slash\ttab 😀'),
    pyoxigraph.Literal("2022-01-20", datatype=XSD_DATE),
    pyoxigraph.Literal("prisão", language="pt-br"),
]


def test_non_ascii_literals_and_language_tags_survive(store: Store) -> None:
    published = [
        quad(f"tricky{index}", value, GRAPH_1) for index, value in enumerate(TRICKY_LITERALS)
    ]
    published.append(
        pyoxigraph.Quad(term("café"), term("says"), term("naïve"), pyoxigraph.NamedNode(GRAPH_2))
    )
    publish(store, published)
    assert dumped_quads(store) == set(published)
    solutions = store.query('SELECT ?s WHERE { ?s ?p "الحسكة"@ar }')
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    assert [solution["s"] for solution in solutions] == [term("tricky1")]


def test_the_state_folder_is_published_with_the_build(store: Store) -> None:
    transaction = store.begin(replace_all=True)
    (transaction.state_dir / "records").mkdir()
    (transaction.state_dir / "records" / "sample.json").write_text('{"quads": 3}')
    transaction.add_nquads(nquads(FIRST_BUILD))
    transaction.commit(MANIFEST)
    published = store.state_dir()
    assert published is not None
    assert (published / "records" / "sample.json").read_text() == '{"quads": 3}'


def test_a_change_starts_from_the_published_state_unless_it_replaces_all(store: Store) -> None:
    transaction = store.begin(replace_all=True)
    (transaction.state_dir / "cache.json").write_text("{}")
    transaction.commit(MANIFEST)
    incremental = store.begin(replace_all=False)
    assert (incremental.state_dir / "cache.json").read_text() == "{}"
    incremental.abort()
    full = store.begin(replace_all=True)
    assert list(full.state_dir.iterdir()) == []
    full.abort()
