"""Settings: defaults, then ``kgpub.toml``, then ``KGPUB_*`` variables, then command-line flags.

The ``SETTINGS`` table is the single description of every setting (docs/config.md follows it).
"""

from __future__ import annotations

import os
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from pathlib import Path

from kgpub.errors import ConfigError
from kgpub.iris import DEFAULT_BASE_IRI, IriScheme

CONFIG_FILE = "kgpub.toml"
BACKENDS = ("embedded", "remote")


@dataclass(frozen=True)
class Settings:
    """Every setting, once resolved."""

    base_iri: str = DEFAULT_BASE_IRI
    store: str = ".kgpub/store"
    backend: str = "embedded"
    workers: str = "auto"
    remote_query_url: str = ""
    remote_update_url: str = ""
    remote_user: str = ""
    remote_password: str = ""
    remote_timeout: str = "60"

    def __repr__(self) -> str:  # never print credentials
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        if shown["remote_password"]:
            shown["remote_password"] = "***"  # noqa: S105 - a mask, not a password
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @property
    def worker_count(self) -> int:
        """How many processes map and validate articles in parallel."""
        if self.workers == "auto":
            return max(1, len(os.sched_getaffinity(0)))
        return int(self.workers)

    @property
    def remote_timeout_seconds(self) -> float:
        """The remote server's request timeout, in seconds."""
        return float(self.remote_timeout)

    @property
    def iris(self) -> IriScheme:
        """The IRI scheme for ``base_iri``."""
        return IriScheme(self.base_iri)

    def store_path(self, collection_root: Path) -> Path:
        """Where the store lives; relative paths are relative to the collection."""
        path = Path(self.store)
        return path if path.is_absolute() else collection_root / path


SETTINGS: dict[str, str] = {
    "base_iri": "Base IRI every published IRI starts with; must end in '/'.",
    "store": "Folder of the built store and build cache (relative to the collection unless "
    "absolute).",
    "backend": "Where data is published and served from: 'embedded' (Oxigraph on disk in the "
    "store folder) or 'remote' (a SPARQL 1.1 server).",
    "workers": "Processes that map and validate articles in parallel: a number, or 'auto' for "
    "one per available core.",
    "remote_query_url": "The remote server's SPARQL query endpoint, e.g. "
    "http://localhost:3030/kgpub/sparql (backend 'remote').",
    "remote_update_url": "The remote server's SPARQL Update endpoint, e.g. "
    "http://localhost:3030/kgpub/update (backend 'remote').",
    "remote_user": "User name for HTTP Basic authentication to the remote server.",
    "remote_password": "Password for the remote server; prefer the KGPUB_REMOTE_PASSWORD "
    "variable to writing it in kgpub.toml. Never printed.",
    "remote_timeout": "Seconds to wait for the remote server before giving up.",
}


def load_settings(
    collection_root: Path | None = None,
    *,
    env: Mapping[str, str] = os.environ,
    overrides: Mapping[str, str | None] | None = None,
) -> Settings:
    """Resolve settings from, lowest first: defaults, ``kgpub.toml``, environment, overrides.

    :raises ConfigError: for an unknown setting, a malformed file or a bad value.
    """
    values: dict[str, str] = {}
    if collection_root is not None and (collection_root / CONFIG_FILE).is_file():
        values.update(_read_file(collection_root / CONFIG_FILE))
    for name in SETTINGS:
        variable = f"KGPUB_{name.upper()}"
        if env.get(variable):
            values[name] = env[variable]
    values.update({k: v for k, v in (overrides or {}).items() if v is not None})
    settings = replace(Settings(), **values)
    try:
        settings.iris  # noqa: B018 - validates base_iri
    except ValueError as error:
        raise ConfigError(str(error)) from None
    _check(settings)
    return settings


def _check(settings: Settings) -> None:
    if settings.backend not in BACKENDS:
        raise ConfigError(
            f"backend {settings.backend!r} is not known; use one of {', '.join(BACKENDS)}"
        )
    if settings.workers != "auto" and not (
        settings.workers.isdigit() and int(settings.workers) >= 1
    ):
        raise ConfigError(f"workers must be 'auto' or a whole number ≥ 1, not {settings.workers!r}")
    try:
        if settings.remote_timeout_seconds <= 0:
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"remote_timeout must be a positive number of seconds, not {settings.remote_timeout!r}"
        ) from None
    if settings.backend == "remote":
        for name in ("remote_query_url", "remote_update_url"):
            url = getattr(settings, name)
            if not url.startswith(("http://", "https://")):
                raise ConfigError(
                    f"backend 'remote' needs {name} (an http(s) URL); set it in kgpub.toml "
                    f"or KGPUB_{name.upper()}"
                )


def _read_file(path: Path) -> dict[str, str]:
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, tomllib.TOMLDecodeError) as error:
        raise ConfigError(f"{path}: cannot read settings: {error}") from None
    known = {f.name for f in fields(Settings)}
    unknown = sorted(set(data) - known)
    if unknown:
        raise ConfigError(
            f"{path}: unknown setting(s) {', '.join(unknown)}; known: {', '.join(sorted(known))}"
        )
    values = {}
    for name, value in data.items():
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            raise ConfigError(f"{path}: {name} must be a string or a number")
        values[name] = str(value)
    return values
