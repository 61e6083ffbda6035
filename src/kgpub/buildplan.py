"""Deciding what a build must redo: which fact files are new, changed, removed or untouched.

A file whose size and modification time match the state is not read at all; one whose stamp
differs is hashed, and only a different SHA-256 makes it changed. When the registry changed,
each recorded article's registry view is recomputed from its recorded references (no fact file
is read), and the articles whose view differs are redone too.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from kgpub.article_records import ArticleRecord, registry_view
from kgpub.buildstate import BuildState
from kgpub.collection import ARTICLES_FOLDER, FACT_FILE_SUFFIXES, Collection, registry_path
from kgpub.errors import Problem
from kgpub.registry_cache import ParsedRegistry, load_parsed_registry


@dataclass
class BuildPlan:
    """What a build will do."""

    work: list[str] = field(default_factory=list)
    """Fact files (relative paths) to map and validate, in order."""
    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: dict[str, ArticleRecord] = field(default_factory=dict)
    """Records being replaced or removed: path → the record published so far."""
    removed: list[str] = field(default_factory=list)
    touched: dict[str, int] = field(default_factory=dict)
    """Files rewritten with the same content: path → new modification time."""
    unchanged: int = 0
    registry_sha256: str = ""
    registry: Collection | None = None
    """The loaded registry, when it changed (then the entity graph is redone)."""
    problems: list[Problem] = field(default_factory=list)


def sha256_of(path: Path) -> str:
    """A file's SHA-256."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


Stamp = tuple[int, int]
"""A file's modification time (ns) and size, as the state records them."""


@dataclass
class FileChanges:
    """How the fact files on disk differ from the stamps a state recorded."""

    differing: dict[str, Stamp] = field(default_factory=dict)
    """Files whose stamp is not the recorded one (new files among them): path → stamp."""
    removed: list[str] = field(default_factory=list)
    """Recorded files no longer on disk, sorted."""
    files: int = 0
    """How many fact files are on disk."""


def scan_fact_files(root: Path) -> dict[str, Stamp]:
    """Relative path → (modification time, size) of every fact file, in no particular order."""
    return compare_fact_files(root, {}).differing


def compare_fact_files(root: Path, recorded: Mapping[str, Stamp]) -> FileChanges:
    """Stat every fact file once and compare it with its ``recorded`` stamp as it is found.

    At 100k files this is the floor of an incremental build's cost: one ``scandir`` pass, with
    each file's ``stat`` relative to its open folder (not resolved from the root again), each
    folder's relative prefix made once, and no table of every file's stamp built to be
    compared afterwards: a matching file is crossed off a copy of ``recorded``, and what is
    left there at the end was removed.
    """
    changes = FileChanges()
    remaining = dict(recorded)
    cross_off, differing = remaining.pop, changes.differing
    matched = 0
    pending = [(str(root / ARTICLES_FOLDER), f"{ARTICLES_FOLDER}/")]
    while pending:
        folder, relative = pending.pop()
        try:
            folder_fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        except (FileNotFoundError, NotADirectoryError):
            continue
        try:
            with os.scandir(folder_fd) as entries:
                for entry in entries:
                    name = entry.name
                    if name.endswith(FACT_FILE_SUFFIXES) and entry.is_file():
                        stat = entry.stat()
                        path, stamp = relative + name, (stat.st_mtime_ns, stat.st_size)
                        if cross_off(path, None) == stamp:
                            matched += 1
                        else:
                            differing[path] = stamp
                    elif entry.is_dir(follow_symlinks=False):
                        pending.append((f"{folder}/{name}", f"{relative}{name}/"))
        finally:
            os.close(folder_fd)
    changes.removed = sorted(remaining)
    changes.files = matched + len(differing)
    return changes


def plan_build(
    root: Path, state: BuildState, *, full: bool, cache: Path | None = None
) -> BuildPlan:
    """Compare the collection's files with the state (``full`` ignores the state).

    ``cache`` is the store's cache folder, where a changed registry is kept once parsed (see
    :mod:`kgpub.registry_cache`) for the workers to read.
    """
    plan = BuildPlan(registry_sha256=sha256_of(registry_path(root)))
    stamps = {} if full else state.stamps()
    changes = compare_fact_files(root, stamps)
    # Only the few files whose stamp differs are looked at further.
    for path in sorted(changes.differing):
        if path not in stamps:
            plan.added.append(path)
        elif sha256_of(root / path) == state.recorded_sha256(path):
            plan.touched[path] = changes.differing[path][0]
        else:
            plan.updated.append(path)
    plan.removed = changes.removed
    redo = set(plan.added) | set(plan.updated)
    if full or state.meta("registry_sha256") != plan.registry_sha256:
        parsed = load_parsed_registry(root, plan.problems, cache=cache)
        plan.registry = parsed.collection
        if not full:
            redo |= _articles_seeing_other_entities(parsed, state, skip=redo)
    plan.work = sorted(redo)
    plan.retired = {r.path: r for r in state.records(sorted(redo | set(plan.removed)))}
    plan.unchanged = changes.files - len(plan.added) - len(plan.updated)
    return plan


def _articles_seeing_other_entities(
    registry: ParsedRegistry, state: BuildState, *, skip: set[str]
) -> set[str]:
    index, digests = registry.collection.index, registry.entity_digests
    return {
        record.path
        for record in state.records()
        if record.path not in skip
        and registry_view(index, record.references, record.local_entities, digests)
        != record.registry_view
    }
