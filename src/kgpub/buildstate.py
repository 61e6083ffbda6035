"""What a build remembers of each published article, so the next build redoes only what changed.

The state is a SQLite file inside the build's state folder, published together with the data it
describes (see :class:`kgpub.backend.Transaction`), so it can never disagree with the store.

An article is mapped and validated again when any input of its triples changes:

- its file (size and modification time first, then SHA-256, as ``git`` does);
- what its entity references resolve to in the registry, and those entities' descriptions
  (its *registry view*; recomputed from the recorded references, without reading the file);
- the digests of other articles' claims it links to;
- kgpub, the base IRI, the ontology or the shapes (the *environment*; then everything is).

Each article is one :class:`~kgpub.article_records.ArticleRecord`. The state also lists the IRIs
earlier builds published and this one does not (:mod:`kgpub.removals`).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable, Iterator
from pathlib import Path

from kgpub.article_records import ArticleRecord
from kgpub.errors import StoreError
from kgpub.removals import SCHEMA as REMOVALS_SCHEMA
from kgpub.removals import RemovalLog

STATE_FILE = "articles.sqlite"
SCHEMA_VERSION = "4"
"""A state of another version is not read: the build is then a full one (see kgpub.build)."""

_ARTICLES_SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS articles (
    path TEXT PRIMARY KEY,
    key TEXT NOT NULL,
    mtime_ns INTEGER NOT NULL,
    size INTEGER NOT NULL,
    sha256 TEXT NOT NULL,
    inputs TEXT NOT NULL,
    quads INTEGER NOT NULL,
    graph_count INTEGER NOT NULL,
    countries TEXT NOT NULL,
    detail TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS articles_key ON articles (key);
-- Every build reads these columns of every article; the rows hold their JSON detail, so a
-- scan of the table read the whole file (about 40 ms each at 100k articles, 5 with these).
CREATE INDEX IF NOT EXISTS articles_stamps ON articles (path, mtime_ns, size);
CREATE INDEX IF NOT EXISTS articles_countries ON articles (countries);
CREATE INDEX IF NOT EXISTS articles_totals ON articles (quads, graph_count);
CREATE TABLE IF NOT EXISTS claim_links (path TEXT NOT NULL, target TEXT NOT NULL);
CREATE INDEX IF NOT EXISTS claim_links_target ON claim_links (target);
CREATE INDEX IF NOT EXISTS claim_links_path ON claim_links (path);
"""
_SCHEMA = _ARTICLES_SCHEMA + REMOVALS_SCHEMA

SELECT_RECORDS = (
    "SELECT path, key, mtime_ns, size, sha256, inputs, quads, countries, detail FROM articles"
)
"""What :meth:`~kgpub.article_records.ArticleRecord.from_row` reads; quads and countries are
columns so that totals and the set of countries are read without decoding JSON."""


class BuildState:
    """The state file of one build, opened for reading and writing."""

    def __init__(self, folder: Path, *, read_only: bool = False, wal: bool = False) -> None:
        """Open the state in ``folder``; ``wal`` lets worker processes read while we write."""
        path = folder / STATE_FILE
        try:
            if read_only:
                self.db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=60)
            else:
                folder.mkdir(parents=True, exist_ok=True)
                self.db = sqlite3.connect(path, timeout=60)
                if wal:
                    self.db.execute("PRAGMA journal_mode=WAL")
                self.db.executescript(_SCHEMA)
        except sqlite3.Error as error:
            raise StoreError(f"cannot open the build state {path}: {error}") from None

    @classmethod
    def empty(cls) -> BuildState:
        """A state that knows nothing (a first build)."""
        state = cls.__new__(cls)
        state.db = sqlite3.connect(":memory:")
        state.db.executescript(_SCHEMA)
        return state

    @property
    def removals(self) -> RemovalLog:
        """The IRIs earlier builds published and this one does not."""
        return RemovalLog(self.db)

    def meta(self, name: str) -> str | None:
        """A recorded setting (environment digest, registry hash, …)."""
        row = self.db.execute("SELECT value FROM meta WHERE name = ?", (name,)).fetchone()
        return None if row is None else str(row[0])

    def set_meta(self, name: str, value: str) -> None:
        """Record a setting."""
        self.db.execute("INSERT OR REPLACE INTO meta VALUES (?, ?)", (name, value))

    def stamps(self) -> dict[str, tuple[int, int]]:
        """Path → (modification time, size) of every recorded article.

        Plain tuples, compared as they are with :func:`kgpub.buildplan.scan_fact_files`'
        (at 100k articles, making an object per row took twice as long as reading them).
        """
        rows = self.db.execute("SELECT path, mtime_ns, size FROM articles")
        return {path: (mtime_ns, size) for path, mtime_ns, size in rows}

    def recorded_sha256(self, path: str) -> str | None:
        """The SHA-256 recorded for a fact file, or ``None`` if it is not recorded."""
        row = self.db.execute("SELECT sha256 FROM articles WHERE path = ?", (path,)).fetchone()
        return None if row is None else str(row[0])

    def records(self, paths: Iterable[str] | None = None) -> Iterator[ArticleRecord]:
        """The records of these paths (every record when ``paths`` is ``None``)."""
        query = SELECT_RECORDS
        if paths is None:
            yield from (ArticleRecord.from_row(row) for row in self.db.execute(query))
            return
        for path in paths:
            row = self.db.execute(f"{query} WHERE path = ?", (path,)).fetchone()
            if row is not None:
                yield ArticleRecord.from_row(row)

    def record_of_key(self, key: str) -> ArticleRecord | None:
        """The record of the article with this key."""
        query = SELECT_RECORDS
        row = self.db.execute(f"{query} WHERE key = ?", (key,)).fetchone()
        return None if row is None else ArticleRecord.from_row(row)

    def linking_to(self, keys: Iterable[str]) -> set[str]:
        """Paths of the articles whose claims link to claims of these articles."""
        found: set[str] = set()
        for key in keys:
            rows = self.db.execute("SELECT path FROM claim_links WHERE target = ?", (key,))
            found.update(path for (path,) in rows)
        return found

    def article_paths(self) -> dict[str, str]:
        """Key → fact file of every recorded article (no JSON is decoded)."""
        return dict(self.db.execute("SELECT key, path FROM articles"))

    def countries(self) -> set[str]:
        """Every country some recorded article refers to."""
        rows = self.db.execute("SELECT DISTINCT countries FROM articles")
        return {iso for (listed,) in rows for iso in listed.split()}

    def put(self, record: ArticleRecord) -> None:
        """Record (or re-record) an article."""
        self.remove(record.path)
        self.db.execute(
            "INSERT INTO articles VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (
                record.path,
                record.key,
                record.mtime_ns,
                record.size,
                record.sha256,
                record.inputs,
                record.quads,
                len(record.graphs),
                " ".join(record.countries),
                record.detail_json(),
            ),
        )
        targets = {
            reference.rpartition("#")[0] or record.key for reference in record.foreign_claims
        }
        self.db.executemany(
            "INSERT INTO claim_links VALUES (?, ?)", ((record.path, t) for t in sorted(targets))
        )

    def touch(self, path: str, mtime_ns: int) -> None:
        """Record a new modification time for a file whose content did not change."""
        self.db.execute("UPDATE articles SET mtime_ns = ? WHERE path = ?", (mtime_ns, path))

    def remove(self, path: str) -> None:
        """Forget an article."""
        self.db.execute("DELETE FROM articles WHERE path = ?", (path,))
        self.db.execute("DELETE FROM claim_links WHERE path = ?", (path,))

    def totals(self) -> tuple[int, int]:
        """Quads and graphs of everything recorded, with the entity and ontology graphs."""
        quads, graphs = self.db.execute(
            "SELECT COALESCE(SUM(quads), 0), COALESCE(SUM(graph_count), 0) FROM articles"
        ).fetchone()
        extra = [int(self.meta(n) or 0) for n in ("entities_quads", "ontology_quads")]
        return int(quads) + sum(extra), int(graphs) + sum(1 for n in extra if n)

    def article_count(self) -> int:
        """How many articles are recorded."""
        return int(self.db.execute("SELECT COUNT(*) FROM articles").fetchone()[0])

    def commit(self) -> None:
        """Write every change to disk."""
        self.db.commit()

    def finish(self) -> None:
        """Commit and close as one self-contained file, ready to be published and copied."""
        self.db.commit()
        self.db.execute("PRAGMA journal_mode=DELETE")
        self.db.close()

    def close(self) -> None:
        """Close the file."""
        self.db.close()
