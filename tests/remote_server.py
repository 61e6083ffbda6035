"""Real SPARQL servers for the remote-store tests: an Oxigraph server process, a recording proxy.

Everything binds 127.0.0.1 only, and every wait is bounded.
"""

# ruff: noqa: S310 - every URL opened here is a local http:// test server

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

STARTUP_POLLS = 100
POLL_SECONDS = 0.1


def free_port() -> int:
    """A TCP port nothing listens on right now."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass(frozen=True)
class OxigraphServer:
    """A running ``oxigraph serve`` process."""

    base_url: str

    @property
    def query_url(self) -> str:
        return f"{self.base_url}/query"

    @property
    def update_url(self) -> str:
        return f"{self.base_url}/update"

    def clear(self) -> None:
        """Remove every graph, so a test starts from an empty server."""
        request = urllib.request.Request(
            self.update_url,
            data=b"DROP SILENT ALL",
            method="POST",
            headers={"Content-Type": "application/sparql-update"},
        )
        with urllib.request.urlopen(request, timeout=10) as response:
            response.read()


def oxigraph_binary() -> str:
    """The ``oxigraph`` server shipped by the ``oxigraph`` package (dev extra), or skip."""
    beside_python = Path(sys.executable).with_name("oxigraph")
    found = str(beside_python) if beside_python.exists() else shutil.which("oxigraph")
    if found is None:
        pytest.skip("the oxigraph server is not installed: pip install 'oxigraph>=0.5,<0.6'")
    return found


@contextmanager
def running_oxigraph(
    location: Path, *, union_default_graph: bool = True
) -> Iterator[OxigraphServer]:
    """Start ``oxigraph serve`` on a free local port, wait until it answers, stop it after."""
    port = free_port()
    command = [oxigraph_binary(), "serve", "--location", str(location / "db")]
    command += ["--bind", f"127.0.0.1:{port}"]
    if union_default_graph:
        command.append("--union-default-graph")
    log_path = location / "oxigraph.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
    server = OxigraphServer(f"http://127.0.0.1:{port}")
    try:
        _wait_until_answering(server, process, log_path)
        yield server
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


def _wait_until_answering(
    server: OxigraphServer, process: subprocess.Popen[bytes], log: Path
) -> None:
    ask = f"{server.query_url}?{urllib.parse.urlencode({'query': 'ASK {}'})}"
    for _ in range(STARTUP_POLLS):
        if process.poll() is not None:
            break
        try:
            with urllib.request.urlopen(ask, timeout=1) as response:
                response.read()
            return
        except (urllib.error.URLError, ConnectionError):
            time.sleep(POLL_SECONDS)
    raise RuntimeError(f"oxigraph serve did not start: {log.read_text(errors='replace')[-2000:]}")


@dataclass
class RecordedRequest:
    """One request the proxy saw."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes


@dataclass
class RecordingProxy:
    """Records every request, then forwards it to ``target`` or answers ``status``/``body``.

    With ``fail_updates_after``, updates past that many answer 500, as a server failing in the
    middle of a commit would.
    """

    target: str | None = None
    status: int = 200
    body: bytes = b""
    content_type: str = "text/plain"
    fail_updates_after: int | None = None
    requests: list[RecordedRequest] = field(default_factory=list)
    base_url: str = ""

    def updates(self) -> list[RecordedRequest]:
        """The SPARQL Update requests seen."""
        return [
            r for r in self.requests if r.headers.get("content-type") == "application/sparql-update"
        ]


class QuietHandler(BaseHTTPRequestHandler):
    """A handler answering GET and POST alike through ``_handle``, and logging nothing."""

    def do_GET(self) -> None:
        self._handle()

    def do_POST(self) -> None:
        self._handle()

    def log_message(self, format: str, *args: object) -> None:  # keep test output clean
        pass

    def _handle(self) -> None:
        raise NotImplementedError

    def _answer(self, status: int, content_type: str, body: bytes) -> None:
        self.send_response(status)
        if content_type:
            self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def running_proxy(proxy: RecordingProxy) -> Iterator[RecordingProxy]:
    """Serve ``proxy`` on a free local port for the duration of the block."""

    class Handler(QuietHandler):
        def _handle(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            headers = {name.lower(): value for name, value in self.headers.items()}
            proxy.requests.append(RecordedRequest(self.command, self.path, headers, body))
            limit = proxy.fail_updates_after
            if limit is not None and len(proxy.updates()) > limit:
                self._answer(500, "text/plain", b"simulated failure")
                return
            if proxy.target is None:
                self._answer(proxy.status, proxy.content_type, proxy.body)
                return
            forwarded = urllib.request.Request(
                proxy.target + self.path,
                data=body if self.command == "POST" else None,
                method=self.command,
                headers={k: v for k, v in headers.items() if k not in ("host", "content-length")},
            )
            try:
                with urllib.request.urlopen(forwarded, timeout=10) as answer:
                    self._answer(
                        answer.status, answer.headers.get("Content-Type", ""), answer.read()
                    )
            except urllib.error.HTTPError as error:
                with error:
                    self._answer(error.code, error.headers.get("Content-Type", ""), error.read())

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    proxy.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, args=(POLL_SECONDS / 4,), daemon=True)
    thread.start()
    try:
        yield proxy
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)
