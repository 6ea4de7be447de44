"""Report a Concern in a real browser: end to end in Dutch, without JavaScript, and axe."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from hsm.extensions import db
from hsm.i18n import LOCALES
from hsm.reports.models import Report

pytestmark = pytest.mark.browser


def fill_anonymous_report(page, narrative: str, *, danger: bool = False) -> None:
    """Fill the form as a reporter would (radio and checkbox ids follow the form's choices)."""
    page.check("#anonymous-1")  # yes, anonymous
    page.check("#anonymity_reason-4")  # privacy
    page.check("#about-0")
    page.check("#categories-4")  # harassment
    page.fill("#narrative", narrative)
    page.check("#when_kind-2")  # ongoing
    page.check("#where-2")  # online
    page.check("#respondent-0")  # a student
    page.check("#wishes-1")  # support
    page.check("#immediate_danger-0" if danger else "#immediate_danger-1")
    page.check("#under_18-1")
    page.check("#consent_earlier_notes-2")


def send(page, timeout: float | None = None) -> str:
    """Send the report form; return the receipt code shown (``timeout`` in ms, when slow)."""
    page.locator("#report-form button[type=submit]").click()
    code = page.locator("#receipt-code")
    code.wait_for(timeout=timeout)
    return code.inner_text().strip()


def test_anonymous_report_in_dutch_reply_and_follow_up(new_page, live_server, browser_login):
    reporter = new_page(js=True)
    reporter.goto(f"{live_server.url}/amsterdam/report")
    assert reporter.locator("html").get_attribute("lang") == "nl"
    reporter.check("#anonymous-1")
    # htmx hides the named details at once.
    reporter.wait_for_selector("#named-details", state="hidden")
    reporter.check("#immediate_danger-0")
    reporter.locator("#danger-section .call-now").wait_for()
    assert reporter.locator("#danger-section a[href='tel:112']").count() == 1
    fill_anonymous_report(reporter, "Iemand stuurt mij steeds berichten.")
    code = send(reporter)
    assert "Je melding is verstuurd" in reporter.content()
    report = db.session.scalar(sa.select(Report))
    assert report.centre == "amsterdam" and report.anonymous

    caseworker = browser_login("student_services", "amsterdam")
    caseworker.goto(f"{live_server.url}/staff/reports")
    # The filter's new count is read out from the region that stays on the page.
    caseworker.select_option("#filter-flag", "anonymous")
    caseworker.wait_for_function(
        "() => document.querySelector('#inbox-announce').textContent === '1 report'")
    caseworker.get_by_role("link", name=report.reference).click()
    caseworker.fill("#reply-body", "Dank je wel. We zijn er voor je.")
    caseworker.get_by_role("button", name="Send reply").click()
    caseworker.locator(".thread__body", has_text="We zijn er voor je.").wait_for()
    # Said in the live region outside the swapped report; focus back on the button used.
    caseworker.locator("#report-announce", has_text="Your reply is sent.").wait_for()
    caseworker.wait_for_function("() => document.activeElement.id === 'reply-submit'")
    caseworker.get_by_role("button", name="Add note").click()
    caseworker.locator("#note-body-error").wait_for()
    caseworker.wait_for_function("() => document.activeElement.id === 'note-body'")

    later = new_page(js=True)
    later.goto(f"{live_server.url}/follow-up?lang=nl")
    later.fill("#code", code.lower().replace("-", " "))
    later.get_by_role("button", name="Mijn melding openen").click()
    # The code page has the same #follow-up block: wait for the thread itself.
    later.locator("#messages").wait_for()
    assert "Dank je wel. We zijn er voor je." in later.content()

    other = browser_login("student_services", "paris")
    response = other.goto(f"{live_server.url}/staff/reports/{report.id}")
    assert response.status == 404
    assert "Dank je wel" not in other.content()


def test_the_form_works_without_javascript(new_page, live_server):
    page = new_page(js=False)
    page.goto(f"{live_server.url}/uk/report")
    # Everything is shown, with "only if" hints instead of hidden fields.
    assert page.locator("#first_name").is_visible()
    assert page.locator("#anonymity_reason-0").is_visible()
    page.locator("#report-form button[type=submit]").click()
    expect(page.locator(".error-summary")).to_be_visible()  # the answer may still be loading
    fill_anonymous_report(page, "Written with JavaScript off.", danger=True)
    code = send(page)
    assert len(code.replace("-", "")) == 20
    assert page.locator(".call-now a[href='tel:999']").count() == 1
    # Refreshing the receipt sends the same form again: still one report, and a new code
    # that says it replaces the first.
    page.reload()
    again = page.locator("#receipt-code").inner_text().strip()
    assert again != code and "replaces any code shown before" in page.content()
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Report)) == 1


@pytest.mark.parametrize("lang", LOCALES)
def test_axe_on_form_receipt_follow_up_and_inbox(lang, new_page, live_server, browser_login, axe):
    page = new_page(js=True)
    page.goto(f"{live_server.url}/uk/report?lang={lang}")
    axe(page)
    fill_anonymous_report(page, "Axe check.")
    code = send(page)
    axe(page)
    page.goto(f"{live_server.url}/follow-up")
    axe(page)
    page.fill("#code", code)
    page.locator("form button[type=submit]").click()
    page.locator("#messages").wait_for()
    axe(page)

    staff = browser_login("student_services", "uk")
    staff.goto(f"{live_server.url}/staff/reports?lang={lang}")
    staff.locator("#report-list table").wait_for()
    axe(staff)
    staff.locator("#report-list a").first.click()
    staff.locator("#report-detail").wait_for()
    axe(staff)


def test_danger_alert_and_receipt_show_the_pages_emergency_block(new_page, live_server, axe):
    page = new_page(js=True)
    page.goto(f"{live_server.url}/paris/report?lang=fr")
    alert = page.locator("#danger-alert")
    assert alert.is_hidden()
    page.check("#immediate_danger-0")
    alert.wait_for()  # shown at once, by the page itself: no request needed
    assert alert.locator("a[href='sms:114']").count() == 1  # deaf and hard-of-hearing people
    assert alert.locator(".demo-value").count() >= 1
    axe(page)
    page.check("#immediate_danger-1")
    alert.wait_for(state="hidden")
    fill_anonymous_report(page, "Danger, puis le reçu.", danger=True)
    send(page)
    danger = page.locator("#receipt-danger")
    assert danger.locator("a[href='sms:114']").count() == 1
    assert "jour et nuit" in danger.inner_text()
    axe(page)


def test_an_inline_check_marks_only_the_message_and_the_wrong_boxes(new_page, live_server):
    page = new_page(js=True)
    page.goto(f"{live_server.url}/uk/report?lang=en")
    page.check("#anonymous-0")
    page.fill("#date_of_birth-day", "31")
    page.fill("#date_of_birth-month", "2")
    page.locator("#date_of_birth-year").focus()
    page.fill("#date_of_birth-year", "2001")
    page.locator("#contact_method-0").focus()  # focus leaves the date: it is checked now
    message = page.locator("#date_of_birth-message .error-message")
    message.wait_for()
    assert "this date does not exist" in message.inner_text()
    field = page.locator("#field-date_of_birth")
    assert "field--error" in field.get_attribute("class")
    assert "date_of_birth-error" in field.locator("fieldset").get_attribute("aria-describedby")
    assert page.locator("#date_of_birth-day").get_attribute("aria-invalid") == "true"
    assert page.locator("#date_of_birth-month").get_attribute("aria-invalid") == "true"
    assert page.locator("#date_of_birth-year").get_attribute("aria-invalid") is None
    # What was typed is still there, and putting it right clears every mark.
    assert page.locator("#date_of_birth-day").input_value() == "31"
    page.fill("#date_of_birth-day", "28")
    page.locator("#contact_method-0").focus()
    message.wait_for(state="detached")
    assert "field--error" not in field.get_attribute("class")
    assert field.locator("fieldset").get_attribute("aria-describedby") == "date_of_birth-hint"
    assert page.locator("#field-date_of_birth [aria-invalid]").count() == 0

    # A text box: its own message, and the box itself marked, then cleared.
    page.fill("#first_name", "R")
    page.locator("#last_name").focus()
    page.fill("#first_name", "")  # a change only counts once focus leaves
    page.locator("#last_name").focus()
    page.locator("#first_name-error").wait_for()
    box = page.locator("#first_name")
    assert box.get_attribute("aria-invalid") == "true"
    assert box.get_attribute("aria-describedby") == "first_name-error"
    page.fill("#first_name", "Robin")
    page.locator("#last_name").focus()
    page.locator("#first_name-error").wait_for(state="detached")
    assert box.get_attribute("aria-invalid") is None
    assert box.get_attribute("aria-describedby") is None
    assert box.input_value() == "Robin"


def test_a_sent_form_with_mistakes_focuses_the_summary_and_keeps_everything(new_page,
                                                                             live_server):
    page = new_page(js=True)
    page.goto(f"{live_server.url}/uk/report?lang=en")
    page.check("#anonymous-0")
    page.fill("#first_name", "Robin")
    page.fill("#date_of_birth-day", "12")
    page.check("#when_kind-0")
    page.fill("#when_date-year", "2025")
    page.locator("#report-form button[type=submit]").click()
    summary = page.locator(".error-summary")
    summary.wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('error-summary')")
    assert "Enter your last name." in summary.inner_text()
    assert "Date of birth: enter the month and the year." in summary.inner_text()
    # The choices made still decide what shows; what was typed is all there.
    assert page.locator("#named-details").is_visible()
    assert page.locator("#anonymous-details").is_hidden()
    assert page.locator("#when-date-details").is_visible()
    assert page.locator("#first_name").input_value() == "Robin"
    assert page.locator("#date_of_birth-day").input_value() == "12"
    assert page.locator("#when_date-year").input_value() == "2025"
    page.locator("a[href='#date_of_birth-month']").click()
    page.wait_for_function("() => document.activeElement.id === 'date_of_birth-month'")
