"""``kgpub serve``: the app in waitress, a production WSGI server, threads in one process.

One process with threads (``threads``) shares one on-disk store and one small pool of query
workers; nothing is copied per request handler, which is what keeps memory flat (forked
server workers would each hold their own pool and caches). Waitress buffers slow clients and
bounds request bodies (``max_request_bytes``) itself, so it is safe to face a reverse proxy.
"""

from __future__ import annotations

import signal
from collections.abc import Callable
from types import FrameType

from flask import Flask
from waitress.server import create_server

from kgpub.config import Settings
from kgpub.web.state import EXTENSION_KEY, WebState


def _stop_on_terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(0)  # runs the cleanup below, as Ctrl-C does


def serve(app: Flask, settings: Settings, *, announce: Callable[[str], None]) -> None:
    """Serve ``app`` until interrupted, then stop its query workers.

    :param announce: told the base URL once the server listens (port 0 picks a free port).
    """
    state: WebState = app.extensions[EXTENSION_KEY]
    state.pool.start()
    server = create_server(
        app,
        host=settings.host,
        port=settings.port_number,
        threads=settings.thread_count,
        max_request_body_size=settings.request_byte_limit,
        ident="kgpub",
    )
    port = getattr(server, "effective_port", settings.port_number)
    host = settings.host if ":" not in settings.host else f"[{settings.host}]"
    signal.signal(signal.SIGTERM, _stop_on_terminate)
    announce(f"http://{host}:{port}{settings.script_name}/")
    try:
        server.run()
    except KeyboardInterrupt:
        pass
    finally:
        server.close()
        state.close()
