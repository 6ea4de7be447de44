"""Nothing sensitive lands in browser storage.

htmx's history cache is off (historyCacheSize 0), so no page content is ever stored; htmx keeps
only the current path in the tab's sessionStorage, the same path the address bar shows, and the
quick exit clears even that.
"""

import pytest

from tests.reports.seed import seed_reports

pytestmark = pytest.mark.browser

STORED = "() => [Object.keys(localStorage), Object.keys(sessionStorage)]"
HTMX_PATH_KEY = "htmx-current-path-for-history"


def assert_only_the_current_path(page):
    local, session = page.evaluate(STORED)
    assert local == []
    assert set(session) <= {HTMX_PATH_KEY}
    if session:
        stored = page.evaluate(f"() => sessionStorage.getItem('{HTMX_PATH_KEY}')")
        assert page.url.endswith(stored)


def test_staff_htmx_navigation_stores_no_content(db, live_server, browser_login):
    seed_reports(30, centre="uk")
    page = browser_login("student_services", "uk")
    page.goto(f"{live_server.url}/staff/reports")
    page.select_option("select[name=flag]", index=1)
    page.wait_for_url("**flag=*")
    page.evaluate("() => window.beforeBack = true")
    page.go_back()
    # With no history cache, htmx reloads the page from the server on Back: the address is
    # back at once, so wait for the reloaded page itself (it has no marker) and its load.
    page.wait_for_url(f"{live_server.url}/staff/reports")
    page.wait_for_function("() => window.beforeBack === undefined")
    page.wait_for_load_state("networkidle")
    assert_only_the_current_path(page)


def test_student_pages_store_nothing_and_quick_exit_clears_the_rest(live_server, page):
    for path in ("/", "/uk/", "/uk/report", "/follow-up"):
        page.goto(f"{live_server.url}{path}")
        assert_only_the_current_path(page)
    page.goto(f"{live_server.url}/safe-contacts")
    page.select_option("select[name=centre]", index=1)
    page.wait_for_url("**centre=*")
    assert_only_the_current_path(page)
    page.get_by_role("link", name="Leave this site quickly").click()
    page.wait_for_url(f"{live_server.url}/healthz")
    assert page.evaluate(STORED) == [[], []]
