"""Pieces rewritten as text: the quads of their lines, Oxigraph's own bytes, and fallbacks."""

from __future__ import annotations

import gzip
import subprocess
import sys
from collections.abc import Iterable, Iterator
from contextlib import closing
from pathlib import Path

import pyoxigraph
import pytest
from hypothesis import given
from hypothesis import strategies as st

from kgpub import dump_syntax
from kgpub.dump_pieces import pack_layout
from kgpub.dump_publication import DUMPS_FOLDER
from kgpub.dump_syntax import SYNTAX_NAMES, render_segment, render_segments, render_with_oxigraph
from kgpub.embedded import EmbeddedStore
from kgpub.quads import oxigraph_term
from kgpub.vocab import PREFIXES

from .conftest import dump_bytes
from .test_quads import AWKWARD_LITERALS
from .test_web_fixtures import built_examples

__all__ = ["built_examples"]  # a fixture, imported for pytest

RDF = pyoxigraph.RdfFormat
PIECE_FORMATS = {"turtle": RDF.TURTLE, "trig": RDF.TRIG, "jsonld": RDF.JSON_LD}
XSD = PREFIXES["xsd"]
SUBJECT = pyoxigraph.NamedNode("http://e/s")
PREDICATE = pyoxigraph.NamedNode("http://e/p")
GRAPH = pyoxigraph.NamedNode("http://e/g")


def takes_triples(name: str) -> bool:
    return name == "turtle"


def framed(name: str, pieces: Iterable[bytes]) -> bytes:
    """Pieces as a dump file frames them: after the prefix header, or in one JSON array."""
    if name == "jsonld":
        return b"[" + b",".join(pieces) + b"]"
    return pack_layout(name).header + b"".join(pieces)


def quads_of_file(name: str, data: bytes) -> set[pyoxigraph.Quad]:
    return set(pyoxigraph.parse(data, format=PIECE_FORMATS[name]))


def quads_of_lines(name: str, lines: bytes) -> set[pyoxigraph.Quad]:
    line_format = RDF.N_TRIPLES if takes_triples(name) else RDF.N_QUADS
    # Lenient, as the fallback parses: some segments below hold what only lenient parsing takes.
    return set(pyoxigraph.parse(lines, format=line_format, lenient=True))


def segment_lines(name: str, quads: Iterable[pyoxigraph.Quad]) -> bytes:
    """The quads (or their triples) as a segment holds them: Oxigraph's lines, sorted by graph."""
    keyed = set()
    for quad in quads:
        if takes_triples(name):
            keyed.add((b"", pyoxigraph.serialize([quad.triple], format=RDF.N_TRIPLES)))
        else:
            default = isinstance(quad.graph_name, pyoxigraph.DefaultGraph)
            graph = b"" if default else str(quad.graph_name).encode()
            keyed.add((graph, pyoxigraph.serialize([quad], format=RDF.N_QUADS)))
    return b"".join(line for _, line in sorted(keyed))


def cut(name: str, lines: bytes, *, every: int) -> list[bytes]:
    """Segments of ``lines`` as the dumps cut them: at a change of subject (triples) or of
    graph (quads), once a segment holds ``every`` lines."""
    line_format = RDF.N_TRIPLES if takes_triples(name) else RDF.N_QUADS
    segments: list[list[bytes]] = [[]]
    previous = None
    for line in lines.splitlines(keepends=True):
        (quad,) = pyoxigraph.parse(line, format=line_format)
        group = quad.subject if takes_triples(name) else quad.graph_name
        if len(segments[-1]) >= every and group != previous:
            segments.append([])
        segments[-1].append(line)
        previous = group
    return [b"".join(segment) for segment in segments]


def refuse_fallbacks(patch: pytest.MonkeyPatch) -> None:
    def refuse(lines: bytes, name: str) -> bytes:
        raise AssertionError(f"the fast path fell back for {name}:\n{lines.decode()[:2000]}")

    patch.setattr(dump_syntax, "render_with_oxigraph", refuse)


@pytest.fixture
def fast_only(monkeypatch: pytest.MonkeyPatch) -> None:
    """Fail any test that lets a segment fall back to pyoxigraph."""
    refuse_fallbacks(monkeypatch)


@pytest.fixture
def fallbacks(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The formats rendered by falling back to pyoxigraph, in order."""
    names: list[str] = []

    def record(lines: bytes, name: str) -> bytes:
        names.append(name)
        return render_with_oxigraph(lines, name)

    monkeypatch.setattr(dump_syntax, "render_with_oxigraph", record)
    return names


@pytest.fixture(scope="module")
def example_lines(built_examples: Path) -> dict[str, bytes]:
    """The examples' published N-Triples and N-Quads dumps: the lines of every segment."""
    with closing(EmbeddedStore(built_examples / ".kgpub" / "store")) as store:
        build = store.current_build()
    assert build is not None
    folder = build / DUMPS_FOLDER
    triples = gzip.decompress(dump_bytes(folder, "kgpub.nt.gz"))
    quads = gzip.decompress(dump_bytes(folder, "kgpub.nq.gz"))
    assert triples.count(b"\n") > 1000 and quads.count(b"\n") > 1000
    return {name: triples if takes_triples(name) else quads for name in SYNTAX_NAMES}


@pytest.mark.parametrize("name", SYNTAX_NAMES)
def test_the_examples_come_out_as_the_quads_of_their_lines_without_falling_back(
    name: str, example_lines: dict[str, bytes], fast_only: None
) -> None:
    lines = example_lines[name]
    assert quads_of_file(name, framed(name, [render_segment(lines, name)])) == quads_of_lines(
        name, lines
    )


@pytest.mark.parametrize("name", SYNTAX_NAMES)
def test_the_examples_come_out_byte_for_byte_as_oxigraph_writes_them(
    name: str, example_lines: dict[str, bytes], fast_only: None
) -> None:
    lines = example_lines[name]
    assert render_segment(lines, name) == render_with_oxigraph(lines, name)


def test_trig_and_json_ld_rendered_together_are_the_pieces_rendered_apart(
    example_lines: dict[str, bytes], fast_only: None
) -> None:
    lines = example_lines["trig"]
    pieces = render_segments(lines, ["trig", "jsonld", "trig"])
    assert pieces == {
        "trig": render_segment(lines, "trig"),
        "jsonld": render_segment(lines, "jsonld"),
    }
    assert render_segments(lines, ["jsonld"]) == {"jsonld": pieces["jsonld"]}


@pytest.mark.parametrize("name", SYNTAX_NAMES)
def test_the_pieces_of_the_examples_after_one_header_parse_to_their_union(
    name: str, example_lines: dict[str, bytes], fast_only: None
) -> None:
    lines = example_lines[name]
    segments = cut(name, lines, every=200)
    assert len(segments) > 3
    pieces = [render_segment(segment, name) for segment in segments]
    assert quads_of_file(name, framed(name, pieces)) == quads_of_lines(name, lines)


LANGUAGES = st.sampled_from(["en", "fr", "ar", "zh-Hant", "EN-GB", "de-CH-1996", "i-klingon"])
ESCAPE_LIKE = ['"', "\\", "\\u0041", "\\U0001F600", "\\n", '\\"', "@en", "^^<x>", " . ", "<<("]
RAW = ["\n", "\r", "\t", "\b", "\f", "\x00", "\x1f", "\x7f", "\u2028", "\U0001f600", "é", " "]
FRAGMENTS = st.sampled_from([*ESCAPE_LIKE, *RAW, "_:b"])
"""What N-Triples escapes, what only looks like an escape or a term, and what JSON must escape."""
AWKWARD_TEXT = st.lists(FRAGMENTS | st.characters(codec="utf-8"), max_size=12).map("".join)
NUMERAL_TEXT = st.text("0123456789+-.eE", max_size=6) | st.sampled_from(["true", "false", "True"])
NUMERIC_DATATYPES = [f"{XSD}{name}" for name in ("integer", "decimal", "double", "boolean")]
OTHER_DATATYPES = [f"{XSD}date", f"{XSD}string", PREFIXES["geo"] + "wktLiteral", "http://e/t"]
DATATYPES = st.sampled_from(
    [
        *NUMERIC_DATATYPES,
        *OTHER_DATATYPES,
        "urn:x:t",
        "https://schema.org/a.",
        "https://s.org/%C3%A9",
    ]
)
LOCAL_PARTS = st.text("abcXYZ019_-.%~!$&'()*+,;=:/#éA", max_size=6)
NAMESPACES = st.sampled_from(sorted({*PREFIXES.values(), "http://e/", "urn:x:"}))


def is_iri(text: str) -> bool:
    try:
        pyoxigraph.NamedNode(text)
    except ValueError:
        return False
    return True


IRIS = st.builds(str.__add__, NAMESPACES, LOCAL_PARTS).filter(is_iri).map(pyoxigraph.NamedNode)
BLANK_NODES = st.sampled_from(["b0", "node1", "x-y", "a.b", "_under"]).map(pyoxigraph.BlankNode)
LITERALS = st.one_of(
    st.builds(pyoxigraph.Literal, AWKWARD_TEXT),
    st.builds(lambda text, tag: pyoxigraph.Literal(text, language=tag), AWKWARD_TEXT, LANGUAGES),
    st.builds(
        lambda text, datatype: pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(datatype)),
        AWKWARD_TEXT | NUMERAL_TEXT,
        DATATYPES,
    ),
)
GRAPHS = IRIS | BLANK_NODES | st.just(pyoxigraph.DefaultGraph())
QUADS = st.lists(
    st.builds(pyoxigraph.Quad, IRIS | BLANK_NODES, IRIS, IRIS | BLANK_NODES | LITERALS, GRAPHS),
    max_size=25,
)


@given(quads=QUADS, every=st.integers(min_value=1, max_value=30))
def test_any_quads_come_out_as_the_quads_of_their_lines_in_pieces_without_falling_back(
    quads: list[pyoxigraph.Quad], every: int
) -> None:
    with pytest.MonkeyPatch.context() as patch:
        refuse_fallbacks(patch)
        for name in SYNTAX_NAMES:
            lines = segment_lines(name, quads)
            pieces = [render_segment(segment, name) for segment in cut(name, lines, every=every)]
            assert quads_of_file(name, framed(name, pieces)) == quads_of_lines(name, lines)
        lines = segment_lines("trig", quads)
        together = render_segments(lines, ("jsonld", "trig"))
        assert together == {name: render_segment(lines, name) for name in ("trig", "jsonld")}


@pytest.mark.parametrize("name", SYNTAX_NAMES)
def test_the_awkward_literals_of_the_quads_tests_come_out_as_their_quads(
    name: str, fast_only: None
) -> None:
    quads = [
        pyoxigraph.Quad(SUBJECT, PREDICATE, oxigraph_term(literal), GRAPH)
        for literal in AWKWARD_LITERALS
    ]
    lines = segment_lines(name, quads)
    assert len(quads_of_lines(name, lines)) == len(AWKWARD_LITERALS)
    piece = render_segment(lines, name)
    assert quads_of_file(name, framed(name, [piece])) == quads_of_lines(name, lines)


@given(text=NUMERAL_TEXT, datatype=st.sampled_from(NUMERIC_DATATYPES))
def test_numbers_and_booleans_are_bare_exactly_where_oxigraph_writes_them_bare(
    text: str, datatype: str
) -> None:
    literal = pyoxigraph.Literal(text, datatype=pyoxigraph.NamedNode(datatype))
    for name in ("turtle", "trig"):
        lines = segment_lines(name, [pyoxigraph.Quad(SUBJECT, PREDICATE, literal, GRAPH)])
        assert render_segment(lines, name) == render_with_oxigraph(lines, name)


def test_a_json_ld_piece_is_the_expanded_form_oxigraph_writes(fast_only: None) -> None:
    integer = pyoxigraph.NamedNode(f"{XSD}integer")
    lines = (
        b'<http://e/t> <http://e/p> "c" .\n'  # the default graph's lines come first
        b'<http://e/s> <http://e/p> "a\\"b"@en <http://e/g> .\n'
        b'<http://e/s> <http://e/p> "1"^^%s <http://e/g> .\n'
        b"<http://e/s> <http://e/q> _:b1 <http://e/g> .\n"
    ) % str(integer).encode()
    piece = render_segment(lines, "jsonld")
    assert piece == render_with_oxigraph(lines, "jsonld")
    assert piece.startswith(
        b'{"@id":"http://e/t","http://e/p":[{"@value":"c"}]},{"@id":"http://e/g"'
    )


@pytest.mark.parametrize("local", ["a.", "a%20b", "é", "a/b", "", "-a", ".a", "a:b", "a'b", "a~b"])
def test_an_iri_whose_local_part_is_not_a_safe_local_name_stays_in_angle_brackets(
    local: str, fast_only: None
) -> None:
    iri = pyoxigraph.NamedNode(f"https://schema.org/{local}")
    quad = pyoxigraph.Quad(iri, iri, pyoxigraph.Literal("x", datatype=iri), iri)
    for name, places in (("turtle", 3), ("trig", 4)):
        lines = segment_lines(name, [quad])
        piece = render_segment(lines, name)
        assert piece.count(str(iri).encode()) == places
        assert quads_of_file(name, framed(name, [piece])) == quads_of_lines(name, lines)


@pytest.mark.parametrize(
    ("iri", "prefixed"),
    [
        ("https://schema.org/name", "schema:name"),
        ("http://www.wikidata.org/entity/Q42", "wd:Q42"),
        ("https://w3id.org/kgpub/ont#a.b_c-1", "kg:a.b_c-1"),
        ("https://w3id.org/kgpub/vocab/event-type/attack", "eventtype:attack"),
        (f"{XSD}date", "xsd:date"),
    ],
)
def test_an_iri_whose_local_part_is_a_safe_local_name_is_written_with_its_prefix(
    iri: str, prefixed: str, fast_only: None
) -> None:
    node = pyoxigraph.NamedNode(iri)
    quad = pyoxigraph.Quad(node, node, pyoxigraph.Literal("x", datatype=node), node)
    for name, places in (("turtle", 3), ("trig", 4)):
        piece = render_segment(segment_lines(name, [quad]), name)
        assert str(node).encode() not in piece
        assert piece.count(prefixed.encode()) == places


UNREWRITABLE = {
    "a \\U escape": ('<http://e/s> <http://e/p> "\\U0001F600"{g} .\n', ["jsonld"]),
    "a \\' escape": ('<http://e/s> <http://e/p> "it\\\'s"{g} .\n', ["jsonld"]),
    "a raw tab in a string": ('<http://e/s> <http://e/p> "a\tb"{g} .\n', ["jsonld"]),
    "predicates out of order": (
        '<http://e/s> <http://e/q> "1"{g} .\n<http://e/s> <http://e/p> "2"{g} .\n',
        ["jsonld"],
    ),
    "a base direction": ('<http://e/s> <http://e/p> "a"@en--ltr{g} .\n', SYNTAX_NAMES),
    "a triple term": (
        "<http://e/s> <http://e/p> <<( <http://e/a> <http://e/b> <http://e/c> )>>{g} .\n",
        ["turtle", "trig"],  # Oxigraph writes no triple term in JSON-LD either
    ),
    "an rdf: datatype": (
        '<http://e/s> <http://e/p> "<b>x</b>"^^<' + PREFIXES["rdf"] + "HTML>{g} .\n",
        SYNTAX_NAMES,
    ),
    "an escape in an IRI": ("<http://e/s> <http://e/p> <http://e/\\u0041>{g} .\n", SYNTAX_NAMES),
    "a label beyond ASCII": ('_:é <http://e/p> "x"{g} .\n', SYNTAX_NAMES),
    "two spaces": ('<http://e/s>  <http://e/p> "x"{g} .\n', SYNTAX_NAMES),
    "tabs": ('<http://e/s>\t<http://e/p>\t"x"{g}\t.\n', SYNTAX_NAMES),
    "no space before the dot": ("<http://e/s> <http://e/p> <http://e/o>{g}.\n", SYNTAX_NAMES),
    "a comment": ('# a comment\n<http://e/s> <http://e/p> "x"{g} .\n', SYNTAX_NAMES),
    "a raw carriage return": ('<http://e/s> <http://e/p> "a\rb"{g} .\n', SYNTAX_NAMES),
    "a blank line": ('\n<http://e/s> <http://e/p> "x"{g} .\n', SYNTAX_NAMES),
    "no newline after the last line": ('<http://e/s> <http://e/p> "x"{g} .', SYNTAX_NAMES),
}


def unrewritable_cases() -> Iterator[tuple[str, str, str]]:
    for what, (template, names) in UNREWRITABLE.items():
        for name in names:
            yield what, name, template.format(g="" if takes_triples(name) else " <http://e/g>")


@pytest.mark.parametrize(("what", "name", "lines"), list(unrewritable_cases()))
def test_a_segment_the_fast_path_cannot_rewrite_falls_back_and_still_comes_out_right(
    what: str, name: str, lines: str, fallbacks: list[str]
) -> None:
    piece = render_segment(lines.encode(), name)
    assert fallbacks == [name], what
    assert quads_of_file(name, framed(name, [piece])) == quads_of_lines(name, lines.encode())


@pytest.mark.parametrize("what", ["a \\U escape", "a base direction"])
def test_trig_and_json_ld_rendered_together_fall_back_together(
    what: str, fallbacks: list[str]
) -> None:
    lines = UNREWRITABLE[what][0].format(g=" <http://e/g>").encode()
    pieces = render_segments(lines, ("trig", "jsonld"))
    assert sorted(fallbacks) == sorted(pieces) == ["jsonld", "trig"]
    for name, piece in pieces.items():
        assert quads_of_file(name, framed(name, [piece])) == quads_of_lines(name, lines)


def test_turtle_is_not_rendered_with_trig_or_json_ld_which_take_quads() -> None:
    with pytest.raises(ValueError, match="Turtle"):
        render_segments(b"", ("turtle", "trig"))


@pytest.mark.parametrize("name", ["turtle", "trig"])
def test_escapes_json_lacks_are_copied_into_turtle_and_trig_which_have_them(
    name: str, fast_only: None
) -> None:
    lines = UNREWRITABLE["a \\U escape"][0].format(g="" if takes_triples(name) else " <http://e/g>")
    piece = render_segment(lines.encode(), name)
    assert b"\\U0001F600" in piece
    assert quads_of_file(name, framed(name, [piece])) == quads_of_lines(name, lines.encode())


def test_the_same_lines_give_the_same_bytes_whatever_the_hash_seed(
    example_lines: dict[str, bytes], tmp_path: Path
) -> None:
    script = (
        "import sys\n"
        "from kgpub.dump_syntax import render_segment\n"
        "lines = open(sys.argv[1], 'rb').read()\n"
        "sys.stdout.buffer.write(render_segment(lines, sys.argv[2]))\n"
    )
    for name in SYNTAX_NAMES:
        segment = cut(name, example_lines[name], every=300)[1]
        (tmp_path / name).write_bytes(segment)
        written = {
            subprocess.run(
                [sys.executable, "-c", script, str(tmp_path / name), name],
                capture_output=True,
                check=True,
                env={"PYTHONHASHSEED": seed},
            ).stdout
            for seed in ("1", "2", "3")
        }
        assert written == {render_segment(segment, name)}


def test_an_empty_segment_is_an_empty_piece(fast_only: None) -> None:
    assert [render_segment(b"", name) for name in SYNTAX_NAMES] == [b""] * len(SYNTAX_NAMES)


NOT_N_QUADS = [
    "<http://e/s> <http://e/p> .\n",
    "<http://e/s> p<http://e/p> <http://e/o>{g} .\n",
    "<http://e/s> <http://e/p> <http://e/o>x{g} .\n",
    '<http://e/s> <http://e/p> "o"x{g} .\n',
    '<http://e/s> <http://e/p> "o"@{g} .\n',
]


@pytest.mark.parametrize("name", SYNTAX_NAMES)
@pytest.mark.parametrize("template", NOT_N_QUADS)
def test_lines_that_are_not_n_quads_raise_the_parsers_syntax_error(
    template: str, name: str
) -> None:
    lines = template.format(g="" if takes_triples(name) else " <http://e/g>").encode()
    with pytest.raises(SyntaxError):
        render_segment(lines, name)


def test_a_format_it_does_not_write_is_refused() -> None:
    with pytest.raises(ValueError, match="nquads"):
        render_segment(b"", "nquads")
