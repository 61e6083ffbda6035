"""Running behind a reverse proxy: trusted ``X-Forwarded-*`` headers and a URL path prefix.

Links the app writes (the Service Description's endpoint, canned-query URLs, the location of
a new graph) must be the public ones, not ``http://127.0.0.1:8000/``:

- ``proxy_hops`` > 0 trusts that many proxies' ``X-Forwarded-For``, ``-Proto``, ``-Host``,
  ``-Port`` and ``-Prefix`` (Werkzeug's ``ProxyFix``). With 0, the default, they are ignored,
  since anyone can send them.
- ``script_name`` mounts the app under a path (``/kg``) when the proxy does not say so with
  ``X-Forwarded-Prefix``. Requests may arrive with or without the prefix.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from werkzeug.middleware.proxy_fix import ProxyFix

from kgpub.config import Settings

if TYPE_CHECKING:
    from _typeshed.wsgi import StartResponse, WSGIApplication, WSGIEnvironment


class MountedAt:
    """WSGI middleware serving an app under ``prefix``, whether or not the proxy strips it."""

    def __init__(self, app: WSGIApplication, prefix: str) -> None:
        self.app = app
        self.prefix = prefix

    def __call__(self, environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        """Move the prefix from the path to ``SCRIPT_NAME``, so links include it."""
        path = environ.get("PATH_INFO", "")
        if path == self.prefix or path.startswith(self.prefix + "/"):
            environ["PATH_INFO"] = path[len(self.prefix) :] or "/"
        if not environ.get("SCRIPT_NAME"):  # X-Forwarded-Prefix, when trusted, wins
            environ["SCRIPT_NAME"] = self.prefix
        return self.app(environ, start_response)


def behind_proxy(app: WSGIApplication, settings: Settings) -> Any:
    """``app`` wrapped as the proxy settings say (unchanged with the defaults)."""
    wrapped: Any = app
    if settings.script_name:
        wrapped = MountedAt(wrapped, settings.script_name)
    hops = settings.proxy_hop_count
    if hops:
        wrapped = ProxyFix(
            wrapped, x_for=hops, x_proto=hops, x_host=hops, x_port=hops, x_prefix=hops
        )
    return wrapped
