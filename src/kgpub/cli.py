"""The ``kgpub`` command. Thin: parse arguments, call one library function, format output.

Exit codes: 0 ok; 1 ran, but the answer is no (data does not conform); 2 could not run.
Data goes to stdout, messages to stderr.

This module holds the command group and the commands an editor runs on a collection
(``validate``, ``build``, ``schema``); :mod:`kgpub.cli_publishing` copies the publication out
and :mod:`kgpub.cli_serving` answers from it. Modules only one command uses are imported inside
it: ``kgpub build`` is run after every edit, and starting Python is part of its time (the web
app, above all, is never loaded).
"""

from __future__ import annotations

import gc
import logging
import sys
from pathlib import Path

import click

from kgpub import __version__
from kgpub.build import build_collection
from kgpub.cli_options import BASE_IRI_OPTION, STORE_OPTION, handle_errors, report_problems
from kgpub.cli_publishing import export, push
from kgpub.cli_serving import query, serve, stats
from kgpub.collection import find_collection_root
from kgpub.config_loading import load_settings
from kgpub.schema import SCHEMAS, schema_text

# What is imported by now (modules, classes, tables) lives as long as the process, so the
# cyclic garbage collector need not go through it again. Its full passes, and the one at exit,
# took about 0.25 s of a one-article build of a 100k-article collection, nearly all of it here.
gc.freeze()


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
    report_problems(summary.problems)
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
    report_problems(summary.problems)
    click.echo(summary.describe(), err=True)
    if summary.unloadable:
        sys.exit(2)
    if not summary.published:
        sys.exit(1)


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


# Registered here rather than in their modules, so that those never import this one.
for command in (export, query, stats, push, serve):
    main.add_command(command)
