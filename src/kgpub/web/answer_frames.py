"""How a query worker's answer travels over its pipe: frames of raw bytes, not pickles.

Every message a worker sends for a job is one frame or one failure. A small answer is a single
frame carrying its head, its whole body and the mark that it is finished; a large one is a
first frame with the head and the first :data:`CHUNK_BYTES` of the body, then frames of body
alone, the last one marked finished. Each message is a process wake-up on both sides of the
pipe, which on a loaded machine costs more than a small query itself, so there is no separate
head message and no end-of-answer message.

Frames are sent with ``Connection.send_bytes`` and their head packed with :mod:`struct`:
pickling the head instead measured about 5 µs a frame against about 1.3 µs, and the body, being
bytes already, needs no encoding at all.

>>> head = AnswerHead("select", "csv", 1, truncated=False)
>>> decode_message(encode_frame(Frame(head, b"s,a", last=True))) == Frame(head, b"s,a", True)
True
>>> decode_message(encode_failure(WorkerFailure("malformed", "no WHERE")))
WorkerFailure(category='malformed', message='no WHERE')
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from multiprocessing.connection import Connection
from typing import IO, cast

CHUNK_BYTES = 64 * 1024
"""The body bytes a frame carries, but for the last frame of an answer, which may hold less."""

ANSWER_KINDS = ("select", "ask", "graph")
_LAST = 1
_HEAD = 2
_FAILURE = 4
_HEAD_LAYOUT = struct.Struct("<BB?qB")
"""Flags, kind (index in :data:`ANSWER_KINDS`), truncated, rows (-1 for none), format name's
length; then the format name in ASCII, then the body."""
_FAILURE_SEPARATOR = b"\0"


@dataclass(frozen=True)
class AnswerHead:
    """What precedes an answer's body."""

    kind: str
    """``select``, ``ask`` or ``graph``."""
    format_name: str
    rows: int | None
    """Solutions or triples sent; ``None`` for ASK."""
    truncated: bool


@dataclass(frozen=True)
class WorkerFailure:
    """Why a job gave no answer; the pool turns the category into an HTTP status."""

    category: str
    """``malformed``, ``refused``, ``failed``, ``not-acceptable``, ``not-found`` or
    ``unavailable``."""
    message: str


@dataclass(frozen=True)
class Frame:
    """One message of an answer: its head (first frame only), some body, and whether it ends."""

    head: AnswerHead | None
    body: bytes
    last: bool


def encode_frame(frame: Frame) -> bytes:
    """The bytes sent for ``frame``."""
    flags = _LAST if frame.last else 0
    if frame.head is None:
        return bytes((flags,)) + frame.body
    head = frame.head
    name = head.format_name.encode("ascii")
    rows = -1 if head.rows is None else head.rows
    kind = ANSWER_KINDS.index(head.kind)
    packed = _HEAD_LAYOUT.pack(flags | _HEAD, kind, head.truncated, rows, len(name))
    return packed + name + frame.body


def encode_failure(failure: WorkerFailure) -> bytes:
    """The bytes sent for ``failure``."""
    category = failure.category.encode("ascii")
    return bytes((_FAILURE,)) + category + _FAILURE_SEPARATOR + failure.message.encode("utf-8")


def decode_message(data: bytes) -> Frame | WorkerFailure:
    """The frame or failure that ``data`` (one message from a worker) holds."""
    flags = data[0]
    if flags & _FAILURE:
        category, _, message = data[1:].partition(_FAILURE_SEPARATOR)
        return WorkerFailure(category.decode("ascii"), message.decode("utf-8"))
    last = bool(flags & _LAST)
    if not flags & _HEAD:
        return Frame(None, data[1:], last)
    _, kind, truncated, rows, name_length = _HEAD_LAYOUT.unpack_from(data)
    name_end = _HEAD_LAYOUT.size + name_length
    name = data[_HEAD_LAYOUT.size : name_end].decode("ascii")
    head = AnswerHead(ANSWER_KINDS[kind], name, None if rows < 0 else rows, truncated)
    return Frame(head, data[name_end:], last)


class FrameSender:
    """A binary file that sends an answer's body, after its head, as frames over a pipe.

    Writes are gathered until more than :data:`CHUNK_BYTES` are pending, then sent a chunk
    at a time; :meth:`finish` sends what remains as the last frame. A full chunk is held back
    until more follows, so an answer of exactly one chunk is still a single message.
    """

    def __init__(self, connection: Connection, head: AnswerHead) -> None:
        self.connection = connection
        self.head: AnswerHead | None = head
        """The head, until the first frame has carried it."""
        self.pending = bytearray()

    @property
    def file(self) -> IO[bytes]:
        """This sender, typed as the binary file Oxigraph's serialisers write to."""
        return cast(IO[bytes], self)

    def write(self, data: bytes) -> int:
        """Take ``data`` into the body, sending every full chunk that more data follows."""
        self.pending += data
        if len(self.pending) > CHUNK_BYTES:
            self._send_full_chunks()
        return len(data)

    def flush(self) -> None:
        """Send nothing yet: the rest goes in the last frame, so small answers stay whole."""

    def finish(self) -> None:
        """Send what is pending as the answer's last frame."""
        self._send(bytes(self.pending), last=True)
        self.pending.clear()

    def _send_full_chunks(self) -> None:
        sent = 0
        with memoryview(self.pending) as pending:
            while len(pending) - sent > CHUNK_BYTES:
                self._send(bytes(pending[sent : sent + CHUNK_BYTES]), last=False)
                sent += CHUNK_BYTES
        del self.pending[:sent]

    def _send(self, body: bytes, *, last: bool) -> None:
        self.connection.send_bytes(encode_frame(Frame(self.head, body, last)))
        self.head = None
