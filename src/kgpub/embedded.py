"""The embedded store: an on-disk Oxigraph database per build, switched into place atomically.

Layout of a store folder::

    current -> builds/20260123T101500123456Z-1234   (a symbolic link, replaced atomically)
    builds/<id>/oxigraph/                            (the Oxigraph database)
    builds/<id>/state/                               (the build's bookkeeping, see buildstate)
    builds/<id>/build.json                           (the manifest)
    .lock                                            (held while a build publishes)

A build writes a new folder and only then swaps the link, so a failed or killed build leaves
the previous publication complete and served; readers never see a half-built state. An
incremental build starts from a checkpoint of the published database (RocksDB hard-links its
immutable files, so this takes milliseconds whatever the size) and applies only the change.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import logging
import os
import shutil
import threading
import time
import weakref
from collections.abc import Callable, Iterable
from datetime import UTC, datetime
from pathlib import Path
from typing import IO, Protocol

import pyoxigraph

from kgpub.backend import WHOLE_STORE, BuildManifest, Dataset, QueryResult
from kgpub.errors import QueryError, StoreError, store_failure
from kgpub.sparql_tokens import outline

log = logging.getLogger(__name__)

CURRENT_LINK = "current"
BUILDS_FOLDER = "builds"
MANIFEST_FILE = "build.json"
DATABASE_FOLDER = "oxigraph"
STATE_FOLDER = "state"
KEEP_PREVIOUS_BUILDS = 1
"""Older builds kept besides the current one, so a reader that opened it just before a switch
can finish its query. Older ones still open in a reader are kept too, until it lets go. The
next build removes the previous one as it starts if no reader holds it (readers lock a build
as they open it, within microseconds of reading the link)."""
READERS_FILE = ".readers"


class ChangeObserver(Protocol):
    """Sees the changes a transaction makes, as it makes them."""

    def dropped(self, names: list[str]) -> None:
        """These graphs were removed."""

    def added(self, chunk: bytes) -> None:
        """These N-Quads were added."""

    def close(self) -> None:
        """The transaction is over: let go of what was kept of it."""


_BUILD_SEQUENCE = itertools.count()
"""Numbers the builds this process stages, in order."""


def new_build_id() -> str:
    """A folder name for a new build: sortable by time, unique even within one clock tick.

    The sequence number matters where the clock is coarse: two writes in one tick got the
    same id, and the second's rename onto the first failed, losing it.
    """
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}-{next(_BUILD_SEQUENCE):06d}"


class EmbeddedStore:
    """Oxigraph on disk in a store folder; reads always see the current build."""

    def __init__(self, store_dir: Path) -> None:
        self.store_dir = store_dir
        self.description = str(store_dir)
        self._reader: pyoxigraph.Store | None = None
        self._reader_build: Path | None = None
        self._reader_lock: weakref.finalize[[], EmbeddedStore] | None = None
        self._resolved_dir = store_dir.resolve()
        self._manifest: tuple[Path, BuildManifest] | None = None

    def current_build(self) -> Path | None:
        """The folder of the published build, or ``None``.

        Asked on every web request, so it costs one ``readlink``: the link always names
        ``builds/<id>`` inside the store folder (see :func:`_switch_link`), whose own
        resolution is kept.
        """
        try:
            target = os.readlink(os.path.join(self.store_dir, CURRENT_LINK))
        except OSError:
            return None
        return self._resolved_dir / target

    def manifest(self) -> BuildManifest | None:
        """The published build's manifest (read once per build: a build never changes)."""
        build = self.current_build()
        if build is None:
            return None
        kept = self._manifest
        if kept is None or kept[0] != build:
            kept = (build, BuildManifest.read(build / MANIFEST_FILE))
            self._manifest = kept
        return kept[1]

    def state_dir(self) -> Path | None:
        """The published build's state folder."""
        build = self.current_build()
        return build / STATE_FOLDER if build else None

    def begin(self, *, replace_all: bool) -> EmbeddedTransaction:
        """Lock the store and stage a new build (from a checkpoint unless ``replace_all``)."""
        return EmbeddedTransaction(self, replace_all=replace_all)

    def database(self) -> pyoxigraph.Store:
        """The published database, reopened when a build has been switched in since."""
        build = self.current_build()
        if build is None:
            raise StoreError(
                f"nothing is published in {self.store_dir} yet; run `kgpub build` on the collection"
            )
        if self._reader is None or build != self._reader_build:
            self.close()
            try:
                # A shared lock tells builds not to delete this build while we read it; it
                # is released when the handle closes, by close() or when the store is dropped.
                handle = (build / READERS_FILE).open("a+")
                self._reader_lock = weakref.finalize(self, handle.close)
                fcntl.flock(handle, fcntl.LOCK_SH)
                self._reader = pyoxigraph.Store.read_only(str(build / DATABASE_FOLDER))
            except OSError as error:
                self.close()
                raise StoreError(f"cannot open the store in {build}: {error}") from None
            self._reader_build = build
        return self._reader

    def query(self, sparql: str, *, dataset: Dataset = WHOLE_STORE) -> QueryResult:
        """Run SPARQL on the published build (the union of all graphs by default)."""
        found = outline(sparql)
        if found.too_deep is not None:
            raise QueryError(found.too_deep)
        database = self.database()
        try:
            if not dataset.is_whole_store:
                return database.query(
                    sparql,
                    default_graph=[pyoxigraph.NamedNode(g) for g in dataset.default_graphs],
                    named_graphs=[pyoxigraph.NamedNode(g) for g in dataset.named_graphs],
                )
            if found.has_dataset_clause:  # the union option would override FROM
                return database.query(sparql)
            return database.query(sparql, use_default_graph_as_union=True)
        except SyntaxError as error:
            raise QueryError(f"malformed SPARQL: {error}") from None
        except (OSError, ValueError) as error:
            raise QueryError(f"the query failed: {error}") from None

    def dump(self, output: IO[bytes], rdf_format: pyoxigraph.RdfFormat) -> None:
        """Write the published dataset; for triple formats, each distinct triple once."""
        database = self.database()
        if rdf_format.supports_datasets:
            database.dump(output, format=rdf_format)
            return
        # A triple asserted in several graphs (two claims saying the same) is written once.
        solutions = database.query(
            "SELECT DISTINCT ?s ?p ?o WHERE { ?s ?p ?o }", use_default_graph_as_union=True
        )
        assert isinstance(solutions, pyoxigraph.QuerySolutions)  # noqa: S101 - a SELECT
        triples = (pyoxigraph.Triple(row[0], row[1], row[2]) for row in solutions)
        pyoxigraph.serialize(triples, output, format=rdf_format)

    def close(self) -> None:
        """Forget the open reader, letting builds remove its build once it is old."""
        self._reader = None
        self._reader_build = None
        if self._reader_lock is not None:
            self._reader_lock()  # closing the handle releases the flock
            self._reader_lock = None


class EmbeddedTransaction:
    """A new build being staged; :meth:`commit` switches it in, :meth:`abort` throws it away."""

    def __init__(self, store: EmbeddedStore, *, replace_all: bool) -> None:
        self.store = store
        self.replace_all = replace_all
        builds = store.store_dir / BUILDS_FOLDER
        builds.mkdir(parents=True, exist_ok=True)
        self._lock = _acquire_lock(store.store_dir)
        self._removing: threading.Thread | None = None
        self.build_id = new_build_id()
        self.staging = builds / f".{self.build_id}.partial"
        self.state_dir = self.staging / STATE_FOLDER
        self._pending: list[bytes] = []
        self._pending_size = 0
        self._stream: _StreamingLoad | None = None
        self.observer: ChangeObserver | None = None
        """Told of every drop and addition: the dumps are made from the changes
        (:mod:`kgpub.dump_changes`) rather than by reading the new database back."""
        self.before_publishing: Callable[[EmbeddedTransaction, BuildManifest], None] | None = None
        """Called by :meth:`commit` once the staged database holds everything, before the
        switch: files it writes into :attr:`staging` (the dumps) are published with the build,
        and if it raises, nothing is published."""
        try:
            self.staging.mkdir()
            previous = None if replace_all else store.current_build()
            if previous is None:
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
        self._removing = _start_removing_old_builds(builds, keep=store.current_build())

    def drop_graphs(self, names: Iterable[str]) -> None:
        """Remove these graphs from the staged build."""
        names = list(names)
        try:
            self._end_stream()
            self._flush_pending()
            for name in names:
                self.database.remove_graph(pyoxigraph.NamedNode(name))
            if names and self.observer is not None:
                self.observer.dropped(names)
        except OSError as error:
            raise self._write_failure(error) from None

    def add_nquads(self, chunk: bytes) -> None:
        """Add N-Quads; small chunks are gathered so Oxigraph bulk-loads large ones."""
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
            del self.database
            (self.staging / MANIFEST_FILE).write_text(manifest.to_json(), encoding="utf-8")
            _sync_tree(self.staging)
            self._finish_removing()  # it lists finished builds: it must never see this one
            self.staging.rename(final)
            _switch_link(self.store.store_dir, final)
        except StoreError:
            self.abort()
            raise
        except OSError as error:
            self.abort()
            raise store_failure("cannot publish the build", self.store.store_dir, error) from None
        _remove_old_builds(final.parent, keep=final, previous=KEEP_PREVIOUS_BUILDS)
        for partial in final.parent.glob(".*.partial"):
            shutil.rmtree(partial, ignore_errors=True)  # left by a killed build; the lock is ours
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
            fcntl.flock(self._lock, fcntl.LOCK_UN)
            self._lock.close()
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


PIPE_BUFFER_BYTES = 1 << 20
BULK_LOAD_BYTES = 64 * 1024 * 1024
"""N-Quads gathered before one bulk load: large loads make few, large RocksDB files."""


def _acquire_lock(store_dir: Path) -> IO[str] | None:
    """Take the store's build lock; a second concurrent build fails at once, clearly.

    The lock is an ``flock``, so a build killed with ``kill -9`` releases it.
    """
    store_dir.mkdir(parents=True, exist_ok=True)
    handle = (store_dir / ".lock").open("a+")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        raise StoreError(
            f"another build is publishing into {store_dir}; wait for it to finish"
        ) from None
    return handle


def _sync_tree(folder: Path) -> None:
    """Flush a staged build to disk before publishing it: a power cut never exposes half of it."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def _has_readers(build: Path) -> bool:
    """Whether some process still reads this build (it holds a shared lock on it)."""
    try:
        with (build / READERS_FILE).open("a+") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                return True
            fcntl.flock(handle, fcntl.LOCK_UN)
            return False
    except OSError:
        return False


def _switch_link(store_dir: Path, target: Path) -> None:
    for leftover in store_dir.glob(f".{CURRENT_LINK}.*"):  # of a build killed while switching
        leftover.unlink(missing_ok=True)
    temporary = store_dir / f".{CURRENT_LINK}.{os.getpid()}"
    temporary.symlink_to(target.relative_to(store_dir))
    os.replace(temporary, store_dir / CURRENT_LINK)  # atomic on POSIX
    directory = os.open(store_dir, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)


def _remove_old_builds(builds: Path, *, keep: Path, previous: int) -> None:
    """Remove the finished builds but ``keep`` and the ``previous`` last others, unless read."""
    finished = sorted(p for p in builds.iterdir() if p.is_dir() and not p.name.startswith("."))
    older = [p for p in finished if p != keep]
    for stale in older[: max(0, len(older) - previous)]:
        if not _has_readers(stale):
            shutil.rmtree(stale, ignore_errors=True)


def _start_removing_old_builds(builds: Path, *, keep: Path | None) -> threading.Thread | None:
    """Remove every build but the published one, beside the new build's own work.

    Removing a build is letting go of the files only it holds: 60–70 ms at 100k articles,
    nearly all for its 131 MB build state. Done after the switch, it added that much to every
    build; done here, it overlaps with the build's planning.
    """
    if keep is None:
        return None  # nothing published yet: the switch will clean up what a killed build left

    def remove() -> None:
        with contextlib.suppress(OSError):  # the commit's own pass removes what is left
            _remove_old_builds(builds, keep=keep, previous=0)

    thread = threading.Thread(target=remove, name="kgpub-old-builds", daemon=True)
    thread.start()
    return thread
