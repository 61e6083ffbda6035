"""Random, reproducible damage to a published graph, to compare the screen with pySHACL.

Shared by tests/test_screening.py and benchmarks/screen_differential.py. Each mutation is one
thing an editor, a mapper bug or a hostile file could do to the triples: drop one, add a
second value, change a literal's datatype or form, point a link elsewhere, retype a node.
"""

from __future__ import annotations

import random
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path

from rdflib import RDF, XSD, Graph, Literal, URIRef
from rdflib.term import Node

from kgpub.collection import load_collection
from kgpub.iris import IriScheme
from kgpub.mapper import map_collection
from kgpub.validate import union_graph

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
SEED_ARTICLE = "letemps-2022-01-ghwayran.yaml"
KG = "https://w3id.org/kgpub/ont#"
GEO_WKT = URIRef("http://www.opengis.net/ont/geosparql#wktLiteral")
Triple = tuple[Node, Node, Node]

ODD_LITERALS = [
    Literal("0000", datatype=XSD.gYear),
    Literal("2022-13", datatype=XSD.gYearMonth),
    Literal("2022-02-30", datatype=XSD.date),
    Literal("0000-01-01", datatype=XSD.date),
    Literal("2022-01-05Z", datatype=XSD.date),
    Literal("20220105", datatype=XSD.date),
    Literal("2022-01-05", datatype=XSD.date),
    Literal("2022-01", datatype=XSD.gYearMonth),
    Literal("2022", datatype=XSD.gYear),
    Literal("2022\n", datatype=XSD.gYear),
    Literal("-1", datatype=XSD.integer),
    Literal("0", datatype=XSD.integer),
    Literal("01", datatype=XSD.integer),
    Literal("1.5", datatype=XSD.integer),
    Literal("12000", datatype=XSD.decimal),
    Literal("twelve"),
    Literal(""),
    Literal("Ghwayran", lang="en"),
    Literal("Ghwayran", lang="EN"),
    Literal("غويران", lang="ar"),
    Literal("POINT(40.7 36.5)", datatype=GEO_WKT),
    Literal("POINT(400 36.5)", datatype=GEO_WKT),
    Literal("SY"),
    Literal("sy"),
    Literal("https://example.org/"),
    Literal("Q123"),
    Literal("Q0123"),
]
ODD_CLASSES = [URIRef(KG + name) for name in ("Article", "Claim", "Event", "Observation")]


def _drop(graph: Graph, rng: random.Random) -> str:
    triple = rng.choice(sorted(graph))
    graph.remove(triple)
    return f"dropped {_show(triple)}"


def _second_value(graph: Graph, rng: random.Random) -> str:
    subject, predicate, _ = rng.choice(sorted(graph))
    others = sorted(set(graph.objects(None, predicate)) | set(ODD_LITERALS))
    value = rng.choice(others)
    graph.add((subject, predicate, value))
    return f"added {_show((subject, predicate, value))}"


def _odd_literal(graph: Graph, rng: random.Random) -> str:
    literals = sorted(t for t in graph if isinstance(t[2], Literal))
    subject, predicate, old = rng.choice(literals)
    value = rng.choice(ODD_LITERALS)
    graph.remove((subject, predicate, old))
    graph.add((subject, predicate, value))
    return f"replaced {old.n3()} by {value.n3()} on {predicate.n3()}"


def _relink(graph: Graph, rng: random.Random) -> str:
    links = sorted(t for t in graph if isinstance(t[2], URIRef) and t[1] != RDF.type)
    subject, predicate, old = rng.choice(links)
    nodes = sorted({t[0] for t in graph} | {t[2] for t in links})
    value = rng.choice(nodes)
    graph.remove((subject, predicate, old))
    graph.add((subject, predicate, value))
    return f"pointed {predicate.n3()} of {subject.n3()} at {value.n3()} instead of {old.n3()}"


def _self_link(graph: Graph, rng: random.Random) -> str:
    links = sorted(t for t in graph if isinstance(t[2], URIRef) and t[1] != RDF.type)
    subject, predicate, _ = rng.choice(links)
    graph.add((subject, predicate, subject))
    return f"linked {subject.n3()} to itself by {predicate.n3()}"


def _retype(graph: Graph, rng: random.Random) -> str:
    typed = sorted(graph.triples((None, RDF.type, None)))
    subject, _, old = rng.choice(typed)
    value = rng.choice(ODD_CLASSES)
    graph.remove((subject, RDF.type, old))
    graph.add((subject, RDF.type, value))
    return f"retyped {subject.n3()} from {old.n3()} to {value.n3()}"


def _drop_property(graph: Graph, rng: random.Random) -> str:
    subject, predicate, _ = rng.choice(sorted(graph))
    graph.remove((subject, predicate, None))
    return f"dropped every {predicate.n3()} of {subject.n3()}"


MUTATIONS: list[Callable[[Graph, random.Random], str]] = [
    _drop,
    _second_value,
    _odd_literal,
    _relink,
    _self_link,
    _retype,
    _drop_property,
]


def seed_article_graph(iris: IriScheme) -> Graph:
    """The registry of examples/ and its seed article, mapped: what the first article publishes."""
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        (root / "articles").mkdir()
        shutil.copy(EXAMPLES / "registry.yaml", root / "registry.yaml")
        shutil.copy(EXAMPLES / "articles" / SEED_ARTICLE, root / "articles" / SEED_ARTICLE)
        return union_graph(map_collection(load_collection(root), iris=iris))


def mutated(graph: Graph, seed: int, steps: int = 2) -> tuple[Graph, list[str]]:
    """A copy of ``graph`` with ``steps`` random mutations, and what each one did."""
    rng = random.Random(seed)  # noqa: S311 - reproducible damage, not secrets
    copy = Graph()
    for triple in graph:
        copy.add(triple)
    done = [rng.choice(MUTATIONS)(copy, rng) for _ in range(steps)]
    return copy, done


def _show(triple: Triple) -> str:
    return " ".join(term.n3() for term in triple)
