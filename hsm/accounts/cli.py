"""``flask --app wsgi hsm create-user``: the first administrator, or any account, from a shell."""

from __future__ import annotations

import sys

import click
from flask import current_app

from hsm import mail
from hsm.accounts import invitations, operations, passwords
from hsm.centres.registry import get_centre
from hsm.extensions import db
from hsm.security import Role


@click.command("create-user")
@click.option("--email", required=True, help="Staff email address.")
@click.option("--name", required=True, help="Full name.")
@click.option("--role", required=True, type=click.Choice([str(r) for r in Role]))
@click.option("--centre", default=None, help="Centre slug, for centre-held roles.")
@click.option("--password-stdin", is_flag=True, help="Read the password from standard input.")
@click.option("--bootstrap", is_flag=True,
              help="The very first person who approves roles (audited): gives the role at once, "
                   "only while no active account can approve.")
def create_user(email: str, name: str, role: str, centre: str | None, password_stdin: bool,
                bootstrap: bool):
    """Create a staff user; without --password-stdin an invitation email is sent instead.

    A role that reads content waits for a second person's approval in the app; --bootstrap
    gives the first Safeguarding Director their role without one.
    """
    if centre and get_centre(centre) is None:
        raise click.BadParameter(f"no centre called {centre!r}", param_hint="--centre")
    password = None
    if password_stdin:
        password = sys.stdin.readline().rstrip("\r\n")
        problem = passwords.password_problem(password, (email, name))
        if problem:
            raise click.ClickException(problem)
    try:
        user = operations.create_user(
            None,
            name=name,
            email=email,
            allowed_domains=tuple(current_app.config["HSM_ALLOWED_STAFF_DOMAINS"]),
            role=None if bootstrap else role,
            centre=centre,
        )
        if bootstrap:
            operations.bootstrap_grant(user, role, centre)
    except operations.AccountError as error:
        db.session.rollback()
        raise click.ClickException(error.message) from None
    if password is not None:
        user.password_hash = passwords.hash_password(password)
        # A password given here is the break-glass way in: it keeps working next to single
        # sign-on (the administrator can change that on the users page).
        user.password_sign_in = True
        db.session.commit()
        click.echo(f"created {user.email} ({role}{' at ' + centre if centre else ''})"
                   + _waiting_note(user))
        return
    try:
        invitations.send_invitation(user, None)
    except mail.ERRORS as error:
        raise click.ClickException(
            f"created {user.email}, but the invitation email could not be sent ({error}); "
            "an administrator can send it again from Users and roles"
        ) from None
    click.echo(f"created {user.email}; an invitation email was sent" + _waiting_note(user))


def _waiting_note(user) -> str:
    if operations.pending_grants_of(user):
        return ("; the role opens content, so it waits for approval by a second person "
                "(Roles to approve, /staff/grants)")
    return ""
