"""The terms of dump pieces: prefixed names, the texts around terms, and the checks.

The rendering as a whole, against Oxigraph's own output, is in tests/test_dump_syntax.py.
"""

from __future__ import annotations

import pytest

from kgpub.dump_terms import (
    Unrewritable,
    check_strings,
    check_terms,
    compact,
    json_string,
    syntax_of,
)

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
XSD = "http://www.w3.org/2001/XMLSchema#"


@pytest.mark.parametrize(
    ("iri", "written"),
    [
        (b"<https://schema.org/name>", b"schema:name"),
        (b"<https://w3id.org/kgpub/ont#a.b_c-1>", b"kg:a.b_c-1"),
        (b"<https://schema.org/a.>", b"<https://schema.org/a.>"),
        (b"<https://schema.org/-a>", b"<https://schema.org/-a>"),
        (b"<https://schema.org/a/b>", b"<https://schema.org/a/b>"),
        (b"<https://schema.org/>", b"<https://schema.org/>"),
        (b"<https://example.org/name>", b"<https://example.org/name>"),
    ],
)
def test_only_a_known_namespace_followed_by_a_plain_local_name_is_compacted(
    iri: bytes, written: bytes
) -> None:
    assert compact(iri) == written


def test_iris_and_plain_blank_node_labels_pass_the_term_check() -> None:
    check_terms([b"<https://e/s>", b"_:b1", b"<urn:x:y>"], [b"<https://e/p>"])


@pytest.mark.parametrize(
    ("terms", "predicates"),
    [
        ([b"<https://e/a b>"], [b"<https://e/p>"]),  # a space no IRI holds
        ([b"<https://e/\\u0041>"], [b"<https://e/p>"]),  # an escape, written as is
        ([b"_:b\xc3\xa9"], [b"<https://e/p>"]),  # a label beyond [A-Za-z0-9_.-]
        ([b"<https://e/s>"], [b"_:p"]),  # a predicate that is no IRI
        ([b"<https://e/s"], [b"<https://e/p>"]),  # an IRI without its closing bracket
        ([b"<https://e/s>x"], [b"<https://e/p>"]),  # a byte after the closing bracket
        ([b"<https://e/s>"], [b"x<https://e/p>"]),  # a byte before a predicate's bracket
        ([b"_:b1", b"<https://e/a b>"], [b"<https://e/p>"]),  # a bad IRI among blank nodes
    ],
)
def test_a_term_the_formats_may_not_take_as_it_is_is_unrewritable(
    terms: list[bytes], predicates: list[bytes]
) -> None:
    with pytest.raises(Unrewritable):
        check_terms(terms, predicates)


def test_strings_with_the_escapes_json_shares_with_n_triples_pass() -> None:
    check_strings([b'"a\\"b\\\\c\\n\\t\\u001F"', b'"\\\\U"'])


@pytest.mark.parametrize(
    "string", [b'"\\U0001F600"', b'"\\\'"', b'"a\x01b"', b'"\\u0041"'], ids=repr
)
def test_a_string_json_would_read_otherwise_is_unrewritable(string: bytes) -> None:
    with pytest.raises(Unrewritable):
        check_strings([string])


def test_json_ld_opens_a_tagged_or_typed_string_as_oxigraph_writes_it() -> None:
    jsonld = syntax_of("jsonld")
    assert jsonld.literal(b"@en") == b'{"@language":"en","@value":'
    assert jsonld.literal(b"") == b'{"@value":'
    datatype = f"<{XSD}date>".encode()
    assert jsonld.literal(b"^^" + datatype) == b'{"@type":' + json_string(datatype) + b',"@value":'
    assert syntax_of("turtle").literal(b"^^" + datatype) == b'"^^xsd:date'


@pytest.mark.parametrize("tail", [f"^^<{RDF}langString>".encode(), b"@en--ltr", b"^^<no-iri>"])
def test_a_datatype_in_rdf_a_base_direction_or_a_relative_datatype_is_unrewritable(
    tail: bytes,
) -> None:
    for name in ("turtle", "jsonld"):
        with pytest.raises(Unrewritable):
            syntax_of(name).literal(tail)
