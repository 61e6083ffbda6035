"""A dump set's catalog: a file kept as volumes reads as one, and holds its folder while read."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgpub.dump_catalog import DumpCatalog, DumpFile, JoinedFile, join_volumes, volume_folder
from kgpub.embedded_layout import has_readers
from kgpub.void import DatasetFigures

CHUNKS = st.lists(st.binary(min_size=1, max_size=40), min_size=1, max_size=6)


def volumes_in(folder: Path, name: str, chunks: list[bytes]) -> DumpFile:
    """A dump called ``name`` kept in ``folder`` as these volumes."""
    volumes = volume_folder(folder, name)
    volumes.mkdir(parents=True)
    for number, chunk in enumerate(chunks):
        (volumes / f"{number:06d}").write_bytes(chunk)
    size = sum(map(len, chunks))
    sizes = tuple(map(len, chunks))
    return DumpFile(name, "turtle", "text/turtle", False, size, 1, "0" * 64, sizes)


def catalog_of(*files: DumpFile) -> DumpCatalog:
    return DumpCatalog("2024-01-01T00:00:00Z", "https://kg.example.org/", files, DatasetFigures())


@given(chunks=CHUNKS, seeks=st.lists(st.tuples(st.integers(0, 300), st.integers(1, 50))))
def test_volumes_read_as_their_bytes_joined_from_any_position(
    chunks: list[bytes], seeks: list[tuple[int, int]]
) -> None:
    whole = b"".join(chunks)
    with tempfile.TemporaryDirectory() as scratch:
        folder = Path(scratch)
        catalog = catalog_of(volumes_in(folder, "kgpub.ttl", chunks))
        with catalog.open(folder, "kgpub.ttl") as source:
            assert source.read() == whole
            for position, size in seeks:
                source.seek(position)
                assert source.read(size) == whole[position : position + size]
                assert source.tell() == min(len(whole), position + size) or position > len(whole)


def test_a_dump_being_read_keeps_a_later_build_from_removing_its_volumes(tmp_path: Path) -> None:
    build = tmp_path / "build"
    folder = build / "dumps"
    catalog = catalog_of(volumes_in(folder, "kgpub.ttl", [b"@prefix", b" x"]))
    assert not has_readers(build)
    source = catalog.open(folder, "kgpub.ttl")
    assert has_readers(build)
    source.close()
    assert not has_readers(build)


def test_a_volume_shorter_than_the_catalog_says_is_an_error_naming_it(tmp_path: Path) -> None:
    dump = volumes_in(tmp_path, "kgpub.ttl", [b"abc", b"def"])
    (volume_folder(tmp_path, "kgpub.ttl") / "000001").write_bytes(b"d")
    with catalog_of(dump).open(tmp_path, "kgpub.ttl") as source:
        with pytest.raises(OSError, match="000001 is shorter than its catalog says"):
            source.read()


def test_a_dump_whose_first_volume_is_gone_fails_when_opened(tmp_path: Path) -> None:
    catalog = catalog_of(volumes_in(tmp_path, "kgpub.ttl", [b"abc"]))
    (volume_folder(tmp_path, "kgpub.ttl") / "000000").unlink()
    with pytest.raises(FileNotFoundError):
        catalog.open(tmp_path, "kgpub.ttl")


def test_joining_volumes_writes_plain_files_and_a_catalog_without_volumes(tmp_path: Path) -> None:
    catalog = catalog_of(
        volumes_in(tmp_path, "kgpub.ttl", [b"@prefix", b" a", b" b"]),
        volumes_in(tmp_path, "kgpub.trig", [b"{", b"}"]),
    )
    joined = join_volumes(tmp_path, catalog)
    assert (tmp_path / "kgpub.ttl").read_bytes() == b"@prefix a b"
    assert (tmp_path / "kgpub.trig").read_bytes() == b"{}"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dumps.json", "kgpub.trig", "kgpub.ttl"]
    assert [dump.volumes for dump in DumpCatalog.read(tmp_path).files] == [(), ()]
    assert DumpCatalog.read(tmp_path) == joined
    with joined.open(tmp_path, "kgpub.ttl") as source:
        assert isinstance(source, JoinedFile) and source.read() == b"@prefix a b"
