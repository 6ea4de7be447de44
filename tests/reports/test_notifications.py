"""Who hears of a new report: Student Services always; urgent reports are escalated at once."""

from __future__ import annotations

import itertools

import pytest

from hsm.reports.alerts import Alert, Audience, Kind, alerts_for
from tests.factories import make_user
from tests.reports.conftest import valid_form

SS, CD, SD, PT = (Audience.STUDENT_SERVICES, Audience.CENTRE_DIRECTOR,
                  Audience.SAFEGUARDING_DIRECTOR, Audience.PEOPLE_TEAM)
URGENT_SUBJECT = "Urgent: a new report needs attention now"
NEW_SUBJECT = "A new report has arrived"


@pytest.mark.parametrize(("danger", "under_18", "staff"),
                         list(itertools.product([False, True], repeat=3)))
def test_the_alert_rule_for_every_combination(danger, under_18, staff):
    alerts = alerts_for(immediate_danger=danger, under_18=under_18, staff_respondent=staff)
    audiences = [a.audience for a in alerts]
    urgent = {a.audience for a in alerts if a.kind is Kind.URGENT}
    assert len(audiences) == len(set(audiences))  # one alert per audience
    assert SS in audiences  # Student Services always hears of a report at its centre
    if staff:
        # Never the Centre Director, who may be the person the report is about.
        assert CD not in audiences and PT in audiences
    if danger or under_18:
        assert SD in urgent
        assert (PT in urgent) if staff else ({SS, CD} <= urgent)
    else:
        assert not urgent and SD not in audiences


def test_an_ordinary_report_tells_student_services_only():
    assert alerts_for(immediate_danger=False, under_18=False, staff_respondent=False) == [
        Alert(SS, Kind.NEW)
    ]


@pytest.fixture
def staff(app):
    """Real accounts at two centres, and central ones; an inactive director who must not hear."""
    return {
        "uk_director": make_user(("centre_director", "uk"), email="director.uk@example.org"),
        "ams_director": make_user(("centre_director", "amsterdam"),
                                  email="director.ams@example.org"),
        "gone_director": make_user(("centre_director", "uk"), email="gone@example.org",
                                   active=False),
        "safeguarding": make_user("safeguarding_director", email="sd@example.org"),
        "people": make_user("people_team", email="people@example.org"),
    }


def _by_address(mail) -> dict[str, str]:
    received = {}
    for message in mail:
        assert message["To"] not in received, "one email per person"
        received[message["To"]] = message["Subject"]
    return received


def test_a_report_of_immediate_danger_is_escalated_at_once(submit, mail, staff, app):
    narrative = "Details that must stay out of every email 5d2e"
    submit("uk", valid_form(immediate_danger="yes", narrative=narrative))
    assert _by_address(mail) == {
        "student-services.uk@example.org": URGENT_SUBJECT,
        "director.uk@example.org": URGENT_SUBJECT,
        "sd@example.org": URGENT_SUBJECT,
    }
    for message in mail:
        body = message.get_content()
        assert f"{app.config['HSM_BASE_URL']}/staff/reports/" in body
        for detail in (narrative, "danger", "harassment", "under 18"):
            assert detail not in str(message)


def test_a_reporter_under_18_is_escalated_too(submit, mail, staff):
    submit("amsterdam", valid_form(under_18="yes"))
    received = _by_address(mail)
    assert set(received) == {"student-services.amsterdam@example.org",
                             "director.ams@example.org", "sd@example.org"}
    # In the centre's language: Amsterdam writes Dutch.
    assert received["director.ams@example.org"] != URGENT_SUBJECT


def test_an_urgent_report_about_staff_never_alerts_the_centre_director(submit, mail, staff):
    submit("uk", valid_form(immediate_danger="yes", respondent="staff"))
    received = _by_address(mail)
    assert received == {
        "people@example.org": URGENT_SUBJECT,
        "sd@example.org": URGENT_SUBJECT,
        "student-services.uk@example.org": NEW_SUBJECT,
    }


def test_an_ordinary_report_about_staff_goes_through_the_people_team(submit, mail, staff):
    submit("uk", valid_form(respondent="staff"))
    assert _by_address(mail) == {
        "people@example.org": NEW_SUBJECT,
        "student-services.uk@example.org": NEW_SUBJECT,
    }


def test_an_ordinary_report_escalates_to_nobody(submit, mail, staff):
    submit("uk", valid_form())
    assert _by_address(mail) == {"student-services.uk@example.org": NEW_SUBJECT}
