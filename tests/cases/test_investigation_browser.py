"""The investigation on the Investigating Officer's case page, in real Chromium: a meeting
recorded with htmx keeps what is typed in another form, the policy's order is said plainly
without JavaScript, and axe finds nothing on the page in every language."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest

from hsm.cases import operations as ops
from hsm.cases.terms import Conclusion, CounterDecision, PartyRole, Stage
from hsm.extensions import db
from hsm.i18n import LOCALES
from tests.cases.conftest import party
from tests.cases.test_investigation import details, witness

BOARD = "/staff/cases"
SHOTS = os.environ.get("HSM_SCREENSHOTS")  # a folder: the pages are saved there to look at


def _as_officer(browser_login, case, staff, *, js=True):
    """A page signed in as a second Investigating Officer appointed to ``case``."""
    page = browser_login("investigating_officer", js=js)
    ops.appoint_officer(staff.director, case, page.user, "investigating")
    db.session.commit()
    return page


def _date(page, prefix, on: date):
    for part, value in (("day", on.day), ("month", on.month), ("year", on.year)):
        page.locator(f"#{prefix}-{part}").fill(str(value))


def _fill_meeting(page, party_id: int, notes: str):
    page.locator("#action-meeting summary").click()
    page.select_option("#meeting-party", str(party_id))
    _date(page, "meeting-held_on", date.today() - timedelta(days=1))
    page.locator("#meeting-welfare_check").check()
    page.locator("#meeting-services_signposted").fill("The counselling service.")
    page.locator("#meeting-notes").fill(notes)


def test_a_meeting_with_htmx_keeps_what_is_typed_in_another_form(browser_login, live_server,
                                                                 make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    page = _as_officer(browser_login, case, staff)
    page.goto(f"{live_server.url}{BOARD}/{case.id}")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => window.sameDocument = true")
    page.locator("#action-scope summary").click()
    typed = "Typed-canary: half a scope, not sent yet."
    page.locator("#scope-scope").fill(typed)
    _fill_meeting(page, party(case, PartyRole.REPORTING).id, "Notes-canary: the account.")
    page.locator("#action-meeting button[type=submit]").click()
    page.locator("#records-investigation").get_by_text("Notes-canary: the account.").wait_for()
    page.locator("#case-status").get_by_text("The meeting is recorded.").wait_for()
    assert page.evaluate("() => window.sameDocument") is True
    assert page.locator("#scope-scope").input_value() == typed


def test_the_policys_order_without_javascript(browser_login, live_server, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    page = _as_officer(browser_login, case, staff, js=False)
    page.goto(f"{live_server.url}{BOARD}/{case.id}")
    _fill_meeting(page, party(case, PartyRole.RESPONDING).id, "Kept-canary: their version.")
    page.locator("#action-meeting button[type=submit]").click()
    page.locator("#action-meeting .error-summary").get_by_text(
        "reporting party first", exact=False).wait_for()
    assert page.locator("#meeting-notes").input_value() == "Kept-canary: their version."
    page.locator("#meeting-order_reason").fill("The reporting party is unwell this week.")
    page.locator("#action-meeting button[type=submit]").click()
    page.locator("#records-investigation").get_by_text("Kept-canary: their version.").wait_for()
    assert "The reporting party is unwell this week." in page.locator(
        "#records-investigation").inner_text()


@pytest.mark.parametrize("lang", LOCALES)
def test_no_axe_violations_on_the_investigation(browser_login, live_server, axe, make_case,
                                                staff, lang):
    case = make_case(Stage.INVESTIGATION)
    io = staff.investigator
    ops.record_scope(io, case, "The comments in class in October.")
    ops.record_meeting(io, case, party(case, PartyRole.REPORTING), details(
        accompanied_by="A friend", adjustments="Breaks."))
    ops.record_meeting(io, case, witness(case, staff), details(order_reason="Leaving soon."))
    ops.record_counter_allegation(io, case, party(case, PartyRole.RESPONDING), date.today(),
                                  "They say it was mutual.", CounterDecision.WITHIN,
                                  "The same events.")
    ops.set_police_hold(staff.director, case, True)
    ops.record_police_liaison(io, case, date.today(), "PC Example", "Wait a week.", False)
    db.session.commit()
    page = _as_officer(browser_login, case, staff)
    page.goto(f"{live_server.url}{BOARD}/{case.id}?lang={lang}")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    axe(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/investigation-{lang}.png", full_page=True)
    # A meeting form with its messages, as a mistake shows it.
    page.locator("#action-meeting button[type=submit]").click()
    page.locator("#action-meeting .error-summary").wait_for()
    axe(page)
    # The Safeguarding Director, once concluded: closing the loop.
    ops.set_police_hold(staff.director, case, False)
    ops.record_conclusion(io, case, Conclusion.BREACH, date.today())
    db.session.commit()
    director = browser_login("safeguarding_director")
    director.goto(f"{live_server.url}{BOARD}/{case.id}?lang={lang}")
    director.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    axe(director)
    if SHOTS:
        director.screenshot(path=f"{SHOTS}/investigation-director-{lang}.png", full_page=True)


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
def test_evidence_is_uploaded_and_a_wrong_file_is_said_plainly(browser_login, live_server,
                                                               make_case, staff, axe, js,
                                                               tmp_path):
    """With htmx, and as a plain form post with JavaScript off."""
    from tests.cases.test_evidence import PDF, png

    case = make_case(Stage.INVESTIGATION)
    page = _as_officer(browser_login, case, staff, js=js)
    page.goto(f"{live_server.url}{BOARD}/{case.id}")
    if js:
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("() => window.sameDocument = true")
        page.locator("#action-scope summary").click()
        page.locator("#scope-scope").fill("Typed-canary: not sent.")
    wrong = tmp_path / "statement.pdf"
    wrong.write_bytes(png())
    page.locator("#action-evidence summary").click()
    page.locator("#evidence-title").fill("Title-canary: the statement")
    page.locator("#evidence-file").set_input_files(str(wrong))
    page.locator("#action-evidence button[type=submit]").click()
    page.locator("#action-evidence .error-summary").get_by_text(
        "does not match its name", exact=False).wait_for()
    assert page.locator("#evidence-title").input_value() == "Title-canary: the statement"
    axe(page)
    right = tmp_path / "timetable.pdf"
    right.write_bytes(PDF)
    page.locator("#evidence-file").set_input_files(str(right))
    page.locator("#action-evidence button[type=submit]").click()
    page.locator("#records-investigation").get_by_text(
        "Appendix 1: Title-canary: the statement").wait_for()
    if js:
        assert page.evaluate("() => window.sameDocument") is True
        assert page.locator("#scope-scope").input_value() == "Typed-canary: not sent."
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the original (appendix 1)").click()
    assert download.value.path().read_bytes() == PDF
    if SHOTS:
        page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = false)")
        page.locator("#investigation-title").scroll_into_view_if_needed()
        page.screenshot(path=f"{SHOTS}/evidence-{'js' if js else 'nojs'}.png", full_page=True)
