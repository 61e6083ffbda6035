"""The one error hierarchy of kgpub.

Every message says what went wrong, where (file, line, field) and how to fix it. SHACL
non-conformance is *not* an error: it is a :class:`kgpub.validate.ValidationReport`.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Problem:
    """One thing wrong with an input file, located as precisely as the input allows.

    :param source: the file (or ``<string>``) the problem is in.
    :param pointer: JSON pointer of the field, e.g. ``/claims/3/stance``.
    :param message: what is wrong and how to fix it.
    :param line: 1-based line in ``source``, when known.
    :param column: 1-based column, when known.
    """

    source: str
    pointer: str
    message: str
    line: int | None = None
    column: int | None = None

    def __str__(self) -> str:
        where = self.source
        if self.line is not None:
            where += f":{self.line}"
            if self.column is not None:
                where += f":{self.column}"
        field_path = self.pointer or "/"
        return f"{where}: {field_path}: {self.message}"


class KgpubError(Exception):
    """Base class of every error kgpub raises on purpose."""


class ConfigError(KgpubError):
    """A setting is missing, malformed or contradictory."""


@dataclass
class InputError(KgpubError):
    """One or more input files are malformed; nothing was built or written.

    Carries every problem found in the run, so a user fixes them all at once.
    """

    problems: list[Problem] = field(default_factory=list)

    def __str__(self) -> str:
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        lines = [f"{count} {noun} in the input; nothing was written:"]
        lines.extend(f"  {problem}" for problem in self.problems)
        return "\n".join(lines)


class MappingError(KgpubError):
    """A fact that passed loading cannot be turned into RDF (a bug or an unsupported case)."""


class ShapesError(KgpubError):
    """The SHACL shapes or the ontology files themselves are broken."""


class StoreError(KgpubError):
    """The store cannot be opened, written or read."""


class QueryError(KgpubError):
    """A SPARQL query is malformed or failed to run."""


class ValidationFailed(KgpubError):
    """Valid data was required, and the data does not conform to the shapes."""

    def __init__(self, summary: str) -> None:
        super().__init__(summary)
        self.summary = summary
