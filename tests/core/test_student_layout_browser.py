"""The student layout in a real browser: quick exit, language switch, no JavaScript needed."""

import pytest

pytestmark = pytest.mark.browser


def test_quick_exit_replaces_history(live_server, page):
    page.goto(f"{live_server.url}/")
    page.goto(f"{live_server.url}/uk/")
    page.get_by_role("link", name="Leave this site quickly").click()
    page.wait_for_url(f"{live_server.url}/healthz")
    page.go_back()
    # Back skips the support page: its history entry was replaced.
    page.wait_for_load_state()
    assert page.url == f"{live_server.url}/"


def test_quick_exit_from_the_keyboard(live_server, page):
    page.goto(f"{live_server.url}/uk/")
    page.keyboard.press("Tab")  # skip link
    page.keyboard.press("Tab")  # quick exit is the first control after it
    focused = page.evaluate("() => document.activeElement.textContent.trim()")
    assert focused == "Leave this site quickly"
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/healthz")


def test_escape_twice_leaves(live_server, page):
    page.goto(f"{live_server.url}/amsterdam/")
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(f"{live_server.url}/healthz")


def test_quick_exit_is_a_plain_link_without_javascript(live_server, new_page):
    page = new_page(js=False)
    page.goto(f"{live_server.url}/paris/")
    link = page.locator("a[data-quick-exit]")
    assert link.get_attribute("href") == "/leave"
    assert not page.get_by_text("or press Esc twice").is_visible()  # no shortcut without JS
    link.click()
    page.wait_for_url(f"{live_server.url}/healthz")


def test_quick_exit_forgets_the_sites_cookies(live_server, page):
    page.goto(f"{live_server.url}/choose/amsterdam")
    page.goto(f"{live_server.url}/amsterdam/?lang=en")
    assert {c["name"] for c in page.context.cookies()} >= {"hsm_centre", "hsm_lang"}
    assert page.get_by_text("or press Esc twice").is_visible()
    page.get_by_role("link", name="Leave this site quickly").click()
    page.wait_for_url(f"{live_server.url}/healthz")
    # The clearing request runs in the background, so that leaving never waits for it.
    for _ in range(50):
        if not page.context.cookies():
            break
        page.wait_for_timeout(100)
    assert page.context.cookies() == []


def test_quick_exit_without_javascript_also_forgets_cookies(live_server, new_page):
    page = new_page(js=False)
    page.goto(f"{live_server.url}/choose/paris")
    assert page.context.cookies()
    page.locator("a[data-quick-exit]").click()
    page.wait_for_url(f"{live_server.url}/healthz")
    assert page.context.cookies() == []


def test_language_switch_in_the_browser(live_server, page):
    page.goto(f"{live_server.url}/uk/")
    assert page.locator("html").get_attribute("lang") == "en"
    page.get_by_role("link", name="Nederlands").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "nl"
    page.goto(f"{live_server.url}/paris/")
    assert page.locator("html").get_attribute("lang") == "nl"


def test_no_third_party_requests(live_server, page):
    requested = []
    page.on("request", lambda request: requested.append(request.url))
    for path in ("/", "/uk/", "/uk/options", "/uk/what-counts"):
        page.goto(f"{live_server.url}{path}")
    assert requested
    assert all(url.startswith(live_server.url) for url in requested), requested


def test_no_csp_violations(live_server, page):
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    for path in ("/", "/amsterdam/", "/amsterdam/options"):
        page.goto(f"{live_server.url}{path}")
    assert errors == []


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_error_page_is_accessible(live_server, page, axe, lang):
    page.goto(f"{live_server.url}/no-such-centre/?lang={lang}")
    assert page.locator("html").get_attribute("lang") == lang
    axe(page)


def test_every_student_page_works_without_javascript(live_server, new_page):
    page = new_page(js=False)
    for path in ("/", "/uk/", "/uk/options", "/uk/what-counts", "/paris/", "/nowhere/"):
        page.goto(f"{live_server.url}{path}")
        # Content is all server-rendered: the quick exit and emergency numbers are there.
        assert page.locator("a[data-quick-exit]").is_visible(), path
        assert page.locator("a[href^='tel:']").first.is_visible(), path
