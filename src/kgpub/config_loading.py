"""Resolving settings: defaults, then ``kgpub.toml``, then ``KGPUB_*`` variables, then flags.

Every value is checked once here, so the rest of kgpub can trust :class:`Settings`, and a bad
one is refused with what to write instead.
"""

from __future__ import annotations

import math
import os
import tomllib
from collections.abc import Mapping
from dataclasses import fields, replace
from pathlib import Path

from kgpub.config import BACKENDS, DUMP_FORMATS, SERVERS, SETTINGS, Settings
from kgpub.errors import ConfigError

CONFIG_FILE = "kgpub.toml"


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
    _check_web(settings)
    _check_dump_formats(settings)
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


def _check_web(settings: Settings) -> None:
    for name in ("query_timeout", "query_timeout_max"):
        value = getattr(settings, name)
        try:
            if not float(value) > 0:
                raise ValueError
        except ValueError:
            raise ConfigError(
                f"{name} must be a positive number of seconds, not {value!r}"
            ) from None
    if settings.query_timeout_seconds > settings.query_timeout_max_seconds:
        raise ConfigError(
            f"query_timeout ({settings.query_timeout}) must not exceed query_timeout_max "
            f"({settings.query_timeout_max}); raise query_timeout_max or lower query_timeout"
        )
    for name, lowest in (
        ("max_rows", 1),
        ("max_request_bytes", 1024),
        ("query_workers", 1),
        ("port", 0),
        ("threads", 1),
        ("processes", 1),
        ("proxy_hops", 0),
        ("rate_burst", 1),
    ):
        value = getattr(settings, name)
        if not (value.isdigit() and int(value) >= lowest):
            raise ConfigError(f"{name} must be a whole number ≥ {lowest}, not {value!r}")
    try:
        if not (math.isfinite(settings.rate_per_second) and settings.rate_per_second >= 0):
            raise ValueError
    except ValueError:
        raise ConfigError(
            f"rate_limit must be a number of requests per second ≥ 0 (0 turns it off), "
            f"not {settings.rate_limit!r}"
        ) from None
    if settings.server not in SERVERS:
        raise ConfigError(
            f"server {settings.server!r} is not known; use one of {', '.join(SERVERS)}"
        )
    if settings.port_number > 65535:
        raise ConfigError(f"port must be at most 65535, not {settings.port}")
    if settings.script_name and (
        not settings.script_name.startswith("/") or settings.script_name.endswith("/")
    ):
        raise ConfigError(
            f"script_name must start with '/' and not end with one (e.g. /kg), "
            f"not {settings.script_name!r}"
        )


def _check_dump_formats(settings: Settings) -> None:
    asked = set(settings.dump_formats.replace(",", " ").split())
    if asked in ({"all"}, {"none"}):
        return
    unknown = sorted(asked - set(DUMP_FORMATS))
    if unknown or not asked:
        raise ConfigError(
            f"dump_formats must be 'all', 'none' or some of {', '.join(DUMP_FORMATS)}, not "
            f"{settings.dump_formats!r}" + (f" (unknown: {', '.join(unknown)})" if unknown else "")
        )
