"""The ``kgpub`` command. Thin: parse arguments, call one library function, format output.

Exit codes: 0 ok; 1 ran, but the answer is no (data does not conform); 2 could not run.
Data goes to stdout, messages to stderr.

Modules only one command uses are imported inside it: ``kgpub build`` is run after every
edit, and starting Python is part of its time (the web app, above all, is never loaded).
"""

from __future__ import annotations

import functools
import gc
import json
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kgpub import __version__
from kgpub.backend import Store
from kgpub.build import build_collection
from kgpub.collection import find_collection_root
from kgpub.config import SERVERS, load_settings
from kgpub.dump_catalog import CATALOG_FILE
from kgpub.dump_publication import write_store_dumps
from kgpub.dumps import dump_kinds
from kgpub.errors import ConfigError, KgpubError
from kgpub.formats import RDF_FORMAT_NAMES, RESULTS_FORMAT_NAMES, rdf_format, results_format
from kgpub.schema import SCHEMAS, schema_text
from kgpub.store import open_store

# What is imported by now (modules, classes, tables) lives as long as the process, so the
# cyclic garbage collector need not go through it again. Its full passes, and the one at exit,
# took about 0.25 s of a one-article build of a 100k-article collection, nearly all of it here.
gc.freeze()

F = TypeVar("F", bound=Callable[..., Any])

COLLECTION_OPTION = click.option(
    "-C",
    "--collection",
    type=click.Path(exists=True, path_type=Path),
    default=Path("."),
    show_default=True,
    help="The collection folder (holding registry.yaml), or any file inside it.",
)
STORE_OPTION = click.option(
    "--store", default=None, help="Store folder [env KGPUB_STORE; default .kgpub/store]."
)
BASE_IRI_OPTION = click.option(
    "--base-iri", default=None, help="Base of every minted IRI [env KGPUB_BASE_IRI]."
)


def handle_errors(command: F) -> F:
    """Turn kgpub's errors into a clear message and exit code 2 (``--traceback`` to debug)."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except KgpubError as error:
            if click.get_current_context().find_root().params.get("traceback"):
                raise
            click.echo(f"error: {error}", err=True)
            sys.exit(2)

    return wrapper  # type: ignore[return-value]


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="kgpub")
@click.option("-v", "--verbose", is_flag=True, help="Report progress on stderr.")
@click.option("--traceback", is_flag=True, help="Show Python tracebacks for errors.")
def main(verbose: bool, traceback: bool) -> None:
    """Publish facts reported in the news as validated Linked Data, with who said what."""
    logging.basicConfig(
        level=logging.INFO if verbose else logging.WARNING,
        format="%(message)s",
        stream=sys.stderr,
    )


def _report_problems(problems: list[Any]) -> None:
    for problem in problems:
        click.echo(str(problem), err=True)


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@BASE_IRI_OPTION
@handle_errors
def validate(path: Path, base_iri: str | None) -> None:
    """Check a collection's fact files and SHACL conformance; publish nothing.

    PATH is the collection folder or any file in it. Every problem is reported with file,
    line and field. Exit status: 0 conforms, 1 does not conform, 2 could not run.

    \b
    Example:
        kgpub validate examples/
    """
    settings = load_settings(find_collection_root(path), overrides={"base_iri": base_iri})
    summary = build_collection(path, settings, publish=False)
    _report_problems(summary.problems)
    if summary.unloadable:
        click.echo(f"error: {summary.unloadable} problems in the input; nothing checked", err=True)
        sys.exit(2)
    articles = len(summary.added) + len(summary.updated) + summary.unchanged
    if summary.conforms:
        click.echo(f"conforms: {articles} articles, {summary.quads} quads", err=True)
        return
    click.echo(
        f"does not conform: {len(summary.problems)} problems "
        f"({summary.violations} SHACL violations)",
        err=True,
    )
    sys.exit(1)


@main.command()
@click.argument("path", type=click.Path(exists=True, path_type=Path))
@STORE_OPTION
@BASE_IRI_OPTION
@handle_errors
def build(path: Path, store: str | None, base_iri: str | None) -> None:
    """Validate a collection and publish it into the store, all or nothing.

    A build that fails for any reason leaves the previous publication as it was.

    \b
    Example:
        kgpub build examples/ --store /tmp/kgpub-store
    """
    settings = load_settings(
        find_collection_root(path), overrides={"store": store, "base_iri": base_iri}
    )
    summary = build_collection(path, settings)
    _report_problems(summary.problems)
    click.echo(summary.describe(), err=True)
    if summary.unloadable:
        sys.exit(2)
    if not summary.published:
        sys.exit(1)


def _open_store(collection: Path, store: str | None) -> Store:
    root = find_collection_root(collection)
    settings = load_settings(root, overrides={"store": store})
    return open_store(settings, root)


@main.command()
@COLLECTION_OPTION
@STORE_OPTION
@click.option(
    "-f", "--format", "format_name", type=click.Choice(RDF_FORMAT_NAMES), default="nquads",
    show_default=True, help="RDF format; turtle, ntriples and rdfxml hold the union of graphs.",
)  # fmt: skip
@click.option(
    "-o", "--output", type=click.Path(path_type=Path), help="File to write (default stdout)."
)
@click.option("--gzip", "compress", is_flag=True, help="Compress the output with gzip.")
@click.option("--canonical", is_flag=True, help="Sorted N-Quads, identical bytes for same facts.")
@click.option(
    "--dumps", "dumps_dir", type=click.Path(file_okay=False, path_type=Path),
    help="Write the dump set that builds make for /dumps/ (the dump_formats setting) and its "
    f"catalog {CATALOG_FILE} into this folder, instead of one format.",
)  # fmt: skip
@handle_errors
def export(
    collection: Path,
    store: str | None,
    format_name: str,
    output: Path | None,
    compress: bool,
    canonical: bool,
    dumps_dir: Path | None,
) -> None:
    """Write the published dataset as RDF.

    \b
    Example:
        kgpub export -C examples/ -f trig -o ghwayran.trig
        kgpub export -C examples/ -f nquads --gzip -o dump.nq.gz
        kgpub export -C examples/ --dumps site/dumps
    """
    if dumps_dir is not None:
        if output or compress or canonical:
            raise click.UsageError(
                "--dumps writes a whole set: leave out -o, --gzip and --canonical"
            )
        _export_dump_set(collection, store, dumps_dir)
        return
    from kgpub.export import canonical_nquads, write_dump

    published = _open_store(collection, store)
    target = output.open("wb") if output else sys.stdout.buffer
    try:
        if canonical:
            target.write(canonical_nquads(published))
        else:
            write_dump(published, rdf_format(format_name), target, compress=compress)
    finally:
        if output:
            target.close()


def _export_dump_set(collection: Path, store: str | None, folder: Path) -> None:
    root = find_collection_root(collection)
    settings = load_settings(root, overrides={"store": store})
    kinds = dump_kinds(settings.dump_format_names)
    if not kinds:
        raise ConfigError(
            "dump_formats is 'none', so there are no dumps to write; run with "
            "KGPUB_DUMP_FORMATS=all (or a list such as 'nquads trig')"
        )
    published = open_store(settings, root)
    try:
        catalog = write_store_dumps(published, folder, kinds)
    finally:
        published.close()
    names = ", ".join(dump.name for dump in catalog.files)
    click.echo(f"wrote {names} and {CATALOG_FILE} into {folder}", err=True)


@main.command()
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
    published = _open_store(collection, store)
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


@main.command()
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

    figures = collect_stats(_open_store(collection, store))
    if as_json:
        click.echo(json.dumps(figures.as_json(), indent=2))
    else:
        click.echo(figures.describe(), nl=False)


@main.command()
@COLLECTION_OPTION
@STORE_OPTION
@click.option("--query-url", help="The server's SPARQL query URL [env KGPUB_REMOTE_QUERY_URL].")
@click.option("--update-url", help="Its SPARQL Update URL [env KGPUB_REMOTE_UPDATE_URL].")
@click.option("--user", help="HTTP Basic user [env KGPUB_REMOTE_USER; password only from "
              "KGPUB_REMOTE_PASSWORD or kgpub.toml].")  # fmt: skip
@handle_errors
def push(
    collection: Path,
    store: str | None,
    query_url: str | None,
    update_url: str | None,
    user: str | None,
) -> None:
    """Copy the locally built publication to a remote SPARQL 1.1 server.

    The server ends up with exactly the local graphs (others it held are dropped), each
    replaced as a whole, so pushing again changes nothing. The server must use the union of
    its graphs as the default graph (see docs/remote.md).

    \b
    Example:
        KGPUB_REMOTE_PASSWORD=… kgpub push -C examples/ \\
            --query-url http://localhost:3030/kgpub/query \\
            --update-url http://localhost:3030/kgpub/update --user admin
    """
    from kgpub.embedded import EmbeddedStore
    from kgpub.mirror import push as push_publication
    from kgpub.remote import RemoteStore

    root = find_collection_root(collection)
    overrides = {
        "store": store,
        "remote_query_url": query_url,
        "remote_update_url": update_url,
        "remote_user": user,
    }
    settings = load_settings(root, overrides=overrides)
    source = EmbeddedStore(settings.store_path(root))
    target_settings = load_settings(root, overrides={**overrides, "backend": "remote"})
    target = RemoteStore.from_settings(target_settings)
    sent = push_publication(source, target)
    click.echo(f"pushed {sent} quads to {target.description}", err=True)


@main.command()
@click.option(
    "-o", "--output-dir", type=click.Path(file_okay=False, path_type=Path),
    help="Write <name>.schema.json files here instead of printing one schema.",
)  # fmt: skip
@click.argument("name", type=click.Choice(sorted(SCHEMAS)), required=False)
def schema(output_dir: Path | None, name: str | None) -> None:
    """Print the JSON Schema of the article or registry format, for editors.

    \b
    Example:
        kgpub schema article > article.schema.json
        kgpub schema -o docs/schema
    """
    if output_dir is None:
        click.echo(schema_text(name or "article"), nl=False)
        return
    output_dir.mkdir(parents=True, exist_ok=True)
    for schema_name in [name] if name else sorted(SCHEMAS):
        (output_dir / f"{schema_name}.schema.json").write_text(
            schema_text(schema_name), encoding="utf-8"
        )
        click.echo(f"wrote {output_dir / f'{schema_name}.schema.json'}", err=True)


@main.command()
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
