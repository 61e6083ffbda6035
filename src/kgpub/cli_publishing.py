"""``kgpub export`` and ``kgpub push``: copy what a build published out of its store.

Modules only one command uses are imported inside it, as in :mod:`kgpub.cli`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from kgpub.cli_options import COLLECTION_OPTION, STORE_OPTION, handle_errors, open_published_store
from kgpub.collection import find_collection_root
from kgpub.config_loading import load_settings
from kgpub.dump_catalog import CATALOG_FILE
from kgpub.dump_publication import write_store_dumps
from kgpub.dumps import dump_kinds
from kgpub.errors import ConfigError
from kgpub.formats import RDF_FORMAT_NAMES, rdf_format
from kgpub.store import open_store


@click.command()
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

    published = open_published_store(collection, store)
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
        catalog = write_store_dumps(published, folder, kinds, whole_files=True)
    finally:
        published.close()
    names = ", ".join(dump.name for dump in catalog.files)
    click.echo(f"wrote {names} and {CATALOG_FILE} into {folder}", err=True)


@click.command()
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
