from __future__ import annotations

import socket
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgpub.cli import main


def test_malformed_queries_exit_two_with_the_parser_message(
    runner: CliRunner, sample_collection: Path
) -> None:
    runner.invoke(main, ["build", str(sample_collection)])
    result = runner.invoke(main, ["query", "-C", str(sample_collection), "SELEC ?x {}"])
    assert result.exit_code == 2
    assert "malformed SPARQL" in result.stderr


@pytest.mark.parametrize("server", ["granian", "waitress"])
def test_serve_refuses_an_address_in_use_saying_how_to_choose_another(
    runner: CliRunner, sample_collection: Path, server: str
) -> None:
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = str(taken.getsockname()[1])
        result = runner.invoke(
            main, ["serve", str(sample_collection), "--port", port, "--server", server]
        )
    assert result.exit_code == 2, result.output
    assert f"cannot listen on 127.0.0.1 port {port}" in result.stderr
    assert "port 0 for a free one" in result.stderr


def test_serve_stops_at_a_malformed_canned_query_before_starting_a_server(
    runner: CliRunner, sample_collection: Path
) -> None:
    (sample_collection / "queries").mkdir()
    (sample_collection / "queries" / "bad.rq").write_text(
        "# A query\n# param: x (colour)\nSELECT ?x {}\n", encoding="utf-8"
    )
    result = runner.invoke(main, ["serve", str(sample_collection), "--port", "0"])
    assert result.exit_code == 2
    assert "bad.rq:2: unknown type 'colour'" in result.stderr


def test_serve_refuses_an_unknown_server_listing_the_known_ones(
    runner: CliRunner, sample_collection: Path
) -> None:
    result = runner.invoke(main, ["serve", str(sample_collection), "--server", "gunicorn"])
    assert result.exit_code == 2
    assert "'granian', 'waitress'" in result.stderr
