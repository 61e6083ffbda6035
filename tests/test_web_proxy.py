"""Behind a reverse proxy: X-Forwarded-* only when trusted, and a URL path prefix."""

from __future__ import annotations

from pathlib import Path

from .test_web_fixtures import running_app

SD_ENDPOINT = "<http://www.w3.org/ns/sparql-service-description#endpoint>"


def _endpoint(root: Path, path: str, headers: dict[str, str], **settings: str) -> str:
    """The endpoint IRI the Service Description at ``path`` states."""
    with running_app(root, **settings) as app:
        response = app.test_client().get(
            path, headers={"Accept": "application/n-triples", **headers}
        )
    assert response.status_code == 200, response.text
    line = next(line for line in response.text.splitlines() if SD_ENDPOINT in line)
    return line.split()[0]


def test_forwarded_headers_are_ignored_unless_proxies_are_trusted(examples_copy: Path) -> None:
    headers = {"X-Forwarded-Host": "evil.example", "X-Forwarded-Proto": "https"}
    assert _endpoint(examples_copy, "/sparql", headers) == "<http://localhost/sparql>"


def test_a_trusted_proxy_sets_the_public_scheme_host_and_prefix(examples_copy: Path) -> None:
    headers = {
        "X-Forwarded-Host": "facts.example.org",
        "X-Forwarded-Proto": "https",
        "X-Forwarded-Prefix": "/kg",
    }
    endpoint = _endpoint(examples_copy, "/sparql", headers, proxy_hops="1")
    assert endpoint == "<https://facts.example.org/kg/sparql>"


def test_script_name_mounts_the_app_whether_or_not_the_proxy_strips_it(
    examples_copy: Path,
) -> None:
    kept = _endpoint(examples_copy, "/kg/sparql", {}, script_name="/kg")
    stripped = _endpoint(examples_copy, "/sparql", {}, script_name="/kg")
    assert kept == stripped == "<http://localhost/kg/sparql>"


def test_a_redirect_to_the_trailing_slash_keeps_the_prefix(examples_copy: Path) -> None:
    with running_app(examples_copy, script_name="/kg") as app:
        response = app.test_client().get("/kg/queries")
    assert response.status_code == 308
    assert response.headers["Location"].endswith("/kg/queries/")
