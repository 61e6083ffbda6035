"""Writing through the web app: SPARQL Update and Graph Store writes, behind a token.

The endpoint is read-only unless the ``update_token`` setting is set; then a request sending
``Authorization: Bearer <token>`` may write (the token is compared in constant time). Without
a configured token writes answer 403; with one, a missing or wrong token answers 401 with a
``WWW-Authenticate: Bearer`` challenge (RFC 6750).

**How writes meet kgpub's builds.** kgpub publishes what ``kgpub build`` made; a write changes
that publication in place:

- On the embedded store a write is a publication of its own: it goes through a
  :class:`~kgpub.backend.Transaction` (a checkpoint of the published database, the change,
  then the atomic switch), so readers see all of it or none of it, and the manifest's quad
  count and ``changed_at`` are updated (``built_at`` stays the build's). Writes through one
  server go one at a time; while ``kgpub build`` is publishing, a write answers 503 with
  ``Retry-After``.
- On a remote store the update is sent to the server's update endpoint as it is, then the
  published manifest's ``changed_at`` is set (:meth:`kgpub.remote.RemoteStore.record_change`).
- Either way the time of the write becomes the data's ``Last-Modified`` and part of every
  page's ``ETag``, and what readers keep per publication is made again: a client holding a
  copy from before the write gets the new one, never a 304.
- **The next build wins for what it builds**: it starts from the published data, so a graph a
  build does not produce (say ``https://kg.example.org/graph/annotations``) survives
  incremental builds, but an article, claim or entity graph is replaced whenever the build
  redoes it, and a full rebuild (new kgpub version, base IRI, ontology or shapes) starts from
  nothing. Write into graphs of your own.
- In an update, the default graph is the store's own default graph (empty after a build), not
  the union queries see: use ``GRAPH``, ``USING`` or ``using-graph-uri`` to reach kgpub's
  named graphs.
"""

from __future__ import annotations

import dataclasses
import hmac
import io
from datetime import UTC, datetime

import pyoxigraph

from kgpub.backend import Store
from kgpub.config import Settings
from kgpub.embedded import EmbeddedStore
from kgpub.errors import (
    BadRequest,
    Forbidden,
    QueryError,
    ServiceUnavailable,
    StoreError,
    Unauthorized,
)
from kgpub.remote import RemoteStore

CHALLENGE = 'Bearer realm="kgpub"'
BUILD_RUNNING_RETRY_SECONDS = 5
GraphName = pyoxigraph.NamedNode | pyoxigraph.DefaultGraph


def require_write_access(settings: Settings, authorization: str | None) -> None:
    """Let the request write only with the configured bearer token.

    :raises Forbidden: when the server is read-only (no ``update_token``).
    :raises Unauthorized: when the request has no token or another one.
    """
    if not settings.update_token:
        raise Forbidden(
            "this server is read-only: SPARQL Update and Graph Store writes are off. The "
            "operator can enable them with the update_token setting."
        )
    scheme, _, token = (authorization or "").strip().partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Unauthorized(
            "writing needs the header 'Authorization: Bearer <update token>'",
            challenge=CHALLENGE,
        )
    if not hmac.compare_digest(token.strip().encode(), settings.update_token.encode()):
        raise Unauthorized(
            "the bearer token is not this server's update token",
            challenge=f'{CHALLENGE}, error="invalid_token"',
        )


def apply_update(store: Store, update: str) -> None:
    """Run a SPARQL Update on the published data, atomically on the embedded store.

    Call it holding the app's write lock: the store takes one publisher at a time.

    :raises BadRequest: for a malformed update (with the parser's message).
    :raises ServiceUnavailable: while a build is publishing, or before the first build.
    :raises QueryError: when the update failed (e.g. a LOAD source could not be read).
    """
    if isinstance(store, RemoteStore):
        store.send_update(update.encode("utf-8"))
        store.record_change(_now())
        return
    if not isinstance(store, EmbeddedStore):
        raise Forbidden(f"the store {store.description} does not take writes through kgpub")
    _update_embedded(store, update)


def _update_embedded(store: EmbeddedStore, update: str) -> None:
    published = store.manifest()
    if published is None:
        raise ServiceUnavailable("nothing is published yet; run `kgpub build` before writing")
    try:
        transaction = store.begin(replace_all=False)
    except StoreError as error:
        raise ServiceUnavailable(str(error), retry_after=BUILD_RUNNING_RETRY_SECONDS) from None
    try:
        try:
            transaction.update(update)
        except SyntaxError as error:
            raise BadRequest(f"malformed SPARQL Update: {error}") from None
        except (OSError, RuntimeError, ValueError) as error:
            raise QueryError(f"the update failed: {error}") from None
        quads, graphs = transaction.totals()
        manifest = dataclasses.replace(published, quads=quads, graphs=graphs, changed_at=_now())
    except BaseException:
        transaction.abort()
        raise
    transaction.commit(manifest)


def _now() -> str:
    """The time of a write, for the manifest's ``changed_at`` (to the microsecond)."""
    return datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def graph_exists(store: Store, graph: GraphName) -> bool:
    """Whether the store holds ``graph`` (the default graph always exists)."""
    if isinstance(graph, pyoxigraph.DefaultGraph):
        return True
    if isinstance(store, EmbeddedStore):
        return bool(store.database().contains_named_graph(graph))
    return bool(store.query(f"ASK {{ GRAPH {graph} {{ ?s ?p ?o }} }}"))


def graph_update(graph: GraphName, triples: list[pyoxigraph.Triple], *, replace: bool) -> str:
    """The SPARQL Update that adds ``triples`` to ``graph``, emptying it first if ``replace``.

    The IRI and the data are written by Oxigraph (N-Triples), never pasted from the request.
    """
    named = isinstance(graph, pyoxigraph.NamedNode)
    operations = []
    if replace:
        operations.append(f"DROP SILENT GRAPH {graph}" if named else "CLEAR SILENT DEFAULT")
    if triples:
        written = io.BytesIO()
        pyoxigraph.serialize(triples, written, format=pyoxigraph.RdfFormat.N_TRIPLES)
        data = written.getvalue().decode("utf-8")
        operations.append(
            f"INSERT DATA {{ GRAPH {graph} {{\n{data}}} }}"
            if named
            else f"INSERT DATA {{\n{data}}}"
        )
    elif named:
        operations.append(f"CREATE SILENT GRAPH {graph}")
    return " ;\n".join(operations)


def delete_graph(graph: GraphName) -> str:
    """The SPARQL Update that removes ``graph`` (or empties the default graph)."""
    if isinstance(graph, pyoxigraph.NamedNode):
        return f"DROP GRAPH {graph}"
    return "CLEAR DEFAULT"
