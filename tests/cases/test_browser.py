"""The case board in real Chromium: moves with htmx and without JavaScript, two people moving
the same case, the keyboard alone, and axe on the board and the case page in every language."""

from __future__ import annotations

import pytest

from hsm.cases import operations as ops
from hsm.cases.models import Case
from hsm.cases.terms import PartyRole, Stage
from hsm.extensions import db
from hsm.i18n import LOCALES
from tests.cases.conftest import party

BOARD = "/staff/cases"


@pytest.fixture
def received(make_case, staff):
    """A received case that may move to support (its reporting party has a caseworker)."""
    case = make_case(Stage.RECEIVED)
    ops.assign_caseworker(staff.director, case, party(case, PartyRole.REPORTING),
                          staff.caseworker)
    db.session.commit()
    return case


def _open_board(page, live_server, js: bool = True):
    page.goto(f"{live_server.url}{BOARD}")
    if js:
        page.wait_for_function("() => window.htmx !== undefined")


def _column(page, stage: str):
    return page.locator(f"#cases-board-cards-{stage}")


def _stage(case: Case) -> str:
    db.session.refresh(case)
    return case.stage


def test_a_case_moves_through_the_board_with_htmx(browser_login, live_server, received,
                                                   make_case):
    other = make_case(Stage.RECEIVED)
    page = browser_login("student_services", "uk")
    _open_board(page, live_server)
    page.evaluate("() => window.sameDocument = true")
    page.locator(f"#cases-board-card-{other.id}").evaluate("li => li.dataset.marker = 'kept'")
    assert page.locator("#cases-board-count-received").inner_text() == "(2)"
    page.get_by_role("button", name=f"Move {received.reference} to Support").click()
    _column(page, "support").get_by_role("link", name=received.reference).wait_for()
    assert _column(page, "received").get_by_role("link", name=received.reference).count() == 0
    # Only the card was swapped: the page and the other card are the very same.
    assert page.evaluate("() => window.sameDocument") is True
    assert page.locator("[data-marker=kept]").count() == 1
    assert page.locator("#cases-board-count-received").inner_text() == "(1)"
    assert page.locator("#cases-board-count-support").inner_text() == "(1)"
    page.wait_for_function(
        "() => document.querySelector('#cases-board-status').textContent.includes('moved to')")
    assert _stage(received) == Stage.SUPPORT


def test_a_case_moves_through_the_board_without_javascript(browser_login, live_server,
                                                           received):
    page = browser_login("student_services", "uk", js=False)
    _open_board(page, live_server, js=False)
    page.get_by_role("button", name=f"Move {received.reference} to Support").click()
    page.wait_for_url(f"**{BOARD}")
    assert f"Case {received.reference} moved to Support." in page.locator(".flashes").inner_text()
    _column(page, "support").get_by_role("link", name=received.reference).wait_for()
    assert _stage(received) == Stage.SUPPORT


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
def test_the_second_of_two_people_is_told_plainly(browser_login, live_server, received, js):
    first = browser_login("student_services", "uk")
    second = browser_login("student_services", "uk", js=js)
    _open_board(first, live_server)
    _open_board(second, live_server, js=js)
    button = f"Move {received.reference} to Support"
    first.get_by_role("button", name=button).click()
    _column(first, "support").get_by_role("link", name=received.reference).wait_for()
    db.session.refresh(received)
    version = received.version
    second.get_by_role("button", name=button).click()
    alert = second.locator("#cases-board-alert")
    alert.get_by_text("is now at Support, so nothing was changed").wait_for()
    # The board shows where the case is now; nothing changed twice.
    _column(second, "support").get_by_role("link", name=received.reference).wait_for()
    db.session.refresh(received)
    assert received.stage == Stage.SUPPORT and received.version == version


def test_the_keyboard_alone_moves_a_case(browser_login, live_server, received):
    page = browser_login("student_services", "uk")
    _open_board(page, live_server)
    link = page.get_by_role("link", name=received.reference)
    link.focus()
    page.keyboard.press("Tab")
    focused = page.evaluate("() => document.activeElement.textContent")
    assert focused == f"Move {received.reference} to Support"
    page.keyboard.press("Enter")
    _column(page, "support").get_by_role("link", name=received.reference).wait_for()
    # Focus follows the card to its new column, so the next key press goes on from there.
    page.wait_for_function(
        f"() => document.activeElement && document.activeElement.id === "
        f"'case-link-{received.id}'")
    assert _stage(received) == Stage.SUPPORT


@pytest.mark.parametrize("lang", LOCALES)
def test_no_axe_violations_on_the_board_and_case_page(browser_login, live_server, axe,
                                                      make_case, received, staff, lang):
    from datetime import date

    from hsm.cases.terms import MeasureKind
    urgent = make_case(Stage.FORMAL_COMPLAINT, urgent=True)
    ops.set_measure(staff.director, urgent, party(urgent, PartyRole.RESPONDING),
                    MeasureKind.NO_CONTACT, date(2026, 11, 20), interim=True)
    db.session.commit()
    pages = {
        "student_services": (BOARD, f"{BOARD}?board=people_team", f"{BOARD}/{received.id}",
                             f"{BOARD}/deadlines", f"{BOARD}/new"),
        "safeguarding_director": (BOARD, f"{BOARD}/{urgent.id}"),
    }
    for role, paths in pages.items():
        page = (browser_login("student_services", "uk", "people_team")
                if role == "student_services" else browser_login(role))
        for path in paths:
            page.goto(f"{live_server.url}{path}{'&' if '?' in path else '?'}lang={lang}")
            # Every form of the case page is checked, not only the ones that are open.
            page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
            axe(page)
        if role == "student_services":  # a form with its messages, as a mistake shows it
            page.goto(f"{live_server.url}{BOARD}/{received.id}?lang={lang}")
            page.locator("#action-risk summary").click()
            page.locator("#action-risk button[type=submit]").click()
            page.locator("#action-risk .error-summary").wait_for()
            axe(page)


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
def test_filters_update_the_board_and_the_url(browser_login, live_server, make_case, js):
    urgent = make_case(Stage.SUPPORT, urgent=True)
    calm = make_case(Stage.SUPPORT)
    page = browser_login("student_services", "uk", js=js)
    _open_board(page, live_server, js=js)
    if js:
        page.evaluate("() => window.sameDocument = true")
    page.select_option("#filter-flag", "immediate_danger")
    if not js:
        page.get_by_role("button", name="Filter").click()
    page.wait_for_url("**/staff/cases?flag=immediate_danger*")
    page.locator(f"#cases-board-card-{calm.id}").wait_for(state="detached")
    assert page.locator(f"#cases-board-card-{urgent.id}").count() == 1
    if js:  # updated in place: the filter the person is using was not swapped
        assert page.evaluate("() => window.sameDocument") is True
        assert page.locator("#filter-flag").input_value() == "immediate_danger"


def test_a_record_with_htmx_keeps_what_is_typed_in_another_form(browser_login, live_server,
                                                                 make_case):
    case = make_case(Stage.SUPPORT)
    page = browser_login("student_services", "uk")
    page.goto(f"{live_server.url}{BOARD}/{case.id}")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => window.sameDocument = true")
    page.locator("#action-note summary").click()
    words = "Typed-canary: half a note, not sent yet."
    page.locator("#note-body").fill(words)
    page.locator("#action-support summary").click()
    page.select_option("#support-kind", "counselling")
    page.select_option("#support-status", "referred")
    page.locator("#action-support button[type=submit]").click()
    page.locator("#records-support_plan").get_by_text("Referral to counselling").wait_for()
    page.locator("#case-status").get_by_text("The support is added to the plan.").wait_for()
    assert page.evaluate("() => window.sameDocument") is True
    assert page.locator("#note-body").input_value() == words
    # The timeline, swapped out of band, shows the record; the note is still unsent.
    assert page.locator("#case-timeline").inner_text().count("Typed-canary") == 0


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
def test_a_mistake_on_a_case_form_keeps_the_words(browser_login, live_server, make_case, js):
    case = make_case(Stage.SUPPORT)
    page = browser_login("student_services", "uk", js=js)
    page.goto(f"{live_server.url}{BOARD}/{case.id}")
    if js:
        page.wait_for_function("() => window.htmx !== undefined")
    page.locator("#action-risk summary").click()
    page.locator("#risk-risk_to_reporting_party").fill("Kept-canary: shared seminar group.")
    page.locator("#action-risk button[type=submit]").click()
    page.locator("#action-risk .error-summary").get_by_text(
        "Write the risks to the responding party.").wait_for()
    assert page.locator("#risk-risk_to_reporting_party").input_value() == \
        "Kept-canary: shared seminar group."
    page.locator("#risk-risk_to_responding_party").fill("None identified.")
    page.locator("#risk-risk_to_others").fill("None identified.")
    page.locator("#risk-urgency-1").check()
    for part, value in (("day", "20"), ("month", "12"), ("year", "2026")):
        page.locator(f"#risk-next_review_on-{part}").fill(value)
    page.locator("#action-risk button[type=submit]").click()
    page.locator("#records-risk_assessment").get_by_text("Kept-canary").wait_for()


def _drag(page, source, target):
    """Drag with the mouse at a person's pace (SortableJS follows the pointer's moves)."""
    start, end = source.bounding_box(), target.bounding_box()
    x, y = start["x"] + 10, start["y"] + 5
    page.mouse.move(x, y)
    page.mouse.down()
    for step in range(1, 21):
        page.mouse.move(x + (end["x"] + 30 - x) * step / 20, y + (end["y"] + 10 - y) * step / 20)
        page.wait_for_timeout(30)
    page.mouse.up()


def test_drag_and_drop_makes_the_same_checked_move(browser_login, live_server, received,
                                                   make_case):
    blocked = make_case(Stage.RECEIVED)  # no caseworker yet: it may not move to support
    page = browser_login("student_services", "uk")
    page.set_viewport_size({"width": 1600, "height": 1000})
    _open_board(page, live_server)
    page.wait_for_function("() => window.Sortable !== undefined")
    page.locator("[data-dnd-ready]").first.wait_for(state="attached")
    card = f"#cases-board-card-{received.id} p.hint"
    _drag(page, page.locator(card).first, _column(page, "support"))
    _column(page, "support").get_by_role("link", name=received.reference).wait_for()
    page.locator("#cases-board-status").get_by_text("moved to Support").wait_for()
    assert _stage(received) == Stage.SUPPORT
    card = f"#cases-board-card-{blocked.id} p.hint"
    _drag(page, page.locator(card).first, _column(page, "support"))
    page.locator("#cases-board-alert").get_by_text("Cannot move to Support yet").wait_for()
    assert _column(page, "received").locator(f"#cases-board-card-{blocked.id}").count() == 1
    assert _stage(blocked) == Stage.RECEIVED
