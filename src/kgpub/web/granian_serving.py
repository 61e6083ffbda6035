"""``kgpub serve`` in granian: a Rust HTTP server running the app in several processes.

Waitress spends most of a cheap request in Python (parsing, its event loop, handing requests
between threads); granian does all of that in Rust and enters Python only to run the app, so
the same app answers several times as many requests (docs/performance.md).

How the processes are arranged:

- **This process** checks what can stop the app from starting (the canned queries, the store
  settings), reserves the address, starts granian's **server processes** (``processes``) and
  waits. It never loads the app, so it stays small.
- Each server process is *spawned* (a fresh interpreter, never a fork of this one), builds its
  own app and starts its own pool of query workers (``query_workers``) and caches; the store is
  on disk and shared through the page cache. It stops its query workers when it stops, and it
  stops itself if this process disappears without saying so (``kill -9``), so nothing is left
  running and holding the port.
- On Linux each server process listens on the address itself (``SO_REUSEPORT``) and the kernel
  spreads connections between them. To make port 0 work — every process must listen on the
  *same* free port — this process binds the address first with ``SO_REUSEPORT`` and keeps it
  bound, without listening, so the port stays taken until the server stops.

The address is announced once a server process accepts connections.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import socket
import threading
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from granian.constants import HTTPModes, Interfaces
from granian.http import HTTP1Settings
from granian.log import LogLevels
from granian.server import Server
from granian.server.common import AbstractServer

from kgpub.config import Settings
from kgpub.store import open_store
from kgpub.web.canned_queries import load_canned_queries
from kgpub.web.request_guard import RequestGuard
from kgpub.web.serving import bind_address, public_url
from kgpub.web.shared_rate_limit import shared_bucket_table

if TYPE_CHECKING:
    from _typeshed.wsgi import WSGIApplication
    from flask import Flask

    from kgpub.web.state import WebState

logger = logging.getLogger(__name__)

HEADER_READ_SECONDS = 30
"""How long a client may take to send a request's headers before it is disconnected."""
HEADER_BYTES = 256 * 1024
"""About the largest request line and headers granian reads (431 beyond): waitress's limit."""
WORKER_STOP_SECONDS = 10
"""How long a server process may take to stop when asked before it is killed."""
START_SECONDS = 300.0
"""How long to wait for a server process to accept connections before saying it has not."""
POLL_SECONDS = 0.05


def serve_with_granian(
    settings: Settings, collection_root: Path, *, announce: Callable[[str], None]
) -> None:
    """Serve the collection with granian until interrupted; every process stops with it.

    :param announce: told the base URL once a server process accepts connections.
    :raises ConfigError: when a canned query is malformed or the address cannot be bound.
    """
    # What would stop every server process from starting, said once and clearly, here.
    load_canned_queries(collection_root)
    open_store(settings, collection_root).close()
    with (
        reserve_address(settings.host, settings.port_number) as reservation,
        shared_bucket_table() as rate_table,
    ):
        port = reservation.getsockname()[1]
        server = configured_server(settings, port=port)
        stopped = threading.Event()
        watcher = threading.Thread(
            target=announce_when_listening,
            args=(settings.host, port, stopped, partial(_announce, announce, settings, port)),
            name="kgpub-announce",
            daemon=True,
        )
        server.on_startup(watcher.start)
        try:
            server.serve(
                target_loader=partial(
                    load_server_app, settings, collection_root, rate_table=rate_table
                ),
                wrap_loader=False,
            )
        finally:
            stopped.set()


def configured_server(settings: Settings, *, port: int) -> AbstractServer[Any]:
    """A granian server for the settings' address, processes, threads and limits.

    Call its ``serve`` with a ``target_loader`` that builds the app in each process.
    """
    # granian starts its processes with the default method, and a fork of this process
    # (threads and all) is what kgpub never does: spawn fresh interpreters instead.
    multiprocessing.set_start_method("spawn", force=True)
    return Server(
        "kgpub.web.app:create_app",  # only names the processes: the target_loader makes the app
        address=settings.host,
        port=port,
        interface=Interfaces.WSGI,
        workers=settings.process_count,
        blocking_threads=settings.thread_count,
        http=HTTPModes.http1,
        http1_settings=HTTP1Settings(
            header_read_timeout=HEADER_READ_SECONDS * 1000, max_buffer_size=HEADER_BYTES
        ),
        # Its warnings are about thread counts above the core count, which is right here:
        # request threads mostly wait for query workers.
        log_level=LogLevels.error,
        respawn_failed_workers=True,  # a process killed (out of memory?) is replaced
        workers_kill_timeout=WORKER_STOP_SECONDS,
    )


def _announce(announce: Callable[[str], None], settings: Settings, port: int) -> None:
    announce(public_url(settings, port))


def reserve_address(host: str, port: int) -> socket.socket:
    """A socket bound to ``host:port`` (a free port for 0) that granian's processes can share.

    The address is first bound alone, so a port that anything else listens on — even another
    server sharing ports the same way — is refused rather than shared.

    :raises ConfigError: when the address cannot be bound.
    """
    with bind_address(host, port) as alone:
        chosen = alone.getsockname()[1]
    return bind_address(host, chosen, share_port=True)


def announce_when_listening(
    host: str, port: int, stopped: threading.Event, announce: Callable[[], None]
) -> None:
    """Call ``announce`` once something accepts connections on ``host:port``.

    Gives up when ``stopped`` is set, or after :data:`START_SECONDS` (saying so in the log).
    """
    target = {"0.0.0.0": "127.0.0.1", "::": "::1", "": "127.0.0.1"}.get(host, host)  # noqa: S104
    deadline = time.monotonic() + START_SECONDS
    while not stopped.is_set() and time.monotonic() < deadline:
        try:
            with socket.create_connection((target, port), timeout=1):
                announce()
                return
        except OSError:
            stopped.wait(POLL_SECONDS)
    if not stopped.is_set():
        logger.error("no server process accepted connections after %g s", START_SECONDS)


def load_server_app(
    settings: Settings, collection_root: Path, *, rate_table: Path | None = None
) -> WSGIApplication:
    """The app of one server process, with its query workers started.

    They stop when the process stops, and the whole process stops if the process that
    started it ends without stopping it first (killed with ``SIGKILL``, say), removing the
    rate-limit table that process could not remove.

    :param rate_table: the rate-limit buckets every server process shares.
    """
    from kgpub.web.app import create_app
    from kgpub.web.state import EXTENSION_KEY

    app: Flask = create_app(settings, collection_root, rate_table=rate_table)
    state: WebState = app.extensions[EXTENSION_KEY]
    state.pool.start()
    atexit.register(state.close)
    orphaned = partial(_close_orphaned, state, rate_table)
    threading.Thread(
        target=stop_with_parent, args=(orphaned,), name="kgpub-parent-watch", daemon=True
    ).start()
    return RequestGuard(app, body_limit=settings.request_byte_limit)


def _close_orphaned(state: WebState, rate_table: Path | None) -> None:
    """Stop the app's workers and remove the shared rate table its dead parent left."""
    state.close()
    if rate_table is not None:
        rate_table.unlink(missing_ok=True)  # each server process tries; the first one wins


def stop_with_parent(close: Callable[[], None]) -> None:
    """Wait until the process that started this one ends, then ``close`` and exit at once.

    The parent normally stops its server processes itself; this covers a parent killed with
    ``SIGKILL``, which would otherwise leave them serving the port with nobody to stop them.
    """
    parent = multiprocessing.parent_process()
    if parent is None:
        return
    parent.join()
    close()
    os._exit(1)
