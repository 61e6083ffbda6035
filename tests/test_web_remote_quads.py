"""Linked Data read from a real Oxigraph server: the same answers as the embedded store.

The examples are built once into the embedded store and pushed to the server, so both
backends publish the same build (the same ``built_at`` too), and every answer must be the
same bytes. The remote app reaches the server through a recording proxy, so tests can count
and read the queries it sends.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import urllib.parse
from collections.abc import Iterator
from contextlib import closing, contextmanager
from datetime import datetime
from pathlib import Path

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient
from tests.remote_server import (
    OxigraphServer,
    RecordingProxy,
    free_port,
    running_oxigraph,
    running_proxy,
)

from kgpub.backend import WHOLE_STORE, Dataset, QueryResult
from kgpub.build import build_collection
from kgpub.config_loading import load_settings
from kgpub.embedded import EmbeddedStore
from kgpub.errors import StoreError
from kgpub.mirror import push
from kgpub.remote import RemoteStore
from kgpub.vocab import VOCAB_BASE
from kgpub.web.document_cache import EXTENSION_KEY as DOCUMENT_CACHE
from kgpub.web.remote_quads import CHECKED_ROWS, Neighbourhood, sparql_iri

from .conftest import ARTICLE, write_collection
from .test_benchmarks_corpus import load_corpus_module
from .test_web_fixtures import build_examples, running_app

BASE = "https://kg.example.org/"
FORMATS = ("ttl", "nt", "nq", "trig", "jsonld", "rdf", "html")
RDF_TYPE = pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
APPEARANCE = pyoxigraph.NamedNode("https://schema.org/appearance")


def remote_settings(base_url: str) -> dict[str, str]:
    """The settings of an app serving the SPARQL server at ``base_url``."""
    return {
        "backend": "remote",
        "remote_query_url": f"{base_url}/query",
        "remote_update_url": f"{base_url}/update",
        "remote_timeout": "10",
    }


def publish_to(server: OxigraphServer, root: Path) -> None:
    """Push the embedded build of the collection at ``root`` to ``server``."""
    with (
        closing(EmbeddedStore(root / ".kgpub" / "store")) as local,
        closing(RemoteStore(server.query_url, server.update_url)) as remote,
    ):
        push(local, remote)


def queries_sent(proxy: RecordingProxy) -> list[str]:
    """The SPARQL text of every query the proxy forwarded, and forget them."""
    sent = [
        urllib.parse.parse_qs(request.body.decode())["query"][0]
        for request in proxy.requests
        if request.method == "POST"
    ]
    proxy.requests.clear()
    return sent


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory, oxigraph: OxigraphServer) -> Path:
    """The examples, built into the embedded store and pushed to the server."""
    root = build_examples(tmp_path_factory.mktemp("remote-web"))
    oxigraph.clear()
    publish_to(oxigraph, root)
    return root


@pytest.fixture(scope="module")
def proxy(oxigraph: OxigraphServer) -> Iterator[RecordingProxy]:
    """A proxy recording every request the remote app sends to the server."""
    with running_proxy(RecordingProxy(target=oxigraph.base_url)) as found:
        yield found


@pytest.fixture(scope="module")
def embedded_client(published: Path) -> Iterator[FlaskClient]:
    """A client of an app serving the embedded store."""
    with running_app(published, query_workers="1") as app:
        yield app.test_client()


@pytest.fixture(scope="module")
def remote_app(published: Path, proxy: RecordingProxy) -> Iterator[Flask]:
    """An app serving the same build from the server, through :func:`proxy`."""
    with running_app(published, query_workers="1", **remote_settings(proxy.base_url)) as app:
        yield app


@pytest.fixture
def remote_client(remote_app: Flask) -> FlaskClient:
    """A client of :func:`remote_app`, whose kept documents are forgotten first."""
    remote_app.extensions[DOCUMENT_CACHE].clear()
    return remote_app.test_client()


def published_paths(root: Path) -> dict[str, list[str]]:
    """The ``/doc/`` paths (without extension) of every resource, by kind, and the vocabulary's."""
    with closing(EmbeddedStore(root / ".kgpub" / "store")) as store:
        subjects = {
            quad.subject.value
            for quad in store.database().quads_for_pattern(None, RDF_TYPE, None, None)
            if isinstance(quad.subject, pyoxigraph.NamedNode) and "#" not in quad.subject.value
        }
    paths: dict[str, list[str]] = {"ontology": ["/ont"]}
    for iri in sorted(subjects):
        if iri.startswith(f"{BASE}id/"):
            rest = iri.removeprefix(f"{BASE}id/")
            paths.setdefault(rest.split("/")[0], []).append(f"/doc/{rest}")
        elif iri.startswith(VOCAB_BASE):
            paths.setdefault("vocabulary", []).append(f"/vocab/{iri.removeprefix(VOCAB_BASE)}")
    return paths


def assert_same_answer(
    embedded: FlaskClient, remote: FlaskClient, url: str, **headers: str
) -> None:
    mine, theirs = embedded.get(url, headers=headers), remote.get(url, headers=headers)
    assert theirs.status_code == mine.status_code, url
    for name in ("Content-Type", "ETag", "Last-Modified", "Location", "Link", "Vary"):
        assert theirs.headers.get(name) == mine.headers.get(name), (url, name)
    assert theirs.data == mine.data, url


def test_every_resource_s_quads_and_page_are_the_same_bytes_read_from_the_server(
    published: Path, embedded_client: FlaskClient, remote_client: FlaskClient
) -> None:
    paths = published_paths(published)
    assert {"article", "claim", "observation", "organization", "event", "vocabulary"} <= set(paths)
    for found in paths.values():
        for path in found:
            for extension in ("nq", "html"):
                assert_same_answer(embedded_client, remote_client, f"{path}.{extension}")


@pytest.mark.parametrize("extension", FORMATS)
def test_one_resource_of_each_kind_is_the_same_in_every_format(
    published: Path, embedded_client: FlaskClient, remote_client: FlaskClient, extension: str
) -> None:
    for found in published_paths(published).values():
        assert_same_answer(embedded_client, remote_client, f"{found[-1]}.{extension}")


@pytest.mark.parametrize(
    ("url", "accept"),
    [
        ("/id/facility/ghwayran-prison", "text/html"),
        ("/id/article/lemonde-2022-01-ghwayran", "application/ld+json"),
        ("/id/facility/ghwayran-prison?format=nq", ""),
        ("/ont", "text/turtle"),
        ("/vocab/stance/affirms", "text/html"),
        ("/id/facility/no-such-prison", "text/html"),
        ("/id/facility/no-such-prison", ""),
        ("/doc/facility/no-such-prison.ttl", ""),
        ("/doc/facility/ghwayran-prison.exe", ""),
        ("/vocab/stance/no-such-stance.ttl", ""),
        ("/doc/article/lemonde-2022-01-ghwayran.html?lang=fr", "text/html"),
    ],
)
def test_redirects_and_not_found_answers_are_the_same(
    embedded_client: FlaskClient, remote_client: FlaskClient, url: str, accept: str
) -> None:
    headers = {"Accept": accept} if accept else {}
    assert_same_answer(embedded_client, remote_client, url, **headers)


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/doc/organization/sdf.html", 3),
        ("/doc/article/lemonde-2022-01-ghwayran.html", 3),
        ("/doc/claim/lemonde-2022-01-ghwayran/4b81bbb22b294883.html", 3),
        ("/doc/claim/lemonde-2022-01-ghwayran/4b81bbb22b294883.ttl", 3),
        ("/doc/facility/ghwayran-prison.jsonld", 3),
        ("/vocab/stance.html", 3),
    ],
)
def test_a_page_costs_a_few_queries_and_a_kept_one_only_the_publication_s(
    remote_client: FlaskClient, proxy: RecordingProxy, path: str, most: int
) -> None:
    queries_sent(proxy)
    assert remote_client.get(path).status_code == 200
    assert 2 <= len(queries_sent(proxy)) <= most
    assert remote_client.get(path).status_code == 200
    (publication,) = queries_sent(proxy)  # which keys the kept page
    assert "urn:kgpub:manifest" in publication


def test_a_redirect_costs_two_queries(remote_client: FlaskClient, proxy: RecordingProxy) -> None:
    queries_sent(proxy)
    assert remote_client.get("/id/organization/sdf").status_code == 303
    assert len(queries_sent(proxy)) == 2


HOSTILE = ("a%3Eb", "a%7D%20UNION%20%7B", "a%0Ab", "a%22b", "a%5Cu003E", "a%5Cu007D", "a%20b")
"""Paths that can be no IRI: ``>``, ``}``, a newline, a quote, ``\\u`` escapes, a space."""
ODD = ("it%27s", "caf%C3%A9", "a%25%32%32b", "a%E2%80%A8b", "sdf%23x")
"""Paths that are IRIs with unusual characters: a quote, é, ``%22`` as text, U+2028, ``#``."""


@pytest.mark.attack
@pytest.mark.parametrize("rest", HOSTILE)
@pytest.mark.parametrize("template", ["/id/organization/{}", "/doc/organization/{}.ttl"])
def test_a_path_that_is_no_iri_sends_nothing_to_the_server(
    remote_client: FlaskClient, proxy: RecordingProxy, template: str, rest: str
) -> None:
    queries_sent(proxy)
    assert remote_client.get(template.format(rest)).status_code == 404
    assert queries_sent(proxy) == []


@pytest.mark.attack
@pytest.mark.parametrize("rest", ODD)
@pytest.mark.parametrize(
    "template", ["/id/organization/{}", "/doc/organization/{}.nq", "/doc/organization/{}.html"]
)
def test_an_iri_from_the_url_is_only_ever_one_iri_term_in_the_queries(
    remote_client: FlaskClient, proxy: RecordingProxy, template: str, rest: str
) -> None:
    """The queries for an odd IRI are those for a plain one with only the IRI changed."""
    odd = f"{BASE}id/organization/{urllib.parse.unquote(rest)}"
    plain = f"{BASE}id/organization/plain"
    remote_client.get(template.format("plain"))  # the build state is downloaded once
    queries_sent(proxy)
    assert remote_client.get(template.format("plain")).status_code == 404
    expected = queries_sent(proxy)
    assert remote_client.get(template.format(rest)).status_code == 404
    sent = queries_sent(proxy)
    assert len(expected) >= 2
    assert [query.replace(f"<{odd}>", f"<{plain}>") for query in sent] == expected
    assert all(odd not in query.replace(f"<{odd}>", "") for query in sent)


@pytest.mark.parametrize("character", ['"', ">", "}", "{", "\\", "\n", " ", "|", "^", "`"])
def test_no_iri_holding_a_character_sparql_forbids_is_written(character: str) -> None:
    class Unchecked:  # pyoxigraph refuses these characters, so give the text directly
        value = f"{BASE}id/a{character}b"

    with pytest.raises(StoreError, match="SPARQL cannot write"):
        sparql_iri(Unchecked())  # type: ignore[arg-type]


def test_search_finds_the_same_hits_on_the_server(
    embedded_client: FlaskClient, remote_client: FlaskClient
) -> None:
    for text in ("OSDH", "hassake", "ghwayran", "a", "syrie", "état islamique"):
        for language in ("en", "fr"):
            url = f"/search.json?q={urllib.parse.quote(text)}&limit=100&lang={language}"
            assert_same_answer(embedded_client, remote_client, url)
    assert_same_answer(embedded_client, remote_client, "/search?q=osdh", Accept="text/html")
    assert json.loads(remote_client.get("/search.json?q=osdh").data)["hits"]


@pytest.mark.parametrize("extension", ["trig", "nq"])
def test_an_article_s_graphs_are_the_same_bytes_from_the_server(
    embedded_client: FlaskClient, remote_client: FlaskClient, extension: str
) -> None:
    for key in ("lemonde-2022-01-ghwayran", "sohr-2022-01-sinaa-report", "no-such-article"):
        assert_same_answer(embedded_client, remote_client, f"/dumps/articles/{key}.{extension}")


def test_the_home_page_figures_and_the_sitemap_are_the_same_from_the_server(
    embedded_client: FlaskClient, remote_client: FlaskClient
) -> None:
    assert_same_answer(embedded_client, remote_client, "/sitemap.xml")
    assert_same_answer(embedded_client, remote_client, "/")
    assert "Articles" in remote_client.get("/").text


RARE_LINKS = ("deniedBy", "custodian", "statedOn", "supersedes", "contradicts", "affiliation")
"""Properties the examples never use, which the synthetic corpus does."""


def test_denials_custodians_and_superseded_claims_are_shown_the_same_from_the_server(
    tmp_path: Path,
) -> None:
    root = tmp_path / "corpus"
    load_corpus_module().generate_corpus(root, 80)
    build(root)
    with closing(EmbeddedStore(root / ".kgpub" / "store")) as store:
        database = store.database()
        linked = [
            quad
            for name in RARE_LINKS
            for quad in database.quads_for_pattern(
                None, pyoxigraph.NamedNode(f"https://w3id.org/kgpub/ont#{name}"), None, None
            )
        ]
        resources = {quad.subject for quad in linked} | {quad.object for quad in linked}
        resources |= {quad.graph_name for quad in linked}  # the claims whose graphs say them
        resources |= {
            quad.object
            for resource in list(resources)
            if isinstance(resource, pyoxigraph.NamedNode)
            for quad in database.quads_for_pattern(resource, APPEARANCE, None, None)
        }
    paths = sorted(
        f"/doc/{resource.value.removeprefix(f'{BASE}id/')}"
        for resource in resources
        if isinstance(resource, pyoxigraph.NamedNode) and resource.value.startswith(f"{BASE}id/")
    )
    assert len(linked) >= 20 and len(paths) >= 40
    with running_oxigraph(tmp_path) as server:
        publish_to(server, root)
        with (
            running_app(root, query_workers="1") as embedded,
            running_app(root, query_workers="1", **remote_settings(server.base_url)) as remote,
        ):
            for path in paths:
                for extension in ("html", "nq"):
                    assert_same_answer(
                        embedded.test_client(), remote.test_client(), f"{path}.{extension}"
                    )


def build(root: Path) -> None:
    summary = build_collection(root, load_settings(root, env={}))
    assert summary.published, summary.describe()


def test_a_republication_is_served_at_once_though_pages_are_kept(tmp_path: Path) -> None:
    root = write_collection(tmp_path / "collection", sample=ARTICLE)
    build(root)
    with running_oxigraph(tmp_path) as server:
        publish_to(server, root)
        with running_app(root, query_workers="1", **remote_settings(server.base_url)) as app:
            client = app.test_client()
            url = "/doc/article/sample.html"
            first = client.get(url)
            assert "Jihadists escape" in first.text
            assert client.get(url).headers["ETag"] == first.headers["ETag"]
            article = root / "articles" / "sample.yaml"
            article.write_text(article.read_text().replace("Jihadists escape", "Jihadists flee"))
            build(root)
            publish_to(server, root)
            again = client.get(url)
            assert "Jihadists flee" in again.text
            assert again.headers["ETag"] != first.headers["ETag"]
            send_update(server, MARK_AND_RETITLE)  # a publication under way, changing a graph
            assert "Jihadists run" in client.get(url).text


def test_a_write_through_the_app_is_served_at_once_and_dates_the_data(tmp_path: Path) -> None:
    root = write_collection(tmp_path / "collection", sample=ARTICLE)
    build(root)
    token = "a-token-long-enough-for-writes"  # noqa: S105 - a test value
    with running_oxigraph(tmp_path) as server:
        publish_to(server, root)
        settings = {**remote_settings(server.base_url), "update_token": token}
        with running_app(root, query_workers="1", **settings) as app:
            client = app.test_client()
            url = "/doc/article/sample.ttl"
            first = client.get(url)
            assert "Jihadists escape" in first.text
            article = f"{BASE}id/article/sample"
            update = f"INSERT DATA {{ GRAPH <urn:notes> {{ <{article}> <urn:by> 'a reader' }} }}"
            authorized = {"Authorization": f"Bearer {token}"}
            written = client.post("/sparql", data={"update": update}, headers=authorized)
            assert written.status_code == 200, written.text
            again = client.get(url)
            assert "a reader" in again.text
            assert again.headers["ETag"] != first.headers["ETag"]
            with closing(RemoteStore(server.query_url, server.update_url)) as store:
                manifest = store.manifest()
            assert manifest is not None
            changed_at = datetime.fromisoformat(manifest.changed_at)
            assert changed_at > datetime.fromisoformat(manifest.built_at)


MARK_AND_RETITLE = f"""
DELETE WHERE {{ GRAPH <{BASE}graph/article/sample> {{
  <{BASE}id/article/sample> <https://schema.org/headline> ?headline }} }} ;
INSERT DATA {{
  GRAPH <{BASE}graph/article/sample> {{
    <{BASE}id/article/sample> <https://schema.org/headline> "Jihadists run"@en }}
  GRAPH <urn:kgpub:build> {{ <urn:kgpub:build> <urn:kgpub:publishing> "2099-01-01T00:00:00Z" }}
}}"""
"""What a publication under way looks like to readers: a graph changed, the manifest not yet."""


def send_update(server: OxigraphServer, update: str) -> None:
    with closing(RemoteStore(server.query_url, server.update_url)) as store:
        store.send_update(update.encode())


@pytest.mark.parametrize("failure", ["unreachable", "silent", "failing"])
def test_a_server_that_fails_answers_503_naming_it_and_never_the_password(
    published: Path, failure: str
) -> None:
    with server_that_fails(failure) as base_url:
        settings = remote_settings(base_url)
        settings.update(remote_timeout="0.5", remote_user="kgpub", remote_password=PASSWORD)
        with running_app(published, query_workers="1", **settings) as app:
            client = app.test_client()
            for url, accept in FAILING_REQUESTS:
                response = client.get(url, headers={"Accept": accept})
                assert response.status_code == 503, url
                assert f"{base_url}/query" in response.text, url
                assert PASSWORD not in response.text and "Traceback" not in response.text
                expected = {"text/html": "text/html", "application/json": "application/json"}
                assert response.mimetype == expected.get(accept, "text/plain"), url
            answer = json.loads(client.get("/search.json?q=osdh").data)
            assert (answer["ok"], answer["status"]) == (False, 503)


PASSWORD = "hunter2-SECRET"  # noqa: S105 - a test password that must never be shown
FAILING_REQUESTS = [
    ("/id/organization/sdf", "text/html"),
    ("/doc/organization/sdf.html", "text/html"),
    ("/doc/organization/sdf.ttl", "text/turtle"),
    ("/doc/claim/lemonde-2022-01-ghwayran/4b81bbb22b294883.nq", "*/*"),
    ("/ont.ttl", "text/turtle"),
    ("/search?q=osdh", "text/html"),
    ("/search?q=osdh", "application/json"),
    ("/dumps/articles/lemonde-2022-01-ghwayran.trig", "*/*"),
]


@contextmanager
def server_that_fails(failure: str) -> Iterator[str]:
    """The base URL of a server that cannot be reached, never answers, or answers 500."""
    if failure == "unreachable":
        yield f"http://127.0.0.1:{free_port()}"
    elif failure == "silent":
        with socket.socket() as silent:  # accepts connections, never answers
            silent.bind(("127.0.0.1", 0))
            silent.listen(8)
            yield f"http://127.0.0.1:{silent.getsockname()[1]}"
    else:
        with running_proxy(RecordingProxy(status=500, body=b"out of memory")) as proxy:
            yield proxy.base_url


class CuttingStore(RemoteStore):
    """A server that sends at most :data:`CHECKED_ROWS` rows, as Virtuoso's default does."""

    def query(self, sparql: str, *, dataset: Dataset = WHOLE_STORE) -> QueryResult:
        found = super().query(sparql, dataset=dataset)
        if not isinstance(found, pyoxigraph.QuerySolutions):
            return found
        data = json.loads(found.serialize(format=pyoxigraph.QueryResultsFormat.JSON) or b"{}")
        data["results"]["bindings"] = data["results"]["bindings"][:CHECKED_ROWS]
        body = json.dumps(data).encode()
        return pyoxigraph.parse_query_results(body, pyoxigraph.QueryResultsFormat.JSON)


def test_an_answer_the_server_cut_short_is_refused_rather_than_shown(tmp_path: Path) -> None:
    target = pyoxigraph.NamedNode(f"{BASE}id/place/everywhere")
    linked = [
        pyoxigraph.Triple(
            pyoxigraph.NamedNode(f"{BASE}id/event/e{number}"),
            pyoxigraph.NamedNode("https://w3id.org/kgpub/ont#place"),
            target,
        )
        for number in range(CHECKED_ROWS + 1)
    ]
    data = (pyoxigraph.serialize(linked, format=pyoxigraph.RdfFormat.N_TRIPLES) or b"").decode()
    with running_oxigraph(tmp_path) as server:
        send_update(server, f"INSERT DATA {{ GRAPH <{BASE}graph/entities> {{ {data} }} }}")
        whole = Neighbourhood(RemoteStore(server.query_url, server.update_url))
        whole.point_at([target])
        whole.fetch()
        assert (len(whole.store), whole.queries) == (CHECKED_ROWS + 1, 2)
        cut = Neighbourhood(CuttingStore(server.query_url, server.update_url))
        cut.point_at([target])
        with pytest.raises(StoreError, match=f"sent {CHECKED_ROWS} of the {CHECKED_ROWS + 1} rows"):
            cut.fetch()


@pytest.mark.parametrize(
    "module", ["kgpub.web.remote_quads", "kgpub.web.neighbourhoods", "kgpub.web.per_build"]
)
def test_reading_a_remote_server_needs_no_flask(module: str) -> None:
    code = f"import sys, {module}; print('flask' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"
