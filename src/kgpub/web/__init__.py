"""The web app: the SPARQL endpoint, the Graph Store and canned queries, over one store.

``create_app(settings, collection_root)`` builds a Flask app (:mod:`kgpub.web.app`);
``wsgi_app()`` is the factory for WSGI servers (``gunicorn 'kgpub.web:wsgi_app()'``), reading
the collection folder from ``KGPUB_COLLECTION``. ``kgpub serve`` runs the app with waitress
(:mod:`kgpub.web.serving`); docs/serving.md says how to run it behind a proxy.

Both names load on first use: the query workers import :mod:`kgpub.web.query_worker`, which
needs neither Flask nor the app, and stay lighter (and faster to start) without them.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from kgpub.web.app import create_app, wsgi_app

__all__ = ["create_app", "wsgi_app"]


def __getattr__(name: str) -> Any:
    if name in __all__:
        from kgpub.web import app

        return getattr(app, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
