"""Faults during embedded builds: a full disk, a lock and leftovers of a build killed with -9.

Builds killed at random moments are in tests/test_embedded.py, and fifty of them against a
running server in benchmarks/kill_builds.py.
"""

from __future__ import annotations

import fcntl
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import closing
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner

from kgpub import dump_publication
from kgpub.article_records import ArticleRecord
from kgpub.build import build_collection
from kgpub.buildstate import BuildState
from kgpub.cli import main
from kgpub.config import Settings
from kgpub.config_loading import load_settings
from kgpub.embedded import EmbeddedStore
from kgpub.embedded_layout import BUILDS_FOLDER, CURRENT_LINK, DATABASE_FOLDER
from kgpub.errors import OutOfSpace, StoreError
from kgpub.export import canonical_nquads

SAMPLE = "articles/sample.yaml"
SMALL_DISK = "8m"
OTHER_BASE = "https://other.example/"
POLLS = 600
POLL_SECONDS = 0.05
FILE_SIZE_LIMIT = 256 * 1024
"""Bytes a file may reach under ``ulimit -f``: the database fits, the dumps do not."""


def settings_for(root: Path, store: Path, **overrides: str) -> Settings:
    return load_settings(root, env={}, overrides={"store": str(store), **overrides})


def published(store: Path) -> tuple[str | None, bytes]:
    """The published build's folder name and canonical N-Quads (``None``, empty when none)."""
    with closing(EmbeddedStore(store)) as embedded:
        build = embedded.current_build()
        return (build.name, canonical_nquads(embedded)) if build else (None, b"")


def staged(store: Path) -> list[Path]:
    """Staging folders in the store (builds not finished)."""
    builds = store / BUILDS_FOLDER
    return sorted(builds.glob(".*.partial")) if builds.is_dir() else []


def lock_is_free(store: Path) -> bool:
    """Whether a build could take the store's lock right now (it is released at once)."""
    with (store / ".lock").open("a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return False
        fcntl.flock(handle, fcntl.LOCK_UN)
        return True


def wait_for(condition: Callable[[], bool], what: str) -> None:
    for _ in range(POLLS):
        if condition():
            return
        time.sleep(POLL_SECONDS)
    raise AssertionError(f"timed out waiting for {what}")


# -- a full disk ---------------------------------------------------------------------------------
@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    """A small tmpfs mounted for this test; skips, saying why, where it cannot be mounted."""
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a small tmpfs needs root and mount(8); the ulimit test still runs")
    disk = tmp_path / "disk"
    disk.mkdir()
    command = ["mount", "-t", "tmpfs", "-o", f"size={SMALL_DISK}", "tmpfs", str(disk)]
    mounted = subprocess.run(command, capture_output=True, text=True, timeout=30, check=False)
    if mounted.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {mounted.stderr.strip()}")
    try:
        yield disk
    finally:
        unmounted = subprocess.run(["umount", str(disk)], capture_output=True, timeout=30)
        if unmounted.returncode != 0:  # still in use (a failed test keeps its error): detach it
            subprocess.run(["umount", "-l", str(disk)], capture_output=True, timeout=30, check=True)


def used_bytes(disk: Path) -> int:
    stats = os.statvfs(disk)
    return (stats.f_blocks - stats.f_bfree) * stats.f_frsize


def fill(disk: Path, *, leave: int) -> Path:
    """A file taking all the free space of ``disk`` but ``leave`` bytes; delete it to free it."""
    stats = os.statvfs(disk)
    ballast = disk / "ballast"
    with ballast.open("wb") as handle:
        os.posix_fallocate(handle.fileno(), 0, max(1, stats.f_bavail * stats.f_frsize - leave))
    return ballast


def test_a_build_on_a_full_disk_fails_naming_the_store_and_publishes_nothing(
    sample_collection: Path, small_disk: Path
) -> None:
    store = small_disk / "store"
    empty = used_bytes(small_disk)
    assert build_collection(sample_collection, settings_for(sample_collection, store)).published
    one_build = used_bytes(small_disk) - empty  # its database, state and dumps
    previous = published(store)
    replacing = settings_for(sample_collection, store, base_iri=OTHER_BASE)  # a whole new build
    messages: list[str] = []
    for tenths in range(40):  # a tenth of a build more room each time, until it goes through
        ballast = fill(small_disk, leave=one_build * tenths // 10)
        try:
            went_through = build_collection(sample_collection, replacing).published
        except OutOfSpace as error:
            messages.append(str(error))
            went_through = False
        finally:
            ballast.unlink()
        if went_through:
            break
        assert published(store) == previous
        assert staged(store) == []
        assert lock_is_free(store)
    assert went_through
    assert published(store)[1] not in (b"", previous[1])
    # Which step needs the most room depends on when RocksDB compacts, so the step the last
    # failure met varies; the next test runs out of room in the dumps on purpose.
    assert len(messages) >= 3, messages
    assert all(str(store) in message and "no space left" in message for message in messages)


def test_a_disk_filling_up_while_the_dumps_are_written_fails_naming_them_and_publishes_nothing(
    sample_collection: Path, small_disk: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    store = small_disk / "store"
    assert build_collection(sample_collection, settings_for(sample_collection, store)).published
    previous = published(store)
    ballasts: list[Path] = []
    stage_dumps = dump_publication._stage_dumps

    def fill_then_stage_dumps(*args: Any, **kwargs: Any) -> None:
        ballasts.append(fill(small_disk, leave=0))
        stage_dumps(*args, **kwargs)

    monkeypatch.setattr(dump_publication, "_stage_dumps", fill_then_stage_dumps)
    replacing = settings_for(sample_collection, store, base_iri=OTHER_BASE)
    try:
        with pytest.raises(OutOfSpace, match=rf"cannot write the dumps in {store}/.*no space left"):
            build_collection(sample_collection, replacing)
    finally:
        for ballast in ballasts:
            ballast.unlink()
    assert len(ballasts) == 1  # the dumps were reached
    assert (published(store), staged(store), lock_is_free(store)) == (previous, [], True)


def test_the_cli_exits_2_when_the_disk_is_full(
    sample_collection: Path, small_disk: Path, runner: CliRunner
) -> None:
    store = small_disk / "store"
    ballast = fill(small_disk, leave=0)
    try:
        result = runner.invoke(main, ["build", str(sample_collection), "--store", str(store)])
    finally:
        ballast.unlink()
    assert result.exit_code == 2, result.output
    assert f"error: cannot stage a build in {store}" in result.stderr
    assert "no space left on the device" in result.stderr
    assert (published(store), staged(store)) == ((None, b""), [])


LIMITED_BUILD = f"""
import resource, sys
resource.setrlimit(resource.RLIMIT_FSIZE, ({FILE_SIZE_LIMIT}, {FILE_SIZE_LIMIT}))
from kgpub.cli import main
main(["build", sys.argv[1]])
"""


def test_a_file_size_limit_fails_the_build_clearly_without_root(sample_collection: Path) -> None:
    store = sample_collection / ".kgpub" / "store"
    command = [sys.executable, "-c", LIMITED_BUILD, str(sample_collection)]
    limited = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert limited.returncode == 2, limited.stderr
    assert "Traceback" not in limited.stderr
    assert f"in {store}" in limited.stderr
    assert "file-size limit (ulimit -f)" in limited.stderr
    assert (published(store), staged(store)) == ((None, b""), [])
    assert build_collection(sample_collection, load_settings(sample_collection, env={})).published


def test_issue_6_a_full_disk_while_writing_the_build_state_is_an_out_of_space_error(
    sample_collection: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def full_disk(state: BuildState, record: ArticleRecord) -> None:
        raise sqlite3.OperationalError("database or disk is full")  # SQLite's own words

    store = sample_collection / ".kgpub" / "store"
    monkeypatch.setattr(BuildState, "put", full_disk)
    with pytest.raises(OutOfSpace, match=rf"cannot write the build in {store}: .*no space left"):
        build_collection(sample_collection, load_settings(sample_collection, env={}))
    assert (published(store), staged(store), lock_is_free(store)) == ((None, b""), [], True)


# -- a build killed with -9 ------------------------------------------------------------------------
HOLD_A_STAGED_BUILD = """
import sys, time
from pathlib import Path
from kgpub.embedded import EmbeddedStore
transaction = EmbeddedStore(Path(sys.argv[1])).begin(replace_all=False)
transaction.add_nquads(b'<https://e/s> <https://e/p> "half-built" <https://e/g> .\\n')
transaction.drop_graphs(["https://e/nothing"])  # loads the quad into the staged database
Path(sys.argv[2]).touch()
time.sleep(120)
"""


def kill_while_staging(store: Path, flag: Path) -> None:
    """Start a build that stages a change into ``store``, then kill it with SIGKILL."""
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_A_STAGED_BUILD, str(store), str(flag)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        wait_for(lambda: flag.exists() or holder.poll() is not None, "the build to stage")
        assert holder.poll() is None, "the holding build died before staging"
        assert not lock_is_free(store)
        with pytest.raises(StoreError, match="another build is publishing"):
            EmbeddedStore(store).begin(replace_all=False)
    finally:
        holder.send_signal(signal.SIGKILL)
        holder.wait(timeout=30)


def test_a_lock_held_by_a_build_killed_with_sigkill_is_released_by_the_kernel(
    sample_collection: Path, tmp_path: Path
) -> None:
    settings = load_settings(sample_collection, env={})
    assert build_collection(sample_collection, settings).published
    store = sample_collection / ".kgpub" / "store"
    before = published(store)
    kill_while_staging(store, tmp_path / "staged")
    assert lock_is_free(store)  # at once: no wait, no stale-lock timeout, no manual cleanup
    assert published(store) == before
    assert build_collection(sample_collection, settings).published


def test_a_staging_folder_left_by_a_killed_build_is_removed_by_the_next_build(
    sample_collection: Path, tmp_path: Path
) -> None:
    settings = load_settings(sample_collection, env={})
    assert build_collection(sample_collection, settings).published
    store = sample_collection / ".kgpub" / "store"
    kill_while_staging(store, tmp_path / "staged")
    (leftover,) = staged(store)
    assert (leftover / DATABASE_FOLDER).is_dir()
    article = sample_collection / SAMPLE
    article.write_text(article.read_text().replace("Jihadists escape", "Jihadists flee"))
    assert build_collection(sample_collection, settings).published
    assert staged(store) == []
    fresh = tmp_path / "fresh" / "collection"
    shutil.copytree(sample_collection, fresh, ignore=shutil.ignore_patterns(".kgpub"))
    assert build_collection(fresh, load_settings(fresh, env={})).published
    assert published(store)[1] == published(fresh / ".kgpub" / "store")[1]
    assert b"half-built" not in published(store)[1]


def test_issue_6_a_link_left_by_a_build_killed_while_switching_is_removed(
    sample_collection: Path,
) -> None:
    settings = load_settings(sample_collection, env={})
    assert build_collection(sample_collection, settings).published
    store = sample_collection / ".kgpub" / "store"
    # What a build killed between creating the new link and renaming it over `current` leaves.
    leftover = store / f".{CURRENT_LINK}.4242"
    leftover.symlink_to(os.readlink(store / CURRENT_LINK))
    assert build_collection(sample_collection, settings).published
    assert not leftover.is_symlink()
    assert published(store)[0] is not None


# -- worker processes of a killed build ------------------------------------------------------------
BUILD_WITH_WORKERS = """
import sys
from kgpub import workers
workers.IN_PROCESS_LIMIT = 0  # a pool of worker processes even for one article
from kgpub.cli import main
main(["build", sys.argv[1]])
"""


def parent_of(pid: int) -> int:
    """The parent of process ``pid`` (0 once it is gone), from /proc."""
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[1])
    except OSError:
        return 0


def descendants(pid: int) -> set[int]:
    """Every process below ``pid``, from /proc."""
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            children.setdefault(parent_of(int(entry.name)), []).append(int(entry.name))
    found: set[int] = set()
    pending = [pid]
    while pending:
        for child in children.get(pending.pop(), []):
            found.add(child)
            pending.append(child)
    return found


def running(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.mark.slow
def test_the_worker_processes_of_a_build_killed_with_sigkill_end_too(
    sample_collection: Path,
) -> None:
    if not Path("/proc/self/stat").exists():
        pytest.skip("finding a build's worker processes needs Linux's /proc")
    environment = {**os.environ, "KGPUB_WORKERS": "2"}
    build = subprocess.Popen(
        [sys.executable, "-c", BUILD_WITH_WORKERS, str(sample_collection)],
        env=environment,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    seen: set[int] = set()

    def workers_started() -> bool:  # the workers are children of the forkserver
        below = descendants(build.pid)
        seen.update(below)
        return any(parent_of(pid) != build.pid for pid in below) or build.poll() is not None

    try:
        wait_for(workers_started, "the build to start its workers")
        assert build.poll() is None, "the build finished before its workers were seen"
        build.send_signal(signal.SIGKILL)
        build.wait(timeout=30)
        for _ in range(POLLS // 6):  # 5 s for them to notice
            if not any(running(pid) for pid in seen):
                break
            time.sleep(POLL_SECONDS)
        left = sorted(pid for pid in seen if running(pid))
    finally:
        if build.poll() is None:
            build.kill()
            build.wait(timeout=30)
        for pid in seen:  # started by this test, through the build
            if running(pid):
                os.kill(pid, signal.SIGKILL)
    assert left == [], f"processes of the killed build still running: {left}"
