"""Copying a publication from one store to another: ``kgpub push`` to a remote server.

The target ends up holding exactly the source's graphs — graphs it had that the source lacks
are dropped — with the same manifest and build state, so builds can go on incrementally
against the target. Each graph is replaced as a whole, so pushing twice changes nothing.
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pyoxigraph

from kgpub.backend import Store
from kgpub.errors import StoreError

CHUNK_BYTES = 8 * 1024 * 1024


def push(source: Store, target: Store) -> int:
    """Make ``target`` publish what ``source`` publishes. Returns the number of quads sent."""
    manifest = source.manifest()
    state = source.state_dir()
    if manifest is None or state is None:
        raise StoreError(f"nothing is published in {source.description} yet; run `kgpub build`")
    with tempfile.TemporaryDirectory(prefix="kgpub-push-") as scratch:
        dump = Path(scratch) / "dump.nq"
        with dump.open("wb") as output:
            source.dump(output, pyoxigraph.RdfFormat.N_QUADS)
        transaction = target.begin(replace_all=True)
        try:
            shutil.rmtree(transaction.state_dir, ignore_errors=True)
            shutil.copytree(state, transaction.state_dir)
            sent = 0
            with dump.open("rb") as lines:
                chunk: list[bytes] = []
                size = 0
                for line in lines:
                    chunk.append(line)
                    size += len(line)
                    if size >= CHUNK_BYTES:
                        transaction.add_nquads(b"".join(chunk))
                        sent += len(chunk)
                        chunk, size = [], 0
                if chunk:
                    transaction.add_nquads(b"".join(chunk))
                    sent += len(chunk)
            transaction.commit(manifest)
        except BaseException:
            transaction.abort()
            raise
    return sent
