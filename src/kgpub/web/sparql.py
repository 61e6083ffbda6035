"""``/sparql``: the SPARQL 1.1 Protocol — queries, updates and the Service Description.

- **Query** by ``GET ?query=``, by ``POST`` of a form with ``query=``, or by ``POST`` of the
  query itself as ``application/sparql-query``; ``default-graph-uri`` and ``named-graph-uri``
  (repeatable) make the dataset, overriding the query's ``FROM``. Without any, the default
  graph is the union of all graphs. The answer's format follows ``format=``/``output=`` or
  ``Accept``; queries run in worker processes under a time limit and a row cap
  (:mod:`kgpub.web.answers`). A query POSTed alone is answered the same way ahead of Flask
  (:mod:`kgpub.web.query_shortcut`).
- **Update** by ``POST`` of a form with ``update=`` or of ``application/sparql-update``, with
  ``using-graph-uri`` and ``using-named-graph-uri``; only with the update token
  (:mod:`kgpub.web.writes`).
- **Service Description** by ``GET`` without a query (:mod:`kgpub.web.service_description`).

Errors use the statuses the Protocol names: 400 for a malformed request or query (with the
parser's message), 405 for another method (or an update by GET), 415 for another body type.
``SERVICE`` and ``LOAD`` reach only allow-listed hosts (:mod:`kgpub.web.federation`).
"""

from __future__ import annotations

import pyoxigraph
from flask import Blueprint, Response, request, url_for

from kgpub.backend import Dataset
from kgpub.config import Settings
from kgpub.errors import BadRequest, MethodNotAllowed, UnsupportedMediaType
from kgpub.formats import rdf_format
from kgpub.sparql_tokens import SparqlOutline, add_using_clauses, outline
from kgpub.web.answers import (
    answer_response,
    chosen_offer,
    offer_named,
    requested_format,
    requested_timeout,
)
from kgpub.web.cors import keep_same_origin
from kgpub.web.federation import check_remote_targets
from kgpub.web.inline_queries import run_query
from kgpub.web.negotiation import RDF_OFFERS, RESULTS_OFFERS, choose_offer, not_acceptable
from kgpub.web.query_worker import QueryJob
from kgpub.web.service_description import describe_service, serialize_description
from kgpub.web.state import web_state
from kgpub.web.writes import apply_update, require_write_access

blueprint = Blueprint("sparql", __name__)

FORM = "application/x-www-form-urlencoded"
SPARQL_QUERY = "application/sparql-query"
SPARQL_UPDATE = "application/sparql-update"
RESULT_FORMAT_NAMES = tuple(offer.name for offer in (*RESULTS_OFFERS, *RDF_OFFERS))


@blueprint.route("/sparql", methods=["GET", "POST"], strict_slashes=False)
def endpoint() -> Response:
    """Answer a SPARQL Protocol request."""
    if request.method == "POST":
        return _post()
    if request.args.getlist("update"):
        raise MethodNotAllowed(
            "SPARQL Update must be sent with POST (a form with update=, or "
            f"{SPARQL_UPDATE}), never GET",
            allow="GET, HEAD, POST, OPTIONS",
        )
    queries = request.args.getlist("query")
    if not queries:
        return _service_description()
    return _run_query(_only_one(queries, "query"))


def _post() -> Response:
    media_type = request.mimetype
    if media_type == FORM:
        queries = request.args.getlist("query") + request.form.getlist("query")
        updates = request.args.getlist("update") + request.form.getlist("update")
        if queries and updates:
            raise BadRequest("send either query= or update=, not both")
        if updates:
            return _run_update(_only_one(updates, "update"))
        if not queries:
            raise BadRequest("a form POST to the SPARQL endpoint needs a query= or update= field")
        return _run_query(_only_one(queries, "query"))
    if media_type in (SPARQL_QUERY, SPARQL_UPDATE):
        body = _body_text()
        if request.args.getlist("query") or request.args.getlist("update"):
            raise BadRequest(
                f"a {media_type} POST carries the request in its body; remove query= or "
                "update= from the URL"
            )
        return _run_query(body) if media_type == SPARQL_QUERY else _run_update(body)
    raise UnsupportedMediaType(
        f"the SPARQL endpoint reads {SPARQL_QUERY}, {SPARQL_UPDATE} and {FORM} bodies, "
        f"not {media_type or 'a body without Content-Type'}"
    )


def _only_one(values: list[str], name: str) -> str:
    if len(values) > 1:
        raise BadRequest(f"send exactly one {name} parameter; this request has {len(values)}")
    return values[0]


def _body_text() -> str:
    charset = request.mimetype_params.get("charset", "utf-8")
    data = request.get_data(cache=True)
    try:
        return data.decode(charset)
    except LookupError:
        raise UnsupportedMediaType(f"unknown charset {charset!r}; send UTF-8") from None
    except UnicodeDecodeError as error:
        raise BadRequest(f"the body is not valid {charset}: {error}") from None


def _graph_iris(name: str) -> tuple[str, ...]:
    iris = tuple(request.values.getlist(name))
    for iri in iris:
        try:
            pyoxigraph.NamedNode(iri)
        except ValueError as error:
            raise BadRequest(f"{name} {iri!r} is not an absolute IRI: {error}") from None
    return iris


def _run_query(sparql: str) -> Response:
    state = web_state()
    settings = state.settings
    found = checked_outline(sparql, settings)
    default_graphs = _graph_iris("default-graph-uri")
    named_graphs = _graph_iris("named-graph-uri")
    dataset = Dataset(default_graphs, named_graphs) if default_graphs or named_graphs else None
    format_name = requested_format()
    timeout = requested_timeout(settings)
    job = negotiated_job(
        sparql,
        found,
        settings=settings,
        format_name=format_name,
        accept=request.headers.get("Accept"),
        dataset=dataset,
    )
    answer = run_query(state, job, found, timeout=timeout)
    offer = offer_named(answer.head.format_name)
    return answer_response(answer, offer, settings=settings, timeout=timeout)


def checked_outline(sparql: str, settings: Settings) -> SparqlOutline:
    """The outline of a query this server will run.

    :raises BadRequest: when the query nests brackets too deeply to be parsed safely.
    :raises Forbidden: when it would reach a host that is not allow-listed.
    """
    found = outline(sparql)
    _refuse_deep_nesting(found)
    check_remote_targets(found, settings.federation_hosts)
    return found


def negotiated_job(
    sparql: str,
    found: SparqlOutline,
    *,
    settings: Settings,
    format_name: str | None,
    accept: str | None,
    dataset: Dataset | None,
) -> QueryJob:
    """The job running ``sparql``, answering in the format ``format=`` or ``Accept`` chose.

    :raises NotAcceptable: when no format asked for fits the query's form.
    """
    results_offer = choose_offer(format_name, accept, RESULTS_OFFERS)
    graph_offer = choose_offer(format_name, accept, RDF_OFFERS)
    if found.form in ("select", "ask") and results_offer is None:
        raise not_acceptable(
            f"{found.form.upper()} results", RESULTS_OFFERS, format_name=format_name, accept=accept
        )
    if found.form in ("construct", "describe") and graph_offer is None:
        raise not_acceptable(
            f"{found.form.upper()} results", RDF_OFFERS, format_name=format_name, accept=accept
        )
    return QueryJob(
        sparql,
        results_format=results_offer.name if results_offer else None,
        rdf_format=graph_offer.name if graph_offer else None,
        row_limit=settings.row_limit,
        dataset=dataset,
        own_dataset=found.has_dataset_clause,
        prefixes=tuple(found.prefixes.items()),
    )


def _refuse_deep_nesting(found: SparqlOutline) -> None:
    problem = found.too_deep
    if problem is not None:
        raise BadRequest(problem)


def _run_update(update: str) -> Response:
    keep_same_origin()
    state = web_state()
    require_write_access(state.settings, request.headers.get("Authorization"))
    found = outline(update)
    _refuse_deep_nesting(found)
    check_remote_targets(found, state.settings.federation_hosts)
    using = _graph_iris("using-graph-uri")
    using_named = _graph_iris("using-named-graph-uri")
    if (using or using_named) and found.has_using_or_with:
        raise BadRequest(
            "the update names its dataset with USING or WITH; the Protocol forbids also "
            "sending using-graph-uri or using-named-graph-uri"
        )
    update = add_using_clauses(update, found, default_graphs=using, named_graphs=using_named)
    with state.write_lock:
        apply_update(state.store, update)
    return Response("update applied\n", status=200, content_type="text/plain; charset=utf-8")


def _service_description() -> Response:
    state = web_state()
    format_name = requested_format()
    offer = chosen_offer(RDF_OFFERS, format_name)
    if offer is None:
        raise not_acceptable(
            "The Service Description",
            RDF_OFFERS,
            format_name=format_name,
            accept=request.headers.get("Accept"),
        )
    canned = {
        name: (query, url_for("queries.run", name=name, _external=True))
        for name, query in state.canned_queries.items()
    }
    triples = describe_service(
        url_for("sparql.endpoint", _external=True),
        manifest=state.store.manifest(),
        format_names=RESULT_FORMAT_NAMES,
        accepts_updates=bool(state.settings.update_token),
        federates=bool(state.settings.federation_hosts),
        canned_queries=canned,
    )
    body = serialize_description(triples, rdf_format(offer.name).oxigraph)
    response = Response(body, content_type=offer.content_type)
    response.vary.add("Accept")
    return response
