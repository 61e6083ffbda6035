"""Publishing to a real SPARQL server end to end: remote builds, ``kgpub push`` and ``stats``."""

from __future__ import annotations

import json
import shutil
import traceback
from contextlib import closing
from pathlib import Path
from typing import Any

import pyoxigraph
import pytest
from click.testing import CliRunner, Result
from tests.remote_server import (
    OxigraphServer,
    RecordingProxy,
    free_port,
    running_proxy,
)

from kgpub.build import BuildSummary, build_collection
from kgpub.cli import main
from kgpub.config_loading import load_settings
from kgpub.embedded import EmbeddedStore
from kgpub.export import canonical_nquads
from kgpub.remote import RemoteStore
from kgpub.vocab import KG

from .conftest import UNRELATED_ARTICLE, write_collection

PASSWORD = "hunter2-SECRET"  # noqa: S105 - a test password that must never be shown
SAMPLE = "articles/sample.yaml"


@pytest.fixture(scope="module")
def built_sample(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample collection built once into its embedded store; tests only read it."""
    root = write_collection(tmp_path_factory.mktemp("built") / "collection")
    assert build_collection(root, load_settings(root, env={})).published
    return root


def remote_build(root: Path, server: OxigraphServer) -> BuildSummary:
    overrides = {
        "backend": "remote",
        "remote_query_url": server.query_url,
        "remote_update_url": server.update_url,
    }
    summary = build_collection(root, load_settings(root, env={}, overrides=overrides))
    assert summary.published, [str(problem) for problem in summary.problems]
    return summary


def on_server(server: OxigraphServer) -> bytes:
    with closing(RemoteStore(server.query_url, server.update_url, timeout=10)) as store:
        return canonical_nquads(store)


def embedded(root: Path) -> bytes:
    with closing(EmbeddedStore(root / ".kgpub" / "store")) as store:
        return canonical_nquads(store)


def from_scratch(root: Path, tmp_path: Path) -> bytes:
    """What a first embedded build of the same files publishes."""
    fresh = tmp_path / "fresh" / root.name
    shutil.copytree(root, fresh, ignore=shutil.ignore_patterns(".kgpub"))
    assert build_collection(fresh, load_settings(fresh, env={})).published
    return embedded(fresh)


def remote_env(base_url: str, **more: str) -> dict[str, str]:
    """The variables that point kgpub at the server at ``base_url``."""
    return {
        "KGPUB_BACKEND": "remote",
        "KGPUB_REMOTE_QUERY_URL": f"{base_url}/query",
        "KGPUB_REMOTE_UPDATE_URL": f"{base_url}/update",
        **more,
    }


def push(runner: CliRunner, root: Path, base_url: str, *options: str) -> Result:
    """``kgpub push`` of the local store, authenticating with the password from the environment."""
    arguments = [*options, "push", "-C", str(root), "--user", "kgpub"]
    arguments += ["--query-url", f"{base_url}/query", "--update-url", f"{base_url}/update"]
    return runner.invoke(main, arguments, env={"KGPUB_REMOTE_PASSWORD": PASSWORD})


def stats(runner: CliRunner, root: Path, env: dict[str, str] | None = None) -> dict[str, Any]:
    result = runner.invoke(main, ["stats", "-C", str(root), "--json"], env=env)
    assert result.exit_code == 0, result.output
    figures: dict[str, Any] = json.loads(result.stdout)
    return figures


def claims(store: EmbeddedStore | RemoteStore) -> set[str]:
    """The claims a query without GRAPH finds: it needs the union of every graph."""
    solutions = store.query(f"SELECT ?claim WHERE {{ ?claim a <{KG.Claim}> }}")
    assert isinstance(solutions, pyoxigraph.QuerySolutions)
    return {str(row["claim"]) for row in solutions}


def test_a_remote_build_publishes_the_quads_an_embedded_build_publishes(
    built_sample: Path, server: OxigraphServer
) -> None:
    summary = remote_build(built_sample, server)
    assert (summary.full, summary.remapped) == (True, 1)
    assert on_server(server) == embedded(built_sample)
    with (
        closing(EmbeddedStore(built_sample / ".kgpub" / "store")) as local,
        closing(RemoteStore(server.query_url, server.update_url)) as remote,
    ):
        assert len(claims(remote)) == 3
        assert claims(remote) == claims(local)


def test_remote_builds_redo_only_what_changed_and_equal_a_build_from_scratch(
    sample_collection: Path, server: OxigraphServer, tmp_path: Path
) -> None:
    write_collection(sample_collection, other=UNRELATED_ARTICLE)  # a second, unrelated article
    assert remote_build(sample_collection, server).remapped == 2
    first = on_server(server)
    again = remote_build(sample_collection, server)
    assert (again.full, again.remapped, again.unchanged) == (False, 0, 2)
    assert on_server(server) == first
    article = sample_collection / SAMPLE
    article.write_text(article.read_text().replace("Jihadists escape", "Jihadists flee"))
    edited = remote_build(sample_collection, server)
    assert (edited.updated, edited.remapped, edited.unchanged) == ([SAMPLE], 1, 1)
    assert on_server(server) != first
    assert on_server(server) == from_scratch(sample_collection, tmp_path)


def test_push_copies_the_publication_and_stats_on_the_server_match_the_local_ones(
    built_sample: Path, server: OxigraphServer, runner: CliRunner
) -> None:
    pushed = push(runner, built_sample, server.base_url)
    assert pushed.exit_code == 0, pushed.output
    assert f"to {server.query_url}" in pushed.stderr
    local = stats(runner, built_sample)
    remote = stats(runner, built_sample, remote_env(server.base_url))
    assert remote["store"] == server.query_url
    figures = ("graphs", "quads", "instances", "last_build")
    assert {name: remote[name] for name in figures} == {name: local[name] for name in figures}
    assert remote["instances"]["articles"] == 1
    assert on_server(server) == embedded(built_sample)
    assert push(runner, built_sample, server.base_url).exit_code == 0
    assert on_server(server) == embedded(built_sample)
    assert stats(runner, built_sample, remote_env(server.base_url)) == remote


def test_a_remote_build_after_a_push_maps_nothing(
    built_sample: Path, server: OxigraphServer, runner: CliRunner
) -> None:
    assert push(runner, built_sample, server.base_url).exit_code == 0
    summary = remote_build(built_sample, server)
    assert (summary.full, summary.remapped, summary.unchanged) == (False, 0, 1)
    assert on_server(server) == embedded(built_sample)


def shown(result: Result) -> str:
    """Everything a user could see of a run: both streams and any traceback."""
    parts = [result.stdout, result.stderr]
    if result.exception is not None:
        parts += traceback.format_exception(result.exception)
    return "\n".join(parts)


def test_the_remote_password_never_appears_in_cli_output(
    built_sample: Path, server: OxigraphServer, runner: CliRunner
) -> None:
    secret = {"KGPUB_REMOTE_USER": "kgpub", "KGPUB_REMOTE_PASSWORD": PASSWORD}
    dead = f"http://127.0.0.1:{free_port()}"
    in_url = f"http://kgpub:{PASSWORD}@127.0.0.1:{free_port()}"
    with running_proxy(RecordingProxy(status=401, body=b"who are you?")) as refusing:
        runs = {
            "push to a dead port": push(runner, built_sample, dead),
            "push with --traceback": push(runner, built_sample, dead, "--traceback"),
            "push refused": push(runner, built_sample, refusing.base_url),
            "password in the URL": push(runner, built_sample, in_url),
            "stats refused": runner.invoke(
                main,
                ["stats", "-C", str(built_sample)],
                env=remote_env(refusing.base_url, **secret),
            ),
            "push": push(runner, built_sample, server.base_url),
            "stats": runner.invoke(
                main, ["stats", "-C", str(built_sample)], env=remote_env(server.base_url, **secret)
            ),
        }
    assert [name for name, result in runs.items() if result.exit_code != 0] == [
        "push to a dead port", "push with --traceback", "push refused", "password in the URL",
        "stats refused",
    ]  # fmt: skip
    assert "cannot reach the SPARQL server" in runs["push to a dead port"].stderr
    assert "refused access" in runs["push refused"].stderr
    assert all("authorization" in request.headers for request in refusing.requests)
    assert "must not hold a user or password" in runs["password in the URL"].stderr
    assert all(PASSWORD not in shown(result) for result in runs.values())
