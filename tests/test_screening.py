"""The set-wise screen never lets through what pySHACL refuses, and lets conforming data pass.

pySHACL is the reference: for every shape case of tests/data/shapes and for graphs damaged at
random (tests/graph_mutations.py), each focus node pySHACL reports must be flagged by the
screen. benchmarks/screen_differential.py runs the same comparison on thousands of graphs.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph
import pytest
from rdflib import Graph

from kgpub import screening
from kgpub.collection import load_collection
from kgpub.iris import IriScheme
from kgpub.mapper import map_collection
from kgpub.screening import Screen, shipped_screen
from kgpub.shape_queries import compile_shapes
from kgpub.validate import union_graph, validate_graph

from .conftest import EXAMPLES
from .graph_mutations import mutated, seed_article_graph
from .test_shapes import ALL_CASES, Case

IRIS = IriScheme("https://example.org/")


def reported_focus_nodes(data: Graph) -> set[str]:
    report = validate_graph(data, screen=False)
    return {result.focus.n3() for result in report.violations}


def screened_focus_nodes(data: Graph) -> set[str] | None:
    screened = shipped_screen().screen([data.serialize(format="nt", encoding="utf-8")])
    if screened is None:
        return None
    return {_n3(node) for node in screened.flagged & screened.described}


def _n3(node: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.Literal) -> str:
    return str(node) if not isinstance(node, pyoxigraph.BlankNode) else f"_:{node.value}"


@pytest.fixture(scope="module")
def seed_graph() -> Graph:
    """The registry and the seed article, mapped: what the first article publishes."""
    return seed_article_graph(IRIS)


def example_shapes(declarations: str) -> Graph:
    """Shapes written in Turtle with the ``sh:`` and ``ex:`` prefixes declared."""
    prefixes = "@prefix sh: <http://www.w3.org/ns/shacl#> .\n@prefix ex: <https://example.org/> .\n"
    return Graph().parse(data=prefixes + declarations, format="turtle")


def test_the_shipped_shapes_compile_without_approximation() -> None:
    assert shipped_screen().queries.approximations == []


@pytest.mark.parametrize("case", ALL_CASES, ids=lambda case: case.id)
def test_the_screen_flags_every_node_pyshacl_reports_in_a_shape_case(case: Case) -> None:
    data = Graph().parse(case.path, format="turtle")
    reported = reported_focus_nodes(data)
    screened = screened_focus_nodes(data)
    if screened is None:  # blank nodes or literals Oxigraph rewrites: pySHACL alone decides
        assert validate_graph(data) == validate_graph(data, screen=False)
        return
    assert reported <= screened, f"missed by the screen: {sorted(reported - screened)}"
    if case.valid:
        assert screened == set(), "a valid case must pass the screen, or builds stay slow"


@pytest.mark.parametrize("seed", range(12))
def test_the_screen_flags_every_node_pyshacl_reports_in_a_damaged_graph(
    seed_graph: Graph, seed: int
) -> None:
    data, damage = mutated(seed_graph, seed)
    reported = reported_focus_nodes(data)
    screened = screened_focus_nodes(data)
    assert screened is not None
    assert reported <= screened, f"after {damage}, missed: {sorted(reported - screened)}"


def test_the_example_collection_passes_the_screen() -> None:
    data = union_graph(map_collection(load_collection(EXAMPLES), iris=IRIS))
    assert screened_focus_nodes(data) == set()


def test_a_sparql_constraint_that_binds_this_only_in_a_filter_is_not_run_set_wise() -> None:
    shapes = example_shapes(
        """
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:sparql [ sh:select "SELECT $this WHERE { ?x ?p ?y . FILTER (?x = $this) }" ] .
        """
    )
    assert compile_shapes(shapes).approximations


def test_a_literal_oxigraph_would_rewrite_is_not_screened() -> None:
    integer = "<http://www.w3.org/2001/XMLSchema#integer>"
    data = f'<https://example.org/a> <https://example.org/p> "01"^^{integer} .\n'.encode()
    assert shipped_screen().screen([data]) is None


def test_blank_nodes_in_the_data_are_not_screened() -> None:
    data = b"_:b0 <https://example.org/p> <https://example.org/a> .\n"
    assert shipped_screen().screen([data]) is None


def test_a_constraint_the_compiler_does_not_know_flags_every_focus_node() -> None:
    shapes = example_shapes(
        """
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:name ; sh:languageIn ( "en" ) ] .
        """
    )
    queries = compile_shapes(shapes)
    assert queries.approximations, "the unknown constraint must be listed"
    kind = "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type>"
    data = f"""<https://example.org/t> <https://example.org/name> "x"@en .
<https://example.org/t> {kind} <https://example.org/Thing> .
""".encode()
    screened = Screen(queries, b"").screen([data])
    assert screened is not None and not screened.conforms


def test_a_focus_node_only_in_the_context_does_not_count() -> None:
    shapes = example_shapes(
        """
        ex:Shape a sh:NodeShape ; sh:targetClass ex:Thing ;
            sh:property [ sh:path ex:name ; sh:minCount 1 ] .
        """
    )
    thing = pyoxigraph.NamedNode("https://example.org/elsewhere")
    kind = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
    context = [pyoxigraph.Quad(thing, kind, pyoxigraph.NamedNode("https://example.org/Thing"))]
    screened = Screen(compile_shapes(shapes), b"").screen([b""], context)
    assert screened is not None
    assert thing in screened.flagged and screened.conforms


def test_compiled_queries_are_kept_in_the_cache_folder_and_read_back(tmp_path: Path) -> None:
    compiled = shipped_screen(tmp_path)
    kept = list(tmp_path.glob("screen-*.json"))
    assert len(kept) == 1
    shipped_screen.cache_clear()
    assert shipped_screen(tmp_path).queries == compiled.queries


def test_a_damaged_cache_file_is_compiled_again(tmp_path: Path) -> None:
    shipped_screen(tmp_path)
    [kept] = tmp_path.glob("screen-*.json")
    kept.write_text("{not json", encoding="utf-8")
    shipped_screen.cache_clear()
    assert shipped_screen(tmp_path).queries == shipped_screen().queries
    assert kept.read_text(encoding="utf-8").startswith("{")


def test_a_kept_screen_is_read_back_without_parsing_the_ontology_again(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    compiled = shipped_screen(tmp_path)
    shipped_screen.cache_clear()

    def parse_ontology() -> Graph:
        raise AssertionError("the kept screen's ontology should have been used")

    monkeypatch.setattr(screening, "ontology_graph", parse_ontology)
    kept = shipped_screen(tmp_path)
    assert kept.queries == compiled.queries
    assert len(kept.background) == len(compiled.background) > 0


def test_a_cache_file_of_queries_alone_is_compiled_again(tmp_path: Path) -> None:
    shipped_screen(tmp_path)
    [kept] = tmp_path.glob("screen-*.json")
    kept.write_text('{"queries": [], "approximations": []}', encoding="utf-8")
    shipped_screen.cache_clear()
    assert shipped_screen(tmp_path).queries == shipped_screen().queries
