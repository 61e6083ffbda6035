"""The app factory: one Flask app over one collection, and the WSGI entry point for servers.

``create_app(settings, collection_root)`` builds the app and starts nothing: query workers
start on first use (or when ``kgpub serve`` starts them). ``wsgi_app()`` builds it for a WSGI
server from ``KGPUB_COLLECTION`` (``gunicorn 'kgpub.web:wsgi_app()'``).
"""

from __future__ import annotations

import atexit
import os
from functools import partial
from pathlib import Path

from flask import Flask, request

from kgpub.backend import Store
from kgpub.collection import find_collection_root
from kgpub.config import Settings
from kgpub.config_loading import load_settings
from kgpub.errors import ConfigError, TooManyRequests, UriTooLong
from kgpub.store import open_store
from kgpub.web import (
    dumps,
    graph_store,
    home,
    linked_data,
    queries,
    query_page,
    search,
    sitemap,
    sparql,
)
from kgpub.web.canned_queries import load_canned_queries
from kgpub.web.context import blueprint as context_blueprint
from kgpub.web.cors import register_cors
from kgpub.web.document_cache import register_document_cache
from kgpub.web.document_replay import RATE_LIMITER_KEY, replay_cached_documents
from kgpub.web.errors import register_error_handlers
from kgpub.web.proxy import behind_proxy
from kgpub.web.query_pool import QueryPool
from kgpub.web.query_shortcut import answer_queries_directly
from kgpub.web.rate_limit import ClientLimiter, RateLimiter, retry_after_header
from kgpub.web.shared_rate_limit import SharedRateLimiter
from kgpub.web.state import EXTENSION_KEY, WebState, web_state

COLLECTION_VARIABLE = "KGPUB_COLLECTION"


def create_app(
    settings: Settings,
    collection_root: Path,
    *,
    store: Store | None = None,
    rate_table: Path | None = None,
) -> Flask:
    """The web app serving the collection at ``collection_root``.

    :param settings: the resolved settings (limits, token, workers, proxy).
    :param collection_root: the collection folder; its ``queries/`` become canned queries.
    :param store: the store to serve in this process (writes, Service Description); by
        default the one the settings name. Query workers always open the configured store.
    :param rate_table: rate-limit buckets shared with the other server processes
        (:mod:`kgpub.web.shared_rate_limit`); by default this app keeps its own in memory.
    :raises ConfigError: when a canned query file is malformed.
    """
    app = Flask(__name__)
    app.config["MAX_CONTENT_LENGTH"] = settings.request_byte_limit
    app.config["MAX_FORM_MEMORY_SIZE"] = settings.request_byte_limit
    state = WebState(
        settings=settings,
        collection_root=collection_root,
        store=store or open_store(settings, collection_root),
        pool=QueryPool(settings, collection_root),
        canned_queries=load_canned_queries(collection_root),
    )
    app.extensions[EXTENSION_KEY] = state
    if settings.rate_per_second > 0:  # first, so over-use is refused before any other work
        rate, burst = settings.rate_per_second, settings.rate_burst_size
        limiter: ClientLimiter = (
            SharedRateLimiter(rate_table, rate=rate, burst=burst)
            if rate_table is not None
            else RateLimiter(rate=rate, burst=burst)
        )
        app.extensions[RATE_LIMITER_KEY] = limiter  # the document replay spends its tokens too
        app.before_request(partial(_limit_rate, limiter))
    app.before_request(_refuse_long_urls)
    register_document_cache(app)
    register_cors(app)
    register_error_handlers(app)
    app.register_blueprint(sparql.blueprint)
    app.register_blueprint(graph_store.blueprint)
    app.register_blueprint(queries.blueprint)
    app.register_blueprint(query_page.blueprint)
    app.register_blueprint(linked_data.blueprint)
    app.register_blueprint(dumps.blueprint)
    app.register_blueprint(sitemap.blueprint)
    app.register_blueprint(context_blueprint)
    app.register_blueprint(home.blueprint)
    app.register_blueprint(search.blueprint)
    app.wsgi_app = replay_cached_documents(app)  # type: ignore[method-assign,assignment]
    app.wsgi_app = answer_queries_directly(app)  # type: ignore[method-assign,assignment]
    app.wsgi_app = behind_proxy(app.wsgi_app, settings)  # type: ignore[method-assign]
    return app


def _limit_rate(limiter: ClientLimiter) -> None:
    if request.endpoint == "static":
        return  # assets come with a page: viewing a page costs one request, whatever it loads
    client = request.remote_addr or "an unknown address"  # X-Forwarded-For via proxy_hops only
    wait = limiter.wait_seconds(client)
    if wait:
        retry_after = retry_after_header(wait)
        raise TooManyRequests(
            f"too many requests from {client}: this server answers each client "
            f"{limiter.rate:g} requests per second (bursts of {limiter.burst}); retry after "
            f"{retry_after} s and send requests more slowly (the rate_limit and rate_burst "
            "settings set this)",
            retry_after=retry_after,
        )


def _refuse_long_urls() -> None:
    limit = web_state().settings.request_byte_limit
    if len(request.full_path) > limit:
        raise UriTooLong(
            f"the URL is longer than this server's limit of {limit} bytes; send long queries "
            "with POST"
        )


def wsgi_app() -> Flask:
    """The app for a WSGI server, serving the collection named by ``KGPUB_COLLECTION``.

    Settings come from the collection's ``kgpub.toml`` and ``KGPUB_*`` variables.

    :raises ConfigError: when ``KGPUB_COLLECTION`` is not set.
    """
    folder = os.environ.get(COLLECTION_VARIABLE)
    if not folder:
        raise ConfigError(
            f"set {COLLECTION_VARIABLE} to the collection folder, e.g. "
            f"{COLLECTION_VARIABLE}=examples gunicorn 'kgpub.web:wsgi_app()'"
        )
    root = find_collection_root(Path(folder))
    app = create_app(load_settings(root), root)
    atexit.register(app.extensions[EXTENSION_KEY].close)
    return app
