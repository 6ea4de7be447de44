"""Emailed one-time links: invitations for new staff, and password resets.

An email holds a link and nothing else about the person or their work. The link's token is
random; only its hash is stored, it works once, and it expires (1 hour for a reset, 3 days
for an invitation, since a new colleague may not read their email the same day).
"""

from __future__ import annotations

from hsm import audit, mail
from hsm.accounts import oidc, operations, sso
from hsm.accounts.models import User
from hsm.i18n import _
from hsm.routing import external_url

# What a mail server that is down or refuses us raises; the link is saved before sending.


def link_for(token: str) -> str:
    """The absolute link, built without a request (the CLI and other areas call this too)."""
    return external_url("accounts.password_link", token=token)


def _new_link(user: User, purpose: str, action: str, actor: User | None) -> str:
    """Issue a token and record it, in the current transaction; return the link."""
    token = operations.issue_token(user, purpose)
    audit.record(action, actor=actor, target_type="user", target_id=user.id)
    return link_for(token)


def send_invitation(user: User, actor: User | None) -> None:
    """Invite ``user`` to set their first password: commits, and sends at once.

    ``actor``: who sends it (``None`` from the command line).

    Raises one of ``mail.ERRORS`` when the email did not leave; the link and the email are
    kept (the email stays in the outbox).
    """
    link = _new_link(user, "invite", "invitation.sent", actor)
    _send_invitation_email(user, link)


def _send_invitation_email(user: User, link: str) -> None:
    if not sso.password_allowed(user, oidc.settings()):
        mail.send_now(
            user.email,
            _("Your staff account for Safe Support"),
            _(
                "An account has been made for you on Safe Support, the staff site for the "
                "Student Harassment and Sexual Misconduct Policy.\n\n"
                "To sign in for the first time with your work account, open this link "
                "within 3 days:\n%(link)s\n\n"
                "If you did not expect this email, you can ignore it.",
                link=link,
            ),
        )
        return
    mail.send_now(
        user.email,
        _("Your staff account for Safe Support"),
        _(
            "An account has been made for you on Safe Support, the staff site for the "
            "Student Harassment and Sexual Misconduct Policy.\n\n"
            "To choose your password, open this link within 3 days:\n%(link)s\n\n"
            "If you did not expect this email, you can ignore it.",
            link=link,
        ),
    )


def send_password_reset(user: User) -> None:
    """Email a single-use reset link valid for one hour, through the outbox.

    The email leaves after the response (the request's commit point sends it), so the page's
    timing does not tell whether the address has an account.
    """
    # No actor: whoever asked has not shown they hold the account.
    link = _new_link(user, "reset", "password.reset_requested", None)
    _send_reset_email(user, link)


def _send_reset_email(user: User, link: str) -> None:
    mail.queue(
        user.email,
        _("Reset your Safe Support password"),
        _(
            "Someone asked to reset the password of this Safe Support staff account.\n\n"
            "To choose a new password, open this link within 1 hour:\n%(link)s\n\n"
            "If this was not you, you can ignore this email: your password stays the same.",
            link=link,
        ),
    )
