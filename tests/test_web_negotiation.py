"""Content negotiation: Accept with q-values and wildcards, format= names, 406 alternatives."""

from __future__ import annotations

import pytest

from kgpub.errors import BadRequest
from kgpub.web.negotiation import (
    HTML_OFFER,
    RDF_OFFERS,
    RESULTS_OFFERS,
    check_format_name,
    choose_by_accept,
    choose_offer,
    not_acceptable,
    parse_accept,
    requested_format_name,
)

EVERY_OFFER = (*RESULTS_OFFERS, *RDF_OFFERS, HTML_OFFER)


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "json"),
        ("", "json"),
        ("*/*", "json"),
        ("application/sparql-results+xml", "xml"),
        ("text/csv", "csv"),
        ("text/tab-separated-values", "tsv"),
        ("text/*", "csv"),
        ("text/csv;q=0.5, application/sparql-results+xml;q=0.9", "xml"),
        ("text/csv, */*;q=0.1", "csv"),
        ("application/json", "json"),
        ("application/sparql-results+json;q=0, */*", "xml"),
        ("text/html, application/xhtml+xml, */*;q=0.8", "json"),
    ],
)
def test_the_preferred_results_format_follows_accept(accept: str | None, expected: str) -> None:
    offer = choose_by_accept(accept, RESULTS_OFFERS)
    assert offer is not None and offer.name == expected


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "ntriples"),
        ("application/n-quads", "nquads"),
        ("application/trig", "trig"),
        ("application/ld+json", "jsonld"),
        ("application/rdf+xml", "rdfxml"),
        ("application/json", "jsonld"),
        ("application/rdf+xml;q=0.3, text/turtle;q=0.2", "rdfxml"),
    ],
)
def test_the_preferred_rdf_format_follows_accept(accept: str, expected: str) -> None:
    offer = choose_by_accept(accept, RDF_OFFERS)
    assert offer is not None and offer.name == expected


def test_nothing_is_chosen_when_nothing_offered_is_acceptable() -> None:
    assert choose_by_accept("text/turtle, image/*", RESULTS_OFFERS) is None
    assert choose_by_accept("text/csv", RDF_OFFERS) is None


def test_the_most_specific_range_decides_an_offers_weight() -> None:
    accept = "text/*;q=0.9, text/csv;q=0.1, application/sparql-results+json;q=0.5"
    offer = choose_by_accept(accept, RESULTS_OFFERS)
    assert offer is not None and offer.name == "tsv"


def test_malformed_ranges_and_q_values_are_skipped_and_quoted_commas_kept() -> None:
    ranges = parse_accept('bogus, text/csv;q=2, a/b;q=x, application/ld+json;profile="a,b";q=0.4')
    assert [(r.main_type, r.subtype, r.weight) for r in ranges] == [("application", "ld+json", 0.4)]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("json", "json"),
        ("srj", "json"),
        ("XML", "xml"),
        ("csv", "csv"),
        ("tsv", "tsv"),
        ("ttl", "turtle"),
        ("turtle", "turtle"),
        ("nt", "ntriples"),
        ("nq", "nquads"),
        ("trig", "trig"),
        ("jsonld", "jsonld"),
        ("rdfxml", "rdfxml"),
        ("text/turtle", "turtle"),
        ("html", "html"),
    ],
)
def test_format_names_override_accept(name: str, expected: str) -> None:
    offer = choose_offer(name, "application/sparql-results+xml", EVERY_OFFER)
    assert offer is not None and offer.name == expected


def test_json_and_xml_name_the_graph_formats_for_graph_answers() -> None:
    offers = [choose_offer(name, None, RDF_OFFERS) for name in ("json", "xml")]
    assert [offer.name for offer in offers if offer] == ["jsonld", "rdfxml"]


def test_format_and_output_may_not_disagree() -> None:
    assert requested_format_name([("format", "csv"), ("output", "CSV")]) == "csv"
    with pytest.raises(BadRequest, match="different formats"):
        requested_format_name([("format", "csv"), ("output", "json")])


def test_an_unknown_format_name_is_refused_with_the_known_ones() -> None:
    with pytest.raises(BadRequest, match=r"unknown format 'excel'; use one of json, xml, csv"):
        check_format_name("excel", EVERY_OFFER)


def test_the_406_message_lists_every_alternative_with_its_format_name() -> None:
    error = not_acceptable("SELECT results", RESULTS_OFFERS, format_name=None, accept="image/png")
    assert error.status == 406
    assert str(error).splitlines() == [
        "SELECT results are not available as Accept: image/png. Available:",
        "application/sparql-results+json (format=json)",
        "application/sparql-results+xml (format=xml)",
        "text/csv (format=csv)",
        "text/tab-separated-values (format=tsv)",
    ]


def test_text_and_xml_types_carry_a_charset_and_json_types_do_not() -> None:
    content_types = {offer.name: offer.content_type for offer in EVERY_OFFER}
    assert content_types["json"] == "application/sparql-results+json"
    assert content_types["xml"] == "application/sparql-results+xml; charset=utf-8"
    assert content_types["csv"] == "text/csv; charset=utf-8"
    assert content_types["turtle"] == "text/turtle; charset=utf-8"
    assert content_types["ntriples"] == "application/n-triples"
    assert content_types["jsonld"] == "application/ld+json"
