"""The letters pages in real Chromium: axe finds nothing in en, nl and fr, and a letter is
prepared, previewed, issued and its delivery recorded with JavaScript off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from hsm.extensions import db
from hsm.i18n import LOCALES
from hsm.letters import operations
from hsm.letters.terms import LetterKind
from tests.letters.conftest import SUMMARY, make_world, request_for


@pytest.fixture
def issued():
    world = make_world("uk")
    letter = operations.issue(world.staff.director, world.case,
                              request_for(world, LetterKind.OUTCOME, world.reporting))
    db.session.commit()
    return world, letter


def _signed_in(browser_login, live_server, world, js=True):
    page = browser_login("safeguarding_director", js=js)
    return page, f"{live_server.url}/staff/cases/{world.case.id}/letters"


@pytest.mark.parametrize("language", LOCALES)
def test_the_letters_pages_have_no_axe_violations(browser_login, live_server, issued, axe,
                                                  language):
    world, letter = issued
    page, base = _signed_in(browser_login, live_server, world)
    for path in ("", f"/{letter.id}",
                 f"/new?kind=suspension_notice&party={world.responding.id}",
                 f"/new?kind=allegation_summary&party={world.responding.id}"):
        page.goto(f"{base}{path}{'&' if '?' in path else '?'}lang={language}")
        axe(page)
    # A form sent with a mistake: the error summary and the message, in this language.
    page.goto(f"{base}/{letter.id}?lang={language}")
    page.locator("form[action$='/deliveries'] button[type=submit]").click()
    page.wait_for_load_state()
    assert page.locator(".error-summary").count() == 1
    axe(page)


def test_a_letter_is_prepared_issued_and_delivered_without_javascript(browser_login,
                                                                     live_server):
    world = make_world("uk")
    db.session.commit()
    page, base = _signed_in(browser_login, live_server, world, js=False)
    page.goto(base)
    page.get_by_role("link", name="Written summary of the allegation · Responding party").click()
    page.get_by_label("The text of the letter").fill(SUMMARY)
    page.get_by_role("button", name="Preview the letter").click()
    expect(page.locator(".letter-preview").get_by_text(SUMMARY)).to_have_count(1)
    page.wait_for_load_state()  # the whole new page, before reading the box further down
    assert page.get_by_label("The text of the letter").input_value() == SUMMARY
    page.get_by_role("button", name="Issue this letter").click()
    page.get_by_text("The letter was issued.").wait_for()
    page.get_by_label("Handed over in person").check()
    day = world.today
    page.get_by_label("Day").fill(str(day.day))
    page.get_by_label("Month").fill(str(day.month))
    page.get_by_label("Year").fill(str(day.year))
    page.get_by_role("button", name="Record the delivery").click()
    page.get_by_text("The delivery was recorded.").wait_for()
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the PDF").click()
    assert download.value.suggested_filename.endswith(".pdf")
