"""Demo cases at every centre in every stage (fictional people). Idempotent.

Every case is taken to its stage through the real operations and moves (``advance_to``), so
the demo data obeys the same rules as real data. Some deadlines are due soon and some are
overdue; one case is on police hold; one has a staff respondent. The extra demo logins (a
second caseworker per centre, case review members, a Centre Director where the accounts demo
has none) are printed with the others.
"""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa
from PIL import Image

from hsm.accounts import demo as accounts_demo
from hsm.accounts.demo import DEMO_PASSWORD
from hsm.accounts.models import User
from hsm.cases import operations as ops
from hsm.cases import sharing
from hsm.cases.models import Case, CaseParty, ReviewRequest
from hsm.cases.terms import (
    Agreement,
    Channel,
    ClosureReason,
    Conclusion,
    CounterDecision,
    InternalProcedure,
    Marking,
    MeasureKind,
    PartyRole,
    PartyType,
    ReviewForm,
    ReviewGround,
    ReviewTeamRole,
    Stage,
    Urgency,
)
from hsm.extensions import db
from hsm.security import Role

CENTRES = ("uk", "amsterdam", "ireland", "paris")

# (role, centre, email, fictional name): added to the accounts demo's people.
EXTRA_USERS = (
    *((Role.STUDENT_SERVICES, c, f"caseworker.{c}@example.org", n) for c, n in (
        ("uk", "Harper Quinn"), ("amsterdam", "Daan Kuipers"),
        ("ireland", "Niamh Doyle"), ("paris", "Camille Garnier"))),
    (Role.STUDENT_SERVICES, "ireland", "ss.ireland@example.org", "Cian Moriarty"),
    (Role.STUDENT_SERVICES, "paris", "ss.paris@example.org", "Inès Lambert"),
    (Role.CENTRE_DIRECTOR, "ireland", "director.ireland@example.org", "Orla Brennan"),
    (Role.CENTRE_DIRECTOR, "paris", "director.paris@example.org", "Louis Mercier"),
    (Role.CASE_REVIEW_MEMBER, None, "academic.review@example.org", "Priya Raman"),
    (Role.CASE_REVIEW_MEMBER, None, "people.review@example.org", "Elliot Marsh"),
)
#: Chairs the demo hearings (14.1): a member of staff with no earlier involvement in them,
#: who needs no role in the app.
HEARING_CHAIR = ("hearing.chair@example.org", "Morgan Ellis")
# Who sits on a demo case review: (email, role title).
REVIEW_TEAM = (
    ("safeguarding@example.org", ReviewTeamRole.SAFEGUARDING_LEAD),
    ("case.review@example.org", ReviewTeamRole.DIRECTOR_STUDY_CENTRES),
    ("academic.review@example.org", ReviewTeamRole.CHIEF_ACADEMIC_OFFICER),
    ("people.review@example.org", ReviewTeamRole.PEOPLE_TEAM),
)


@dataclass
class People:
    """The staff a case needs to be taken through the procedure."""

    director: User  # the Safeguarding Director: every move
    caseworkers: tuple[User, User]  # two of the centre's Student Services
    members: tuple[tuple[User, str], ...]
    investigator: User
    reviewer: User


def _user(email: str) -> User | None:
    return db.session.scalar(sa.select(User).where(User.email == email))


def _ensure_users() -> list[str]:
    lines = []
    for role, centre, email, name in EXTRA_USERS:
        if _user(email) is None:
            # Roles that read content are asked for and approved by a second person, as in
            # the app (hsm.accounts.demo).
            roles = [(role, centre)]
            if email == "people.review@example.org":
                roles.append((Role.PEOPLE_TEAM, None))
            accounts_demo.new_demo_user(email, name, roles)
        where = f" ({centre})" if centre else ""
        lines.append(f"{role}{where}: {email} / {DEMO_PASSWORD}")
    db.session.flush()
    return lines


def people_for(centre: str) -> People:
    first = _user(f"ss.{centre}@example.org")
    second = _user(f"caseworker.{centre}@example.org")
    return People(
        director=_user("safeguarding@example.org"),
        caseworkers=(first, second),
        members=tuple((_user(e), t) for e, t in REVIEW_TEAM),
        investigator=_user("investigator@example.org"),
        reviewer=_user("reviewer@example.org"),
    )


def _party(case: Case, role: PartyRole) -> CaseParty:
    return next(p for p in case.parties if p.role == role)


def advance_to(case: Case, target: Stage, people: People, today: date) -> None:
    """Take ``case`` from *received* to ``target`` through the real operations and moves."""
    sd = people.director
    order = [Stage.SUPPORT, Stage.FORMAL_COMPLAINT, Stage.CASE_REVIEW, Stage.INVESTIGATION,
             Stage.HEARING, Stage.OUTCOME, Stage.REVIEW]
    if target is Stage.RECEIVED:
        return
    db.session.flush()
    db.session.refresh(case)
    reporting, responding = _party(case, PartyRole.REPORTING), _party(case, PartyRole.RESPONDING)
    ops.assign_caseworker(sd, case, reporting, people.caseworkers[0])
    ops.move(sd, case, Stage.SUPPORT)
    if target is Stage.SUPPORT:
        return
    if target is Stage.CLOSED:
        ops.close(sd, case, ClosureReason.SUPPORT_ONLY)
        return
    if target is Stage.INFORMAL_RESOLUTION:
        for party in (reporting, responding):
            ops.record_informal_answer(sd, case, party, Agreement.AGREED)
        ops.move(sd, case, Stage.INFORMAL_RESOLUTION)
        return
    for stage in order[1:order.index(target) + 1]:
        if stage is Stage.FORMAL_COMPLAINT:
            ops.confirm_complaint(sd, case)
        elif stage is Stage.CASE_REVIEW:
            ops.acknowledge_complaint(sd, case)
            ops.record_risk_assessment(sd, case, ops.RiskDetails(
                "Fictional: distress in shared classes.", "Fictional: none identified.",
                "Fictional: none identified.", Urgency.ROUTINE, today + timedelta(days=14)))
            for member, title in people.members:
                ops.add_review_member(sd, case, title, member)
        elif stage is Stage.INVESTIGATION:
            ops.record_decisions(sd, case, ops.Decisions(
                today, "Fictional risks.", "Fictional support needs.",
                InternalProcedure.STUDENT_DISCIPLINARY, recommend_investigation=True))
            ops.appoint_officer(sd, case, people.investigator, "investigating")
        elif stage is Stage.HEARING:
            # The conclusion (13.16), then the case review meets again (13.19).
            ops.record_conclusion(people.investigator, case, Conclusion.BREACH, today)
            ops.record_loop_closed(sd, case, today, "Fictional: a disciplinary hearing.")
        elif stage is Stage.OUTCOME:
            _hearing(case, people, today)
            ops.record_hearing_decision(sd, case, Conclusion.BREACH,
                                        "Fictional: the committee found the comments were "
                                        "made, on the balance of probabilities.", today)
        elif stage is Stage.REVIEW:
            ops.record_review_request(
                sd, case, reporting, today - timedelta(days=2),
                [ReviewGround.IRREGULARITY, ReviewGround.NEW_EVIDENCE],
                "Fictional: the reporting party was not shown a witness statement before the "
                "hearing, and a new message has come to light since.")
            ops.appoint_officer(sd, case, people.reviewer, "reviewing")
        ops.move(sd, case, stage)


def _demo_reference(centre: str, stage: Stage) -> str:
    return f"C-D{centre[:2].upper()}{list(Stage).index(stage):02d}"


def load(today: date | None = None) -> list[str]:
    """Add the demo cases that are missing; return the extra login lines to print."""
    lines = _ensure_users()
    today = today or datetime.now(UTC).date()
    wanted = {_demo_reference(c, s): (c, s) for c in CENTRES for s in Stage}
    existing = set(db.session.scalars(sa.select(Case.reference).where(
        Case.reference.in_(list(wanted)))))
    for reference, (centre, stage) in wanted.items():
        if reference in existing:
            continue
        people = people_for(centre)
        staff = centre == "amsterdam" and stage is Stage.FORMAL_COMPLAINT
        case = ops.record_disclosure(people.caseworkers[0], centre, ops.Disclosure(
            channel=Channel.DROP_IN,
            disclosure="Fictional demo disclosure: comments in class that made a student "
                       "feel unsafe.",
            disclosed_on=today - timedelta(days=40),
            responding_party_type=PartyType.STAFF if staff else PartyType.STUDENT,
            under_18=centre == "ireland" and stage is Stage.SUPPORT,
        ), at=datetime.now(UTC) - timedelta(days=40))
        case.reference = reference
        db.session.flush()
        if (centre, stage) == ("uk", Stage.HEARING):
            _hearing_with_shared_report(case, people, today)
        else:
            advance_to(case, stage, people, today)
        _extras(case, stage, people, today)
    db.session.flush()
    return lines


def _extras(case: Case, stage: Stage, people: People, today: date) -> None:
    """Deadlines due soon and overdue, and one case on police hold."""
    sd = people.director
    responding = _party(case, PartyRole.RESPONDING)
    if stage is Stage.CASE_REVIEW:
        # Started 26 days ago: its 4-weekly review is due soon.
        ops.set_measure(sd, case, responding, MeasureKind.NO_CONTACT, today - timedelta(days=26))
        if case.centre == "uk":
            ops.set_police_hold(sd, case, True)
    if stage is Stage.INVESTIGATION:
        # Started 35 days ago and never reviewed: overdue.
        ops.set_measure(sd, case, responding, MeasureKind.RESTRICTED_AREAS,
                        today - timedelta(days=35))
        if case.centre == "uk":
            _investigation(case, people, today)
    if stage is Stage.HEARING:
        _hearing(case, people, today)
    if stage is Stage.OUTCOME:
        ops.record_final_decision(sd, case, today - timedelta(days=30))
    if stage is Stage.REVIEW:
        # The Reviewing Officer acknowledges the request (16.6); at Ireland they chose a new
        # hearing (16.7). The letters demo records the decision at uk and paris.
        request = db.session.scalar(sa.select(ReviewRequest).where(
            ReviewRequest.case_id == case.id))
        ops.acknowledge_review_request(people.reviewer, case, request, today - timedelta(days=1))
        if case.centre == "ireland":
            ops.record_review_form(
                people.reviewer, case, request, ReviewForm.HEARING,
                hearing_on=today + timedelta(days=7),
                arrangements="Fictional: in the centre's quiet meeting room; the reporting "
                             "party attends from a separate room, questions through the Chair.")


def _hearing(case: Case, people: People, today: date) -> None:
    """A hearing being prepared (14): a committee member with no earlier involvement, the
    reporting party's attendance with its arrangements, and an impact statement, sealed
    until the decision on the merits."""
    sd = people.director
    email, name = HEARING_CHAIR
    chair = _user(email) or accounts_demo.new_demo_user(email, name, [])
    ops.appoint_committee_member(sd, case, chair)
    ops.record_attendance(sd, case, True, safe_place=True, questions_through_chair=True,
                          arrangements="Fictional: a separate waiting room.")
    ops.add_impact_statement(sd, case, today - timedelta(days=1),
                             text="Fictional impact statement: since October I have missed "
                                  "classes and I no longer use the library.")


def _investigation(case: Case, people: People, today: date) -> None:
    """An investigation under way: its scope, three meetings (one out of the policy's order,
    with why), and a counter-allegation with its decision."""
    officer = people.investigator
    reporting, responding = _party(case, PartyRole.REPORTING), _party(case, PartyRole.RESPONDING)
    witness = ops.add_party(people.director, case, ops.PartyDetails(
        role=PartyRole.WITNESS, party_type=PartyType.STUDENT, name="Sam Fictional-Witness"))
    ops.record_scope(officer, case, "Fictional: the comments made in shared classes in October, "
                               "and the messages sent afterwards.")
    signposted = "Fictional: the centre's counselling service and the student helpline."
    ops.record_meeting(officer, case, reporting, ops.MeetingDetails(
        held_on=today - timedelta(days=12), welfare_check=True,
        services_signposted=signposted, accompanied_by="Fictional: a friend",
        adjustments="Fictional: breaks every 30 minutes.",
        notes="Fictional: the reporting party described the comments and named a witness."))
    ops.record_meeting(officer, case, witness, ops.MeetingDetails(
        held_on=today - timedelta(days=9), welfare_check=True, services_signposted=signposted,
        notes="Fictional: the witness heard the comments on two occasions.",
        order_reason="Fictional: the witness was leaving for a semester abroad."))
    meeting = ops.record_meeting(officer, case, responding, ops.MeetingDetails(
        held_on=today - timedelta(days=5), welfare_check=True, services_signposted=signposted,
        notes="Fictional: the responding party gave their version of events."))
    ops.record_notes_sent(officer, case, meeting, today - timedelta(days=3))
    ops.record_meeting_comments(officer, case, meeting,
                                "Fictional: one date in the notes is wrong.",
                                today - timedelta(days=1))
    ops.record_counter_allegation(
        officer, case, responding, today - timedelta(days=2),
        "Fictional: the responding party says they were provoked.",
        CounterDecision.WITHIN, "Fictional: it concerns the same events.")
    for title, name, data in demo_evidence():
        ops.add_evidence(officer, case, title, name, data)
    _report(case, people, REPORT_DRAFT)


def demo_evidence() -> list[tuple[str, str, bytes]]:
    """Fictional evidence files of each kind: a text, an exported email, an image, a PDF."""
    image = io.BytesIO()
    Image.new("RGB", (320, 180), (230, 230, 240)).save(image, format="PNG")
    email = (b"From: Fictional Student <student@example.org>\r\n"
             b"To: Investigating Officer <investigator@example.org>\r\n"
             b"Date: Mon, 2 Nov 2026 10:00:00 +0000\r\nSubject: The messages\r\n\r\n"
             b"Fictional: here are the messages I mentioned.\r\n")
    return [
        ("Fictional: the witness's written statement", "statement.txt",
         b"Fictional: I heard the comments on two occasions.\n"),
        ("Fictional: the email forwarding the messages", "messages.eml", email),
        ("Fictional: a screenshot of the messages", "screenshot.png", image.getvalue()),
        ("Fictional: the timetable of the shared classes", "timetable.pdf",
         b"%PDF-1.4\n% Fictional demo PDF\n%%EOF\n"),
    ]


# --- the investigation report (13.14) and sharing with the parties (13.9, 13.15, 19.3) -------

WELLBEING_NOTE = ("Fictional: the reporting party has been seeing the counsellor since a "
                  "difficult year at school.")
REPORT_DRAFT = {
    "overview": "Fictional: the reporting party says a fellow student made comments about "
                "them in shared classes in October, and sent messages afterwards.",
    "chronology": "Fictional: 2 October, the first comments in the seminar room.\n\n"
                  "Fictional: 9 October, the second comments, heard by a witness.",
}
REPORT_FINISHED = {
    **REPORT_DRAFT,
    "facts_established": "Fictional: the comments were made on both dates; the responding "
                         "party agrees they were made.\n\n" + WELLBEING_NOTE,
    "facts_disputed": "Fictional: whether the messages were sent to upset the reporting party.",
    "mitigating": "Fictional: the responding party apologised at the meeting.",
    "aggravating": "Fictional: the comments were repeated after the first complaint.",
    "policy_extracts": "Fictional: section 3 of the policy, on harassment.",
}


def _report(case: Case, people: People, texts: dict[str, str]):
    return sharing.save_report(people.investigator, case, texts)


def _hearing_with_shared_report(case: Case, people: People, today: date) -> None:
    """The English hearing case: its investigation concluded with a finished report, shared
    with both parties; the passage that repeats a note about the reporting party's wellbeing
    is withheld from the responding party's copy. Then on to the hearing, as ``advance_to``
    goes."""
    advance_to(case, Stage.INVESTIGATION, people, today)
    ops.add_note(people.caseworkers[0], case, WELLBEING_NOTE, Marking.WELLBEING_PAST)
    ops.record_conclusion(people.investigator, case, Conclusion.BREACH, today)
    _report(case, people, REPORT_FINISHED)
    report = sharing.finish_report(people.investigator, case)
    item = sharing.item_of(case, "report", report.id)
    for party in sharing.parties_shared_with(case):
        prepared = sharing.prepare(case, item, party)
        sharing.share(people.investigator, case, prepared, prepared.fingerprint)
    ops.record_loop_closed(people.director, case, today, "Fictional: a disciplinary hearing.")
    ops.move(people.director, case, Stage.HEARING)
