"""Dumps made with every build, where the web app finds them, and ``kgpub export --dumps``.

- **Embedded store**: the build writes its dumps into its own staged folder,
  ``builds/<id>/dumps/``, after the data is complete and before the build is switched in
  (:attr:`kgpub.embedded_transaction.EmbeddedTransaction.before_publishing`). The dumps are
  therefore published with the build, in the same atomic step: a build that fails while
  dumping publishes nothing, and the previous build keeps its own dumps. The build's changes are
  recorded as it makes them (:class:`~kgpub.dump_changes.ChangeLog`) and merged into the
  previous build's ``dump-parts/``, so the new database is never read back; without usable
  parts (the first build with dumps, or a write through the web app since the last build,
  which publishes a version without them) the database is read once instead.
- **Remote store**: the data is on the server, so the dumps are made after the build is
  published, from one dump of the server, into ``<store>/dump-sets/<id>/``; the
  ``<store>/dumps`` link is then switched to them at once (``rename(2)``).
- **Anywhere**: :func:`write_store_dumps` writes the set of any store into a folder.

Web readers open ``<build>/dumps/`` of the build they serve, or what ``<store>/dumps``
points at, through :func:`published_dumps_folder`.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import replace
from functools import partial
from pathlib import Path

from kgpub.backend import BuildManifest, Store, Transaction
from kgpub.config import Settings
from kgpub.dump_catalog import CATALOG_FILE, DumpCatalog, checksums, join_volumes
from kgpub.dump_changes import ChangeLog, file_lines
from kgpub.dump_parts import PARTS_FOLDER, find_parts
from kgpub.dumps import Changes, DumpKind, dump_kinds, update_dump_set, write_dump_set
from kgpub.embedded import EmbeddedStore
from kgpub.embedded_layout import has_readers, new_build_id
from kgpub.embedded_transaction import EmbeddedTransaction
from kgpub.errors import OutOfSpace, StoreError
from kgpub.formats import rdf_format

log = logging.getLogger(__name__)

DUMPS_FOLDER = "dumps"
"""In a build's folder (embedded), or a link in the store folder (remote)."""
DUMP_SETS_FOLDER = "dump-sets"
KEEP_PREVIOUS_SETS = 1
"""Older remote dump sets kept, so a download that started before a switch can finish."""
CHANGES_FOLDER = ".dump-changes"


def prepare_build_dumps(transaction: Transaction, settings: Settings) -> None:
    """Have an embedded build record its changes, and write its dumps before it is published."""
    kinds = dump_kinds(settings.dump_format_names)
    if not kinds or not isinstance(transaction, EmbeddedTransaction):
        return
    # The build holds the store's lock, so the published build is the one it started from.
    previous = None if transaction.replace_all else transaction.store.current_build()
    changes = ChangeLog(transaction.staging / CHANGES_FOLDER)
    transaction.observer = changes
    transaction.before_publishing = partial(
        _stage_dumps, kinds=kinds, changes=changes, previous=previous,
        workers=settings.worker_count,
    )  # fmt: skip


def _stage_dumps(
    transaction: EmbeddedTransaction,
    manifest: BuildManifest,
    *,
    kinds: Sequence[DumpKind],
    changes: ChangeLog,
    previous: Path | None,
    workers: int,
) -> None:
    folder = transaction.staging / DUMPS_FOLDER
    parts = transaction.staging / PARTS_FOLDER
    build = transaction.build_id
    started = time.perf_counter()
    try:
        index = find_parts(previous) if previous is not None else None
        if previous is None or index is not None:
            log.info("writing the dumps into %s from the changes", folder)
            recorded = Changes(
                additions=changes.surviving_lines(),
                dropped=changes.drops.keys(),
                previous=previous / PARTS_FOLDER if previous is not None else None,
                previous_index=index,
                size_bytes=changes.added_bytes,
            )
            try:
                update_dump_set(
                    folder, parts, kinds, manifest=manifest, changes=recorded, build=build,
                    workers=workers,
                )  # fmt: skip
                return
            except StoreError as error:
                if previous is None or isinstance(error, OutOfSpace):
                    raise
                log.warning("%s", error)
                shutil.rmtree(folder, ignore_errors=True)
                shutil.rmtree(parts, ignore_errors=True)
        log.info("writing the dumps into %s from the database", folder)
        write_dump_set(
            transaction.database, folder, kinds, manifest=manifest, parts=parts, build=build,
            workers=workers,
        )  # fmt: skip
    finally:
        changes.close()
        seconds = time.perf_counter() - started
        figures = {"stage": "dumps of the build", "statements": manifest.quads, "seconds": seconds}
        log.info("the dumps took %.2f s", seconds, extra=figures)


def finish_published_dumps(store: Store, settings: Settings, collection_root: Path) -> None:
    """After a build is published, make what it left: checksums (embedded), or dumps (remote)."""
    if not isinstance(store, EmbeddedStore):
        publish_remote_dumps(store, settings, collection_root)
        return
    build = store.current_build()
    if build is not None and (build / DUMPS_FOLDER / CATALOG_FILE).is_file():
        try:
            complete_checksums(build / DUMPS_FOLDER)
        except (OSError, StoreError) as error:  # the data and the dumps are published already
            log.warning(
                "the dumps' checksums could not be made (%s); the next build makes them", error
            )


def complete_checksums(folder: Path) -> None:
    """Fill in the SHA-256 of each dump in ``folder`` that its build left to be made.

    An incremental build publishes its dumps before hashing the files it changed: at 100k
    articles the hashing (0.8–0.9 s here) would be most of the build. Until this is done, the
    catalog gives no checksum (``/dumps/`` says so, the VoID description leaves it out, and
    downloads carry no ``ETag``). The catalog is replaced at once, and the build's parts index
    keeps the checksums for the next build, which reuses them for files it leaves unchanged.
    A build killed before this leaves them to the next one.
    """
    catalog = DumpCatalog.read(folder)
    pending = [dump for dump in catalog.files if not dump.sha256]
    if not pending:
        return
    started = time.perf_counter()
    found = checksums(folder, pending)
    files = tuple(replace(dump, sha256=found.get(dump.name, dump.sha256)) for dump in catalog.files)
    replace(catalog, files=files).write(folder)
    parts = folder.parent / PARTS_FOLDER
    index = find_parts(folder.parent)
    if index is not None:
        for dump in pending:
            info = index.packs.get(dump.format)
            if info is not None and info.volumes and sum(dump.volumes) == info.bytes:
                index.packs[dump.format] = replace(info, sha256=found[dump.name])
        index.write(parts)
    seconds = time.perf_counter() - started
    figures = {"stage": "checksums after publishing", "statements": 0, "seconds": seconds}
    log.info("the dumps' checksums took %.2f s, after publishing", seconds, extra=figures)


def publish_remote_dumps(store: Store, settings: Settings, collection_root: Path) -> None:
    """After a build published into a server, write its dumps and switch them in at once.

    Does nothing for the embedded store, whose builds carry their own dumps.

    :raises StoreError: when the dumps cannot be made; the data is published all the same,
        and the previous dumps (if any) stay in place.
    """
    kinds = dump_kinds(settings.dump_format_names)
    if not kinds or isinstance(store, EmbeddedStore):
        return
    store_dir = settings.store_path(collection_root)
    sets = store_dir / DUMP_SETS_FOLDER
    sets.mkdir(parents=True, exist_ok=True)
    name = new_build_id()
    staging = sets / f".{name}.partial"
    try:
        write_store_dumps(store, staging, kinds)
        staging.rename(sets / name)
        _switch_link(store_dir / DUMPS_FOLDER, Path(DUMP_SETS_FOLDER) / name)
    except (StoreError, OSError) as error:
        shutil.rmtree(staging, ignore_errors=True)
        raise StoreError(
            f"the build is published on {store.description}, but its dumps could not be "
            f"written into {sets}: {error}. /dumps/ still serves the previous ones; run "
            "`kgpub build` again to retry"
        ) from None
    _remove_old_sets(sets, keep=name)


def write_store_dumps(
    store: Store, folder: Path, kinds: Sequence[DumpKind], *, whole_files: bool = False
) -> DumpCatalog:
    """Write the dump set of ``store``'s publication, and its catalog, into ``folder``.

    The data is read once: from the database (embedded), or as one N-Quads dump of the server.

    :param whole_files: write each dump as one plain file, as ``kgpub export --dumps`` does,
        rather than as the volumes builds keep for the next one.
    :raises StoreError: when nothing is published, or a file cannot be written.
    """
    manifest = store.manifest()
    if manifest is None:
        raise StoreError(
            f"nothing is published in {store.description} yet; run `kgpub build` first"
        )
    workers = len(os.sched_getaffinity(0))
    if isinstance(store, EmbeddedStore):
        catalog = write_dump_set(
            store.database(), folder, kinds, manifest=manifest, workers=workers
        )
    else:
        catalog = _write_server_dumps(store, folder, kinds, manifest, workers)
    if not whole_files:
        return catalog
    try:
        return join_volumes(folder, catalog)
    except OSError as error:
        raise StoreError(f"cannot write the dumps into {folder}: {error}") from None


def _write_server_dumps(
    store: Store, folder: Path, kinds: Sequence[DumpKind], manifest: BuildManifest, workers: int
) -> DumpCatalog:
    folder.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix=".kgpub-copy-", dir=folder.parent) as scratch:
        quads = Path(scratch) / "dataset.nq"
        try:
            with quads.open("wb") as handle:
                store.dump(handle, rdf_format("nquads").oxigraph)
        except OSError as error:
            raise StoreError(f"cannot copy {store.description} into {scratch}: {error}") from None
        changes = Changes(file_lines(quads), size_bytes=quads.stat().st_size)
        return update_dump_set(
            folder, Path(scratch) / PARTS_FOLDER, kinds, manifest=manifest, changes=changes,
            build="", workers=workers,
        )  # fmt: skip


def published_dumps_folder(store: Store, store_dir: Path) -> Path | None:
    """The folder of the dumps the web app serves now, or ``None`` when there are none."""
    if isinstance(store, EmbeddedStore):
        build = store.current_build()
        folder = build / DUMPS_FOLDER if build is not None else None
    else:
        link = store_dir / DUMPS_FOLDER
        folder = link.resolve() if link.exists() else None
    return folder if folder is not None and folder.is_dir() else None


def _switch_link(link: Path, target: Path) -> None:
    temporary = link.with_name(f".{link.name}.{os.getpid()}")
    temporary.unlink(missing_ok=True)
    temporary.symlink_to(target)
    os.replace(temporary, link)  # atomic on POSIX


def _remove_old_sets(sets: Path, *, keep: str) -> None:
    finished = sorted(p for p in sets.iterdir() if p.is_dir() and not p.name.startswith("."))
    older = [p for p in finished if p.name != keep]
    for stale in older[: max(0, len(older) - KEEP_PREVIOUS_SETS)]:
        if not has_readers(stale):
            shutil.rmtree(stale, ignore_errors=True)
