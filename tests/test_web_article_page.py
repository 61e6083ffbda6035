"""Article pages show everything an article contributed; claim pages show one claim."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kgpub.build import build_collection
from kgpub.config_loading import load_settings

from .conftest import ARTICLE, write_collection
from .test_web_fixtures import app, built_examples, client, running_app

__all__ = ["app", "built_examples", "client"]  # fixtures, imported for pytest

BASE = "https://kg.example.org/"
LE_MONDE = "/doc/article/lemonde-2022-01-ghwayran.html"
MARKUP = "<script>window.pwned=1</script>"
FOLLOW_UP = f"""\
article:
  key: follow-up
  url: https://news.example.com/follow-up
  title: "Follow-up {MARKUP}"
  language: en
  publisher: le-monde
  published: 2022-01-25
claims:
  - key: confirmation
    claimant: SDF
    confirms: [sample#attack]
    evidence: {{paragraph: 1, quote: "the attack <b>was</b> confirmed"}}
    asserts:
      events: [{{event: prison-attack, type: attack}}]
"""
"""An article confirming a claim of conftest's sample article, with markup in its headline."""


@pytest.fixture(scope="module")
def pair_app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Flask]:
    """An app over conftest's sample article and :data:`FOLLOW_UP`, built once."""
    root = write_collection(
        tmp_path_factory.mktemp("articles") / "c", sample=ARTICLE, follow=FOLLOW_UP
    )
    summary = build_collection(root, load_settings(root, env={}))
    assert summary.published, summary.describe()
    with running_app(root, query_workers="1") as application:
        yield application


@pytest.fixture
def pair(pair_app: Flask) -> FlaskClient:
    """A test client of :func:`pair_app`."""
    return pair_app.test_client()


def section(page: str, name: str) -> str:
    """The HTML of the page's ``<section id=name>``."""
    match = re.search(rf'<section id="{name}">(.*?)</section>', page, re.DOTALL)
    assert match, f"the page has no {name} section"
    return match.group(1)


def claim_blocks(page: str) -> dict[str, str]:
    """Each claim block of a page, by its claim's digest."""
    parts = re.split(r'<div class="claim[^"]*" id="claim-([0-9a-f]+)">', page)[1:]
    return dict(zip(parts[::2], parts[1::2], strict=True))


def select(app: Flask, query: str) -> list[list[str]]:
    """The rows of a SELECT over the app's store, as plain strings."""
    return [[term.value for term in row] for row in app.extensions["kgpub"].store.query(query)]


def test_the_article_page_shows_headline_publisher_agency_date_and_language(
    client: FlaskClient,
) -> None:
    response = client.get(LE_MONDE)
    assert response.status_code == 200
    page = response.text
    assert re.search(r"<h1[^>]*>In Syria, jihadists escape after the attack on a prison", page)
    assert 'Published by <a href="/id/organization/le-monde">Le Monde</a>' in page
    assert '· from <a href="/id/organization/afp">Agence France-Presse</a>' in page
    assert "<time>2022-01</time>" in page
    assert '<span class="language">en</span>' in page
    assert '<a href="/ont#Article">article</a>' in page
    assert 'href="/doc/article/lemonde-2022-01-ghwayran.ttl"' in page


def test_every_claim_of_the_article_is_listed_with_claimant_stance_and_status(
    client: FlaskClient, app: Flask
) -> None:
    rows = select(
        app,
        f"SELECT ?claim ?status WHERE {{ ?claim <https://schema.org/appearance> "
        f"<{BASE}id/article/lemonde-2022-01-ghwayran> ; "
        f"<https://w3id.org/kgpub/ont#claimStatus> ?status }}",
    )
    blocks = claim_blocks(section(client.get(LE_MONDE).text, "claims"))
    assert len(rows) > 10
    assert set(blocks) == {claim.rsplit("/", 1)[-1] for claim, _status in rows}
    for claim, status in rows:
        block = blocks[claim.rsplit("/", 1)[-1]]
        assert re.search(r'class="claimant">.*?class="stance stance-[a-z]+">', block, re.DOTALL)
        assert f'<span class="status">{status.rsplit("/", 1)[-1]}</span>' in block
        assert f'href="/{claim.removeprefix(BASE)}"' in block


def test_a_claim_shows_what_its_graph_asserts_with_labels_and_links(
    client: FlaskClient,
) -> None:
    blocks = claim_blocks(client.get(LE_MONDE).text)
    escape = next(b for b in blocks.values() if "A number of prisoners managed to escape" in b)
    assert '<a href="/id/organization/sohr">Syrian Observatory for Human Rights</a>' in escape
    assert '<span class="status">unconfirmed</span>' in escape
    assert 'not confirmed by <a href="/id/organization/sdf">' in escape
    assertions = re.search(r'<table class="assertions">(.*?)</table>', escape, re.DOTALL)
    assert assertions
    assert '<a href="/ont#eventType">event type</a>' in assertions.group(1)
    assert '<a href="/vocab/event-type/prison-escape">prison escape</a>' in assertions.group(1)
    assert 'href="/id/event/lemonde-2022-01-ghwayran/prisoner-escape"' in assertions.group(1)
    assert "unknown, at least one</strong> escapees" in escape  # its count, in words


def test_a_participation_reads_as_who_took_part_in_which_role(client: FlaskClient) -> None:
    page = section(client.get(LE_MONDE).text, "claims")
    assert "<td>Islamic State, attacker (“IS jihadists”)</td>" in page
    assert "#participation-" not in re.sub(r'href="[^"]*"', "", page)


def test_links_between_claims_show_at_both_ends_within_the_article(client: FlaskClient) -> None:
    blocks = claim_blocks(client.get(LE_MONDE).text)
    reframing = [b for b in blocks.values() if "<strong>" in b and "/ont#reframes" in b]
    assert len(reframing) == 2
    assert any('this claim <strong><a href="/ont#reframes">' in b for b in reframing)
    assert any('in the same article <strong><a href="/ont#reframes">' in b for b in reframing)


def test_a_claim_confirmed_from_another_article_says_so_on_both_pages(
    pair: FlaskClient,
) -> None:
    sample = claim_blocks(pair.get("/doc/article/sample.html").text)
    attack = next(b for b in sample.values() if "a car bomb exploded" in b)
    incoming = re.search(r'<li class="claim-relation incoming">(.*?)</li>', attack, re.DOTALL)
    assert incoming and 'href="/id/article/follow-up"' in incoming.group(1)
    assert "corroborates</a></strong> this claim" in incoming.group(1)
    follow_up = pair.get("/doc/article/follow-up.html").text
    assert re.search(
        r'this claim <strong><a href="/ont#corroborates">corroborates</a></strong> '
        r'<a href="/id/claim/sample/[0-9a-f]+">the claim</a> by <a href="/id/organization/sohr">',
        follow_up,
    )


def test_the_figures_it_reports_are_put_in_words_and_grouped(client: FlaskClient) -> None:
    figures = section(client.get(LE_MONDE).text, "counts")
    assert "unknown, at least one" in figures
    assert "about 12,000" in figures
    assert "as printed:" in figures


def test_the_entities_it_mentions_are_listed_with_the_words_it_uses(
    pair: FlaskClient,
) -> None:
    mentions = section(pair.get("/doc/article/sample.html").text, "mentions")
    osdh = re.search(r'<li class="mention"><a href="/id/organization/sohr">.*?</li>', mentions)
    assert osdh and '“<span class="form">OSDH</span>”' in osdh.group(0)
    assert '<a href="/id/facility/ghwayran-prison">Ghwayran prison</a>' in mentions
    assert re.search(r"prison-attack\">[^<]+</a> <span class=\"muted\">\(in 2 claims\)", mentions)


def test_labels_follow_the_reader_s_language(client: FlaskClient) -> None:
    french = client.get(LE_MONDE, query_string={"lang": "fr"})
    assert '<a href="/ont#Article">article de presse</a>' in french.text
    assert "Accept-Language" in french.vary
    english = client.get(LE_MONDE, headers={"Accept-Language": "en"})
    assert english.headers["ETag"] != french.headers["ETag"]


@pytest.mark.attack
def test_a_headline_and_quote_with_markup_are_escaped_and_never_run(pair: FlaskClient) -> None:
    page = pair.get("/doc/article/follow-up.html").text
    assert MARKUP not in page and "<script" not in page
    assert "Follow-up &lt;script&gt;window.pwned=1&lt;/script&gt;</h1>" in page
    assert "the attack &lt;b&gt;was&lt;/b&gt; confirmed" in page
    sample = pair.get("/doc/article/sample.html").text
    assert "Follow-up &lt;script&gt;" in sample and MARKUP not in sample


def test_the_only_link_off_the_server_is_the_article_s_own_url(pair: FlaskClient) -> None:
    page = pair.get("/doc/article/follow-up.html").text
    outside = re.findall(r'(?:src|href)="((?:https?:)?//[^"]*)"', page)
    assert outside == ["https://news.example.com/follow-up"]
    assert 'rel="external nofollow noopener noreferrer"' in page


def test_a_claim_page_shows_its_claim_with_assertions_and_figures(
    client: FlaskClient, app: Flask
) -> None:
    ((claim,),) = select(
        app,
        "PREFIX kg: <https://w3id.org/kgpub/ont#> PREFIX oa: <http://www.w3.org/ns/oa#> "
        "SELECT ?claim WHERE { ?claim kg:evidence/oa:hasSelector/oa:exact ?quote "
        'FILTER(CONTAINS(?quote, "A number of prisoners managed")) }',
    )
    response = client.get(f"/doc/{claim.removeprefix(BASE + 'id/')}.html")
    assert response.status_code == 200
    page = response.text
    assert "<h1>What Syrian Observatory for Human Rights says</h1>" in page
    assert 'in <a href="/id/article/lemonde-2022-01-ghwayran">' in page
    assert '<a href="/ont#Claim">claim</a>' in page
    assert len(claim_blocks(page)) == 1
    assert '<a href="/vocab/event-type/prison-escape">prison escape</a>' in page
    assert "unknown, at least one" in section(page, "counts")
    assert "reframes" in page
