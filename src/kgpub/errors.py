"""The one error hierarchy of kgpub.

Every message says what went wrong, where (file, line, field) and how to fix it. SHACL
non-conformance is *not* an error: it is a :class:`kgpub.validate.ValidationReport`.
"""

from __future__ import annotations

import errno
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


class OutOfSpace(StoreError):
    """A build could not be written: the disk is full, or a quota or file-size limit was hit."""


OUT_OF_SPACE_ERRNOS = frozenset({errno.ENOSPC, errno.EDQUOT, errno.EFBIG})
OUT_OF_SPACE_WORDS = ("no space left", "disk is full", "quota exceeded", "file too large")
"""RocksDB and SQLite report a full disk in words, without an errno."""


def store_failure(action: str, where: object, error: BaseException) -> StoreError:
    """The error for ``action`` (e.g. "cannot stage a build") failing in ``where``.

    An :class:`OutOfSpace` error, saying how to make room, when ``error`` reports a full disk.

    >>> error = store_failure("cannot stage a build", "/srv/store", OSError(28, "No space left"))
    >>> type(error).__name__, str(error)[:61]
    ('OutOfSpace', 'cannot stage a build in /srv/store: [Errno 28] No space left;')
    """
    message = f"{action} in {where}: {error}"
    if is_out_of_space(error):
        return OutOfSpace(
            f"{message}; no space left on the device, or a quota or file-size limit (ulimit -f) "
            "was reached: free some space there (or move the store with --store or KGPUB_STORE) "
            "and build again"
        )
    return StoreError(message)


def is_out_of_space(error: BaseException) -> bool:
    """Whether ``error`` reports a full disk, an exceeded quota or a file-size limit."""
    code = error.errno if isinstance(error, OSError) else None
    text = str(error).lower()
    return code in OUT_OF_SPACE_ERRNOS or any(words in text for words in OUT_OF_SPACE_WORDS)


class QueryError(KgpubError):
    """A SPARQL query is malformed or failed to run."""


class ValidationFailed(KgpubError):
    """Valid data was required, and the data does not conform to the shapes."""

    def __init__(self, summary: str) -> None:
        super().__init__(summary)
        self.summary = summary


class RequestError(KgpubError):
    """A web request kgpub refuses; :attr:`status` is the HTTP status it answers with.

    The message is the response body, so it says what was wrong with the request and how to
    make a request that works.
    """

    status = 400
    headers: tuple[tuple[str, str], ...] = ()
    """Extra response headers (``WWW-Authenticate``, ``Retry-After``, …)."""


class BadRequest(RequestError):
    """The request is malformed: a bad parameter, or a malformed query (the parser's message)."""

    status = 400


class Unauthorized(RequestError):
    """A write needs ``Authorization: Bearer <update_token>`` and the request lacks a valid one."""

    status = 401

    def __init__(self, message: str, *, challenge: str) -> None:
        super().__init__(message)
        self.headers = (("WWW-Authenticate", challenge),)


class Forbidden(RequestError):
    """The request is understood and refused by policy (read-only, a host not allow-listed)."""

    status = 403


class NotFound(RequestError):
    """Nothing is published at this address (a canned query, a graph)."""

    status = 404


class NotAcceptable(RequestError):
    """None of the formats the request accepts is available; the message lists those that are."""

    status = 406


class PayloadTooLarge(RequestError):
    """The request body is larger than the ``max_request_bytes`` setting allows."""

    status = 413


class UriTooLong(RequestError):
    """The request's URL is longer than the ``max_request_bytes`` setting allows."""

    status = 414


class UnsupportedMediaType(RequestError):
    """The request body's ``Content-Type`` is not one this address reads."""

    status = 415


class TooManyRequests(RequestError):
    """A client sent more requests than the ``rate_limit`` setting allows it; it should wait.

    :param retry_after: the ``Retry-After`` value, whole seconds until a request is admitted.
    """

    status = 429

    def __init__(self, message: str, *, retry_after: str) -> None:
        super().__init__(message)
        self.headers = (("Retry-After", retry_after),)


class ServiceUnavailable(RequestError):
    """The server cannot answer now: a query ran out of time, or every query worker is busy.

    503 rather than 504: kgpub is the origin server, not a gateway, so a 504 stays reserved
    for a reverse proxy in front that gave up on kgpub.
    """

    status = 503

    def __init__(self, message: str, *, retry_after: int | None = None) -> None:
        super().__init__(message)
        if retry_after is not None:
            self.headers = (("Retry-After", str(retry_after)),)


class QueryTimeout(ServiceUnavailable):
    """A query ran longer than its time limit; the process running it was stopped."""


class MethodNotAllowed(RequestError):
    """The address does not take this method (e.g. SPARQL Update by GET)."""

    status = 405

    def __init__(self, message: str, *, allow: str) -> None:
        super().__init__(message)
        self.headers = (("Allow", allow),)
