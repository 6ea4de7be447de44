"""The case views: the board for every role, the case page, moves (htmx and plain), the
deadlines list and opening a case from a report. Access outside scope answers 404."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from hsm.accounts.sessions import new_session_payload
from hsm.audit import AuditEntry
from hsm.cases import boardcache
from hsm.cases import operations as ops
from hsm.cases.models import Case
from hsm.cases.terms import PartyRole, PartyType, Stage
from hsm.extensions import db
from hsm.security import Role
from tests.cases.conftest import Staff, party
from tests.helpers import csrf_from

HX = {"HX-Request": "true"}
NARRATIVE = "Disclosure-canary"


def _token(client) -> str:
    return csrf_from(client.get("/staff/cases/deadlines").data)


def sign_in(client, user) -> None:
    payload = new_session_payload(user)
    db.session.commit()
    with client.session_transaction() as session:
        session.clear()
        session.update(payload)


def _card_ids(html: str) -> set[int]:
    return {int(n) for n in re.findall(r'id="cases-board-card-(\d+)"', html)}


def _move(client, case, target, *, current=None, htmx=False, **extra):
    data = {"csrf_token": _token(client), "target": target,
            "current": current or case.stage, "from": "board", **extra}
    return client.post(f"/staff/cases/{case.id}/move", data=data, headers=HX if htmx else {})


@pytest.fixture
def received(make_case, staff):
    """A received case that may move to support: its reporting party has a caseworker."""

    def make() -> Case:
        case = make_case(Stage.RECEIVED)
        ops.assign_caseworker(staff.director, case, party(case, PartyRole.REPORTING),
                              staff.caseworker)
        db.session.commit()
        return case

    return make


@pytest.fixture
def amsterdam():
    return Staff("amsterdam")


@pytest.fixture
def two_centres(make_case, staff, amsterdam):
    """A case at uk (staff's centre) and one at amsterdam."""
    uk_case = make_case(Stage.SUPPORT)
    ams_case = ops.record_disclosure(amsterdam.caseworker, "amsterdam", ops.Disclosure(
        channel="phone", disclosure=f"{NARRATIVE}: Amsterdam.",
        disclosed_on=uk_case.opened_at.date(), responding_party_type=PartyType.STUDENT))
    db.session.commit()
    return uk_case, ams_case


@pytest.mark.parametrize("role", [Role.STUDENT_SERVICES, Role.CENTRE_DIRECTOR])
def test_a_centre_role_sees_its_centre_only(client, login_as, two_centres, role):
    uk_case, ams_case = two_centres
    login_as(role, "uk")
    response = client.get("/staff/cases")
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert _card_ids(html) == {uk_case.id}
    assert uk_case.reference in html and ams_case.reference not in html
    assert NARRATIVE not in html and "Robin" not in html
    assert client.get(f"/staff/cases/{uk_case.id}").status_code == 200
    assert client.get(f"/staff/cases/{ams_case.id}").status_code == 404
    assert _move(client, ams_case, Stage.CLOSED, reason="withdrawn").status_code == 404


def test_the_safeguarding_director_sees_every_centre(client, login_as, two_centres):
    login_as(Role.SAFEGUARDING_DIRECTOR)
    html = client.get("/staff/cases").get_data(as_text=True)
    assert _card_ids(html) == {c.id for c in two_centres}


def test_case_review_members_and_officers_see_only_their_cases(client, login_as, make_case,
                                                                staff, two_centres):
    reviewed = make_case(Stage.CASE_REVIEW)
    client_user = login_as(Role.CASE_REVIEW_MEMBER)
    assert _card_ids(client.get("/staff/cases").get_data(as_text=True)) == set()
    # The team members of the fixtures' cases see exactly those.
    for person, expected in ((staff.members[0], {reviewed.id}),
                             (staff.investigator, set()), (staff.reviewer, set())):
        sign_in(client, person)
        assert _card_ids(client.get("/staff/cases").get_data(as_text=True)) == expected
    assert client_user is not None


def test_an_officer_sees_the_case_they_are_appointed_to(client, make_case, staff):
    investigated = make_case(Stage.INVESTIGATION)
    make_case(Stage.SUPPORT)
    sign_in(client, staff.investigator)
    html = client.get("/staff/cases").get_data(as_text=True)
    assert _card_ids(html) == {investigated.id}
    page = client.get(f"/staff/cases/{investigated.id}").get_data(as_text=True)
    # 19.3: no support plan or wellbeing notes for the Investigating Officer.
    assert "Support plan" not in page and "wellbeing" not in page.lower()


def test_the_people_team_sees_staff_respondent_cases(client, login_as, make_case, two_centres):
    staff_case = make_case(Stage.SUPPORT, respondent=PartyType.STAFF)
    login_as(Role.PEOPLE_TEAM)
    assert _card_ids(client.get("/staff/cases").get_data(as_text=True)) == {staff_case.id}


@pytest.mark.parametrize("role", [Role.ADMIN, Role.EDI_OFFICER, Role.EXECUTIVE,
                                  Role.SAFE_CONTACT])
def test_roles_without_a_board_are_refused(client, login_as, two_centres, role):
    login_as(role)
    assert client.get("/staff/cases").status_code == 403
    assert client.get(f"/staff/cases/{two_centres[0].id}").status_code == 403
    assert client.get("/staff/cases/deadlines").status_code == 403


def test_a_move_with_htmx_swaps_only_the_card(client, login_as, received, staff):
    case = received()
    sign_in(client, staff.caseworker)
    response = _move(client, case, Stage.SUPPORT, htmx=True)
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    db.session.refresh(case)
    assert case.stage == Stage.SUPPORT
    assert "<html" not in html and 'id="cases-board"' not in html
    # The card goes on top of its new column, out of band; the counts and the words too.
    assert 'data-hx-swap-oob="afterbegin:#cases-board-cards-support"' in html
    assert 'id="cases-board-count-support" data-hx-swap-oob="true">(1)' in html
    assert 'id="cases-board-count-received" data-hx-swap-oob="true">(0)' in html
    assert f"Case {case.reference} moved to Support." in html
    assert html.count('class="card board__card"') == 1


def test_a_stale_move_changes_nothing_and_says_so(client, received, staff):
    case = received()
    sign_in(client, staff.caseworker)
    assert _move(client, case, Stage.SUPPORT).status_code == 303
    db.session.refresh(case)
    version = case.version
    # The same click again, from the page that still shows the case as received.
    again = _move(client, case, Stage.SUPPORT, current=Stage.RECEIVED, htmx=True)
    assert again.status_code == 200
    html = again.get_data(as_text=True)
    assert "is now at Support, so nothing was changed" in html
    db.session.refresh(case)
    assert case.stage == Stage.SUPPORT and case.version == version
    # Without JavaScript: the board again, with the refusal at the top.
    plain = _move(client, case, Stage.SUPPORT, current=Stage.RECEIVED)
    assert plain.status_code == 409
    assert "is now at Support, so nothing was changed" in plain.get_data(as_text=True)


def test_a_blocked_move_is_shown_disabled_with_its_reasons(client, make_case, staff):
    case = make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    html = client.get("/staff/cases").get_data(as_text=True)
    assert "Cannot move to Formal complaint yet:" in html
    assert "wish to make a formal complaint is not recorded" in html
    refused = _move(client, case, Stage.FORMAL_COMPLAINT)
    assert refused.status_code == 409
    db.session.refresh(case)
    assert case.stage == Stage.SUPPORT


def test_a_move_without_javascript_redirects_to_the_board(client, received, staff):
    case = received()
    sign_in(client, staff.caseworker)
    response = _move(client, case, Stage.SUPPORT, flag="immediate_danger")
    assert response.status_code == 303
    assert response.headers["Location"] == "/staff/cases?flag=immediate_danger"
    db.session.refresh(case)
    assert case.stage == Stage.SUPPORT


def test_the_poll_answers_204_until_something_changes(client, received, staff):
    case = received()
    sign_in(client, staff.caseworker)
    html = client.get("/staff/cases").get_data(as_text=True)
    poll = re.search(r'data-poll data-hx-get="([^"]+)"', html).group(1).replace("&amp;", "&")
    assert client.get(poll, headers=HX).status_code == 204
    ops.move(staff.caseworker, case, Stage.SUPPORT)
    db.session.commit()
    changed = client.get(poll, headers=HX)
    assert changed.status_code == 200 and 'id="cases-board"' in changed.get_data(as_text=True)


def test_a_column_pages_itself_with_and_without_javascript(client, login_as):
    from tests.cases.test_board_queries import seed
    seed(25, stage=Stage.SUPPORT)
    login_as(Role.SAFEGUARDING_DIRECTOR)
    html = client.get("/staff/cases").get_data(as_text=True)
    assert len(_card_ids(html)) == 20
    more = re.search(r'<li class="board__more"><a href="([^"]+)"', html).group(1)
    more = more.replace("&amp;", "&")
    rest = client.get(more).get_data(as_text=True)  # without JS: the board, that page
    assert len(_card_ids(rest)) == 5 and not _card_ids(rest) & _card_ids(html)
    fragment = client.get(more, headers=HX).get_data(as_text=True)
    assert "<html" not in fragment and len(_card_ids(fragment)) == 5


def test_filters_live_in_the_url(client, login_as, make_case):
    urgent = make_case(Stage.SUPPORT, urgent=True)
    calm = make_case(Stage.SUPPORT)
    login_as(Role.SAFEGUARDING_DIRECTOR)
    html = client.get("/staff/cases?flag=immediate_danger").get_data(as_text=True)
    assert _card_ids(html) == {urgent.id}
    assert calm.id not in _card_ids(html)


def test_several_roles_get_tabs(client, login_as, make_case):
    staff_case = make_case(Stage.SUPPORT, respondent=PartyType.STAFF)
    other = make_case(Stage.SUPPORT)
    login_as(Role.CENTRE_DIRECTOR, "paris", Role.PEOPLE_TEAM)
    html = client.get("/staff/cases").get_data(as_text=True)
    assert 'aria-label="Case boards"' in html
    assert _card_ids(html) == set()  # the Centre Director's board at paris comes first
    people = client.get("/staff/cases?board=people_team").get_data(as_text=True)
    assert _card_ids(people) == {staff_case.id} and other.id not in _card_ids(people)


def test_the_case_page_is_audited(client, make_case, staff):
    case = make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    html = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert case.reference in html and "Timeline" in html
    viewed = db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.viewed", AuditEntry.target_id == str(case.id)))
    assert viewed == 1


def test_my_deadlines(client, make_case, staff):
    make_case(Stage.SUPPORT)
    sign_in(client, staff.caseworker)
    assert client.get("/staff/cases/deadlines").status_code == 200


def test_open_a_case_from_a_report(client, login_as, make_report):
    report = make_report("uk")
    login_as(Role.STUDENT_SERVICES, "uk")
    response = client.post(f"/staff/cases/from-report/{report.id}",
                           data={"csrf_token": _token(client)})
    assert response.status_code == 303
    case = db.session.scalar(sa.select(Case).where(Case.report_id == report.id))
    assert response.headers["Location"] == f"/staff/cases/{case.id}"
    again = client.post(f"/staff/cases/from-report/{report.id}",
                        data={"csrf_token": _token(client)})
    assert again.status_code == 303 and "/staff/reports/" in again.headers["Location"]
    other = make_report("amsterdam")
    assert client.post(f"/staff/cases/from-report/{other.id}",
                       data={"csrf_token": _token(client)}).status_code == 404


def test_a_card_offers_only_the_moves_of_its_viewer(client, login_as, make_case):
    make_case(Stage.SUPPORT)
    login_as(Role.CENTRE_DIRECTOR, "uk")
    html = client.get("/staff/cases").get_data(as_text=True)
    # The Centre Director makes none of the moves from support: none is offered or listed.
    assert "Cannot move to" not in html and "board__move" not in html
    assert "You do not have permission" not in html


def test_queries_per_board_do_not_grow_with_the_cases(client, login_as, count_queries):
    from tests.cases.test_board_queries import seed
    login_as(Role.SAFEGUARDING_DIRECTOR)
    # Each column with cards costs a fixed few queries (its deadlines and people), so the
    # same columns hold cards in both runs; only how many cards differs.
    seed(5, stage=Stage.SUPPORT)
    seed(2, stage=Stage.CASE_REVIEW)
    client.get("/staff/cases")
    boardcache.clear()  # the worst case: no card drawn yet
    with count_queries() as counter:
        assert client.get("/staff/cases").status_code == 200
    small = counter.count
    with count_queries() as counter:
        assert client.get("/staff/cases").status_code == 200
    held = counter.count  # every card from the card cache: their facts are not even read
    assert held < small
    seed(40, stage=Stage.SUPPORT)
    seed(10, stage=Stage.CASE_REVIEW)
    boardcache.clear()
    with count_queries() as counter:
        assert client.get("/staff/cases").status_code == 200
    assert counter.count == small
    with count_queries() as counter:
        assert client.get("/staff/cases").status_code == 200
    assert counter.count == held


def test_an_email_about_a_case_links_to_its_page(make_case, staff):
    from hsm.mail import OutboxMessage
    case = make_case(Stage.SUPPORT)
    ops.confirm_complaint(staff.caseworker, case)
    db.session.commit()
    [message] = db.session.scalars(sa.select(OutboxMessage))
    assert f"/staff/cases/{case.id}" in message.body


def test_the_board_lists_interim_measures_waiting_for_the_case_review(client, make_case, staff):
    from datetime import date

    from hsm.cases.terms import MeasureKind
    case = make_case(Stage.SUPPORT, urgent=True)
    ops.set_measure(staff.director, case, party(case, PartyRole.RESPONDING),
                    MeasureKind.NO_CONTACT, date(2026, 11, 20), interim=True)
    db.session.commit()
    sign_in(client, staff.director)
    html = client.get("/staff/cases").get_data(as_text=True)
    assert "Interim measures waiting for the case review" in html
    assert f'href="/staff/cases/{case.id}">{case.reference}</a>' in html
