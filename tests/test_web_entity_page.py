"""The entity page: labels in the reader's language, and who says what, side by side."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph
import pytest
from flask import Flask
from flask.testing import FlaskClient

from kgpub.build import build_collection
from kgpub.config_loading import load_settings
from kgpub.web import entity_facts
from kgpub.web.build_labels import BuildLabels
from kgpub.web.page_quads import PageQuads
from kgpub.web.page_values import once_per_argument

from .conftest import ARTICLE, write_collection
from .test_web_fixtures import KG, app, build_examples, built_examples, client, running_app

__all__ = ["app", "built_examples", "client"]  # fixtures, imported for pytest

BASE = "https://kg.example.org/"
VOCAB = "https://w3id.org/kgpub/vocab/"
TOKEN = "relabel-test-token"  # noqa: S105 - a test value
PRISON = f"{BASE}id/facility/ghwayran-prison"
ESCAPE_PAGE = "/doc/event/lemonde-2022-01-ghwayran/prisoner-escape.html"
MARKUP = "<script>window.pwned=1</script>"
MARKUP_ARTICLE = ARTICLE.replace(
    "escape: {labels: {en: escape of prisoners}}",
    f'escape: {{labels: {{en: "escape of prisoners {MARKUP}"}}}}',
)
"""conftest's sample article, whose escape (reframed by the SDF) has markup in its label."""
ENTITY_QUERIES = {
    "escape": f"?s <{KG}eventType> <{VOCAB}event-type/prison-escape> .",
    "custodian": "?count <https://schema.org/value> 12000 ; "
    "<https://schema.org/observationAbout> ?s .",
    "prison": f"?s a <{KG}Facility> ; <http://www.w3.org/2004/02/skos/core#prefLabel> "
    f'"Ghwayran prison"@en .',
}


def write_markup_collection(root: Path) -> Path:
    """A small built collection whose escape event's label holds a script tag."""
    collection = write_collection(root, sample=MARKUP_ARTICLE)
    summary = build_collection(collection, load_settings(collection, env={}))
    assert summary.published, summary.describe()
    return collection


@pytest.fixture(scope="module")
def pages(app: Flask) -> dict[str, str]:
    """The ``/doc/….html`` page of each entity in :data:`ENTITY_QUERIES`, found by SPARQL."""
    store = app.extensions["kgpub"].store
    found = {}
    for name, pattern in ENTITY_QUERIES.items():
        rows = list(store.query(f"SELECT DISTINCT ?s WHERE {{ {pattern} }}"))
        assert len(rows) == 1, f"expected one {name} in the examples, found {rows}"
        found[name] = "/doc/" + rows[0][0].value.removeprefix(f"{BASE}id/") + ".html"
    return found


@pytest.fixture(scope="module")
def markup_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app over :func:`write_markup_collection`."""
    root = write_markup_collection(tmp_path_factory.mktemp("markup") / "collection")
    with running_app(root, query_workers="1") as application:
        yield application


@pytest.fixture(scope="module")
def writable_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app over a private copy of the examples that accepts SPARQL updates."""
    root = build_examples(tmp_path_factory.mktemp("relabel"))
    with running_app(root, query_workers="1", update_token=TOKEN) as application:
        yield application


class CountingStore:
    """A store that counts the scans it is asked for."""

    def __init__(self, store: pyoxigraph.Store) -> None:
        self.store = store
        self.scans = 0

    def quads_for_pattern(self, *pattern: object) -> Iterator[pyoxigraph.Quad]:
        self.scans += 1
        return self.store.quads_for_pattern(*pattern)  # type: ignore[arg-type]


def node(name: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(f"{BASE}id/{name}")


def claim_store() -> CountingStore:
    """A claim with a stance and evidence, asserted in its article's graph, and a link to it."""
    store = pyoxigraph.Store()
    article, claim, other = node("article/a"), node("claim/a/1"), node("claim/b/2")
    for subject, predicate, value in (
        (claim, node("stance"), node("affirms")),
        (claim, node("evidence"), node("claim/a/1#evidence-1")),
        (other, node("contradicts"), claim),
    ):
        store.add(pyoxigraph.Quad(subject, predicate, value, article))
    return CountingStore(store)


def title(page: str) -> str:
    """The page's ``<h1>``."""
    return re.search(r"<h1>(.*?)</h1>", page).group(1)  # type: ignore[union-attr]


def section(page: str, name: str) -> str:
    """The HTML of the page's ``<section id=name>``."""
    match = re.search(rf'<section id="{name}">(.*?)</section>', page, re.DOTALL)
    assert match, f"the page has no {name} section"
    return match.group(1)


def blocks(html: str, css_class: str) -> list[str]:
    """The top-level ``<div class="css_class …">`` blocks of a section (they do not nest)."""
    return re.split(rf'<div class="{css_class}[ "]', html)[1:]


def test_the_contested_escape_shows_both_sources_with_their_stance_side_by_side(
    client: FlaskClient, pages: dict[str, str]
) -> None:
    page = client.get(pages["escape"]).text
    contested = [b for b in blocks(section(page, "claims"), "claimed") if "contested" in b]
    assert len(contested) == 1
    event_type = contested[0]
    assert "event type" in event_type
    values = blocks(event_type, "claimed-value")
    assert len(values) == 2
    escape = next(value for value in values if ">prison escape<" in value)
    attempt = next(value for value in values if ">escape attempt<" in value)
    assert re.search(r"Syrian Observatory for Human Rights.*?affirms", escape, re.DOTALL)
    assert re.search(r"Syrian Democratic Forces.*?reframes", attempt, re.DOTALL)
    assert "not confirmed by" in escape and "unconfirmed" in escape
    assert "A number of prisoners managed to escape" in event_type


def test_each_source_names_and_links_its_article_publisher_and_date(
    client: FlaskClient, pages: dict[str, str]
) -> None:
    page = client.get(pages["escape"]).text
    assert 'href="/id/article/lemonde-2022-01-ghwayran"' in page
    assert "In Syria, jihadists escape after the attack on a prison by the Islamic State" in page
    assert 'href="/id/organization/le-monde"' in page
    assert "<time>2022-01</time>" in page
    assert 'href="/id/organization/sohr"' in page


def test_the_12000_detainees_are_about_approximate_and_held_by_the_custodian(
    client: FlaskClient, pages: dict[str, str]
) -> None:
    page = client.get(pages["custodian"]).text
    detainees = next(b for b in blocks(section(page, "counts"), "count-group") if "detainees" in b)
    assert "about 12,000" in detainees
    assert re.search(r"held by <a href=\"/id/organization/aanes\">", detainees)
    assert "in prisons under their control" in detainees
    assert "some 12,000 jihadists" in detainees  # the wording as printed
    assert re.search(r"class=\"claimant\">.*?affirms", detainees, re.DOTALL)


def test_a_bound_is_said_in_words(client: FlaskClient, pages: dict[str, str]) -> None:
    page = client.get(pages["custodian"]).text
    assert "more than 50" in section(page, "counts")
    assert "unknown, at least one" in section(client.get(pages["escape"]).text, "counts")


def test_different_figures_for_the_same_measure_are_marked_as_differing(
    client: FlaskClient, pages: dict[str, str]
) -> None:
    groups = blocks(section(client.get(pages["prison"]).text, "counts"), "count-group")
    minors = next(group for group in groups if "minors detained" in group)
    assert "sources differ" in minors
    assert "about 600" in minors and "850" in minors


def test_labels_follow_lang_then_accept_language_then_english(
    client: FlaskClient, pages: dict[str, str]
) -> None:
    def title(**options: object) -> str:
        page = client.get(pages["prison"], **options).text  # type: ignore[arg-type]
        return re.search(r"<h1>(.*?)</h1>", page).group(1)  # type: ignore[union-attr]

    assert title() == "Ghwayran prison"
    assert title(query_string={"lang": "fr"}) == "prison de Ghwayran"
    assert title(headers={"Accept-Language": "fr-CH, en;q=0.5"}) == "prison de Ghwayran"
    assert title(query_string={"lang": "en"}, headers={"Accept-Language": "fr"}) == (
        "Ghwayran prison"
    )
    assert title(query_string={"lang": "de"}) == "Ghwayran prison"


def test_french_readers_get_french_labels_for_types_and_values(
    client: FlaskClient, pages: dict[str, str]
) -> None:
    page = client.get(pages["prison"], query_string={"lang": "fr"}).text
    assert "prison de Ghwayran" in page
    assert "prison d&#39;Al-Sinaa" in page  # a French alias, escaped
    assert '<a href="/ont#Facility">installation</a>' in page  # the ontology's own page


def test_the_page_varies_with_the_language_and_its_etag_says_which(
    client: FlaskClient, pages: dict[str, str]
) -> None:
    english = client.get(pages["prison"])
    french = client.get(pages["prison"], headers={"Accept-Language": "fr"})
    assert "Accept-Language" in english.headers["Vary"]
    assert english.headers["ETag"] != french.headers["ETag"]
    again = client.get(pages["prison"], headers={"If-None-Match": english.headers["ETag"]})
    assert again.status_code == 304


def test_property_values_link_to_their_id_addresses_with_labels(
    client: FlaskClient, pages: dict[str, str]
) -> None:
    description = section(client.get(pages["prison"]).text, "description")
    assert '<a href="/id/place/ghwayran-neighbourhood">' in description
    assert "https://w3id.org" not in re.sub(r'title="[^"]*"', "", description)


def test_inverse_links_are_listed_with_counts(client: FlaskClient, pages: dict[str, str]) -> None:
    inverse = section(client.get(pages["prison"]).text, "inverse")
    assert re.search(r"at facility</a> <span class=\"muted\">\((\d+)\)</span>", inverse)
    assert 'href="/id/event/lemonde-2022-01-ghwayran/prisoner-escape"' in inverse


def test_long_inverse_lists_are_cut_and_say_how_many_more(
    client: FlaskClient, pages: dict[str, str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(entity_facts, "INVERSE_LIMIT", 1)
    client.application.extensions["kgpub.document_cache"].clear()  # pages rendered earlier
    inverse = section(client.get(pages["prison"]).text, "inverse")
    assert re.search(r"and \d+ more", inverse)


@pytest.mark.attack
def test_a_label_with_markup_is_escaped_and_never_runs(markup_app: Flask) -> None:
    store = markup_app.extensions["kgpub"].store
    rows = list(store.query(f"SELECT ?s WHERE {{ ?s <{KG}eventType> ?type }} ORDER BY ?s"))
    escape = next(row[0].value for row in rows if "/escape" in row[0].value)
    page = markup_app.test_client().get("/doc/" + escape.removeprefix(f"{BASE}id/") + ".html").text
    assert MARKUP not in page
    assert "&lt;script&gt;window.pwned=1&lt;/script&gt;" in page
    assert "<script" not in page


def test_the_page_loads_nothing_from_other_hosts(
    client: FlaskClient, pages: dict[str, str]
) -> None:
    page = client.get(pages["escape"]).text
    assert not re.search(r'(src|href)="(https?:)?//', page)


def test_a_label_published_after_a_page_was_shown_is_shown_at_once(writable_app: Flask) -> None:
    client = writable_app.test_client()
    german = {"lang": "de"}
    assert title(client.get("/doc/facility/ghwayran-prison.html", query_string=german).text) == (
        "Ghwayran prison"
    )
    assert "Ghwayran prison" in client.get(ESCAPE_PAGE, query_string=german).text
    label = f'<{PRISON}> <http://www.w3.org/2004/02/skos/core#prefLabel> "Gefängnis Ghwayran"@de'
    update = f"INSERT DATA {{ GRAPH <{BASE}graph/relabel> {{ {label} }} }}"
    written = client.post(
        "/sparql", data={"update": update}, headers={"Authorization": f"Bearer {TOKEN}"}
    )
    assert written.status_code in (200, 204), written.text
    prison = client.get("/doc/facility/ghwayran-prison.html", query_string=german).text
    assert title(prison) == "Gefängnis Ghwayran"
    assert "Gefängnis Ghwayran</a>" in client.get(ESCAPE_PAGE, query_string=german).text


def test_a_page_scans_a_node_once_and_reads_its_properties_from_that_scan() -> None:
    store = claim_store()
    quads = PageQuads(store)  # type: ignore[arg-type]
    assert len(quads.about(node("claim/a/1"))) == len(quads.about(node("claim/a/1"))) == 2
    assert quads.objects(node("claim/a/1"), node("stance")) == {node("affirms")}
    assert quads.objects(node("claim/a/1"), node("stance"), node("article/a")) == {node("affirms")}
    assert quads.objects(node("claim/a/1"), node("stance"), node("article/b")) == set()
    assert store.scans == 1


def test_what_points_at_a_node_says_who_points_at_it_through_each_property() -> None:
    store = claim_store()
    quads = PageQuads(store)  # type: ignore[arg-type]
    quads.pointing_at(node("claim/a/1"))
    assert quads.subjects(node("contradicts"), node("claim/a/1")) == {node("claim/b/2")}
    assert quads.subjects(node("corroborates"), node("claim/a/1")) == set()
    assert store.scans == 1


def test_a_lookup_no_wider_scan_covers_is_made_once_on_its_own() -> None:
    store = claim_store()
    quads = PageQuads(store)  # type: ignore[arg-type]
    for _ in range(2):
        assert quads.objects(node("claim/a/1"), node("evidence")) == {node("claim/a/1#evidence-1")}
        assert quads.subjects(node("contradicts"), node("claim/a/1")) == {node("claim/b/2")}
    assert store.scans == 2


def test_kept_labels_are_per_reader_languages_and_start_over_when_full() -> None:
    labels = BuildLabels(limit=2)
    assert labels.label(node("a"), ("en",), lambda: "A") == "A"
    assert labels.label(node("a"), ("fr", "en"), lambda: "A en français") == "A en français"
    assert labels.label(node("a"), ("en",), lambda: "read again") == "A"
    labels.label(node("b"), ("en",), lambda: "B")  # the third: the kept two are forgotten
    assert labels.label(node("a"), ("en",), lambda: "read again") == "read again"


def test_a_block_shown_several_times_on_a_page_is_made_once_per_argument() -> None:
    made: list[str] = []

    def card(claim: str) -> str:
        made.append(claim)
        return f"<div>{claim}</div>"

    once = once_per_argument(card)  # type: ignore[arg-type]
    assert [once(claim) for claim in ("a", "b", "a", "a")] == [
        "<div>a</div>",
        "<div>b</div>",
        "<div>a</div>",
        "<div>a</div>",
    ]
    assert made == ["a", "b"]
