"""Shared by the HTTP load benchmarks: wrk driving a list of requests, and the servers under it.

- :func:`run_wrk` sends a fixed list of requests (GET or POST, with ``Accept`` and a body)
  round and round from ``connections`` keep-alive connections for a number of seconds, with
  wrk and a generated Lua script, and returns requests/s, latency percentiles and, when asked,
  the count of every status. wrk is a C client, so the client side costs little of the two
  cores the server shares with it.
- :func:`serving_kgpub` runs ``kgpub serve`` on a free port of 127.0.0.1, with the environment
  given (``KGPUB_SERVER`` and ``KGPUB_PROCESSES`` choose the server), for a ``with`` block.
- :class:`MemorySampler` samples the resident memory of a process tree (the server, its
  forkserver and query workers) every few seconds; :func:`tree_memory` lists each process of
  a tree with its resident and proportional set size (PSS counts shared pages once).

The process helpers of ``sparql_benchmark.py`` and ``build_benchmark.py`` are reused here.
"""

# ruff: noqa: S310 - every URL opened here is a local http:// server a benchmark started

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from build_benchmark import tree_rss_bytes
from sparql_benchmark import (
    STARTUP_SECONDS,
    announced_url,
    post_query,
    started,
    wait_until_answering,
)

RESULT_MARK = "WRK-RESULT "
ENTITY_KINDS = ("organization", "person", "place", "facility", "event", "country")
"""The kinds of ``{base_iri}id/<kind>/…`` that are entities (not articles, claims, counts)."""
ACCEPT_BY_EXTENSION = {
    "ttl": "text/turtle",
    "jsonld": "application/ld+json",
    "nt": "application/n-triples",
    "html": "text/html",
}
RESOURCES = """SELECT DISTINCT ?s WHERE {{ ?s a ?type FILTER (STRSTARTS(STR(?s), "{prefix}")
    && !CONTAINS(STR(?s), "#")) }}"""


@dataclass(frozen=True)
class LoadRequest:
    """One request of a load: sent as is, again and again."""

    method: str
    path: str
    accept: str = ""
    content_type: str = ""
    body: str = ""
    kind: str = ""
    """What it stands for in the report (entity page, canned query, …)."""

    def line(self) -> str:
        fields = (self.method, self.path, self.accept, self.content_type, self.body)
        if any(("\t" in text or "\n" in text) for text in fields):
            raise ValueError(f"a load request field holds a tab or a newline: {self}")
        return "\t".join(fields)


@dataclass
class WrkResult:
    """What one wrk run measured; latencies in milliseconds."""

    requests: int
    seconds: float
    p50: float
    p90: float
    p99: float
    max: float
    socket_errors: dict[str, int]
    non_success: int
    """Answers with a status of 400 or more, as wrk counts them."""
    statuses: dict[int, int] = field(default_factory=dict)
    """Every status and how often it came, when the run counted them."""

    @property
    def rate(self) -> float:
        return self.requests / self.seconds

    def summary(self) -> str:
        errors = sum(self.socket_errors.values())
        return (
            f"{self.rate:,.0f} req/s ({self.requests:,} in {self.seconds:.0f} s), latency ms "
            f"p50 {self.p50:.2f} p90 {self.p90:.2f} p99 {self.p99:.2f} max {self.max:.1f}; "
            f"status ≥ 400: {self.non_success}, socket errors: {errors}"
        )


LUA_SCRIPT = r"""
local requests = {}
local position = 0
local threads = {}
statuses = {}

function setup(thread)
  table.insert(threads, thread)
  thread:set("thread_number", #threads)
end

function init(args)
  for line in io.lines(REQUESTS_FILE) do
    local method, path, accept, ctype, body =
      line:match("^([^\t]*)\t([^\t]*)\t([^\t]*)\t([^\t]*)\t(.*)$")
    local headers = {}
    if accept ~= "" then headers["Accept"] = accept end
    if ctype ~= "" then headers["Content-Type"] = ctype end
    if body == "" then body = nil end
    requests[#requests + 1] = wrk.format(method, path, headers, body)
  end
  -- each thread starts at another place in the list, so they do not ask the same in step
  position = math.floor((thread_number - 1) * #requests / THREADS)
end

function request()
  position = position % #requests + 1
  return requests[position]
end

COUNT_STATUSES

function done(summary, latency, requests)
  local counted = {}
  for _, thread in ipairs(threads) do
    local seen = thread:get("statuses") or {}
    for status, count in pairs(seen) do
      counted[tostring(status)] = (counted[tostring(status)] or 0) + count
    end
  end
  local parts = {}
  for status, count in pairs(counted) do
    parts[#parts + 1] = string.format('"%s": %d', status, count)
  end
  local errors = summary.errors
  io.write(string.format(
    'RESULT_MARK{"requests": %d, "duration_us": %d, "p50": %d, "p90": %d, "p99": %d, ' ..
    '"max": %d, "connect": %d, "read": %d, "write": %d, "timeout": %d, "status": %d, ' ..
    '"statuses": {%s}}\n',
    summary.requests, summary.duration, latency:percentile(50), latency:percentile(90),
    latency:percentile(99), latency.max, errors.connect, errors.read, errors.write,
    errors.timeout, errors.status, table.concat(parts, ", ")))
end
"""
COUNTING = """
function response(status, headers, body)
  statuses[status] = (statuses[status] or 0) + 1
end
"""


def published_resources(sparql_url: str, id_prefix: str) -> list[str]:
    """Every typed IRI under ``{base_iri}id/`` (no fragment nodes), sorted, from an endpoint."""
    status, body, _ = post_query(
        sparql_url, RESOURCES.format(prefix=id_prefix), timeout=STARTUP_SECONDS
    )
    if status != 200:
        raise RuntimeError(f"listing the resources failed: {body[:300]!r}")
    return sorted(row["s"]["value"] for row in json.loads(body)["results"]["bindings"])


def kind_of(iri: str, id_prefix: str) -> str:
    """``organization`` for ``{id_prefix}organization/x``."""
    return iri.removeprefix(id_prefix).split("/")[0]


def document_request(iri: str, id_prefix: str, extension: str) -> LoadRequest:
    """GET of the document ``/doc/<path>.<extension>`` of a published IRI."""
    path = urllib.parse.quote(iri.removeprefix(id_prefix), safe="/")
    return LoadRequest(
        "GET",
        f"/doc/{path}.{extension}",
        accept=ACCEPT_BY_EXTENSION[extension],
        kind=f"document .{extension}",
    )


def wrk_binary() -> str:
    """wrk, installed from Debian (``apt-get install wrk``) when missing; says so when it does."""
    found = shutil.which("wrk")
    if found:
        return found
    print("wrk is missing: installing it with apt-get install -y wrk …", flush=True)
    subprocess.run(["apt-get", "install", "-y", "wrk"], check=True, stdout=subprocess.DEVNULL)  # noqa: S607
    found = shutil.which("wrk")
    if found is None:
        sys.exit("wrk could not be installed; install it (apt-get install wrk) and run again")
    return found


def run_wrk(
    base_url: str,
    requests: list[LoadRequest],
    *,
    connections: int,
    seconds: float,
    workdir: Path,
    threads: int = 2,
    count_statuses: bool = False,
) -> WrkResult:
    """Send ``requests`` round and round for ``seconds`` from ``connections`` connections.

    Counting statuses runs a Lua function per response, which costs the client some CPU;
    without it only the number of answers with a status ≥ 400 is known.
    """
    if not requests:
        raise ValueError("no requests to send")
    threads = min(threads, connections)
    requests_file = workdir / "wrk-requests.tsv"
    requests_file.write_text("\n".join(r.line() for r in requests) + "\n", encoding="utf-8")
    script = (
        LUA_SCRIPT.replace("REQUESTS_FILE", json.dumps(str(requests_file)))
        .replace("THREADS", str(threads))
        .replace("COUNT_STATUSES", COUNTING if count_statuses else "")
        .replace("RESULT_MARK", RESULT_MARK)
    )
    script_file = workdir / "wrk-load.lua"
    script_file.write_text(script, encoding="utf-8")
    command = [
        wrk_binary(), "--threads", str(threads), "--connections", str(connections),
        "--duration", f"{max(1, round(seconds))}s", "--timeout", "30s",
        "--script", str(script_file), base_url.rstrip("/"),
    ]  # fmt: skip
    output = subprocess.run(command, check=True, capture_output=True, text=True).stdout  # noqa: S603
    line = next((x for x in output.splitlines() if x.startswith(RESULT_MARK)), None)
    if line is None:
        raise RuntimeError(f"wrk printed no result:\n{output[-3000:]}")
    raw = json.loads(line.removeprefix(RESULT_MARK))
    return WrkResult(
        requests=raw["requests"],
        seconds=raw["duration_us"] / 1e6,
        p50=raw["p50"] / 1000,
        p90=raw["p90"] / 1000,
        p99=raw["p99"] / 1000,
        max=raw["max"] / 1000,
        socket_errors={name: raw[name] for name in ("connect", "read", "write", "timeout")},
        non_success=raw["status"],
        statuses={int(status): count for status, count in raw["statuses"].items()},
    )


def fetch(url: str, *, accept: str = "", timeout: float = 60) -> tuple[int, bytes]:
    """GET ``url`` without following redirects: the status and the whole body."""

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args: object, **kwargs: object) -> None:
            return None

    opener = urllib.request.build_opener(NoRedirect)
    request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
    try:
        with opener.open(request, timeout=timeout) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        with error:
            return error.code, error.read()


@contextmanager
def serving_kgpub(
    root: Path, workdir: Path, environment: dict[str, str]
) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """``kgpub serve`` on a free port of 127.0.0.1 with these ``KGPUB_*`` variables added.

    Yields its base URL (ending in ``/``) and its process; stops it on the way out.
    """
    log = workdir / "kgpub-serve.log"
    command = [sys.executable, "-m", "kgpub", "serve", str(root), "--host", "127.0.0.1",
               "--port", "0"]  # fmt: skip
    with started(command, log, env={**os.environ, **environment}) as process:
        base_url = announced_url(log, process, STARTUP_SECONDS)
        wait_until_answering(base_url + "sparql", process, log, seconds=STARTUP_SECONDS)
        yield base_url, process


class MemorySampler:
    """Samples the resident memory of a process and its descendants in a background thread."""

    def __init__(self, pid: int, *, every_seconds: float) -> None:
        self.pid = pid
        self.every_seconds = every_seconds
        self.samples: list[tuple[float, int]] = []
        """(seconds since the start, bytes) pairs."""
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._started_at = time.monotonic()

    def __enter__(self) -> MemorySampler:
        self._started_at = time.monotonic()
        self._thread.start()
        return self

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()

    def _sample(self) -> None:
        self.samples.append((time.monotonic() - self._started_at, tree_rss_bytes(self.pid)))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(self.every_seconds)


@dataclass(frozen=True)
class ProcessMemory:
    """One process of a tree: what it runs and its memory in bytes."""

    pid: int
    command: str
    parent_command: str
    rss: int
    pss: int

    @property
    def kind(self) -> str:
        """What the process is in a ``kgpub serve`` tree."""
        if "forkserver" in self.command:
            return "query worker" if "forkserver" in self.parent_command else "forkserver"
        for marker, kind in (
            ("resource_tracker", "multiprocessing resource tracker"),
            ("spawn_main", "server process"),
            ("kgpub", "kgpub serve"),
        ):
            if marker in self.command:
                return kind
        return self.command[:60]


def tree_memory(pid: int) -> list[ProcessMemory]:
    """Every process of the tree under ``pid``, with its RSS and PSS (from smaps_rollup)."""
    found, pending = [], [(pid, "")]
    while pending:
        current, parent_command = pending.pop()
        try:
            proc = Path(f"/proc/{current}")
            fields = {}
            for line in (proc / "smaps_rollup").read_text().splitlines()[1:]:
                name, value = line.split(":", 1)
                fields[name] = int(value.split()[0]) * 1024
            command = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            found.append(
                ProcessMemory(current, command, parent_command, fields["Rss"], fields["Pss"])
            )
            for task in (proc / "task").iterdir():
                children = (task / "children").read_text().split()
                pending += [(int(child), command) for child in children]
        except (OSError, KeyError, ValueError):
            continue
    return found


def describe_tree_memory(processes: list[ProcessMemory]) -> str:
    """One line per kind of process of a ``kgpub serve`` tree, and the totals."""
    kinds: dict[str, list[ProcessMemory]] = {}
    for process in processes:
        kinds.setdefault(process.kind, []).append(process)
    lines = [
        f"{len(group)} × {kind}: RSS {mib(sum(p.rss for p in group))}, "
        f"PSS {mib(sum(p.pss for p in group))}"
        for kind, group in kinds.items()
    ]
    lines.append(
        f"total, {len(processes)} processes: RSS {mib(sum(p.rss for p in processes))}, "
        f"PSS {mib(sum(p.pss for p in processes))}"
    )
    return "\n".join(lines)


def mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"
