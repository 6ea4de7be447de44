"""Back after the quick exit never shows this site (issue 8, must fix 3).

With JavaScript, moving around the student pages replaces the history entry instead of
adding one (static/js/app.js), links and forms alike, so the whole visit is one entry, and the
quick exit replaces that entry with the neutral site. The neutral site here is a second HTTP
server on loopback, on another origin, as the real one is (the suite's default, /healthz, is
this site's own address and would prove nothing).
"""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from hsm import pagecache
from tests.conftest import free_port
from tests.reports.test_browser import fill_anonymous_report, send

pytestmark = pytest.mark.browser

BACK_PRESSES = 5


class NeutralPage(BaseHTTPRequestHandler):
    """Any path answers a small page: the "weather site", and a page visited before ours."""

    def do_GET(self):  # noqa: N802 - http.server API
        body = f"<!doctype html><title>Weather</title><p>{self.path}</p>".encode()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format, *args):  # noqa: A002 - keep the test output quiet
        pass


@pytest.fixture(scope="module")
def neutral_site():
    server = ThreadingHTTPServer(("127.0.0.1", free_port()), NeutralPage)
    server.timeout = 5
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture
def exit_to_neutral(live_server, neutral_site, monkeypatch):
    """The quick exit goes to the neutral site for this test; cached pages hold the address."""
    monkeypatch.setitem(live_server.app.config, "HSM_QUICK_EXIT_URL", f"{neutral_site}/weather")
    pagecache.clear()
    yield f"{neutral_site}/weather"
    pagecache.clear()


def entries(page) -> int:
    return page.evaluate("() => window.history.length")


def leave_then_press_back(page, live_server, neutral_site, exit_url):
    """Leave by the quick exit, then press Back up to 5 times: this site never comes back."""
    page.get_by_role("link", name="Leave this site quickly").click()
    page.wait_for_url(exit_url)
    seen = []
    for _ in range(BACK_PRESSES):
        page.go_back(wait_until="load")
        seen.append(page.url)
        assert not page.url.startswith(live_server.url), f"Back reached this site: {seen}"
    # Back itself still works: it leads to the page visited before this site.
    assert f"{neutral_site}/before" in seen


def test_back_after_the_exit_never_reaches_the_site(live_server, neutral_site, exit_to_neutral,
                                                      page):
    page.goto(f"{neutral_site}/before")
    page.goto(f"{live_server.url}/")
    visit = entries(page)
    # / -> /uk/ -> /uk/options -> /uk/ -> /uk/report, as a student would, with links only.
    page.get_by_role("link", name="England").click()
    page.wait_for_url(f"{live_server.url}/uk/")
    page.locator("nav.centre-nav").get_by_role("link", name="Your options").click()
    page.wait_for_url(f"{live_server.url}/uk/options")
    page.get_by_role("link", name="Nederlands").click()
    page.wait_for_url(f"{live_server.url}/uk/options?lang=nl")
    page.get_by_role("link", name="English").click()
    page.wait_for_url(f"{live_server.url}/uk/options?lang=en")
    page.locator("nav.centre-nav").get_by_role("link", name="Get support").click()
    page.wait_for_url(f"{live_server.url}/uk/")
    page.get_by_role("link", name="Open the Report a Concern form").click()
    page.wait_for_url(f"{live_server.url}/uk/report")
    # An in-page link (the skip link) keeps the one entry too.
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    page.wait_for_url(f"{live_server.url}/uk/report#main")
    # The whole visit is still the one entry after the page before it.
    assert entries(page) == visit
    leave_then_press_back(page, live_server, neutral_site, exit_to_neutral)


def test_back_after_a_report_and_its_follow_up_never_reaches_the_site(
    live_server, neutral_site, exit_to_neutral, page
):
    page.goto(f"{neutral_site}/before")
    page.goto(f"{live_server.url}/uk/")
    visit = entries(page)
    page.get_by_role("link", name="Open the Report a Concern form").click()
    page.wait_for_url(f"{live_server.url}/uk/report")
    # A form with mistakes comes back (a POST), still in the one entry, with its summary focused.
    page.locator("#report-form button[type=submit]").click()
    page.locator(".error-summary").wait_for()
    page.wait_for_function("() => document.activeElement.classList.contains('error-summary')")
    assert entries(page) == visit
    fill_anonymous_report(page, "Someone keeps sending me messages.")
    code = send(page)  # the report form's POST
    assert page.url == f"{live_server.url}/uk/report"
    assert page.title().startswith("Your report has been sent")
    assert entries(page) == visit
    # The follow-up: the code form's POST, answered by a redirect to the thread.
    page.get_by_role("link", name="Follow up on a report").click()
    page.wait_for_url(f"{live_server.url}/follow-up")
    page.fill("#code", code)
    page.locator("form button[type=submit]").first.click()
    page.locator("#follow-up").wait_for()
    # A message goes through htmx (a swap, no page), and then the follow-up is left (a POST).
    page.fill("#body", "One more thing.")
    page.get_by_role("button", name="Send message").click()
    page.locator(".thread__body", has_text="One more thing.").wait_for()
    page.get_by_role("button", name="Leave the follow-up now").click()
    page.wait_for_url(f"{live_server.url}/follow-up?left=1")
    assert entries(page) == visit
    leave_then_press_back(page, live_server, neutral_site, exit_to_neutral)


def test_a_form_that_cannot_be_sent_loses_nothing(live_server, page):
    """The form is sent with fetch(): offline, the page stays, with every word, and says so."""
    page.goto(f"{live_server.url}/uk/report")
    fill_anonymous_report(page, "Words that must not be lost.")
    page.context.set_offline(True)
    try:
        page.locator("#report-form button[type=submit]").click()
        failed = page.locator("#report-form .send-failed")
        failed.wait_for()
        assert "Nothing is lost" in failed.inner_text()
        assert page.locator("#report-form .form-sending").count() == 0
    finally:
        page.context.set_offline(False)
    assert page.input_value("#narrative") == "Words that must not be lost."
    assert page.url == f"{live_server.url}/uk/report"
    send(page)
    assert page.locator("#report-form").count() == 0


def test_a_slow_send_says_it_is_on_its_way(live_server, page):
    """No browser spinner for a form sent with fetch(): the page says so itself."""
    page.goto(f"{live_server.url}/uk/report")
    fill_anonymous_report(page, "Sent on a slow connection.")
    cdp = page.context.new_cdp_session(page)
    cdp.send("Network.enable")
    cdp.send("Network.emulateNetworkConditions", {
        "offline": False, "latency": 1500, "downloadThroughput": -1, "uploadThroughput": -1})
    page.locator("#report-form button[type=submit]").click()
    sending = page.locator("#report-form .form-sending")
    sending.wait_for()
    assert sending.get_attribute("role") == "status"
    assert page.locator("#report-form").get_attribute("aria-busy") == "true"
    page.locator("#receipt-code").wait_for()


def test_the_new_page_brings_its_own_stylesheets_and_language(live_server, page):
    """A POST answered in place gets the <head> and <html lang> a page load would give it."""
    page.goto(f"{live_server.url}/follow-up?lang=fr")
    assert page.locator("html").get_attribute("lang") == "fr"
    page.evaluate("() => { document.documentElement.lang = 'xx'; }")
    page.fill("#code", "nothing")
    page.locator("form button[type=submit]").first.click()
    page.locator("#code-error").wait_for()
    assert page.locator("html").get_attribute("lang") == "fr"
    sheets = page.evaluate(
        "() => [...document.querySelectorAll('link[rel=stylesheet]')].map(l => l.href)")
    assert any("/css/reports.css" in href for href in sheets)
    assert len(sheets) == len(set(sheets))
    # The scripts of the first load still serve the page shown in its place.
    page.keyboard.press("Escape")
    page.keyboard.press("Escape")
    page.wait_for_url(f"{live_server.url}/healthz")


def test_htmx_updates_of_the_address_replace_the_entry_too(live_server, page):
    """The directory's live filter (hx-push-url) changes the address without a new entry."""
    from hsm.extensions import db
    from hsm.safecontacts import demo

    demo.load()
    db.session.commit()
    page.goto(f"{live_server.url}/safe-contacts")
    page.wait_for_function("() => window.htmx !== undefined")
    visit = entries(page)
    page.select_option("#filter-centre", "paris")
    page.wait_for_url("**/safe-contacts?centre=paris&badge=&language=")
    page.select_option("#filter-centre", "uk")
    page.wait_for_url("**/safe-contacts?centre=uk&badge=&language=")
    assert entries(page) == visit
