"""The dump set: what builds write, that it is exact and deterministic, and ``export --dumps``."""

from __future__ import annotations

import gc
import gzip
import hashlib
import logging
import shutil
from contextlib import closing
from dataclasses import replace
from pathlib import Path

import pyoxigraph
import pytest
from click.testing import CliRunner
from hypothesis import given
from hypothesis import strategies as st
from tests.remote_server import OxigraphServer

from kgpub import dump_publication, dump_quads, dump_sorting, dump_triples, dump_volumes, dumps
from kgpub.backend import BuildManifest
from kgpub.build import build_collection
from kgpub.cli import main
from kgpub.config_loading import load_settings
from kgpub.dump_catalog import CATALOG_FILE, DumpCatalog, volume_folder
from kgpub.dump_changes import ChangeLog, graph_lines, graph_token, triple_line
from kgpub.dump_packs import PackWriter
from kgpub.dump_parts import PARTS_FOLDER, PartsIndex, find_parts
from kgpub.dump_publication import DUMPS_FOLDER, prepare_build_dumps, published_dumps_folder
from kgpub.dumps import DUMP_KINDS, Changes, dump_kinds, update_dump_set, write_dump_set
from kgpub.embedded import EmbeddedStore
from kgpub.errors import ConfigError, StoreError
from kgpub.remote import RemoteStore

from .conftest import ARTICLE, UNRELATED_ARTICLE, dump_bytes, write_collection

STORE = Path(".kgpub") / "store"
EVERY_FILE = ["kgpub.ttl", "kgpub.nt.gz", "kgpub.nq.gz", "kgpub.trig", "kgpub.jsonld"]


def build(root: Path, **settings: str) -> None:
    summary = build_collection(root, load_settings(root, env={}, overrides=settings))
    assert summary.published, summary.describe()


def dumps_of(root: Path) -> Path:
    """The dump folder of the collection's published (embedded) build."""
    with closing(EmbeddedStore(root / STORE)) as store:
        build_folder = store.current_build()
    assert build_folder is not None
    return build_folder / DUMPS_FOLDER


def parsed(folder: Path, name: str) -> list[pyoxigraph.Quad]:
    data = dump_bytes(folder, name)
    if name.endswith(".gz"):
        data = gzip.decompress(data)
    kind = next(kind for kind in DUMP_KINDS.values() if kind.file_name == name)
    return list(pyoxigraph.parse(data, format=kind.rdf.oxigraph))


def published_quads(root: Path) -> set[pyoxigraph.Quad]:
    with closing(EmbeddedStore(root / STORE)) as store:
        return set(store.database().quads_for_pattern(None, None, None, None))


def digests(folder: Path) -> dict[str, str]:
    """Each dump's SHA-256, from its bytes."""
    return {
        dump.name: hashlib.sha256(dump_bytes(folder, dump.name)).hexdigest()
        for dump in DumpCatalog.read(folder).files
    }


@pytest.fixture(scope="module")
def built(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sample and an unrelated article (both say the attack is an attack), built once."""
    folder = tmp_path_factory.mktemp("dumps") / "collection"
    root = write_collection(folder, sample=ARTICLE, other=UNRELATED_ARTICLE)
    build(root)
    return root


def test_a_build_writes_every_dump_and_a_catalog_of_their_sizes_checksums_and_counts(
    built: Path,
) -> None:
    folder = dumps_of(built)
    catalog = DumpCatalog.read(folder)
    assert [dump.name for dump in catalog.files] == EVERY_FILE
    volumes = [f"{name}.volumes" for name in EVERY_FILE]
    assert sorted(p.name for p in folder.iterdir()) == sorted([*volumes, "dumps.json"])
    quads = published_quads(built)
    triples = {quad.triple for quad in quads}
    assert len(triples) < len(quads), "two claims should assert the same triple"
    for dump in catalog.files:
        data = dump_bytes(folder, dump.name)
        assert (dump.bytes, dump.sha256) == (len(data), hashlib.sha256(data).hexdigest())
        joined = b"".join(
            path.read_bytes() for path in sorted(volume_folder(folder, dump.name).iterdir())
        )
        assert joined == data, "the volumes, joined in the order of their names, are the file"
        statements = parsed(folder, dump.name)
        assert dump.triples == len(statements), dump.name
        if dump.format in ("nquads", "trig", "jsonld"):
            assert set(statements) == quads, dump.name
        else:
            assert len({quad.triple for quad in statements}) == len(statements), dump.name
            assert {quad.triple for quad in statements} == triples, dump.name
    assert catalog.figures.quads == len(quads)
    with closing(EmbeddedStore(built / STORE)) as store:
        assert catalog.built_at == getattr(store.manifest(), "built_at", None)


def test_gzipped_dumps_carry_no_time_or_file_name(built: Path) -> None:
    for name in ("kgpub.nt.gz", "kgpub.nq.gz"):
        header = dump_bytes(dumps_of(built), name)[:10]
        flags, mtime = header[3], header[4:8]
        assert (flags & 0x08, mtime) == (0, b"\0\0\0\0"), name  # no FNAME field, mtime 0


def test_two_builds_of_the_same_files_write_the_same_bytes(built: Path, tmp_path: Path) -> None:
    again = tmp_path / "again"
    shutil.copytree(built, again, ignore=shutil.ignore_patterns(".kgpub"))
    build(again)
    assert digests(dumps_of(again)) == digests(dumps_of(built))
    first, second = DumpCatalog.read(dumps_of(built)), DumpCatalog.read(dumps_of(again))
    assert (first.files, first.figures) == (second.files, second.figures)


def test_an_incremental_build_writes_the_dumps_a_full_build_of_the_same_files_writes(
    sample_collection: Path, tmp_path: Path
) -> None:
    build(sample_collection)
    changed = ARTICLE.replace("a car bomb exploded", "a truck bomb exploded")
    (sample_collection / "articles" / "sample.yaml").write_text(changed, encoding="utf-8")
    build(sample_collection)
    fresh = tmp_path / "fresh"
    shutil.copytree(sample_collection, fresh, ignore=shutil.ignore_patterns(".kgpub"))
    build(fresh)
    assert digests(dumps_of(sample_collection)) == digests(dumps_of(fresh))
    assert b"a truck bomb" in dump_bytes(dumps_of(fresh), "kgpub.trig")


def test_a_build_that_changes_no_data_links_the_previous_dumps(sample_collection: Path) -> None:
    build(sample_collection)
    before = dumps_of(sample_collection)
    build(sample_collection)
    after = dumps_of(sample_collection)
    assert after != before
    for name in EVERY_FILE:
        assert volume_inodes(after, name) == volume_inodes(before, name), name
    assert DumpCatalog.read(after).files == DumpCatalog.read(before).files


def volume_inodes(folder: Path, name: str) -> list[int]:
    return [path.stat().st_ino for path, _ in DumpCatalog.read(folder).file(name).parts(folder)]


def test_an_incremental_build_writes_the_volumes_around_a_change_and_links_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    small_segments(monkeypatch)
    monkeypatch.setattr(dump_volumes, "SEGMENTS_PER_VOLUME", 2)
    articles = {"sample": ARTICLE, "other": UNRELATED_ARTICLE, "third": THIRD_ARTICLE}
    root = write_collection(tmp_path / "collection", **articles)
    build(root)
    before = dumps_of(root)
    (root / "articles" / "third.yaml").write_text(
        THIRD_ARTICLE.replace("2022-03", "2022-04"), encoding="utf-8"
    )
    build(root)
    after = dumps_of(root)
    for name in EVERY_FILE:
        old, new = set(volume_inodes(before, name)), volume_inodes(after, name)
        kept = [inode for inode in new if inode in old]
        assert 0 < len(kept) < len(new), name
    for dump in DumpCatalog.read(after).files:
        data = dump_bytes(after, dump.name)
        assert (dump.bytes, dump.sha256) == (len(data), hashlib.sha256(data).hexdigest())


def test_a_download_under_way_outlives_the_builds_published_meanwhile(
    sample_collection: Path,
) -> None:
    build(sample_collection)
    folder = dumps_of(sample_collection)
    expected = dump_bytes(folder, "kgpub.jsonld")
    with DumpCatalog.read(folder).open(folder, "kgpub.jsonld") as download:
        first = download.read(100)
        for wording in ("a truck bomb exploded", "a van bomb exploded", "a bomb exploded"):
            changed = ARTICLE.replace("a car bomb exploded", wording)
            (sample_collection / "articles" / "sample.yaml").write_text(changed, encoding="utf-8")
            build(sample_collection)
        assert first + download.read() == expected
    (sample_collection / "articles" / "sample.yaml").write_text(ARTICLE, encoding="utf-8")
    build(sample_collection)
    assert not folder.exists(), "once read, the old build goes with the next one"


def test_an_incremental_build_publishes_first_and_makes_the_checksums_of_changed_files_after(
    sample_collection: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    build(sample_collection)
    changed = ARTICLE.replace("a car bomb exploded", "a truck bomb exploded")
    (sample_collection / "articles" / "sample.yaml").write_text(changed, encoding="utf-8")
    complete = dump_publication.complete_checksums
    monkeypatch.setattr(dump_publication, "complete_checksums", lambda folder: None)
    build(sample_collection)  # as if killed once published, before the checksums
    folder = dumps_of(sample_collection)
    assert {dump.sha256 for dump in DumpCatalog.read(folder).files} == {""}
    monkeypatch.setattr(dump_publication, "complete_checksums", complete)
    with caplog.at_level(logging.INFO, logger="kgpub.dump_publication"):
        build(sample_collection)  # changes no data: takes the files, and makes their checksums
    assert any("checksums took" in record.getMessage() for record in caplog.records)
    folder = dumps_of(sample_collection)
    for dump in DumpCatalog.read(folder).files:
        assert dump.sha256 == hashlib.sha256(dump_bytes(folder, dump.name)).hexdigest()
    caplog.clear()
    with caplog.at_level(logging.INFO, logger="kgpub.dump_publication"):
        build(sample_collection)  # the checksums are kept with the parts, for the next build
    assert not any("checksums took" in record.getMessage() for record in caplog.records)
    assert DumpCatalog.read(dumps_of(sample_collection)).files == DumpCatalog.read(folder).files


def test_a_build_that_fails_while_dumping_publishes_nothing_and_keeps_the_old_dumps(
    sample_collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    build(sample_collection)
    published = dumps_of(sample_collection)
    before = digests(published)
    (sample_collection / "articles" / "other.yaml").write_text(
        ARTICLE.replace("key: sample", "key: other"), encoding="utf-8"
    )
    write = PackWriter.write

    def fail_on_trig(writer: PackWriter, piece: bytes, digest: str) -> tuple[int, int]:
        if writer.folder.name == "kgpub.trig.volumes":
            raise OSError(28, "No space left on device")
        return write(writer, piece, digest)

    monkeypatch.setattr(PackWriter, "write", fail_on_trig)
    with pytest.raises(StoreError, match="No space left on device"):
        build(sample_collection)
    assert dumps_of(sample_collection) == published
    assert digests(published) == before
    builds = sample_collection / STORE / "builds"
    assert [p.name for p in builds.iterdir() if p.name.startswith(".")] == []


def test_the_dump_formats_setting_chooses_the_files(sample_collection: Path) -> None:
    build(sample_collection, dump_formats="trig, nquads")
    folder = dumps_of(sample_collection)
    assert [d.name for d in DumpCatalog.read(folder).files] == ["kgpub.nq.gz", "kgpub.trig"]
    build(sample_collection, dump_formats="none")
    assert not dumps_of(sample_collection).exists()
    with closing(EmbeddedStore(sample_collection / STORE)) as store:
        assert published_dumps_folder(store, sample_collection / STORE) is None


def test_an_unknown_dump_format_is_refused_naming_the_known_ones(tmp_path: Path) -> None:
    with pytest.raises(
        ConfigError, match=r"some of turtle, ntriples, nquads, trig, jsonld.*unknown: rdfxml"
    ):
        load_settings(tmp_path, env={"KGPUB_DUMP_FORMATS": "turtle rdfxml"})


def test_a_triple_in_several_graphs_and_the_default_graph_is_written_once(
    tmp_path: Path,
) -> None:
    database = pyoxigraph.Store()
    subject, predicate = pyoxigraph.NamedNode("http://e/s"), pyoxigraph.NamedNode("http://e/p")
    shared = pyoxigraph.Literal("said twice")
    for graph in (pyoxigraph.NamedNode("http://e/a"), pyoxigraph.NamedNode("http://e/b")):
        database.add(pyoxigraph.Quad(subject, predicate, shared, graph))
        database.add(pyoxigraph.Quad(subject, predicate, pyoxigraph.Literal(graph.value), graph))
    database.add(pyoxigraph.Quad(subject, predicate, shared))
    manifest = BuildManifest("2024-01-01T00:00:00Z", "https://kg.example.org/", "test", 5, 2)
    catalog = write_dump_set(
        database, tmp_path, dump_kinds(["ntriples", "nquads"]), manifest=manifest
    )
    counts = {dump.format: dump.triples for dump in catalog.files}
    assert counts == {"ntriples": 3, "nquads": 5}
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []
    lines = gzip.decompress(dump_bytes(tmp_path, "kgpub.nt.gz")).splitlines()
    assert sorted(lines) == sorted(set(lines)) and len(lines) == 3


def test_export_dumps_writes_the_set_a_build_writes(
    built: Path, runner: CliRunner, tmp_path: Path
) -> None:
    target = tmp_path / "site" / "dumps"
    result = runner.invoke(main, ["export", "-C", str(built), "--dumps", str(target)])
    assert result.exit_code == 0, result.output
    assert "kgpub.nq.gz" in result.stderr
    assert digests(target) == digests(dumps_of(built))
    built_files = DumpCatalog.read(dumps_of(built)).files
    assert DumpCatalog.read(target).files == tuple(replace(d, volumes=()) for d in built_files)
    assert sorted(p.name for p in target.iterdir()) == sorted([*EVERY_FILE, CATALOG_FILE])


def test_export_dumps_refuses_options_of_single_file_exports(
    built: Path, runner: CliRunner, tmp_path: Path
) -> None:
    arguments = ["export", "-C", str(built), "--dumps", str(tmp_path / "d"), "--gzip"]
    result = runner.invoke(main, arguments)
    assert result.exit_code == 2
    assert "leave out -o, --gzip and --canonical" in result.stderr


def test_export_dumps_without_formats_says_how_to_ask_for_them(
    built: Path, runner: CliRunner, tmp_path: Path
) -> None:
    arguments = ["export", "-C", str(built), "--dumps", str(tmp_path / "d")]
    result = runner.invoke(main, arguments, env={"KGPUB_DUMP_FORMATS": "none"})
    assert result.exit_code == 2
    assert "KGPUB_DUMP_FORMATS=all" in result.stderr
    assert not (tmp_path / "d").exists()


def test_a_remote_build_switches_in_the_dumps_an_embedded_build_writes(
    built: Path, server: OxigraphServer, tmp_path: Path
) -> None:
    root = write_collection(tmp_path / "remote", sample=ARTICLE, other=UNRELATED_ARTICLE)
    settings = {
        "backend": "remote",
        "remote_query_url": server.query_url,
        "remote_update_url": server.update_url,
    }
    build(root, **settings)
    store_dir = root / STORE
    with closing(RemoteStore(server.query_url, server.update_url)) as store:
        first = published_dumps_folder(store, store_dir)
        assert first is not None and (store_dir / DUMPS_FOLDER).is_symlink()
        assert digests(first) == digests(dumps_of(built))
        build(root, **settings)
        second = published_dumps_folder(store, store_dir)
    assert second is not None and second != first
    assert digests(second) == digests(first)
    assert [p.name for p in second.parent.iterdir() if p.name.startswith(".")] == []


THIRD_ARTICLE = UNRELATED_ARTICLE.replace("key: other", "key: third").replace("2022-02", "2022-03")


def small_segments(monkeypatch: pytest.MonkeyPatch) -> None:
    """Segments of a graph or a subject or two, so that a tiny collection has many."""
    monkeypatch.setattr(dump_quads, "GRAPHS_PER_QUAD_SEGMENT", 2)
    monkeypatch.setattr(dump_triples, "SUBJECTS_PER_TRIPLE_SEGMENT", 3)


def rendered_segments(records: list[logging.LogRecord]) -> dict[str, int]:
    """Segments the last dump writing rendered anew, per side, from its log record."""
    return next(r.rendered for r in reversed(records) if hasattr(r, "rendered"))


def test_an_incremental_build_renders_the_segments_it_changed_and_copies_the_others(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    small_segments(monkeypatch)
    articles = {"sample": ARTICLE, "other": UNRELATED_ARTICLE, "third": THIRD_ARTICLE}
    root = write_collection(tmp_path / "collection", **articles)
    build(root)
    changed = ARTICLE.replace("a car bomb exploded", "a truck bomb exploded")
    (root / "articles" / "sample.yaml").write_text(changed, encoding="utf-8")
    with caplog.at_level(logging.INFO, logger="kgpub.dumps"):
        build(root)
    rendered = rendered_segments(caplog.records)
    index = PartsIndex.read(dumps_of(root).parent / PARTS_FOLDER)
    leftovers = [p.name for p in dumps_of(root).parent.rglob(".*") if p.name != ".readers"]
    assert leftovers == []  # the recorded changes and the sort's runs are gone
    assert 0 < rendered["quads"] < len(index.quad_segments) / 2
    assert 0 < rendered["triples"] < len(index.triple_segments) / 2
    fresh = write_collection(tmp_path / "fresh", **{**articles, "sample": changed})
    build(fresh)
    assert digests(dumps_of(root)) == digests(dumps_of(fresh))
    assert DumpCatalog.read(dumps_of(root)).figures == DumpCatalog.read(dumps_of(fresh)).figures


def test_after_a_write_to_the_store_the_next_build_reads_it_once_and_keeps_the_write(
    sample_collection: Path, caplog: pytest.LogCaptureFixture
) -> None:
    build(sample_collection)
    with closing(EmbeddedStore(sample_collection / STORE)) as store:
        manifest = store.manifest()
        assert manifest is not None
        write = store.begin(replace_all=False)  # as a SPARQL Update through the web app does
        write.database.update(
            "INSERT DATA { GRAPH <https://kg.example.org/graph/notes> "
            '{ <https://kg.example.org/id/event/prison-attack> <http://e/note> "checked" } }'
        )
        write.commit(manifest)
        assert published_dumps_folder(store, sample_collection / STORE) is None
    for run, wording in enumerate(["a truck bomb exploded", "a van bomb exploded"]):
        changed = ARTICLE.replace("a car bomb exploded", wording)
        (sample_collection / "articles" / "sample.yaml").write_text(changed, encoding="utf-8")
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="kgpub.dump_publication"):
            build(sample_collection)
        source = "from the database" if run == 0 else "from the changes"
        assert any(source in record.getMessage() for record in caplog.records), source
        quads = published_quads(sample_collection)
        assert any(quad.object == pyoxigraph.Literal("checked") for quad in quads)
        for name in ("kgpub.nq.gz", "kgpub.trig", "kgpub.jsonld"):
            assert set(parsed(dumps_of(sample_collection), name)) == quads, name


def test_a_full_build_whose_sort_spills_to_disk_writes_the_same_bytes(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dump_sorting, "SORT_BUDGET_BYTES", 4096)
    again = tmp_path / "again"
    shutil.copytree(built, again, ignore=shutil.ignore_patterns(".kgpub"))
    build(again)
    assert digests(dumps_of(again)) == digests(dumps_of(built))


def test_a_triple_stays_in_the_triple_dumps_until_no_graph_holds_it(tmp_path: Path) -> None:
    said = '<http://e/s> <http://e/p> "said twice" <http://e/{0}> .\n'
    own = '<http://e/s> <http://e/p> "only {0}" <http://e/{0}> .\n'
    data = {name: (said + own).format(name).encode() for name in ("a", "b", "c")}
    manifest = BuildManifest("2024-01-01T00:00:00Z", "https://kg.example.org/", "test", 6, 3)
    kinds = dump_kinds(["turtle", "ntriples", "nquads"])
    previous: Path | None = None
    for step, kept in enumerate([("a", "b", "c"), ("b", "c"), ("c",), ()]):
        log = ChangeLog(tmp_path / f"log-{step}")
        if previous is None:
            log.added(b"".join(data[name] for name in kept))
        else:
            log.dropped([f"http://e/{name}" for name in data if name not in kept])
        changes = Changes(
            log.surviving_lines(),
            log.drops.keys(),
            previous,
            PartsIndex.read(previous) if previous else None,
        )
        target = tmp_path / f"step-{step}"
        update_dump_set(
            target / "dumps", target / "parts", kinds, manifest=manifest, changes=changes,
            build=f"step-{step}",
        )  # fmt: skip
        log.close()
        previous = target / "parts"
        fresh = tmp_path / f"fresh-{step}"
        everything = Changes(graph_lines(b"".join(data[name] for name in kept)))
        update_dump_set(
            fresh / "dumps", fresh / "parts", kinds, manifest=manifest, changes=everything,
            build="fresh",
        )  # fmt: skip
        assert digests(target / "dumps") == digests(fresh / "dumps"), kept
        triples = gzip.decompress(dump_bytes(target / "dumps", "kgpub.nt.gz"))
        assert triples.count(b'"said twice"') == (1 if kept else 0), kept


def test_a_graph_dropped_after_a_chunk_added_it_loses_that_chunk_only(tmp_path: Path) -> None:
    log = ChangeLog(tmp_path / "log")
    log.added(b"<http://e/s> <http://e/p> <http://e/early> <http://e/g> .\n")
    log.dropped(["http://e/g"])
    log.added(b"<http://e/s> <http://e/p> <http://e/late> <http://e/g> .\n")
    lines = [line for _, line in log.surviving_lines()]
    assert lines == [b"<http://e/s> <http://e/p> <http://e/late> <http://e/g> ."]
    assert set(log.drops) == {b"<http://e/g>"}
    log.close()
    assert not (tmp_path / "log").exists()


def test_the_parts_of_a_build_serve_no_other_build(built: Path, tmp_path: Path) -> None:
    own = dumps_of(built).parent
    assert find_parts(own) is not None
    other = tmp_path / "20990101T000000000000Z-1"
    shutil.copytree(own / PARTS_FOLDER, other / PARTS_FOLDER)
    assert find_parts(other) is None


OBJECTS = st.one_of(
    st.builds(pyoxigraph.Literal, st.text()),
    st.builds(lambda text: pyoxigraph.Literal(text, language="en-GB"), st.text()),
    st.builds(
        lambda text: pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode("http://e/t")),
        st.text(),
    ),
    st.builds(pyoxigraph.NamedNode, st.sampled_from(["http://e/o", "urn:x:a%20b"])),
    st.builds(pyoxigraph.BlankNode, st.sampled_from(["b0", "node"])),
)
GRAPHS = st.sampled_from(
    [pyoxigraph.DefaultGraph(), pyoxigraph.NamedNode("http://e/g"), pyoxigraph.BlankNode("g")]
)


@given(value=OBJECTS, graph=GRAPHS)
def test_the_graph_of_an_nquads_line_is_read_from_its_text_as_the_parser_reads_it(
    value: pyoxigraph.Literal | pyoxigraph.NamedNode | pyoxigraph.BlankNode,
    graph: pyoxigraph.NamedNode | pyoxigraph.BlankNode | pyoxigraph.DefaultGraph,
) -> None:
    quad = pyoxigraph.Quad(
        pyoxigraph.NamedNode("http://e/s"), pyoxigraph.NamedNode("http://e/p"), value, graph
    )
    line = pyoxigraph.serialize([quad], format=pyoxigraph.RdfFormat.N_QUADS).rstrip(b"\n")
    expected = b"" if isinstance(graph, pyoxigraph.DefaultGraph) else str(graph).encode()
    assert graph_token(line) == expected
    triple = pyoxigraph.serialize([quad.triple], format=pyoxigraph.RdfFormat.N_TRIPLES)
    assert triple_line(expected, line) + b"\n" == triple


def test_an_aborted_build_lets_go_of_the_changes_it_recorded(sample_collection: Path) -> None:
    settings = load_settings(sample_collection, env={})
    with closing(EmbeddedStore(sample_collection / STORE)) as store:
        transaction = store.begin(replace_all=True)
        prepare_build_dumps(transaction, settings)
        log = transaction.observer
        assert isinstance(log, ChangeLog)
        transaction.add_nquads(b"<http://e/s> <http://e/p> <http://e/o> <http://e/g> .\n")
        assert log.added_bytes > 0 and log.scratch.is_dir()
        transaction.abort()
    assert not log.scratch.exists()
    assert not transaction.staging.exists()
    gc.collect()  # an unclosed spool would warn here, and warnings fail tests


def test_pieces_rendered_in_worker_processes_are_the_same_bytes(
    built: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(dumps, "PARALLEL_BYTES", 0)
    with closing(EmbeddedStore(built / STORE)) as store:
        manifest = store.manifest()
        assert manifest is not None
        kinds = dump_kinds(DUMP_KINDS)
        write_dump_set(store.database(), tmp_path / "set", kinds, manifest=manifest, workers=2)
    assert digests(tmp_path / "set") == digests(dumps_of(built))
