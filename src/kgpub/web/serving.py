"""``kgpub serve``: the app in a production HTTP server, granian by default, or waitress.

- **granian** (``server = "granian"``, the default): an HTTP server written in Rust, running
  the app in ``processes`` server processes with ``threads`` threads each
  (:mod:`kgpub.web.granian_serving`). Several times faster than waitress on small answers,
  since the HTTP work never enters Python.
- **waitress** (``server = "waitress"``): pure Python, one process with ``threads`` threads,
  for platforms without granian. Waitress buffers slow clients and whole request bodies before
  the app sees them.

Either way the app refuses bodies over ``max_request_bytes`` (413) and URLs over it (414)
itself, binds 127.0.0.1 unless told otherwise, announces its URL once it listens (port 0
picks a free port, and the URL names it), and stops with ``SIGTERM`` or Ctrl-C, query
workers included.
"""

from __future__ import annotations

import signal
import socket
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from kgpub.config import Settings
from kgpub.errors import ConfigError

if TYPE_CHECKING:
    from flask import Flask


def serve(settings: Settings, collection_root: Path, *, announce: Callable[[str], None]) -> None:
    """Serve the collection with the ``server`` the settings name until interrupted.

    :param announce: told the base URL once the server listens (port 0 picks a free port).
    :raises ConfigError: when a canned query is malformed or the address cannot be bound.
    """
    if settings.server == "waitress":
        from kgpub.web.app import create_app

        serve_with_waitress(create_app(settings, collection_root), settings, announce=announce)
        return
    from kgpub.web.granian_serving import serve_with_granian

    serve_with_granian(settings, collection_root, announce=announce)


def public_url(settings: Settings, port: int) -> str:
    """The base URL of a server listening on ``port`` of the settings' host.

    >>> from kgpub.config import Settings
    >>> public_url(Settings(host="::1", script_name="/kg"), 8080)
    'http://[::1]:8080/kg/'
    """
    host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    return f"http://{host}:{port}{settings.script_name}/"


def bind_address(host: str, port: int, *, share_port: bool = False) -> socket.socket:
    """A TCP socket bound to ``host:port`` (a free port for 0), not listening yet.

    :param share_port: let other sockets of this user bind the same port (``SO_REUSEPORT``).
    :raises ConfigError: when the address cannot be bound, saying how to choose another.
    """
    if share_port and not hasattr(socket, "SO_REUSEPORT"):
        raise ConfigError(
            "granian's server processes share their port (SO_REUSEPORT), which this system "
            "does not offer; run kgpub serve with --server waitress (KGPUB_SERVER=waitress)"
        )
    try:
        family, kind, protocol, _, address = socket.getaddrinfo(
            host, port, type=socket.SOCK_STREAM, flags=socket.AI_PASSIVE
        )[0]
        bound = socket.socket(family, kind, protocol)
    except OSError as error:
        raise _cannot_listen(host, port, error) from None
    try:
        # As servers do: a port left in TIME_WAIT by the last run can be listened on again.
        bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        if share_port:
            bound.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        bound.bind(address)
    except OSError as error:
        bound.close()
        raise _cannot_listen(host, port, error) from None
    return bound


def _cannot_listen(host: str, port: int, error: OSError) -> ConfigError:
    return ConfigError(
        f"cannot listen on {host} port {port}: {error.strerror or error}; choose another "
        "address with --host/--port (KGPUB_HOST, KGPUB_PORT), or port 0 for a free one"
    )


def _stop_on_terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)  # runs the cleanup below, as Ctrl-C does


def serve_with_waitress(app: Flask, settings: Settings, *, announce: Callable[[str], None]) -> None:
    """Serve ``app`` in waitress, threads in this process, until interrupted; then stop it.

    :param announce: told the base URL once the server listens.
    :raises ConfigError: when the address cannot be bound.
    """
    from waitress.server import create_server

    from kgpub.web.state import EXTENSION_KEY, WebState

    state: WebState = app.extensions[EXTENSION_KEY]
    try:
        # Bound here rather than by waitress, which leaves threads and pipes open on failure.
        listening = bind_address(settings.host, settings.port_number)
    except ConfigError:
        state.close()
        raise
    server = create_server(
        app,
        sockets=[listening],
        threads=settings.thread_count,
        max_request_body_size=settings.request_byte_limit,
        ident="kgpub",
    )
    state.pool.start()
    port = listening.getsockname()[1]
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    announce(public_url(settings, port))
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        state.close()
