"""``kgpub query``, ``stats`` and ``serve``: answer from what a build published.

Modules only one command uses are imported inside it, as in :mod:`kgpub.cli`: above all the
web app, which ``kgpub serve`` alone loads.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import click

from kgpub.cli_options import COLLECTION_OPTION, STORE_OPTION, handle_errors, open_published_store
from kgpub.collection import find_collection_root
from kgpub.config import SERVERS
from kgpub.config_loading import load_settings
from kgpub.formats import RDF_FORMAT_NAMES, RESULTS_FORMAT_NAMES, rdf_format, results_format


@click.command()
@click.argument("sparql")
@COLLECTION_OPTION
@STORE_OPTION
@click.option(
    "-f", "--format", "format_name",
    type=click.Choice(("table", *RESULTS_FORMAT_NAMES, *RDF_FORMAT_NAMES)), default="table",
    show_default=True, help="Output: a table, SPARQL results (SELECT/ASK) or RDF (CONSTRUCT).",
)  # fmt: skip
@handle_errors
def query(sparql: str, collection: Path, store: str | None, format_name: str) -> None:
    """Run a SPARQL query against the published data.

    SPARQL is the query text, a .rq file, or - to read standard input. The default graph is
    the union of all graphs; use GRAPH to look into one claim or article.

    \b
    Example:
        kgpub query -C examples/ examples/queries/01-organizations-and-surface-forms.rq
        kgpub query -C examples/ 'SELECT (COUNT(*) AS ?n) { ?s ?p ?o }' -f csv
    """
    from kgpub.query_output import render_results

    text = _query_text(sparql)
    published = open_published_store(collection, store)
    results = published.query(text)
    if format_name in RESULTS_FORMAT_NAMES:
        out = render_results(results, results_format(format_name))
    elif format_name in RDF_FORMAT_NAMES:
        out = render_results(results, rdf_format(format_name))
    else:
        out = render_results(results, None)
    sys.stdout.buffer.write(out)


def _query_text(argument: str) -> str:
    if argument == "-":
        return sys.stdin.read()
    candidate = Path(argument)
    if candidate.suffix in {".rq", ".sparql"} or (len(argument) < 4096 and candidate.is_file()):
        try:
            return candidate.read_text(encoding="utf-8")
        except OSError as error:
            raise click.BadParameter(f"cannot read {argument}: {error.strerror}") from None
    return argument


@click.command()
@COLLECTION_OPTION
@STORE_OPTION
@click.option("--json", "as_json", is_flag=True, help="Print the figures as JSON.")
@handle_errors
def stats(collection: Path, store: str | None, as_json: bool) -> None:
    """Count what is published: graphs, quads, entities per type, articles, claims, last build.

    \b
    Example:
        kgpub stats -C examples/
    """
    from kgpub.stats import collect_stats

    figures = collect_stats(open_published_store(collection, store))
    if as_json:
        click.echo(json.dumps(figures.as_json(), indent=2))
    else:
        click.echo(figures.describe(), nl=False)


@click.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path), default=Path("."))
@STORE_OPTION
@click.option(
    "--host", default=None, help="Address to listen on [env KGPUB_HOST; default 127.0.0.1]."
)
@click.option(
    "--port", default=None, help="Port; 0 picks a free one [env KGPUB_PORT; default 8000]."
)
@click.option(
    "--threads",
    default=None,
    help="Request threads per server process [env KGPUB_THREADS; default 8].",
)
@click.option(
    "--server",
    type=click.Choice(SERVERS),
    default=None,
    help="The HTTP server [env KGPUB_SERVER; default granian].",
)
@click.option(
    "--processes",
    default=None,
    help="Server processes, with granian [env KGPUB_PROCESSES; default 2].",
)
@click.option(
    "--get",
    "get_path",
    metavar="URL_PATH",
    help="Answer one GET request in-process, print the body and exit (1 if ≥ 400).",
)
@handle_errors
def serve(
    path: Path,
    store: str | None,
    host: str | None,
    port: str | None,
    threads: str | None,
    server: str | None,
    processes: str | None,
    get_path: str | None,
) -> None:
    """Serve the SPARQL endpoint, Graph Store, Linked Data and pages of a collection.

    Runs granian, a production HTTP server written in Rust (several processes, threads in
    each), or waitress (--server waitress: pure Python, one process), on 127.0.0.1:8000 by
    default. Queries run in worker processes that are killed past their time limit. Writes
    are off unless KGPUB_UPDATE_TOKEN is set. See docs/serving.md for proxies and gunicorn.

    \b
    Example:
        kgpub serve examples/
        kgpub serve examples/ --port 0 --processes 4
        kgpub serve examples/ --get '/sparql?query=ASK{?s ?p ?o}'
    """
    from kgpub.web.serving import serve as serve_collection

    root = find_collection_root(path)
    overrides = {
        "store": store,
        "host": host,
        "port": port,
        "threads": threads,
        "server": server,
        "processes": processes,
    }
    settings = load_settings(root, overrides=overrides)
    if get_path is not None:
        from kgpub.web import create_app

        app = create_app(settings, root)
        try:
            response = app.test_client().get(get_path)
            sys.stdout.buffer.write(response.get_data())
        finally:
            app.extensions["kgpub"].close()
        if response.status_code >= 400:
            click.echo(f"error: {response.status}", err=True)
            sys.exit(1)
        return
    serve_collection(
        settings,
        root,
        announce=lambda url: click.echo(
            f"serving {root} at {url}sparql (queries at {url}queries/); Ctrl-C stops", err=True
        ),
    )
