"""Rate-limit buckets shared by server processes: one limit for a client, however it connects."""

from __future__ import annotations

import itertools
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from kgpub.web.shared_rate_limit import (
    SLOTS_PER_GROUP,
    SharedRateLimiter,
    client_key,
    shared_bucket_table,
    slot_group,
)

CLIENT = "192.0.2.1"
NEVER_REFILLED = 0.001
"""Tokens a second: one back every 1,000 s, so none comes back during a test."""


@pytest.fixture
def table() -> Iterator[Path]:
    with shared_bucket_table() as path:
        yield path


def _limiters(table: Path, count: int, *, rate: float, burst: int) -> list[SharedRateLimiter]:
    return [SharedRateLimiter(table, rate=rate, burst=burst) for _ in range(count)]


def test_limiters_on_one_table_spend_the_same_bucket(table: Path) -> None:
    here, there = _limiters(table, 2, rate=NEVER_REFILLED, burst=3)
    admitted = [limiter.wait_seconds(CLIENT) == 0.0 for limiter in (here, there) * 3]
    assert admitted == [True, True, True, False, False, False]


def test_each_client_has_its_own_bucket(table: Path) -> None:
    (limiter,) = _limiters(table, 1, rate=NEVER_REFILLED, burst=1)
    assert limiter.wait_seconds(CLIENT) == 0.0 and limiter.wait_seconds(CLIENT) > 0
    assert limiter.wait_seconds("198.51.100.7") == 0.0


def test_a_refused_request_spends_nothing_so_waiting_as_told_is_enough(table: Path) -> None:
    here, there = _limiters(table, 2, rate=20, burst=1)
    assert here.wait_seconds(CLIENT) == 0.0
    wait = there.wait_seconds(CLIENT)
    assert 0 < wait <= 0.05
    time.sleep(wait)
    assert here.wait_seconds(CLIENT) == 0.0


def test_a_full_group_forgets_its_least_recently_seen_client(table: Path) -> None:
    group = slot_group(client_key(CLIENT))
    names = (f"203.0.113.{n}" for n in itertools.count())
    same_group = (name for name in names if slot_group(client_key(name)) == group)
    (limiter,) = _limiters(table, 1, rate=NEVER_REFILLED, burst=1)
    first, *others = [CLIENT, *itertools.islice(same_group, SLOTS_PER_GROUP)]
    for client in (first, *others[:-1]):
        assert limiter.wait_seconds(client) == 0.0  # each spends its only token
    assert limiter.wait_seconds(others[-1]) == 0.0  # one client too many: the first goes
    assert limiter.wait_seconds(first) == 0.0  # forgotten, so it starts again with a full bucket
    assert limiter.wait_seconds(others[-1]) > 0


SPEND = """
import sys
from pathlib import Path
from kgpub.web.shared_rate_limit import SharedRateLimiter
limiter = SharedRateLimiter(Path(sys.argv[1]), rate=float(sys.argv[2]), burst=10)
print(sum(limiter.wait_seconds("192.0.2.1") == 0.0 for _ in range(25)))
"""


def test_processes_sharing_the_table_admit_the_burst_once_between_them(table: Path) -> None:
    command = [sys.executable, "-c", SPEND, str(table), str(NEVER_REFILLED)]
    spenders = [subprocess.Popen(command, stdout=subprocess.PIPE) for _ in range(3)]
    counts = [int(spender.communicate(timeout=60)[0]) for spender in spenders]
    assert sum(counts) == 10


def test_the_table_is_removed_when_the_server_stops() -> None:
    with shared_bucket_table() as path:
        assert path.stat().st_size > 0
    assert not path.exists()


def test_a_limiter_needs_a_positive_rate_and_a_burst(table: Path) -> None:
    with pytest.raises(ValueError, match="rate > 0 and burst ≥ 1"):
        SharedRateLimiter(table, rate=0, burst=1)
