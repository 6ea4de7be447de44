"""Demo users: one fictional person per role, centre roles at two centres. Idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

from hsm.accounts import operations, passwords
from hsm.accounts.models import RoleGrant, User
from hsm.extensions import db
from hsm.security import Role

# A strong, fixed passphrase for the demo only; `make run` prints it with the logins.
DEMO_PASSWORD = "amber-kettle-orbit-meadow-42"  # noqa: S105 - printed on purpose

ADMIN_EMAIL = "admin@example.org"
DIRECTOR_EMAIL = "safeguarding@example.org"
# (role, centre, email, fictional name)
DEMO_USERS = (
    (Role.STUDENT_SERVICES, "uk", "ss.uk@example.org", "Robin Ashdown"),
    (Role.STUDENT_SERVICES, "amsterdam", "ss.amsterdam@example.org", "Noor de Wit"),
    (Role.CENTRE_DIRECTOR, "uk", "director.uk@example.org", "Morgan Pryce"),
    (Role.CENTRE_DIRECTOR, "amsterdam", "director.amsterdam@example.org", "Sanne Vermeer"),
    (Role.SAFEGUARDING_DIRECTOR, None, DIRECTOR_EMAIL, "Alex Moreau"),
    (Role.CASE_REVIEW_MEMBER, None, "case.review@example.org", "Jordan Fields"),
    (Role.INVESTIGATING_OFFICER, None, "investigator@example.org", "Casey Lindqvist"),
    (Role.REVIEWING_OFFICER, None, "reviewer@example.org", "Taylor Okafor"),
    (Role.PEOPLE_TEAM, None, "people@example.org", "Sam Delacroix"),
    (Role.EDI_OFFICER, None, "edi@example.org", "Rowan Byrne"),
    # The same fictional person as the first demo Safe Contact, so "My biography" has content.
    (Role.SAFE_CONTACT, None, "morgan.ashby@example.org", "Morgan Ashby"),
    (Role.EXECUTIVE, None, "executive@example.org", "Jamie Laurent"),
    (Role.ADMIN, None, ADMIN_EMAIL, "Avery Stone"),
)
# A new colleague whose role (Student Services at Paris) waits for the Safeguarding Director:
# no login is printed, as the account opens nothing until the role is approved.
WAITING = ("paris", "new.colleague@example.org", "Jules Martin")


def load() -> list[str]:
    """Create the demo users that are missing; return the login lines to print.

    Roles are given the way the app gives them: the administrator's at once, the first
    Safeguarding Director's by the bootstrap path, and every other role that reads content
    asked for by the administrator and approved by the Safeguarding Director (all audited).
    """
    lines = []
    for role, centre, email, name in DEMO_USERS:
        if operations.find_user(email) is None:
            user = _new_user(email, name)
            if role == Role.ADMIN:
                operations.assign_role(None, user, role, centre)
            elif role == Role.SAFEGUARDING_DIRECTOR:
                operations.bootstrap_grant(user, role, centre)
        where = f" ({centre})" if centre else ""
        lines.append(f"{role}{where}: {email} / {DEMO_PASSWORD}")
    for role, centre, email, _name in DEMO_USERS:
        user = operations.find_user(email)
        if role not in (Role.ADMIN, Role.SAFEGUARDING_DIRECTOR) and not user.roles:
            give_role(user, role, centre)
    if operations.find_user(WAITING[1]) is None:
        # One role still waiting, so that "Roles to approve" shows what it is for.
        operations.assign_role(operations.find_user(ADMIN_EMAIL), _new_user(*WAITING[1:]),
                               Role.STUDENT_SERVICES, WAITING[0])
    db.session.commit()
    return lines


_password_hash: str | None = None


def _new_user(email: str, name: str) -> User:
    global _password_hash  # noqa: PLW0603 - hashing once per process keeps the demo quick
    _password_hash = _password_hash or passwords.hash_password(DEMO_PASSWORD)
    user = User(email=email, name=name, active=True, created_at=datetime.now(UTC),
                password_hash=_password_hash)
    db.session.add(user)
    db.session.flush()
    return user


def new_demo_user(email: str, name: str, roles: list[tuple[Role, str | None]]) -> User:
    """A demo account (the demo password) holding ``roles``, each given as ``give_role`` does."""
    user = _new_user(email, name)
    for role, centre in roles:
        give_role(user, role, centre)
    return user


def give_role(user: User, role: Role, centre: str | None) -> None:
    """Asked for by the demo administrator; a role that reads content is then approved by
    the demo Safeguarding Director, the second person."""
    admin = operations.find_user(ADMIN_EMAIL)
    given = operations.assign_role(admin, user, role, centre)
    if isinstance(given, RoleGrant):
        operations.approve_grant(operations.find_user(DIRECTOR_EMAIL), given)
