"""A build of the embedded store being staged, then switched in as a whole by its commit.

A build writes a new folder and only then swaps the link, so a failed or killed build leaves
the previous publication complete and served; readers never see a half-built state. An
incremental build starts from a checkpoint of the published database (RocksDB hard-links its
immutable files, so this takes milliseconds whatever the size) and applies only the change; a
build that starts from nothing streams all its N-Quads into one bulk load. The folders and
the link are laid out by :mod:`kgpub.embedded_layout`.
"""

from __future__ import annotations

import logging
import os
import shutil
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Protocol

import pyoxigraph

from kgpub.backend import BuildManifest
from kgpub.document_times import ChangedDocuments, record_document_times
from kgpub.embedded_layout import (
    BUILDS_FOLDER,
    DATABASE_FOLDER,
    MANIFEST_FILE,
    STATE_FOLDER,
    acquire_build_lock,
    new_build_id,
    release_build_lock,
    remove_superseded_builds,
    staging_folder,
    start_removing_old_builds,
    switch_current_link,
    sync_tree,
)
from kgpub.errors import StoreError, store_failure

if TYPE_CHECKING:  # kgpub.embedded imports this module; the store is only passed in
    from kgpub.embedded import EmbeddedStore

log = logging.getLogger(__name__)

PIPE_BUFFER_BYTES = 1 << 20
BULK_LOAD_BYTES = 64 * 1024 * 1024
"""N-Quads gathered before one bulk load: large loads make few, large RocksDB files."""


class ChangeObserver(Protocol):
    """Sees the changes a transaction makes, as it makes them."""

    def dropped(self, names: list[str]) -> None:
        """These graphs were removed."""

    def added(self, chunk: bytes) -> None:
        """These N-Quads were added."""

    def close(self) -> None:
        """The transaction is over: let go of what was kept of it."""


class EmbeddedTransaction:
    """A new build being staged; :meth:`commit` switches it in, :meth:`abort` throws it away."""

    def __init__(self, store: EmbeddedStore, *, replace_all: bool) -> None:
        self.store = store
        self.replace_all = replace_all
        builds = store.store_dir / BUILDS_FOLDER
        builds.mkdir(parents=True, exist_ok=True)
        self._lock = acquire_build_lock(store.store_dir)
        self._removing: threading.Thread | None = None
        self.build_id = new_build_id()
        self.staging = staging_folder(builds, self.build_id)
        self.state_dir = self.staging / STATE_FOLDER
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._stream: _StreamingLoad | None = None
        self.observer: ChangeObserver | None = None
        """Told of every drop and addition: the dumps are made from the changes
        (:mod:`kgpub.dump_changes`) rather than by reading the new database back."""
        self.changed: ChangedDocuments | None = None if replace_all else ChangedDocuments()
        """The documents changed so far; ``None`` once any might have (a full build, an update)."""
        self.before_publishing: Callable[[EmbeddedTransaction, BuildManifest], None] | None = None
        """Called by :meth:`commit` once the staged database holds everything, before the
        switch: files it writes into :attr:`staging` (the dumps) are published with the build,
        and if it raises, nothing is published."""
        try:
            self.staging.mkdir()
            previous = None if replace_all else store.current_build()
            self._previous = previous
            if previous is None:
                self.changed = None  # all is new
                self.database = pyoxigraph.Store(str(self.staging / DATABASE_FOLDER))
                self.state_dir.mkdir()
                self._stream = _StreamingLoad(self.database)
            else:
                source = pyoxigraph.Store.read_only(str(previous / DATABASE_FOLDER))
                source.backup(str(self.staging / DATABASE_FOLDER))
                del source
                self.database = pyoxigraph.Store(str(self.staging / DATABASE_FOLDER))
                shutil.copytree(previous / STATE_FOLDER, self.state_dir)
        except OSError as error:
            self.abort()
            raise store_failure("cannot stage a build", store.store_dir, error) from None
        # After staging, which also moves a build's worth of files: the two slowed each other.
        self._removing = start_removing_old_builds(builds, keep=store.current_build())

    def drop_graphs(self, names: Iterable[str]) -> None:
        """Remove these graphs from the staged build."""
        names = list(names)
        try:
            self._end_stream()
            self._flush_pending()
            if self.changed is not None:
                self.changed.dropping(self.database, names)
            for name in names:
                self.database.remove_graph(pyoxigraph.NamedNode(name))
            if names and self.observer is not None:
                self.observer.dropped(names)
        except OSError as error:
            raise self._write_failure(error) from None

    def add_nquads(self, chunk: bytes) -> None:
        """Add N-Quads; small chunks are gathered so Oxigraph bulk-loads large ones."""
        if self.changed is not None:
            self.changed.added(chunk)
        if chunk and self.observer is not None:
            try:
                self.observer.added(chunk)
            except OSError as error:
                raise self._write_failure(error) from None
        if self._stream is not None:
            try:
                self._stream.write(chunk)
            except OSError as error:
                raise self._write_failure(error) from None
            return
        self._pending.append(chunk)
        self._pending_size += len(chunk)
        if self._pending_size >= BULK_LOAD_BYTES:
            self._flush_pending()

    def update(self, sparql: str) -> None:
        """Apply a SPARQL Update (raising what ``pyoxigraph.Store.update`` raises)."""
        self.changed = None  # it may change any document
        self._end_stream()
        self._flush_pending()
        self.database.update(sparql)

    def totals(self) -> tuple[int, int]:
        """The quads and named graphs of the staged build (no caller may keep the database)."""
        return len(self.database), sum(1 for _ in self.database.named_graphs())

    def _flush_pending(self) -> None:
        if not self._pending:
            return
        data = b"".join(self._pending)
        self._pending.clear()
        self._pending_size = 0
        try:
            self.database.bulk_load(data, format=pyoxigraph.RdfFormat.N_QUADS)
        except SyntaxError as error:
            raise StoreError(f"cannot load the mapped data: {error}") from None
        except OSError as error:
            raise self._write_failure(error) from None

    def _write_failure(self, error: OSError) -> StoreError:
        return store_failure("cannot write the new build", self.staging, error)

    def commit(self, manifest: BuildManifest) -> None:
        """Write the manifest, rename the build into place and switch the link to it."""
        final = self.staging.parent / self.build_id
        try:
            started = time.perf_counter()
            self._end_stream()
            self._flush_pending()
            log.info(
                "the store's load ended %.1f s after the last data", time.perf_counter() - started
            )
            if self.replace_all:
                # A full build lands in many bulk loads; compacting them into few files made
                # scans and aggregates 20–45% faster (benchmarks/sparql_benchmark.py). An
                # incremental build changes too little to be worth compacting everything.
                started = time.perf_counter()
                self.database.optimize()
                log.info("compacting the store took %.1f s", time.perf_counter() - started)
            self.database.flush()
            if self.before_publishing is not None:
                self.before_publishing(self, manifest)
            previous = self._previous / DATABASE_FOLDER if self._previous else None
            record_document_times(
                self.state_dir, self.changed, before=previous, after=self.database,
                at=manifest.last_changed,
            )  # fmt: skip
            del self.database  # closes it, if nobody else holds it, before its files are synced
            (self.staging / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
            sync_tree(self.staging)
            self._finish_removing()  # it lists finished builds: it must never see this one
            self.staging.rename(final)
            switch_current_link(self.store.store_dir, final)
        except StoreError:
            self.abort()
            raise
        except OSError as error:
            self.abort()
            raise store_failure("cannot publish the build", self.store.store_dir, error) from None
        remove_superseded_builds(final.parent, published=final)  # the lock is still ours
        self._release()

    def _end_stream(self) -> None:
        if self._stream is not None:
            stream, self._stream = self._stream, None
            stream.finish()

    def abort(self) -> None:
        """Throw the staged build away."""
        if self._stream is not None:
            stream, self._stream = self._stream, None
            stream.cancel()
        self._pending.clear()
        if self.observer is not None:
            self.observer.close()
        if hasattr(self, "database"):
            del self.database
        shutil.rmtree(self.staging, ignore_errors=True)
        self._finish_removing()
        self._release()

    def _finish_removing(self) -> None:
        """Wait for the removal of older builds begun with the transaction (under its lock)."""
        if self._removing is not None:
            self._removing.join()
            self._removing = None

    def _release(self) -> None:
        if self._lock is not None:
            release_build_lock(self._lock)
            self._lock = None


class _StreamingLoad:
    """One Oxigraph bulk load of a whole new build, fed chunk by chunk through a pipe.

    Oxigraph loads one stream markedly faster than many separate bulk loads (at 4M quads:
    37 s in one load, 40 s through this pipe, 54 s in 64 MB loads), and the build's main thread
    keeps receiving batches from the workers while a thread of this one loads.
    """

    def __init__(self, database: pyoxigraph.Store) -> None:
        read_end, write_end = os.pipe()
        self._reader = os.fdopen(read_end, "rb", buffering=PIPE_BUFFER_BYTES)
        self._writer = os.fdopen(write_end, "wb", buffering=PIPE_BUFFER_BYTES)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._load, args=(database,), daemon=True)
        self._thread.start()

    def _load(self, database: pyoxigraph.Store) -> None:
        try:
            database.bulk_load(self._reader, format=pyoxigraph.RdfFormat.N_QUADS)
        except BaseException as error:  # handed to the writing thread
            # Without its traceback: the frames would keep the staged database open, and the
            # disk space of an aborted build taken, for as long as the error is kept.
            self._error = error.with_traceback(None)
        finally:
            self._reader.close()

    def write(self, chunk: bytes) -> None:
        """Send more N-Quads to the load."""
        try:
            self._writer.write(chunk)
        except BrokenPipeError:
            self.finish()  # the load stopped: report why
            raise StoreError("the bulk load stopped early") from None

    def finish(self) -> None:
        """End the stream and wait for the load to complete.

        :raises StoreError: when the load failed (e.g. malformed N-Quads).
        :raises OSError: when the database could not be written (e.g. the disk is full).
        """
        try:
            self._writer.close()
        except BrokenPipeError:
            pass
        self._thread.join()
        if isinstance(self._error, OSError):
            raise self._error  # the disk failed, not the data: the transaction says where
        if self._error is not None:
            raise StoreError(f"cannot load the mapped data: {self._error}") from None

    def cancel(self) -> None:
        """Stop feeding the load and wait for it, ignoring its outcome (the build is dropped)."""
        try:
            self._writer.close()
        except BrokenPipeError:
            pass
        self._thread.join()
