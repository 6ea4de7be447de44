"""`flask hsm demo` gives a working, idempotent demo database."""

import sqlalchemy as sa

from hsm.accounts.models import User
from hsm.extensions import db
from hsm.reports.models import Report
from hsm.safecontacts.models import SafeContact
from hsm.security import Role


def _counts():
    return tuple(
        db.session.scalar(sa.select(sa.func.count()).select_from(model))
        for model in (User, Report, SafeContact)
    )


def test_demo_loads_once_and_prints_logins(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["hsm", "demo"])
    assert first.exit_code == 0, first.output
    counts = _counts()
    assert all(counts)
    for role in Role:
        assert f"{role.value}" in first.output
    second = runner.invoke(args=["hsm", "demo"])
    assert second.exit_code == 0
    assert _counts() == counts


def test_demo_safe_contact_can_open_their_biography(app, client):
    from hsm.accounts.sessions import new_session_payload

    app.test_cli_runner().invoke(args=["hsm", "demo"])
    user = db.session.scalar(
        sa.select(User).where(User.roles.any(role=Role.SAFE_CONTACT.value))
    )
    contact = db.session.scalar(sa.select(SafeContact).where(SafeContact.user_id == user.id))
    assert contact is not None
    payload = new_session_payload(user)
    db.session.commit()
    with client.session_transaction() as session:
        session.update(payload)
    response = client.get("/staff/safe-contacts/my-biography")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/{contact.id}/biography")
