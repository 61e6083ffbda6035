"""Canned queries: the ``.rq`` files of a collection's ``queries/`` folder, as stable URLs.

Each file ``queries/<name>.rq`` is served at ``/queries/<name>``. Its leading comment lines
describe it::

    # Events at a facility, in date order            <- the title: the first line
    # Every event reported at the facility, with     <- the description: the other lines
    # who reports it.
    # param: facility (iri) default <https://kg.example.org/id/facility/ghwayran-prison>
    # param: since (date) -- only events on or after this day
    PREFIX kg: <https://w3id.org/kgpub/ont#>
    SELECT ?facility ?since ?event ...

A parameter line reads ``param: NAME (TYPE) [default VALUE] [-- DESCRIPTION]``. ``NAME`` is a
variable of the query, bound before evaluation with Oxigraph's substitutions (SEP-0007): the
value is turned into an RDF term of ``TYPE`` and never pasted into the query text. Oxigraph
binds only variables the ``SELECT`` projects, so a parameter must be listed there (or the query
uses ``SELECT *``). ``TYPE`` is one of ``iri``, ``string``, ``string@LANG`` (a literal in that
language), ``integer``, ``decimal``, ``date``, ``datetime`` or ``boolean``. Without a default
a parameter left out stays unbound, so the query answers for every value. A default IRI is
written ``<…>`` or bare, a default string may be quoted (``"…"``, with JSON's escapes); in a
request, values are given as they are (``/queries/x?facility=https://…&since=2022-01-20``).
"""

from __future__ import annotations

import datetime
import decimal
import json
import re
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph
from rdflib.namespace import XSD

from kgpub.errors import BadRequest, ConfigError
from kgpub.sparql_tokens import outline

QUERIES_FOLDER = "queries"
QUERY_SUFFIX = ".rq"
RESERVED_PARAMETERS = ("format", "output", "timeout")
"""Request parameters that mean the same for every query, so no query may declare them."""
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")
_PARAMETER = re.compile(
    r"param:\s*(?P<name>[A-Za-z_]\w*)\s*\((?P<type>[a-z]+(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*)?)\)"
    r'(?:\s+default\s+(?P<default>"(?:[^"\\]|\\.)*"|\S+))?'
    r"(?:\s+--\s*(?P<description>.*))?\s*$"
)
_DATATYPES = {
    "integer": XSD.integer,
    "decimal": XSD.decimal,
    "date": XSD.date,
    "datetime": XSD.dateTime,
    "boolean": XSD.boolean,
}
PARAMETER_TYPES = ("iri", "string", "string@LANG", *_DATATYPES)
Term = pyoxigraph.NamedNode | pyoxigraph.Literal


@dataclass(frozen=True)
class QueryParameter:
    """A variable a canned query lets its users bind."""

    name: str
    type: str
    default: str | None
    description: str

    def term(self, value: str) -> Term:
        """The RDF term ``value`` stands for.

        >>> QueryParameter("n", "integer", None, "").term("12")
        <Literal value=12 datatype=<NamedNode value=http://www.w3.org/2001/XMLSchema#integer>>

        :raises BadRequest: naming the parameter when the value does not fit its type.
        """
        text = value.strip()
        try:
            if self.type == "iri":
                iri = text[1:-1] if text.startswith("<") and text.endswith(">") else text
                if ":" not in iri:
                    raise ValueError("an absolute IRI is needed, e.g. https://…")
                return pyoxigraph.NamedNode(iri)
            if self.type.startswith("string"):
                language = self.type.partition("@")[2] or None
                return pyoxigraph.Literal(value, language=language)
            return pyoxigraph.Literal(_lexical_form(self.type, text), datatype=_datatype(self.type))
        except (ValueError, decimal.InvalidOperation) as error:
            raise BadRequest(
                f"parameter {self.name!r} must be {_article(self.type)} {self.type}, "
                f"not {value!r} ({error})"
            ) from None


def _datatype(type_name: str) -> pyoxigraph.NamedNode:
    return pyoxigraph.NamedNode(str(_DATATYPES[type_name]))


def _lexical_form(type_name: str, text: str) -> str:
    """The canonical lexical form of ``text`` as a ``type_name``; ValueError if it is not one."""
    if type_name == "integer":
        return str(int(text))
    if type_name == "decimal":
        return str(decimal.Decimal(text))
    if type_name == "date":
        return datetime.date.fromisoformat(text).isoformat()
    if type_name == "datetime":
        return datetime.datetime.fromisoformat(text).isoformat()
    if text.lower() in ("true", "1", "false", "0"):
        return "true" if text.lower() in ("true", "1") else "false"
    raise ValueError("use true or false")


def _article(type_name: str) -> str:
    return "an" if type_name[0] in "aeiou" else "a"


@dataclass(frozen=True)
class CannedQuery:
    """One ``.rq`` file, with what its leading comments say about it."""

    name: str
    title: str
    description: str
    sparql: str
    form: str
    """``select``, ``ask``, ``construct`` or ``describe``."""
    parameters: tuple[QueryParameter, ...]
    source: Path

    def bindings(self, values: dict[str, str]) -> tuple[tuple[str, Term], ...]:
        """The substitutions for request parameters ``values`` (defaults fill the gaps).

        :raises BadRequest: for an unknown parameter or a value of the wrong type.
        """
        known = {parameter.name: parameter for parameter in self.parameters}
        unknown = sorted(set(values) - set(known))
        if unknown:
            takes = ", ".join(known) or "no parameters"
            raise BadRequest(
                f"query {self.name!r} has no parameter {', '.join(map(repr, unknown))}; "
                f"it takes: {takes} (and format=, timeout=)"
            )
        bound = []
        for name, parameter in known.items():
            value = values.get(name) or parameter.default
            if value:
                bound.append((name, parameter.term(value)))
        return tuple(bound)


def load_canned_queries(collection_root: Path) -> dict[str, CannedQuery]:
    """Every canned query of the collection, by name; none when it has no ``queries/`` folder.

    :raises ConfigError: naming the file and line of a malformed header.
    """
    folder = collection_root / QUERIES_FOLDER
    if not folder.is_dir():
        return {}
    queries = {}
    for path in sorted(folder.glob(f"*{QUERY_SUFFIX}")):
        if not _NAME.fullmatch(path.stem):
            raise ConfigError(
                f"{path}: a canned query's file name becomes its URL; use letters, digits, "
                "'.', '_' and '-' only"
            )
        try:
            text = path.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError) as error:
            raise ConfigError(f"{path}: cannot read the query: {error}") from None
        queries[path.stem] = read_canned_query(path.stem, text, source=path)
    return queries


def read_canned_query(name: str, text: str, *, source: Path) -> CannedQuery:
    """A canned query from its text; see the module documentation for the header syntax.

    :raises ConfigError: for a malformed parameter line or a query whose form is unclear.
    """
    header: list[tuple[int, str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped.startswith("#"):
            if stripped:
                break
            continue
        header.append((number, stripped.lstrip("#").strip()))
    title = header[0][1] if header else name
    description: list[str] = []
    parameters: list[QueryParameter] = []
    found = outline(text)
    for number, line in header[1:]:
        if not line.startswith("param:"):
            description.append(line)
            continue
        parameters.append(_parameter(line, where=f"{source}:{number}", projected=found.projected))
    if found.form is None:
        raise ConfigError(f"{source}: not a SELECT, ASK, CONSTRUCT or DESCRIBE query")
    return CannedQuery(
        name=name,
        title=title,
        description=" ".join(d for d in description if d),
        sparql=text,
        form=found.form,
        parameters=tuple(parameters),
        source=source,
    )


def _parameter(line: str, *, where: str, projected: tuple[str, ...] | None) -> QueryParameter:
    match = _PARAMETER.match(line)
    if match is None:
        raise ConfigError(
            f"{where}: cannot read {line!r}; write "
            "'param: NAME (TYPE) [default VALUE] [-- DESCRIPTION]'"
        )
    name, type_name = match["name"], match["type"]
    if type_name.partition("@")[0] not in ("iri", "string", *_DATATYPES) or (
        "@" in type_name and not type_name.startswith("string@")
    ):
        raise ConfigError(f"{where}: unknown type {type_name!r}; use {', '.join(PARAMETER_TYPES)}")
    if name in RESERVED_PARAMETERS:
        raise ConfigError(f"{where}: {name!r} is a request parameter of every query; rename it")
    if projected is not None and name not in projected:
        raise ConfigError(
            f"{where}: ?{name} must be in the SELECT clause (or use SELECT *): Oxigraph binds "
            "only projected variables"
        )
    default = match["default"]
    if default is not None and default.startswith('"'):
        default = json.loads(default)  # a quoted default, with JSON's escapes
    parameter = QueryParameter(name, type_name, default, match["description"] or "")
    if parameter.default is not None:
        try:
            parameter.term(parameter.default)
        except BadRequest as error:
            raise ConfigError(f"{where}: the default does not fit: {error}") from None
    return parameter
