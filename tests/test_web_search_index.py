"""The search index: which names match, how hits rank, and when the index is rebuilt."""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph
import pytest

from kgpub.web.search_index import NameKind, Rank, SearchIndex

BASE = "https://kg.example.org/"
PREFIXES = """
@prefix kg: <https://w3id.org/kgpub/ont#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""
DATA = (
    PREFIXES
    + """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix schema: <https://schema.org/> .
@prefix id: <https://kg.example.org/id/> .

<https://kg.example.org/graph/entities> {
  id:organization\\/sohr a kg:Organization ;
    skos:prefLabel "Syrian Observatory for Human Rights"@en,
      "Observatoire syrien des droits de l'Homme"@fr ;
    skos:altLabel "SOHR"@en, "OSDH"@fr .
  id:place\\/hasakah a kg:Place ; skos:prefLabel "Al-Hasakah"@en, "Hassaké"@fr .
  id:country\\/SY a kg:Place, schema:Country ; skos:prefLabel "Syria"@en, "Syrie"@fr .
  id:person\\/farhad-shami a kg:Person ;
    skos:prefLabel "Farhad Shami"@en ; skos:hiddenLabel "Ferhad Sahmi"@en .
  id:place\\/sinaa a kg:Place ; skos:prefLabel "Sinaa"@en .
  id:facility\\/sinaa-prison a kg:Facility ;
    skos:prefLabel "Ghwayran prison"@en ; skos:altLabel "Sinaa"@en, "Sinaa prison"@en .
  id:place\\/sinaa-road a kg:Place ; skos:prefLabel "Sinaa road"@en .
  id:place\\/old-sinaa a kg:Place ; skos:prefLabel "Old Sinaa"@en .
  id:organization\\/metachars a kg:Organization ;
    skos:prefLabel "Group \\".*\\" {SELECT} (?i) $1"@en .
  <https://elsewhere.example.com/id/org/observers> a kg:Organization ;
    skos:prefLabel "Observers elsewhere"@en .
  <https://w3id.org/kgpub/vocab/measure/observed> a skos:Concept ;
    skos:prefLabel "observed people"@en .
}
<https://kg.example.org/graph/article/a> {
  id:article\\/a a kg:Article ;
    schema:headline "Jihadists escape after an attack on a prison"@en .
  id:claim\\/a\\/1 a kg:Claim ; rdfs:label "observation claim"@en .
}
"""
)
SOHR = f"{BASE}id/organization/sohr"


@pytest.fixture(scope="module")
def index() -> SearchIndex:
    """An index over :data:`DATA`."""
    database = pyoxigraph.Store()
    database.load(DATA.encode(), format=pyoxigraph.RdfFormat.TRIG)
    return SearchIndex.from_database(database, base_iri=BASE)


def found(index: SearchIndex, text: str, *, languages: tuple[str, ...] = ("en",)) -> list[str]:
    """The IRIs found for ``text``, best first, without the base."""
    hits = index.search(text, languages=languages, limit=20)
    return [hit.iri.removeprefix(f"{BASE}id/") for hit in hits]


def test_a_french_alias_finds_its_entity_labelled_in_the_readers_language(
    index: SearchIndex,
) -> None:
    (english,) = index.search("OSDH", languages=["en"], limit=20)
    (french,) = index.search("osdh", languages=["fr"], limit=20)
    assert (english.iri, english.label) == (SOHR, "Syrian Observatory for Human Rights")
    assert french.label == "Observatoire syrien des droits de l'Homme"
    assert (english.matched, english.language, english.name_kind) == ("OSDH", "fr", NameKind.ALIAS)
    assert (english.rank, english.kind) == (Rank.EXACT_ALIAS, "organization")


def test_matching_ignores_case_accents_and_punctuation(index: SearchIndex) -> None:
    assert found(index, "hassake") == ["place/hasakah"]
    assert found(index, "HASSAKÉ!") == ["place/hasakah"]
    assert found(index, "al hasakah") == ["place/hasakah"]
    assert found(index, "droits de l’homme") == ["organization/sohr"]


def test_typed_words_match_whole_words_and_word_starts_but_not_word_middles(
    index: SearchIndex,
) -> None:
    assert found(index, "obs") == ["organization/sohr"]
    assert found(index, "observatory syr") == ["organization/sohr"]
    assert found(index, "servatory") == []
    assert found(index, "syrian elephants") == []


def test_exact_labels_rank_before_exact_aliases_before_prefixes_before_other_words(
    index: SearchIndex,
) -> None:
    hits = index.search("sinaa", languages=["en"], limit=20)
    assert [hit.iri.removeprefix(f"{BASE}id/") for hit in hits] == [
        "place/sinaa",
        "facility/sinaa-prison",
        "place/sinaa-road",
        "place/old-sinaa",
    ]
    assert [hit.rank for hit in hits] == [
        Rank.EXACT_LABEL,
        Rank.EXACT_ALIAS,
        Rank.PREFIX,
        Rank.WORDS,
    ]


def test_each_resource_is_listed_once_with_its_best_matching_name(index: SearchIndex) -> None:
    hits = index.search("sinaa prison", languages=["en"], limit=20)
    assert [(hit.label, hit.matched, hit.rank) for hit in hits] == [
        ("Ghwayran prison", "Sinaa prison", Rank.EXACT_ALIAS)
    ]


def test_a_misspelling_finds_the_entity_under_its_label(index: SearchIndex) -> None:
    (hit,) = index.search("ferhad", languages=["en"], limit=20)
    assert (hit.label, hit.matched, hit.name_kind) == (
        "Farhad Shami",
        "Ferhad Sahmi",
        NameKind.MISSPELLING,
    )


def test_articles_and_countries_are_found_but_claims_and_other_sites_are_not(
    index: SearchIndex,
) -> None:
    assert found(index, "jihadists escape") == ["article/a"]
    syria = index.search("syrie", languages=["en"], limit=20)[0]
    assert (syria.label, syria.kind, syria.rank) == ("Syria", "country", Rank.EXACT_LABEL)
    assert found(index, "observ") == ["organization/sohr"]


def test_the_limit_keeps_the_best_hits(index: SearchIndex) -> None:
    assert found(index, "sinaa")[:2] == [
        hit.iri.removeprefix(f"{BASE}id/")
        for hit in index.search("sinaa", languages=["en"], limit=2)
    ]
    assert index.search("sinaa", languages=["en"], limit=0) == []


def test_the_limit_holds_on_a_large_index_of_similar_names() -> None:
    places = "\n".join(
        f"<{BASE}id/place/tal-{n}> a kg:Place ; skos:prefLabel 'Tal {n:04}'@en ."
        for n in range(500)
    )
    database = pyoxigraph.Store()
    database.load(f"{PREFIXES}{places}".encode(), format=pyoxigraph.RdfFormat.TURTLE)
    index = SearchIndex.from_database(database, base_iri=BASE)
    hits = index.search("t", languages=["en"], limit=7)
    assert [hit.label for hit in hits] == [f"Tal {n:04}" for n in range(7)]
    (last,) = index.search("tal 0499", languages=["en"], limit=7)
    assert last.label == "Tal 0499"


@pytest.mark.attack
@pytest.mark.parametrize("text", ['"} ; #', ".*", "(?)", "\\", "$", "<>", "[^]", "|", "\x00"])
def test_sparql_and_regex_metacharacters_are_just_text(index: SearchIndex, text: str) -> None:
    assert found(index, text) == []  # as a pattern, ".*" would match every name
    assert found(index, f"OSDH {text}") == ["organization/sohr"]


def test_a_name_full_of_metacharacters_is_found_by_its_words(index: SearchIndex) -> None:
    assert found(index, 'group ".*" {select}') == ["organization/metachars"]
    assert found(index, "(?i) select") == ["organization/metachars"]


def test_names_tied_but_for_their_resource_rank_alike_however_the_store_lists_them() -> None:
    twins = [
        pyoxigraph.Quad(
            pyoxigraph.NamedNode(f"{BASE}id/place/{name}"),
            predicate,
            term,
            pyoxigraph.NamedNode(f"{BASE}graph/entities"),
        )
        for name in ("zakho-east", "zakho-west", "zakho-north", "zakho-south")
        for predicate, term in (
            (pyoxigraph.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type"), PLACE),
            (LABEL, pyoxigraph.Literal("Zakho", language="en")),
            (LABEL, pyoxigraph.Literal("Zakho", language="ku")),
        )
    ]
    orders = []
    for listed in (twins, twins[::-1], twins[1::2] + twins[::2]):
        database = pyoxigraph.Store()
        for quad in listed:
            database.add(quad)
        hits = SearchIndex.from_database(database, base_iri=BASE).search(
            "zakho", languages=["ar"], limit=10
        )
        orders.append([(hit.iri, hit.language) for hit in hits])
    assert orders[0] == orders[1] == orders[2]
    assert [iri for iri, _language in orders[0]] == sorted(iri for iri, _language in orders[0])


PLACE = pyoxigraph.NamedNode("https://w3id.org/kgpub/ont#Place")
LABEL = pyoxigraph.NamedNode("http://www.w3.org/2004/02/skos/core#prefLabel")


def test_the_search_index_imports_no_flask() -> None:
    code = "import sys, kgpub.web.search_index; print('flask' in sys.modules)"
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert output.stdout.strip() == "False"
