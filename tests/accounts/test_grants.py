"""A role that reads content is never granted by one person alone (finding 2 of the outside
test): a grant waits, opens nothing, and a second person approves it; aliases of an existing
mailbox are refused; a bootstrap path by CLI covers the very first approver."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st

from hsm.accounts import demo, operations
from hsm.accounts.models import RoleAssignment, RoleGrant, User
from hsm.audit import AuditEntry
from hsm.cli import hsm_cli
from hsm.mail import OutboxMessage
from hsm.reports.models import Report
from hsm.security import (
    CONTENT_PERMISSIONS,
    NO_CONTENT_PERMISSIONS,
    ROLE_PERMISSIONS,
    Permission,
    Role,
    role_reads_content,
)
from tests.accounts.conftest import PASSWORD, sign_in
from tests.factories import make_user
from tests.helpers import csrf_token, post
from tests.reports.seed import seed_reports

USERS = "/staff/admin/users"
GRANTS = "/staff/grants"
NEW_PASSWORD = "juniper-lantern-copper-river-7"  # noqa: S105 - a test password


def actions(db):
    return db.session.scalars(sa.select(AuditEntry.action).order_by(AuditEntry.id)).all()


def _post(client, path, data=None, token_from=GRANTS):
    return post(client, path, data or {}, token_from=token_from)


# --- which roles wait: read from the permission table ---------------------------------------


def test_content_is_decided_from_the_permission_table_not_from_role_names():
    assert CONTENT_PERMISSIONS | NO_CONTENT_PERMISSIONS == set(Permission)
    assert not CONTENT_PERMISSIONS & NO_CONTENT_PERMISSIONS
    for role, granted in ROLE_PERMISSIONS.items():
        assert role_reads_content(role) == bool(granted & CONTENT_PERMISSIONS)
    # The Safe Contact role the EDI pipeline grants, the executive's anonymised statistics and
    # the administrator's role are given at once; every other role waits.
    assert {r for r in Role if not role_reads_content(r)} == {
        Role.SAFE_CONTACT, Role.EXECUTIVE, Role.ADMIN}
    # Equality data and the audit log are content too.
    assert Permission.VIEW_DIVERSITY_SUMMARY in CONTENT_PERMISSIONS
    assert Permission.VIEW_AUDIT_LOG in CONTENT_PERMISSIONS
    # Whoever approves decides who reads content: that role waits as well.
    assert Permission.APPROVE_GRANTS in CONTENT_PERMISSIONS


@pytest.mark.parametrize("role", [Role.SAFE_CONTACT, Role.EXECUTIVE])
def test_roles_that_read_no_content_are_given_at_once(role, db):
    admin, user = make_user("admin"), make_user()
    given_role = operations.assign_role(admin, user, role, None)
    assert isinstance(given_role, RoleAssignment)
    db.session.commit()
    assert user.has_role(role)


# --- the outside test's steps, through the real routes ------------------------------------


def _link_in(message) -> str:
    """The path of the emailed link (the test client is on another host than HSM_BASE_URL)."""
    return re.search(r"/staff/password/link/\S+", message.get_content()).group(0)


def test_the_admin_cannot_read_reports_through_an_account_they_create(app, client, db, mail):
    seed_reports(1, "uk")
    report_id = db.session.scalar(sa.select(Report.id))
    admin = make_user("admin", email="admin@example.org", password=PASSWORD)
    director = make_user("safeguarding_director", email="director@example.org",
                         password=PASSWORD)
    sign_in(client, admin.email)

    # The outside test's address reaches the admin's own mailbox: refused, and said why.
    refused = _post(client, USERS, {"name": "Second Account", "email": "admin+sg@example.org",
                                    "role": "safeguarding_director", "centre": ""},
                    token_from=USERS)
    assert refused.status_code == 200
    assert "reaches the same mailbox as an existing account" in refused.get_data(as_text=True)
    assert db.session.scalar(sa.select(User).where(User.email == "admin+sg@example.org")) is None

    # With a mailbox of its own the account is made, and its role waits.
    mail.clear()
    made = _post(client, USERS, {"name": "New Director", "email": "new.director@example.org",
                                 "role": "safeguarding_director", "centre": ""},
                 token_from=USERS)
    assert made.status_code == 303
    new = db.session.scalar(sa.select(User).where(User.email == "new.director@example.org"))
    assert new.roles == []
    assert "role.requested" in actions(db)
    # The holders of the role (here, the one who approves) are told, with a link and no more.
    told = [m for m in mail if m["To"] == director.email]
    assert len(told) == 1
    body = told[0].get_content()
    assert "http://" in body and "/staff/grants" in body
    assert "New Director" not in body and "new.director" not in body

    # The invitation reaches the new mailbox; whoever reads it sets the password and signs in.
    [invitation] = [m for m in mail if m["To"] == new.email]
    other = app.test_client()
    other.get(_link_in(invitation))
    assert post(other, "/staff/password/new", {"password": NEW_PASSWORD,
                                               "confirm": NEW_PASSWORD},
                token_from="/staff/password/new").status_code == 303
    assert sign_in(other, new.email, NEW_PASSWORD).status_code == 303
    # ... and reads nothing while the role waits, but their own page says what they wait for.
    assert other.get(f"/staff/reports/{report_id}").status_code in (403, 404)
    assert other.get("/staff/audit").status_code == 403
    home = other.get("/staff/")
    assert home.status_code == 200
    waiting = home.get_data(as_text=True)
    assert "waiting for a second person to approve them" in waiting
    waiting = waiting[waiting.index('id="waiting-roles"'):]
    assert "Director of Student Experience and Safeguarding" in waiting

    # The admin cannot approve it (nor see the page).
    [grant] = operations.pending_grants_of(new)
    assert client.get(GRANTS).status_code == 403
    assert client.post(f"{GRANTS}/{grant.id}/approve",
                       data={"csrf_token": csrf_token(client, USERS)}).status_code == 403

    # The Safeguarding Director approves it, from the list of pending grants.
    approver = app.test_client()
    sign_in(approver, director.email)
    page = approver.get(GRANTS).get_data(as_text=True)
    assert "New Director" in page and f"/staff/grants/{grant.id}/approve" in page
    approved = _post(approver, f"{GRANTS}/{grant.id}/approve")
    assert approved.status_code == 303
    assert "now holds the role" in approver.get(GRANTS).get_data(as_text=True)
    assert other.get(f"/staff/reports/{report_id}").status_code == 200
    assert other.get("/staff/audit").status_code == 200
    assert {"role.approved", "role.assigned"} <= set(actions(db))
    entry = db.session.scalar(sa.select(AuditEntry).where(AuditEntry.action == "role.approved"))
    assert entry.actor_id == director.id


def test_the_one_who_asked_cannot_approve(client, login_as, db):
    # An account holding both (only possible outside the app's own rules) still cannot.
    both = login_as("safeguarding_director", None, ("admin", None))
    user = make_user()
    grant = operations.assign_role(both, user, Role.CENTRE_DIRECTOR, "uk")
    db.session.commit()
    response = _post(client, f"{GRANTS}/{grant.id}/approve")
    assert response.status_code == 409
    assert "You asked for this role to be given" in response.get_data(as_text=True)
    assert 'class="error-summary"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, user.id).roles == []
    assert "role.approval_refused" in actions(db)


def test_nobody_approves_a_role_for_themselves(client, login_as, db):
    director = login_as("safeguarding_director")
    grant = operations.assign_role(make_user("admin"), director, Role.STUDENT_SERVICES, "uk")
    db.session.commit()
    response = _post(client, f"{GRANTS}/{grant.id}/approve")
    assert response.status_code == 409
    assert "This role is for you" in response.get_data(as_text=True)
    db.session.expire_all()
    assert not db.session.get(User, director.id).has_role(Role.STUDENT_SERVICES)


def test_a_refused_grant_gives_nothing_and_a_decided_one_cannot_be_decided_again(
    client, login_as, db
):
    login_as("safeguarding_director")
    user = make_user()
    grant = operations.assign_role(make_user("admin"), user, Role.PEOPLE_TEAM, None)
    db.session.commit()
    assert _post(client, f"{GRANTS}/{grant.id}/refuse").status_code == 303
    db.session.expire_all()
    assert db.session.get(RoleGrant, grant.id).outcome == "refused"
    assert db.session.get(User, user.id).roles == []
    again = _post(client, f"{GRANTS}/{grant.id}/approve")
    assert again.status_code == 409
    assert "already been decided" in again.get_data(as_text=True)
    assert "role.refused" in actions(db)


def test_decisions_need_the_csrf_token_and_an_unknown_grant_is_404(client, login_as, db):
    login_as("safeguarding_director")
    grant = operations.assign_role(make_user("admin"), make_user(), Role.EDI_OFFICER, None)
    db.session.commit()
    assert client.post(f"{GRANTS}/{grant.id}/approve").status_code == 400
    assert _post(client, f"{GRANTS}/999999/approve").status_code == 404
    assert _post(client, f"{GRANTS}/{10**30}/refuse").status_code == 404
    assert db.session.get(RoleGrant, grant.id).outcome is None


@pytest.mark.parametrize("role", list(Role), ids=str)
def test_only_those_who_approve_open_the_approvals_page(client, login_as, role):
    login_as(role, "uk" if role in (Role.STUDENT_SERVICES, Role.CENTRE_DIRECTOR) else None)
    expected = 200 if Permission.APPROVE_GRANTS in ROLE_PERMISSIONS[role] else 403
    assert client.get(GRANTS).status_code == expected


def test_the_approvals_page_speaks_each_language(client, login_as, db):
    login_as("safeguarding_director")
    operations.assign_role(make_user("admin"), make_user(name="Quinn Example"),
                           Role.INVESTIGATING_OFFICER, None)
    db.session.commit()
    for lang, heading in (("en", "Roles to approve"), ("nl", "Rollen om goed te keuren"),
                          ("fr", "Rôles à approuver")):
        page = client.get(f"{GRANTS}?lang={lang}").get_data(as_text=True)
        assert heading in page and "Quinn Example" in page


def test_a_pending_grant_is_shown_to_the_admin_and_cannot_join_admin_to_content(
    client, login_as, db
):
    admin = login_as("admin")
    other_admin = make_user("admin")
    user = make_user()
    operations.assign_role(admin, user, Role.CASE_REVIEW_MEMBER, None)
    db.session.commit()
    page = client.get(USERS).get_data(as_text=True)
    assert "Waiting for a second person" in page
    with pytest.raises(operations.AccountError):
        operations.assign_role(admin, other_admin, Role.STUDENT_SERVICES, "uk")
    # Nor the other way round: a pending content grant, then the admin role.
    with pytest.raises(operations.AccountError):
        operations.assign_role(admin, user, Role.ADMIN, None)


def test_each_holder_of_the_role_is_told_when_it_is_asked_for_and_approved(db):
    admin = make_user("admin")
    director = make_user("safeguarding_director", email="sd@example.org")
    holder_uk = make_user(("centre_director", "uk"), email="cd.uk@example.org")
    holder_paris = make_user(("centre_director", "paris"), email="cd.paris@example.org")
    user = make_user(email="new.cd@example.org")
    grant = operations.assign_role(admin, user, Role.CENTRE_DIRECTOR, "uk")
    db.session.commit()

    def recipients():
        return sorted(db.session.scalars(sa.select(OutboxMessage.recipient)))

    assert recipients() == sorted([director.email, holder_uk.email])
    operations.approve_grant(director, grant)
    db.session.commit()
    assert recipients() == sorted([director.email, holder_uk.email, holder_uk.email])
    assert holder_paris.email not in recipients() and user.email not in recipients()
    for message in db.session.scalars(sa.select(OutboxMessage)):
        assert "/staff/" in message.body and user.name not in message.body
        assert "centre_director" not in message.body


# --- sub-addresses and aliases of an existing mailbox ---------------------------------------


@pytest.mark.parametrize(("address", "mailbox"), [
    ("admin+sg@example.org", "admin@example.org"),
    ("Admin+a+b@Example.org", "admin@example.org"),
    ("first.last@example.org", "first.last@example.org"),
    ("f.i.r.s.t.last+x@gmail.com", "firstlast@gmail.com"),
    ("FirstLast@googlemail.com", "firstlast@gmail.com"),
])
def test_the_mailbox_an_address_reaches(address, mailbox):
    assert operations.mailbox_of(address) == mailbox


@given(local=st.from_regex(r"[a-z][a-z0-9]{0,10}", fullmatch=True),
       tag=st.from_regex(r"[a-z0-9]{1,8}", fullmatch=True))
def test_any_tag_reaches_the_same_mailbox(local, tag):
    assert operations.mailbox_of(f"{local}+{tag}@example.org") == f"{local}@example.org"


@pytest.mark.parametrize(("existing", "invited"), [
    ("admin@example.org", "admin+sg@example.org"),
    ("admin+old@example.org", "admin@example.org"),
    ("a.person@gmail.com", "aperson+x@googlemail.com"),
])
def test_an_alias_of_an_existing_mailbox_is_refused_at_invitation(existing, invited, db):
    make_user(email=existing)
    with pytest.raises(operations.AccountError) as refused:
        operations.create_user(None, name="Someone", email=invited,
                               allowed_domains=("example.org", "gmail.com", "googlemail.com"))
    assert refused.value.field == "email"
    assert "same mailbox" in refused.value.message


def test_a_different_mailbox_at_the_same_domain_is_fine(db):
    make_user(email="admin@example.org")
    user = operations.create_user(None, name="Adminton", email="admin.ton@example.org",
                                  allowed_domains=("example.org",))
    assert user.id


# --- the bootstrap path, by command line ----------------------------------------------------


def _create(app, *args, password=True):
    runner = app.test_cli_runner()
    extra = ["--password-stdin"] if password else []
    return runner.invoke(hsm_cli, ["create-user", *args, *extra], input=PASSWORD + "\n")


def test_the_first_approver_is_bootstrapped_by_the_command_line_and_audited(app, db):
    result = _create(app, "--email", "first@example.org", "--name", "First Director",
                     "--role", "safeguarding_director", "--bootstrap")
    assert result.exit_code == 0, result.output
    first = operations.find_user("first@example.org")
    assert first.has_role(Role.SAFEGUARDING_DIRECTOR)
    entry = db.session.scalar(sa.select(AuditEntry).where(
        AuditEntry.action == "role.bootstrapped"))
    assert entry.target_id == str(first.id) and entry.actor_id is None

    # Only the very first: once someone can approve, the bootstrap path is closed.
    again = _create(app, "--email", "second@example.org", "--name", "Second Director",
                    "--role", "safeguarding_director", "--bootstrap")
    assert again.exit_code != 0
    assert "already approve" in again.output
    assert operations.find_user("second@example.org") is None

    # Without --bootstrap a role that reads content waits, even from the command line.
    waiting = _create(app, "--email", "ss@example.org", "--name", "Sam Support",
                      "--role", "student_services", "--centre", "uk")
    assert waiting.exit_code == 0, waiting.output
    assert "waits for approval" in waiting.output
    user = operations.find_user("ss@example.org")
    assert user.roles == [] and len(operations.pending_grants_of(user)) == 1


def test_the_bootstrap_path_is_only_for_a_role_that_approves(app, db):
    result = _create(app, "--email", "x@example.org", "--name", "X Person", "--role",
                     "people_team", "--bootstrap")
    assert result.exit_code != 0
    assert "approves other roles" in result.output


# --- the demo -------------------------------------------------------------------------------


def test_every_demo_role_that_reads_content_was_approved_by_a_second_person(app, client, db):
    assert app.test_cli_runner().invoke(args=["hsm", "demo"]).exit_code == 0
    grants = db.session.scalars(sa.select(RoleGrant)).all()
    approved = {(g.user_id, g.role, g.centre) for g in grants if g.outcome == "approved"}
    assert all(g.decided_by_id != g.requested_by_id for g in grants)
    bootstrapped = {int(e.target_id) for e in db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == "role.bootstrapped"))}
    assert len(bootstrapped) == 1
    for assignment in db.session.scalars(sa.select(RoleAssignment)):
        if role_reads_content(assignment.role):
            key = (assignment.user_id, assignment.role, assignment.centre)
            assert key in approved or assignment.user_id in bootstrapped, key
    # One role waits, to show the approvals page; it opens nothing.
    [waiting] = [g for g in grants if g.outcome is None]
    assert waiting.user.email == demo.WAITING[1] and waiting.user.roles == []
    # Every printed login still works and opens its role's first page.
    for role, _centre, email, _name in demo.DEMO_USERS:
        other = app.test_client()
        assert sign_in(other, email, demo.DEMO_PASSWORD).status_code == 303, role
        assert other.get("/staff/").status_code == 200, role
