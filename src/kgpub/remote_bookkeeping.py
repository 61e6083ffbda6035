"""kgpub's bookkeeping on a SPARQL server: the manifest and the build state, in one named graph.

Both live in the named graph ``<urn:kgpub:build>``, which dumps leave out but queries see::

    <urn:kgpub:build> <urn:kgpub:manifest> "<the manifest, JSON>" .
    <urn:kgpub:build> <urn:kgpub:stateDigest> "<SHA-256 of the state archive>" .
    <urn:kgpub:statePart:0> <urn:kgpub:bytes> "<base64 of the zipped state folder, a slice>" .
    <urn:kgpub:build> <urn:kgpub:publishing> "<built_at>" .   (while a commit changes graphs)

A commit writes the next bookkeeping into ``<urn:kgpub:build-next>`` and moves it into place
last (:mod:`kgpub.remote_publish`); :class:`kgpub.remote.RemoteStore` reads it back. This
module defines that layout: the names, the triples written, the unpacking of the state, and
the check that queries without ``GRAPH`` see it, as they must see every graph.
"""

from __future__ import annotations

import base64
import hashlib
import io
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pyoxigraph

from kgpub.backend import BuildManifest
from kgpub.errors import StoreError

if TYPE_CHECKING:  # kgpub.remote imports this module; the store is only passed in
    from kgpub.remote import RemoteStore

BUILD_GRAPH = "urn:kgpub:build"
"""The named graph holding kgpub's bookkeeping: the manifest and the build state."""
NEXT_BUILD_GRAPH = "urn:kgpub:build-next"
"""Where a commit stages the next bookkeeping, before one small request moves it into place."""
PUBLISHING = "urn:kgpub:publishing"
"""Marks ``<urn:kgpub:build>`` while a commit is changing graphs; its last request removes it."""
BOOKKEEPING_GRAPHS = (f"<{BUILD_GRAPH}>", f"<{NEXT_BUILD_GRAPH}>")
MANIFEST = "urn:kgpub:manifest"
STATE_DIGEST = "urn:kgpub:stateDigest"
STATE_PART = "urn:kgpub:statePart:"
"""Subjects ``urn:kgpub:statePart:0``, ``…:1`` … each hold one slice of the state archive."""
STATE_BYTES = "urn:kgpub:bytes"
STATE_PART_CHARS = 500_000


@dataclass(frozen=True)
class Publication:
    """What the server publishes now: its manifest, and the build time of an unfinished one."""

    manifest: BuildManifest | None
    unfinished: str | None
    state_digest: str | None = None
    """The digest of the published build state, which tells apart two publications made
    within the second ``built_at`` counts in."""


def bookkeeping_triples(manifest: BuildManifest, state_dir: Path) -> list[pyoxigraph.Triple]:
    """The triples of the bookkeeping: the manifest and the zipped state folder."""
    archive = _pack(state_dir)
    text = base64.b64encode(archive).decode("ascii")
    build = pyoxigraph.NamedNode(BUILD_GRAPH)
    digest = hashlib.sha256(archive).hexdigest()
    triples = [
        pyoxigraph.Triple(
            build, pyoxigraph.NamedNode(MANIFEST), pyoxigraph.Literal(manifest.to_json())
        ),
        pyoxigraph.Triple(build, pyoxigraph.NamedNode(STATE_DIGEST), pyoxigraph.Literal(digest)),
    ]
    for index, start in enumerate(range(0, len(text), STATE_PART_CHARS)):
        part = pyoxigraph.NamedNode(f"{STATE_PART}{index}")
        literal = pyoxigraph.Literal(text[start : start + STATE_PART_CHARS])
        triples.append(pyoxigraph.Triple(part, pyoxigraph.NamedNode(STATE_BYTES), literal))
    return triples


def check_union_default_graph(store: RemoteStore) -> None:
    """Make sure queries without ``GRAPH`` see the named graphs (call once published).

    :raises StoreError: when the server's default graph is not the union of its graphs.
    """
    answer = store.query(f"ASK {{ <{BUILD_GRAPH}> <{MANIFEST}> ?manifest }}")
    if not (isinstance(answer, pyoxigraph.QueryBoolean) and bool(answer)):
        raise StoreError(
            f"the build is published on {store}, but queries without GRAPH do not see it: "
            "the server's default graph is not the union of its named graphs; configure it "
            "so (Oxigraph: serve --union-default-graph; Fuseki: tdb2:unionDefaultGraph true), "
            "see docs/remote.md"
        )


def unpack_state(parts: Mapping[str, str], *, digest: str, folder: Path, source: str) -> None:
    """Unpack the state archive written by :func:`bookkeeping_triples` into ``folder``.

    :param parts: part subject → its slice of the base64 archive, as read from the server.
    :param digest: the archive's published SHA-256.
    :param source: the server, for messages.
    :raises StoreError: when the state changed while it was read, or is damaged.
    """
    ordered = sorted(parts.items(), key=lambda part: int(part[0].removeprefix(STATE_PART)))
    archive = base64.b64decode("".join(text for _, text in ordered))
    if hashlib.sha256(archive).hexdigest() != digest:
        raise StoreError(f"the build state on {source} changed while it was read; try again")
    try:
        with zipfile.ZipFile(io.BytesIO(archive)) as unpacked:
            unpacked.extractall(folder)  # zipfile keeps every member inside folder
    except (zipfile.BadZipFile, OSError) as error:
        raise StoreError(f"cannot unpack the build state from {source}: {error}") from None


def _pack(folder: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(folder.rglob("*")):
            archive.write(path, arcname=path.relative_to(folder).as_posix())
    return buffer.getvalue()
