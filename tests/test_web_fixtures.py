"""Shared by the web tests: the examples built once per module, and apps over them.

No tests here. Each web test module imports the fixtures it uses; apps are made per module
(starting query workers costs about a second) and always closed.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient

from kgpub.build import build_collection
from kgpub.config_loading import load_settings
from kgpub.web import create_app

from .conftest import EXAMPLES

CROSS_JOIN = "SELECT (COUNT(*) AS ?n) { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
"""A query over the examples that would run for hours: 3,000³ solutions to count."""
KG = "https://w3id.org/kgpub/ont#"
SKOS = "http://www.w3.org/2004/02/skos/core#"


def build_examples(target: Path) -> Path:
    """A private, built copy of examples/ under ``target``."""
    root = target / "examples"
    shutil.copytree(EXAMPLES, root, ignore=shutil.ignore_patterns(".kgpub"))
    summary = build_collection(root, load_settings(root, env={}))
    assert summary.published, summary.describe()
    return root


@contextmanager
def running_app(root: Path, **settings: str) -> Iterator[Flask]:
    """An app over the collection at ``root`` with these settings; its workers stop after."""
    app = create_app(load_settings(root, env={}, overrides=settings), root)
    try:
        yield app
    finally:
        app.extensions["kgpub"].close()


@pytest.fixture(scope="module")
def built_examples(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The examples, built once for the module."""
    return build_examples(tmp_path_factory.mktemp("web"))


@pytest.fixture(scope="module")
def app(built_examples: Path) -> Iterator[Flask]:
    """A read-only app over the built examples, with default limits and one query worker."""
    with running_app(built_examples, query_workers="1") as application:
        yield application


@pytest.fixture
def client(app: Flask) -> FlaskClient:
    """A test client of :func:`app`."""
    return app.test_client()


def first_of_each_kind(app: Flask, patterns: dict[str, str]) -> dict[str, str]:
    """The first IRI (in IRI order) matching each kind's graph pattern in the app's store."""
    store = app.extensions["kgpub"].store
    found = {}
    for kind, pattern in patterns.items():
        rows = list(store.query(f"SELECT ?s WHERE {{ {pattern} }} ORDER BY ?s LIMIT 1"))
        assert rows, f"the examples have no {kind} matching {pattern}"
        found[kind] = str(rows[0][0].value)
    return found
