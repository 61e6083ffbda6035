"""The query page in a real browser: Debian's Chromium driven by Playwright, against `kgpub serve`.

Playwright's own browsers are never downloaded: the test launches ``/usr/bin/chromium``
(``make test`` installs it). Without it, or without the ``playwright`` package, the tests skip
saying so, except under ``CI=true``, where they must run and so fail.
"""

from __future__ import annotations

import os
import re
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from .test_web_fixtures import build_examples
from .test_web_serving import serving

try:
    from playwright.sync_api import Browser, Page, expect, sync_playwright
except ImportError:  # the chromium fixture skips or fails, saying why
    sync_playwright = None

CHROMIUM = Path("/usr/bin/chromium")
WAIT_MS = 20_000
"""The longest any step waits for the page (the examples answer in well under a second)."""
ROW_LIMIT = 2
DATASET_IRI = re.compile(r"^https://kg\.example\.org/id/")
XSS_LITERAL = "<script>window.pwned=1</script>"


def _missing_requirement() -> str | None:
    if not CHROMIUM.exists():
        return f"{CHROMIUM} is missing (`make test` installs Debian's chromium)"
    if sync_playwright is None:
        return "the playwright package is missing (pip install -e '.[dev]')"
    return None


@pytest.fixture(scope="module")
def chromium() -> Iterator[Browser]:
    """A headless Chromium; skips when unavailable, unless CI=true requires it."""
    missing = _missing_requirement()
    if missing and os.environ.get("CI") == "true":
        pytest.fail(f"the browser tests must run under CI=true, but {missing}")
    if missing:
        pytest.skip(missing)
    expect.set_options(timeout=WAIT_MS)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), headless=True)
        try:
            yield browser
        finally:
            browser.close()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Browser) -> Iterator[str]:
    """`kgpub serve` of a built copy of the examples, cutting answers at two rows."""
    root = build_examples(tmp_path_factory.mktemp("browser"))
    with serving(root, uuid.uuid4().hex, KGPUB_MAX_ROWS=str(ROW_LIMIT)) as base:
        yield base


def open_tab(chromium: Browser, server: str, *, javascript: bool = True) -> Iterator[Page]:
    """A fresh tab on ``server``; fails the test on any error the page's script throws."""
    context = chromium.new_context(base_url=server, java_script_enabled=javascript)
    tab = context.new_page()
    tab.set_default_timeout(WAIT_MS)
    errors: list[str] = []
    tab.on("pageerror", lambda error: errors.append(str(error)))
    try:
        yield tab
    finally:
        context.close()
    assert errors == []


@pytest.fixture
def page(chromium: Browser, server: str) -> Iterator[Page]:
    """A fresh tab with JavaScript on."""
    yield from open_tab(chromium, server)


def _run_typed(page: Page, query: str) -> None:
    page.goto("query")
    page.locator("#query").fill(query)
    page.locator("#query").press("Control+Enter")


def test_clicking_a_canned_query_runs_it_and_shows_the_result_table(page: Page) -> None:
    page.goto("query")
    page.locator("button.example", has_text="Which organizations").click()
    rows = page.locator("#result-table tbody tr")
    expect(rows).to_have_count(ROW_LIMIT)
    expect(page.locator("#result-table thead th").first).to_have_text("article")
    expect(rows.first.locator("a").first).to_have_attribute("href", DATASET_IRI)
    assert "PREFIX kg:" in page.locator("#query").input_value()
    expect(page.locator("#status")).to_contain_text("rows in")


def test_a_typed_query_cut_at_the_row_limit_says_so(page: Page) -> None:
    _run_typed(page, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 10")
    expect(page.locator("#truncated")).to_be_visible()
    expect(page.locator("#truncated")).to_contain_text(f"only the first {ROW_LIMIT} rows")
    expect(page.locator("#result-table tbody tr")).to_have_count(ROW_LIMIT)
    expect(page.locator("a.download", has_text="csv")).to_be_visible()


@pytest.mark.attack
def test_markup_in_a_literal_is_shown_as_text_and_never_run(page: Page) -> None:
    _run_typed(page, f'SELECT ("{XSS_LITERAL}" AS ?x) {{}}')
    expect(page.locator("#result-table tbody td").first).to_have_text(XSS_LITERAL)
    assert page.evaluate("typeof window.pwned") == "undefined"


def test_the_servers_message_is_shown_for_a_malformed_query(page: Page) -> None:
    _run_typed(page, "SELECT ?x WHERE { ?x skos:prefLabel ?label }")
    expect(page.locator("#error")).to_be_visible()
    expect(page.locator("#error")).to_contain_text("malformed SPARQL")
    expect(page.locator("#status")).to_contain_text("Error 400")


def test_a_shared_link_with_run_1_runs_its_query(page: Page) -> None:
    page.goto("query?query=ASK%20%7B%7D&run=1")
    expect(page.locator("#results .ask")).to_have_text("true")


@pytest.mark.attack
@pytest.mark.parametrize(
    "path",
    [
        "query?query=%3C/textarea%3E%3Cscript%3Ewindow.pwned=1%3C/script%3E&run=1",
        "query?query=ASK%20%7B%7D&format=%22%3E%3Cimg%20src=x%20onerror=window.pwned=1%3E&run=1",
        "query?query=SELECT%20(%22%3Cimg%20src=x%20onerror=window.pwned=1%3E%22%20AS%20?x)%20%7B%7D&run=1",
        "queries/%3Cscript%3Ewindow.pwned=1%3C%2Fscript%3E",
        "id/%3Cscript%3Ewindow.pwned=1%3C%2Fscript%3E",
        "sparql?query=%3Cscript%3Ewindow.pwned=1%3C/script%3E&format=html",
    ],
)
def test_markup_in_url_parameters_never_runs_in_the_page(page: Page, path: str) -> None:
    page.goto(path)
    page.wait_for_load_state("networkidle")
    assert page.evaluate("typeof window.pwned") == "undefined"
