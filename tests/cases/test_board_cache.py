"""The case boards' change stamps and their caches (hsm/cases/boardcache.py).

A board's version token is read from a change stamp per centre, moved in the same transaction
as every change to a case there; what the board reads and draws is kept by that token (and
each card by its case's version), so a change, a grant, another language or a new day always
shows fresh cards, and a kept card never carries anyone's CSRF token.
"""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, timedelta

import pytest

from hsm import retention
from hsm.accounts.models import RoleAssignment
from hsm.cases import boardcache, queries
from hsm.cases import operations as ops
from hsm.cases.terms import Channel, ClosureReason, Marking, PartyRole, Stage
from hsm.cases.views import board as board_view
from hsm.extensions import db
from hsm.security import Role
from tests.factories import make_user

TOKEN = re.compile(r'name="csrf_token" value="([^"]+)"')


def _disclosure(actor, centre: str):
    case = ops.record_disclosure(actor, centre, ops.Disclosure(
        channel=Channel.PHONE, disclosure="Disclosure-canary: said on the phone.",
        disclosed_on=date(2026, 11, 2)))
    db.session.commit()
    return case


def _changes(staff):
    """One of each kind of change to a case, through the real operations."""

    def opening(case):
        _disclosure(staff.caseworker, staff.centre)

    def note(case):
        ops.add_note(staff.caseworker, case, "A note.", Marking.INTERNAL)

    def caseworker(case):
        party = next(p for p in case.parties if p.role == PartyRole.REPORTING)
        ops.assign_caseworker(staff.caseworker, case, party, staff.second_caseworker)

    def police_hold(case):
        ops.set_police_hold(staff.director, case, True)

    def conflict(case):
        ops.declare_conflict(staff.director, case, make_user(Role.PEOPLE_TEAM), "colleague")

    def move(case):  # reopening, from the case closed below
        ops.move(staff.director, case, Stage.SUPPORT, "New information came in.",
                 expected=Stage.CLOSED)

    def closing(case):
        ops.close(staff.caseworker, case, ClosureReason.SUPPORT_ONLY)

    return [opening, note, caseworker, police_hold, conflict, move, closing]


@pytest.mark.parametrize("kind", range(7))
def test_every_kind_of_change_to_a_case_moves_its_centres_stamp(make_case, staff, kind):
    case = make_case(Stage.SUPPORT)
    change = _changes(staff)[kind]
    if change.__name__ == "move":
        ops.close(staff.caseworker, case, ClosureReason.SUPPORT_ONLY)
        db.session.commit()
    before = queries.board_version(staff.caseworker)
    assert queries.board_version(staff.caseworker) == before  # nothing changed, same token
    change(case)
    db.session.commit()
    assert queries.board_version(staff.caseworker) != before, change.__name__


def test_removing_closed_cases_moves_the_stamp(make_case, staff):
    case = make_case(Stage.SUPPORT)
    ops.close(staff.caseworker, case, ClosureReason.SUPPORT_ONLY)
    db.session.commit()
    before = queries.board_version(staff.caseworker)
    plan = retention.run(dry_run=False, now=datetime.now(UTC) + timedelta(days=365 * 20))
    assert plan.removed["case_record"] == 1
    assert queries.board_version(staff.caseworker) != before


def test_a_change_at_one_centre_leaves_the_other_centres_boards_alone(make_case, staff):
    case = make_case(Stage.SUPPORT)
    paris = make_user((Role.STUDENT_SERVICES, "paris"))
    _disclosure(paris, "paris")
    theirs, everyone = queries.board_version(paris), queries.board_version(staff.director)
    ops.add_note(staff.caseworker, case, "A note.", Marking.INTERNAL)
    db.session.commit()
    assert queries.board_version(paris) == theirs  # paris's board keeps its token
    assert queries.board_version(staff.director) != everyone  # every centre's board moves


def _card(html: str, case_id: int) -> str:
    start = html.index(f'id="cases-board-card-{case_id}"')
    return html[start:html.index("</li>\n", start)]


def _column_of(html: str, case_id: int) -> str:
    at = html.index(f'id="cases-board-card-{case_id}"')
    return re.findall(r'id="cases-board-cards-([a-z_]+)"', html[:at])[-1]


def test_a_change_to_a_case_shows_a_fresh_card(client, login_as, make_case, staff):
    login_as(Role.STUDENT_SERVICES, "uk")
    case = make_case(Stage.SUPPORT)
    assert _column_of(client.get("/staff/cases").get_data(as_text=True), case.id) == "support"
    assert "Police hold" not in _card(client.get("/staff/cases").get_data(as_text=True), case.id)
    ops.set_police_hold(staff.director, case, True)
    db.session.commit()
    assert "Police hold" in _card(client.get("/staff/cases").get_data(as_text=True), case.id)
    ops.close(staff.caseworker, case, ClosureReason.SUPPORT_ONLY)
    db.session.commit()
    assert _column_of(client.get("/staff/cases").get_data(as_text=True), case.id) == "closed"


def test_a_grant_shows_fresh_cards(client, login_as, make_case, staff):
    user = login_as(Role.STUDENT_SERVICES, "uk")
    paris_case = _disclosure(make_user((Role.STUDENT_SERVICES, "paris")), "paris")
    assert paris_case.reference not in client.get("/staff/cases").get_data(as_text=True)
    db.session.add(RoleAssignment(user_id=user.id, role=Role.STUDENT_SERVICES, centre="paris"))
    db.session.commit()
    assert paris_case.reference in client.get("/staff/cases").get_data(as_text=True)


def test_another_language_shows_fresh_cards(client, login_as, make_case):
    login_as(Role.STUDENT_SERVICES, "uk")
    case = make_case(Stage.SUPPORT)
    english = _card(client.get("/staff/cases?lang=en").get_data(as_text=True), case.id)
    dutch = _card(client.get("/staff/cases?lang=nl").get_data(as_text=True), case.id)
    assert "in this stage" in english
    assert "in this stage" not in dutch and "Move" not in dutch
    assert english == _card(client.get("/staff/cases?lang=en").get_data(as_text=True), case.id)


def test_a_new_day_shows_fresh_cards(client, login_as, make_case, monkeypatch):
    login_as(Role.STUDENT_SERVICES, "uk")
    case = make_case(Stage.SUPPORT)
    assert "0 days in this stage" in _card(client.get("/staff/cases").get_data(as_text=True),
                                           case.id)
    later = datetime.now(UTC) + timedelta(days=3, hours=1)
    monkeypatch.setattr(board_view, "now", lambda: later)
    assert "3 days in this stage" in _card(client.get("/staff/cases").get_data(as_text=True),
                                           case.id)


def test_a_kept_card_never_carries_anyone_elses_token(client, login_as, make_case, staff):
    case = make_case(Stage.RECEIVED)
    party = next(p for p in case.parties if p.role == PartyRole.REPORTING)
    ops.assign_caseworker(staff.director, case, party, staff.caseworker)
    db.session.commit()  # it may move to support now
    tokens = []
    for _person in range(2):
        login_as(Role.STUDENT_SERVICES, "uk")
        html = client.get("/staff/cases").get_data(as_text=True)
        card = _card(html, case.id)
        assert "board__move" in card  # a move on offer: a form with a token
        seen = set(TOKEN.findall(html))
        assert len(seen) == 1  # the page's one token, in every form
        tokens.append(seen.pop())
    first, second = tokens
    assert first != second
    kept = boardcache.kept()  # the cards and the whole boards
    assert kept and not any(first in html or second in html for html in kept)
    pages = list(board_view.BOARD_PAGES.entries.values())  # whole pages (hsm/keep.py)
    assert pages and not any(first in page or second in page for page in pages)
    # A move from the board still works with the token it was served.
    response = client.post(f"/staff/cases/{case.id}/move", data={
        "csrf_token": second, "target": Stage.SUPPORT, "current": Stage.RECEIVED,
        "from": "board"})
    assert response.status_code == 303
    db.session.refresh(case)
    assert case.stage == Stage.SUPPORT


def test_a_count_stops_past_its_bound_and_says_so(client, login_as, monkeypatch):
    from tests.cases.test_board_queries import seed

    monkeypatch.setattr(queries, "COUNT_BOUND", 3)
    director = login_as(Role.SAFEGUARDING_DIRECTOR)
    seed(3, stage=Stage.SUPPORT)
    seed(6, stage=Stage.CLOSED)
    counts = queries.column_counts(director)
    assert counts[Stage.SUPPORT] == 3 and counts[Stage.CLOSED] == 4  # read no further
    html = client.get("/staff/cases").get_data(as_text=True)
    assert 'id="cases-board-count-support">(3)' in html
    assert 'id="cases-board-count-closed">(more than 3)' in html
    dutch = client.get("/staff/cases?lang=nl").get_data(as_text=True)
    assert 'id="cases-board-count-closed">(meer dan 3)' in dutch
