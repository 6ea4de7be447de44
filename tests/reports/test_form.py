"""The Report a Concern form: checks, kept input, the receipt, inline checks, limits, email."""

import re
from datetime import UTC, date, datetime, timedelta

import pytest
import sqlalchemy as sa

from hsm.audit import AuditEntry
from hsm.config import DEFAULT_REPORT_RATE_LIMIT
from hsm.extensions import db
from hsm.reports.forms import ReportForm
from hsm.reports.models import Report
from tests.helpers import csrf_from, csrf_token
from tests.reports.conftest import named_form, valid_form


def reports():
    return db.session.scalars(sa.select(Report)).all()


def test_the_form_shows_the_centres_emergency_numbers(client):
    html = client.get("/amsterdam/report?lang=en").get_data(as_text=True)
    assert 'href="tel:112"' in html
    assert "Is anyone in immediate danger?" in html
    assert 'name="csrf_token"' in html
    assert "Only if you give your name." in html  # JS off: every field shows, with a hint


def test_unknown_centre_is_404(client):
    assert client.get("/atlantis/report").status_code == 404


def test_an_empty_form_lists_every_problem_and_saves_nothing(submit):
    response, code = submit("uk", {})
    html = response.get_data(as_text=True)
    assert response.status_code == 200 and code is None
    assert 'class="error-summary"' in html
    for anchor in ("#anonymous-0", "#about-0", "#categories-0", "#narrative", "#when_kind-0",
                   "#where-0", "#respondent-0", "#wishes-0", "#immediate_danger-0",
                   "#under_18-0", "#consent_earlier_notes-0"):
        assert f'href="{anchor}"' in html
    assert reports() == []


def test_input_is_kept_and_conditional_fields_are_required(submit):
    data = valid_form(anonymous="no", narrative="My own words <b>stay</b> here.")
    response, code = submit("uk", data)
    html = response.get_data(as_text=True)
    assert code is None
    assert "My own words &lt;b&gt;stay&lt;/b&gt; here." in html
    for message in ("Enter your first name.", "Enter your last name.",
                    "Enter your student number.", "Enter your date of birth.",
                    "Choose how we should contact you."):
        assert message in html
    assert re.search(r'id="anonymous-0"[^>]*value="no"[^>]*checked', html)
    assert reports() == []


def test_anonymous_needs_a_reason_and_other_needs_words(submit):
    response, _ = submit("uk", valid_form(anonymity_reason=None))
    assert "Choose why you want to stay anonymous." in response.get_data(as_text=True)
    response, _ = submit("uk", valid_form(anonymity_reason="other"))
    assert "Tell us your reason, in a few words." in response.get_data(as_text=True)


def test_bad_values_get_clear_messages(submit):
    data = named_form(date_of_birth="2999-01-01", contact_detail="not an email",
                      when_kind="date", when_date=("31", "2", "2020"), narrative="x" * 5001,
                      categories=["harassment", "made-up"])
    html = submit("uk", data)[0].get_data(as_text=True)
    assert "Check your date of birth: it must be in the past." in html
    assert "Enter an email address, like name@example.com." in html
    assert "Date it happened: this date does not exist. Check the day and the month." in html
    # What was typed comes back as it was typed, and the wrong boxes are marked.
    assert re.search(r'name="when_date-day"[^>]*value="31"[^>]*aria-invalid', html)
    assert re.search(r'name="when_date-year"[^>]*value="2020"(?![^>]*aria-invalid)', html)
    assert "This must be 5000 characters or fewer." in html
    assert "Choose at least one kind of concern." in html
    assert "5001 of 5000 characters" in html
    assert reports() == []


def test_an_anonymous_report_gets_a_receipt_once(submit, app):
    response, code = submit("paris", valid_form(categories=["harassment", "bullying"]))
    assert response.status_code == 200
    assert "Location" not in response.headers
    assert re.fullmatch(r"([A-Z2-9]{4}-){4}[A-Z2-9]{4}", code)
    assert response.headers["Cache-Control"] == "no-store"
    [report] = reports()
    assert report.centre == "paris" and report.anonymous and report.status == "new"
    assert report.categories == ["bullying", "harassment"]  # in the form's order
    assert report.first_name is None and report.anonymity_reason == "privacy"
    received = report.received_at
    assert (received.minute, received.second, received.microsecond) == (0, 0, 0)
    assert code.replace("-", "") not in report.secret_hash
    assert report.lookup_id == code.replace("-", "")[:6]
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "report.submitted"))
    assert entry.target_id == str(report.id) and entry.actor_id is None
    assert "Someone in my class" not in entry.detail


def test_a_named_report_keeps_the_identity(submit):
    response, code = submit("uk", named_form(respondent="staff", about="someone_else"))
    assert code
    [report] = reports()
    assert (report.first_name, report.last_name, report.student_number) == (
        "Alex", "Example", "S1234567")
    assert report.date_of_birth == "2003-05-17"
    assert report.staff_respondent and report.third_party and not report.anonymous


def test_named_details_sent_with_an_anonymous_report_are_dropped(submit):
    submit("uk", valid_form(first_name="Leaked", student_number="X99"))
    [report] = reports()
    assert report.first_name is None and report.student_number is None


def test_immediate_danger_shows_the_numbers_and_still_sends(submit):
    response, code = submit("amsterdam", valid_form(immediate_danger="yes"))
    html = response.get_data(as_text=True)
    assert code
    assert "If anyone is in danger now, please call" in html
    assert html.count('href="tel:112"') >= 2
    [report] = reports()
    assert report.immediate_danger and report.urgency == 3


def test_inline_check_returns_the_field_message_only(client):
    token = csrf_token(client, "/uk/report")
    response = client.post(
        "/uk/report/check/first_name",
        data={"csrf_token": token, "anonymous": "no", "first_name": ""},
        headers={"HX-Request": "true"},
    )
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.strip().startswith(
        '<div class="field__message" id="first_name-message" data-message-for="first_name">')
    assert "Enter your first name." in html and "<html" not in html
    # It names the input it is about, for aria-invalid once swapped in (static/js/app.js).
    assert 'id="first_name-error" data-invalid="first_name"' in html


@pytest.mark.parametrize("field", ReportForm.ORDER)
def test_no_inline_check_answer_holds_an_input(client, field):
    """The answer replaces its target: it must never carry a box the reporter may be typing in."""
    token = csrf_token(client, "/uk/report")
    data = named_form(anonymous="no", immediate_danger="yes", when_kind="date",
                      anonymity_reason="other", first_name="")
    response = client.post(f"/uk/report/check/{field}", data=data | {"csrf_token": token},
                           headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert html.strip().startswith(f'<div class="field__message" id="{field}-message"')
    assert not re.search(r"<(input|textarea|select|button)\b", html), html


def test_the_danger_numbers_are_on_the_page_before_yes_is_chosen(client):
    html = client.get("/paris/report?lang=en").get_data(as_text=True)
    alert = re.search(r'<div class="call-now" id="danger-alert"[^>]*>', html).group(0)
    assert 'data-reveal-if="immediate_danger" data-reveal-value="yes"' in alert
    assert alert.endswith(" hidden>")  # shown by the browser when "yes" is chosen
    block = html[html.index('id="danger-alert"'):html.index('id="field-under_18"')]
    # The same block as the top of the page: SMS 114 for deaf people, and demo badges.
    assert 'href="sms:114"' in block and 'href="tel:112"' in block
    assert "demo value" in block
    assert "you can come back and send this report afterwards" not in html


def test_choosing_yes_to_danger_without_javascript_shows_the_numbers(submit):
    response, code = submit("ireland", valid_form(immediate_danger="yes", narrative=""))
    html = response.get_data(as_text=True)
    assert code is None
    alert = re.search(r'<div class="call-now" id="danger-alert"[^>]*>', html).group(0)
    assert " hidden" not in alert
    assert "Please call for help now" in html
    assert "if this page closes, what you wrote is gone" in html


def test_every_conditional_field_is_on_the_page_from_the_start(client):
    html = client.get("/uk/report?lang=en").get_data(as_text=True)
    for box, shows_for in (("named-details", 'data-reveal-if="anonymous" data-reveal-value="no"'),
                           ("anonymous-details",
                            'data-reveal-if="anonymous" data-reveal-value="yes"'),
                           ("when-date-details",
                            'data-reveal-if="when_kind" data-reveal-value="date"')):
        tag = re.search(rf'<div [^>]*id="{box}"[^>]*>', html).group(0)
        assert shows_for in tag and "hidden" not in tag  # JS off: everything shows
    for name in ("first_name", "last_name", "student_number", "date_of_birth-day",
                 "contact_detail", "anonymity_reason_other", "when_date-year"):
        assert f'name="{name}"' in html


def test_inline_check_of_an_unknown_field_or_without_token(client):
    token = csrf_token(client, "/uk/report")
    assert client.post("/uk/report/check/csrf_token", data={"csrf_token": token}).status_code == 404
    assert client.post("/uk/report/check/narrative", data={}).status_code == 400


def test_submission_is_rate_limited_per_address(submit, app):
    app.config["HSM_REPORT_RATE_LIMIT"] = "2 per hour"
    try:
        assert submit("uk")[1] and submit("uk")[1]
        response, code = submit("uk")
        assert response.status_code == 429 and code is None
        other, code = submit("uk", environ_base={"REMOTE_ADDR": "192.0.2.77"})
        assert other.status_code == 200 and code
    finally:
        app.config["HSM_REPORT_RATE_LIMIT"] = DEFAULT_REPORT_RATE_LIMIT


def test_a_body_over_the_limit_gets_a_413_page(client, app):
    token = csrf_token(client, "/uk/report")
    big = "x" * (app.config["MAX_CONTENT_LENGTH"] + 10)
    response = client.post("/uk/report", data=valid_form(narrative=big, csrf_token=token))
    assert response.status_code == 413
    assert "too large" in response.get_data(as_text=True)
    assert reports() == []


def test_the_new_report_email_holds_a_link_and_no_detail(submit, mail, app):
    narrative = "A very particular detail 8c1f"
    response, code = submit("amsterdam", named_form(narrative=narrative))
    [report] = reports()
    [message] = mail
    assert message["To"] == "student-services.amsterdam@example.org"
    body = message.get_content()
    assert f"{app.config['HSM_BASE_URL']}/staff/reports/{report.id}" in body
    text = str(message)
    for secret in (narrative, "Alex", "Example", "S1234567", "alex@example.net", code,
                   code.replace("-", ""), report.reference, "harassment"):
        assert secret not in text


def test_a_date_of_birth_under_18_raises_the_safeguarding_flag(submit):
    today = date.today()
    sixteen = today.replace(year=today.year - 16, day=min(today.day, 28)).isoformat()
    response, code = submit("uk", named_form(date_of_birth=sixteen, under_18="no"))
    assert code
    [report] = reports()
    assert report.under_18 and report.urgency >= 2
    assert "under_18" in report.flags


def test_only_sent_reports_count_towards_the_limit_and_words_are_kept(submit, app):
    app.config["HSM_REPORT_RATE_LIMIT"] = "2 per hour"
    try:
        for _ in range(4):  # mistakes do not use up the limit
            assert submit("uk", valid_form(narrative=""))[0].status_code == 200
        assert submit("uk")[1] and submit("uk")[1]
        words = "Written slowly, and it must not be lost 5e5e"
        response, code = submit("uk", valid_form(narrative=words))
        html = response.get_data(as_text=True)
        assert response.status_code == 429 and code is None
        assert "that number has been reached" in html
        assert words in html and 'id="report-form"' in html
        assert len(reports()) == 2
    finally:
        app.config["HSM_REPORT_RATE_LIMIT"] = DEFAULT_REPORT_RATE_LIMIT


def test_an_expired_page_keeps_every_word_and_sends_on_the_next_press(client, app):
    words = "My words after the cookie was lost 9a9a"
    fresh = app.test_client()  # the browser lost its cookie, and with it the CSRF token
    response = fresh.post("/uk/report", data=valid_form(narrative=words, csrf_token="stale"))
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "this page had expired" in html and words in html
    assert reports() == []
    token = csrf_from(html)
    again = fresh.post("/uk/report", data=valid_form(narrative=words, csrf_token=token))
    assert 'id="receipt-code"' in again.get_data(as_text=True)
    assert [r.narrative for r in reports()] == [words]


def test_the_incident_date_is_judged_by_the_centres_calendar(submit, monkeypatch):
    """Just after midnight in Paris it is still yesterday in UTC: "today" must be accepted."""
    from hsm.reports import views

    utc_today = datetime.now(UTC).date()
    late = datetime.combine(utc_today, datetime.min.time(), UTC) + timedelta(hours=23, minutes=30)

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return late.astimezone(tz) if tz else late.replace(tzinfo=None)

    monkeypatch.setattr(views, "datetime", Clock)
    paris_today = (utc_today + timedelta(days=1)).isoformat()
    response, code = submit("paris", valid_form(when_kind="date", when_date=paris_today))
    assert code, "the Paris date was refused as a future date"
    response, code = submit("uk", valid_form(when_kind="date", when_date=paris_today))
    assert code is None  # in London it is still the day before
    assert "The date cannot be in the future." in response.get_data(as_text=True)


def test_the_email_is_in_the_centres_language_whatever_the_reporters(client, mail, app):
    url = "/paris/report"
    token = csrf_token(client, url + "?lang=nl")  # a Dutch-speaking reporter in Paris
    client.post(url, data=valid_form(csrf_token=token))
    [message] = mail
    assert message["Subject"] == "Un nouveau signalement est arrivé"
    body = message.get_content()
    assert "Aucun détail du signalement" in body and "/staff/reports/" in body


def frozen_clock(monkeypatch, when: datetime):
    """The views' clock stops at ``when`` (the receipt says when Student Services are there)."""
    from hsm.reports import views

    class Clock(datetime):
        @classmethod
        def now(cls, tz=None):
            return when.astimezone(tz) if tz else when.replace(tzinfo=None)

    monkeypatch.setattr(views, "datetime", Clock)


def test_the_receipt_says_when_student_services_will_read_it(submit, monkeypatch):
    # Saturday 23 May 2026, 11:00 in London; the Monday after is a bank holiday.
    frozen_clock(monkeypatch, datetime(2026, 5, 23, 10, 0, tzinfo=UTC))
    html = submit("uk")[0].get_data(as_text=True)
    section = html[html.index('id="when-read"'):html.index('id="next-title"')]
    assert "read new reports when they are at work, never on public holidays" in section
    assert "Monday to Friday, 9:00 to 17:00" in section and "demo value" in section
    assert "They are next there on Tuesday, 26 May 2026 from 09:00." in section
    assert "This form is not watched around the clock." in section

    # A weekday at noon in Paris, in French.
    frozen_clock(monkeypatch, datetime(2026, 6, 2, 10, 0, tzinfo=UTC))
    html = submit("paris", lang="fr")[0].get_data(as_text=True)
    assert "Du lundi au vendredi, de 9 h à 17 h" in html
    assert "jusqu’à 17:00" in html


def test_a_danger_receipt_says_the_form_is_not_watched_and_shows_the_emergency_block(submit):
    response, code = submit("paris", valid_form(immediate_danger="yes"))
    html = response.get_data(as_text=True)
    assert code
    alert = html[html.index('id="receipt-danger"'):html.index('id="receipt-code"')]
    assert "This form is not watched around the clock." in alert
    assert "do not wait for a reply" in alert
    # The page's own emergency block: SMS 114 for deaf people, and the demo badges.
    assert 'href="sms:114"' in alert and 'href="tel:112"' in alert and "demo value" in alert
    ids = re.findall(r'\sid="([^"]+)"', html)
    assert len(ids) == len(set(ids)), "an id is used twice"


def test_the_form_links_to_the_follow_up_for_a_report_already_made(client):
    html = client.get("/amsterdam/report?lang=en").get_data(as_text=True)
    link = '<a href="/follow-up">Follow it up with your code</a>'
    assert f"Already made a report? {link}" in html
