"""The parsed registry, kept between builds while registry.yaml stays the same.

Parsing the registry (libyaml, pydantic, the entity index and the registry's own checks) took
about 0.6 s for the 560 KB registry of a 100k-article collection: most of a build that
changes one article, and paid again by every worker process, although the registry rarely
changes. So a registry that loaded without problems is kept in the store's ``cache/`` folder
with its entity digests, and read back by the next load of the same bytes.

The file is a pickle: the loaded objects come back in tens of milliseconds, with no parsing
and no validation to redo. Unpickling can run code named in the file, which is acceptable
here because the cache lives in the store folder the user owns, beside the database, and is
trusted as the database is: whoever can write there can already change what is published.
It is still never taken blindly. A file is used only when its header names this kgpub (its
version and the digest of its code), the registry file as given and the SHA-256 of its bytes,
and when the pickled bytes have the SHA-256 the header records; anything else (a corrupt,
truncated or foreign file, another registry, another kgpub) is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import pickle
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from kgpub import __version__
from kgpub.article_records import entity_digests
from kgpub.collection import Collection, load_registry, registry_path
from kgpub.entities import EntityId
from kgpub.errors import Problem
from kgpub.store_cache import keep_cache_file

CACHE_FILE = "registry.pickle"
CACHE_FORMAT = 1
"""Changes when the header or the pickled object changes shape."""


@dataclass(frozen=True)
class ParsedRegistry:
    """A registry as :func:`~kgpub.collection.load_registry` gives it, and its entity digests."""

    collection: Collection
    entity_digests: dict[EntityId, str]
    """Each entity's content digest (:func:`kgpub.article_records.entity_digests`)."""


def load_parsed_registry(
    root: Path, problems: list[Problem], *, cache: Path | None
) -> ParsedRegistry:
    """The registry of the collection at ``root``, read from ``cache`` when it holds it.

    Problems are appended to ``problems`` exactly as :func:`load_registry` appends them: a
    registry with problems is parsed every time and never kept. ``cache`` is a folder inside
    the store folder; it is made when that folder exists, and a cache that cannot be read or
    written is no error.
    """
    file = registry_path(root)
    try:
        content = file.read_bytes()
    except OSError:  # load_registry reports it, with the file's name
        return _parse(root, problems)
    header = _header(file, content)
    kept = None if cache is None else _read(cache / CACHE_FILE, header)
    if kept is not None:
        return kept
    found: list[Problem] = []
    parsed = _parse(root, found)
    problems.extend(found)
    if cache is not None and not found and _unchanged(file, content):
        _keep(cache / CACHE_FILE, header, parsed)
    return parsed


def _parse(root: Path, problems: list[Problem]) -> ParsedRegistry:
    collection = load_registry(root, problems)
    return ParsedRegistry(collection, entity_digests(collection.index))


def _unchanged(file: Path, content: bytes) -> bool:
    """Whether the registry still holds the bytes it was parsed from (an editor may save)."""
    try:
        return file.read_bytes() == content
    except OSError:
        return False


def _header(file: Path, content: bytes) -> dict[str, str | int]:
    """What a kept registry must have been made from to be used."""
    return {
        "format": CACHE_FORMAT,
        "kgpub": __version__,
        "code": _code_digest(),
        "registry": str(file),
        "registry_sha256": hashlib.sha256(content).hexdigest(),
    }


@cache
def _code_digest() -> str:
    """The digest of kgpub's modules: a kept registry holds their classes, as they were.

    The version alone would miss a change of a development checkout; reading the sources
    takes about 2 ms.
    """
    digest = hashlib.sha256()
    for module in sorted(Path(__file__).parent.glob("*.py")):
        digest.update(f"{module.name}\0".encode())
        digest.update(module.read_bytes())
    return digest.hexdigest()


def _read(path: Path, header: dict[str, str | int]) -> ParsedRegistry | None:
    """The registry kept at ``path`` if it was made from what ``header`` names, else ``None``."""
    try:
        with path.open("rb") as handle:
            found = json.loads(handle.readline())
            payload = handle.read()
    except (OSError, ValueError):  # missing, unreadable, or no JSON header
        return None
    if not isinstance(found, dict):
        return None
    recorded = found.pop("payload_sha256", None)
    if found != header or recorded != _sha256(payload):
        return None
    try:
        parsed = pickle.loads(payload)  # noqa: S301 - a file of the user's store; see above
    except (pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError):
        return None
    return parsed if isinstance(parsed, ParsedRegistry) else None


def _keep(path: Path, header: dict[str, str | int], parsed: ParsedRegistry) -> None:
    payload = pickle.dumps(parsed, protocol=pickle.HIGHEST_PROTOCOL)
    line = json.dumps({**header, "payload_sha256": _sha256(payload)}).encode() + b"\n"
    keep_cache_file(path, line + payload)


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()
