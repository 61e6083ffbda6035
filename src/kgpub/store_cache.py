"""The store's ``cache/`` folder: what builds can always make again, kept to skip the work.

The compiled SHACL screen (:mod:`kgpub.screening`) and the parsed registry
(:mod:`kgpub.registry_cache`) are kept there. Every file is keyed by what it was made from,
so a stale file is never used, only replaced; losing the folder costs one slower build.
"""

from __future__ import annotations

import os
from pathlib import Path


def keep_cache_file(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` atomically; a cache that cannot be written is no error.

    The cache folder is made only inside a folder that exists already (the store's), so a
    first build that fails leaves nothing behind.
    """
    partial = path.with_name(f".{path.name}.{os.getpid()}.partial")
    try:
        path.parent.mkdir(exist_ok=True)
        partial.write_bytes(content)
        partial.replace(path)
    except OSError:
        partial.unlink(missing_ok=True)
