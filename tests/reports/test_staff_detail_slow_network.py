"""A report's page on a slow connection: an action's answer never takes words typed elsewhere.

Chromium's own network throttling (CDP) holds the reply for 1.5 s while the caseworker goes on
typing an internal note in the next box. Before, the answer to the reply replaced the whole
report (both boxes), and the note typed meanwhile was gone when it landed.
"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hsm.extensions import db
from hsm.reports.models import ReportMessage
from tests.reports.test_slow_network import slow

pytestmark = pytest.mark.browser


def test_a_note_typed_while_a_reply_travels_is_kept(live_server, browser_login, make_report):
    report, _code = make_report("uk")
    page = browser_login("student_services", "uk")
    page.goto(f"{live_server.url}/staff/reports/{report.id}")
    page.locator("#reply-body").fill("We are here for you, whenever you are ready.")
    slow(page)
    with page.expect_response(lambda r: r.url.endswith("/reply")) as answered:
        page.locator("#reply-submit").click()
        # The reply is on its way: its own box is disabled, the note box is free to type in.
        page.locator("#reply-body[disabled]").wait_for()
        page.locator("#note-body").press_sequentially("Call back on Monday at ten", delay=20)
    assert answered.value.status == 200
    page.locator("#report-announce .flash").wait_for()
    # The note typed meanwhile is still there, unsent; the reply is in the thread (swapped out
    # of band), and its own box is empty again.
    assert page.locator("#note-body").input_value() == "Call back on Monday at ten"
    assert "We are here for you" in page.locator("#report-thread").inner_text()
    assert page.locator("#reply-body").input_value() == ""
    page.locator("#note-submit").click()
    page.locator("#report-thread", has_text="Call back on Monday at ten").wait_for()
    db.session.expire_all()
    bodies = db.session.scalars(
        sa.select(ReportMessage).where(ReportMessage.report_id == report.id)
    ).all()
    assert sorted(m.internal for m in bodies) == [False, True]
