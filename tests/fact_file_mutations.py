"""Mutated collections: valid ones broken the ways editors, tools and attackers break them.

A :class:`Mutation` changes a :class:`~tests.fact_file_collections.Draft` at one of three
stages: its data (:mod:`tests.fact_file_data_mutations`), the text of one file (duplicate keys,
alias bombs, tabs, truncation, documents that are not a mapping, YAML tags, line endings) or
its bytes (byte order marks, bytes that are not UTF-8, NUL). Each says where kgpub must refuse
the result at the latest: while ``load``-ing it, or in ``validation`` against the shapes; one
that may leave the collection valid promises nothing.
"""

from __future__ import annotations

import copy
import re
from collections.abc import Callable
from dataclasses import dataclass

from hypothesis import strategies as st

from . import fact_file_data_mutations as data
from .fact_file_collections import Draft, valid_collections


@dataclass(frozen=True)
class Mutation:
    """One way to break a collection; ``apply`` returns False where it does not apply."""

    name: str
    stage: int
    """0 changes data, 1 the text of a file, 2 its bytes: applied in that order."""
    refused_by: str | None
    apply: Callable[[st.DrawFn, Draft], bool]


@st.composite
def mutated_collections(draw: st.DrawFn, bases: tuple[Draft, ...] = ()) -> Draft:
    """A valid collection (drawn, or one of ``bases``) with one to three mutations.

    A draft with one mutation promises its refusal (:attr:`Draft.refused_by`); several may
    undo each other, and promise nothing.
    """
    draft = copy.deepcopy(draw(st.sampled_from(bases)) if bases else draw(valid_collections()))
    chosen = draw(st.lists(st.sampled_from(MUTATIONS), min_size=1, max_size=3))
    applied = [m for m in sorted(chosen, key=lambda m: m.stage) if m.apply(draw, draft)]
    if not applied and UNKNOWN_FIELD.apply(draw, draft):
        applied = [UNKNOWN_FIELD]
    draft.mutations = [m.name for m in applied]
    draft.refused_by = applied[0].refused_by if len(applied) == 1 else None
    return draft


def _text_path(draw: st.DrawFn, draft: Draft, suffixes: tuple[str, ...] = ()) -> str:
    every = draft.paths()
    paths = [path for path in every if not suffixes or path.endswith(suffixes)]
    return draw(st.sampled_from(paths or every))


def _rewrite(draft: Draft, path: str, text: str) -> bool:
    draft.raw[path] = text.encode("utf-8", "surrogateescape")
    return True


def duplicate_key(draw: st.DrawFn, draft: Draft) -> bool:
    """A key given twice in one mapping."""
    path = _text_path(draw, draft)
    text = draft.text(path)
    lines = text.splitlines(keepends=True)
    block = [n for n, line in enumerate(lines) if re.match(r"\s*[\w-]+: \S", line)]
    if block and not path.endswith(".json"):
        number = draw(st.sampled_from(block))
        return _rewrite(draft, path, "".join(lines[: number + 1] + lines[number:]))
    flow = re.search(r"\{(\s*)(\"(?:[^\"\\]|\\.)*\"|[\w-]+):", text)
    if flow is None:
        return False
    indent, key = flow[1], flow[2]
    twice = f"{{{indent}{key}: 0,{indent}{key}:"
    return _rewrite(draft, path, text[: flow.start()] + twice + text[flow.end() :])


def alias_bomb(draw: st.DrawFn, draft: Draft) -> bool:
    """Aliases that expand to a billion values, or into themselves."""
    path = _text_path(draw, draft, (".yaml", ".yml"))
    if draw(st.booleans()):
        bomb = "lol0: &l0 [lol, lol, lol, lol, lol, lol, lol, lol, lol, lol]\n"
        bomb += "".join(f"lol{n}: &l{n} [{', '.join([f'*l{n - 1}'] * 10)}]\n" for n in range(1, 9))
    else:
        bomb = "itself: &itself [a, *itself]\n"
    return _rewrite(draft, path, bomb + draft.text(path))


def tab_indentation(draw: st.DrawFn, draft: Draft) -> bool:
    """Tabs where YAML allows only spaces."""
    path = _text_path(draw, draft)
    lines = draft.text(path).splitlines(keepends=True)
    indented = [n for n, line in enumerate(lines) if line.startswith("  ")]
    if not indented:
        return False
    number = draw(st.sampled_from(indented))
    lines[number] = "\t" + lines[number].lstrip(" ")
    return _rewrite(draft, path, "".join(lines))


def truncation(draw: st.DrawFn, draft: Draft) -> bool:
    """A file cut short, as by a full disk or an interrupted copy."""
    path = _text_path(draw, draft)
    text = draft.text(path)
    return _rewrite(draft, path, text[: draw(st.integers(0, max(len(text) - 1, 0)))])


def not_a_mapping(draw: st.DrawFn, draft: Draft) -> bool:
    """A file that is empty, a comment, a list, a scalar, or several documents."""
    path = _text_path(draw, draft)
    documents = ("", "  \n", "# nothing yet\n", "[]\n", "- a\n- b\n", "just text\n", "null\n")
    documents += ("42\n", "---\na: 1\n---\nb: 2\n", "...\n", '"quoted"\n')
    return _rewrite(draft, path, draw(st.sampled_from(documents)))


def yaml_tags(draw: st.DrawFn, draft: Draft) -> bool:
    """Explicit YAML tags, including ones that make unsafe loaders run code."""
    path = _text_path(draw, draft, (".yaml", ".yml"))
    lines = draft.text(path).splitlines(keepends=True)
    values = [n for n, line in enumerate(lines) if re.match(r"\s*[\w-]+: [^\s{\[&*!|>]", line)]
    if not values:
        return False
    number = draw(st.sampled_from(values))
    tag = draw(st.sampled_from(("!!python/object/apply:os.system", "!!binary", "!!int", "!x")))
    key, _, value = lines[number].partition(": ")
    lines[number] = f"{key}: {tag} {value}"
    return _rewrite(draft, path, "".join(lines))


def line_endings(draw: st.DrawFn, draft: Draft) -> bool:
    """Windows or old Mac line endings."""
    path = _text_path(draw, draft)
    return _rewrite(
        draft, path, draft.text(path).replace("\n", draw(st.sampled_from(("\r\n", "\r"))))
    )


def byte_order_mark(draw: st.DrawFn, draft: Draft) -> bool:
    """A UTF-8 byte order mark, at the start or anywhere."""
    path = _text_path(draw, draft)
    content = draft.text(path).encode("utf-8", "surrogatepass")
    at = 0 if draw(st.booleans()) else draw(st.integers(0, len(content)))
    draft.raw[path] = content[:at] + b"\xef\xbb\xbf" + content[at:]
    return True


def not_utf8(draw: st.DrawFn, draft: Draft) -> bool:
    """Bytes that are not UTF-8: a stray byte, Latin-1 or UTF-16 text, a NUL."""
    path = _text_path(draw, draft)
    content = draft.raw.get(path) or draft.text(path).encode("utf-8", "surrogatepass")
    kind = draw(st.integers(0, 3))
    at = draw(st.integers(0, len(content)))
    if kind == 0:
        draft.raw[path] = content[:at] + b"\xff" + content[at:]
    elif kind == 1:
        text = content.decode("utf-8", "replace") + "é"
        draft.raw[path] = text.encode("latin-1", "replace")
    elif kind == 2:
        draft.raw[path] = content.decode("utf-8", "replace").encode("utf-16")
    else:
        draft.raw[path] = content[:at] + b"\x00" + content[at:]
    return True


UNKNOWN_FIELD = Mutation("unknown field", 0, "load", data.unknown_field)
MUTATIONS = (
    Mutation("missing required field", 0, "load", data.missing_required),
    UNKNOWN_FIELD,
    Mutation("look-alike field name", 0, "load", data.look_alike_field),
    Mutation("wrong type", 0, None, data.wrong_type),
    Mutation("huge value", 0, None, data.huge_value),
    Mutation("deep nesting", 0, "load", data.deep_nesting),
    Mutation("unicode trick", 0, None, data.unicode_trick),
    Mutation("impossible date", 0, "load", data.impossible_date),
    Mutation("inconsistent figure", 0, "validation", data.inconsistent_figure),
    Mutation("cyclic containment", 0, "load", data.cyclic_containment),
    Mutation("contradictory claim", 0, "validation", data.contradictory_claim),
    Mutation("broken keys", 0, "load", data.broken_keys),
    Mutation("unknown reference", 0, "load", data.unknown_reference),
    Mutation("shared anchor", 0, None, data.shared_anchor),
    Mutation("duplicate key", 1, "load", duplicate_key),
    Mutation("alias bomb", 1, "load", alias_bomb),
    Mutation("tab indentation", 1, None, tab_indentation),
    Mutation("truncation", 1, None, truncation),
    Mutation("not a mapping", 1, "load", not_a_mapping),
    Mutation("YAML tags", 1, None, yaml_tags),
    Mutation("line endings", 1, None, line_endings),
    Mutation("byte order mark", 2, None, byte_order_mark),
    Mutation("not UTF-8", 2, "load", not_utf8),
)
