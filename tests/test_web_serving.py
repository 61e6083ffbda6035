"""`kgpub serve` as a real server, used by real SPARQL clients; the WSGI factory for gunicorn."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
import rdflib
from click.testing import CliRunner
from rdflib.plugins.stores.sparqlstore import SPARQLStore, SPARQLUpdateStore
from SPARQLWrapper import JSON, POST, TURTLE, SPARQLWrapper

from kgpub.cli import main

from .test_web_fixtures import KG, build_examples

TOKEN = "live-token"  # noqa: S105 - a test value
START_SECONDS = 30.0
STOP_SECONDS = 15.0
FACILITY = rdflib.URIRef(f"{KG}Facility")


def _processes_marked(marker: str) -> list[int]:
    """Processes (the server, its forkserver and query workers) started with ``marker``."""
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            environment = (entry / "environ").read_bytes()
            state = (entry / "stat").read_text(encoding="ascii").split(")")[-1].split()[0]
        except OSError:
            continue
        if f"KGPUB_TEST_MARKER={marker}".encode() in environment and state != "Z":
            found.append(int(entry.name))
    return found


@contextmanager
def serving(root: Path, marker: str, **variables: str) -> Iterator[str]:
    """`kgpub serve` on a free port of 127.0.0.1 until the block ends; yields its base URL."""
    log = root / "serve.log"
    environment = {**os.environ, "KGPUB_TEST_MARKER": marker, **variables}
    with (
        log.open("wb") as stderr,
        subprocess.Popen(
            [sys.executable, "-m", "kgpub", "serve", str(root), "--port", "0"],
            stderr=stderr,
            env=environment,
        ) as server,
    ):
        try:
            deadline = time.monotonic() + START_SECONDS
            while b"\n" not in log.read_bytes() and time.monotonic() < deadline:
                assert server.poll() is None, log.read_text(encoding="utf-8")
                time.sleep(0.1)
            words = log.read_text(encoding="utf-8").split()
            yield next(w for w in words if w.startswith("http://127.0.0.1:")).removesuffix("sparql")
        finally:
            server.terminate()
            server.wait(STOP_SECONDS)


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples, built once for every test here (the servers only add their own graph)."""
    return build_examples(tmp_path_factory.mktemp("live"))


@pytest.fixture(scope="module")
def live(root: Path) -> Iterator[tuple[str, str]]:
    """A served copy of the examples, with writes and federation to itself allowed."""
    marker = uuid.uuid4().hex
    variables = {"KGPUB_UPDATE_TOKEN": TOKEN, "KGPUB_FEDERATION_ALLOWLIST": "127.0.0.1"}
    with serving(root, marker, **variables) as base:
        yield base, marker


def test_the_server_binds_127_0_0_1_by_default(live: tuple[str, str]) -> None:
    assert live[0].startswith("http://127.0.0.1:")


def test_sparqlwrapper_reads_select_answers_by_get_and_by_post(live: tuple[str, str]) -> None:
    client = SPARQLWrapper(live[0] + "sparql")
    client.setQuery('SELECT ?x { ?x <http://www.w3.org/2004/02/skos/core#prefLabel> "Hassaké"@fr }')
    client.setReturnFormat(JSON)
    by_get = client.query().convert()
    client.setMethod(POST)
    by_post = client.query().convert()
    assert by_get == by_post
    assert by_get["results"]["bindings"] == [  # type: ignore[index]
        {"x": {"type": "uri", "value": "https://kg.example.org/id/place/hasakah"}}
    ]


def test_sparqlwrapper_reads_construct_answers_as_turtle(live: tuple[str, str]) -> None:
    client = SPARQLWrapper(live[0] + "sparql")
    client.setQuery(f"CONSTRUCT WHERE {{ ?facility a <{FACILITY}> }}")
    client.setReturnFormat(TURTLE)
    graph = rdflib.Graph().parse(data=client.query().convert(), format="turtle")
    assert len(graph) == 2


def test_rdflibs_sparqlstore_reads_the_dataset_as_a_graph(live: tuple[str, str]) -> None:
    graph = rdflib.Graph(store=SPARQLStore(live[0] + "sparql", returnFormat="json"))
    facilities = set(graph.subjects(rdflib.RDF.type, FACILITY))
    rows = list(graph.query(f"SELECT ?f WHERE {{ ?f a <{FACILITY}> }}"))
    assert len(facilities) == len(rows) == 2
    assert len(graph) > 1000


def test_rdflibs_sparqlupdatestore_writes_with_the_token(live: tuple[str, str]) -> None:
    endpoint = live[0] + "sparql"
    store = SPARQLUpdateStore(
        endpoint, endpoint, headers={"Authorization": f"Bearer {TOKEN}"}, autocommit=True
    )
    notes = rdflib.Graph(store=store, identifier=rdflib.URIRef("https://kg.example.org/graph/live"))
    notes.add((rdflib.URIRef("urn:live"), rdflib.URIRef("urn:p"), rdflib.Literal("é")))
    assert (rdflib.URIRef("urn:live"), None, None) in rdflib.Graph(store=SPARQLStore(endpoint))


def test_an_allow_listed_service_call_is_federated_for_real(live: tuple[str, str]) -> None:
    client = SPARQLWrapper(live[0] + "sparql")
    client.setQuery(
        f"SELECT (COUNT(*) AS ?n) {{ SERVICE <{live[0]}sparql> {{ ?f a <{FACILITY}> }} }}"
    )
    client.setReturnFormat(JSON)
    answer = client.query().convert()
    assert answer["results"]["bindings"][0]["n"]["value"] == "2"  # type: ignore[index]


def test_the_server_and_its_query_workers_stop_together(root: Path) -> None:
    marker = uuid.uuid4().hex
    with serving(root, marker):
        assert len(_processes_marked(marker)) >= 4  # the server, a forkserver, two workers
    deadline = time.monotonic() + STOP_SECONDS
    while _processes_marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert _processes_marked(marker) == []


def test_serve_get_answers_one_request_in_process(runner: CliRunner, root: Path) -> None:
    result = runner.invoke(main, ["serve", str(root), "--get", "/queries/?format=json"])
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["queries"]) > 10
    missing = runner.invoke(main, ["serve", str(root), "--get", "/queries/nope"])
    assert missing.exit_code == 1


def test_serve_has_help_with_an_example(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
