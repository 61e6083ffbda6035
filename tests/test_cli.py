from __future__ import annotations

import io
import subprocess
import sys
from pathlib import Path

import pyoxigraph
from click.testing import CliRunner

from kgpub.cli import main

from .conftest import ARTICLE, REGISTRY, write_collection


def test_python_dash_m_runs_the_cli() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "kgpub", "--version"], capture_output=True, text=True, check=True
    )
    assert "kgpub" in result.stdout


def test_what_the_cli_imports_is_left_out_of_garbage_collection() -> None:
    # Full collections went through every imported object: a quarter of a second of a build.
    code = "import gc, kgpub.cli; print(gc.get_freeze_count() > 10_000)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert result.stdout.strip() == "True", result.stderr


def test_every_command_has_help_with_an_example(runner: CliRunner) -> None:
    for command in ("validate", "build", "export", "query", "stats", "push", "schema"):
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0, command
        assert "Example:" in result.output, command


def test_validate_exits_zero_for_conforming_data(
    runner: CliRunner, sample_collection: Path
) -> None:
    result = runner.invoke(main, ["validate", str(sample_collection)])
    assert result.exit_code == 0, result.output
    assert "conforms" in result.stderr


def test_validate_exits_one_when_shapes_are_violated(runner: CliRunner, tmp_path: Path) -> None:
    broken = ARTICLE.replace(
        "qualifier: unknown-non-zero", "qualifier: unknown-non-zero\n          value: 12"
    )
    root = write_collection(tmp_path, sample=broken)
    result = runner.invoke(main, ["validate", str(root)])
    assert result.exit_code == 1
    assert "articles/sample.yaml:" in result.stderr
    assert "/claims/1/asserts/counts/0" in result.stderr


def test_validate_exits_two_for_unloadable_input(runner: CliRunner, tmp_path: Path) -> None:
    root = write_collection(tmp_path, sample="article: [unclosed\n")
    result = runner.invoke(main, ["validate", str(root)])
    assert result.exit_code == 2
    assert "sample.yaml:" in result.stderr and "not valid YAML" in result.stderr


def test_build_then_export_and_query_round_trip(runner: CliRunner, sample_collection: Path) -> None:
    built = runner.invoke(main, ["build", str(sample_collection)])
    assert built.exit_code == 0, built.stderr
    assert "published: 1 added" in built.stderr
    exported = runner.invoke(main, ["export", "-C", str(sample_collection), "-f", "trig"])
    quads = list(
        pyoxigraph.parse(io.BytesIO(exported.stdout_bytes), format=pyoxigraph.RdfFormat.TRIG)
    )
    assert len(quads) > 50
    answer = runner.invoke(
        main,
        ["query", "-C", str(sample_collection), "-f", "csv",
         "SELECT ?type { ?e <https://w3id.org/kgpub/ont#eventType> ?type } ORDER BY ?type"],
    )  # fmt: skip
    assert answer.exit_code == 0, answer.stderr
    assert "escape-attempt" in answer.stdout and "prison-escape" in answer.stdout


def test_a_second_build_of_the_same_facts_reports_them_unchanged(
    runner: CliRunner, sample_collection: Path
) -> None:
    runner.invoke(main, ["build", str(sample_collection)])
    first = runner.invoke(main, ["export", "-C", str(sample_collection), "--canonical"])
    again = runner.invoke(main, ["build", str(sample_collection)])
    second = runner.invoke(main, ["export", "-C", str(sample_collection), "--canonical"])
    assert "0 added, 0 updated, 0 removed, 1 unchanged" in again.stderr
    assert first.stdout_bytes == second.stdout_bytes


def test_a_failed_build_leaves_the_previous_publication(runner: CliRunner, tmp_path: Path) -> None:
    root = write_collection(tmp_path)
    assert runner.invoke(main, ["build", str(root)]).exit_code == 0
    before = runner.invoke(main, ["export", "-C", str(root), "--canonical"]).stdout_bytes
    (root / "articles" / "sample.yaml").write_text(ARTICLE.replace("type: attack", "type: atack"))
    failed = runner.invoke(main, ["build", str(root)])
    assert failed.exit_code == 2
    after = runner.invoke(main, ["export", "-C", str(root), "--canonical"]).stdout_bytes
    assert before == after


def test_issue_6_a_registry_reference_naming_nothing_stops_a_build_without_a_traceback(
    runner: CliRunner, tmp_path: Path
) -> None:
    # Describing the facility met the reference again, and ReferenceProblem escaped.
    registry = REGISTRY.replace("located_in: hasakah", "located_in: hasakahh")
    root = write_collection(tmp_path, registry=registry)
    for command in ("validate", "build"):
        result = runner.invoke(main, [command, str(root)])
        assert isinstance(result.exception, SystemExit), result.exception
        assert result.exit_code == 2
        assert "no place or country is called 'hasakahh'" in result.stderr


def test_issue_6_a_misspelt_registry_reference_is_reported_at_its_line(
    runner: CliRunner, examples_copy: Path
) -> None:
    registry = examples_copy / "registry.yaml"
    text = registry.read_text(encoding="utf-8")
    registry.write_text(
        text.replace("located_in: ghwayran-neighbourhood", "located_in: ghwayran-nieghbour", 1),
        encoding="utf-8",
    )
    result = runner.invoke(main, ["validate", str(examples_copy)])
    assert result.exit_code == 2, result.output
    assert "Traceback" not in result.output
    assert "registry.yaml:" in result.stderr and "located_in" in result.stderr
    assert "'ghwayran-nieghbour'" in result.stderr
