"""The hearing and the outcome in real Chromium: the decision recorded with htmx keeps what
is typed in another form and unseals the impact statement in place; the outcome recorded
without JavaScript; axe finds nothing on the new forms (open, and with their messages) in
every language."""

from __future__ import annotations

import os
from datetime import date

import pytest

from hsm.cases import operations as ops
from hsm.cases.terms import PartyRole
from hsm.extensions import db
from hsm.i18n import LOCALES
from hsm.letters import operations as letter_ops
from tests.cases.test_hearing import IMPACT, hearing_case, outcome_case
from tests.cases.test_investigation_browser import _date

BOARD = "/staff/cases"
SHOTS = os.environ.get("HSM_SCREENSHOTS")


def test_the_decision_with_htmx_unseals_the_statement_and_keeps_other_input(
        browser_login, live_server, make_case, staff):
    case = hearing_case(make_case, staff)
    page = browser_login("safeguarding_director")
    page.goto(f"{live_server.url}{BOARD}/{case.id}")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => window.sameDocument = true")
    assert IMPACT not in page.content()
    page.locator("#action-attendance summary").click()
    typed = "Typed-canary: a room on the ground floor."
    page.locator("#attendance-arrangements").fill(typed)
    page.locator("#action-hearing_decision summary").click()
    page.locator("#hearing_decision-finding-0").check()
    page.locator("#hearing_decision-reasons").fill("The committee's reasons.")
    _date(page, "hearing_decision-decided_on", date.today())
    page.locator("#action-hearing_decision button[type=submit]").click()
    page.locator("#records-hearing").get_by_text(IMPACT).wait_for()
    assert page.evaluate("() => window.sameDocument") is True
    # Only the decision's own form was swapped: what is typed in another one stays.
    assert page.locator("#attendance-arrangements").input_value() == typed


def test_the_outcome_without_javascript_keeps_a_mistake_and_records(browser_login,
                                                                    live_server, make_case,
                                                                    staff):
    case = outcome_case(make_case, staff)
    page = browser_login("centre_director", "uk", js=False)
    page.goto(f"{live_server.url}{BOARD}/{case.id}")
    page.locator("#action-outcome summary").click()
    page.locator("#outcome-reasons").fill("Kept-canary: the reasons.")
    page.select_option("#outcome-kind", "restorative_justice")
    page.locator("#outcome-finding-0").check()
    _date(page, "outcome-decided_on", date.today())
    page.locator("#action-outcome button[type=submit]").click()
    page.locator("#action-outcome .error-summary").get_by_text(
        "Restorative justice is only", exact=False).wait_for()
    assert page.locator("#outcome-reasons").input_value() == "Kept-canary: the reasons."
    page.select_option("#outcome-kind", "caution")
    page.locator("#action-outcome button[type=submit]").click()
    page.locator("#records-hearing").get_by_text("Kept-canary: the reasons.").wait_for()


@pytest.mark.parametrize("lang", LOCALES)
def test_no_axe_violations_on_the_hearing_and_the_outcome(browser_login, live_server, axe,
                                                          make_case, staff, lang):
    case = hearing_case(make_case, staff)
    ops.record_attendance(staff.caseworker, case, True, safe_place=True,
                          arrangements="A separate waiting room.")
    db.session.commit()
    page = browser_login("safeguarding_director")
    page.goto(f"{live_server.url}{BOARD}/{case.id}?lang={lang}")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    axe(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/hearing-{lang}.png", full_page=True)
    page.locator("#action-hearing_decision button[type=submit]").click()
    page.locator("#action-hearing_decision .error-summary").wait_for()
    axe(page)
    # The outcome, with a caution: the form, then the records and the board card.
    second = outcome_case(make_case, staff)
    ops.record_studies_change(staff.caseworker, second,
                              next(p for p in second.parties if p.role == PartyRole.RESPONDING),
                              "interrupted", date.today())
    db.session.commit()
    page.goto(f"{live_server.url}{BOARD}/{second.id}?lang={lang}")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    axe(page)
    page.locator("#action-outcome button[type=submit]").click()
    page.locator("#action-outcome .error-summary").wait_for()
    axe(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/outcome-form-{lang}.png", full_page=True)
    letter_ops.record_outcome(staff.director, second, "breach", "Reasons.", date.today(),
                              sanctions=[letter_ops.SanctionDetails("caution")])
    db.session.commit()
    page.goto(f"{live_server.url}{BOARD}/{second.id}?lang={lang}")
    axe(page)
    page.goto(f"{live_server.url}{BOARD}?lang={lang}")
    axe(page)
