"""Shared fixtures: small collections written into tmp_path, and a CLI runner."""

from __future__ import annotations

import shutil
import textwrap
from collections.abc import Iterator
from pathlib import Path

import pytest
from click.testing import CliRunner
from tests.remote_server import OxigraphServer, running_oxigraph

from kgpub.dump_catalog import DumpCatalog

REPO = Path(__file__).resolve().parents[1]
EXAMPLES = REPO / "examples"

REGISTRY = """\
organizations:
  islamic-state:
    labels: {en: Islamic State, fr: État islamique}
    aliases: {en: [IS, Daesh], fr: [EI]}
    kind: armed-group
    wikidata: Q2429253
  sohr:
    labels: {en: Syrian Observatory for Human Rights}
    aliases: {en: [SOHR], fr: [OSDH]}
    kind: monitoring-ngo
  sdf:
    labels: {en: Syrian Democratic Forces}
    aliases: {en: [SDF], fr: [FDS]}
    kind: armed-group
  le-monde: {labels: {fr: Le Monde}, kind: media}
  afp: {labels: {fr: Agence France-Presse}, aliases: {fr: [AFP]}, kind: news-agency}
countries:
  syria: {iso: SY, wikidata: Q858}
places:
  hasakah:
    labels: {en: Al-Hasakah, fr: Hassaké}
    kind: city
    contained_in: syria
    coordinates: {lat: 36.502, lon: 40.748}
facilities:
  ghwayran-prison: {labels: {en: Ghwayran prison}, type: prison, located_in: hasakah}
events:
  prison-attack: {labels: {en: IS attack on Ghwayran prison}}
"""

UNRELATED_ARTICLE = """\
article: {key: other, title: Another story, language: en, publisher: le-monde, published: 2022-02}
claims:
  - key: claim
    claimant: afp
    asserts:
      events: [{event: prison-attack, type: attack}]
"""
"""An article that shares no entity with ARTICLE but its publisher and the attack."""

ARTICLE = """\
article:
  key: sample
  title: Jihadists escape after an attack on a prison
  language: en
  publisher: le-monde
  agency: AFP
  published: 2022-01
entities:
  events:
    escape: {labels: {en: escape of prisoners}}
mentions:
  - {entity: OSDH, forms: [OSDH]}
claims:
  - key: attack
    claimant: OSDH
    evidence: {paragraph: 2, quote: a car bomb exploded}
    asserts:
      events:
        - event: prison-attack
          type: attack
          date: {value: 2022-01-20, expression: Thursday January 20}
          facility: ghwayran-prison
          participants: [{agent: IS, role: attacker}]
  - key: escape
    claimant: sohr
    not_confirmed_by: [sdf]
    asserts:
      events: [{event: escape, type: prison-escape, sub_event_of: prison-attack}]
      counts:
        - measure: escapees
          about: escape
          qualifier: unknown-non-zero
          raw: a number of prisoners
        - measure: nationalities
          about: sdf
          qualifier: more-than
          value: 50
          raw: more than 50
  - key: attempt
    claimant: SDF
    stance: reframes
    confirms: [attack]
    reframes: [escape]
    asserts:
      events: [{event: escape, type: escape-attempt}]
"""


def write_collection(root: Path, registry: str = REGISTRY, **articles: str) -> Path:
    """Write a collection (registry + articles/<name>.yaml) under ``root``."""
    (root / "articles").mkdir(parents=True, exist_ok=True)
    (root / "registry.yaml").write_text(textwrap.dedent(registry), encoding="utf-8")
    for name, text in (articles or {"sample": ARTICLE}).items():
        (root / "articles" / f"{name}.yaml").write_text(textwrap.dedent(text), encoding="utf-8")
    return root


@pytest.fixture
def sample_collection(tmp_path: Path) -> Path:
    """A small valid collection: three claims on one attack, an escape and its reframing."""
    return write_collection(tmp_path / "collection")


@pytest.fixture
def examples_copy(tmp_path: Path) -> Path:
    """A private copy of examples/, safe to break."""
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns(".kgpub"))
    return target


@pytest.fixture(scope="module")
def oxigraph(tmp_path_factory: pytest.TempPathFactory) -> Iterator[OxigraphServer]:
    """A real Oxigraph SPARQL server on 127.0.0.1, one per test module."""
    with running_oxigraph(tmp_path_factory.mktemp("oxigraph")) as server:
        yield server


@pytest.fixture
def server(oxigraph: OxigraphServer) -> OxigraphServer:
    """The module's Oxigraph server, emptied for this test."""
    oxigraph.clear()
    return oxigraph


@pytest.fixture
def runner() -> CliRunner:
    """A click runner that keeps stderr apart from stdout."""
    return CliRunner()


def dump_bytes(folder: Path, name: str) -> bytes:
    """A dump's bytes, its volumes joined, as /dumps/ serves them."""
    with DumpCatalog.read(folder).open(folder, name) as source:
        return source.read()
