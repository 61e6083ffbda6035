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


@dataclass(frozen=True)
class Settings:
    """Every setting, once resolved."""

    base_iri: str = DEFAULT_BASE_IRI
    store: str = ".kgpub/store"

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
    "store": "Folder of the built store (relative to the collection unless absolute).",
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
    return settings


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
    for name, value in data.items():
        if not isinstance(value, str):
            raise ConfigError(f"{path}: {name} must be a string")
    return dict(data)
