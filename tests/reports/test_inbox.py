"""The Student Services inbox: who sees what, the actions, the audit, and constant queries."""

import re

import pytest
import sqlalchemy as sa

from hsm.audit import AuditEntry
from hsm.extensions import db
from hsm.reports.models import Report, ReportMessage
from tests.factories import make_user
from tests.helpers import csrf_token
from tests.reports.conftest import named_form
from tests.reports.seed import seed_reports

REF = re.compile(r"R-[A-Z2-9]{8}")


def actions(name):
    return db.session.scalars(sa.select(AuditEntry).where(AuditEntry.action == name)).all()


def test_anonymous_visitors_are_sent_to_sign_in(client):
    response = client.get("/staff/reports")
    assert response.status_code == 302 and "/staff/login" in response.headers["Location"]


@pytest.mark.parametrize("role", ["admin", "executive", "safe_contact"])
def test_roles_without_report_access_are_refused(client, login_as, role):
    login_as(role)
    assert client.get("/staff/reports").status_code == 403


def test_student_services_see_only_their_centre(client, login_as, make_report):
    ams, _ = make_report("amsterdam")
    paris, _ = make_report("paris")
    login_as("student_services", "amsterdam")
    html = client.get("/staff/reports").get_data(as_text=True)
    assert ams.reference in html and paris.reference not in html
    assert client.get(f"/staff/reports/{ams.id}").status_code == 200
    assert client.get(f"/staff/reports/{paris.id}").status_code == 404
    assert client.post(f"/staff/reports/{paris.id}/reply", data={"reply-body": "x"},
                       headers={"X-CSRFToken": csrf_token(client, "/staff/reports")}
                       ).status_code == 404
    denied = actions("access.denied")
    assert denied and all(e.detail_dict()["reason"] == "report_out_of_scope" for e in denied)


def test_the_safeguarding_director_sees_every_centre(client, login_as, make_report):
    refs = [make_report(c)[0].reference for c in ("uk", "amsterdam", "ireland", "paris")]
    login_as("safeguarding_director")
    html = client.get("/staff/reports").get_data(as_text=True)
    assert all(ref in html for ref in refs)


def test_the_people_team_sees_reports_about_staff_only(client, login_as, make_report):
    about_staff, _ = make_report("paris", respondent="staff")
    about_student, _ = make_report("paris")
    login_as("people_team")
    html = client.get("/staff/reports").get_data(as_text=True)
    assert about_staff.reference in html and about_student.reference not in html
    assert "About a staff member" in html
    assert client.get(f"/staff/reports/{about_student.id}").status_code == 404
    assert client.get(f"/staff/reports/{about_staff.id}").status_code == 200
    # Reading is not handling.
    token = csrf_token(client, f"/staff/reports/{about_staff.id}")
    response = client.post(f"/staff/reports/{about_staff.id}/acknowledge",
                           headers={"X-CSRFToken": token})
    assert response.status_code == 403


def test_a_centre_director_reads_but_does_not_act(client, login_as, make_report):
    report, _ = make_report("ireland")
    login_as("centre_director", "ireland")
    html = client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    assert "Someone in my class" in html
    assert "Send reply" not in html


def test_opening_a_report_is_audited_without_content(client, login_as, make_report):
    report, _ = make_report("uk")
    user = login_as("student_services", "uk")
    client.get(f"/staff/reports/{report.id}")
    [entry] = actions("report.viewed")
    assert (entry.actor_id, entry.target_id, entry.centre) == (user.id, str(report.id), "uk")
    assert "Someone" not in entry.detail


def test_the_list_is_sorted_by_urgency_then_age(client, login_as, make_report):
    routine_old, _ = make_report("uk")
    high, _ = make_report("uk", under_18="yes")
    urgent, _ = make_report("uk", immediate_danger="yes")
    routine_old.received_at = routine_old.received_at.replace(year=2020)
    db.session.commit()
    routine_new, _ = make_report("uk")
    login_as("student_services", "uk")
    html = client.get("/staff/reports").get_data(as_text=True)
    assert REF.findall(html) == [urgent.reference, high.reference, routine_old.reference,
                                 routine_new.reference]


def test_filters_and_nonsense_filters(client, login_as, make_report):
    danger, _ = make_report("uk", immediate_danger="yes")
    plain, _ = make_report("uk")
    login_as("student_services", "uk")
    html = client.get("/staff/reports?flag=immediate_danger").get_data(as_text=True)
    assert danger.reference in html and plain.reference not in html
    html = client.get("/staff/reports?status=closed").get_data(as_text=True)
    assert "No reports match these filters." in html
    fragment = client.get("/staff/reports?flag=anonymous", headers={"HX-Request": "true"})
    assert fragment.get_data(as_text=True).strip().startswith('<div id="report-list"')
    for query in ("page=-3", "page=abc", "status=<x>", "flag=__class__", "centre=paris",
                  "page=99999999999999999999"):
        assert client.get("/staff/reports?" + query).status_code == 200


def test_paging(client, login_as):
    seed_reports(30, "uk")
    login_as("student_services", "uk")
    first = client.get("/staff/reports").get_data(as_text=True)
    assert "30 reports" in first and "Next page" in first and "Previous page" not in first
    (next_url,) = re.findall(r'href="([^"]+)" rel="next"', first)
    second = client.get(next_url.replace("&amp;", "&")).get_data(as_text=True)
    assert "Previous page" in second and "Next page" not in second
    assert first.count("<tr>") == 26 and second.count("<tr>") == 6
    # An old link with a page number opens the first page.
    assert client.get("/staff/reports?page=50").get_data(as_text=True).count("<tr>") == 26


def test_inbox_queries_do_not_grow_with_reports(client, login_as, count_queries):
    """Made afresh (right after a change) and kept, the page runs the same queries at 5 and
    at 60 reports; kept, only the session's (the version is read on its own connection)."""
    login_as("student_services", "uk")
    caseworker = make_user(("student_services", "uk"))
    counts = []
    for how_many in (5, 55):
        seed_reports(how_many, "uk")
        db.session.execute(sa.update(Report).values(caseworker_id=caseworker.id))
        db.session.commit()
        with count_queries() as made:
            assert client.get("/staff/reports").status_code == 200
        with count_queries() as kept:
            assert client.get("/staff/reports").status_code == 200
        counts.append((made.count, kept.count))
    assert counts[0] == counts[1]
    assert counts[0][1] == 1


def test_acknowledge_assign_reply_note_and_handling(client, login_as, make_report):
    report, _ = make_report("amsterdam")
    me = login_as("student_services", "amsterdam")
    colleague = make_user(("student_services", "amsterdam"), name="Fictional Colleague")
    outsider = make_user(("student_services", "paris"), name="Other Centre")
    url = f"/staff/reports/{report.id}"
    html = client.get(url).get_data(as_text=True)
    assert "Fictional Colleague" in html and "Other Centre" not in html
    token = csrf_token(client, url)
    headers = {"X-CSRFToken": token}

    assert client.post(url + "/acknowledge", headers=headers).status_code == 303
    db.session.refresh(report)
    assert report.status == "acknowledged" and report.acknowledged_at

    refused = client.post(url + "/assign", data={"assign-caseworker": str(outsider.id)},
                          headers=headers)
    assert "Choose a caseworker from the list." in refused.get_data(as_text=True)
    assert client.post(url + "/assign", data={"assign-caseworker": str(colleague.id)},
                       headers=headers).status_code == 303
    db.session.refresh(report)
    assert report.caseworker_id == colleague.id

    fragment = client.post(url + "/reply", data={"reply-body": "We are here for you."},
                           headers=headers | {"HX-Request": "true"})
    answer = fragment.get_data(as_text=True)
    assert re.match(r'\s*<form [^>]*id="reply-form"', answer)
    assert "We are here for you." in answer  # the thread, out of band
    client.post(url + "/note", data={"note-body": "Call back on Monday"}, headers=headers)
    empty = client.post(url + "/note", data={"note-body": ""}, headers=headers)
    assert "Write the note first." in empty.get_data(as_text=True)
    assert client.post(url + "/handling", data={"handling-handling": "support_requested"},
                       headers=headers).status_code == 303
    bad = client.post(url + "/handling", data={"handling-handling": "delete"}, headers=headers)
    assert bad.status_code == 200 and "Choose one of the options." in bad.get_data(as_text=True)

    db.session.refresh(report)
    assert report.handling == "support_requested"
    messages = db.session.scalars(sa.select(ReportMessage).order_by(ReportMessage.id)).all()
    assert [(m.author, m.internal, m.body) for m in messages] == [
        ("staff", False, "We are here for you."),
        ("staff", True, "Call back on Monday"),
    ]
    assert all(m.author_user_id == me.id for m in messages)
    for name in ("report.acknowledged", "report.assigned", "report.replied",
                 "report.note_added", "report.handling_set"):
        [entry] = actions(name)
        assert entry.actor_id == me.id and entry.target_id == str(report.id)
        assert "We are here" not in entry.detail and "Monday" not in entry.detail


def test_actions_need_the_csrf_token(client, login_as, make_report):
    report, _ = make_report("uk")
    login_as("student_services", "uk")
    response = client.post(f"/staff/reports/{report.id}/acknowledge")
    assert response.status_code == 400
    db.session.refresh(report)
    assert report.status == "new"


def test_an_id_too_large_for_the_database_is_404_not_500(client, login_as, make_report):
    report, _ = make_report("uk")
    login_as("student_services", "uk")
    token = csrf_token(client, f"/staff/reports/{report.id}")
    huge = 99999999999999999999
    assert client.get(f"/staff/reports/{huge}").status_code == 404
    assert client.get(f"/staff/reports/{2**31}").status_code == 404
    response = client.post(f"/staff/reports/{huge}/reply", data={"reply-body": "x"},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 404


def test_the_date_of_birth_reads_as_a_date_in_the_staff_language(client, login_as, make_report):
    report, _code = make_report("uk", **named_form())
    login_as("student_services", "uk")
    html = client.get(f"/staff/reports/{report.id}?lang=en").get_data(as_text=True)
    assert "17 May 2003" in html and "2003-05-17" not in html
    html = client.get(f"/staff/reports/{report.id}?lang=fr").get_data(as_text=True)
    assert "17 mai 2003" in html


def test_student_services_can_open_a_case_from_the_report(client, login_as, make_report):
    report, _code = make_report("uk")
    login_as("centre_director", "uk")  # reads reports, does not open cases
    assert "Open a case" not in client.get(f"/staff/reports/{report.id}").get_data(as_text=True)
    login_as("student_services", "uk")  # a new session for another person
    html = client.get(f"/staff/reports/{report.id}?lang=en").get_data(as_text=True)
    assert "Open a case" in html
    response = client.post(f"/staff/cases/from-report/{report.id}",
                           data={"csrf_token": csrf_token(client, f"/staff/reports/{report.id}")})
    assert response.status_code == 303 and "/staff/cases/" in response.headers["Location"]


def test_a_kept_row_follows_every_change_to_what_it_shows(client, login_as, make_report):
    """Rows are kept by what they show (hsm/reports/rows.py): a new status, caseworker or
    caseworker's name, or another language, is another row, never the one kept before."""
    from hsm.reports import rows

    rows.ROWS.clear()
    report, _ = make_report("uk")
    login_as("student_services", "uk")

    def row() -> str:
        html = client.get("/staff/reports").get_data(as_text=True)
        return html[html.index(f"/staff/reports/{report.id}"):].split("</tr>", 1)[0]

    assert "New" in row() and "Nobody yet" in row()
    caseworker = make_user(("student_services", "uk"), name="Fictional First Name")
    report.status, report.caseworker_id = "acknowledged", caseworker.id
    db.session.commit()
    assert "Acknowledged" in row() and "Fictional First Name" in row()
    caseworker.name = "Fictional Second Name"
    db.session.commit()
    assert "Fictional Second Name" in row() and "First" not in row()
    english = row()
    client.get("/staff/reports?lang=fr")
    assert row() != english and "Acknowledged" not in row()
    assert "Fictional Second Name" in row()
