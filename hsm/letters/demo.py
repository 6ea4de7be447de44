"""Demo letters (fictional people), already issued, at an English and a French centre.

On the demo cases in the outcome and review stages at ``uk`` and ``paris``: the parties get
fictional names and their centre's language, the outcome and review decision are recorded,
and the letters are issued through the real operations (rendered, frozen, encrypted).
Idempotent: a case that already has letters is left alone.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import sqlalchemy as sa

from hsm.cases import demo as cases_demo
from hsm.cases import operations as case_ops
from hsm.cases.models import Case, ReviewRequest
from hsm.cases.terms import PartyRole, PartyType, Stage
from hsm.extensions import db
from hsm.letters import content, operations
from hsm.letters.models import Letter, Outcome
from hsm.letters.terms import LetterKind

CENTRES = {"uk": "en", "paris": "fr"}
NAMES = {"uk": ("Alex Fictional", "Jordan Example"),
         "paris": ("Camille Fictive", "Dominique Exemple")}
COMPLAINT = {
    "en": "Fictional demo complaint: comments in class that made a student feel unsafe.",
    "fr": "Plainte fictive de démonstration : des remarques en cours qui ont inquiété une "
          "personne étudiante.",
}
REVIEW_REASONS = {
    "en": "Fictional review: the witness statement was shared late, but it would not have "
          "changed the finding; the penalty did not reflect the repeated messages.",
    "fr": "Réexamen fictif : la déclaration du témoin a été communiquée tard, sans que cela "
          "change la conclusion ; la sanction ne tenait pas compte des messages répétés.",
}
REASONS = {
    "en": "Fictional reasons: the accounts of two witnesses were consistent.",
    "fr": "Motifs fictifs : les récits de deux témoins concordaient.",
}


def _case(centre: str, stage: Stage) -> Case | None:
    reference = f"C-D{centre[:2].upper()}{list(Stage).index(stage):02d}"
    return db.session.scalar(sa.select(Case).where(Case.reference == reference))


def _prepare_parties(case: Case, centre: str, director) -> None:
    language = CENTRES[centre]
    for party, name in zip(
            sorted((p for p in case.parties if p.role != PartyRole.WITNESS),
                   key=lambda p: p.role != PartyRole.REPORTING), NAMES[centre], strict=False):
        case_ops.update_party(director, case, party, case_ops.PartyDetails(
            role=party.role, party_type=PartyType.STUDENT, name=name,
            preferred_language=language))


def _outcome(case: Case, director, language: str, today: date) -> None:
    if db.session.scalar(sa.select(Outcome.id).where(Outcome.case_id == case.id)):
        return
    operations.record_outcome(
        director, case, "breach", REASONS[language], today - timedelta(days=31),
        remedies=None, sanctions=[
            operations.SanctionDetails("written_warning"),
            # A caution: 12 months from the decision (15.4); the board shows its expiry.
            operations.SanctionDetails("caution"),
            operations.SanctionDetails("behavioural_contract", affects_reporting_party=True,
                                       ends_on=today + timedelta(days=150)),
        ])


def _issue(case: Case, director, kind: str, role: str, today: date, text: str = "",
           review: ReviewRequest | None = None) -> None:
    party = next(p for p in case.parties if p.role == role)
    operations.issue(director, case, content.Request(kind, party, today, text=text,
                                                     review_request=review))


def _review_decision(case: Case, reviewer, review: ReviewRequest, centre: str,
                     today: date) -> int:
    """The Reviewing Officer's decision on a paper review (16.7, 16.10): at ``uk`` the penalty
    is varied (heavier: a workshop is added), which affects the responding party, so both
    parties get the review outcome letter (16.12); at ``paris`` it is confirmed, and only the
    reporting party, who asked, hears of it. Returns how many letters were issued."""
    language = CENTRES[centre]
    operations.record_review_form(reviewer, case, review, "paper")
    if centre == "uk":
        terms = operations.ReviewTerms(
            "vary", REVIEW_REASONS[language], today, concerns=("penalty",),
            sanctions=("written_warning", "behavioural_contract", "workshop"),
            affecting_reporting_party=("behavioural_contract",), affects_other_party=True)
        told = (PartyRole.REPORTING, PartyRole.RESPONDING)
    else:
        terms = operations.ReviewTerms("confirm", REVIEW_REASONS[language], today)
        told = (PartyRole.REPORTING,)
    operations.record_review_decision(reviewer, case, review, terms)
    for role in told:
        _issue(case, reviewer, LetterKind.REVIEW_OUTCOME, role, today, review=review)
    return len(told)


def load(today: date | None = None) -> int:
    """Issue the demo letters that are missing; returns how many were issued."""
    today = today or datetime.now(UTC).date()
    issued = 0
    for centre, language in CENTRES.items():
        people = cases_demo.people_for(centre)
        director = people.director
        for stage in (Stage.OUTCOME, Stage.REVIEW):
            case = _case(centre, stage)
            if case is None or db.session.scalar(
                    sa.select(Letter.id).where(Letter.case_id == case.id).limit(1)):
                continue
            _prepare_parties(case, centre, director)
            _outcome(case, director, language, today)
            kinds = [(LetterKind.OUTCOME, PartyRole.REPORTING),
                     (LetterKind.OUTCOME, PartyRole.RESPONDING)]
            for kind, role in kinds:
                _issue(case, director, kind, role, today)
            if stage is Stage.REVIEW:
                review = db.session.scalar(sa.select(ReviewRequest).where(
                    ReviewRequest.case_id == case.id))
                _issue(case, director, LetterKind.REVIEW_ACKNOWLEDGEMENT,
                       PartyRole.REPORTING, today, review=review)
                issued += _review_decision(case, people.reviewer, review, centre, today)
            _issue(case, director, LetterKind.COMPLETION_OF_PROCEDURES, PartyRole.REPORTING,
                   today, text=COMPLAINT[language])
            issued += 3
    db.session.flush()
    return issued
