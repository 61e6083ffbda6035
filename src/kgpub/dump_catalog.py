"""The catalog of a dump set, ``dumps.json``: what each file holds, and how to check it.

Written last into the dumps' folder by :func:`kgpub.dumps.write_dump_set`, and read by the web
app for ``/dumps/`` and the VoID description: for each file its name, format, media type,
whether it is gzipped, its size in bytes, its statement count and its SHA-256; the time of
the build the data comes from and its base IRI; and the figures of :mod:`kgpub.void`.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

from kgpub.errors import StoreError
from kgpub.void import DatasetFigures

CATALOG_FILE = "dumps.json"


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
            files = tuple(DumpFile(**entry) for entry in data.pop("files"))
            figures = DatasetFigures(**data.pop("figures"))
            return cls(files=files, figures=figures, **data)
        except (OSError, ValueError, TypeError, KeyError, AttributeError) as error:
            raise StoreError(
                f"cannot read the dump catalog {path}: {error}; write the dumps again with "
                "`kgpub build` or `kgpub export --dumps`"
            ) from None
