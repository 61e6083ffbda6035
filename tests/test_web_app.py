"""The app factory and the WSGI entry point for servers such as gunicorn."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgpub.config_loading import load_settings
from kgpub.errors import ConfigError
from kgpub.web import create_app, wsgi_app


def test_the_wsgi_factory_serves_the_collection_named_by_the_environment(
    examples_copy: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KGPUB_COLLECTION", str(examples_copy / "queries"))
    monkeypatch.setenv("KGPUB_SCRIPT_NAME", "/kg")
    app = wsgi_app()
    try:
        listing = app.test_client().get("/kg/queries/", headers={"Accept": "application/json"})
    finally:
        app.extensions["kgpub"].close()
    assert listing.status_code == 200
    assert '"url": "http://localhost/kg/queries/01-' in listing.text


def test_the_wsgi_factory_says_which_variable_to_set(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KGPUB_COLLECTION", raising=False)
    with pytest.raises(ConfigError, match="set KGPUB_COLLECTION"):
        wsgi_app()


def test_a_malformed_canned_query_stops_the_app_at_start(examples_copy: Path) -> None:
    (examples_copy / "queries" / "broken.rq").write_text(
        "# Broken\n# param: x (colour)\nSELECT ?x {}\n", encoding="utf-8"
    )
    with pytest.raises(ConfigError, match=r"broken.rq:2: unknown type 'colour'"):
        create_app(load_settings(examples_copy, env={}), examples_copy)


def test_nothing_published_yet_answers_503_saying_to_build(examples_copy: Path) -> None:
    app = create_app(load_settings(examples_copy, env={}), examples_copy)
    try:
        response = app.test_client().get("/sparql", query_string={"query": "ASK {}"})
    finally:
        app.extensions["kgpub"].close()
    assert response.status_code == 503
    assert "kgpub build" in response.text


@pytest.mark.parametrize(
    ("variables", "message"),
    [
        ({"KGPUB_QUERY_TIMEOUT": "0"}, "query_timeout must be a positive number"),
        ({"KGPUB_QUERY_TIMEOUT": "200"}, r"query_timeout \(200\) must not exceed"),
        ({"KGPUB_MAX_ROWS": "0"}, "max_rows must be a whole number ≥ 1"),
        ({"KGPUB_QUERY_WORKERS": "two"}, "query_workers must be a whole number"),
        ({"KGPUB_PORT": "70000"}, "port must be at most 65535"),
        ({"KGPUB_SCRIPT_NAME": "/kg/"}, "script_name must start with '/' and not end"),
    ],
)
def test_a_bad_web_setting_is_refused_with_what_to_do(
    variables: dict[str, str], message: str
) -> None:
    with pytest.raises(ConfigError, match=message):
        load_settings(env=variables)


def test_the_update_token_never_shows_in_the_settings_repr() -> None:
    settings = load_settings(env={"KGPUB_UPDATE_TOKEN": "s3cret-token"})
    assert settings.update_token == "s3cret-token"  # noqa: S105 - a test value
    assert "s3cret-token" not in repr(settings)


def test_web_settings_default_to_a_safe_local_server() -> None:
    settings = load_settings(env={})
    assert (settings.host, settings.port_number, settings.update_token) == ("127.0.0.1", 8000, "")
    assert settings.federation_hosts == () and settings.proxy_hop_count == 0
    assert load_settings(
        env={"KGPUB_FEDERATION_ALLOWLIST": "A.org, *.b.org c"}
    ).federation_hosts == (
        "a.org",
        "*.b.org",
        "c",
    )
