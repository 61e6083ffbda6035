"""Which remote hosts a request may make kgpub contact: SPARQL ``SERVICE`` and ``LOAD``.

Oxigraph really fetches what ``SERVICE <…>`` and ``LOAD <…>`` name, so a public endpoint that
ran them freely would let anyone make the server send requests into the network it sits in
(server-side request forgery) or download without bound. Both are refused unless the target's
host is on the ``federation_allowlist`` setting. The targets are read from the request's tokens
(:mod:`kgpub.sparql_tokens`), so a ``SERVICE`` written inside a string or a comment is not
one, and prefixed names and ``BASE`` are resolved as the parser resolves them. A target that is
a variable (``SERVICE ?endpoint``) cannot be checked and is refused unless the list is ``*``.
"""

from __future__ import annotations

from collections.abc import Sequence

from kgpub.errors import Forbidden
from kgpub.sparql_tokens import RemoteTarget, SparqlOutline

ANY_HOST = "*"


def host_is_allowed(host: str, allowlist: Sequence[str]) -> bool:
    """Whether ``host`` is on the allow-list; ``*.example.org`` covers its subdomains.

    >>> host_is_allowed("query.wikidata.org", ["*.wikidata.org"])
    True
    >>> host_is_allowed("wikidata.org.evil.net", ["*.wikidata.org"])
    False
    """
    host = host.lower().rstrip(".")
    for entry in allowlist:
        if entry == ANY_HOST or entry == host:
            return True
        if entry.startswith("*.") and host.endswith(entry[1:]):
            return True
    return False


def check_remote_targets(found: SparqlOutline, allowlist: Sequence[str]) -> None:
    """Refuse a request whose ``SERVICE`` or ``LOAD`` targets are not allow-listed.

    :raises Forbidden: naming the first target refused and how to get it allowed.
    """
    for target in found.remote_targets:
        if ANY_HOST in allowlist:
            return
        if target.host is None or not host_is_allowed(target.host, allowlist):
            raise Forbidden(_refusal(target, allowlist))


def _refusal(target: RemoteTarget, allowlist: Sequence[str]) -> str:
    what = f"{target.keyword} {target.written}".strip()
    if target.iri is None:
        reason = "its target is not an IRI kgpub can check before running the request"
    elif target.host is None:
        reason = f"<{target.iri}> names no host"
    else:
        reason = f"the host {target.host} is not on this server's federation allow-list"
    listed = f" (it holds: {', '.join(allowlist)})" if allowlist else " (it is empty)"
    return (
        f"{what} is refused: {reason}{listed}. This endpoint answers from its own data; "
        "the operator can allow hosts with the federation_allowlist setting."
    )
