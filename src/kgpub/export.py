"""Dumps of the published dataset in every RDF format, optionally gzipped, and canonically.

Canonical N-Quads (sorted, one line per quad, no blank nodes since the mapper mints none) is the
byte-for-byte fingerprint of a build: building the same facts twice gives identical bytes.
"""

from __future__ import annotations

import gzip
import io
from typing import IO, BinaryIO, cast

from kgpub.backend import Store
from kgpub.formats import RdfFormat, rdf_format


def write_dump(store: Store, rdf: RdfFormat, output: BinaryIO, *, compress: bool = False) -> None:
    """Write the published dataset to ``output`` in format ``rdf``."""
    if compress:
        # mtime=0 keeps the bytes of the same dump identical from one run to the next.
        with gzip.GzipFile(fileobj=output, mode="wb", mtime=0) as zipped:
            store.dump(cast(IO[bytes], zipped), rdf.oxigraph)
        return
    store.dump(output, rdf.oxigraph)


def canonical_nquads(store: Store) -> bytes:
    """The dataset as sorted, de-duplicated N-Quads."""
    buffer = io.BytesIO()
    store.dump(buffer, rdf_format("nquads").oxigraph)
    lines = sorted(set(buffer.getvalue().splitlines()))
    return b"".join(line + b"\n" for line in lines if line.strip())
