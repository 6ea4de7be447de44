"""The emails about a role that reads content: asked for, then approved by a second person.

Everyone who holds that role, and everyone who can approve it, hears of a new grant, so one
person alone cannot quietly open the content to an account they control. The emails hold a
link and nothing else: no name, no address, no role, no centre. What happened is on the
page behind the link, for those who may see it. They go through the outbox, in the
transaction of the change.
"""

from __future__ import annotations

import sqlalchemy as sa

from hsm import mail
from hsm.accounts.models import RoleAssignment, RoleGrant, User
from hsm.extensions import db
from hsm.i18n import _
from hsm.routing import external_url
from hsm.security import ROLE_PERMISSIONS, Permission


def _active_addresses(roles: list[str], centre: str | None = None) -> set[str]:
    """Active holders of ``roles``: at ``centre`` or centrally, or anywhere without one."""
    query = (sa.select(User.email).join(RoleAssignment, RoleAssignment.user_id == User.id)
             .where(User.active.is_(True), RoleAssignment.role.in_(roles)))
    if centre is not None:
        query = query.where(sa.or_(RoleAssignment.centre.is_(None),
                                   RoleAssignment.centre == centre))
    return set(db.session.scalars(query))


def approver_addresses() -> set[str]:
    roles = [str(r) for r, granted in ROLE_PERMISSIONS.items()
             if Permission.APPROVE_GRANTS in granted]
    return _active_addresses(roles)


def _grantee_address(grant: RoleGrant) -> str:
    return db.session.scalar(sa.select(User.email).where(User.id == grant.user_id))


def tell_requested(grant: RoleGrant) -> None:
    """A grant waits: the approvers get the approvals page, the role's holders a notice."""
    grantee = _grantee_address(grant)
    approvers = approver_addresses() - {grantee}
    for address in sorted(approvers):
        mail.queue(
            address,
            _("A role on Safe Support waits for your approval"),
            _("Someone has been given a role that opens reports, cases, equality data or the "
              "audit log. It opens nothing until a second person approves it.\n\n"
              "To approve or refuse it, open:\n%(link)s\n\n"
              "If you did not expect this, please look into it before you approve.",
              link=external_url("accounts.grants")),
        )
    holders = _active_addresses([grant.role], grant.centre) - approvers - {grantee}
    _tell_holders(holders, approved=False)


def tell_approved(grant: RoleGrant) -> None:
    """A grant was approved: every other holder of the role hears of it."""
    holders = _active_addresses([grant.role], grant.centre) - {_grantee_address(grant)}
    _tell_holders(holders, approved=True)


def _tell_holders(addresses: set[str], *, approved: bool) -> None:
    if approved:
        subject = _("A role you hold on Safe Support was given to someone")
        body = _("A role you hold on Safe Support has been given to one more person, approved "
                 "by a second person.\n\nIf you did not expect this, please tell the Director "
                 "of Student Experience and Safeguarding. Sign in here:\n%(link)s",
                 link=external_url("accounts.home"))
    else:
        subject = _("A role you hold on Safe Support was asked for someone")
        body = _("Someone has asked for a role you hold on Safe Support to be given to one more "
                 "person. It opens nothing until a second person approves it.\n\nIf you did "
                 "not expect this, please tell the Director of Student Experience and "
                 "Safeguarding. Sign in here:\n%(link)s",
                 link=external_url("accounts.home"))
    for address in sorted(addresses):
        mail.queue(address, subject, body)
