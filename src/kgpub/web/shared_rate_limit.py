"""Rate-limit buckets shared by every server process, in a small memory-mapped table.

granian runs several server processes, and the kernel spreads a client's connections between
them. With buckets kept in each process (:class:`kgpub.web.rate_limit.RateLimiter`), a client
with several connections could send ``processes`` times the limit. This table holds the buckets
once for all of them. The process that starts the server makes the file
(:func:`shared_bucket_table`), and each server process maps it and checks requests against it
(:class:`SharedRateLimiter`). The buckets behave as :class:`RateLimiter`'s do: ``burst`` tokens,
refilled at ``rate`` a second; a request spends one, and a refused request spends nothing.

The table has :data:`SLOT_GROUPS` groups of :data:`SLOTS_PER_GROUP` slots. A client (a 64-bit
digest of its address) belongs to one group and takes a slot in it:

- its own slot, if it has one;
- else an empty slot, or one whose bucket has been idle long enough to be full again (what a
  new client gets anyway);
- else the least recently used slot in the group, whose client is forgotten.

So at least as many clients as there are groups are remembered, and usually close to the
4 × that there are slots, in a fixed 384 KiB. A group is read and written under a lock on
its bytes (``lockf``) held by one process at a time, and under a thread lock inside each
process, since a process's own ``lockf`` locks do not exclude its threads. The timestamps are
``CLOCK_MONOTONIC`` seconds, which every process on the machine shares.
"""

from __future__ import annotations

import fcntl
import hashlib
import mmap
import os
import struct
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from kgpub.web.rate_limit import refilled, spent

SLOT_GROUPS = 4096
SLOTS_PER_GROUP = 4
_SLOT = struct.Struct("<Qdd")
"""A slot: the client's digest (0 when empty), its tokens, when they were counted."""
_GROUP = struct.Struct("<" + "Qdd" * SLOTS_PER_GROUP)
_GROUP_BYTES = _GROUP.size
TABLE_BYTES = _GROUP_BYTES * SLOT_GROUPS
SHARED_MEMORY = Path("/dev/shm")  # noqa: S108 - memory-backed where Linux has it


@contextmanager
def shared_bucket_table() -> Iterator[Path]:
    """A new, empty bucket table for the server processes to share; removed afterwards.

    Each server gets its own file. When the process holding this block is killed with
    ``SIGKILL``, its server processes remove the file as they stop
    (:func:`kgpub.web.granian_serving.load_server_app`).
    """
    folder = SHARED_MEMORY if SHARED_MEMORY.is_dir() else None
    descriptor, name = tempfile.mkstemp(prefix="kgpub-rate-", suffix=".buckets", dir=folder)
    try:
        os.ftruncate(descriptor, TABLE_BYTES)
        os.close(descriptor)
        yield Path(name)
    finally:
        Path(name).unlink(missing_ok=True)


def client_key(client: str) -> int:
    """The digest a client's slot is known by: the same in every process, never 0 (empty)."""
    return int.from_bytes(hashlib.blake2b(client.encode(), digest_size=8).digest()) | 1


def slot_group(key: int) -> int:
    """The group of slots a client with this key takes its slot in."""
    return key % SLOT_GROUPS


class SharedRateLimiter:
    """Token buckets per client, kept in the table at ``table`` that other processes share.

    >>> with shared_bucket_table() as table:
    ...     here, there = (SharedRateLimiter(table, rate=2, burst=3) for _ in range(2))
    ...     [limiter.wait_seconds("192.0.2.1") == 0 for limiter in (here, there, here, there)]
    [True, True, True, False]

    :raises ValueError: when ``rate`` is not positive or ``burst`` is under 1.
    """

    def __init__(self, table: Path, *, rate: float, burst: int) -> None:
        if rate <= 0 or burst < 1:
            raise ValueError(f"a rate limiter needs rate > 0 and burst ≥ 1, not {rate}, {burst}")
        self.rate = rate
        self.burst = burst
        self._seconds_to_fill = burst / rate
        self._descriptor = os.open(table, os.O_RDWR)
        self._table = mmap.mmap(self._descriptor, TABLE_BYTES)
        self._lock = threading.Lock()

    def wait_seconds(self, client: str) -> float:
        """Spend one of ``client``'s tokens and return 0.0, or, when it has none, the wait."""
        key = client_key(client)
        start = slot_group(key) * _GROUP_BYTES
        with self._lock:
            # Locked and unlocked by hand: a generator-made context manager costs more here
            # than the two system calls.
            fcntl.lockf(self._descriptor, fcntl.LOCK_EX, _GROUP_BYTES, start)
            try:
                return self._spend(key, start)
            finally:
                fcntl.lockf(self._descriptor, fcntl.LOCK_UN, _GROUP_BYTES, start)

    def _spend(self, key: int, start: int) -> float:
        now = time.monotonic()
        fields = _GROUP.unpack_from(self._table, start)
        slots = [fields[index : index + 3] for index in range(0, len(fields), 3)]
        index = self._slot_for(key, slots, now)
        owner, tokens, counted_at = slots[index]
        if owner == key:
            tokens = refilled(tokens, now - counted_at, self.rate, self.burst)
        else:
            tokens = float(self.burst)
        left, wait = spent(tokens, self.rate)
        _SLOT.pack_into(self._table, start + index * _SLOT.size, key, left, now)
        return wait

    def close(self) -> None:
        """Unmap the table."""
        self._table.close()
        os.close(self._descriptor)

    def _slot_for(self, key: int, slots: list[tuple[Any, ...]], now: float) -> int:
        for index, (owner, _, _) in enumerate(slots):
            if owner == key:
                return index
        for index, (owner, _, counted_at) in enumerate(slots):
            if owner == 0 or now - counted_at >= self._seconds_to_fill:
                return index
        return min(range(len(slots)), key=lambda index: slots[index][2])
