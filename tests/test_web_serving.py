"""`kgpub serve` as a real server, used by real SPARQL clients; the WSGI factory for gunicorn.

granian is the default server; waitress must keep working where it is chosen. Both must bind
127.0.0.1, announce the port they got, refuse oversized bodies and stop every process they
started.
"""

from __future__ import annotations

import http.client
import json
import os
import signal
import subprocess
import sys
import time
import urllib.parse
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
START_SECONDS = 60.0
STOP_SECONDS = 15.0
REQUEST_SECONDS = 30.0
BODY_LIMIT = 20_000
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


def _listening_sockets(port: int) -> int:
    """How many sockets listen on 127.0.0.1:``port`` (from /proc/net/tcp)."""
    count = 0
    for line in Path("/proc/net/tcp").read_text(encoding="ascii").splitlines()[1:]:
        local, state = line.split()[1], line.split()[3]
        if local == f"0100007F:{port:04X}" and state == "0A":
            count += 1
    return count


def _wait_until_running(marker: str, count: int) -> int:
    """How many processes run with ``marker``, once ``count`` do or the start time is over."""
    deadline = time.monotonic() + START_SECONDS
    while len(_processes_marked(marker)) < count and time.monotonic() < deadline:
        time.sleep(0.1)
    return len(_processes_marked(marker))


def _wait_until_gone(marker: str) -> list[int]:
    deadline = time.monotonic() + STOP_SECONDS
    while _processes_marked(marker) and time.monotonic() < deadline:
        time.sleep(0.1)
    return _processes_marked(marker)


@contextmanager
def started_server(
    root: Path, marker: str, **variables: str
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """`kgpub serve` on a free port of 127.0.0.1 until the block ends: its base URL, process."""
    log = root / f"serve-{marker}.log"
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
            while b"serving " not in log.read_bytes() and time.monotonic() < deadline:
                assert server.poll() is None, log.read_text(encoding="utf-8")
                time.sleep(0.1)
            words = log.read_text(encoding="utf-8").split()
            url = next(w for w in words if w.startswith("http://127.0.0.1:"))
            yield url.removesuffix("sparql"), server
        finally:
            if server.poll() is None:
                server.terminate()
            server.wait(STOP_SECONDS)


@contextmanager
def serving(root: Path, marker: str, **variables: str) -> Iterator[str]:
    """`kgpub serve` on a free port of 127.0.0.1 until the block ends; yields its base URL."""
    with started_server(root, marker, **variables) as (base, _):
        yield base


def _request(
    base: str, method: str, path: str, *, body: object = None, headers: dict[str, str]
) -> tuple[int, dict[str, str], bytes]:
    address = urllib.parse.urlsplit(base)
    connection = http.client.HTTPConnection(
        address.hostname or "127.0.0.1", address.port, timeout=REQUEST_SECONDS
    )
    try:
        connection.request(
            method, path, body=body, headers=headers, encode_chunked=not isinstance(body, bytes)
        )
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


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


@pytest.mark.parametrize(
    ("server", "at_least"),
    [
        ("granian", 9),  # this process, then per server process: itself, a forkserver, 2 workers
        ("waitress", 4),  # the server, a forkserver, two query workers
    ],
)
def test_the_server_and_its_query_workers_stop_together(
    root: Path, server: str, at_least: int
) -> None:
    marker = uuid.uuid4().hex
    settings = {"KGPUB_SERVER": server, "KGPUB_PROCESSES": "2", "KGPUB_QUERY_WORKERS": "2"}
    with serving(root, marker, **settings) as base:
        assert _request(base, "GET", "/sparql?query=ASK%7B%7D", headers={})[0] == 200
        assert _wait_until_running(marker, at_least) >= at_least
    assert _wait_until_gone(marker) == []


def test_ctrl_c_stops_every_process_of_the_server(root: Path) -> None:
    marker = uuid.uuid4().hex
    with started_server(root, marker) as (_, server):
        server.send_signal(signal.SIGINT)
        assert server.wait(STOP_SECONDS) == 0
    assert _wait_until_gone(marker) == []


def _rate_tables(marker: str) -> set[Path]:
    """The shared rate-limit tables the processes started with ``marker`` have mapped."""
    tables = set()
    for pid in _processes_marked(marker):
        try:
            maps = Path(f"/proc/{pid}/maps").read_text(encoding="utf-8")
        except OSError:
            continue
        tables |= {Path(line.split()[-1]) for line in maps.splitlines() if "kgpub-rate-" in line}
    return tables


def test_server_processes_stop_when_the_server_is_killed_with_sigkill(root: Path) -> None:
    marker = uuid.uuid4().hex
    with started_server(root, marker, KGPUB_SERVER="granian") as (base, server):
        assert _wait_until_running(marker, 9) >= 9
        _request(base, "GET", "/", headers={})  # the rate limit is on: the table is in use
        tables = _rate_tables(marker)
        server.kill()  # no chance to stop anything: its processes must notice by themselves
        server.wait(STOP_SECONDS)
    assert _wait_until_gone(marker) == []
    assert len(tables) == 1 and not next(iter(tables)).exists()  # nor left their table behind


def test_every_server_process_listens_on_the_announced_port(live: tuple[str, str]) -> None:
    port = urllib.parse.urlsplit(live[0]).port
    assert port is not None and port != 0
    assert _listening_sockets(port) == 2  # granian's two server processes, by default


def test_granians_server_processes_share_one_rate_limit_per_client(root: Path) -> None:
    # a token back every 100 s: none comes back during the test
    limited = {"KGPUB_RATE_LIMIT": "0.01", "KGPUB_RATE_BURST": "4"}
    with serving(root, uuid.uuid4().hex, **limited) as base:
        port = urllib.parse.urlsplit(base).port
        assert port is not None
        deadline = time.monotonic() + START_SECONDS
        while _listening_sockets(port) < 2 and time.monotonic() < deadline:
            time.sleep(0.1)  # both processes take connections: each request is a new one
        statuses = [_request(base, "GET", "/", headers={})[0] for _ in range(16)]
    assert statuses == [200] * 4 + [429] * 12


@pytest.fixture(scope="module", params=["granian", "waitress"])
def guarded(root: Path, request: pytest.FixtureRequest) -> Iterator[str]:
    """A server with a small body limit, writes allowed, and a token in its environment."""
    variables = {
        "KGPUB_SERVER": request.param,
        "KGPUB_MAX_REQUEST_BYTES": str(BODY_LIMIT),
        "KGPUB_UPDATE_TOKEN": TOKEN,
        # Variables named like request headers must never pass for headers a client sent.
        "HTTP_AUTHORIZATION": f"Bearer {TOKEN}",
        "HTTP_ACCEPT": "text/csv",
    }
    with serving(root, uuid.uuid4().hex, **variables) as base:
        yield base


def test_a_body_over_the_limit_is_refused_with_413_whether_sized_or_chunked(
    guarded: str,
) -> None:
    query = f"ASK {{}} #{'x' * BODY_LIMIT}".encode()
    sparql = {"Content-Type": "application/sparql-query"}
    sized = _request(guarded, "POST", "/sparql", body=query, headers=sparql)
    chunked = _request(
        guarded, "POST", "/sparql", body=iter([query[:100], query[100:]]), headers=sparql
    )
    small = _request(guarded, "POST", "/sparql", body=b"ASK {}", headers=sparql)
    assert (sized[0], chunked[0], small[0]) == (413, 413, 200)


def test_the_servers_environment_never_poses_as_a_request_header(guarded: str) -> None:
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    update = "INSERT DATA { GRAPH <https://kg.example.org/graph/guard> { <urn:a> <urn:b> 1 } }"
    body = urllib.parse.urlencode({"update": update}).encode()
    assert _request(guarded, "POST", "/sparql", body=body, headers=form)[0] == 401
    ask = "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})
    assert _request(guarded, "GET", ask, headers={})[1]["content-type"].startswith(
        "application/sparql-results+json"  # the default, not the CSV of HTTP_ACCEPT
    )
    tsv = _request(guarded, "GET", ask, headers={"Accept": "text/tab-separated-values"})
    assert tsv[1]["content-type"].startswith("text/tab-separated-values")


def test_a_document_asked_again_gets_the_same_answer_but_its_date(live: tuple[str, str]) -> None:
    path = "/doc/facility/ghwayran-prison.html"
    answers = [_request(live[0], "GET", path, headers={"Accept": "text/html"}) for _ in range(4)]
    for status, headers, body in answers:
        headers.pop("date")
        assert (status, headers, body) == answers[0]


def test_serve_get_answers_one_request_in_process(runner: CliRunner, root: Path) -> None:
    result = runner.invoke(main, ["serve", str(root), "--get", "/queries/?format=json"])
    assert result.exit_code == 0, result.stderr
    assert len(json.loads(result.stdout)["queries"]) > 10
    missing = runner.invoke(main, ["serve", str(root), "--get", "/queries/nope"])
    assert missing.exit_code == 1


def test_serve_has_help_with_an_example(runner: CliRunner) -> None:
    result = runner.invoke(main, ["serve", "--help"])
    assert result.exit_code == 0 and "Example:" in result.output
