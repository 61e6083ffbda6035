"""The dump set: the whole dataset as files in several RDF formats, and the catalog of them.

A dump folder holds ``kgpub.ttl``, ``kgpub.nt.gz``, ``kgpub.nq.gz``, ``kgpub.trig`` and
``kgpub.jsonld`` (or the formats asked for), each kept as volumes (:mod:`kgpub.dump_volumes`),
and ``dumps.json``, the :class:`~kgpub.dump_catalog.DumpCatalog`: each file's size in bytes,
statement count, SHA-256 and volumes, when the build was made, and the figures of the VoID
description (:mod:`kgpub.void`).

- **Made from the changes, not from the store.** The files are written from the dataset cut
  into sorted segments (:mod:`kgpub.dump_parts`), which each build keeps for the next one. A
  build merges its own changes (the graphs it dropped, the N-Quads it added) into the
  previous build's segments, renders the few segments that changed, and links every volume
  of every file that holds none of them from the previous build (:func:`update_dump_set`).
  Reading the on-disk database back (about 110k quads a second: each term is a RocksDB
  lookup) happens only without usable segments: the first build with dumps, or after a
  write through the web app (:func:`write_dump_set`).
- **Streaming.** Files are written piece by piece, and hashed once written; no dump is ever
  held in memory whole, and a full build's sorting spills to disk.
- **Triple formats hold the union of the graphs, each triple once**, as the SPARQL endpoint's
  default graph does: the triple segments count the graphs holding each triple.
- **Deterministic.** Segments are sorted and cut where the data says (never where a build
  happened to stop), pieces are rendered from a segment's lines alone, and gzip headers carry
  no time or name: the same data gives the same bytes whichever build, or export, made them.
"""

from __future__ import annotations

import logging
import shutil
import tempfile
import time
from collections.abc import Iterable, Sequence
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass
from pathlib import Path
from typing import cast

import pyoxigraph

from kgpub.backend import BuildManifest
from kgpub.config import DUMP_FORMATS
from kgpub.dump_assembly import PartsWriter
from kgpub.dump_catalog import DumpCatalog, DumpFile, volume_folder
from kgpub.dump_changes import file_lines
from kgpub.dump_parts import PARTS_FOLDER, Figures, PartsIndex, QuadSegment, TripleSegment
from kgpub.dump_pieces import COMPRESSED, QUAD_FORMATS, TRIPLE_FORMATS, PieceRenderer, file_name
from kgpub.dump_quads import new_quad_segments
from kgpub.dump_sorting import ExternalSort
from kgpub.dump_triples import new_triple_segments
from kgpub.dump_volumes import link_or_copy, volumes_folder
from kgpub.errors import StoreError, is_out_of_space, store_failure
from kgpub.formats import RdfFormat, rdf_format
from kgpub.void import EXAMPLE_CLASSES, DatasetFigures

log = logging.getLogger(__name__)

PARALLEL_BYTES = 256 * 1024 * 1024
"""N-Quads (about a million quads) from which pieces are rendered in worker processes. On 2
shared cores they saved between nothing and a sixth of the time at 430k quads, 6% at 4M:
this process's own sorting and merging is the longer half of the work (docs/performance.md)."""


@dataclass(frozen=True)
class DumpKind:
    """One file of the set: an RDF format, gzipped or not."""

    rdf: RdfFormat
    compressed: bool

    @property
    def file_name(self) -> str:
        """``kgpub.<extension>``, plus ``.gz`` when compressed."""
        return file_name(self.rdf.name)


DUMP_KINDS = {
    name: DumpKind(rdf_format(name), compressed=name in COMPRESSED) for name in DUMP_FORMATS
}
"""Every kind of dump, by the format name the ``dump_formats`` setting uses."""


def dump_kinds(names: Iterable[str]) -> list[DumpKind]:
    """The kinds of dump called ``names`` (from :attr:`kgpub.config.Settings.dump_format_names`)."""
    return [DUMP_KINDS[name] for name in names]


@dataclass(frozen=True)
class Changes:
    """What a new build's data is, relative to the previous build's parts (if any)."""

    additions: Iterable[tuple[bytes, bytes]]
    """``(graph token, N-Quads line)`` of the quads added (repeats allowed)."""
    dropped: Iterable[bytes] = ()
    """Graph tokens whose previous content is gone."""
    previous: Path | None = None
    """The previous build's parts folder, whose index :attr:`previous_index` is."""
    previous_index: PartsIndex | None = None
    size_bytes: int = 0
    """About how many bytes of N-Quads the additions are: decides on worker processes."""


def write_dump_set(
    database: pyoxigraph.Store,
    folder: Path,
    kinds: Sequence[DumpKind],
    *,
    manifest: BuildManifest,
    parts: Path | None = None,
    build: str = "",
    workers: int = 1,
) -> DumpCatalog:
    """Write the dumps of every quad in ``database``, and their catalog, into ``folder``.

    The database is read once, into a scratch N-Quads file the segments are made from.

    :param parts: where to keep the segments for the next build (``build`` is its name);
        by default they are thrown away.
    :raises StoreError: when a file cannot be written (the disk is full, say).
    """
    try:
        folder.mkdir(parents=True, exist_ok=True)
        with tempfile.TemporaryDirectory(prefix=".scratch-", dir=folder) as scratch_name:
            quads = Path(scratch_name) / "dataset.nq"
            with _Stage("reading the store"):
                database.dump(quads, pyoxigraph.RdfFormat.N_QUADS)
            changes = Changes(file_lines(quads), size_bytes=quads.stat().st_size)
            kept = parts or Path(scratch_name) / PARTS_FOLDER
            return update_dump_set(
                folder, kept, kinds, manifest=manifest, changes=changes, build=build,
                workers=workers,
            )  # fmt: skip
    except OSError as error:
        raise _write_failure(folder, error) from None


def update_dump_set(
    folder: Path,
    parts: Path,
    kinds: Sequence[DumpKind],
    *,
    manifest: BuildManifest,
    changes: Changes,
    build: str,
    workers: int = 1,
) -> DumpCatalog:
    """Write the segments of the new data into ``parts``, and its dumps into ``folder``.

    :raises StoreError: when a file cannot be written, or the changes do not fit the previous
        build's parts (write from the database then, with :func:`write_dump_set`).
    """
    names = {kind.rdf.name for kind in kinds}
    quad_formats = tuple(name for name in QUAD_FORMATS if name in names or name in COMPRESSED)
    triple_formats = tuple(name for name in TRIPLE_FORMATS if name in names or name in COMPRESSED)
    parallel = changes.size_bytes >= PARALLEL_BYTES
    renderer = PieceRenderer(workers=workers if parallel else 1)
    previous = None
    if changes.previous is not None and changes.previous_index is not None:
        previous = (changes.previous, changes.previous_index)
    writer = None
    try:
        parts.mkdir(parents=True, exist_ok=True)
        writer = PartsWriter(parts, renderer, previous)
        old = changes.previous_index
        with (
            tempfile.TemporaryDirectory(prefix=".sort-", dir=parts) as scratch,
            ExternalSort(Path(scratch)) as quads,
            ExternalSort(Path(scratch)) as triple_changes,
        ):
            with _Stage("sorting the added quads") as stage:
                quads.extend(graph + b"\0" + line for graph, line in changes.additions)
                stage.statements = quads.count
            with _Stage("quad segments: merging, rendering, writing"):
                segments = new_quad_segments(
                    old.quad_segments if old else [], writer.read_previous,
                    quads.sorted_items(), changes.dropped, triple_changes,
                )  # fmt: skip
                quad_segments = writer.write("quads", segments, quad_formats)
            with _Stage("triple segments: merging, rendering, writing"):
                segments = new_triple_segments(
                    old.triple_segments if old else [], writer.read_previous,
                    triple_changes.sorted_items(), base_iri=manifest.base_iri,
                )  # fmt: skip
                triple_segments = writer.write("triples", segments, triple_formats)
            with _Stage("finishing and hashing the files"):
                writer.finish()
        index = PartsIndex(
            build,
            cast(list[QuadSegment], quad_segments),
            cast(list[TripleSegment], triple_segments),
            writer.packs,
        )
        index.write(parts)
        _log_formats(writer, index)
        return _publish(folder, parts, index, kinds, manifest)
    except OSError as error:
        raise _write_failure(folder, error) from None
    except BrokenProcessPool as error:  # a worker was killed: out of memory, say
        raise StoreError(
            f"a process rendering the dumps into {folder} stopped ({error}); check the "
            "system log for a process killed for want of memory, and build again"
        ) from None
    finally:
        renderer.close()
        if writer is not None:
            writer.abort()


def _publish(
    folder: Path, parts: Path, index: PartsIndex, kinds: Sequence[DumpKind], manifest: BuildManifest
) -> DumpCatalog:
    """Link the volumes of the files asked for from ``parts`` into ``folder``, and the catalog."""
    folder.mkdir(parents=True, exist_ok=True)
    files = []
    for kind in kinds:
        info = index.packs[kind.rdf.name]
        source = volumes_folder(parts, kind.file_name)
        target = volume_folder(folder, kind.file_name)
        shutil.rmtree(target, ignore_errors=True)  # a set written here before
        target.mkdir()
        for number, volume in enumerate(info.volumes):
            link_or_copy(source / volume.name, target / f"{number:06d}")
        statements = index.quads if kind.rdf.holds_graphs else index.triples
        files.append(
            DumpFile(
                name=kind.file_name,
                format=kind.rdf.name,
                media_type=kind.rdf.media_type,
                compressed=kind.compressed,
                bytes=info.bytes,
                triples=statements,
                sha256=info.sha256,
                volumes=tuple(volume.bytes for volume in info.volumes),
            )
        )
    catalog = DumpCatalog(manifest.built_at, manifest.base_iri, tuple(files), _figures(index))
    catalog.write(folder)
    return catalog


def _figures(index: PartsIndex) -> DatasetFigures:
    total = Figures()
    for segment in index.triple_segments:
        total.add(segment.figures)
    examples = [total.examples[str(cls)] for cls in EXAMPLE_CLASSES if str(cls) in total.examples]
    return DatasetFigures(
        quads=index.quads,
        entities=total.entities,
        classes=dict(sorted(total.classes.items())),
        properties=dict(sorted(total.properties.items())),
        examples=examples,
    )


def _write_failure(folder: Path, error: OSError) -> StoreError:
    if is_out_of_space(error):
        return store_failure("cannot write the dumps", folder, error)
    return StoreError(
        f"cannot write the dumps into {folder}: {error}; check that the folder can be written, "
        "or set dump_formats to fewer formats (or 'none')"
    )


def _log_formats(writer: PartsWriter, index: PartsIndex) -> None:
    """One record per format, with its seconds, for the benchmark."""
    for name, seconds in sorted(writer.seconds.items()):
        statements = index.quads if name in QUAD_FORMATS else index.triples
        stage = f"format {file_name(name)}"
        figures = {"stage": stage, "statements": statements, "seconds": seconds}
        log.info("%s: %d statements, %.2f s", stage, statements, seconds, extra=figures)
    log.info(
        "segments rendered anew: %s of %d quad and %d triple segments",
        writer.rendered, len(index.quad_segments), len(index.triple_segments),
        extra={"rendered": dict(writer.rendered)},
    )  # fmt: skip


class _Stage:
    """Logs how long a step of the writing took, and how many statements it handled.

    The figures go in the record's ``stage``, ``statements`` and ``seconds`` attributes too,
    for ``benchmarks/dump_benchmark.py``.
    """

    def __init__(self, name: str, statements: int = 0) -> None:
        self.name = name
        self.statements = statements

    def __enter__(self) -> _Stage:
        self.started = time.perf_counter()
        return self

    def __exit__(self, *failure: object) -> None:
        if failure[0] is not None:
            return
        seconds = time.perf_counter() - self.started
        figures = {"stage": self.name, "statements": self.statements, "seconds": seconds}
        log.info("%s: %d statements in %.2f s", self.name, self.statements, seconds, extra=figures)
