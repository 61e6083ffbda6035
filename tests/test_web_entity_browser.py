"""The entity page in a real browser: Debian's Chromium, against `kgpub serve`.

The skip rule (run only with Chromium and Playwright installed, required under ``CI=true``)
and the server are those of :mod:`tests.test_web_browser`.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from .test_web_browser import chromium, open_tab
from .test_web_entity_page import MARKUP, write_markup_collection
from .test_web_serving import serving

__all__ = ["chromium"]  # a fixture, imported for pytest

try:
    from playwright.sync_api import Browser, Page, expect
except ImportError:  # the chromium fixture skips or fails, saying why
    pass

ESCAPE_PAGE = "doc/event/sample/escape.html"
"""The escape in conftest's sample article: OSDH's escape, reframed by the SDF as an attempt."""


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory, chromium: Browser) -> Iterator[str]:
    """`kgpub serve` of the sample collection whose escape's label holds a script tag."""
    root = write_markup_collection(tmp_path_factory.mktemp("entity-browser") / "collection")
    with serving(root, uuid.uuid4().hex) as base:
        yield base


@pytest.fixture
def page(chromium: Browser, server: str) -> Iterator[Page]:
    """A fresh tab with JavaScript on, so markup that could run would."""
    yield from open_tab(chromium, server)


@pytest.mark.attack
def test_the_contested_escape_shows_both_sources_and_its_markup_label_stays_inert(
    page: Page,
) -> None:
    page.goto(ESCAPE_PAGE)
    expect(page.locator("h1")).to_have_text(f"escape of prisoners {MARKUP}")
    contested = page.locator(".claimed.contested")
    expect(contested).to_have_count(1)
    expect(contested.locator(".claimed-value")).to_have_count(2)
    claimants = contested.locator(".claimant").all_inner_texts()
    assert {"Syrian Observatory for Human Rights", "Syrian Democratic Forces"} <= set(claimants)
    expect(contested.locator(".stance-reframes").first).to_be_visible()
    expect(contested.locator(".stance-affirms").first).to_be_visible()
    assert page.evaluate("typeof window.pwned") == "undefined"
