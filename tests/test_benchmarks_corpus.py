"""The synthetic corpus of benchmarks/corpus.py: it loads, conforms, repeats itself exactly."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

from kgpub.config import Settings
from kgpub.errors import InputError
from kgpub.wholecheck import CheckedCollection, check_collection

CORPUS_SCRIPT = Path(__file__).resolve().parents[1] / "benchmarks" / "corpus.py"
ARTICLES = 60


def load_corpus_module() -> ModuleType:
    """Import benchmarks/corpus.py by path: benchmarks/ is not an installed package."""
    spec = importlib.util.spec_from_file_location("kgpub_benchmarks_corpus", CORPUS_SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being built
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def corpus() -> ModuleType:
    return load_corpus_module()


@pytest.fixture(scope="module")
def generated(corpus: ModuleType, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A corpus of ARTICLES articles, shared by the tests that only read it."""
    root = tmp_path_factory.mktemp("corpus")
    corpus.generate_corpus(root, ARTICLES, seed=0)
    return root


def checked(root: Path) -> CheckedCollection:
    """check_collection, with every load problem in the failure message."""
    try:
        return check_collection(root, Settings())
    except InputError as error:
        pytest.fail(f"the generated corpus does not load:\n{error}")


def assert_conforms(result: CheckedCollection) -> None:
    problems = "\n".join(str(problem) for problem in result.problems)
    assert result.conforms, f"the generated corpus does not conform:\n{problems}"
    assert not result.problems, f"the generated corpus has warnings:\n{problems}"


def file_contents(root: Path) -> dict[str, bytes]:
    return {
        path.relative_to(root).as_posix(): path.read_bytes()
        for path in sorted(root.rglob("*"))
        if path.is_file()
    }


@pytest.mark.slow
def test_a_generated_corpus_loads_and_conforms_with_no_problems(generated: Path) -> None:
    result = checked(generated)
    assert_conforms(result)
    assert len(result.collection.articles) == ARTICLES


def test_generating_twice_with_the_same_arguments_gives_identical_bytes(
    corpus: ModuleType, generated: Path, tmp_path: Path
) -> None:
    corpus.generate_corpus(tmp_path, ARTICLES, seed=0)
    again = file_contents(tmp_path)
    assert len(again) == ARTICLES + 1
    assert again == file_contents(generated)


def test_another_seed_gives_another_corpus(
    corpus: ModuleType, generated: Path, tmp_path: Path
) -> None:
    corpus.generate_corpus(tmp_path, ARTICLES, seed=1)
    assert file_contents(tmp_path) != file_contents(generated)


def test_articles_are_sharded_in_folders_of_at_most_a_thousand_files(
    corpus: ModuleType, tmp_path: Path
) -> None:
    corpus.generate_corpus(tmp_path, 2100, seed=0)
    shards = sorted((tmp_path / "articles").iterdir())
    assert [shard.name for shard in shards] == ["000", "001", "002"]
    assert [len(list(shard.iterdir())) for shard in shards] == [1000, 1000, 100]


def test_generating_into_a_folder_that_already_has_articles_is_refused(
    corpus: ModuleType, generated: Path
) -> None:
    with pytest.raises(FileExistsError, match="not empty"):
        corpus.generate_corpus(generated, ARTICLES, seed=0)


@pytest.mark.slow
def test_touching_an_article_changes_that_file_only_and_keeps_the_corpus_conforming(
    corpus: ModuleType, generated: Path, tmp_path: Path
) -> None:
    corpus.generate_corpus(tmp_path, ARTICLES, seed=0)
    before = file_contents(tmp_path)
    touched = corpus.touch_article(tmp_path, 17)
    after = file_contents(tmp_path)
    changed = [name for name in before if before[name] != after[name]]
    assert changed == [touched.relative_to(tmp_path).as_posix()]
    assert touched.name.endswith("-000017.yaml")
    assert_conforms(checked(tmp_path))


def test_touching_the_same_article_twice_with_one_seed_gives_the_same_file(
    corpus: ModuleType, tmp_path: Path
) -> None:
    results = []
    for name in ("first", "second"):
        corpus.generate_corpus(tmp_path / name, 10, seed=0)
        results.append(corpus.touch_article(tmp_path / name, 3, seed=5).read_bytes())
    assert results[0] == results[1]


def test_an_article_publishes_between_25_and_60_triples_on_average(
    corpus: ModuleType, generated: Path
) -> None:
    measured = corpus.measure_corpus(generated)
    assert measured.articles == ARTICLES
    assert 25 <= measured.quads_per_article <= 60, measured
    assert measured.answering_claims > 0, "no claim answers a claim of an earlier article"


def test_the_command_line_writes_the_corpus_it_is_asked_for(
    corpus: ModuleType, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert corpus.main([str(tmp_path / "out"), "--articles", "5", "--seed", "2"]) == 0
    assert "wrote 5 articles" in capsys.readouterr().out
    assert len(list((tmp_path / "out" / "articles" / "000").iterdir())) == 5
