"""The hearing (14) and the outcome (15) on the case page.

- the committee: the same involvement check as the officers', refusing with the reason;
- the reporting party's attendance and its arrangements;
- the impact statement, SEALED until the decision on the merits: a walk over every GET route
  of the app (every page, fragment, letter preview, download and export) as every role
  proves its words and its file never show before, and show to the right roles after;
- the decision on the merits guards the move to the outcome;
- the outcome through its form: a caution runs 12 months (the board card says when it
  expires), restorative justice only at the reporting party's request, a recommended
  permanent exclusion opens the visa authority task, in "My deadlines";
- a party who left or interrupted their studies.
"""

from __future__ import annotations

import io
import re
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from hsm.cases import operations as ops
from hsm.cases import queries, workflow
from hsm.cases.models import Case, CaseEvent, Deadline, ImpactStatement
from hsm.cases.terms import Conclusion, DeadlineKind, DeadlineStatus, PartyRole, Stage
from hsm.extensions import db
from hsm.letters import content
from hsm.letters import operations as letter_ops
from hsm.letters import queries as letter_queries
from hsm.letters.models import Outcome
from hsm.letters.terms import LetterKind
from hsm.security import Role
from tests.cases.conftest import party
from tests.cases.test_case_forms import _forms_on, _post
from tests.cases.test_investigation import date_fields
from tests.cases.test_operations import refused_codes
from tests.cases.test_views import HX, sign_in
from tests.factories import make_user
from tests.helpers import csrf_from

IMPACT = "Impact-canary: since that evening I have not slept in my own room."
IMPACT_FILE = b"Impact-file-canary: a letter I wrote about the months after.\n"
PRIVATE = "Private-sanction-canary: conditions on residence."
SHARED = "Shared-sanction-canary: no contact in the library."
TODAY = date.today()


def chair():
    return make_user(name="Committee Chair")


def hearing_case(make_case, staff, *, statement: bool = True):
    case = make_case(Stage.HEARING)
    ops.appoint_committee_member(staff.director, case, chair())
    if statement:
        ops.add_impact_statement(staff.caseworker, case, TODAY, text=IMPACT)
        ops.add_impact_statement(staff.caseworker, case, TODAY, filename="letter.txt",
                                 raw=IMPACT_FILE)
    db.session.commit()
    return case


# --- the rules --------------------------------------------------------------------------------


INVOLVEMENTS = ("party", "witness", "caseworker", "case_review_member",
                "investigating_officer", "reviewing_officer", "conflicted")


@given(st.sets(st.sampled_from(INVOLVEMENTS)))
def test_a_committee_member_with_any_earlier_involvement_is_refused_with_the_reason(how):
    facts = workflow.Facts(stage=Stage.HEARING, involvement={7: frozenset(how)})
    reasons = workflow.committee_reasons(facts, user_id=7, active=True,
                                         granted={"convene_case_review"})
    assert {r.code for r in reasons} == {f"involved_{h}" for h in how}
    assert all(str(r.text) == str(workflow.INVOLVEMENT_LABELS[h])
               for r, h in zip(reasons, sorted(how), strict=True))


def test_a_committee_member_is_involved_for_the_officers_too():
    """The one check, both ways: a committee member can never become the Reviewing Officer."""
    facts = workflow.Facts(stage=Stage.OUTCOME, involvement={7: frozenset({"committee_officer"})})
    codes = {r.code for r in workflow.appointment_reasons(
        facts, user_id=7, holds_role=True, role="reviewing", granted={"convene_case_review"})}
    assert codes == {"involved_committee_officer"}


@given(st.booleans(), st.booleans())
def test_the_outcome_waits_for_the_decision_on_the_merits(decided, paused):
    facts = workflow.Facts(stage=Stage.HEARING, hearing_decided=decided, paused=paused)
    move = next(m for m in workflow.available_moves(facts, {"decide_next_steps"})
                if m.target == Stage.OUTCOME)
    codes = {r.code for r in move.reasons}
    assert ("hearing_not_decided" in codes) == (not decided)
    assert move.allowed == (decided and not paused)


@given(st.sets(st.sampled_from(["caution", "restorative_justice", "written_warning"])),
       st.booleans())
def test_restorative_justice_only_at_the_reporting_partys_request(kinds, requested):
    facts = workflow.Facts(stage=Stage.OUTCOME)
    codes = {r.code for r in workflow.outcome_reasons(
        facts, granted={"decide_next_steps"}, sanctions=kinds,
        restorative_requested=requested)}
    assert codes == ({"restorative_not_requested"}
                     if "restorative_justice" in kinds and not requested else set())


@given(st.dates(min_value=date(2000, 1, 1), max_value=date(2100, 12, 31)))
def test_a_caution_runs_twelve_months_unless_another_end_is_recorded(on):
    starts, ends = letter_ops.sanction_dates(letter_ops.SanctionDetails("caution"), on)
    assert starts == on and ends == content.add_months(on, 12)
    assert (ends.year, ends.month) == (on.year + 1, on.month)
    other = on + timedelta(days=30)
    assert letter_ops.sanction_dates(
        letter_ops.SanctionDetails("caution", ends_on=other), on) == (on, other)
    assert letter_ops.sanction_dates(letter_ops.SanctionDetails("written_warning"), on) == (
        on, None)


# --- the operations ---------------------------------------------------------------------------


def test_the_committee_refuses_anyone_involved_by_the_officers_check(make_case, staff):
    case = make_case(Stage.HEARING)
    for person, code in ((staff.investigator, "involved_investigating_officer"),
                         (staff.caseworker, "involved_caseworker"),
                         (staff.members[0], "involved_case_review_member")):
        assert code in refused_codes(ops.appoint_committee_member, staff.director, case, person)
    member = chair()
    ops.appoint_committee_member(staff.director, case, member)
    db.session.commit()
    assert refused_codes(ops.appoint_committee_member, staff.director, case, member) == {
        "already_on_committee"}
    # Only whoever convenes the case review appoints it.
    assert "missing_permission" in refused_codes(
        ops.appoint_committee_member, staff.caseworker, case, chair())
    # Sitting on the committee is an involvement: they can never review the case.
    assert "involved_committee_officer" in {r.code for r in workflow.appointment_reasons(
        queries.facts_for(case), user_id=member.id, holds_role=True, role="reviewing",
        granted={"convene_case_review"})}


def test_the_attendance_needs_its_arrangements(make_case, staff):
    case = make_case(Stage.HEARING)
    assert refused_codes(ops.record_attendance, staff.caseworker, case, True) == {
        "attendance_arrangements"}
    hearing = ops.record_attendance(staff.caseworker, case, True, questions_through_chair=True)
    assert hearing.reporting_attends and hearing.questions_through_chair
    hearing = ops.record_attendance(staff.caseworker, case, False, safe_place=True)
    assert hearing.reporting_attends is False and not hearing.safe_place


def test_the_decision_unseals_the_statement_and_opens_the_outcome(make_case, staff):
    case = hearing_case(make_case, staff)
    statement = db.session.scalars(sa.select(ImpactStatement)).first()
    with pytest.raises(queries.ImpactStatementSealed):
        queries.impact_statement_text(case, statement)
    # Its words are encrypted at rest, and the timeline and audit say only "received".
    for token, in db.session.execute(sa.text("SELECT text FROM case_impact_statement")):
        assert token is None or "canary" not in token.lower()
    payloads = db.session.scalars(sa.select(CaseEvent.payload).where(
        CaseEvent.kind == "impact_statement_received")).all()
    assert payloads and all(set(p) == {"statement_id"} for p in payloads)
    assert "hearing_not_decided" in refused_codes(ops.move, staff.director, case, Stage.OUTCOME)
    assert "missing_permission" in refused_codes(
        ops.record_hearing_decision, staff.caseworker, case, Conclusion.BREACH, "R.", TODAY)
    ops.record_hearing_decision(staff.centre_director, case, Conclusion.BREACH,
                                "The committee's reasons.", TODAY)
    db.session.commit()
    assert queries.impact_statement_text(case, statement) == IMPACT
    # Once decided, nothing more is recorded on the hearing.
    assert "hearing_already_decided" in refused_codes(
        ops.add_impact_statement, staff.caseworker, case, TODAY, text="Late.")
    ops.move(staff.centre_director, case, Stage.OUTCOME)
    assert case.stage == Stage.OUTCOME


def test_no_decision_without_a_committee(make_case, staff):
    case = make_case(Stage.HEARING)
    assert refused_codes(ops.record_hearing_decision, staff.director, case, Conclusion.BREACH,
                         "Reasons.", TODAY) == {"no_committee"}


# --- the seal, walked over every route --------------------------------------------------------


def _get_routes(app):
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            yield rule


def _walk(app, client, case, statements: list[int]) -> dict[str, bytes]:
    """Every GET route of the app whose arguments we can fill from this case, plus each
    letter preview for each party: the bodies, by URL."""
    ids = {"case_id": case.id, "statement_id": statements[-1],
           "centre": case.centre, "deadline_id": 1, "evidence_id": 1, "letter_id": 1,
           "snapshot_id": 1, "kind": "csv"}
    urls = set()
    for rule in _get_routes(app):
        if set(rule.arguments) <= set(ids):
            with app.test_request_context():
                urls.add(app.url_for(rule.endpoint, **{a: ids[a] for a in rule.arguments}))
    for statement in statements:
        urls.add(f"/staff/cases/{case.id}/impact-statements/{statement}")
    for kind in LetterKind:
        for p in case.parties:
            urls.add(f"/staff/cases/{case.id}/letters/new?kind={kind}&party={p.id}")
    urls.add(f"/staff/cases/{case.id}")
    bodies = {}
    for url in sorted(urls):
        for headers in ({}, HX):
            response = client.get(url, headers=headers)
            assert response.status_code < 500, url
            bodies[url + (" (htmx)" if headers else "")] = response.get_data()
    return bodies


def _shows(bodies: dict[str, bytes]) -> set[str]:
    return {url for url, body in bodies.items()
            if IMPACT.encode() in body or IMPACT_FILE in body
            or b"Impact-canary" in body or b"Impact-file-canary" in body}


def test_the_impact_statement_is_sealed_everywhere_until_the_decision(app, client, make_case,
                                                                      staff):
    case = hearing_case(make_case, staff)
    statements = sorted(db.session.scalars(sa.select(ImpactStatement.id)))
    people = {
        "caseworker": staff.caseworker, "director": staff.director,
        "centre_director": staff.centre_director, "investigator": staff.investigator,
        "member": staff.members[0], "people_team": staff.people_team,
        "reviewer": staff.reviewer,
    }
    for name, person in people.items():
        sign_in(client, person)
        assert _shows(_walk(app, client, case, statements)) == set(), name
        if name in ("caseworker", "director", "centre_director"):
            page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
            assert "Sealed" in page and "Received on" in page  # only that one was received
    ops.record_hearing_decision(staff.director, case, Conclusion.BREACH, "Reasons.", TODAY)
    db.session.commit()
    readers = {"caseworker", "director", "centre_director"}
    for name, person in people.items():
        sign_in(client, person)
        shown = _shows(_walk(app, client, case, statements))
        page = f"/staff/cases/{case.id}"
        download = f"/staff/cases/{case.id}/impact-statements/{statements[-1]}"
        if name in readers:
            assert {page, page + " (htmx)", download} <= shown, name
            assert not {u for u in shown if "/letters" in u}, name  # never in a letter
        else:
            assert shown == set(), name
    sign_in(client, staff.caseworker)
    response = client.get(f"/staff/cases/{case.id}/impact-statements/{statements[-1]}")
    assert response.data == IMPACT_FILE and response.headers["Cache-Control"] == "no-store"


def test_a_tampered_statement_file_is_an_error_and_audited(client, make_case, staff):
    """Like evidence: a file that fails its integrity check is never served, and the audit
    log says so."""
    from hsm.audit import AuditEntry
    from hsm.crypto import keyring

    case = hearing_case(make_case, staff)
    ops.record_hearing_decision(staff.centre_director, case, Conclusion.BREACH, "R.", TODAY)
    db.session.commit()
    statement = db.session.scalars(sa.select(ImpactStatement).where(
        ImpactStatement.kind != "written")).one()
    other = keyring().encrypt_bytes(IMPACT_FILE.replace(b"letter", b"LETTER"))
    db.session.execute(sa.text("UPDATE case_impact_statement SET original = :t WHERE id = :i"),
                       {"t": other, "i": statement.id})
    db.session.commit()
    sign_in(client, staff.caseworker)
    url = f"/staff/cases/{case.id}/impact-statements/{statement.id}"
    assert client.get(url).status_code == 500
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.impact_statement_integrity_failed")) == 1


# --- the forms, by role -----------------------------------------------------------------------


def _upload(client, case, data: dict, raw: bytes | None = None, name: str = "statement.txt"):
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    fields = {f"impact_statement-{k}": v for k, v in data.items()}
    fields["impact_statement-csrf_token"] = csrf_from(page)
    if raw is not None:
        fields["impact_statement-file"] = FileStorage(io.BytesIO(raw), filename=name)
    body, length, boundary = stream_encode_multipart(fields, use_tempfile=False)
    return client.post(f"/staff/cases/{case.id}/upload/impact_statement", input_stream=body,
                       content_length=length,
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_each_role_is_offered_only_its_hearing_records(client, make_case, staff):
    case = make_case(Stage.HEARING)
    expected = {
        staff.director: {"committee_member", "attendance", "impact_statement",
                         "hearing_decision"},
        staff.caseworker: {"attendance", "impact_statement"},
        staff.centre_director: {"hearing_decision"},
        staff.investigator: set(),
        staff.people_team: set(),
    }
    hearing = {"committee_member", "attendance", "impact_statement", "hearing_decision",
               "outcome"}
    for person, names in expected.items():
        sign_in(client, person)
        response = client.get(f"/staff/cases/{case.id}")
        assert response.status_code in (200, 404)
        assert _forms_on(response.get_data(as_text=True)) & hearing == names
    # A record the role is not offered is refused, and nothing is written.
    sign_in(client, staff.caseworker)
    response = _post(client, case, "hearing_decision", {
        "finding": "breach", "reasons": "R.", **date_fields("decided_on", TODAY)})
    assert response.status_code == 409
    assert case.hearing_decided_on is None
    sign_in(client, staff.investigator)
    assert client.post(f"/staff/cases/{case.id}/record/attendance").status_code in (400, 409)
    outsider = make_user((Role.STUDENT_SERVICES, "paris"))
    sign_in(client, outsider)
    assert client.get(f"/staff/cases/{case.id}").status_code == 404
    assert client.post(f"/staff/cases/{case.id}/record/attendance").status_code == 404


def test_the_hearing_recorded_through_its_forms_without_javascript(client, make_case, staff):
    case = make_case(Stage.HEARING)
    member = chair()
    sign_in(client, staff.director)
    assert _post(client, case, "committee_member", {"user": str(staff.investigator.id)}
                 ).status_code == 409
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    response = _post(client, case, "committee_member", {"user": str(member.id)})
    assert response.status_code == 303
    response = _post(client, case, "committee_member", {"user": str(staff.caseworker.id)})
    assert response.status_code == 409
    assert "They are a caseworker on the case." in response.get_data(as_text=True)
    sign_in(client, staff.caseworker)
    assert _post(client, case, "attendance", {"attends": "yes", "safe_place": "y"}
                 ).status_code == 303
    response = _upload(client, case, date_fields("received_on", TODAY), IMPACT_FILE)
    assert response.status_code == 303
    response = _upload(client, case, date_fields("received_on", TODAY))
    assert response.status_code == 422
    assert "Write the impact statement, or choose its file." in response.get_data(as_text=True)
    # A file whose content is not what its name says is refused, as for evidence.
    response = _upload(client, case, date_fields("received_on", TODAY), b"\x89PNG\r\n\x1a\n",
                       "statement.pdf")
    assert response.status_code == 422
    assert "does not match its name" in response.get_data(as_text=True)
    sign_in(client, staff.centre_director)
    response = _post(client, case, "hearing_decision", {
        "finding": "breach", "reasons": "The committee's reasons.",
        **date_fields("decided_on", TODAY)}, htmx=True)
    assert response.status_code == 200
    db.session.refresh(case)
    assert case.hearing_decided_on == TODAY
    assert page  # the page was there before the records


BAD = [
    ({"finding": "breach", "reasons": "Reasons\x00 with NUL", "decided_on-day": "31",
      "decided_on-month": "2", "decided_on-year": "2026"}, "this date does not exist"),
    ({"finding": "breach", "reasons": "Kept words", "decided_on-day": "1",
      "decided_on-month": "1", "decided_on-year": "9999"}, "The date cannot be in the future."),
    ({"finding": "nonsense", "reasons": "Kept words", **date_fields("decided_on", TODAY)},
     "Choose"),
    ({"finding": "breach", "reasons": "", **date_fields("decided_on", TODAY)},
     "Write the reasons."),
]


@pytest.mark.parametrize(("data", "message"), BAD)
def test_bad_input_on_the_decision_is_said_in_words_and_kept(client, make_case, staff, data,
                                                              message):
    case = make_case(Stage.HEARING)
    ops.appoint_committee_member(staff.director, case, chair())
    db.session.commit()
    sign_in(client, staff.centre_director)
    response = _post(client, case, "hearing_decision", data)
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in text
    if data["reasons"]:
        assert data["reasons"].replace("\x00", "") in text
    assert case.hearing_decided_on is None


@pytest.mark.parametrize("user", ["99999999999999999999", "2147483648", "-1", "abc\x00"])
def test_a_huge_or_strange_id_is_a_message_not_a_500(client, make_case, staff, user):
    case = make_case(Stage.HEARING)
    sign_in(client, staff.director)
    response = _post(client, case, "committee_member", {"user": user})
    assert response.status_code == 422


# --- the outcome ------------------------------------------------------------------------------


def outcome_case(make_case, staff) -> Case:
    case = make_case(Stage.OUTCOME)
    for p in case.parties:
        if p.role != PartyRole.WITNESS:
            ops.update_party(staff.director, case, p, ops.PartyDetails(
                role=p.role, party_type=p.party_type, name=f"Name {p.role}",
                preferred_language="en"))
    db.session.commit()
    return case


def outcome_form(**changes) -> dict:
    values = {"finding": "breach", "reasons": "The reasons of the outcome.",
              "remedies": "A change of seminar group.", "kind": "caution",
              **date_fields("decided_on", TODAY)}
    values.update(changes)
    return values


def test_a_caution_recorded_through_the_form_expires_on_the_board(client, make_case, staff,
                                                                  count_queries):
    case = outcome_case(make_case, staff)
    sign_in(client, staff.caseworker)
    assert "outcome" not in _forms_on(client.get(f"/staff/cases/{case.id}").get_data(
        as_text=True))
    sign_in(client, staff.centre_director)
    assert _post(client, case, "outcome", outcome_form()).status_code == 303
    db.session.refresh(case)
    expires = content.add_months(TODAY, 12)
    assert case.caution_expires_on == expires
    sanction = db.session.scalar(sa.select(Outcome)).sanctions[0]
    assert (sanction.starts_on, sanction.ends_on) == (TODAY, expires)
    board = client.get("/staff/cases").get_data(as_text=True)
    assert "Caution expires on" in board
    # Offered once: the outcome is recorded.
    assert "outcome" not in _forms_on(client.get(f"/staff/cases/{case.id}").get_data(
        as_text=True))


def test_restorative_justice_is_refused_until_the_request_is_recorded(client, make_case,
                                                                       staff):
    case = outcome_case(make_case, staff)
    sign_in(client, staff.centre_director)
    response = _post(client, case, "outcome", outcome_form(kind="restorative_justice"))
    assert response.status_code == 409
    assert "Restorative justice is only for when the reporting party asks" in \
        response.get_data(as_text=True)
    assert db.session.scalar(sa.select(Outcome.id)) is None
    response = _post(client, case, "outcome", outcome_form(
        kind="restorative_justice", **date_fields("restorative_requested_on", TODAY)))
    assert response.status_code == 303


def test_a_recommended_permanent_exclusion_opens_the_visa_task(client, make_case, staff):
    case = outcome_case(make_case, staff)
    sign_in(client, staff.centre_director)
    assert _post(client, case, "outcome", outcome_form(
        kind="recommended_permanent_exclusion")).status_code == 303
    task = db.session.scalar(sa.select(Deadline).where(
        Deadline.kind == DeadlineKind.VISA_NOTIFICATION))
    assert task is not None and task.status == DeadlineStatus.OPEN and task.due_on > TODAY
    for person in (staff.centre_director, staff.director):
        sign_in(client, person)
        mine = client.get("/staff/cases/deadlines").get_data(as_text=True)
        assert "Notify the visa authority" in mine, person
    sign_in(client, staff.caseworker)
    assert "Notify the visa authority" not in client.get("/staff/cases/deadlines").get_data(
        as_text=True)
    assert "Notify the visa authority" in client.get(f"/staff/cases/{case.id}").get_data(
        as_text=True)
    sign_in(client, staff.centre_director)
    assert _post(client, case, "visa_notified", {}).status_code == 303
    db.session.refresh(task)
    assert task.status in (DeadlineStatus.MET, DeadlineStatus.MISSED)


def test_bad_outcome_input_is_kept_with_its_message(client, make_case, staff):
    case = outcome_case(make_case, staff)
    sign_in(client, staff.centre_director)
    response = _post(client, case, "outcome", outcome_form(
        reasons="Kept\x00 reasons", kind="not_a_sanction", **{"ends_on-day": "1",
                                                              "ends_on-month": "13",
                                                              "ends_on-year": "2027"}))
    text = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Kept reasons" in text and "the month must be a number from 1 to 12" in text
    assert db.session.scalar(sa.select(Outcome.id)) is None


def test_the_reporting_partys_letter_has_no_sanction_not_marked_for_them(client, make_case,
                                                                         staff):
    """15.2, for sanctions recorded through the form: the PDF's text, with pypdf."""
    case = outcome_case(make_case, staff)
    sign_in(client, staff.centre_director)
    assert _post(client, case, "outcome", outcome_form(
        kind="facility_exclusion", detail=PRIVATE)).status_code == 303
    outcome = db.session.scalar(sa.select(Outcome))
    texts = {}
    for role in (PartyRole.REPORTING, PartyRole.RESPONDING):
        recipient = party(case, role)
        letter = letter_ops.issue(staff.director, case, content.Request(
            LetterKind.OUTCOME, recipient, TODAY))
        db.session.commit()
        pdf = letter_queries.pdf_of(letter)
        texts[role] = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf)).pages)
    flat = {k: re.sub(r"\s+", " ", v) for k, v in texts.items()}
    assert "Private-sanction-canary" not in flat[PartyRole.REPORTING]
    assert "Private-sanction-canary" in flat[PartyRole.RESPONDING]
    assert outcome.sanctions[0].affects_reporting_party is False


def test_a_sanction_marked_for_the_reporting_party_reaches_their_letter(client, make_case,
                                                                        staff):
    case = outcome_case(make_case, staff)
    sign_in(client, staff.centre_director)
    assert _post(client, case, "outcome", outcome_form(
        kind="behavioural_contract", detail=SHARED, affects_reporting_party="y",
        **date_fields("ends_on", TODAY + timedelta(days=90)))).status_code == 303
    letter = letter_ops.issue(staff.director, case, content.Request(
        LetterKind.OUTCOME, party(case, PartyRole.REPORTING), TODAY))
    db.session.commit()
    text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(
        letter_queries.pdf_of(letter))).pages)
    assert "Shared-sanction-canary" in re.sub(r"\s+", " ", text)


# --- studies left or interrupted (15.6, 15.7) -------------------------------------------------


def test_a_party_who_left_or_interrupted_their_studies_is_recorded(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    responding = party(case, PartyRole.RESPONDING)
    sign_in(client, staff.caseworker)
    response = _post(client, case, "studies_change", {
        "party": str(responding.id), "change": "left",
        **date_fields("changed_on", TODAY - timedelta(days=3))})
    assert response.status_code == 303
    db.session.refresh(responding)
    assert (responding.studies_change, responding.studies_changed_on) == (
        "left", TODAY - timedelta(days=3))
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert "Left their course (15.6)" in page
    response = _post(client, case, "studies_change", {
        "party": str(responding.id), "change": "interrupted",
        **date_fields("changed_on", TODAY + timedelta(days=3))})
    assert response.status_code == 422  # not in the future
    sign_in(client, staff.investigator)
    assert "studies_change" not in _forms_on(client.get(f"/staff/cases/{case.id}").get_data(
        as_text=True))


def test_more_sanctions_are_added_by_the_same_rules(client, make_case, staff):
    case = outcome_case(make_case, staff)
    sign_in(client, staff.centre_director)
    assert "sanction" not in _forms_on(client.get(f"/staff/cases/{case.id}").get_data(
        as_text=True))
    assert _post(client, case, "outcome", outcome_form(kind="")).status_code == 303
    assert case.caution_expires_on is None
    response = _post(client, case, "sanction", {})
    assert response.status_code == 422
    assert "Choose the sanction." in response.get_data(as_text=True)
    assert _post(client, case, "sanction", {"kind": "restorative_justice"}).status_code == 409
    later = TODAY + timedelta(days=200)
    assert _post(client, case, "sanction", {"kind": "caution", **date_fields("ends_on", later)}
                 ).status_code == 303
    assert _post(client, case, "sanction", {"kind": "workshop", "detail": "Consent workshop"}
                 ).status_code == 303
    db.session.refresh(case)
    assert case.caution_expires_on == later
    outcome = db.session.scalar(sa.select(Outcome))
    assert [s.kind for s in outcome.sanctions] == ["caution", "workshop"]
    sign_in(client, staff.caseworker)
    assert _post(client, case, "sanction", {"kind": "workshop"}).status_code == 409
