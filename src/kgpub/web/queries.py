"""``/queries/``: the collection's canned queries as stable, documented URLs.

``/queries/`` lists them (JSON, or a page for browsers); ``/queries/<name>`` runs one, with its
parameters from the URL, in JSON, CSV, TSV or XML (SELECT and ASK), any RDF format (CONSTRUCT
and DESCRIBE), or a page with a table. The answer comes from the same workers, time limit, row
cap and headers as ``/sparql``. The queries and their parameter syntax are described in
:mod:`kgpub.web.canned_queries`.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import urlencode

import pyoxigraph
from flask import Blueprint, Response, render_template, request, url_for

from kgpub.errors import NotFound
from kgpub.web.answers import (
    answer_response,
    chosen_offer,
    describe_answer,
    offer_named,
    requested_format,
    requested_timeout,
)
from kgpub.web.canned_queries import RESERVED_PARAMETERS, CannedQuery
from kgpub.web.negotiation import HTML_OFFER, RDF_OFFERS, RESULTS_OFFERS, Offer, not_acceptable
from kgpub.web.query_pool import Answer
from kgpub.web.query_worker import QueryJob
from kgpub.web.state import web_state

blueprint = Blueprint("queries", __name__)

LISTING_OFFERS = (Offer("json", "application/json"), HTML_OFFER)
SOLUTION_OFFERS = (RESULTS_OFFERS[0], HTML_OFFER, *RESULTS_OFFERS[1:])
GRAPH_OFFERS = (RDF_OFFERS[0], HTML_OFFER, *RDF_OFFERS[1:])


@blueprint.route("/queries/")
def listing() -> Response:
    """List the canned queries."""
    queries = web_state().canned_queries
    offer = chosen_offer(LISTING_OFFERS, requested_format())
    if offer is None:
        raise not_acceptable(
            "The query list", LISTING_OFFERS, format_name=None, accept=request.headers.get("Accept")
        )
    if offer is HTML_OFFER:
        body = render_template("queries.html", queries=queries.values())
    else:
        described = [_description(query) for query in queries.values()]
        body = json.dumps({"queries": described}, indent=2, ensure_ascii=False)
    response = Response(body, content_type=offer.content_type)
    response.vary.add("Accept")
    return response


def _description(query: CannedQuery) -> dict[str, Any]:
    return {
        "name": query.name,
        "title": query.title,
        "description": query.description,
        "form": query.form,
        "url": url_for("queries.run", name=query.name, _external=True),
        "parameters": [
            {
                "name": p.name,
                "type": p.type,
                "default": p.default,
                "description": p.description,
            }
            for p in query.parameters
        ],
        "sparql": query.sparql,
    }


@blueprint.route("/queries/<name>")
def run(name: str) -> Response:
    """Run one canned query."""
    state = web_state()
    query = state.canned_queries.get(name)
    if query is None:
        known = ", ".join(state.canned_queries) or "none"
        raise NotFound(f"there is no canned query {name!r}; the queries are: {known}")
    values = {k: v for k, v in request.args.items() if k not in RESERVED_PARAMETERS}
    bindings = query.bindings(values)
    format_name = requested_format()
    offers = SOLUTION_OFFERS if query.form in ("select", "ask") else GRAPH_OFFERS
    offer = chosen_offer(offers, format_name)
    if offer is None:
        raise not_acceptable(
            f"The answers of {name!r}",
            offers,
            format_name=format_name,
            accept=request.headers.get("Accept"),
        )
    timeout = requested_timeout(state.settings)
    machine_offer = offer
    if offer is HTML_OFFER:  # the page is made from SPARQL JSON or N-Triples
        machine_offer = offers[0] if query.form in ("select", "ask") else RDF_OFFERS[1]
    solutions = query.form in ("select", "ask")
    job = QueryJob(
        query.sparql,
        results_format=machine_offer.name if solutions else None,
        rdf_format=None if solutions else machine_offer.name,
        row_limit=state.settings.row_limit,
        substitutions=bindings,
    )
    answer = state.pool.run(job, timeout=timeout)
    if offer is not HTML_OFFER:
        return answer_response(
            answer, offer_named(answer.head.format_name), settings=state.settings, timeout=timeout
        )
    page = _page(query, answer, values)
    response = Response(page, content_type=HTML_OFFER.content_type)
    describe_answer(response, answer, settings=state.settings, timeout=timeout)
    return response


def _page(query: CannedQuery, answer: Answer, values: dict[str, str]) -> str:
    body = b"".join(answer.body)
    if query.form == "ask":
        columns, rows = ["answer"], [[_cell_text(str(json.loads(body)["boolean"]).lower())]]
    elif query.form == "select":
        results = json.loads(body)
        columns = results["head"]["vars"]
        rows = [
            [_binding_cell(binding.get(column)) for column in columns]
            for binding in results["results"]["bindings"]
        ]
    else:
        columns = ["subject", "predicate", "object"]
        rows = [
            [_term_cell(quad.subject), _term_cell(quad.predicate), _term_cell(quad.object)]
            for quad in pyoxigraph.parse(body, format=pyoxigraph.RdfFormat.N_TRIPLES)
        ]
    base = url_for("queries.run", name=query.name)
    downloads = [
        (offer.name, f"{base}?{urlencode({**values, 'format': offer.name})}")
        for offer in (SOLUTION_OFFERS if query.form in ("select", "ask") else GRAPH_OFFERS)
        if offer is not HTML_OFFER
    ]
    return render_template(
        "query.html",
        query=query,
        values=values,
        columns=columns,
        rows=rows,
        head=answer.head,
        downloads=downloads,
        row_limit=web_state().settings.row_limit,
    )


def _cell_text(text: str, link: str | None = None) -> dict[str, str | None]:
    return {"text": text, "link": link}


def _binding_cell(binding: dict[str, Any] | None) -> dict[str, str | None]:
    if binding is None:
        return _cell_text("")
    value = str(binding["value"])
    if binding["type"] == "uri":
        return _cell_text(value, value)
    if binding["type"] == "bnode":
        return _cell_text(f"_:{value}")
    if "xml:lang" in binding:
        return _cell_text(f"{value} @{binding['xml:lang']}")
    return _cell_text(value)


def _term_cell(term: Any) -> dict[str, str | None]:
    if isinstance(term, pyoxigraph.NamedNode):
        return _cell_text(term.value, term.value)
    if isinstance(term, pyoxigraph.Literal):
        return _cell_text(term.value if term.language is None else f"{term.value} @{term.language}")
    return _cell_text(str(term))
