"""The pipeline's transition set, its blockers, and the move view."""

from __future__ import annotations

import socket

import pytest
import sqlalchemy as sa
from hypothesis import given, settings
from hypothesis import strategies as st

from hsm.audit import AuditEntry
from hsm.extensions import db
from hsm.safecontacts import pipeline
from hsm.safecontacts.pipeline import Blocker, Facts, MoveRefused, Stage
from tests.safecontacts.conftest import csrf as _csrf
from tests.safecontacts.conftest import press

ALL_MET = Facts(True, True, True, True, True)
EDI = frozenset({pipeline.PERMISSION})


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("applied", "chat"),
        ("chat", "training"),
        ("training", "biography"),
        ("biography", "published"),
        ("published", "biography"),
        ("chat", "applied"),
        ("applied", "withdrawn"),
        ("published", "not_progressed"),
        ("withdrawn", "applied"),
    ],
)
def test_allowed_moves(current, target):
    pipeline.check_move(current, target, ALL_MET, reason="Moved away", granted=EDI)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("applied", "published"),
        ("applied", "training"),
        ("chat", "biography"),
        ("withdrawn", "published"),
        ("not_progressed", "withdrawn"),
        ("published", "applied"),
        ("applied", "applied"),
        ("applied", "nonsense"),
    ],
)
def test_refused_moves(current, target):
    with pytest.raises(MoveRefused) as refused:
        pipeline.check_move(current, target, ALL_MET, reason="x", granted=EDI)
    assert refused.value.blockers == ()


def test_side_states_need_a_reason():
    with pytest.raises(MoveRefused) as refused:
        pipeline.check_move("chat", "withdrawn", ALL_MET, reason="   ", granted=EDI)
    assert refused.value.blockers == (Blocker.REASON_MISSING,)


def test_publication_needs_line_manager_and_approved_biography():
    facts = Facts(True, False, True, True, False)
    with pytest.raises(MoveRefused) as refused:
        pipeline.check_move("biography", "published", facts, granted=EDI)
    assert set(refused.value.blockers) == {
        Blocker.NO_LINE_MANAGER_PERMISSION,
        Blocker.BIOGRAPHY_NOT_APPROVED,
    }


def test_training_must_be_attended_before_biography():
    with pytest.raises(MoveRefused) as refused:
        pipeline.check_move(
            "training", "biography", Facts(True, True, True, False, False), granted=EDI
        )
    # Only the training: the biography is not approved either, but that is not this move's.
    assert refused.value.blockers == (Blocker.TRAINING_NOT_ATTENDED,)
    assert [str(r) for r in refused.value.reasons] == ["Induction training not attended"]


def test_a_move_without_the_permission_is_refused_and_says_so():
    with pytest.raises(MoveRefused) as refused:
        pipeline.check_move("applied", "chat", ALL_MET, granted=frozenset({"own_account"}))
    assert refused.value.blockers == ()  # no step of the scheme is missing...
    assert [r.code for r in refused.value.reasons] == ["missing_permission"]  # ...a permission is
    moves = pipeline.available_moves("applied", ALL_MET, frozenset())
    [move] = [m for m in moves if m.target == "chat"]
    assert not move.allowed and "permission" in str(move.reasons[0])


def test_moving_back_is_never_blocked():
    # Guards key on the move, not on the stage it enters: unpublishing someone whose training
    # was later marked as not attended must still be possible (entering Biography from
    # Training needs the training; coming back to it from Published does not).
    nothing = Facts(True, False, False, False, False)
    for source, target in pipeline.BACK:
        pipeline.check_move(source, target, nothing, granted=EDI)
    with pytest.raises(MoveRefused):
        pipeline.check_move("training", "biography", nothing, granted=EDI)


def test_blockers_shown_on_cards():
    assert set(pipeline.blockers("applied", Facts(True, False, False, False, False))) == {
        Blocker.CHAT_NOT_RECORDED,
        Blocker.NO_LINE_MANAGER_PERMISSION,
    }
    assert Blocker.TRAINING_NOT_ATTENDED in pipeline.blockers(
        "training", Facts(True, True, True, False, False)
    )
    assert pipeline.blockers("biography", Facts(True, True, True, True, False)) == [
        Blocker.BIOGRAPHY_NOT_APPROVED
    ]
    assert pipeline.blockers("published", ALL_MET) == []
    assert pipeline.blockers("withdrawn", Facts(False, False, False, False, False)) == []


# The scheme's steps as the EDI office describes them, written out by hand (not read from
# the table): forward one step, back one step, leave (withdrawn or not progressed) from any
# stage, and reopen a closed application from the start.
SCHEME = {
    "applied": ["chat", "withdrawn", "not_progressed"],
    "chat": ["applied", "training", "withdrawn", "not_progressed"],
    "training": ["chat", "biography", "withdrawn", "not_progressed"],
    "biography": ["training", "published", "withdrawn", "not_progressed"],
    "published": ["biography", "withdrawn", "not_progressed"],
    "withdrawn": ["applied"],
    "not_progressed": ["applied"],
}


def test_moves_offered_are_the_transition_set():
    for stage in Stage:
        # Every move from a stage is on offer (in board order), blocked or not...
        offered = [str(m.target) for m in pipeline.available_moves(stage, ALL_MET, EDI)]
        assert sorted(offered) == sorted(SCHEME[stage]), stage
        # ...and with every requirement met and the permission held, all of them go.
        assert [str(s) for s in pipeline.moves_from(stage, ALL_MET, EDI)] == offered
        assert pipeline.moves_from(stage, ALL_MET, frozenset()) == []
    board_order = [str(s) for s in (*pipeline.COLUMNS, *pipeline.SIDE_STATES)]
    offered = [str(m.target) for m in pipeline.available_moves("chat", ALL_MET, EDI)]
    assert offered == sorted(offered, key=board_order.index)


facts_st = st.builds(Facts, *(st.booleans() for _ in range(5)))


@settings(deadline=None)
@given(stage=st.sampled_from(list(Stage)), facts=facts_st, reason=st.sampled_from(["", "Why"]))
def test_a_move_on_offer_is_never_refused(stage, facts, reason):
    offered = pipeline.moves_from(stage, facts, EDI)
    for target in Stage:
        needs_reason = target in pipeline.SIDE_STATES and not reason
        if target in offered and not needs_reason:
            pipeline.check_move(stage, target, facts, reason, granted=EDI)
        elif target not in offered:
            with pytest.raises(MoveRefused):
                pipeline.check_move(stage, target, facts, reason, granted=EDI)


def _moves(contact_id):
    return db.session.scalars(
        sa.select(AuditEntry).where(
            AuditEntry.action == "safecontacts.moved", AuditEntry.target_id == str(contact_id)
        )
    ).all()


def test_board_move_in_place_with_htmx(client, login_as, contact_factory):
    login_as("edi_officer")
    person = contact_factory(stage="applied", name="Robin Example")
    db.session.commit()
    response = client.post(
        f"/staff/safe-contacts/{person.id}/move",
        data={"target": "chat", "from": "board", "board_centre": ""},
        headers={"HX-Request": "true", "X-CSRFToken": _csrf(client)},
    )
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    # Only the card: it leaves its old place (nothing is swapped there) and goes on top of
    # its new column; the counts go out of band. The board itself is not sent again.
    assert 'id="board"' not in html and "board__column" not in html
    assert html.lstrip().startswith(
        '<div data-hx-swap-oob="afterbegin:#board-cards-chat">\n\n'
        f'<li class="card board__card" id="board-card-{person.id}" '
    )
    assert "Robin Example" in html
    count = '<span class="board__count" id="board-count-{}" data-hx-swap-oob="true">({})</span>'
    assert count.format("applied", 0) in html and count.format("chat", 1) in html
    db.session.refresh(person)
    assert person.stage == "chat"
    [entry] = _moves(person.id)
    assert entry.detail_dict() == {"from": "applied", "to": "chat"}


def test_refused_move_changes_nothing(client, login_as, contact_factory):
    login_as("edi_officer")
    person = contact_factory(stage="applied")
    db.session.commit()
    response = client.post(
        f"/staff/safe-contacts/{person.id}/move",
        data={"target": "published", "from": "board", "csrf_token": _csrf(client)},
    )
    assert response.status_code == 409
    assert "not allowed" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.stage == "applied"
    assert _moves(person.id) == []


def test_withdrawing_without_a_reason_keeps_the_card(client, login_as, contact_factory):
    login_as("edi_officer")
    person = contact_factory(stage="chat")
    db.session.commit()
    response = client.post(
        f"/staff/safe-contacts/{person.id}/move",
        data={"target": "withdrawn", "reason": "", "csrf_token": _csrf(client)},
    )
    assert response.status_code == 400
    assert "A reason is needed" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.stage == "chat"
    response = client.post(
        f"/staff/safe-contacts/{person.id}/move",
        data={"target": "withdrawn", "reason": "Moved to a new job", "csrf_token": _csrf(client)},
    )
    assert response.status_code == 303
    db.session.refresh(person)
    assert person.stage == "withdrawn" and person.stage_reason == "Moved to a new job"


def test_reaching_biography_gives_a_staff_login(client, login_as, contact_factory, mail):
    login_as("edi_officer")
    person = contact_factory(
        stage="training", email="new.volunteer@example.org", induction_attended=True
    )
    db.session.commit()
    response = client.post(
        f"/staff/safe-contacts/{person.id}/move",
        data={"target": "biography", "csrf_token": _csrf(client)},
    )
    assert response.status_code == 303
    db.session.refresh(person)
    assert person.user is not None
    assert person.user.has_role("safe_contact")
    assert person.user.password_hash is None
    assert [m["To"] for m in mail] == ["new.volunteer@example.org"]


def test_moves_need_the_edi_role(client, login_as, contact_factory):
    login_as("student_services", "uk")
    person = contact_factory(stage="applied")
    db.session.commit()
    response = client.post(
        f"/staff/safe-contacts/{person.id}/move",
        data={"target": "chat", "csrf_token": _csrf(client)},
    )
    assert response.status_code == 403
    db.session.refresh(person)
    assert person.stage == "applied"


def test_unconfirmed_applications_are_not_on_the_board(client, login_as, contact_factory):
    login_as("edi_officer")
    contact_factory(stage="applied", name="Confirmed Person")
    hidden = contact_factory(stage="applied", name="Unconfirmed Person", confirmed=False)
    db.session.commit()
    html = client.get("/staff/safe-contacts/board").get_data(as_text=True)
    assert "Confirmed Person" in html and "Unconfirmed Person" not in html
    assert client.get(f"/staff/safe-contacts/{hidden.id}").status_code == 404


def test_withdrawing_from_the_page_works_as_a_browser_sends_it(client, login_as, contact_factory):
    # The page's own form, fields in page order: a stray empty "target" once hid the button's.
    login_as("edi_officer")
    person = contact_factory(stage="chat")
    db.session.commit()
    page = client.get(f"/staff/safe-contacts/{person.id}").get_data(as_text=True)
    response = press(client, page, "Mark as withdrawn", reason="Moved to a new job")
    assert response.status_code == 303
    db.session.refresh(person)
    assert person.stage == "withdrawn" and person.stage_reason == "Moved to a new job"


def test_a_move_from_an_out_of_date_page_changes_nothing(client, login_as, contact_factory):
    login_as("edi_officer")
    person = contact_factory(stage="chat", name="Kim Stale")
    db.session.commit()
    stale = client.get(f"/staff/safe-contacts/{person.id}").get_data(as_text=True)
    # Meanwhile a colleague withdraws the application...
    person.stage, person.stage_reason = "withdrawn", "Left the organisation"
    db.session.commit()
    # ...and "Move to Applied", still on the old page, would otherwise reopen it.
    response = press(client, stale, "Move to Applied")
    assert response.status_code == 409
    html = response.get_data(as_text=True)
    assert "Kim Stale is now at Withdrawn, so nothing was changed" in html
    assert 'href="#move-title"' in html  # the error summary points at the moves
    db.session.refresh(person)
    assert person.stage == "withdrawn"
    assert _moves(person.id) == []


def test_a_double_click_on_the_board_moves_once(client, login_as, contact_factory):
    login_as("edi_officer")
    person = contact_factory(stage="applied", name="Dana Twice")
    db.session.commit()
    board = client.get("/staff/safe-contacts/board").get_data(as_text=True)
    htmx = {"HX-Request": "true"}
    first = press(client, board, "Move Dana Twice to Informal chat", headers=htmx)
    html = first.get_data(as_text=True)
    assert '<div id="board-status" data-hx-swap-oob="innerHTML">' in html
    assert "Dana Twice moved to Informal chat." in html
    assert f'href="/staff/safe-contacts/{person.id}" autofocus' in html  # focus follows the card
    second = press(client, board, "Move Dana Twice to Informal chat", headers=htmx)
    assert "Dana Twice is now at Informal chat, so nothing was changed" in second.get_data(
        as_text=True
    )
    assert len(_moves(person.id)) == 1


def test_board_shows_centre_names_not_codes(client, login_as, contact_factory):
    login_as("edi_officer")
    person = contact_factory(stage="applied", centre="ireland", department="Library")
    db.session.commit()
    board = client.get("/staff/safe-contacts/board").get_data(as_text=True)
    assert "Library · Tralee" in board or "Library · Ireland" in board
    assert "Library · ireland" not in board
    detail = client.get(f"/staff/safe-contacts/{person.id}").get_data(as_text=True)
    assert "<dd>ireland</dd>" not in detail


def test_an_invitation_that_cannot_be_sent_does_not_break_the_move(
    app, client, login_as, contact_factory, monkeypatch
):
    login_as("edi_officer")
    person = contact_factory(
        stage="training", email="offline.volunteer@example.org", induction_attended=True
    )
    db.session.commit()
    with socket.socket() as closed:  # a port nothing listens on: the mail server is down
        closed.bind(("127.0.0.1", 0))
        port = closed.getsockname()[1]
    monkeypatch.setitem(app.config, "HSM_SMTP_HOST", "127.0.0.1")
    monkeypatch.setitem(app.config, "HSM_SMTP_PORT", port)
    response = client.post(
        f"/staff/safe-contacts/{person.id}/move",
        data={"target": "biography", "current": "training", "csrf_token": _csrf(client)},
        follow_redirects=True,
    )
    assert response.status_code == 200
    assert "could not be sent" in response.get_data(as_text=True)
    db.session.refresh(person)
    assert person.stage == "biography" and person.user.has_role("safe_contact")


def test_leaving_the_scheme_removes_the_biography_role(contact_factory, mail):
    from hsm import audit
    from hsm.safecontacts import operations
    from tests.factories import make_user

    edi = make_user("edi_officer")
    person = contact_factory(
        stage="training", email="leaving.soon@example.org", induction_attended=True
    )
    db.session.commit()
    operations.move(edi, person, "biography")
    db.session.commit()
    assert person.user.has_role("safe_contact")
    operations.move(edi, person, "withdrawn", reason="Changed roles")
    db.session.commit()
    db.session.refresh(person.user)
    assert not person.user.has_role("safe_contact")
    actions = [e.action for e in db.session.scalars(sa.select(audit.AuditEntry))]
    assert actions.count("role.granted") == 1 and actions.count("role.removed") == 1


def test_the_invitation_is_in_the_language_the_person_applied_in(contact_factory, mail):
    from hsm.safecontacts import operations
    from tests.factories import make_user

    person = contact_factory(
        stage="training", email="nouvelle.personne@example.org", induction_attended=True
    )
    person.locale = "fr"
    db.session.commit()
    operations.move(make_user("edi_officer"), person, "biography")
    [message] = mail
    assert message["To"] == "nouvelle.personne@example.org"
    assert message["Subject"] == "Votre compte professionnel Safe Support"


@pytest.mark.parametrize(
    ("typed", "ok"),
    [("2025-03-27", True), ("1000-01-01", False), ("1999-12-31", False), ("2999-01-01", False)],
)
def test_chat_dates_must_be_plausible(app, typed, ok):
    from werkzeug.datastructures import MultiDict

    from hsm.safecontacts.forms import ChatForm

    with app.test_request_context(method="POST"):
        form = ChatForm(
            formdata=MultiDict(
                {**dict(zip(("chat_on-year", "chat_on-month", "chat_on-day"), typed.split("-"),
                            strict=True)),
                 "chat_staff_one": "A. Person", "chat_staff_two": "B. Person"}
            ),
            meta={"csrf": False},
        )
        assert form.validate() is ok
        if not ok:
            assert "Enter a date between 2000 and" in form.chat_on.errors[0]


def test_the_board_reads_a_fixed_number_of_queries(
    client, login_as, contact_factory, count_queries
):
    login_as("edi_officer")

    def board_queries() -> int:
        with count_queries() as counter:
            assert client.get("/staff/safe-contacts/board").status_code == 200
        return counter.count

    for stage in ("applied", "chat", "withdrawn"):
        contact_factory(stage=stage)
    db.session.commit()
    few = board_queries()
    for i in range(60):  # more than a page in some columns
        contact_factory(stage=("applied", "chat", "training", "biography", "published")[i % 5])
    db.session.commit()
    assert board_queries() == few


def test_the_version_moves_with_every_change_a_card_shows(contact_factory):
    from datetime import date

    from hsm.safecontacts import operations, queries
    from tests.factories import make_user

    edi = make_user("edi_officer")
    person = contact_factory(stage="chat")
    db.session.commit()
    seen = {queries.board_version(edi, None)}
    for change in (
        lambda: operations.record_chat(edi, person, date(2026, 3, 2), "A. One", "B. Two"),
        lambda: operations.move(edi, person, "training"),
        lambda: operations.record_induction(edi, person, date(2026, 3, 9), True),
    ):
        change()
        db.session.commit()
        version = queries.board_version(edi, None)
        assert version not in seen
        seen.add(version)
    # Reading changes nothing; a change at another centre is not this centre's board's.
    operations.move(edi, contact_factory(stage="applied", centre="paris"), "chat")
    db.session.commit()
    assert queries.board_version(edi, "uk") == version


def test_a_board_page_after_a_cursor_never_repeats_a_card(client, login_as, contact_factory):
    from hsm.safecontacts import queries

    edi = login_as("edi_officer")
    people = [contact_factory(stage="applied", name=f"Person {i:02d}") for i in range(25)]
    db.session.commit()
    first = queries.board(edi, None).column("applied")
    assert len(first.cards) == queries.BOARD_PAGE_SIZE and first.after
    # Meanwhile a card is moved in on top; the next page is still the rest, once each.
    newcomer = contact_factory(stage="applied", name="Newcomer")
    db.session.commit()
    rest = queries.board_column(edi, None, "applied", first.after)
    shown = [c.id for c in first.cards] + [c.id for c in rest.cards]
    assert sorted(shown) == sorted(p.id for p in people)
    assert newcomer.id not in shown and rest.after is None
    assert queries.board_column(edi, None, "applied", "not-a-cursor").cards[0].title == "Newcomer"
    page = client.get(
        "/staff/safe-contacts/board",
        query_string={"column": "applied", "after": first.after},
        headers={"HX-Request": "true"},
    )
    html = page.get_data(as_text=True)
    assert html.count('class="card board__card"') == 5 and "board__column" not in html


def test_polling_answers_204_until_the_board_changes(client, login_as, contact_factory):
    from hsm.safecontacts import operations, queries

    edi = login_as("edi_officer")
    person = contact_factory(stage="applied", name="Pat Polled")
    db.session.commit()
    htmx = {"HX-Request": "true"}
    version = queries.board_version(edi, None)
    idle = client.get(f"/staff/safe-contacts/board?version={version}", headers=htmx)
    assert idle.status_code == 204 and idle.get_data() == b""
    operations.move(edi, person, "chat")
    db.session.commit()
    changed = client.get(f"/staff/safe-contacts/board?version={version}", headers=htmx)
    assert changed.status_code == 200
    assert changed.get_data(as_text=True).lstrip().startswith('<div id="board"')
    # Without htmx the same address is the page, whatever the version.
    assert client.get(f"/staff/safe-contacts/board?version={version}").status_code == 200
