"""In Chromium: sign-in with MFA end to end, and axe on every account screen."""

import time
from datetime import UTC, datetime

import pyotp
import pytest
from playwright.sync_api import expect

from hsm import audit
from hsm.accounts import operations
from tests.accounts.conftest import PASSWORD
from tests.factories import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def mfa_required(app):
    app.config["HSM_MFA_REQUIRED"] = True
    yield
    app.config["HSM_MFA_REQUIRED"] = False


def fill_login(page, base, email):
    page.goto(f"{base}/staff/login")
    page.fill("#email", email)
    page.fill("#password", PASSWORD)
    page.click("button:has-text('Sign in')")


def test_first_sign_in_enrols_mfa_then_signs_in_with_a_totp(live_server, new_page, axe,
                                                            mfa_required):
    base = live_server.url
    user = make_user(("student_services", "uk"), password=PASSWORD)
    page = new_page()

    fill_login(page, base, user.email)
    page.wait_for_url(f"{base}/staff/mfa/setup")
    assert page.locator("svg.qr").count() == 1
    axe(page)
    secret = page.locator("#mfa-secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.fill("#code", totp.now())
    page.click("button:has-text('Turn on two-step sign-in')")
    expect(page.locator(".recovery-codes li")).to_have_count(10)  # once the new page is in
    axe(page)
    page.click("text=I have kept my codes: continue")
    page.wait_for_url(f"{base}/staff/")
    axe(page)

    page.click("button:has-text('Sign out')")
    page.wait_for_url(f"{base}/staff/signed-out")
    axe(page)

    fill_login(page, base, user.email)
    page.wait_for_url(f"{base}/staff/login/code")
    axe(page)
    # The code of the enrolment's time step was spent; the next step's code is still valid.
    page.fill("#code", totp.at(time.time() + 30))
    page.click("button:has-text('Continue')")
    page.wait_for_url(f"{base}/staff/")
    assert page.locator("h1").inner_text() == "My work"


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_login_page_has_no_axe_violations(live_server, new_page, axe, lang):
    page = new_page()
    page.goto(f"{live_server.url}/staff/login?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    axe(page)
    page.click("button[type=submit]")  # empty: the error summary must be accessible too
    expect(page.locator(".error-summary")).to_have_count(1)  # once the new page is in
    expect(page.locator(".error-summary")).to_be_focused()
    axe(page)


def test_signed_in_account_screens_have_no_axe_violations(live_server, browser_login, axe):
    base = live_server.url
    page = browser_login("safeguarding_director", None, ("admin", None))
    audit.record("test.event", actor=None, target_type="thing", target_id=1, detail={"role": "x"},
                 commit=True)
    other = make_user(("student_services", "amsterdam"), ("centre_director", "uk"))
    for path in ("/staff/", "/staff/account", "/staff/account/password", "/staff/mfa/setup",
                 "/staff/admin/users", "/staff/audit", "/staff/audit/chain",
                 "/staff/audit?date_from=nonsense"):
        page.goto(base + path)
        axe(page)
    page.goto(base + "/staff/account/password")
    page.click("button:has-text('Change password')")
    expect(page.locator(".error-summary")).to_have_count(1)
    axe(page)

    # An htmx change to one row: focus lands on the message that says what happened.
    page.goto(base + "/staff/admin/users")
    row = page.locator(f"#user-{other.id}")
    row.locator(f"#user{other.id}-role").select_option("executive")
    row.locator("button:has-text('Give role')").click()
    page.locator(f"#user-{other.id} .flash").wait_for()
    # htmx moves the focus when the swap settles, a moment after the swap itself.
    page.wait_for_function("() => document.activeElement.classList.contains('flash')")
    axe(page)


def test_password_reset_screens_have_no_axe_violations(live_server, new_page, axe, db):
    base = live_server.url
    user = make_user(("executive", None))
    page = new_page()
    page.goto(base + "/staff/password/forgot")
    axe(page)
    token = operations.issue_token(user, "invite")
    db.session.commit()
    page.goto(f"{base}/staff/password/link/{token}")
    page.wait_for_url(f"{base}/staff/password/new")
    axe(page)
    page.fill("#password", "short")
    page.fill("#confirm", "short")
    page.click("button:has-text('Save password')")
    expect(page.locator(".error-summary")).to_have_count(1)
    axe(page)
    page.goto(base + "/staff/password/link/not-a-real-token")
    axe(page)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_an_emailed_link_opened_from_another_site_works(live_server, new_page, js):
    """Webmail opens the link cross-site: a SameSite=Strict cookie set then must still work."""
    user = make_user(("student_services", "uk"), password=PASSWORD)
    link = operations.issue_token(user, "reset")
    audit.db.session.commit()
    token_url = f"{live_server.url}/staff/password/link/{link}"
    page = new_page(js=js)
    # "localhost" is another site than "127.0.0.1": the click is a cross-site navigation.
    port = live_server.url.rsplit(":", 1)[1]
    page.goto(f"http://localhost:{port}/healthz")
    page.set_content(f'<a id="mail-link" href="{token_url}">Reset your password</a>')
    page.click("#mail-link")
    page.wait_for_load_state()
    assert page.get_by_role("heading", name="Choose a new password").is_visible()
    if js:
        # The token leaves the address bar (and the history entry) at once.
        assert page.url == f"{live_server.url}/staff/password/new"
    page.fill("#password", "quiet harbour violin seven")
    page.fill("#confirm", "quiet harbour violin seven")
    page.click("button:has-text('Save password')")
    page.wait_for_url(f"{live_server.url}/staff/login")
    assert page.get_by_text("Your password is set").is_visible()


def test_reauthentication_forms_have_no_axe_violations(live_server, browser_login, axe, db):
    """The password forms of an account with MFA on, and their errors (plain posts, no htmx)."""
    base = live_server.url
    page = browser_login("student_services", "uk", password=PASSWORD)
    page.user.mfa_secret = pyotp.random_base32()
    page.user.mfa_enabled_at = datetime.now(UTC)
    db.session.commit()

    page.goto(base + "/staff/account")
    assert page.locator("#codes-current_password").count() == 1
    assert page.locator("#off-current_password").count() == 1
    axe(page)
    page.click("button:has-text('Turn off two-step sign-in')")  # empty: the error pattern
    expect(page.locator(".error-summary a[href='#off-current_password']")).to_have_count(1)
    expect(page.locator(".error-summary")).to_be_focused()
    axe(page)

    page.goto(base + "/staff/mfa/setup")
    page.fill("#code", "000000")
    page.fill("#current_password", "not-my-password-at-all")
    page.click("button:has-text('Turn on two-step sign-in')")
    summary = page.locator(".error-summary")
    expect(summary.get_by_text("That is not your current password")).to_have_count(1)
    assert page.locator("#current_password").input_value() == ""  # never shown again
    assert page.locator("#code").input_value() == "000000"  # what was typed is kept
    axe(page)
