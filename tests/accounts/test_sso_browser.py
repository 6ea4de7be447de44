"""In Chromium, through the real provider's own login and consent pages: signing in with the
work account (with and without JavaScript), RP-initiated sign-out, the invitation's link page,
a refusal, and axe on every new page in English, Dutch and French."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from hsm.accounts import operations
from tests.factories import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def provider(app, live_server, use_provider, oidc_issuer, monkeypatch):
    """The live app configured for the test provider, its links at the live address."""
    monkeypatch.setitem(app.config, "HSM_BASE_URL", live_server.url)
    use_provider()
    return oidc_issuer


def linked_user(issuer, subject, **kwargs):
    from hsm.extensions import db

    user = make_user(("student_services", "uk"), **kwargs)
    user.sso_issuer, user.sso_subject = issuer, subject
    user.sso_linked_at = datetime.now(UTC)
    db.session.commit()
    return user


def at_provider(page, issuer, login, *, cancel=False):
    """The provider's own pages: its login form, then its consent page."""
    page.wait_for_url(f"{issuer}/**")
    if cancel:
        page.click("text=[ Cancel ]")
        return
    page.fill("input[name=login]", login)
    page.fill("input[name=password]", "anything")
    page.click("button:has-text('Sign-in')")
    page.click("button:has-text('Continue')")


@pytest.mark.parametrize("js", [True, False])
def test_signing_in_and_out_through_the_providers_own_pages(
        live_server, new_page, axe, provider, js):
    base = live_server.url
    user = linked_user(provider, "mfa-browser-" + ("js" if js else "nojs"))
    page = new_page(js=js)
    page.goto(f"{base}/staff/login")
    if js:
        axe(page)
    page.click("button:has-text('Sign in with your work account')")
    at_provider(page, provider, user.sso_subject)
    page.wait_for_url(f"{base}/staff/")
    assert page.locator(".sign-out__who").inner_text() == user.name
    if js:
        axe(page)
        page.goto(f"{base}/staff/account")  # the account page of a work-account person
        axe(page)

    page.click("button:has-text('Sign out')")
    # RP-initiated logout: the provider ends its session (it asks first when it still has one;
    # here HSM's Clear-Site-Data already removed its cookies, both being on 127.0.0.1) and
    # sends the browser back to "Signed out" with the state HSM gave it.
    page.wait_for_url(lambda url: "/session/end" in url or "/staff/signed-out" in url)
    if "/session/end" in page.url:  # without JavaScript, its own pages have a button
        page.locator("button:has-text('Yes, sign me out'), button:has-text('Continue')").click()
    page.wait_for_url(f"{base}/staff/signed-out?state=*")
    page.goto(f"{base}/staff/")
    page.wait_for_url(f"{base}/staff/login")


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_the_new_pages_have_no_axe_violations(live_server, new_page, axe, provider, db, lang):
    base = live_server.url
    page = new_page()
    page.goto(f"{base}/staff/login?lang={lang}")
    assert page.locator("form.sso-start").count() == 1
    axe(page)
    page.screenshot(path=f"/tmp/sso-login-{lang}.png", full_page=True)

    # The provider says the person declined.
    page.locator("form.sso-start button").click()
    at_provider(page, provider, None, cancel=True)
    page.wait_for_url(f"{base}/staff/sso/callback**")
    assert page.locator("html").get_attribute("lang") == lang
    axe(page)
    page.screenshot(path=f"/tmp/sso-declined-{lang}.png", full_page=True)

    # An unknown person.
    page.goto(f"{base}/staff/login")
    page.locator("form.sso-start button").click()
    at_provider(page, provider, f"mfa-stranger-{lang}")
    page.wait_for_url(f"{base}/staff/sso/callback**")
    axe(page)

    # The invitation's page, then linking there.
    user = operations.create_user(None, name=f"Invited {lang}", email=f"inv-{lang}@example.org",
                                  allowed_domains=("example.org",))
    token = operations.issue_token(user, "invite")
    db.session.commit()
    page.goto(f"{base}/staff/password/link/{token}")
    assert page.locator("h1").count() == 1
    axe(page)
    page.screenshot(path=f"/tmp/sso-invitation-{lang}.png", full_page=True)
    page.locator("form[action='/staff/sso/link'] button").click()
    at_provider(page, provider, f"mfa-invited-{lang}")
    page.wait_for_url(f"{base}/staff/")
    db.session.refresh(user)
    assert user.sso_subject == f"mfa-invited-{lang}"


def test_the_users_page_with_the_sign_in_column(browser_login, axe, provider, live_server):
    page = browser_login("admin")
    linked_user(provider, "someone-linked")
    page.goto(f"{live_server.url}/staff/admin/users")
    assert page.locator("th:has-text('Signs in with')").count() == 1
    axe(page)
    page.screenshot(path="/tmp/sso-users.png", full_page=True)
