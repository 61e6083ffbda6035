from __future__ import annotations

from pathlib import Path

from rdflib import DCTERMS, Literal, URIRef

from kgpub.collection import load_collection
from kgpub.iris import IriScheme
from kgpub.mapper import map_collection
from kgpub.quads import nquads_of
from kgpub.validate import union_graph
from kgpub.vocab import KG, SCHEMA, SEM, concept

from .conftest import ARTICLE, REGISTRY, write_collection

IRIS = IriScheme("https://news.example/")


def mapped(root: Path):  # type: ignore[no-untyped-def]
    return map_collection(load_collection(root), iris=IRIS)


def test_mapping_is_deterministic_to_the_byte(sample_collection: Path) -> None:
    first = nquads_of(mapped(sample_collection).dataset)
    second = nquads_of(mapped(sample_collection).dataset)
    assert first == second
    assert b"_:" not in first, "the mapper must mint no blank nodes"


def test_claim_iris_do_not_depend_on_which_alias_names_the_claimant(tmp_path: Path) -> None:
    one = mapped(write_collection(tmp_path / "a"))
    two = mapped(
        write_collection(tmp_path / "b", sample=ARTICLE.replace("claimant: OSDH", "claimant: sohr"))
    )
    assert nquads_of(one.dataset) == nquads_of(two.dataset)


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
    claims = set(result.dataset.graph(IRIS.article_graph("sample")).subjects(None, KG.Claim))
    assert len(claims) == 3
    for claim in claims:
        assert len(result.dataset.graph(claim)) > 0


def test_counts_publish_bounds_as_the_qualifier_says(sample_collection: Path) -> None:
    union = union_graph(mapped(sample_collection))
    (more_than,) = union.subjects(KG.valueQualifier, concept("qualifier", "more-than"))
    assert union.value(more_than, SCHEMA.minValue) == Literal(51)
    assert union.value(more_than, KG.boundValue) == Literal(50)
    assert union.value(more_than, SCHEMA.value) is None
    (some,) = union.subjects(KG.valueQualifier, concept("qualifier", "unknown-non-zero"))
    assert union.value(some, SCHEMA.minValue) == Literal(1)


def test_dates_keep_their_precision_and_wording(sample_collection: Path) -> None:
    union = union_graph(mapped(sample_collection))
    attack = URIRef("https://news.example/id/event/prison-attack")
    stamp = union.value(attack, SEM.hasTimeStamp)
    assert stamp is not None and str(stamp) == "2022-01-20"
    assert union.value(attack, KG.timePrecision) == concept("precision", "day")
    assert union.value(attack, KG.timeExpression) == Literal("Thursday January 20", lang="en")


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
    entities = result.dataset.graph(IRIS.entities_graph)
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
    provenance = result.dataset.graph(IRIS.article_graph("sample"))
    survivor = URIRef("https://news.example/id/event/sample/prisoner-escape")
    former = URIRef("https://news.example/id/event/sample/escape")
    assert (survivor, DCTERMS.replaces, former) in provenance
    assert (former, None, None) not in union_graph(result)
