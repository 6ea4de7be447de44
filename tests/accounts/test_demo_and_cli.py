"""Demo users and the create-user command."""

import sqlalchemy as sa

from hsm.accounts import demo
from hsm.accounts.models import User
from hsm.cli import hsm_cli
from hsm.security import CENTRE_SCOPED_ROLES, Role
from tests.accounts.conftest import sign_in


def test_demo_has_one_user_per_role_centre_roles_at_two_centres_and_is_idempotent(app, db):
    lines = demo.load()
    assert demo.load() == lines
    users = db.session.scalars(sa.select(User)).all()
    assert len(users) == len(demo.DEMO_USERS) + 1  # and one whose role waits for approval
    held = [scope for user in users for scope in user.role_scopes()]
    assert {role for role, _ in held} == {str(r) for r in Role}
    for role in CENTRE_SCOPED_ROLES:
        assert len({centre for r, centre in held if r == role}) >= 2
    assert all(u.email.endswith("@example.org") for u in users)
    assert "student_services (uk): ss.uk@example.org / " + demo.DEMO_PASSWORD in lines


def test_demo_users_can_sign_in(client, db):
    demo.load()
    assert sign_in(client, "admin@example.org", demo.DEMO_PASSWORD).status_code == 303


def test_create_user_with_a_password_from_stdin(app, db):
    runner = app.test_cli_runner()
    result = runner.invoke(
        hsm_cli,
        ["create-user", "--email", "Avery.Stone@example.org", "--name", "Avery Stone",
         "--role", "admin", "--password-stdin"],
        input="lantern orchard pebble tuesday\n",
    )
    assert result.exit_code == 0, result.output
    user = db.session.scalar(sa.select(User))
    assert user.email == "avery.stone@example.org"
    assert user.role_scopes() == [("admin", None)]
    assert user.password_hash.startswith("$argon2id$")
    assert user.password_sign_in  # the break-glass account keeps it next to single sign-on


def test_create_user_refuses_bad_input_plainly(app, db):
    runner = app.test_cli_runner()
    weak = runner.invoke(hsm_cli, ["create-user", "--email", "a@example.org", "--name", "A",
                                   "--role", "admin", "--password-stdin"], input="password\n")
    assert weak.exit_code != 0 and "at least 12 characters" in weak.output
    no_centre = runner.invoke(hsm_cli, ["create-user", "--email", "b@example.org", "--name", "B",
                                        "--role", "student_services", "--password-stdin"],
                              input="lantern orchard pebble tuesday\n")
    assert no_centre.exit_code != 0 and "Choose the centre" in no_centre.output
    bad_centre = runner.invoke(hsm_cli, ["create-user", "--email", "c@example.org", "--name",
                                         "C", "--role", "student_services", "--centre", "mars"])
    assert bad_centre.exit_code != 0
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == 0


def test_create_user_without_a_password_sends_an_invitation(app, db, mail):
    runner = app.test_cli_runner()
    result = runner.invoke(hsm_cli, ["create-user", "--email", "c@example.org", "--name", "C",
                                     "--role", "student_services", "--centre", "paris"])
    assert result.exit_code == 0, result.output
    assert len(mail) == 1 and "/staff/password/link/" in mail[0].get_content()


def test_create_user_says_plainly_when_the_invitation_cannot_be_sent(app, db):
    from tests.conftest import free_port

    old = app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"]
    app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"] = "127.0.0.1", free_port()
    try:
        result = app.test_cli_runner().invoke(
            hsm_cli, ["create-user", "--email", "d@example.org", "--name", "D",
                      "--role", "executive"])
    finally:
        app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"] = old
    assert result.exit_code == 1
    assert "invitation email could not be sent" in result.output
    assert "Traceback" not in result.output
