"""Settings: what each one is, its default, and the table that documents them all.

The ``SETTINGS`` table is the single description of every setting (docs/cli.md follows it).
Where values come from, and how they are checked, is :mod:`kgpub.config_loading`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, fields
from pathlib import Path

from kgpub.iris import DEFAULT_BASE_IRI, IriScheme

BACKENDS = ("embedded", "remote")
SERVERS = ("granian", "waitress")
"""The HTTP servers `kgpub serve` can run the app in, the default first."""
SECRET_SETTINGS = ("remote_password", "update_token")
"""Settings shown as ``***`` whenever settings are printed."""
DUMP_FORMATS = ("turtle", "ntriples", "nquads", "trig", "jsonld")
"""The formats a build can write dumps in (see :mod:`kgpub.dumps`), in the order listed."""


@dataclass(frozen=True)
class Settings:
    """Every setting, once resolved."""

    base_iri: str = DEFAULT_BASE_IRI
    store: str = ".kgpub/store"
    backend: str = "embedded"
    workers: str = "auto"
    remote_query_url: str = ""
    remote_update_url: str = ""
    remote_user: str = ""
    remote_password: str = ""
    remote_timeout: str = "60"
    query_timeout: str = "30"
    query_timeout_max: str = "120"
    max_rows: str = "10000"
    max_request_bytes: str = "10000000"
    update_token: str = ""
    federation_allowlist: str = ""
    query_workers: str = "2"
    host: str = "127.0.0.1"
    port: str = "8000"
    threads: str = "8"
    server: str = "granian"
    processes: str = "2"
    proxy_hops: str = "0"
    script_name: str = ""
    rate_limit: str = "500"
    rate_burst: str = "1000"
    dump_formats: str = "all"

    def __repr__(self) -> str:  # never print credentials
        shown = {f.name: getattr(self, f.name) for f in fields(self)}
        for secret in SECRET_SETTINGS:
            if shown[secret]:
                shown[secret] = "***"
        return f"Settings({', '.join(f'{k}={v!r}' for k, v in shown.items())})"

    @property
    def worker_count(self) -> int:
        """How many processes map and validate articles in parallel."""
        if self.workers == "auto":
            return max(1, len(os.sched_getaffinity(0)))
        return int(self.workers)

    @property
    def remote_timeout_seconds(self) -> float:
        """The remote server's request timeout, in seconds."""
        return float(self.remote_timeout)

    @property
    def query_timeout_seconds(self) -> float:
        """How long a SPARQL query may run when the request does not say."""
        return float(self.query_timeout)

    @property
    def query_timeout_max_seconds(self) -> float:
        """The longest time limit a request may ask for with ``timeout=``."""
        return float(self.query_timeout_max)

    @property
    def row_limit(self) -> int:
        """The most rows (or triples) one query answer holds."""
        return int(self.max_rows)

    @property
    def request_byte_limit(self) -> int:
        """The largest request body (and URL) the web app reads."""
        return int(self.max_request_bytes)

    @property
    def federation_hosts(self) -> tuple[str, ...]:
        """Hosts that SERVICE and LOAD may reach (``*.example.org`` covers subdomains)."""
        return tuple(h.lower() for h in self.federation_allowlist.replace(",", " ").split())

    @property
    def query_worker_count(self) -> int:
        """Worker processes that answer SPARQL queries for the web app."""
        return int(self.query_workers)

    @property
    def port_number(self) -> int:
        """The TCP port ``kgpub serve`` listens on."""
        return int(self.port)

    @property
    def thread_count(self) -> int:
        """Threads ``kgpub serve`` answers requests with."""
        return int(self.threads)

    @property
    def process_count(self) -> int:
        """Server processes ``kgpub serve`` answers requests with (granian only)."""
        return int(self.processes)

    @property
    def proxy_hop_count(self) -> int:
        """Reverse proxies in front whose ``X-Forwarded-*`` headers are trusted."""
        return int(self.proxy_hops)

    @property
    def rate_per_second(self) -> float:
        """Requests per second each client may send on average; 0 means no limit."""
        return float(self.rate_limit)

    @property
    def rate_burst_size(self) -> int:
        """Requests a client may send at once before its average rate counts."""
        return int(self.rate_burst)

    @property
    def dump_format_names(self) -> tuple[str, ...]:
        """The formats each build writes dumps in (none for ``none``), in a fixed order."""
        asked = set(self.dump_formats.replace(",", " ").split())
        if asked == {"all"}:
            return DUMP_FORMATS
        return tuple(name for name in DUMP_FORMATS if name in asked)

    @property
    def iris(self) -> IriScheme:
        """The IRI scheme for ``base_iri``."""
        return IriScheme(self.base_iri)

    def store_path(self, collection_root: Path) -> Path:
        """Where the store lives; relative paths are relative to the collection."""
        path = Path(self.store)
        return path if path.is_absolute() else collection_root / path


SETTINGS: dict[str, str] = {
    "base_iri": "Base IRI every published IRI starts with; must end in '/'.",
    "store": "Folder of the built store and build cache (relative to the collection unless "
    "absolute).",
    "backend": "Where data is published and served from: 'embedded' (Oxigraph on disk in the "
    "store folder) or 'remote' (a SPARQL 1.1 server).",
    "workers": "Processes that map and validate articles in parallel: a number, or 'auto' for "
    "one per available core.",
    "remote_query_url": "The remote server's SPARQL query endpoint, e.g. "
    "http://localhost:3030/kgpub/sparql (backend 'remote').",
    "remote_update_url": "The remote server's SPARQL Update endpoint, e.g. "
    "http://localhost:3030/kgpub/update (backend 'remote').",
    "remote_user": "User name for HTTP Basic authentication to the remote server.",
    "remote_password": "Password for the remote server; prefer the KGPUB_REMOTE_PASSWORD "
    "variable to writing it in kgpub.toml. Never printed.",
    "remote_timeout": "Seconds to wait for the remote server before giving up.",
    "query_timeout": "Seconds a SPARQL query may run in the web app before it is stopped "
    "(a request may ask for another limit with timeout=, up to query_timeout_max).",
    "query_timeout_max": "The longest time limit, in seconds, a request may ask for.",
    "max_rows": "The most rows (SELECT) or triples (CONSTRUCT, DESCRIBE) one answer holds; "
    "a cut answer says so in its X-KGPub-Truncated header.",
    "max_request_bytes": "The largest request body or URL, in bytes, the web app reads "
    "(413 or 414 beyond).",
    "update_token": "A secret that enables SPARQL Update and Graph Store writes for requests "
    "sending 'Authorization: Bearer <token>'; empty means read-only. Prefer the "
    "KGPUB_UPDATE_TOKEN variable. Never printed.",
    "federation_allowlist": "Hosts SPARQL SERVICE and LOAD may reach, separated by commas or "
    "spaces ('*.example.org' covers its subdomains, '*' any host); empty refuses both.",
    "query_workers": "Worker processes answering SPARQL queries, in each server process; one "
    "that runs out of time is killed and replaced.",
    "host": "The address `kgpub serve` listens on; 127.0.0.1 keeps it on this machine.",
    "port": "The TCP port `kgpub serve` listens on.",
    "threads": "Threads `kgpub serve` answers requests with, in each server process.",
    "server": "The HTTP server `kgpub serve` runs: 'granian' (a fast server written in Rust, "
    "several processes) or 'waitress' (pure Python, one process; for platforms without "
    "granian).",
    "processes": "Server processes `kgpub serve` runs with granian, each with its own "
    "threads, query workers and caches (waitress always runs one).",
    "proxy_hops": "Reverse proxies in front of the server whose X-Forwarded-For, -Proto, "
    "-Host, -Port and -Prefix headers are trusted; 0 trusts none.",
    "script_name": "The URL path the app is mounted under when a proxy does not send "
    "X-Forwarded-Prefix, e.g. /kg (no trailing slash).",
    "rate_limit": "Requests per second each client address may send on average (429 with "
    "Retry-After beyond); 0 turns the limit off. /static/ files are not counted.",
    "rate_burst": "Requests a client may send at once before rate_limit applies (the size of "
    "its token bucket).",
    "dump_formats": "The dumps each build writes for /dumps/: 'all' (turtle, ntriples, nquads, "
    "trig and jsonld), 'none', or some of those names separated by commas or spaces.",
}
