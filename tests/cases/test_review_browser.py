"""The review on the Reviewing Officer's page, in real Chromium: the form of the review and
the decision recorded with htmx (what is typed in another form stays) and without
JavaScript, and axe finds nothing on the page, its forms and their messages, in every
language."""

from __future__ import annotations

import os
from datetime import date, timedelta

import pytest
import sqlalchemy as sa

from hsm.cases import operations as ops
from hsm.cases.models import ReviewRequest
from hsm.cases.terms import Stage
from hsm.extensions import db
from hsm.i18n import LOCALES
from hsm.letters import operations as letter_ops
from hsm.letters.models import ReviewDecision

BOARD = "/staff/cases"
SHOTS = os.environ.get("HSM_SCREENSHOTS")  # a folder: the pages are saved there to look at


def _as_reviewer(browser_login, case, staff, *, js=True):
    """A page signed in as a new Reviewing Officer, appointed to ``case`` in place of the
    first (whose appointment ends with a declared conflict)."""
    page = browser_login("reviewing_officer", js=js)
    ops.appoint_officer(staff.director, case, page.user, "reviewing")
    ops.declare_conflict(staff.director, case, staff.reviewer, "colleague")
    db.session.commit()
    return page


def _request(case) -> ReviewRequest:
    return db.session.scalar(sa.select(ReviewRequest).where(ReviewRequest.case_id == case.id))


def _date(page, prefix, on: date):
    for part, value in (("day", on.day), ("month", on.month), ("year", on.year)):
        page.locator(f"#{prefix}-{part}").fill(str(value))


@pytest.mark.parametrize("js", [True, False], ids=["htmx", "no-js"])
def test_the_reviewing_officer_chooses_the_form_and_decides(browser_login, live_server,
                                                           make_case, staff, js):
    case = make_case(Stage.REVIEW)
    request = _request(case)
    page = _as_reviewer(browser_login, case, staff, js=js)
    page.goto(f"{live_server.url}{BOARD}/{case.id}")
    typed = "Typed-canary: a reason not sent yet."
    if js:
        page.wait_for_function("() => window.htmx !== undefined")
        page.evaluate("() => window.sameDocument = true")
        page.locator("#action-review_timescale summary").click()
        page.locator("#review_timescale-reason").fill(typed)
    # A new hearing without its date: said, and the choice kept.
    page.locator("#action-review_form summary").click()
    page.select_option("#review_form-request", str(request.id))
    page.locator("#action-review_form input[value=hearing]").check()
    page.locator("#action-review_form button[type=submit]").click()
    page.locator("#action-review_form .error-summary").get_by_text(
        "Enter the date of the new hearing.").wait_for()
    assert page.locator("#action-review_form input[value=hearing]").is_checked()
    page.locator("#action-review_form input[value=paper]").check()
    page.locator("#action-review_form button[type=submit]").click()
    page.locator("#records-investigation").get_by_text("A paper review").wait_for()
    # The decision: a heavier penalty.
    page.locator("#action-review_decision summary").click()
    page.select_option("#review_decision-request", str(request.id))
    page.locator("#action-review_decision input[name=review_decision-decision][value=vary]"
                 ).check()
    page.locator("#action-review_decision input[name=review_decision-concerns][value=penalty]"
                 ).check()
    for kind in ("written_warning", "workshop"):
        page.locator(f"#action-review_decision input[name=review_decision-sanctions]"
                     f"[value={kind}]").check()
    page.locator("#review_decision-reasons").fill("Decision-canary: heavier on review.")
    page.locator("#review_decision-affects_other_party").check()
    _date(page, "review_decision-decided_on", date.today() - timedelta(days=1))
    page.locator("#action-review_decision button[type=submit]").click()
    page.locator("#records-investigation").get_by_text(
        "Decision-canary: heavier on review.").wait_for()
    if js:
        assert page.evaluate("() => window.sameDocument") is True
        assert page.locator("#review_timescale-reason").input_value() == typed
    db.session.expire_all()
    decision = db.session.scalar(sa.select(ReviewDecision))
    assert [s.kind for s in decision.sanctions] == ["written_warning", "workshop"]
    assert decision.affects_other_party is True


@pytest.mark.parametrize("lang", LOCALES)
def test_no_axe_violations_on_the_review(browser_login, live_server, axe, make_case, staff,
                                         lang):
    case = make_case(Stage.REVIEW)
    request = _request(case)
    page = _as_reviewer(browser_login, case, staff)
    letter_ops.record_review_form(page.user, case, request, "hearing",
                                  hearing_on=date.today() + timedelta(days=5),
                                  arrangements="A separate room; questions through the Chair.")
    db.session.commit()
    page.goto(f"{live_server.url}{BOARD}/{case.id}?lang={lang}")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    axe(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/review-{lang}.png", full_page=True)
    # The decision's form with its messages, as a mistake shows it.
    page.locator("#action-review_decision button[type=submit]").click()
    page.locator("#action-review_decision .error-summary").wait_for()
    axe(page)
    # Decided: the records show the decision, and the form says which request is final.
    letter_ops.record_review_form(page.user, case, request, "paper")
    letter_ops.record_review_decision(page.user, case, request, letter_ops.ReviewTerms(
        "vary", "Heavier on review.", date.today(), concerns=("penalty", "finding"),
        new_finding="breach", sanctions=("caution",), affecting_reporting_party=("caution",),
        affects_other_party=True))
    db.session.commit()
    page.goto(f"{live_server.url}{BOARD}/{case.id}?lang={lang}")
    page.evaluate("() => document.querySelectorAll('details').forEach(d => d.open = true)")
    axe(page)
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/review-decided-{lang}.png", full_page=True)
