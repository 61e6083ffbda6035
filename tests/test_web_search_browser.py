"""Search in a real browser: suggestions on the home page, keyboard use, and the form without JS.

The skip rule (run only with Chromium and Playwright installed, required under ``CI=true``)
is that of :mod:`tests.test_web_browser`; the server is `kgpub serve` of the built examples.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator

import pytest

from .test_web_browser import chromium, open_tab
from .test_web_fixtures import build_examples
from .test_web_serving import serving

__all__ = ["chromium"]  # a fixture, imported for pytest

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:  # the chromium fixture skips or fails, saying why
    pass

SOHR_LABEL = "Syrian Observatory for Human Rights"
SOHR_PAGE = re.compile(r"/doc/organization/sohr\.html$")


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Browser) -> Iterator[str]:
    """`kgpub serve` of a built copy of the examples."""
    root = build_examples(tmp_path_factory.mktemp("search-browser"))
    with serving(root, uuid.uuid4().hex) as base:
        yield base


@pytest.fixture
def page(chromium: Browser, server: str) -> Iterator[Page]:
    """A tab with JavaScript on."""
    yield from open_tab(chromium, server, javascript=True)


@pytest.fixture
def page_without_javascript(chromium: Browser, server: str) -> Iterator[Page]:
    """A tab with JavaScript off."""
    yield from open_tab(chromium, server, javascript=False)


def test_typing_osdh_on_the_home_page_suggests_the_observatory_and_a_click_opens_it(
    page: Page,
) -> None:
    page.goto("")
    box = page.get_by_role("combobox")
    box.press_sequentially("OSDH")
    suggestion = page.get_by_role("option").first
    expect(suggestion).to_contain_text(SOHR_LABEL)
    expect(suggestion).to_contain_text("OSDH (fr)")
    expect(box).to_have_attribute("aria-expanded", "true")
    suggestion.click()
    expect(page).to_have_url(SOHR_PAGE)
    expect(page.locator("h1")).to_have_text(SOHR_LABEL)


def test_arrow_keys_choose_a_suggestion_and_enter_opens_it(page: Page) -> None:
    page.goto("search")
    box = page.get_by_role("combobox")
    box.press_sequentially("observatory")
    expect(page.get_by_role("option").first).to_contain_text(SOHR_LABEL)
    box.press("ArrowDown")
    expect(page.get_by_role("option").first).to_have_attribute("aria-selected", "true")
    option_id = page.get_by_role("option").first.get_attribute("id")
    expect(box).to_have_attribute("aria-activedescendant", option_id or "")
    box.press("Enter")
    expect(page).to_have_url(SOHR_PAGE)


def test_escape_closes_the_suggestions_and_enter_then_submits_the_form(page: Page) -> None:
    page.goto("")
    box = page.get_by_role("combobox")
    box.press_sequentially("hassake")
    expect(page.get_by_role("listbox")).to_be_visible()
    box.press("Escape")
    expect(page.get_by_role("listbox")).to_be_hidden()
    box.press("Enter")
    expect(page).to_have_url(re.compile(r"/search\?q=hassake$"))
    expect(page.locator(".hit-label").first).to_have_text("Al-Hasakah")


def test_without_javascript_the_form_lists_the_hits_on_the_search_page(
    page_without_javascript: Page,
) -> None:
    tab = page_without_javascript
    tab.goto("")
    tab.locator("#search-text").fill("OSDH")
    tab.locator("#search-text").press("Enter")
    expect(tab).to_have_url(re.compile(r"/search\?q=OSDH$"))
    hit = tab.locator(".hit-label")
    expect(hit).to_have_text(SOHR_LABEL)
    hit.click()
    expect(tab).to_have_url(SOHR_PAGE)
