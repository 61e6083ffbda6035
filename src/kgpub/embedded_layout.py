"""The folder of an embedded store: one folder per build, and the ``current`` link between them.

Layout of a store folder::

    current -> builds/20260123T101500123456Z-1234   (a symbolic link, replaced atomically)
    builds/<id>/oxigraph/                            (the Oxigraph database)
    builds/<id>/state/                               (the build's bookkeeping, see buildstate)
    builds/<id>/build.json                           (the manifest)
    builds/.<id>.partial/                            (a build being staged)
    .lock                                            (held while a build publishes)

This module names those files, mints build ids, takes the build lock, switches the link and
removes the builds nobody needs any more. Staging a build is
:mod:`kgpub.embedded_transaction`'s work; reading the published one is :mod:`kgpub.embedded`'s.
"""

from __future__ import annotations

import contextlib
import fcntl
import itertools
import os
import shutil
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import IO

from kgpub.errors import StoreError

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

_BUILD_SEQUENCE = itertools.count()
"""Numbers the builds this process stages, in order."""


def new_build_id() -> str:
    """A folder name for a new build: sortable by time, unique even within one clock tick.

    The sequence number matters where the clock is coarse: two writes in one tick got the
    same id, and the second's rename onto the first failed, losing it.
    """
    return f"{datetime.now(UTC):%Y%m%dT%H%M%S%fZ}-{os.getpid()}-{next(_BUILD_SEQUENCE):06d}"


def staging_folder(builds: Path, build_id: str) -> Path:
    """Where the build ``build_id`` is staged, hidden from readers until it is renamed."""
    return builds / f".{build_id}.partial"


def acquire_build_lock(store_dir: Path) -> IO[str] | None:
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


def release_build_lock(handle: IO[str]) -> None:
    """Let the next build in: unlock and close what :func:`acquire_build_lock` returned."""
    fcntl.flock(handle, fcntl.LOCK_UN)
    handle.close()


def sync_tree(folder: Path) -> None:
    """Flush a staged build to disk before publishing it: a power cut never exposes half of it."""
    for path in folder.rglob("*"):
        if path.is_file():
            with path.open("rb") as handle:
                os.fsync(handle.fileno())


def switch_current_link(store_dir: Path, target: Path) -> None:
    """Point the ``current`` link at ``target`` in one atomic step, and make it durable.

    The link is written relative (``builds/<id>``), which is what
    :meth:`kgpub.embedded.EmbeddedStore.current_build` relies on to resolve it cheaply.
    """
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


def has_readers(folder: Path) -> bool:
    """Whether some process still reads this build or dump set.

    It does while it holds a shared lock on the folder's ``.readers`` file, or on that of a
    folder in it (a download holds its dumps' one).
    """
    for lock in (folder / READERS_FILE, *folder.glob(f"*/{READERS_FILE}")):
        try:
            with lock.open("a+") as handle:
                try:
                    fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except BlockingIOError:
                    return True
                fcntl.flock(handle, fcntl.LOCK_UN)
        except OSError:
            continue
    return False


def remove_old_builds(builds: Path, *, keep: Path, previous: int) -> None:
    """Remove the finished builds but ``keep`` and the ``previous`` last others, unless read."""
    finished = sorted(p for p in builds.iterdir() if p.is_dir() and not p.name.startswith("."))
    older = [p for p in finished if p != keep]
    for stale in older[: max(0, len(older) - previous)]:
        if not has_readers(stale):
            shutil.rmtree(stale, ignore_errors=True)


def remove_superseded_builds(builds: Path, *, published: Path) -> None:
    """After a switch to ``published``: remove the builds no longer kept, and staged leftovers.

    Call it under the build lock: a ``.partial`` folder is then one a killed build left.
    """
    remove_old_builds(builds, keep=published, previous=KEEP_PREVIOUS_BUILDS)
    for partial in builds.glob(".*.partial"):
        shutil.rmtree(partial, ignore_errors=True)


def start_removing_old_builds(builds: Path, *, keep: Path | None) -> threading.Thread | None:
    """Remove every build but the published one, beside the new build's own work.

    Removing a build is letting go of the files only it holds: 60–70 ms at 100k articles,
    nearly all for its 131 MB build state. Done after the switch, it added that much to every
    build; done here, it overlaps with the build's planning.
    """
    if keep is None:
        return None  # nothing published yet: the switch will clean up what a killed build left

    def remove() -> None:
        with contextlib.suppress(OSError):  # the commit's own pass removes what is left
            remove_old_builds(builds, keep=keep, previous=0)

    thread = threading.Thread(target=remove, name="kgpub-old-builds", daemon=True)
    thread.start()
    return thread
