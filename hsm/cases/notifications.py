"""Emails about cases: counts and links only, never a name, a reference or a detail.

Who is told is decided here, and only among the people the case scope lets see the case:
a Centre Director who is a party (or otherwise conflicted) is never emailed about it.
Emails go to the outbox in the caller's transaction (``hsm.mail.queue``) and leave after
the request's commit. They are written in the centre's language.
"""

from __future__ import annotations

import sqlalchemy as sa

from hsm import mail
from hsm.accounts.models import RoleAssignment, User
from hsm.cases.models import Case, CaseParty
from hsm.cases.queries import Access, CaseScope, access_of
from hsm.cases.terms import PartyRole, PartyType
from hsm.centres.registry import get_centre
from hsm.extensions import db
from hsm.i18n import _, _l, force_locale
from hsm.routing import external_url
from hsm.security import Role

# The case page and "My deadlines" (hsm/cases/views.py).
CASE_ENDPOINT = "cases.case"
DEADLINES_ENDPOINT = "cases.my_deadlines"

FOOTER = _l("This email holds no details of the case, on purpose. Please do not forward it.")


def link(endpoint: str, **values) -> str:
    """The absolute address of a page (``HSM_BASE_URL``)."""
    return external_url(endpoint, **values)


def case_link(case: Case) -> str:
    return link(CASE_ENDPOINT, case_id=case.id)


def holders(role: Role, centre: str | None) -> list[User]:
    """Active users holding ``role`` at ``centre`` (or centrally), by email."""
    return list(db.session.scalars(
        sa.select(User).join(RoleAssignment, RoleAssignment.user_id == User.id).where(
            RoleAssignment.role == role, User.active.is_(True),
            sa.or_(RoleAssignment.centre.is_(None), RoleAssignment.centre == centre),
        ).distinct().order_by(User.email)
    ))


def who_may_see(users: list[User], case: Case, access: Access | None = None) -> list[User]:
    """Only those the case scope lets see ``case`` (conflicts of interest excluded)."""
    access = access or access_of(case)
    return [u for u in users if CaseScope.of(u).sees(access)]


def _send(case: Case, users: list[User], subject, first_line) -> int:
    centre = get_centre(case.centre)
    with force_locale(centre.default_locale if centre else "en"):
        subject = str(subject)
        body = "\n\n".join([
            str(first_line),
            _("Open the case (sign-in needed):\n%(link)s", link=case_link(case)),
            str(FOOTER),
        ]) + "\n"
    for user in users:
        mail.queue(user.email, subject, body)
    return len(users)


def _unidentified_staff_respondent(case: Case) -> bool:
    """A responding member of staff without a linked account: they could be anyone at the
    centre, its Centre Director included (2.2, 4.3)."""
    return bool(db.session.scalar(sa.select(sa.func.count()).select_from(CaseParty).where(
        CaseParty.case_id == case.id, CaseParty.role == PartyRole.RESPONDING,
        CaseParty.party_type == PartyType.STAFF, CaseParty.user_id.is_(None))))


def formal_complaint(case: Case) -> int:
    """10.1: the Centre Director is told that the reporting party wishes to complain.

    When a responding party is a member of staff not yet identified by their account, the
    People Team is told instead, as for reports about staff: the Centre Director may be the
    person it is about.
    """
    role = Role.CENTRE_DIRECTOR
    if case.staff_respondent and _unidentified_staff_respondent(case):
        role = Role.PEOPLE_TEAM
    users = who_may_see(holders(role, case.centre), case)
    return _send(case, users, _l("A formal complaint needs your acknowledgement"),
                 _l("A reporting party at your centre has confirmed that they wish to make a "
                    "formal complaint. Please acknowledge it on your case board."))


def central_director(case: Case) -> int:
    """10.1: once acknowledged, the Director of Student Experience and Safeguarding is told."""
    users = who_may_see(holders(Role.SAFEGUARDING_DIRECTOR, None), case)
    return _send(case, users, _l("A formal complaint has been acknowledged"),
                 _l("A Centre Director has acknowledged a formal complaint. Please decide "
                    "whether to convene a case review."))
