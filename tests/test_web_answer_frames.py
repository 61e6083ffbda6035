"""Answer frames: what a query worker sends, one message per frame, decoded as it was sent."""

from __future__ import annotations

from multiprocessing.connection import Connection
from typing import cast

import pytest

from kgpub.web.answer_frames import (
    CHUNK_BYTES,
    AnswerHead,
    Frame,
    FrameSender,
    WorkerFailure,
    decode_message,
    encode_failure,
    encode_frame,
)

HEAD = AnswerHead("select", "json", 3, truncated=False)


class RecordingConnection:
    """Keeps each message sent, as the worker's pipe would carry it (the worker's tests too)."""

    def __init__(self) -> None:
        self.messages: list[bytes] = []

    def send_bytes(self, data: bytes) -> None:
        self.messages.append(bytes(data))


def _sent(*writes: bytes) -> list[Frame | WorkerFailure]:
    connection = RecordingConnection()
    sender = FrameSender(cast(Connection, connection), HEAD)
    for data in writes:
        sender.file.write(data)
    sender.file.flush()
    sender.finish()
    return [decode_message(message) for message in connection.messages]


@pytest.mark.parametrize(
    "head",
    [
        AnswerHead("select", "csv", 0, truncated=False),
        AnswerHead("select", "application/sparql-results+json", 10_000, truncated=True),
        AnswerHead("ask", "xml", None, truncated=False),
        AnswerHead("graph", "ntriples", 2**40, truncated=True),
    ],
)
def test_a_first_frame_decodes_to_the_head_body_and_end_mark_it_was_sent_with(
    head: AnswerHead,
) -> None:
    for last in (True, False):
        frame = Frame(head, b"\x00body\n\xff", last)
        assert decode_message(encode_frame(frame)) == frame


def test_a_later_frame_carries_only_its_body_and_end_mark() -> None:
    frame = Frame(None, b"more", last=True)
    assert decode_message(encode_frame(frame)) == frame
    assert len(encode_frame(frame)) == 1 + len(b"more")


def test_a_failure_decodes_with_its_category_and_message_whatever_they_hold() -> None:
    failure = WorkerFailure("not-acceptable", "none of these:\n- text/x\0\u00e9")
    assert decode_message(encode_failure(failure)) == failure


def test_a_small_answer_is_sent_as_one_message_with_its_head_and_end_mark() -> None:
    assert _sent(b"?s\n", b"<a>\n", b"<b>\n") == [Frame(HEAD, b"?s\n<a>\n<b>\n", last=True)]


def test_an_empty_answer_is_one_message_with_its_head_and_an_empty_body() -> None:
    assert _sent() == [Frame(HEAD, b"", last=True)]


def test_an_answer_of_exactly_one_chunk_is_still_one_message() -> None:
    body = bytes(range(256)) * (CHUNK_BYTES // 256)
    assert _sent(body[:1000], body[1000:]) == [Frame(HEAD, body, last=True)]


def test_one_byte_past_a_chunk_makes_a_second_frame_holding_that_byte() -> None:
    body = b"x" * CHUNK_BYTES + b"y"
    assert _sent(body) == [
        Frame(HEAD, b"x" * CHUNK_BYTES, last=False),
        Frame(None, b"y", last=True),
    ]


def test_a_large_answer_is_sent_in_whole_chunks_in_order_the_head_first_and_the_end_last() -> None:
    body = b"".join(f"{n:08d}\n".encode("ascii") for n in range(30_000))
    writes = [body[start : start + 7_001] for start in range(0, len(body), 7_001)]
    frames = _sent(*writes)
    assert all(isinstance(frame, Frame) for frame in frames)
    chunks = cast(list[Frame], frames)
    assert b"".join(frame.body for frame in chunks) == body
    assert [len(frame.body) for frame in chunks[:-1]] == [CHUNK_BYTES] * (len(chunks) - 1)
    assert 0 < len(chunks[-1].body) <= CHUNK_BYTES
    assert [frame.head for frame in chunks] == [HEAD] + [None] * (len(chunks) - 1)
    assert [frame.last for frame in chunks] == [False] * (len(chunks) - 1) + [True]
