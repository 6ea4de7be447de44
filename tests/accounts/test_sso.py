"""Single sign-on against a real OpenID Connect provider (panva's oidc-provider, started by
the ``oidc_issuer`` fixture): every sign-in here goes through the provider's own login and
consent pages and its real tokens; nothing is mocked. The misbehaving clients of
tests/tools/oidc-provider.mjs send tokens that HSM must refuse."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest
import sqlalchemy as sa

from hsm.accounts import operations
from hsm.accounts.models import AccountToken, StaffSession, User
from hsm.audit import AuditEntry
from hsm.crypto import keyring
from tests.accounts.conftest import CALLBACK_PATH, sign_in, sso_sign_in, through_provider
from tests.helpers import post, totp_now


def entries(db, action):
    return list(db.session.scalars(
        sa.select(AuditEntry).where(AuditEntry.action == action).order_by(AuditEntry.id)))


def detail(entry) -> dict:
    return json.loads(entry.detail) if isinstance(entry.detail, str) else entry.detail


def linked(staff, db, issuer, subject, **kwargs):
    user = staff(**kwargs)
    user.sso_issuer, user.sso_subject = issuer, subject
    user.sso_linked_at = datetime.now(UTC)
    db.session.commit()
    return user


def continue_target(response) -> str:
    assert response.status_code == 200, response.data[:400]
    body = response.data.decode()
    assert 'http-equiv="refresh"' in body
    return body.split('content="0; url=', 1)[1].split('"', 1)[0]


def signed_in(client) -> bool:
    return client.get("/staff/").status_code == 200


def live_sessions(db, user):
    return list(db.session.scalars(sa.select(StaffSession).where(
        StaffSession.user_id == user.id, StaffSession.ended_at.is_(None))))


# --- signing in ---------------------------------------------------------------------------


def test_a_linked_person_whose_provider_asserts_mfa_is_signed_in(
        client, staff, db, use_provider, oidc_issuer):
    use_provider()
    user = linked(staff, db, oidc_issuer, "mfa-ann")
    response = sso_sign_in(client, "mfa-ann")
    assert continue_target(response) == "/staff/"
    assert signed_in(client)
    [row] = live_sessions(db, user)
    assert row.via_sso and row.mfa_passed
    assert timedelta(hours=11) < row.expires_at - row.created_at <= timedelta(hours=12)
    [entry] = entries(db, "login.succeeded")
    assert detail(entry)["second_factor"] == "provider"
    assert detail(entries(db, "sso.signed_in")[0]) == {"mfa": "provider"}


def test_without_an_mfa_claim_hsm_asks_for_its_own_code(
        client, mfa_user, db, use_provider, oidc_issuer):
    use_provider()
    mfa_user.sso_issuer, mfa_user.sso_subject = oidc_issuer, "bob"
    db.session.commit()
    response = sso_sign_in(client, "bob")
    assert continue_target(response) == "/staff/login/code"
    assert not signed_in(client)  # half-open until the code
    done = post(client, "/staff/login/code", {"code": totp_now(mfa_user)},
                token_from="/staff/login/code")
    assert done.status_code == 303
    assert signed_in(client)
    [row] = live_sessions(db, mfa_user)
    assert row.via_sso and row.expires_at is not None  # the SSO lifetime survives the code
    assert detail(entries(db, "login.succeeded")[0])["second_factor"] == "totp"


def test_when_mfa_is_required_and_not_claimed_an_unenrolled_person_sets_up_totp(
        app, client, staff, db, use_provider, oidc_issuer, monkeypatch):
    use_provider()
    monkeypatch.setitem(app.config, "HSM_MFA_REQUIRED", True)
    linked(staff, db, oidc_issuer, "carla")
    assert continue_target(sso_sign_in(client, "carla")) == "/staff/mfa/setup"
    assert not signed_in(client)


def test_the_accepted_mfa_values_are_configurable(
        client, staff, db, use_provider, oidc_issuer, app, monkeypatch):
    monkeypatch.setitem(app.config, "HSM_MFA_REQUIRED", True)
    use_provider(mfa_amr=("hwk",))  # "mfa" is no longer enough
    linked(staff, db, oidc_issuer, "mfa-dan")
    assert continue_target(sso_sign_in(client, "mfa-dan")) == "/staff/mfa/setup"


# --- refusals -------------------------------------------------------------------------------


@pytest.mark.parametrize("client_id", ["hsm-wrong-aud", "hsm-expired", "hsm-wrong-nonce",
                                       "hsm-bad-signature", "hsm-other-issuer"])
def test_a_token_that_fails_its_checks_is_refused(
        client_id, client, staff, db, use_provider, oidc_issuer):
    use_provider(client_id=client_id)
    user = linked(staff, db, oidc_issuer, "mfa-eve")
    response = sso_sign_in(client, "mfa-eve")
    assert response.status_code == 400
    assert "could not be checked" in response.data.decode()
    assert not signed_in(client)
    assert live_sessions(db, user) == []
    assert detail(entries(db, "sso.refused")[0]) == {"reason": "invalid_response"}
    assert entries(db, "login.succeeded") == []


def test_a_wrong_state_is_refused(client, staff, db, use_provider, oidc_issuer):
    use_provider()
    linked(staff, db, oidc_issuer, "mfa-fay")
    started = post(client, "/staff/sso/start", {})
    back = urlsplit(through_provider(started.headers["Location"], "mfa-fay"))
    query = {k: v[0] for k, v in parse_qs(back.query).items()}
    query["state"] = "not-the-state"
    response = client.get(CALLBACK_PATH, query_string=query)
    assert response.status_code == 400
    assert not signed_in(client)
    assert detail(entries(db, "sso.refused")[0]) == {"reason": "invalid_response"}


def test_a_callback_in_another_browser_is_refused(app, client, staff, db, use_provider,
                                                   oidc_issuer):
    """The state waits in this browser's cookie: a code handed to another browser (login
    CSRF, or a stolen redirect) opens nothing."""
    use_provider()
    linked(staff, db, oidc_issuer, "mfa-gil")
    started = post(client, "/staff/sso/start", {})
    back = urlsplit(through_provider(started.headers["Location"], "mfa-gil"))
    other = app.test_client()
    response = other.get(f"{back.path}?{back.query}")
    assert response.status_code == 400
    assert other.get("/staff/").status_code == 302


def test_a_tampered_state_cookie_is_refused(client, staff, db, use_provider, oidc_issuer):
    use_provider()
    linked(staff, db, oidc_issuer, "mfa-hal")
    started = post(client, "/staff/sso/start", {})
    back = urlsplit(through_provider(started.headers["Location"], "mfa-hal"))
    client.set_cookie("hsm-sso", keyring().encrypt("{}")[:-4] + "AAAA", domain="localhost")
    assert client.get(f"{back.path}?{back.query}").status_code == 400
    assert not signed_in(client)


def test_an_unknown_person_gets_a_plain_refusal_and_nothing_is_created(
        client, db, use_provider):
    use_provider()
    before = db.session.scalar(sa.select(sa.func.count(User.id)))
    response = sso_sign_in(client, "mfa-stranger")
    assert response.status_code == 403
    assert "There is no Safe Support account for you" in response.data.decode()
    assert db.session.scalar(sa.select(sa.func.count(User.id))) == before
    assert detail(entries(db, "sso.refused")[0]) == {"reason": "unknown_person"}
    assert not signed_in(client)


def test_an_email_claim_never_opens_an_account_not_linked_to_this_subject(
        client, staff, db, use_provider, oidc_issuer):
    """The provider sends email "mfa-ivy@example.org"; HSM has that address, linked to
    another subject, and another with it unlinked: neither opens (the nOAuth takeover)."""
    use_provider()
    owner = linked(staff, db, oidc_issuer, "someone-else", email="mfa-ivy@example.org")
    response = sso_sign_in(client, "mfa-ivy")
    assert response.status_code == 403
    assert not signed_in(client)
    [entry] = entries(db, "sso.refused")
    assert detail(entry) == {"reason": "email_not_linked"}
    assert entry.target_id == str(owner.id)
    db.session.refresh(owner)
    assert owner.sso_subject == "someone-else"

    owner.sso_issuer = owner.sso_subject = None
    db.session.commit()
    assert sso_sign_in(client, "mfa-ivy").status_code == 403
    db.session.refresh(owner)
    assert owner.sso_subject is None


def test_the_provider_saying_the_person_declined_gets_a_clear_page(
        app, db, use_provider, oidc_issuer):
    use_provider()
    for lang, words in (("en", "You did not sign in"), ("nl", "Je bent niet ingelogd"),
                        ("fr", "Connexion non effectuée")):
        client = app.test_client()
        client.get(f"/staff/login?lang={lang}")
        response = sso_sign_in(client, None, cancel=True)
        assert response.status_code == 403
        assert words in response.data.decode()
    assert {detail(e)["reason"] for e in entries(db, "sso.refused")} == {"declined"}


def test_a_forged_error_without_a_started_sign_in_is_not_believed(client, db, use_provider):
    use_provider()
    response = client.get(CALLBACK_PATH, query_string={"error": "access_denied"})
    assert response.status_code == 400


def test_an_account_disabled_at_the_provider_cannot_sign_in(
        client, staff, db, use_provider, oidc_issuer):
    use_provider()
    user = linked(staff, db, oidc_issuer, "disabled")
    started = post(client, "/staff/sso/start", {})
    stopped = through_provider(started.headers["Location"], "disabled")
    assert CALLBACK_PATH not in stopped  # the provider never sends it back
    assert live_sessions(db, user) == []


def test_an_account_deactivated_in_hsm_cannot_sign_in_through_the_provider(
        client, staff, db, use_provider, oidc_issuer):
    use_provider()
    user = linked(staff, db, oidc_issuer, "mfa-jo", active=False)
    response = sso_sign_in(client, "mfa-jo")
    assert response.status_code == 403
    assert "switched off" in response.data.decode()
    assert live_sessions(db, user) == []
    assert detail(entries(db, "sso.refused")[0]) == {"reason": "inactive"}


def test_an_unreachable_provider_gets_a_page_not_an_error(app, client, use_provider):
    settings = use_provider()
    app.config["HSM_OIDC"] = type(settings)(
        issuer="http://127.0.0.1:9/", client_id="hsm", client_secret="x", timeout_seconds=2)
    response = post(client, "/staff/sso/start", {})
    assert response.status_code == 503
    assert "cannot be reached" in response.data.decode()


# --- passwords next to single sign-on --------------------------------------------------------


def test_an_sso_only_account_is_refused_at_the_password_form(client, staff, db, use_provider):
    use_provider()
    user = staff()
    response = sign_in(client, user.email)
    assert response.status_code == 200
    assert "Most staff accounts sign in with their work account" in response.data.decode()
    assert not signed_in(client)
    [entry] = entries(db, "login.refused")
    assert detail(entry) == {"reason": "single_sign_on_only"}


def test_a_local_account_keeps_password_sign_in(client, staff, db, use_provider):
    use_provider()
    user = staff()
    user.password_sign_in = True
    db.session.commit()
    assert sign_in(client, user.email).status_code == 303
    assert signed_in(client)


def test_without_a_provider_every_password_works_as_before(client, staff):
    user = staff()  # not marked local: it does not matter without single sign-on
    assert sign_in(client, user.email).status_code == 303


def test_no_reset_email_for_an_sso_only_account(client, staff, mail, use_provider):
    use_provider()
    user = staff()
    post(client, "/staff/password/forgot", {"email": user.email},
         token_from="/staff/password/forgot")
    assert len(mail) == 0


# --- linking from the invitation -------------------------------------------------------------


def invited(db, mail_outbox=None, email="new.person@example.org"):
    user = operations.create_user(None, name="New Person", email=email,
                                  allowed_domains=("example.org",))
    token = operations.issue_token(user, "invite")
    db.session.commit()
    return user, token


def test_an_invited_person_links_their_account_once(client, db, use_provider, oidc_issuer):
    use_provider()
    user, token = invited(db)
    page = client.get(f"/staff/password/link/{token}")
    assert page.status_code == 200
    assert "Link your work account" in page.data.decode()
    response = sso_sign_in(client, "mfa-kim", start="/staff/sso/link",
                           token_from="/staff/password/new")
    assert continue_target(response) == "/staff/"
    db.session.refresh(user)
    assert (user.sso_issuer, user.sso_subject) == (oidc_issuer, "mfa-kim")
    assert user.password_sign_in is False
    assert entries(db, "sso.linked")[0].target_id == str(user.id)
    assert db.session.scalar(sa.select(AccountToken.used_at)) is not None

    # The link works once; afterwards, only that subject opens the account.
    again = client.get(f"/staff/password/link/{token}")
    assert again.status_code == 410


def test_an_identity_linked_elsewhere_cannot_link_a_second_account(
        client, staff, db, use_provider, oidc_issuer):
    use_provider()
    linked(staff, db, oidc_issuer, "mfa-lee")
    user, token = invited(db)
    client.get(f"/staff/password/link/{token}")
    response = sso_sign_in(client, "mfa-lee", start="/staff/sso/link",
                           token_from="/staff/password/new")
    assert response.status_code == 403
    db.session.refresh(user)
    assert user.sso_subject is None
    assert detail(entries(db, "sso.refused")[0]) == {"reason": "already_linked"}


def test_the_invited_account_cannot_choose_a_password_instead(client, db, use_provider):
    use_provider()
    user, token = invited(db)
    client.get(f"/staff/password/link/{token}")
    response = post(client, "/staff/password/new",
                    {"password": "amber-kettle-orbit-meadow-42",
                     "confirm": "amber-kettle-orbit-meadow-42"},
                    token_from="/staff/password/new")
    assert "Link your work account" in response.data.decode()
    db.session.refresh(user)
    assert user.password_hash is None


# --- sessions and signing out --------------------------------------------------------------


def test_signing_out_ends_the_session_and_the_providers(client, staff, db, use_provider,
                                                         oidc_issuer):
    use_provider()
    user = linked(staff, db, oidc_issuer, "mfa-max")
    continue_target(sso_sign_in(client, "mfa-max"))
    response = post(client, "/staff/logout", token_from="/staff/")
    assert response.status_code == 303
    target = urlsplit(response.headers["Location"])
    assert f"{target.scheme}://{target.netloc}" == oidc_issuer
    query = parse_qs(target.query)
    assert query["client_id"] == ["hsm"]
    assert query["post_logout_redirect_uri"] == ["http://127.0.0.1:5000/staff/signed-out"]
    assert live_sessions(db, user) == []
    assert not signed_in(client)


def test_a_password_session_signs_out_at_home(client, staff, db, use_provider):
    use_provider()
    user = staff()
    user.password_sign_in = True
    db.session.commit()
    sign_in(client, user.email)
    response = post(client, "/staff/logout", token_from="/staff/")
    assert response.headers["Location"] == "/staff/signed-out"


def test_an_sso_session_ends_after_its_lifetime(client, staff, db, use_provider, oidc_issuer):
    use_provider()
    user = linked(staff, db, oidc_issuer, "mfa-ned")
    continue_target(sso_sign_in(client, "mfa-ned"))
    [row] = live_sessions(db, user)
    row.expires_at = datetime.now(UTC) - timedelta(seconds=1)
    db.session.commit()
    assert not signed_in(client)


def test_forms_may_lead_to_the_provider_and_nowhere_else(client, use_provider, oidc_issuer):
    use_provider()
    csp = client.get("/staff/login").headers["Content-Security-Policy"]
    assert f"form-action 'self' {oidc_issuer}" in csp


def test_without_a_provider_the_sso_routes_are_not_there(client):
    assert client.get(CALLBACK_PATH).status_code == 404
    assert post(client, "/staff/sso/start", {}).status_code == 404
    assert "work account" not in client.get("/staff/login").data.decode()


def test_an_sso_only_account_page_sends_password_and_mfa_changes_elsewhere(
        client, mfa_user, db, use_provider, oidc_issuer):
    """Changes that ask for the password do not apply to an account that does not use one."""
    use_provider()
    mfa_user.sso_issuer, mfa_user.sso_subject = oidc_issuer, "mfa-olga"
    db.session.commit()
    continue_target(sso_sign_in(client, "mfa-olga"))
    page = client.get("/staff/account").data.decode()
    assert "your password is kept and changed there" in page
    assert "ask an administrator to reset your two-step sign-in" in page
    assert "Change your password" not in page
    for path in ("/staff/account/password", "/staff/mfa/setup"):
        response = client.get(path)
        assert response.status_code == 303 and response.headers["Location"] == "/staff/account"


@pytest.mark.parametrize("query", [
    {"code": "\x00", "state": "\x00"},
    {"code": "x" * 20_000},
    {"error": "\x00" * 10, "error_description": "é" * 5000},
    {"error": "server_error"},
])
def test_odd_callbacks_get_a_page_never_an_error(client, use_provider, query):
    use_provider()
    started = post(client, "/staff/sso/start", {})
    state = parse_qs(urlsplit(started.headers["Location"]).query)["state"][0]
    response = client.get(CALLBACK_PATH, query_string={"state": state, **query})
    assert response.status_code in (400, 403, 414)
    assert not signed_in(client)
