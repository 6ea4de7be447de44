"""Demo users: one fictional person per role, centre roles at two centres. Idempotent."""

from __future__ import annotations

from datetime import UTC, datetime

from hsm.accounts import operations, passwords
from hsm.accounts.models import RoleAssignment, User
from hsm.extensions import db
from hsm.security import Role

# A strong, fixed passphrase for the demo only; `make run` prints it with the logins.
DEMO_PASSWORD = "amber-kettle-orbit-meadow-42"  # noqa: S105 - printed on purpose

# (role, centre, email, fictional name)
DEMO_USERS = (
    (Role.STUDENT_SERVICES, "uk", "ss.uk@example.org", "Robin Ashdown"),
    (Role.STUDENT_SERVICES, "amsterdam", "ss.amsterdam@example.org", "Noor de Wit"),
    (Role.CENTRE_DIRECTOR, "uk", "director.uk@example.org", "Morgan Pryce"),
    (Role.CENTRE_DIRECTOR, "amsterdam", "director.amsterdam@example.org", "Sanne Vermeer"),
    (Role.SAFEGUARDING_DIRECTOR, None, "safeguarding@example.org", "Alex Moreau"),
    (Role.CASE_REVIEW_MEMBER, None, "case.review@example.org", "Jordan Fields"),
    (Role.INVESTIGATING_OFFICER, None, "investigator@example.org", "Casey Lindqvist"),
    (Role.REVIEWING_OFFICER, None, "reviewer@example.org", "Taylor Okafor"),
    (Role.PEOPLE_TEAM, None, "people@example.org", "Sam Delacroix"),
    (Role.EDI_OFFICER, None, "edi@example.org", "Rowan Byrne"),
    # The same fictional person as the first demo Safe Contact, so "My biography" has content.
    (Role.SAFE_CONTACT, None, "morgan.ashby@example.org", "Morgan Ashby"),
    (Role.EXECUTIVE, None, "executive@example.org", "Jamie Laurent"),
    (Role.ADMIN, None, "admin@example.org", "Avery Stone"),
)


def load() -> list[str]:
    """Create the demo users that are missing; return the login lines to print."""
    lines = []
    password_hash = None
    for role, centre, email, name in DEMO_USERS:
        user = operations.find_user(email)
        if user is None:
            password_hash = password_hash or passwords.hash_password(DEMO_PASSWORD)
            user = User(email=email, name=name, active=True, created_at=datetime.now(UTC),
                        password_hash=password_hash)
            user.roles.append(RoleAssignment(role=str(role), centre=centre))
            db.session.add(user)
        where = f" ({centre})" if centre else ""
        lines.append(f"{role}{where}: {email} / {DEMO_PASSWORD}")
    db.session.commit()
    return lines
