"""The words of the letters: their kinds, the outcome and review records, delivery methods.

Codes are stored and never change; labels are lazy gettext strings, shown in the reader's
language (a letter's own words are in its recipient's language: ``rendering``).
"""

from __future__ import annotations

import enum

from hsm.i18n import _l


class LetterKind(enum.StrEnum):
    NO_CONTACT_AGREEMENT = "no_contact_agreement"  # 9.3
    SUSPENSION_NOTICE = "suspension_notice"  # 12.4
    ALLEGATION_SUMMARY = "allegation_summary"  # 13.8
    OUTCOME = "outcome"  # 15.1-15.3
    REVIEW_ACKNOWLEDGEMENT = "review_acknowledgement"  # 16.6
    ALTERNATIVE_TIMESCALE = "alternative_timescale"  # 16.6
    REVIEW_OUTCOME = "review_outcome"  # 16.10-16.12
    COMPLETION_OF_PROCEDURES = "completion_of_procedures"  # 16.9, 16.13, 16.14, 17


LETTER_KIND_LABELS = {
    LetterKind.NO_CONTACT_AGREEMENT: _l("No Contact Agreement"),
    LetterKind.SUSPENSION_NOTICE: _l("Suspension notice"),
    LetterKind.ALLEGATION_SUMMARY: _l("Written summary of the allegation"),
    LetterKind.OUTCOME: _l("Outcome letter"),
    LetterKind.REVIEW_ACKNOWLEDGEMENT: _l("Acknowledgement of the review request"),
    LetterKind.ALTERNATIVE_TIMESCALE: _l("Alternative timescale for the review"),
    LetterKind.REVIEW_OUTCOME: _l("Outcome of the review"),
    LetterKind.COMPLETION_OF_PROCEDURES: _l("Completion of Procedures letter"),
}


class Finding(enum.StrEnum):
    """The conclusion on the balance of probabilities (13.16)."""

    BREACH = "breach"
    NO_BREACH = "no_breach"


FINDING_LABELS = {
    Finding.BREACH: _l("On the balance of probabilities, the behaviour reported has been "
                       "found to breach the policy."),
    Finding.NO_BREACH: _l("On the balance of probabilities, the evidence does not show a "
                          "breach of the policy."),
}


class SanctionKind(enum.StrEnum):
    """The penalties and actions of 15.4."""

    NO_FURTHER_ACTION = "no_further_action"
    INFORMAL_RESOLUTION = "informal_resolution"
    CAUTION = "caution"
    WRITTEN_WARNING = "written_warning"
    BEHAVIOURAL_CONTRACT = "behavioural_contract"
    WORKSHOP = "workshop"
    RESTITUTION = "restitution"
    RESTORATIVE_JUSTICE = "restorative_justice"
    FACILITY_EXCLUSION = "facility_exclusion"
    RECOMMENDED_PERMANENT_EXCLUSION = "recommended_permanent_exclusion"


SANCTION_LABELS = {
    SanctionKind.NO_FURTHER_ACTION: _l("No further action"),
    SanctionKind.INFORMAL_RESOLUTION: _l("Informal resolution"),
    SanctionKind.CAUTION: _l("A caution"),
    SanctionKind.WRITTEN_WARNING: _l("A written warning"),
    SanctionKind.BEHAVIOURAL_CONTRACT: _l("A behavioural contract"),
    SanctionKind.WORKSHOP: _l("Compulsory attendance at a workshop"),
    SanctionKind.RESTITUTION: _l("Restitution of damage"),
    SanctionKind.RESTORATIVE_JUSTICE: _l("Restorative justice, such as a letter of apology"),
    SanctionKind.FACILITY_EXCLUSION: _l("Exclusion from the use of specific facilities or "
                                        "services"),
    SanctionKind.RECOMMENDED_PERMANENT_EXCLUSION: _l(
        "A recommendation of permanent exclusion from the programme of study"),
}


class ReviewDecisionKind(enum.StrEnum):
    """What the Reviewing Officer decided (16.10)."""

    CONFIRM = "confirm"
    SET_ASIDE = "set_aside"
    VARY = "vary"


REVIEW_DECISION_LABELS = {
    ReviewDecisionKind.CONFIRM: _l("The original finding and decision are confirmed."),
    ReviewDecisionKind.SET_ASIDE: _l("The original finding or decision is set aside."),
    ReviewDecisionKind.VARY: _l("The original finding, decision or penalty is varied."),
}


#: The decision as the Reviewing Officer chooses it (the letters say it in full sentences).
REVIEW_DECISION_CHOICES = {
    ReviewDecisionKind.CONFIRM: _l("Confirm the original finding and decision"),
    ReviewDecisionKind.SET_ASIDE: _l("Set aside the finding or the penalty"),
    ReviewDecisionKind.VARY: _l("Vary the finding or the penalty"),
}


class ReviewConcern(enum.StrEnum):
    """What a review set aside or varied (16.10): the finding, the penalty, or both."""

    FINDING = "finding"
    PENALTY = "penalty"


REVIEW_CONCERN_LABELS = {
    ReviewConcern.FINDING: _l("The finding"),
    ReviewConcern.PENALTY: _l("The penalty"),
}


class DeliveryMethod(enum.StrEnum):
    """How a letter reached its recipient. The app never emails a letter itself."""

    IN_PERSON = "in_person"
    POST = "post"
    STAFF_EMAIL = "staff_email"
    COLLECTED = "collected"


DELIVERY_METHOD_LABELS = {
    DeliveryMethod.IN_PERSON: _l("Handed over in person"),
    DeliveryMethod.POST: _l("Sent by post"),
    DeliveryMethod.STAFF_EMAIL: _l("Sent by a member of staff from their own mailbox"),
    DeliveryMethod.COLLECTED: _l("Collected from Student Services"),
}

#: The Office of the Independent Adjudicator (17.1): named only in letters of an English centre.
OIA_URL = "https://www.oiahe.org.uk/students"
#: 16.14 / 17: a student may go to the OIA within 12 months of the COP letter's date.
OIA_MONTHS = 12
