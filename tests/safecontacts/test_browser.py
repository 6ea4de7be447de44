"""The directory filter and the scheme's pages in a real browser, and through axe."""

from __future__ import annotations

import pytest

from hsm.extensions import db
from hsm.i18n import LOCALES
from tests.safecontacts.seed import make_contact, seed_safe_contacts

pytestmark = pytest.mark.browser


def test_live_filter_updates_the_list_and_the_url(new_page, live_server):
    seed_safe_contacts(8)
    page = new_page(js=True)
    page.goto(f"{live_server.url}/safe-contacts")
    page.wait_for_function("() => window.htmx !== undefined")
    assert page.locator(".sc-card").count() == 8
    page.locator("body").evaluate("b => b.dataset.marker = 'same-page'")
    page.select_option("#filter-centre", "paris")
    page.wait_for_url("**/safe-contacts?centre=paris&badge=&language=")
    page.wait_for_function("() => document.querySelectorAll('.sc-card').length === 2")
    assert page.locator(".sc-results__count").inner_text().startswith("2 ")
    # Screen readers hear the new count from the live region that stayed in place.
    assert page.locator("#sc-announce").inner_text() == "2 Safe Contacts found"
    # The page was not reloaded: htmx swapped the results in place.
    assert page.locator("body").get_attribute("data-marker") == "same-page"
    page.select_option("#filter-language", "fr")
    page.wait_for_url("**/safe-contacts?centre=paris&badge=&language=fr")
    page.wait_for_function("() => document.querySelectorAll('.sc-card').length === 1")


def test_the_same_filter_without_javascript(new_page, live_server):
    seed_safe_contacts(8)
    page = new_page(js=False)
    page.goto(f"{live_server.url}/safe-contacts")
    assert page.locator(".sc-card").count() == 8
    page.select_option("#filter-centre", "paris")
    page.get_by_role("button", name="Show Safe Contacts").click()
    page.wait_for_url("**/safe-contacts?centre=paris*")
    assert page.locator(".sc-card").count() == 2
    # The filtered address can be shared: opening it again gives the same list.
    shared = new_page(js=False)
    shared.goto(page.url)
    assert shared.locator(".sc-card").count() == 2


@pytest.mark.parametrize("lang", LOCALES)
def test_no_axe_violations_on_public_pages(new_page, live_server, axe, lang):
    seed_safe_contacts(3)
    page = new_page(js=True)
    for path in ("/safe-contacts", "/uk/safe-contacts", "/safe-contacts/apply"):
        page.goto(f"{live_server.url}{path}?lang={lang}")
        axe(page)
    # The application form with its errors showing.
    page.goto(f"{live_server.url}/safe-contacts/apply?lang={lang}")
    page.locator("form.sc-form button[type=submit]").click()
    page.wait_for_selector(".error-summary")
    axe(page)


@pytest.mark.parametrize("lang", LOCALES)
def test_no_axe_violations_on_the_board(browser_login, live_server, axe, lang):
    seed_safe_contacts(2)
    make_contact(stage="applied", line_manager=False)
    make_contact(stage="training", induction_attended=False)
    db.session.commit()
    page = browser_login("edi_officer")
    for path in (
        "/staff/safe-contacts/board",
        "/staff/safe-contacts/training",
        "/staff/safe-contacts/diversity",
    ):
        page.goto(f"{live_server.url}{path}?lang={lang}")
        axe(page)


def test_board_move_in_place(browser_login, live_server):
    person = make_contact(stage="applied", name="Jordan Moves")
    db.session.commit()
    page = browser_login("edi_officer")
    page.goto(f"{live_server.url}/staff/safe-contacts/board")
    page.wait_for_function("() => window.htmx !== undefined")
    page.get_by_role("button", name="Move Jordan Moves to Informal chat").click()
    page.locator("#col-chat").locator("xpath=..").get_by_role(
        "link", name="Jordan Moves"
    ).wait_for()
    assert page.url.endswith("/staff/safe-contacts/board")
    # Screen readers hear the move, and keyboard focus follows the card to its new column.
    page.wait_for_function(
        "() => document.querySelector('#board-status').textContent.includes('moved to')"
    )
    assert page.evaluate("() => document.activeElement.textContent") == "Jordan Moves"
    db.session.refresh(person)
    assert person.stage == "chat"
