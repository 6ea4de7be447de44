"""The centre pages in a real browser: without JavaScript, and through axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hsm.i18n import LOCALES
from tests.centres.helpers import SLUGS

PAGES = ["/"] + [f"/{s}{p}" for s in SLUGS for p in ("/", "/options", "/what-counts")]


def test_support_page_works_without_javascript(new_page, live_server):
    page = new_page(js=False)
    page.goto(f"{live_server.url}/")
    page.get_by_role("link", name="Ireland (Tralee)").click()
    page.wait_for_url(f"{live_server.url}/ireland/")

    strip = page.locator("#emergency")
    assert strip.get_by_role("link", name="999").get_attribute("href") == "tel:999"
    talk_now = page.locator("#talk-now")
    call = talk_now.get_by_role("link", name="Call 1800 77 8888")
    assert call.is_visible()
    assert call.get_attribute("href") == "tel:+3531800778888"

    # Language switch and the other pages are plain links.
    page.get_by_role("link", name="Français").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")  # once the new page is in
    page.locator("nav.centre-nav a").first.click()
    page.wait_for_url(lambda url: url.startswith(f"{live_server.url}/ireland/options"))
    assert page.locator("html").get_attribute("lang") == "fr"

    # The remembered centre is offered on the start page, with a way to change it.
    page.goto(f"{live_server.url}/")
    assert page.locator('a[href="/ireland/"]').first.is_visible()
    # It leads back to this same address: wait for the new page's load, not for the address.
    with page.expect_navigation():
        page.locator('a[href="/forget-centre"]').click()
    assert page.locator('a[href="/ireland/"]').count() == 0


@pytest.mark.parametrize("lang", LOCALES)
def test_no_axe_violations_on_centre_pages(new_page, live_server, axe, lang):
    page = new_page(js=True)
    for path in PAGES:
        page.goto(f"{live_server.url}{path}?lang={lang}")
        axe(page)


def test_no_axe_violations_with_a_remembered_centre(new_page, live_server, axe):
    page = new_page(js=True)
    page.goto(f"{live_server.url}/choose/paris")
    page.goto(f"{live_server.url}/")
    assert page.locator("#remembered-title").is_visible()
    axe(page)


def test_support_page_fits_a_phone_screen(new_page, live_server):
    page = new_page(js=False, viewport={"width": 320, "height": 640})
    for slug in SLUGS:
        page.goto(f"{live_server.url}/{slug}/")
        overflow = page.evaluate(
            "() => document.documentElement.scrollWidth - document.documentElement.clientWidth"
        )
        assert overflow <= 0, f"/{slug}/ scrolls sideways on a 320px screen"
