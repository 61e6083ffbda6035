"""Validation loads pySHACL and rdflib's SPARQL engine only when pySHACL runs, then as before."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from rdflib import RDF, Graph, Literal, URIRef
from rdflib.plugins.sparql.processor import SPARQLProcessor

from kgpub.validate import PreparedQueryProcessor, validate_graph
from kgpub.vocab import KG

from .conftest import ARTICLE, write_collection

EX = "https://example.org/"
BUILD_AND_LIST_MODULES = """\
import sys
from pathlib import Path
from kgpub.build import build_collection
from kgpub.config_loading import load_settings
root = Path(sys.argv[1])
summary = build_collection(root, load_settings(root, env={}))
print(summary.published, summary.remapped, sorted(m for m in sys.argv[2:] if m in sys.modules))
"""
DEFERRED = ["pyshacl", "rdflib.plugins.sparql", "pyparsing"]


def build_listing_deferred_modules(root: Path) -> str:
    command = [sys.executable, "-c", BUILD_AND_LIST_MODULES, str(root), *DEFERRED]
    return subprocess.run(command, capture_output=True, text=True, check=True).stdout.strip()


@pytest.mark.slow
def test_a_build_whose_articles_pass_the_kept_screen_loads_no_pyshacl_nor_sparql_parser(
    tmp_path: Path,
) -> None:
    root = write_collection(tmp_path / "collection", sample=ARTICLE)
    first = build_listing_deferred_modules(root)  # compiles the screen, with rdflib's parser
    assert first.startswith("True 1 ")
    assert "pyshacl" not in first
    (root / "articles" / "sample.yaml").write_text(ARTICLE + "# edited\n", encoding="utf-8")
    assert build_listing_deferred_modules(root) == "True 1 []"


def test_data_the_screen_flags_is_validated_by_pyshacl_all_the_same() -> None:
    article = URIRef(f"{EX}article")
    data = Graph()
    data.add((article, RDF.type, KG.Article))  # an article without a title, publisher, …
    report = validate_graph(data)
    assert report == validate_graph(data, screen=False)
    assert not report.conforms
    assert {result.focus for result in report.violations} == {article}


def test_a_prepared_query_answers_as_rdflib_s_own_processor_every_time() -> None:
    graph = Graph()
    for number in range(3):
        graph.add((URIRef(f"{EX}n{number}"), URIRef(f"{EX}value"), Literal(number)))
    text = "SELECT ?node WHERE { ?node <https://example.org/value> ?value FILTER (?value > 0) }"
    expected = set(graph.query(text, processor=SPARQLProcessor(graph)))
    assert set(graph.query(text)) == expected  # through kgpub's processor, rdflib's default
    assert set(graph.query(text, processor=PreparedQueryProcessor(graph))) == expected
    assert len(expected) == 2
