"""The statistics pages in real Chromium: axe finds nothing in en, nl and fr; the Director
publishes and the board chooses a period with JavaScript off; every chart loads as an image
from our own origin under the strict CSP."""

from __future__ import annotations

import os
import time
from datetime import UTC, datetime

import pytest

from hsm.extensions import db
from hsm.i18n import LOCALES
from hsm.stats import demo, operations

SHOTS = os.environ.get("HSM_SCREENSHOTS")


def _history() -> None:
    through = operations.last_complete_month(datetime.now(UTC))
    demo.history(through, reports=260, cases=120, centres=["amsterdam", "ireland", "paris", "uk"])
    db.session.commit()


def _charts_loaded(page) -> list[bool]:
    return page.eval_on_selector_all(
        "img.stats-chart", "imgs => imgs.map(i => i.complete && i.naturalWidth > 0)")


@pytest.mark.parametrize("language", LOCALES)
def test_the_statistics_pages_have_no_axe_violations(browser_login, live_server, axe, language):
    page = browser_login("safeguarding_director")
    page.goto(f"{live_server.url}/staff/statistics?lang={language}")
    axe(page)  # nothing published yet, with the publishing form
    _history()
    operations.publish(None, operations.last_complete_month(datetime.now(UTC)))
    db.session.commit()
    page.goto(f"{live_server.url}/staff/statistics?lang={language}&area=uk",
              wait_until="domcontentloaded")
    axe(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/statistics-{language}.png", full_page=True)
    # Publishing the same month again: the error summary, in this language.
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator(".stats-publish button[type=submit]").click()
    assert page.locator(".error-summary").count() == 1
    axe(page)


def test_publishing_and_choosing_work_without_javascript(browser_login, live_server):
    _history()
    page = browser_login("safeguarding_director", js=False)
    page.goto(f"{live_server.url}/staff/statistics")
    with page.expect_navigation(wait_until="domcontentloaded"):
        page.locator(".stats-publish button[type=submit]").click()
    page.get_by_text("is published").wait_for()
    board = browser_login("executive", js=False)
    board.goto(f"{live_server.url}/staff/statistics", wait_until="domcontentloaded")
    assert board.locator(".stats-publish").count() == 0
    board.get_by_label("Period", exact=True).select_option(index=1)  # the first term
    board.get_by_label("Centre", exact=True).select_option("uk")
    with board.expect_navigation(wait_until="domcontentloaded"):
        board.get_by_role("button", name="Show").click()
    assert "area=uk" in board.url
    assert board.get_by_label("Centre", exact=True).input_value() == "uk"
    for image in board.locator("img.stats-chart").all():
        image.scroll_into_view_if_needed()
    deadline = time.monotonic() + 60  # a first view draws each chart (cached afterwards)
    while not all(loaded := _charts_loaded(board)) and time.monotonic() < deadline:
        board.wait_for_timeout(250)
    assert len(loaded) == 14 and all(loaded)
    if SHOTS:
        board.screenshot(path=f"{SHOTS}/statistics-nojs.png", full_page=True)
