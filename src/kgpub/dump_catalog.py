"""The catalog of a dump set, ``dumps.json``: what each file holds, and how to read and check it.

Written last into the dumps' folder by :func:`kgpub.dumps.write_dump_set`, and read by the web
app for ``/dumps/`` and the VoID description: for each file its name, format, media type,
whether it is gzipped, its size in bytes, its statement count, its SHA-256 and the sizes of
its volumes; the time of the build the data comes from and its base IRI; and the figures of
:mod:`kgpub.void`.

A file of a build is kept as volumes (:mod:`kgpub.dump_volumes`), linked into the dumps'
folder as ``<name>.volumes/000000``, ``000001`` and so on: the file is their bytes joined in
that order (``cat kgpub.ttl.volumes/* > kgpub.ttl``), which :meth:`DumpCatalog.open` reads.
A file with no volumes (as ``kgpub export --dumps`` writes them, :func:`join_volumes`) is
there whole, under its name.
"""

from __future__ import annotations

import json
import shutil
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from kgpub.embedded_layout import READERS_FILE
from kgpub.errors import StoreError
from kgpub.joined_files import JoinedFile, sha256_of_parts
from kgpub.void import DatasetFigures

CATALOG_FILE = "dumps.json"
READ_CHUNK_BYTES = 1 << 20


@dataclass(frozen=True)
class DumpFile:
    """One written dump, as the catalog records it."""

    name: str
    format: str
    media_type: str
    compressed: bool
    bytes: int
    triples: int
    """Statements in the file: quads for N-Quads, TriG and JSON-LD, distinct triples for
    Turtle and N-Triples."""
    sha256: str
    """Empty while it is being made: a build publishes first, then hashes the files it
    changed (:func:`kgpub.dump_publication.complete_checksums`)."""
    volumes: tuple[int, ...] = ()
    """The size of each of its volumes, in order; none when the file is kept whole."""

    def parts(self, folder: Path) -> list[tuple[Path, int]]:
        """The files holding this dump's bytes, in order, with their sizes."""
        if not self.volumes:
            return [(folder / self.name, self.bytes)]
        volumes = volume_folder(folder, self.name)
        return [(volumes / f"{number:06d}", size) for number, size in enumerate(self.volumes)]


def volume_folder(folder: Path, name: str) -> Path:
    """Where the volumes of the dump called ``name`` lie in a dumps' folder."""
    return folder / f"{name}.volumes"


@dataclass(frozen=True)
class DumpCatalog:
    """The dumps of one build: ``dumps.json`` in their folder."""

    built_at: str
    base_iri: str
    files: tuple[DumpFile, ...]
    figures: DatasetFigures = field(default_factory=DatasetFigures)

    def file(self, name: str) -> DumpFile | None:
        """The dump called ``name``, if the set has one."""
        return next((dump for dump in self.files if dump.name == name), None)

    def open(self, folder: Path, name: str) -> JoinedFile:
        """Read the dump called ``name`` from ``folder``, its volumes joined.

        :raises FileNotFoundError: when its first file is gone (a later build removed it).

        While a dump kept as volumes is open, a shared lock on the folder's ``.readers`` file
        keeps a later build from removing them (:func:`kgpub.embedded_layout.has_readers`).

        :raises KeyError: when the set has no such dump.
        """
        dump = self.file(name)
        if dump is None:
            raise KeyError(name)
        # A plain file's open handle outlives its removal; volumes are opened one by one.
        hold = folder / READERS_FILE if dump.volumes else None
        return JoinedFile(dump.parts(folder), hold=hold)

    def to_json(self) -> str:
        """The catalog as stable JSON."""
        return json.dumps(asdict(self), indent=2, sort_keys=True, ensure_ascii=False)

    def write(self, folder: Path) -> None:
        """Write ``dumps.json`` into ``folder``, replacing any catalog there at once."""
        partial_file = folder / f".{CATALOG_FILE}.partial"
        partial_file.write_text(self.to_json() + "\n", encoding="utf-8")
        partial_file.replace(folder / CATALOG_FILE)

    @classmethod
    def read(cls, folder: Path) -> DumpCatalog:
        """Read the catalog of the dumps in ``folder``.

        :raises StoreError: when it is missing or malformed.
        """
        path = folder / CATALOG_FILE
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
            files = tuple(
                DumpFile(**{**entry, "volumes": tuple(entry.get("volumes", ()))})
                for entry in data.pop("files")
            )
            figures = DatasetFigures(**data.pop("figures"))
            return cls(files=files, figures=figures, **data)
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
            raise StoreError(
                f"cannot read the dump catalog {path}: {error}; write the dumps again with "
                "`kgpub build` or `kgpub export --dumps`"
            ) from None


def checksums(folder: Path, dumps: Sequence[DumpFile]) -> dict[str, str]:
    """Name → SHA-256 of these dumps in ``folder``, from their bytes, one thread a file.

    Threads took 0.75–0.88 s for a 1.2 GB set on our 2-core machine, against 0.91 s in one.
    """
    with ThreadPoolExecutor(max_workers=max(1, len(dumps))) as pool:
        digests = pool.map(lambda dump: sha256_of_parts(dump.parts(folder)), dumps)
        return {dump.name: digest for dump, digest in zip(dumps, digests, strict=True)}


def join_volumes(folder: Path, catalog: DumpCatalog) -> DumpCatalog:
    """Write each dump of ``folder`` kept as volumes as one plain file; the catalog of them.

    The volumes are removed, and the new catalog written.
    """
    files = []
    for dump in catalog.files:
        if dump.volumes:
            partial = folder / f".{dump.name}.partial"
            with partial.open("wb") as output, catalog.open(folder, dump.name) as source:
                shutil.copyfileobj(source, output, READ_CHUNK_BYTES)
            partial.replace(folder / dump.name)
            shutil.rmtree(volume_folder(folder, dump.name))
        files.append(replace(dump, volumes=()))
    joined = replace(catalog, files=tuple(files))
    joined.write(folder)
    (folder / READERS_FILE).unlink(missing_ok=True)
    return joined
