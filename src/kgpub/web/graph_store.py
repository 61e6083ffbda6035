"""``/store``: the SPARQL 1.1 Graph Store HTTP Protocol, with indirect graph identification.

``?graph=<IRI>`` names a graph, ``?default`` the store's own default graph (not the union
queries see; a build leaves it empty).

- ``GET``/``HEAD`` send the graph in the negotiated RDF format, through the query workers, so
  the time limit, row cap and truncation headers apply as for ``/sparql``; 404 when there is no
  such graph. Reads are public, like queries.
- ``PUT`` replaces the graph (201 Created when it is new, else 204), ``POST`` adds to it
  (201 or 204), ``DELETE`` removes it (204, or 404). Writes need the update token and follow
  :mod:`kgpub.web.writes` (atomic on the embedded store, and the next build's rules). The body
  is any RDF format kgpub reads (``Content-Type``), holding one graph; relative IRIs resolve
  against the graph's IRI.

Not supported: ``POST`` to ``/store`` without ``graph``/``default`` (a graph named by the
server) and ``multipart/form-data`` bodies.
"""

from __future__ import annotations

import pyoxigraph
from flask import Blueprint, Response, request

from kgpub.errors import BadRequest, NotFound, UnsupportedMediaType
from kgpub.formats import rdf_format
from kgpub.web.answers import (
    answer_response,
    chosen_offer,
    requested_format,
    requested_timeout,
)
from kgpub.web.body_nesting import refuse_deep_body
from kgpub.web.cors import keep_same_origin
from kgpub.web.negotiation import RDF_OFFERS, not_acceptable
from kgpub.web.query_worker import GraphJob
from kgpub.web.state import web_state
from kgpub.web.writes import (
    GraphName,
    apply_update,
    delete_graph,
    graph_exists,
    graph_update,
    require_write_access,
)

blueprint = Blueprint("graph_store", __name__)


@blueprint.route("/store", methods=["GET", "PUT", "POST", "DELETE"], strict_slashes=False)
def graphs() -> Response:
    """Answer a Graph Store Protocol request."""
    graph = _target_graph()
    if request.method in ("GET", "HEAD"):
        return _read(graph)
    keep_same_origin()
    state = web_state()
    require_write_access(state.settings, request.headers.get("Authorization"))
    if request.method == "DELETE":
        update = delete_graph(graph)
    else:
        update = graph_update(graph, _body_triples(graph), replace=request.method == "PUT")
    with state.write_lock:  # the check and the write, with no other write between them
        existed = graph_exists(state.store, graph)
        if request.method == "DELETE" and not existed:
            raise NotFound(f"the store holds no graph {graph}; nothing to delete")
        apply_update(state.store, update)
    return Response(status=204 if existed or request.method == "DELETE" else 201)


def _target_graph() -> GraphName:
    names = request.args.getlist("graph")
    if "default" in request.args:
        if names:
            raise BadRequest("give either ?graph=<IRI> or ?default, not both")
        return pyoxigraph.DefaultGraph()
    if len(names) != 1:
        raise BadRequest(
            "name one graph: ?graph=<IRI> for a named graph, or ?default for the default graph"
        )
    try:
        return pyoxigraph.NamedNode(names[0])
    except ValueError as error:
        raise BadRequest(f"graph {names[0]!r} is not an absolute IRI: {error}") from None


def _read(graph: GraphName) -> Response:
    state = web_state()
    format_name = requested_format()
    offer = chosen_offer(RDF_OFFERS, format_name)
    if offer is None:
        raise not_acceptable(
            "Graphs", RDF_OFFERS, format_name=format_name, accept=request.headers.get("Accept")
        )
    name = graph.value if isinstance(graph, pyoxigraph.NamedNode) else None
    job = GraphJob(name, offer.name, state.settings.row_limit)
    timeout = requested_timeout(state.settings)
    answer = state.pool.run(job, timeout=timeout)
    return answer_response(answer, offer, settings=state.settings, timeout=timeout)


def _body_triples(graph: GraphName) -> list[pyoxigraph.Triple]:
    offer = next((o for o in RDF_OFFERS if o.media_type == request.mimetype), None)
    if offer is None:
        readable = ", ".join(o.media_type for o in RDF_OFFERS)
        raise UnsupportedMediaType(
            f"the Graph Store reads {readable}, not {request.mimetype or 'a body without type'}"
        )
    base = graph.value if isinstance(graph, pyoxigraph.NamedNode) else request.base_url
    body = request.get_data(cache=True)
    refuse_deep_body(body, offer.name)
    try:
        quads = list(pyoxigraph.parse(body, format=rdf_format(offer.name).oxigraph, base_iri=base))
    except SyntaxError as error:
        raise BadRequest(f"the {offer.media_type} body is malformed: {error}") from None
    if any(not isinstance(quad.graph_name, pyoxigraph.DefaultGraph) for quad in quads):
        raise BadRequest("the body holds named graphs; send the triples of one graph")
    return [quad.triple for quad in quads]
