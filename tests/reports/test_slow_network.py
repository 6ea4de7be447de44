"""Report a Concern on a slow connection: no answer of an inline check may take a typed word.

Chromium's own network throttling (CDP) holds every inline check for 1.5 s, and the test
types while those checks are on their way: the named, anonymous and someone-else paths.
Before, the answer to "No, I will give my name" replaced the whole identity section, and the
names typed meanwhile were gone when it landed.
"""

from __future__ import annotations

import time

import pytest
import sqlalchemy as sa

from hsm.config import DEFAULT_REPORT_RATE_LIMIT
from hsm.extensions import db
from hsm.reports.models import Report
from tests.reports.test_browser import send as send_form

pytestmark = pytest.mark.browser

LATENCY_MS = 1500
CHECK = "/report/check/"


@pytest.fixture(autouse=True)
def generous_limit(app):
    app.config["HSM_REPORT_RATE_LIMIT"] = "1000 per hour"
    yield
    app.config["HSM_REPORT_RATE_LIMIT"] = DEFAULT_REPORT_RATE_LIMIT


class Checks:
    """The inline checks a page sends, and which of them are still on their way."""

    def __init__(self, page):
        self.page = page
        self.pending: set = set()
        self.sent = 0
        page.on("request", self._sent)
        page.on("requestfinished", self._done)
        page.on("requestfailed", self._done)

    def _sent(self, request):
        if CHECK in request.url:
            self.pending.add(request)
            self.sent += 1

    def _done(self, request):
        self.pending.discard(request)

    def in_flight(self) -> int:
        self.page.wait_for_timeout(0)  # let Playwright deliver the events so far
        return len(self.pending)

    def settle(self, timeout: float = 30) -> None:
        """Wait until every check has been answered and its answer swapped in."""
        deadline = time.monotonic() + timeout
        while self.pending or self.page.locator(".htmx-request").count():
            assert time.monotonic() < deadline, "inline checks never settled"
            self.page.wait_for_timeout(100)
        self.page.wait_for_timeout(200)  # htmx settles swaps after a short delay


def slow(page) -> Checks:
    """Throttle this page's network in Chromium itself (1.5 s of latency on every request)."""
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": LATENCY_MS, "downloadThroughput": -1, "uploadThroughput": -1,
    })
    return Checks(page)


def type_while_checks_fly(page, checks: Checks, selector: str, text: str) -> None:
    """Type into a box, key by key, while at least one inline check is still unanswered."""
    assert checks.in_flight(), f"no check was in flight while typing into {selector}"
    page.locator(selector).press_sequentially(text, delay=15)


def answer_the_rest(page, *, danger: bool = False) -> None:
    page.check("#categories-4")  # harassment
    page.check("#wishes-1")  # support
    page.check("#immediate_danger-0" if danger else "#immediate_danger-1")
    page.check("#under_18-1")
    page.check("#consent_earlier_notes-2")


def send(page) -> str:
    return send_form(page, timeout=30_000)


def the_report() -> Report:
    db.session.expire_all()
    return db.session.scalar(sa.select(Report))


def assert_values(page, typed: dict[str, str]) -> None:
    found = {selector: page.locator(selector).input_value() for selector in typed}
    assert found == typed


def test_named_report_keeps_every_character_on_a_slow_connection(new_page, live_server):
    page = new_page(js=True)
    page.goto(f"{live_server.url}/uk/report?lang=en")
    checks = slow(page)
    typed = {
        "#first_name": "Zoë-Anne",
        "#last_name": "O’Connor Ünal",
        "#student_number": "S 1234/56-7",
        "#date_of_birth-day": "9",
        "#date_of_birth-month": "11",
        "#date_of_birth-year": "2001",
        "#contact_detail": "zoe.anne+safe@example.net",
        "#safe_times": "Après 16 h, never on Tuesdays",
    }
    page.check("#anonymous-0")  # "No, I will give my name": its check leaves now
    for selector, text in typed.items():
        if selector == "#contact_detail":
            page.check("#contact_method-0")  # email: another check on its way
        type_while_checks_fly(page, checks, selector, text)
    page.check("#about-0")
    checks.settle()
    assert checks.sent >= 8
    assert_values(page, typed)
    # The last check found nothing wrong: no error shows, and no input was marked.
    assert page.locator("#identity-section .error-message").count() == 0
    assert page.locator("#identity-section [aria-invalid]").count() == 0

    page.fill("#narrative", "Named, on a slow line.")
    page.check("#when_kind-2")
    page.check("#where-2")
    page.check("#respondent-0")
    answer_the_rest(page)
    code = send(page)
    assert len(code.replace("-", "")) == 20
    report = the_report()
    assert not report.anonymous
    assert (report.first_name, report.last_name, report.student_number) == (
        "Zoë-Anne", "O’Connor Ünal", "S 1234/56-7")
    assert report.date_of_birth == "2001-11-09"
    assert report.contact_detail == "zoe.anne+safe@example.net"
    assert report.safe_times == "Après 16 h, never on Tuesdays"


def test_anonymous_report_keeps_every_character_on_a_slow_connection(new_page, live_server):
    page = new_page(js=True)
    page.goto(f"{live_server.url}/amsterdam/report?lang=nl")
    checks = slow(page)
    page.check("#anonymous-1")  # anonymous
    page.wait_for_selector("#named-details", state="hidden")  # hidden at once, not by a reply
    page.check("#anonymity_reason-5")  # another reason: the box for it shows at once
    reason = "Ik ben bang dat hij het hoort — écht"
    type_while_checks_fly(page, checks, "#anonymity_reason_other", reason)
    page.check("#about-0")
    narrative = "Hij stuurt me elke nacht berichten.\nIk wil dat het stopt."
    type_while_checks_fly(page, checks, "#narrative", narrative)
    page.check("#when_kind-2")
    page.check("#where-2")
    page.check("#respondent-0")
    checks.settle()
    assert_values(page, {"#anonymity_reason_other": reason, "#narrative": narrative})

    answer_the_rest(page)
    send(page)
    report = the_report()
    assert report.anonymous and report.first_name is None
    assert report.anonymity_reason == "other" and report.anonymity_reason_other == reason
    assert report.narrative == narrative


def test_someone_else_report_keeps_every_character_on_a_slow_connection(new_page, live_server):
    page = new_page(js=True)
    page.goto(f"{live_server.url}/paris/report?lang=fr")
    checks = slow(page)
    page.check("#anonymous-1")
    page.check("#anonymity_reason-4")
    page.check("#about-1")  # it happened to someone else
    narrative = "Mon amie m’a dit qu’un étudiant la suit après les cours."
    type_while_checks_fly(page, checks, "#narrative", narrative)
    page.check("#when_kind-0")  # on a date: the three boxes show at once
    typed = {"#when_date-day": "3", "#when_date-month": "02", "#when_date-year": "2025"}
    for selector, text in typed.items():
        type_while_checks_fly(page, checks, selector, text)
    when = "Le soir, vers 19 h"
    type_while_checks_fly(page, checks, "#when_detail", when)
    page.check("#where-0")
    where = "Devant la bibliothèque"
    type_while_checks_fly(page, checks, "#where_detail", where)
    page.check("#respondent-0")
    checks.settle()
    assert_values(page, typed | {"#narrative": narrative, "#when_detail": when,
                                 "#where_detail": where})

    answer_the_rest(page, danger=True)
    # "Yes" shows the emergency block at once, from the page itself (SMS 114 in Paris).
    page.locator("#danger-alert a[href='sms:114']").wait_for()
    send(page)
    report = the_report()
    assert report.about == "someone_else" and report.third_party
    assert report.narrative == narrative
    assert report.when_date.isoformat() == "2025-02-03"
    assert (report.when_detail, report.where_detail) == (when, where)


@pytest.mark.parametrize("attempt", range(4))
def test_a_quickly_filled_named_report_is_accepted_on_a_phone(new_page, live_server, attempt):
    """Without added latency, on a 390 x 844 phone screen, filled as fast as a person can."""
    page = new_page(js=True, viewport={"width": 390, "height": 844}, has_touch=True,
                    is_mobile=True)
    page.goto(f"{live_server.url}/uk/report?lang=en")
    page.check("#anonymous-0")
    page.fill("#first_name", f"Sam{attempt}")
    page.fill("#last_name", "Quick")
    page.fill("#student_number", "S7654321")
    page.fill("#date_of_birth-day", "17")
    page.fill("#date_of_birth-month", "5")
    page.fill("#date_of_birth-year", "2003")
    page.check("#contact_method-0")
    page.fill("#contact_detail", "sam@example.net")
    page.check("#about-0")
    page.fill("#narrative", "Filled quickly on a phone.")
    page.check("#when_kind-2")
    page.check("#where-2")
    page.check("#respondent-0")
    answer_the_rest(page)
    send(page)  # at once, while the last checks may still be on their way
    assert "Enter your first name" not in page.content()
    report = the_report()
    assert (report.first_name, report.last_name) == (f"Sam{attempt}", "Quick")
