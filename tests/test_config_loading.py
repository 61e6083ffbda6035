"""Resolving settings: defaults, kgpub.toml, KGPUB_* variables and flags, with clear errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.config_loading import load_settings
from kgpub.errors import ConfigError


def test_the_environment_overrides_the_file_and_flags_override_both(tmp_path: Path) -> None:
    (tmp_path / "kgpub.toml").write_text('workers = 3\nstore = "from-file"\n', encoding="utf-8")
    settings = load_settings(tmp_path, env={"KGPUB_STORE": "from-env"}, overrides={"workers": "1"})
    assert (settings.store, settings.worker_count) == ("from-env", 1)


def test_auto_workers_means_one_per_available_core() -> None:
    assert load_settings(env={}).worker_count >= 1


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"KGPUB_BACKEND": "fuseki"}, "backend 'fuseki' is not known"),
        ({"KGPUB_WORKERS": "0"}, "workers must be 'auto' or a whole number"),
        ({"KGPUB_REMOTE_TIMEOUT": "soon"}, "remote_timeout must be a positive number"),
        ({"KGPUB_BACKEND": "remote"}, "backend 'remote' needs remote_query_url"),
        ({"KGPUB_SERVER": "gunicorn"}, "server 'gunicorn' is not known; use one of granian"),
        ({"KGPUB_PROCESSES": "0"}, "processes must be a whole number ≥ 1"),
    ],
)
def test_a_bad_setting_is_refused_with_what_to_do(variables: dict[str, str], message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env=variables)


def test_an_unknown_setting_in_the_file_lists_the_known_ones(tmp_path: Path) -> None:
    (tmp_path / "kgpub.toml").write_text('base_url = "x"\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"unknown setting\(s\) base_url; known: backend"):
        load_settings(tmp_path, env={})
