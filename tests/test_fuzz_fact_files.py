"""Fuzzed fact files and registries: refused with located problems, never a traceback.

Bounded, derandomized runs of the strategies in ``tests/fact_file_*.py``; the long run is
``benchmarks/fuzz_fact_files.py``. Most examples are only loaded or validated; a few are built,
since a build costs a second.
"""

from __future__ import annotations

import hashlib
import tempfile
import textwrap
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from kgpub.cli import main
from kgpub.collection import load_collection
from kgpub.embedded import EmbeddedStore
from kgpub.errors import InputError, Problem
from kgpub.export import canonical_nquads
from kgpub.loader import parse_document

from .conftest import ARTICLE, EXAMPLES, REGISTRY, UNRELATED_ARTICLE, write_collection
from .fact_file_collections import Draft, valid_collections
from .fact_file_mutations import mutated_collections

FUZZ = settings(
    derandomize=True,
    database=None,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # shrinking a collection takes minutes
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
SUMMARIES = ("error:", "conforms:", "does not conform:", "published:", "NOT published:")
"""The lines kgpub adds to its problems on stderr; every other line is a located problem."""

SEED = Draft.of_folder(EXAMPLES)
"""The seed collection, as a base the mutations break in realistic places."""


def fuzzed_collections() -> st.SearchStrategy[Draft]:
    """Generated collections and the seed collection, mutated."""
    return st.one_of(mutated_collections(), mutated_collections(bases=(SEED,)))


@contextmanager
def written(draft: Draft) -> Iterator[tuple[Path, set[str]]]:
    """The draft written into a fresh folder, and the paths of its files as kgpub names them."""
    with tempfile.TemporaryDirectory(prefix="kgpub-fuzz-") as folder:
        root = draft.write(Path(folder))
        yield root, {str(root / path) for path in draft.paths()}


def assert_located(problem: Problem, files: set[str], draft: Draft) -> None:
    assert problem.source in files, f"{draft.describe()}: {problem} names no file"
    assert problem.line is not None or problem.pointer, f"{draft.describe()}: {problem}"


def assert_no_traceback(result: Result, draft: Draft) -> None:
    assert result.exit_code in {0, 1, 2}, f"{draft.describe()}: {result.exception!r}"
    assert result.exception is None or isinstance(result.exception, SystemExit), (
        f"{draft.describe()}: {result.exception!r}"
    )
    assert "Traceback" not in result.output + result.stderr, draft.describe()


@settings(FUZZ, max_examples=60)
@given(fuzzed_collections())
def test_fuzzed_collections_load_or_are_refused_with_every_problem_located(draft: Draft) -> None:
    with written(draft) as (root, files):
        try:
            load_collection(root)
        except InputError as refusal:
            assert refusal.problems, draft.describe()
            for problem in refusal.problems:
                assert_located(problem, files, draft)
        else:
            assert draft.refused_by != "load", f"{draft.describe()} was accepted"


@settings(FUZZ, max_examples=12)
@given(fuzzed_collections())
def test_kgpub_validate_answers_fuzzed_collections_with_an_exit_code_and_located_problems(
    draft: Draft,
) -> None:
    with written(draft) as (root, _):
        result = CliRunner().invoke(main, ["validate", str(root)])
        assert_no_traceback(result, draft)
        if draft.refused_by is not None:
            assert result.exit_code != 0, f"{draft.describe()} was accepted"
        for line in result.stderr.splitlines():
            if not line.startswith(SUMMARIES):
                assert line.lstrip().startswith(str(root)), f"{draft.describe()}: {line}"


@pytest.fixture(scope="module")
def published(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """A published collection, and the digest of its canonical N-Quads."""
    root = write_collection(
        tmp_path_factory.mktemp("published"), sample=ARTICLE, other=UNRELATED_ARTICLE
    )
    assert CliRunner().invoke(main, ["build", str(root)]).exit_code == 0
    return root, publication_digest(root)


def publication_digest(root: Path) -> str:
    """The SHA-256 of what is published, as canonical N-Quads."""
    return hashlib.sha256(canonical_nquads(EmbeddedStore(root / ".kgpub" / "store"))).hexdigest()


PUBLISHED_BASE = Draft(
    {
        path: parse_document(textwrap.dedent(text), path).data
        for path, text in (
            ("registry.yaml", REGISTRY),
            ("articles/sample.yaml", ARTICLE),
            ("articles/other.yaml", UNRELATED_ARTICLE),
        )
    }
)
"""What :func:`published` publishes, as a base to mutate."""


@settings(FUZZ, max_examples=8)
@given(mutated_collections(bases=(PUBLISHED_BASE,)))
def test_a_rejected_build_leaves_the_published_store_byte_identical(
    published: tuple[Path, str], draft: Draft
) -> None:
    root, before = published
    original = {path: (root / path).read_bytes() for path in PUBLISHED_BASE.data}
    draft.write(root)
    result = CliRunner().invoke(main, ["build", str(root)])
    for path in draft.paths():
        (root / path).unlink()
    for path, content in original.items():
        (root / path).write_bytes(content)
    assert_no_traceback(result, draft)
    if result.exit_code == 0:  # the mutations left it valid: put the base back
        assert "published:" in result.stderr, draft.describe()
        assert CliRunner().invoke(main, ["build", str(root)]).exit_code == 0
    else:
        assert "NOT published" in result.stderr or "error:" in result.stderr, draft.describe()
    assert publication_digest(root) == before, draft.describe()


@settings(FUZZ, max_examples=5)
@given(valid_collections())
def test_generated_valid_collections_build_and_conform(draft: Draft) -> None:
    with written(draft) as (root, _):
        result = CliRunner().invoke(main, ["build", str(root)])
        assert result.exit_code == 0, f"{draft.files()}\n{result.stderr}"
        assert "published:" in result.stderr
