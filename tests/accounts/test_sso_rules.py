"""Single sign-on's rules and settings, without a provider: the configuration production
refuses, which claims prove MFA, which identity a token names, and the admin's column."""

from __future__ import annotations

from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hsm.accounts import sso
from hsm.accounts.sso import Method, Refusal, SsoRefused
from hsm.config import ConfigError, OidcSettings, load_settings
from tests.accounts.conftest import sign_in
from tests.core.test_config import PRODUCTION as PRODUCTION_SETTINGS
from tests.helpers import post

TENANT = "3f2a3c3e-0d1b-4b7e-9a51-1f0c6d8e2b44"
# Production's settings (tests/core/test_config.py), with limits off: no Redis needed here.
PRODUCTION = {**PRODUCTION_SETTINGS, "HSM_RATELIMIT_ENABLED": "false"}
KEYCLOAK = {
    "HSM_OIDC_ISSUER": "https://id.example.org/realms/staff",
    "HSM_OIDC_CLIENT_ID": "hsm",
    "HSM_OIDC_CLIENT_SECRET": "secret",
}
ENTRA = {
    "HSM_OIDC_ISSUER": f"https://login.microsoftonline.com/{TENANT}/v2.0",
    "HSM_OIDC_TENANT_ID": TENANT,
    "HSM_OIDC_CLIENT_ID": "hsm",
    "HSM_OIDC_CLIENT_SECRET": "secret",
}


def test_without_an_issuer_there_is_no_single_sign_on(tmp_path):
    assert load_settings({"HSM_PROFILE": "test"}, instance_dir=tmp_path).oidc is None


def test_the_settings_are_read_and_typed(tmp_path):
    settings = load_settings({**PRODUCTION, **KEYCLOAK, "HSM_OIDC_MFA_ACR": "2, gold",
                              "HSM_OIDC_SESSION_HOURS": "10", "HSM_OIDC_NAME": "Keycloak"},
                             instance_dir=tmp_path).oidc
    assert settings.metadata_url == ("https://id.example.org/realms/staff/.well-known/"
                                     "openid-configuration")
    assert settings.mfa_amr == ("mfa",) and settings.mfa_acr == ("2", "gold")
    assert settings.session_lifetime == timedelta(hours=10)
    assert settings.subject_claim == "sub" and settings.label == "Keycloak"


def test_entra_links_by_oid_under_its_pinned_tenant(tmp_path):
    settings = load_settings({**PRODUCTION, **ENTRA}, instance_dir=tmp_path).oidc
    assert settings.subject_claim == "oid" and settings.tenant_id == TENANT


@pytest.mark.parametrize("change, words", [
    ({"HSM_OIDC_CLIENT_SECRET": ""}, "HSM_OIDC_CLIENT_SECRET"),
    ({"HSM_OIDC_ISSUER": "http://id.example.org/realms/staff"}, "https"),
    ({"HSM_OIDC_MFA_AMR": "mfa pwd"}, "pwd"),
    ({"HSM_OIDC_MFA_AMR": "otp"}, "otp"),
    ({"HSM_OIDC_SESSION_HOURS": "48"}, "between 1 and 24"),
    ({"HSM_OIDC_SESSION_HOURS": "twelve"}, "whole number"),
    ({"HSM_OIDC_SCOPES": "email profile"}, "openid"),
    ({"HSM_OIDC_SUBJECT_CLAIM": "email"}, "sub or oid"),
])
def test_production_refuses_unsafe_single_sign_on(tmp_path, change, words):
    with pytest.raises(ConfigError, match=words):
        load_settings({**PRODUCTION, **KEYCLOAK, **change}, instance_dir=tmp_path)


@pytest.mark.parametrize("change, words", [
    ({"HSM_OIDC_TENANT_ID": ""}, "HSM_OIDC_TENANT_ID"),
    ({"HSM_OIDC_TENANT_ID": "common",
      "HSM_OIDC_ISSUER": "https://login.microsoftonline.com/common/v2.0"}, "never common"),
    ({"HSM_OIDC_ISSUER": "https://login.microsoftonline.com/organizations/v2.0"}, "tenant"),
    ({"HSM_OIDC_SUBJECT_CLAIM": "sub"}, "oid"),
])
def test_production_refuses_entra_without_its_tenant(tmp_path, change, words):
    with pytest.raises(ConfigError, match=words):
        load_settings({**PRODUCTION, **ENTRA, **change}, instance_dir=tmp_path)


SETTINGS = OidcSettings(issuer="https://id.example.org", client_id="hsm", client_secret="s",
                        mfa_amr=("mfa",), mfa_acr=("2",))


@pytest.mark.parametrize("claims, asserted", [
    ({"amr": ["pwd", "mfa"]}, True),
    ({"acr": "2"}, True),
    ({"amr": ["pwd"]}, False),
    ({"amr": "mfa"}, False),  # a string is not the list the standard says
    ({"acr": "1", "amr": ["otp"]}, False),
    ({"amr": [None, 3, {"mfa": 1}]}, False),
    ({}, False),
])
def test_which_claims_prove_mfa(claims, asserted):
    assert sso.mfa_asserted(claims, SETTINGS) is asserted


@given(st.dictionaries(st.sampled_from(["amr", "acr", "iss", "sub", "tid", "oid"]),
                       st.one_of(st.none(), st.text(max_size=5), st.integers(),
                                 st.lists(st.text(max_size=5), max_size=3))))
def test_any_claims_give_an_answer_or_a_refusal_never_an_error(claims):
    sso.mfa_asserted(claims, SETTINGS)
    try:
        identity = sso.identity_from(claims, SETTINGS)
    except SsoRefused:
        return
    assert identity.issuer == SETTINGS.issuer and identity.subject == claims["sub"]


def test_the_identity_is_the_configured_issuer_and_the_chosen_claim():
    entra = OidcSettings(issuer="https://login.microsoftonline.com/t/v2.0", client_id="c",
                         client_secret="s", tenant_id="t", subject_claim="oid")
    claims = {"iss": entra.issuer, "tid": "t", "sub": "pairwise", "oid": "object-id"}
    assert sso.identity_from(claims, entra).subject == "object-id"
    for broken, reason in (({"tid": "another"}, Refusal.WRONG_TENANT),
                           ({"iss": "https://elsewhere"}, Refusal.INVALID_RESPONSE),
                           ({"oid": ""}, Refusal.NO_SUBJECT)):
        with pytest.raises(SsoRefused) as refused:
            sso.identity_from({**claims, **broken}, entra)
        assert refused.value.reason is reason


# --- the administrator's column -------------------------------------------------------------


def test_the_users_page_shows_how_each_person_signs_in(app, client, login_as, staff, db,
                                                       monkeypatch):
    monkeypatch.setitem(app.config, "HSM_OIDC", SETTINGS)
    login_as("admin")
    both = staff(name="Both Ways", password="x-long-enough-password-1")
    both.sso_issuer, both.sso_subject, both.password_sign_in = SETTINGS.issuer, "b", True
    sso_only = staff(name="Only Sso", password=None)
    sso_only.sso_issuer, sso_only.sso_subject = SETTINGS.issuer, "s"
    local = staff(name="Local Person")
    local.password_sign_in = True
    waiting = staff(name="Not Yet", password=None)
    db.session.commit()
    assert [sso.sign_in_method(u, SETTINGS) for u in (both, sso_only, local, waiting)] == [
        Method.BOTH, Method.SSO, Method.PASSWORD, Method.NOT_LINKED]
    assert sso.sign_in_method(sso_only, None) is Method.NOT_LINKED  # no provider: not used
    page = client.get("/staff/admin/users").data.decode()
    assert "Signs in with" in page
    for words in ("Work account and password", "Not linked yet", "Allow password sign-in",
                  "Stop password sign-in"):
        assert words in page


def test_the_admin_marks_an_account_local_and_it_is_audited(app, client, login_as, staff, db,
                                                            monkeypatch):
    from hsm.accounts.views.sso import sso_context  # noqa: F401 - the column's helpers

    monkeypatch.setitem(app.config, "HSM_OIDC", SETTINGS)
    login_as("admin")
    person = staff()
    assert sign_in(app.test_client(), person.email).status_code == 200  # refused: not local
    response = post(client, f"/staff/admin/users/{person.id}/password-sign-in",
                    {"allowed": "1"}, token_from="/staff/admin/users")
    assert response.status_code == 303
    db.session.refresh(person)
    assert person.password_sign_in
    assert sign_in(app.test_client(), person.email).status_code == 303
    post(client, f"/staff/admin/users/{person.id}/password-sign-in", {"allowed": "0"},
         token_from="/staff/admin/users", headers={"HX-Request": "true"})
    db.session.refresh(person)
    assert not person.password_sign_in
    from tests.accounts.test_sso import entries

    assert [e.action for e in entries(db, "sso.password_sign_in_allowed")
            + entries(db, "sso.password_sign_in_stopped")] == [
        "sso.password_sign_in_allowed", "sso.password_sign_in_stopped"]


def test_only_an_administrator_may_change_it(app, client, login_as, staff, monkeypatch):
    monkeypatch.setitem(app.config, "HSM_OIDC", SETTINGS)
    login_as("student_services", "uk")
    person = staff()
    response = post(client, f"/staff/admin/users/{person.id}/password-sign-in",
                    {"allowed": "1"}, token_from="/staff/")
    assert response.status_code in (403, 404)


def test_an_administrator_cannot_change_their_own_sign_in(app, client, login_as, db,
                                                          monkeypatch):
    monkeypatch.setitem(app.config, "HSM_OIDC", SETTINGS)
    admin = login_as("admin")
    assert "Allow password sign-in" not in client.get("/staff/admin/users").data.decode()
    response = post(client, f"/staff/admin/users/{admin.id}/password-sign-in",
                    {"allowed": "1"}, token_from="/staff/admin/users")
    assert response.status_code == 200
    assert "Ask another administrator" in response.data.decode()
    db.session.refresh(admin)
    assert not admin.password_sign_in
