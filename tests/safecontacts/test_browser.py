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


BOARD = "/staff/safe-contacts/board"


def _open_board(page, live_server, js: bool = True):
    page.goto(f"{live_server.url}{BOARD}")
    if js:
        page.wait_for_function("() => window.htmx !== undefined")


def _column(page, stage: str):
    return page.locator(f"#board-cards-{stage}")


def test_board_move_in_place(browser_login, live_server):
    person = make_contact(stage="applied", name="Jordan Moves")
    make_contact(stage="applied", name="Sam Stays")
    db.session.commit()
    page = browser_login("edi_officer")
    _open_board(page, live_server)
    # A card that does not move keeps its very element: only the moved card is swapped.
    page.locator("#board-cards-applied li", has_text="Sam Stays").evaluate(
        "li => li.dataset.marker = 'untouched'"
    )
    assert page.locator("#board-count-applied").inner_text() == "(2)"
    page.get_by_role("button", name="Move Jordan Moves to Informal chat").click()
    _column(page, "chat").get_by_role("link", name="Jordan Moves").wait_for()
    assert page.url.endswith(BOARD)
    assert _column(page, "applied").get_by_role("link", name="Jordan Moves").count() == 0
    assert page.locator("[data-marker=untouched]").count() == 1
    # The counts came out of band.
    assert page.locator("#board-count-applied").inner_text() == "(1)"
    assert page.locator("#board-count-chat").inner_text() == "(1)"
    # Screen readers hear the move, and keyboard focus follows the card to its new column.
    page.wait_for_function(
        "() => document.querySelector('#board-status').textContent.includes('moved to')"
    )
    # htmx moves the focus when the swap settles, a moment after the swap itself.
    page.wait_for_function("() => document.activeElement.textContent === 'Jordan Moves'")
    # The empty column says so; the column the card entered no longer does.
    assert _column(page, "chat").locator(".board__empty").is_hidden()
    assert _column(page, "training").locator(".board__empty").is_visible()
    db.session.refresh(person)
    assert person.stage == "chat"


def test_a_second_click_while_a_move_is_sent_sends_nothing(browser_login, live_server):
    from datetime import date

    person = make_contact(
        stage="chat",
        name="Dana Twice",
        chat_on=date(2026, 3, 2),
        chat_staff_one="A. Colleague",
        chat_staff_two="B. Colleague",
    )
    db.session.commit()
    page = browser_login("edi_officer")
    _open_board(page, live_server)
    moves = []
    page.on("request", lambda r: moves.append(r.url) if r.url.endswith("/move") else None)
    # A slow connection (0.8 s each way), so that the clicks land while the move is sent.
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {"offline": False, "latency": 800, "downloadThroughput": -1, "uploadThroughput": -1},
    )
    page.get_by_role("button", name="Move Dana Twice to Applied").click()
    # Again, and the card's other move too: every button of the card is disabled meanwhile.
    page.locator(f"#board-card-{person.id}").evaluate(
        "card => card.querySelectorAll('button').forEach(b => b.click())"
    )
    _column(page, "applied").get_by_role("link", name="Dana Twice").wait_for()
    page.wait_for_timeout(300)
    assert moves == [f"{live_server.url}/staff/safe-contacts/{person.id}/move"]
    assert page.locator("#board-alert").inner_text() == ""  # and nothing was refused
    db.session.refresh(person)
    assert person.stage == "applied"


def test_polling_answers_204_when_idle_and_the_new_board_after_a_colleagues_move(
    browser_login, live_server
):
    from hsm.safecontacts import operations
    from tests.factories import make_user

    person = make_contact(stage="applied", name="Lee Polled")
    colleague = make_user("edi_officer")
    db.session.commit()
    page = browser_login("edi_officer")
    _open_board(page, live_server)

    def poll():
        with page.expect_response(lambda r: "version=" in r.url) as answer:
            # The poller also asks when the tab becomes visible again; no need to wait 20 s.
            page.evaluate("() => document.dispatchEvent(new Event('visibilitychange'))")
        return answer.value

    assert poll().status == 204
    assert poll().status == 204
    page.locator("#board").evaluate("b => b.dataset.marker = 'old'")
    operations.move(colleague, person, "chat")
    db.session.commit()
    assert poll().status == 200
    _column(page, "chat").get_by_role("link", name="Lee Polled").wait_for()
    assert page.locator("#board[data-marker=old]").count() == 0  # the board was swapped
    # htmx wires the new board's poller up once the swap settles (slower on a loaded machine).
    page.wait_for_function("() => { const p = document.querySelector('#board [data-poll]');"
                           " return !!(p && p['htmx-internal-data']"
                           " && p['htmx-internal-data'].initHash); }")
    assert poll().status == 204  # the new board carries the new version


def test_every_move_works_without_javascript(browser_login, live_server):
    person = make_contact(stage="applied", name="Noor Plain")
    db.session.commit()
    page = browser_login("edi_officer", js=False)
    _open_board(page, live_server, js=False)
    page.get_by_role("button", name="Move Noor Plain to Informal chat").click()
    page.wait_for_url(f"**{BOARD}")
    assert "Noor Plain moved to Informal chat." in page.locator(".flashes").inner_text()
    assert _column(page, "chat").get_by_role("link", name="Noor Plain").count() == 1
    assert page.locator("#board-count-chat").inner_text() == "(1)"
    page.get_by_role("button", name="Move Noor Plain to Applied").click()
    page.wait_for_url(f"**{BOARD}")
    db.session.refresh(person)
    assert person.stage == "applied"


def test_a_column_pages_itself_with_and_without_javascript(browser_login, live_server):
    from hsm.safecontacts.queries import BOARD_PAGE_SIZE

    for i in range(BOARD_PAGE_SIZE + 3):
        make_contact(stage="applied", name=f"Applicant {i:02d}")
    db.session.commit()
    cards = "#board-cards-applied .board__card"
    for js in (True, False):
        page = browser_login("edi_officer", js=js)
        _open_board(page, live_server, js=js)
        assert page.locator(cards).count() == BOARD_PAGE_SIZE
        assert page.locator("#board-count-applied").inner_text() == f"({BOARD_PAGE_SIZE + 3})"
        page.get_by_role("link", name="Show more in Applied").click()
        if js:  # the next cards join the column; the page stays
            page.wait_for_function(
                f"() => document.querySelectorAll('{cards}').length === {BOARD_PAGE_SIZE + 3}"
            )
            assert page.url.endswith(BOARD)
            names = page.locator(f"{cards} h3").all_inner_texts()
            assert len(set(names)) == BOARD_PAGE_SIZE + 3  # none twice
        else:  # a plain link: the board with that column's next page
            page.wait_for_url("**column=applied*")
            assert page.locator(cards).count() == 3
        assert page.get_by_role("link", name="Show more in Applied").count() == 0


def test_a_request_that_fails_is_said_plainly(browser_login, live_server):
    make_contact(stage="applied", name="Ari Offline")
    db.session.commit()
    page = browser_login("edi_officer")
    _open_board(page, live_server)
    page.route("**/move", lambda route: route.abort("internetdisconnected"))
    page.get_by_role("button", name="Move Ari Offline to Informal chat").click()
    alert = page.locator("#request-failed[role=alert]")
    alert.get_by_text("That did not reach the server, so nothing was changed.").wait_for()
    # The card is still there, and can be moved again once the connection is back.
    page.unroute("**/move")
    page.get_by_role("button", name="Move Ari Offline to Informal chat").click()
    _column(page, "chat").get_by_role("link", name="Ari Offline").wait_for()
    assert alert.inner_text() == ""


def test_an_answer_that_is_not_ours_is_said_plainly_too(browser_login, live_server):
    make_contact(stage="applied", name="Bo Proxied")
    db.session.commit()
    page = browser_login("edi_officer")
    _open_board(page, live_server)
    # A proxy in front of the app answers instead of it (no HX-Retarget: not our error page).
    page.route("**/move", lambda route: route.fulfill(status=502, body="Bad Gateway"))
    page.get_by_role("button", name="Move Bo Proxied to Informal chat").click()
    page.locator("#request-failed").get_by_text("Something went wrong on our side").wait_for()
    assert "Bad Gateway" not in page.locator("#main").inner_text()  # the page is not replaced
    move = page.get_by_role("button", name="Move Bo Proxied to Informal chat")
    assert move.count() == 1 and move.is_enabled()  # the card is still there, ready again
