"""granian's side of `kgpub serve`: one port for every server process, announced once it answers."""

from __future__ import annotations

import socket
import threading

import pytest

from kgpub.errors import ConfigError
from kgpub.web.granian_serving import announce_when_listening, reserve_address


def test_a_reserved_free_port_can_be_shared_by_server_processes_and_no_one_else() -> None:
    with reserve_address("127.0.0.1", 0) as reservation:
        port = reservation.getsockname()[1]
        assert port != 0
        with socket.socket() as server_process:  # as granian's processes bind it
            server_process.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
            server_process.bind(("127.0.0.1", port))
            server_process.listen()
            with socket.socket() as stranger, pytest.raises(OSError):
                stranger.bind(("127.0.0.1", port))


def test_a_port_something_listens_on_is_refused_even_to_a_sharing_server() -> None:
    with socket.socket() as other_server:
        other_server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        other_server.bind(("127.0.0.1", 0))
        other_server.listen()
        port = other_server.getsockname()[1]
        with pytest.raises(ConfigError, match=f"cannot listen on 127.0.0.1 port {port}"):
            reserve_address("127.0.0.1", port)


def test_the_address_is_announced_once_something_accepts_connections() -> None:
    announced = threading.Event()
    with socket.create_server(("127.0.0.1", 0)) as listening:
        port = listening.getsockname()[1]
        announce_when_listening("127.0.0.1", port, threading.Event(), announced.set)
    assert announced.is_set()


def test_nothing_is_announced_once_the_server_has_stopped() -> None:
    announced, stopped = threading.Event(), threading.Event()
    with reserve_address("127.0.0.1", 0) as reservation:  # bound, never listening
        port = reservation.getsockname()[1]
        stopper = threading.Timer(0.3, stopped.set)
        stopper.start()
        announce_when_listening("127.0.0.1", port, stopped, announced.set)
        stopper.join()
    assert not announced.is_set()
