"""The least any Python front end pays for a SPARQL query here: a bare WSGI app in granian.

``sparql_benchmark.py --floor`` starts this next to Oxigraph's server and ``kgpub serve``. It is
served by the same server and configuration as ``kgpub serve`` (granian, its default
processes and threads), over the same RocksDB files kgpub serves, opened read-only with
pyoxigraph. Each ``POST`` body is run in the server process and written as SPARQL JSON. There is
no Flask, no Protocol checks, no content negotiation, no row cap and no time limit.

kgpub/floor is then what kgpub's own request handling costs, and floor/oxigraph is what the
language and server cost before kgpub does anything. When floor/oxigraph is over 1.2 for a query,
no Python front end meets the 1.2x target for it on this machine.

    python benchmarks/python_floor.py --location .kgpub/store/current/oxigraph --port 8123
"""

from __future__ import annotations

import argparse
import io
from functools import partial
from typing import TYPE_CHECKING, Any

import pyoxigraph

from kgpub.config import Settings
from kgpub.web.granian_serving import configured_server

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment

RESULTS_JSON = "application/sparql-results+json"


def floor_app(location: str) -> WSGIApplication:
    """A WSGI app answering each POSTed query from the store at ``location``, as SPARQL JSON."""
    store = pyoxigraph.Store.read_only(location)

    def answer(environ: WSGIEnvironment, start_response: StartResponse) -> list[bytes]:
        length = int(environ.get("CONTENT_LENGTH") or 0)
        sparql = environ["wsgi.input"].read(length).decode()
        solutions: Any = store.query(sparql, use_default_graph_as_union=True)
        output = io.BytesIO()
        solutions.serialize(output, format=pyoxigraph.QueryResultsFormat.JSON)
        body = output.getvalue()
        start_response(
            "200 OK", [("Content-Type", RESULTS_JSON), ("Content-Length", str(len(body)))]
        )
        return [body]

    return answer


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--location", required=True, help="an Oxigraph (RocksDB) store folder")
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    settings = Settings()  # kgpub serve's default processes and threads
    server = configured_server(settings, port=args.port)
    server.serve(target_loader=partial(floor_app, args.location), wrap_loader=False)


if __name__ == "__main__":
    main()
