"""What every ``kgpub`` command shares: its repeated options, its error handling, its store.

Exit codes: 0 ok; 1 ran, but the answer is no (data does not conform); 2 could not run.
Data goes to stdout, messages to stderr.
"""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from kgpub.backend import Store
from kgpub.collection import find_collection_root
from kgpub.config_loading import load_settings
from kgpub.errors import KgpubError
from kgpub.store import open_store

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


def report_problems(problems: list[Any]) -> None:
    """Print each problem a build or check found on stderr, one per line."""
    for problem in problems:
        click.echo(str(problem), err=True)


def open_published_store(collection: Path, store: str | None) -> Store:
    """Open the store that holds what ``collection`` last published.

    :param collection: the collection folder, or any file inside it.
    :param store: the ``--store`` flag, or ``None`` to take the setting.
    :raises ConfigError: for bad settings.
    """
    root = find_collection_root(collection)
    settings = load_settings(root, overrides={"store": store})
    return open_store(settings, root)
