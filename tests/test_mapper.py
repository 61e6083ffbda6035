from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import DCTERMS, RDF, URIRef

from kgpub.collection import load_collection
from kgpub.iris import IriScheme
from kgpub.mapped_graphs import MappedGraphs
from kgpub.mapper import map_article, map_collection, map_registry
from kgpub.quads import nquads_of
from kgpub.validate import union_graph
from kgpub.vocab import KG, concept

from .conftest import ARTICLE, EXAMPLES, REGISTRY, write_collection
from .test_quads import nquads_serialised_by_oxigraph

IRIS = IriScheme("https://news.example/")


def mapped(root: Path):  # type: ignore[no-untyped-def]
    return map_collection(load_collection(root), iris=IRIS)


EXAMPLE_FACT_FILES = sorted(
    [EXAMPLES / "registry.yaml", *(EXAMPLES / "articles").rglob("*.yaml")], key=str
)


def mapping_of_example(fact_file: Path) -> MappedGraphs:
    collection = load_collection(EXAMPLES)
    if fact_file.name == "registry.yaml":
        return map_registry(collection, iris=IRIS)
    relative = fact_file.relative_to(EXAMPLES).as_posix()
    (source,) = [
        s for s in collection.articles if collection.relative_path(s.document.source) == relative
    ]
    return map_article(source, collection, iris=IRIS)


def test_every_fact_file_of_the_examples_is_compared() -> None:
    assert len(EXAMPLE_FACT_FILES) > 2


@pytest.mark.parametrize("fact_file", EXAMPLE_FACT_FILES, ids=lambda path: path.name)
def test_issue_3_triple_sets_give_the_n_quads_an_rdflib_dataset_gave(fact_file: Path) -> None:
    mapping = mapping_of_example(fact_file)
    published = nquads_of(mapping)
    assert published.count(b"\n") == mapping.quad_count() > 0
    # What kgpub published before the mapper wrote triple sets: an rdflib dataset's quads.
    assert published == nquads_serialised_by_oxigraph(mapping.to_dataset())


def test_mapping_is_deterministic_to_the_byte(sample_collection: Path) -> None:
    first = nquads_of(mapped(sample_collection))
    second = nquads_of(mapped(sample_collection))
    assert first == second
    assert b"_:" not in first, "the mapper must mint no blank nodes"


def test_claim_iris_do_not_depend_on_which_alias_names_the_claimant(tmp_path: Path) -> None:
    one = mapped(write_collection(tmp_path / "a"))
    two = mapped(
        write_collection(tmp_path / "b", sample=ARTICLE.replace("claimant: OSDH", "claimant: sohr"))
    )
    assert nquads_of(one) == nquads_of(two)


def test_editing_evidence_keeps_the_claim_iri_but_a_new_proposition_changes_it(
    tmp_path: Path,
) -> None:
    base = load_collection(write_collection(tmp_path / "a")).articles[0].claim_digests
    quote = (
        load_collection(
            write_collection(
                tmp_path / "b", sample=ARTICLE.replace("a car bomb exploded", "a car bomb")
            )
        )
        .articles[0]
        .claim_digests
    )
    date = (
        load_collection(
            write_collection(tmp_path / "c", sample=ARTICLE.replace("2022-01-20", "2022-01-21"))
        )
        .articles[0]
        .claim_digests
    )
    assert base["attack"] == quote["attack"]
    assert base["attack"] != date["attack"]


def test_each_claim_asserts_into_its_own_named_graph(sample_collection: Path) -> None:
    result = mapped(sample_collection)
    provenance = result.graph(IRIS.article_graph("sample"))
    claims = {subject for subject, predicate, value in provenance if value == KG.Claim}
    assert len(claims) == 3
    for claim in claims:
        assert (claim, RDF.type, KG.Claim) in provenance
        assert len(result.graph(claim)) > 0


def test_not_confirmed_and_reframed_claims_are_unconfirmed_not_denied(
    sample_collection: Path,
) -> None:
    union = union_graph(mapped(sample_collection))
    (escape,) = union.subjects(KG.notConfirmedBy, None)
    assert union.value(escape, KG.claimStatus) == concept("claim-status", "unconfirmed")
    assert (None, KG.contradicts, escape) not in union


def test_every_subject_is_traced_to_its_fact_file_field(sample_collection: Path) -> None:
    result = mapped(sample_collection)
    claim = next(iter(union_graph(result).subjects(KG.notConfirmedBy, None)))
    assert result.origins[claim].source == "articles/sample.yaml"
    assert result.origins[claim].pointer == "/claims/1"


def test_a_merged_entry_is_published_as_replaced_by_its_survivor_and_describes_nothing(
    tmp_path: Path,
) -> None:
    registry = REGISTRY.replace("  sohr:\n", "  syrian-observatory:\n    replaces: [sohr]\n")
    result = mapped(write_collection(tmp_path, registry=registry))
    survivor = URIRef("https://news.example/id/organization/syrian-observatory")
    former = URIRef("https://news.example/id/organization/sohr")
    entities = result.to_dataset().graph(IRIS.entities_graph)
    assert list(entities.subjects(DCTERMS.replaces, former)) == [survivor]
    union = union_graph(result)
    assert (former, None, None) not in union  # so the web app redirects it instead
    assert set(union.objects(None, DCTERMS.replaces)) == {former}
    (escape,) = union.subjects(KG.notConfirmedBy, None)
    assert union.value(escape, KG.claimant) == survivor


def test_a_local_entity_s_former_key_is_replaced_in_its_article_graph(tmp_path: Path) -> None:
    article = ARTICLE.replace(
        "    escape: {labels: {en: escape of prisoners}}",
        "    prisoner-escape:\n      labels: {en: escape of prisoners}\n      replaces: [escape]",
    )
    result = mapped(write_collection(tmp_path, sample=article))
    provenance = result.graph(IRIS.article_graph("sample"))
    survivor = URIRef("https://news.example/id/event/sample/prisoner-escape")
    former = URIRef("https://news.example/id/event/sample/escape")
    assert (survivor, DCTERMS.replaces, former) in provenance
    assert (former, None, None) not in union_graph(result)
