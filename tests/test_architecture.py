"""The dependency rule: model → iris/vocab → mapper → validate/store/export → web, cli."""

from __future__ import annotations

import subprocess
import sys

import pytest


@pytest.mark.parametrize(
    ("module", "forbidden"),
    [
        ("kgpub.model", ("rdflib", "pyshacl", "flask", "click")),
        ("kgpub.field_types", ("rdflib", "pyshacl", "flask", "click")),
        ("kgpub.entity_kinds", ("rdflib", "pyshacl", "flask", "click")),
        ("kgpub.assertions", ("rdflib", "pyshacl", "flask", "click")),
        ("kgpub.mapper", ("pyshacl", "flask", "click")),
        ("kgpub.assertion_mapping", ("kgpub.mapper", "pyshacl", "flask", "click")),
        ("kgpub.mapped_graphs", ("pyoxigraph", "pyshacl", "flask", "click")),
        ("kgpub.quads", ("pyshacl", "flask", "click")),
        # `kgpub build` loads pySHACL and rdflib's SPARQL parser only if the screen flags data
        # or the shapes are compiled again (kgpub.validate), and the remote store only if used.
        ("kgpub.build", ("pyshacl", "rdflib.plugins.sparql", "kgpub.remote", "flask", "click")),
        ("kgpub.validate", ("pyshacl", "rdflib.plugins.sparql", "flask", "click")),
        ("kgpub.build_waves", ("kgpub.build", "flask", "click")),
        ("kgpub.store", ("kgpub.remote", "SPARQLWrapper", "pyshacl", "flask", "click")),
        ("kgpub.embedded", ("rdflib", "pyshacl", "flask", "click")),
        (
            "kgpub.embedded_layout",
            ("kgpub.embedded", "pyoxigraph", "rdflib", "pyshacl", "flask", "click"),
        ),
        ("kgpub.embedded_transaction", ("kgpub.embedded", "rdflib", "pyshacl", "flask", "click")),
        (
            "kgpub.document_times",
            ("kgpub.embedded", "kgpub.web", "rdflib", "pyshacl", "flask", "click"),
        ),
        ("kgpub.remote", ("pyshacl", "flask", "click")),
        ("kgpub.sparql_client", ("kgpub.remote", "pyshacl", "flask", "click")),
        ("kgpub.remote_bookkeeping", ("kgpub.remote", "pyshacl", "flask", "click")),
        ("kgpub.remote_publish", ("kgpub.remote", "pyshacl", "flask", "click")),
        ("kgpub.buildstate", ("pyshacl", "flask", "click")),
        ("kgpub.article_records", ("kgpub.buildstate", "pyshacl", "flask", "click")),
        ("kgpub.buildplan", ("pyshacl", "flask", "click")),
        ("kgpub.registry_cache", ("pyshacl", "flask", "click")),
        ("kgpub.store_cache", ("rdflib", "pyoxigraph", "pyshacl", "flask", "click")),
        # `kgpub build` runs after every edit: the web app is loaded by `kgpub serve` alone.
        ("kgpub.cli", ("kgpub.web", "flask", "pyld", "waitress", "granian", "pyshacl")),
        ("kgpub.cli_options", ("kgpub.cli", "kgpub.web", "flask", "pyld", "waitress", "granian")),
        ("kgpub.cli_publishing", ("kgpub.cli", "kgpub.web", "flask", "pyld", "granian")),
        ("kgpub.cli_serving", ("kgpub.cli", "kgpub.web", "flask", "pyld", "waitress", "granian")),
        ("kgpub.config", ("pyshacl", "flask", "click")),
        ("kgpub.config_loading", ("pyshacl", "flask", "click")),
        ("kgpub.stats", ("pyshacl", "flask", "click")),
        ("kgpub.mirror", ("pyshacl", "flask", "click")),
        ("kgpub.merges", ("pyshacl", "flask", "click")),
        ("kgpub.removals", ("pyshacl", "flask", "click")),
        ("kgpub.dumps", ("pyshacl", "flask", "click")),
        ("kgpub.dump_publication", ("pyshacl", "flask", "click")),
        ("kgpub.dump_changes", ("pyshacl", "flask", "click")),
        ("kgpub.dump_sorting", ("pyshacl", "flask", "click")),
        ("kgpub.dump_parts", ("pyshacl", "flask", "click")),
        ("kgpub.dump_quads", ("pyshacl", "flask", "click")),
        ("kgpub.dump_triples", ("pyshacl", "flask", "click")),
        ("kgpub.dump_pieces", ("pyshacl", "flask", "click")),
        ("kgpub.dump_packs", ("pyshacl", "flask", "click")),
        ("kgpub.dump_volumes", ("pyshacl", "flask", "click")),
        ("kgpub.joined_files", ("pyshacl", "flask", "click", "pyoxigraph")),
        ("kgpub.dump_syntax", ("pyshacl", "flask", "click")),
        ("kgpub.dump_terms", ("pyshacl", "flask", "click")),
        ("kgpub.dump_assembly", ("pyshacl", "flask", "click")),
        ("kgpub.dump_catalog", ("pyshacl", "flask", "click")),
        ("kgpub.void", ("pyshacl", "flask", "click")),
        ("kgpub.context_terms", ("pyld", "pyshacl", "flask", "click")),
        ("kgpub.jsonld_context", ("pyshacl", "flask", "click")),
        ("kgpub.shape_terms", ("rdflib.plugins.sparql", "pyshacl", "pyoxigraph", "flask", "click")),
        ("kgpub.shape_conformance", ("pyshacl", "pyoxigraph", "flask", "click")),
        ("kgpub.shape_queries", ("pyshacl", "pyoxigraph", "flask", "click")),
        ("kgpub.screening", ("pyshacl", "flask", "click")),
        ("kgpub.web.serving", ("flask", "waitress", "granian")),
        ("kgpub.web.granian_serving", ("flask", "waitress")),
        ("kgpub.web.request_guard", ("flask", "click", "pyshacl")),
        ("kgpub.web.remote_quads", ("flask", "click", "pyshacl")),
        ("kgpub.web", ("flask", "click", "waitress")),
        ("kgpub.web.query_worker", ("flask", "click", "waitress", "pyshacl")),
        ("kgpub.web.query_pool", ("flask", "click", "waitress", "pyshacl")),
        ("kgpub.web.negotiation", ("flask", "click", "pyshacl")),
        ("kgpub.web.canned_queries", ("flask", "click", "pyshacl")),
        ("kgpub.web.search_index", ("flask", "click", "pyshacl")),
        ("kgpub.web.article_facts", ("flask", "click", "pyshacl")),
        ("kgpub.web.ontology_terms", ("flask", "click", "pyshacl")),
        ("kgpub.web.concept_facts", ("flask", "click", "pyshacl")),
        ("kgpub.web.vocabulary_documents", ("flask", "click", "pyshacl")),
        ("kgpub.web.retired_iris", ("flask", "click", "pyshacl")),
        ("kgpub.web.body_nesting", ("flask", "click", "pyshacl")),
        ("kgpub.web.app", ("waitress", "pyshacl")),  # Flask itself loads click
    ],
)
def test_lower_layers_do_not_import_upper_ones(module: str, forbidden: tuple[str, ...]) -> None:
    code = f"import sys, {module}; print(sorted(m for m in {forbidden!r} if m in sys.modules))"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "[]"
