"""The SHACL shapes (``shapes/*.ttl``), checked against data-driven cases and real mapper output.

Every shape file has a folder of cases, ``tests/data/shapes/<ShapeFileStem>/``. A ``valid-*.ttl``
case must conform. An ``invalid-*.ttl`` case must not, and starts with comment lines that say
what has to be reported::

    # expect: sh:MinCountConstraintComponent    one line per constraint component reported
    # focus: <https://kg.example.org/id/...>    one line per focus node reported
    # message: exactly one `measure`            optional: text some reported message contains

An invalid case must report exactly those components at exactly those nodes, so it exercises the
rule it was written for and no other rule fires by accident.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pytest
from rdflib import SH, Graph, URIRef
from rdflib.collection import Collection as RdfList

from kgpub.codes import CODE_LISTS, Qualifier
from kgpub.collection import load_collection
from kgpub.iris import IriScheme
from kgpub.mapper import map_collection
from kgpub.ontology import RESOURCES, shape_files, shapes_graph
from kgpub.validate import ValidationReport, locate_results, union_graph, validate_graph
from kgpub.vocab import KG, VOCAB_BASE, concept

from .conftest import write_collection

CASES = Path(__file__).parent / "data" / "shapes"
EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
MIN_CASES = 200
"""237 cases when this was written: lower the floor on purpose, never to make a run pass."""
HEADER = re.compile(r"^# (expect|focus|message): (.+)$")


@dataclass(frozen=True)
class Case:
    """One case file and what its header says must be reported."""

    path: Path
    expect: frozenset[URIRef]
    focus: frozenset[URIRef]
    message: str | None

    @property
    def shape_file(self) -> str:
        return self.path.parent.name

    @property
    def valid(self) -> bool:
        return self.path.name.startswith("valid-")

    @property
    def id(self) -> str:
        return f"{self.shape_file}/{self.path.stem}"


def read_case(path: Path) -> Case:
    expect: set[URIRef] = set()
    focus: set[URIRef] = set()
    message = None
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.startswith("#"):
            break
        match = HEADER.match(line)
        if match is None:
            continue
        key, value = match.groups()
        if key == "expect":
            expect.add(URIRef(str(SH) + value.removeprefix("sh:")))
        elif key == "focus":
            focus.add(URIRef(value.strip("<>")))
        else:
            message = value
    return Case(path, frozenset(expect), frozenset(focus), message)


ALL_CASES = [read_case(path) for path in sorted(CASES.glob("*/*.ttl"))]
VALID = [case for case in ALL_CASES if case.valid]
INVALID = [case for case in ALL_CASES if not case.valid]


def validate(case: Case) -> ValidationReport:
    data = Graph().parse(case.path, format="turtle")
    return validate_graph(data, shapes=shapes_graph())


def described(report: ValidationReport) -> str:
    lines = [
        f"{result.constraint.removeprefix(str(SH))} at <{result.focus}>: {result.message}"
        for result in report.violations
    ]
    return "\n".join(["violations reported:", *lines]) if lines else "no violations reported"


def case_ids(cases: Iterable[Case]) -> list[str]:
    return [case.id for case in cases]


# -- the case collection ------------------------------------------------------------------------


def test_every_shape_file_has_a_folder_of_valid_and_invalid_cases() -> None:
    stems = {Path(name).stem for name in shape_files()}
    folders = {path.name for path in CASES.iterdir() if path.is_dir()}
    assert folders == stems
    for stem in sorted(stems):
        assert [case for case in VALID if case.shape_file == stem], f"{stem} has no valid case"
        assert [case for case in INVALID if case.shape_file == stem], f"{stem} has no invalid case"


def test_no_case_is_left_out_of_the_run() -> None:
    assert len(ALL_CASES) >= max(MIN_CASES, 2 * len(shape_files()))
    strays = [
        path.relative_to(CASES).as_posix()
        for path in CASES.glob("*/*")
        if path.suffix != ".ttl" or not path.name.startswith(("valid-", "invalid-"))
    ]
    assert strays == [], "case files must be named valid-*.ttl or invalid-*.ttl"


def test_every_invalid_case_starts_by_saying_what_it_expects() -> None:
    for case in INVALID:
        first_line = case.path.read_text(encoding="utf-8").splitlines()[0]
        assert first_line.startswith("# expect: sh:"), case.id
        assert case.expect, f"{case.id}: no '# expect:' line"
        assert case.focus, f"{case.id}: no '# focus:' line"


def test_every_rule_has_an_invalid_case_that_reports_its_message() -> None:
    uncovered = []
    for name in shape_files():
        stem = Path(name).stem
        graph = Graph().parse(data=(RESOURCES / "shapes" / name).read_text(encoding="utf-8"))
        quoted = [case.message for case in INVALID if case.shape_file == stem and case.message]
        for message in sorted(str(m) for m in graph.objects(None, SH.message)):
            if not any(text in message for text in quoted):
                uncovered.append(f"{name}: {message}")
    assert uncovered == [], "rules without an invalid case:\n" + "\n".join(uncovered)


# -- the cases ----------------------------------------------------------------------------------


@pytest.mark.parametrize("case", VALID, ids=case_ids(VALID))
def test_a_valid_case_conforms(case: Case) -> None:
    report = validate(case)
    assert report.conforms, described(report)


@pytest.mark.parametrize("case", INVALID, ids=case_ids(INVALID))
def test_an_invalid_case_is_reported_by_the_expected_constraint_at_the_expected_node(
    case: Case,
) -> None:
    report = validate(case)
    assert not report.conforms, "the case conforms"
    assert {result.constraint for result in report.violations} == case.expect, described(report)
    assert {result.focus for result in report.violations} == case.focus, described(report)
    if case.message is not None:
        messages = [result.message for result in report.violations]
        assert any(case.message in message for message in messages), described(report)


# -- the shapes themselves ----------------------------------------------------------------------


def test_code_values_are_restricted_to_exactly_the_concepts_of_one_code_list() -> None:
    graph = shapes_graph()
    checked = set()
    for head in graph.objects(None, SH["in"]):
        members = list(RdfList(graph, head))
        schemes = {str(member)[len(VOCAB_BASE) :].split("/")[0] for member in members}
        assert len(schemes) == 1, f"one sh:in mixes code lists: {sorted(schemes)}"
        (scheme,) = schemes
        assert set(members) == {concept(scheme, code) for code in CODE_LISTS[scheme]}, scheme
        checked.add(scheme)
    # relations are published as predicates (kg:guardedBy…), never as concepts
    assert checked == set(CODE_LISTS) - {"relation"}


def test_the_ontology_and_code_lists_alone_raise_nothing() -> None:
    report = validate_graph(Graph(), shapes=shapes_graph())
    assert report.conforms
    assert report.results == ()


# -- real mapper output -------------------------------------------------------------------------

REGISTRY = """\
organizations:
  islamic-state:
    labels: {en: Islamic State, fr: État islamique}
    aliases: {en: [IS, Daesh], fr: [EI]}
    misspellings: {en: [Islamic Sate]}
    description: {en: Jihadist armed group.}
    kind: armed-group
    wikidata: Q2429253
  sohr:
    labels: {en: Syrian Observatory for Human Rights}
    aliases: {en: [SOHR], fr: [OSDH]}
    kind: monitoring-ngo
  sdf: {labels: {en: Syrian Democratic Forces}, aliases: {en: [SDF], fr: [FDS]}, kind: armed-group}
  asayish: {labels: {en: Asayish}, kind: security-unit, part_of: sdf}
  coalition: {labels: {en: International coalition against IS}, kind: international-coalition}
  le-monde: {labels: {fr: Le Monde}, kind: media}
  afp: {labels: {fr: Agence France-Presse}, aliases: {fr: [AFP]}, kind: news-agency}
persons:
  farhad-shami:
    labels: {en: Farhad Shami}
    memberships: [{organization: sdf, role: spokesperson}]
countries:
  syria: {iso: SY, wikidata: Q858, geonames: "163843"}
places:
  hasakah-governorate:
    labels: {en: Al-Hasakah Governorate}
    kind: admin-region
    contained_in: syria
    geonames_admin1: SY.07
  hasakah:
    labels: {en: Al-Hasakah, fr: Hassaké}
    kind: city
    contained_in: hasakah-governorate
    coordinates: {lat: 36.502, lon: 40.748}
facilities:
  ghwayran-prison: {labels: {en: Ghwayran prison}, type: prison, located_in: hasakah}
  sinaa-annex:
    labels: {en: al-Sina'a annex}
    type: prison
    located_in: hasakah
    part_of: ghwayran-prison
events:
  prison-attack: {labels: {en: IS attack on Ghwayran prison}}
  syrian-war: {labels: {en: Syrian civil war}}
"""

ARTICLE = """\
article:
  key: sample
  title: Jihadists escape after an attack on a prison
  language: en
  publisher: le-monde
  agency: AFP
  url: https://www.lemonde.fr/en/sample.html
  published: 2022-01-21
  retrieved: 2022-02-01
  translation_of: {language: fr, title: Des djihadistes s'évadent}
entities:
  events:
    escape: {labels: {en: escape of prisoners}}
mentions:
  - {entity: OSDH, forms: [OSDH, the Observatory]}
  - {entity: Asayish, forms: [Kurdish security forces], resolution: candidate}
claims:
  - key: attack
    claimant: OSDH
    said_on: 2022-01-20
    evidence: [{paragraph: 2, quote: a car bomb exploded}, {paragraph: 3}]
    asserts:
      events:
        - event: prison-attack
          type: attack
          date: {value: 2022-01-20, until: 2022-01-26, expression: Thursday January 20}
          place: hasakah
          facility: ghwayran-prison
          place_detail: at the prison entrance
          sub_event_of: syrian-war
          participants:
            - {agent: IS, role: attacker, descriptor: {en: sleeper cells, fr: cellules dormantes}}
            - {agent: Asayish, role: target}
      relations:
        - {subject: ghwayran-prison, relation: guarded-by, object: Asayish, date: 2022-01}
  - key: escape
    claimant: sohr
    not_confirmed_by: [sdf]
    asserts:
      events: [{event: escape, type: prison-escape, sub_event_of: prison-attack, date: 2022-01}]
      counts:
        - {measure: escapees, about: escape, qualifier: unknown-non-zero, raw: a number of them}
        - {measure: recaptured, about: escape, qualifier: unknown, raw: an unknown number}
        - measure: detainees
          about: sdf
          custodian: sdf
          affiliation: islamic-state
          scope: prisons under their control
          qualifier: approximately
          value: 12000
          raw: some 12,000 jihadists
          date: 2022-01
        - measure: nationalities
          about: sdf
          qualifier: more-than
          value: 50
          raw: more than 50 nationalities
          breakdown:
            - {measure: detainees, about: sdf, qualifier: exact, value: 3, raw: three French,
               nationality: French}
  - key: toll
    claimant: sohr
    asserts:
      counts:
        - {measure: deaths, about: prison-attack, qualifier: at-least, value: 154,
           raw: at least 154, date: 2022-01-26}
        - {measure: injured, about: prison-attack, qualifier: at-most, value: 200, raw: up to 200}
        - {measure: attackers, about: prison-attack, qualifier: range, min: 100, max: 200,
           raw: between 100 and 200}
        - {measure: displaced, about: hasakah, qualifier: nearly, value: 45000,
           raw: "nearly 45,000", population: civilians}
        - {measure: minors-detained, about: ghwayran-prison, qualifier: less-than, value: 1000,
           raw: "fewer than 1,000", date: 2022}
  - key: attempt
    claimant: SDF
    stance: reframes
    certainty: probable
    confirms: [attack]
    reframes: [escape]
    denied_by: [islamic-state]
    asserts:
      events: [{event: escape, type: escape-attempt}]
  - key: denial
    claimant: Farhad Shami
    stance: denies
    denies: [escape]
    asserts:
      events: [{event: escape, type: prison-escape}]
  - key: update
    claimant: sohr
    supersedes: [toll]
    confirmed_by: [coalition]
    asserts:
      counts:
        - {measure: deaths, about: prison-attack, qualifier: exact, value: 181, raw: 181 dead}
"""


def write_sample(root: Path, article: str = ARTICLE) -> Path:
    return write_collection(root, REGISTRY, sample=article)


def test_a_sample_collection_maps_to_data_that_conforms(tmp_path: Path) -> None:
    mapped = map_collection(load_collection(write_sample(tmp_path)), iris=IriScheme())
    data = union_graph(mapped)
    used = set(data.objects(None, KG.valueQualifier))
    assert used == {concept("qualifier", code) for code in Qualifier}, "sample lost a qualifier"
    report = validate_graph(data, shapes=shapes_graph())
    assert report.conforms, described(report)


def test_a_count_that_breaks_its_qualifier_rule_is_traced_to_its_fact_file_field(
    tmp_path: Path,
) -> None:
    broken = ARTICLE.replace("qualifier: range, min: 100", "qualifier: range, value: 150, min: 100")
    collection = load_collection(write_sample(tmp_path, broken))
    mapped = map_collection(collection, iris=IriScheme())
    report = validate_graph(union_graph(mapped), shapes=shapes_graph())
    assert not report.conforms
    (problem,) = locate_results(report, mapped, collection)
    assert problem.source.endswith("articles/sample.yaml")
    assert problem.pointer == "/claims/2/asserts/counts/2/qualifier"
    assert problem.line is not None
    assert "Qualifier 'range'" in problem.message


def test_the_example_collection_conforms() -> None:
    collection = load_collection(EXAMPLES)
    report = validate_graph(union_graph(map_collection(collection, iris=IriScheme())))
    assert report.conforms, described(report)
