"""The investigation report and sharing with a party, in real Chromium, in English, Dutch and
French: the officer writes and saves a draft, finishing is refused with its reason and keeps
every word, then the report is finished, a passage is withheld from the responding party's
copy, previewed and shared. axe finds nothing on any of these pages."""

from __future__ import annotations

import os
from datetime import date

import pytest

from hsm.cases import operations as ops
from hsm.cases.models import SharedCopy
from hsm.cases.terms import Conclusion, Marking, PartyRole, Stage
from hsm.extensions import db
from hsm.i18n import LOCALES
from tests.cases.conftest import party
from tests.cases.test_sharing import WELLBEING

SHOTS = os.environ.get("HSM_SCREENSHOTS")  # a folder: the pages are saved there to look at


def _shot(page, name):
    if SHOTS:
        page.screenshot(path=f"{SHOTS}/{name}.png", full_page=True)


@pytest.mark.parametrize("lang", LOCALES)
def test_write_finish_redact_preview_and_share(browser_login, live_server, axe, make_case,
                                               staff, lang):
    case = make_case(Stage.INVESTIGATION)
    ops.add_note(staff.caseworker, case, WELLBEING, Marking.WELLBEING_PAST)
    ops.add_evidence(staff.investigator, case, "Statement", "s.txt", b"Statement.\n")
    db.session.commit()
    page = browser_login("investigating_officer", js=True)
    ops.appoint_officer(staff.director, case, page.user, "investigating")
    db.session.commit()
    base = f"{live_server.url}/staff/cases/{case.id}"

    page.goto(f"{base}/report?lang={lang}")
    axe(page)
    page.locator("#overview").fill("Overview-canary: what the case is about.")
    page.locator("#chronology").fill("2 October: the first comments.\n\n9 October: again.")
    page.locator("#facts_established").fill(f"The comments were made.\n\n{WELLBEING}")
    page.locator("button[name=action][value=finish]").click()
    # Not finished (no conclusion yet), but saved, and every word is still there.
    page.locator(".error-summary").wait_for()
    assert page.locator("#overview").input_value() == "Overview-canary: what the case is about."
    axe(page)
    _shot(page, f"report-not-finished-{lang}")

    ops.record_conclusion(staff.investigator, case, Conclusion.BREACH, date.today())
    db.session.commit()
    page.goto(f"{base}/report?lang={lang}")
    assert page.locator("#overview").input_value() == "Overview-canary: what the case is about."
    page.locator("button[name=action][value=finish]").click()
    page.locator("a[href$='/report.pdf']").wait_for()
    page.wait_for_load_state()  # the whole new page: a box further down would be there by now
    assert page.locator("textarea").count() == 0
    axe(page)
    _shot(page, f"report-finished-{lang}")

    page.goto(f"{base}/sharing?lang={lang}")
    axe(page)
    responding = party(case, PartyRole.RESPONDING)
    page.locator(f"a[href*='/sharing/report/'][href$='/{responding.id}']").click()
    page.locator("#withhold-1").wait_for()
    # The passage repeating the wellbeing note is withheld, and cannot be unticked.
    assert page.locator("#withhold-5").is_checked() and page.locator("#withhold-5").is_disabled()
    page.locator("#withhold-1").check()
    page.locator("button[name=action][value=preview]").click()
    page.locator("#preview").wait_for()
    page.wait_for_load_state()  # the preview's start is there: wait for all of it
    preview = page.locator("#preview").inner_text()
    assert "Overview-canary" not in preview and "Wellbeing-canary" not in preview
    assert "9 October: again." in preview
    axe(page)
    _shot(page, f"share-preview-{lang}")
    page.locator("button[name=action][value=share]").click()
    page.locator("[id^=copy-]").first.wait_for()
    axe(page)
    _shot(page, f"sharing-{lang}")
    db.session.expire_all()
    copy = db.session.query(SharedCopy).one()
    assert copy.withheld == [1, 5] and copy.party_id == responding.id


def test_the_redaction_step_without_javascript(browser_login, live_server, make_case, staff,
                                               axe):
    """Plain forms: choose, preview, share, with JavaScript off; a mistake keeps the choice.
    axe reads each page as it stands without JavaScript."""
    case = make_case(Stage.INVESTIGATION)
    reporting = party(case, PartyRole.REPORTING)
    meeting = ops.record_meeting(staff.investigator, case, reporting, ops.MeetingDetails(
        held_on=date.today(), welfare_check=True, services_signposted="The helpline.",
        notes="First-canary.\n\nSecond-canary."))
    db.session.commit()
    page = browser_login("investigating_officer", js=False)
    ops.appoint_officer(staff.director, case, page.user, "investigating")
    db.session.commit()
    page.goto(f"{live_server.url}/staff/cases/{case.id}/sharing/meeting/{meeting.id}/"
              f"{reporting.id}")
    page.locator("#withhold-2").check()
    page.locator("#phrases").fill("not in the notes")
    page.locator("button[name=action][value=preview]").click()
    page.locator(".error-summary").wait_for()
    assert page.locator("#withhold-2").is_checked()
    assert page.locator("#phrases").input_value() == "not in the notes"
    axe(page)
    page.locator("#phrases").fill("")
    page.locator("button[name=action][value=preview]").click()
    page.locator("#preview").wait_for()
    page.wait_for_load_state()  # all of the preview, not the start of it
    assert "Second-canary" not in page.locator("#preview").inner_text()
    axe(page)
    page.locator("button[name=action][value=share]").click()
    page.locator("[id^=copy-]").first.wait_for()
