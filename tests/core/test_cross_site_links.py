"""Links in emails open from webmail, another site: SameSite=Strict cookies must not break them."""

import pytest

from tests.reports.seed import seed_reports

pytestmark = pytest.mark.browser


def open_cross_site(page, live_server, url):
    """Click a link to ``url`` on a page of another site ("localhost" is not "127.0.0.1")."""
    port = live_server.url.rsplit(":", 1)[1]
    page.goto(f"http://localhost:{port}/healthz")
    page.set_content(f'<a id="mail-link" href="{url}">Open</a>')
    page.click("#mail-link")
    page.wait_for_load_state()


def test_a_signed_in_caseworker_opens_a_notification_link(db, live_server, browser_login):
    seed_reports(1, centre="uk")
    page = browser_login("student_services", "uk")
    open_cross_site(page, live_server, f"{live_server.url}/staff/reports")
    # The first answer reloads the same address from this site; then the inbox shows.
    page.get_by_role("heading", name="Reports inbox").wait_for()
    assert page.url == f"{live_server.url}/staff/reports"


def test_a_signed_in_caseworker_opens_it_without_javascript(db, live_server, browser_login):
    page = browser_login("student_services", "uk", js=False)
    open_cross_site(page, live_server, f"{live_server.url}/staff/reports")
    # The first answer reloads the same address from this site; then the inbox shows.
    page.get_by_role("heading", name="Reports inbox").wait_for()
    assert page.url == f"{live_server.url}/staff/reports"


def test_a_signed_out_visitor_still_gets_the_login_page(live_server, new_page):
    page = new_page()
    open_cross_site(page, live_server, f"{live_server.url}/staff/reports")
    page.wait_for_url(f"{live_server.url}/staff/login")


def test_an_htmx_request_that_is_refused_shows_the_message(db, live_server, browser_login):
    """htmx swaps error responses into the main content instead of silently doing nothing."""
    page = browser_login("student_services", "uk")
    page.goto(f"{live_server.url}/staff/reports")
    user = page.user
    user.roles.clear()  # the role is taken away while the page is open
    db.session.commit()
    page.select_option("select[name=flag]", index=1)
    page.get_by_role("alert").wait_for()
    assert "You do not have access to this page" in page.locator("#main").inner_text()
