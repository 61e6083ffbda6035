"""A SPARQL server failing in the middle of a remote build: a timeout, a 500, a dropped connection.

Each failure stops the build with exit 2 and a message naming the update URL and what
happened. The server then still shows the previous manifest, marked as a publication that did
not finish, and the next build republishes everything. Failures before any update, and
refused or malformed updates, are in tests/test_sparql_client.py and tests/test_remote.py.
"""

# ruff: noqa: S310 - every URL opened here is a local http:// test server

from __future__ import annotations

import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import closing, contextmanager
from http.server import ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.remote_server import POLL_SECONDS, OxigraphServer, QuietHandler

from kgpub.cli import main
from kgpub.remote import RemoteStore

from .test_remote_publishing import SAMPLE, from_scratch, on_server, remote_build, remote_env

FAILURES = {
    "timeout": "timed out",
    "500": "answered HTTP 500 Internal Server Error: simulated failure",
    "drop-request": "cannot reach the SPARQL server",
    "drop-response": "cannot reach the SPARQL server",
}
"""How the proxy fails an update, and what the build's error then says."""
FAILING_UPDATE = 2
"""The first update after the mark: the first one that changes data graphs."""
TIMEOUT_SECONDS = "3"
HANG_SECONDS = 60.0
"""How long a hanging answer waits at most; the proxy lets it go when the test ends."""


@contextmanager
def failing_proxy(target: str, failure: str, *, on_update: int) -> Iterator[str]:
    """A proxy to ``target`` on 127.0.0.1 that fails its ``on_update``-th SPARQL Update.

    ``timeout`` never answers it, ``500`` answers 500 without passing it on, ``drop-request``
    reads half of it and closes the connection, ``drop-response`` passes it on (the server
    applies it) and closes the connection instead of answering.
    """
    updates = 0
    counting = threading.Lock()
    release = threading.Event()

    class Handler(QuietHandler):
        def _handle(self) -> None:
            nonlocal updates
            length = int(self.headers.get("Content-Length", "0"))
            is_update = self.headers.get("Content-Type") == "application/sparql-update"
            with counting:
                updates += is_update
                failing = is_update and updates == on_update
            if failing and failure == "drop-request":
                self.rfile.read(length // 2)
                self._drop()
                return
            body = self.rfile.read(length)
            if failing and failure == "500":
                self._answer(500, "text/plain", b"simulated failure")
                return
            if failing and failure == "timeout":
                release.wait(HANG_SECONDS)
                self._drop()
                return
            status, content_type, answer = self._forward(body)
            if failing and failure == "drop-response":
                self._drop()
                return
            self._answer(status, content_type, answer)

        def _forward(self, body: bytes) -> tuple[int, str, bytes]:
            headers = {k: v for k, v in self.headers.items() if k.lower() not in ("host",)}
            request = urllib.request.Request(
                target + self.path,
                data=body if self.command == "POST" else None,
                method=self.command,
                headers=headers,
            )
            try:
                with urllib.request.urlopen(request, timeout=10) as response:
                    return response.status, response.headers["Content-Type"] or "", response.read()
            except urllib.error.HTTPError as error:
                with error:
                    return error.code, error.headers["Content-Type"] or "", error.read()

        def _drop(self) -> None:
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, args=(POLL_SECONDS / 4,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        release.set()
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


def build_through(runner: CliRunner, root: Path, base_url: str) -> tuple[int, str]:
    """``kgpub build`` into the server behind ``base_url``: its exit code and stderr."""
    env = remote_env(base_url, KGPUB_REMOTE_TIMEOUT=TIMEOUT_SECONDS, KGPUB_DUMP_FORMATS="none")
    result = runner.invoke(main, ["build", str(root)], env=env)
    return result.exit_code, result.stderr


def unfinished(server: OxigraphServer) -> str | None:
    with closing(RemoteStore(server.query_url, server.update_url, timeout=10)) as store:
        return store.unfinished_publication()


@pytest.mark.parametrize("failure", FAILURES)
def test_a_server_failing_in_the_middle_of_a_build_is_reported_and_the_next_build_repairs_it(
    failure: str,
    sample_collection: Path,
    server: OxigraphServer,
    runner: CliRunner,
    tmp_path: Path,
) -> None:
    remote_build(sample_collection, server)
    before = on_server(server)
    with closing(RemoteStore(server.query_url, server.update_url)) as store:
        manifest = store.manifest()
    article = sample_collection / SAMPLE
    article.write_text(article.read_text().replace("50", "60"))  # a count: new claim graphs
    with failing_proxy(server.base_url, failure, on_update=FAILING_UPDATE) as proxy:
        code, stderr = build_through(runner, sample_collection, proxy)
    assert code == 2, stderr
    assert f"{proxy}/update" in stderr
    assert FAILURES[failure] in stderr
    assert "may be partly updated" in stderr and "Run the build again" in stderr
    with closing(RemoteStore(server.query_url, server.update_url)) as store:
        assert store.manifest() == manifest
    assert unfinished(server) is not None
    if failure == "drop-response":  # the server applied the update it never answered
        assert on_server(server) != before
    else:
        assert on_server(server) == before
    repaired = remote_build(sample_collection, server)
    assert repaired.full
    assert on_server(server) == from_scratch(sample_collection, tmp_path)
    assert unfinished(server) is None


def test_issue_6_the_next_build_repairs_an_unfinished_publication_even_if_the_edit_was_undone(
    sample_collection: Path, server: OxigraphServer, runner: CliRunner, tmp_path: Path
) -> None:
    remote_build(sample_collection, server)
    article = sample_collection / SAMPLE
    original = article.read_text()
    article.write_text(original.replace("50", "60"))
    with failing_proxy(server.base_url, "drop-response", on_update=FAILING_UPDATE) as proxy:
        assert build_through(runner, sample_collection, proxy)[0] == 2
    article.write_text(original)  # the editor takes the change back before the next build
    # The published build state says the article is as it was, yet the server holds the
    # edited article's graphs; only republishing everything brings the server back.
    remote_build(sample_collection, server)
    assert on_server(server) == from_scratch(sample_collection, tmp_path)
