"""In Chromium: the approvals page and the failed-attempts notice, axe in en, nl and fr, and
an approval with JavaScript off."""

from __future__ import annotations

import pytest
import sqlalchemy as sa
from playwright.sync_api import expect

from hsm.accounts import operations
from hsm.accounts.models import User
from hsm.extensions import db
from hsm.security import Role
from tests.factories import make_user

pytestmark = pytest.mark.browser


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_the_approvals_and_account_pages_have_no_axe_violations(browser_login, live_server,
                                                                axe, lang):
    base = live_server.url
    page = browser_login("safeguarding_director")
    admin = make_user("admin")
    operations.assign_role(admin, make_user(name="Robin Waiting"), Role.PEOPLE_TEAM, None)
    mine = operations.assign_role(admin, page.user, Role.STUDENT_SERVICES, "uk")
    db.session.execute(sa.update(User).where(User.id == page.user.id)
                       .values(failures_since_sign_in=2))
    db.session.commit()

    page.goto(f"{base}/staff/grants?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    assert page.locator("tbody tr").count() == 2
    axe(page)
    # Approving a role for oneself: refused, with the reason in an error summary.
    page.locator(f"#grant-{mine.id} button").first.click()
    expect(page.locator(".error-summary")).to_have_count(1)  # once the new page is in
    axe(page)

    page.goto(f"{base}/staff/account")
    assert page.locator("#attempts-title").count() == 1
    axe(page)


def test_an_approval_works_without_javascript(browser_login, live_server):
    base = live_server.url
    page = browser_login("safeguarding_director", js=False)
    user = make_user(name="Alex Pending")
    grant = operations.assign_role(make_user("admin"), user, Role.CENTRE_DIRECTOR, "uk")
    db.session.commit()
    page.goto(f"{base}/staff/grants")
    page.locator(f"#grant-{grant.id} button:has-text('Approve')").click()
    page.wait_for_url(f"{base}/staff/grants")
    assert "Alex Pending now holds the role" in page.locator(".flashes").inner_text()
    assert page.locator("p.empty").count() == 1
    db.session.expire_all()
    assert db.session.get(User, user.id).has_role(Role.CENTRE_DIRECTOR, "uk")

