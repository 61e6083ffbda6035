from __future__ import annotations

from pathlib import Path

from kgpub.store_cache import keep_cache_file


def test_a_cache_file_is_written_whole_and_leaves_no_partial_file(tmp_path: Path) -> None:
    kept = tmp_path / "store" / "cache" / "thing.json"
    (tmp_path / "store").mkdir()
    keep_cache_file(kept, b"first")
    keep_cache_file(kept, b"second")
    assert kept.read_bytes() == b"second"
    assert [path.name for path in kept.parent.iterdir()] == ["thing.json"]


def test_no_cache_folder_is_made_where_the_store_folder_does_not_exist(tmp_path: Path) -> None:
    kept = tmp_path / "missing-store" / "cache" / "thing.json"
    keep_cache_file(kept, b"anything")  # no error: a cache that cannot be written is skipped
    assert not (tmp_path / "missing-store").exists()
