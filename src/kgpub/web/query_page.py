"""``/query``: a page for people to write and run SPARQL, that needs no internet access.

The page is an editor (monospace, line numbers, Ctrl+Enter runs, a button inserting the
dataset's ``PREFIX`` lines from :data:`kgpub.vocab.PREFIXES`), the collection's canned queries
as one-click examples, and a results table. ``?query=`` fills the editor, so a query can be
shared as a link, and ``&run=1`` also runs it.

Its script (``static/query.js``) posts the query to ``/sparql`` like any other client and
builds the table with DOM text nodes, so a value is always shown as text. Without JavaScript
the same form posts to ``/sparql`` with a ``format`` select. The prefixes are only offered to
the user, never added to a query by the server: a query means exactly what it says.

Everything the page uses is served by the app itself. Assets are linked with a digest of
their content (``/static/query.js?v=…``): such a URL always names the same bytes, so it may be
cached for a year; other asset requests revalidate (Flask's default ``no-cache`` + ETag). The
page sends a ``Content-Security-Policy`` allowing scripts, styles and requests to this origin
only, a second guard (after escaping) against markup in the data ever running.
"""

from __future__ import annotations

import hashlib
from functools import cache
from importlib import resources

from flask import Blueprint, Response, render_template, request, url_for

from kgpub.vocab import PREFIXES
from kgpub.web.negotiation import RESULTS_OFFERS
from kgpub.web.state import web_state

blueprint = Blueprint("query_page", __name__)

RESULT_DOWNLOADS = tuple(offer.name for offer in RESULTS_OFFERS)
"""``format=`` names of the downloads offered for SELECT and ASK."""
GRAPH_DOWNLOADS = ("ttl", "nt", "nq", "trig", "jsonld", "rdfxml")
"""``format=`` names of the downloads offered for CONSTRUCT and DESCRIBE (short ones, as
people know them from file extensions); a test checks they name every RDF offer."""
IMMUTABLE = "public, max-age=31536000, immutable"
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
    "img-src 'self' data:; connect-src 'self'; form-action 'self'; base-uri 'none'; "
    "frame-ancestors 'none'"
)
"""Inline styles stay allowed because ``base.html`` (shared with the other pages) has one."""
DEFAULT_QUERY = """\
PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?entity ?label
WHERE { ?entity skos:prefLabel ?label }
ORDER BY ?label
LIMIT 25
"""


@blueprint.route("/query", strict_slashes=False)
def page() -> Response:
    """The query page, its editor filled from ``?query=`` when given."""
    state = web_state()
    query = request.args.get("query", "")
    body = render_template(
        "query_page.html",
        query=query or DEFAULT_QUERY,
        run_now=bool(query) and request.args.get("run") == "1",
        canned_queries=list(state.canned_queries.values()),
        prefixes=PREFIXES,
        prefix_lines="".join(f"PREFIX {name}: <{iri}>\n" for name, iri in PREFIXES.items()),
        base_iri=state.settings.base_iri,
        row_limit=state.settings.row_limit,
        result_downloads=RESULT_DOWNLOADS,
        graph_downloads=GRAPH_DOWNLOADS,
        asset_url=asset_url,
    )
    response = Response(body, content_type="text/html; charset=utf-8")
    response.headers["Content-Security-Policy"] = CONTENT_SECURITY_POLICY
    return response


def asset_url(name: str) -> str:
    """The URL of the static file ``name``, naming its content so it can be cached for good."""
    return url_for("static", filename=name, v=asset_digest(name))


@cache
def asset_digest(name: str) -> str:
    """A short digest of the packaged static file ``name``.

    Package files do not change while the server runs, so each is read once.
    """
    data = resources.files("kgpub.web").joinpath("static", name).read_bytes()
    return hashlib.sha256(data).hexdigest()[:16]


@blueprint.after_app_request
def _cache_versioned_assets(response: Response) -> Response:
    """Let browsers keep any static file asked for by its content's digest (:func:`asset_url`)."""
    if request.endpoint != "static" or response.status_code != 200:
        return response
    name = (request.view_args or {}).get("filename")
    if name and request.args.get("v") == asset_digest(name):
        response.headers["Cache-Control"] = IMMUTABLE
    return response
