"""The student layout in a real browser: quick exit, language switch, no JavaScript needed."""

import logging

import pytest
from playwright.sync_api import expect

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
    expect(page.locator("html")).to_have_attribute("lang", "nl")  # once the new page is in
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


# --- issue 8: a quick exit in reach, a steady page, tap targets, no sideways scroll --------

WIDTHS = (320, 390, 1280)
# Every kind of student page (the report form is the tallest: ~7,000 px on a phone).
STUDENT_PAGES = ("/", "/uk/", "/paris/options", "/amsterdam/what-counts", "/uk/report",
                 "/amsterdam/report", "/follow-up", "/safe-contacts", "/uk/safe-contacts",
                 "/safe-contacts/apply", "/nowhere/")

EXIT_BOX = """() => {
  const exit = document.querySelector('[data-quick-exit]');
  const r = exit.getBoundingClientRect();
  const inset = 3;
  const points = [[r.left + r.width / 2, r.top + r.height / 2], [r.left + inset, r.top + inset],
    [r.right - inset, r.top + inset], [r.left + inset, r.bottom - inset],
    [r.right - inset, r.bottom - inset]];
  return {top: r.top, left: r.left, bottom: r.bottom, right: r.right, width: r.width,
    height: r.height, vw: document.documentElement.clientWidth, vh: window.innerHeight,
    onTop: points.every(([x, y]) => exit.contains(document.elementFromPoint(x, y)))};
}"""


def assert_exit_in_reach(page, where):
    box = page.evaluate(EXIT_BOX)
    assert box["top"] >= 0 and box["left"] >= 0, (where, box)
    assert box["bottom"] <= box["vh"] and box["right"] <= box["vw"], (where, box)
    assert box["width"] >= 44 and box["height"] >= 44, (where, box)
    assert box["onTop"], f"something covers the quick exit: {where} {box}"


@pytest.mark.parametrize("width", WIDTHS)
def test_quick_exit_stays_in_view_while_the_page_scrolls(live_server, new_page, width):
    page = new_page(viewport={"width": width, "height": 800})
    for path in STUDENT_PAGES:
        page.goto(f"{live_server.url}{path}")
        assert_exit_in_reach(page, (path, "top"))
        # It takes its own place above the page: at the top, it covers nothing.
        header_top = page.evaluate("() => document.querySelector('.site-header')"
                                   ".getBoundingClientRect().top")
        assert header_top >= page.evaluate(EXIT_BOX)["bottom"], path
        page.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
        page.wait_for_function("() => window.scrollY > 0 || document.scrollingElement"
                               ".scrollHeight <= window.innerHeight")
        assert_exit_in_reach(page, (path, "bottom"))


@pytest.mark.parametrize("width", WIDTHS)
def test_the_pinned_exit_never_hides_the_field_in_focus(live_server, new_page, width):
    """WCAG 2.4.11: a field reached from below scrolls into view under the bar, not behind it."""
    page = new_page(viewport={"width": width, "height": 800})
    page.goto(f"{live_server.url}/uk/report")
    page.evaluate("() => window.scrollTo(0, document.scrollingElement.scrollHeight)")
    page.locator("#report-form input[type=radio]").first.focus()
    bar = page.evaluate("() => document.querySelector('.quick-exit-bar')"
                        ".getBoundingClientRect().bottom")
    field = page.evaluate("() => document.activeElement.getBoundingClientRect().top")
    assert field >= bar, (field, bar)


LAYOUT_SHIFT = """
window.__layoutShift = 0;
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (!entry.hadRecentInput) { window.__layoutShift += entry.value; }
  }
}).observe({type: "layout-shift", buffered: true});
"""


@pytest.mark.parametrize("width", (320, 390, 1280))
def test_nothing_moves_after_the_page_has_loaded(live_server, new_page, width):
    """Cumulative layout shift 0: showing "or press Esc twice" once the script runs moved the
    emergency numbers (Lighthouse CLS 0.16)."""
    page = new_page(viewport={"width": width, "height": 800})
    page.add_init_script(LAYOUT_SHIFT)
    for path in ("/uk/", "/paris/", "/amsterdam/report", "/", "/follow-up"):
        page.goto(f"{live_server.url}{path}", wait_until="load")
        page.wait_for_function("() => document.querySelector('[data-needs-js=\"on\"]')")
        page.wait_for_timeout(300)  # let the observer hear of any late shift
        shift = page.evaluate("() => window.__layoutShift")
        assert shift < 0.001, f"{path} at {width}px: layout shift {shift}"


TAP_TARGETS = """() => [...document.querySelectorAll(
    '.emergency a, .emergency button, [data-quick-exit]')].filter(el => el.checkVisibility())
  .map(el => {
  const r = el.getBoundingClientRect();
  return {text: el.textContent.trim(), width: r.width, height: r.height};
})"""


@pytest.mark.parametrize("width", (320, 390))
def test_emergency_links_and_the_quick_exit_are_big_enough_to_tap(live_server, new_page, width):
    """At least 44 by 44 px (Paris's 17, 15 and 18 were 28 by 24)."""
    page = new_page(viewport={"width": width, "height": 800})
    for path in ("/", "/uk/", "/amsterdam/", "/ireland/", "/paris/", "/paris/report",
                 "/follow-up"):
        page.goto(f"{live_server.url}{path}")
        targets = page.evaluate(TAP_TARGETS)
        assert len(targets) >= 3, path
        small = [t for t in targets if t["width"] < 44 or t["height"] < 44]
        assert not small, (path, small)


@pytest.fixture
def safe_contacts_listed(db):
    """The demo Safe Contacts, so the directory shows its cards (the widest content)."""
    from hsm.safecontacts import demo

    demo.load()
    db.session.commit()


def sideways(page, url) -> int:
    page.goto(url)
    return page.evaluate("() => document.scrollingElement.scrollWidth"
                         " - document.scrollingElement.clientWidth")


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_no_student_page_scrolls_sideways_on_a_320px_screen(live_server, new_page, lang):
    page = new_page(viewport={"width": 320, "height": 640})
    paths = [*STUDENT_PAGES, "/ireland/", "/amsterdam/options", "/paris/what-counts",
             "/uk/what-counts", "/ireland/report", "/paris/report"]
    wide = [(path, px) for path in paths
            if (px := sideways(page, f"{live_server.url}{path}?lang={lang}")) > 0]
    assert not wide, f"scrolls sideways at 320px ({lang}): {wide}"


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_the_safe_contacts_directory_fits_a_320px_screen(
    live_server, new_page, safe_contacts_listed, lang
):
    page = new_page(viewport={"width": 320, "height": 640})
    for path in ("/safe-contacts", "/uk/safe-contacts"):
        assert sideways(page, f"{live_server.url}{path}?lang={lang}") <= 0, path


def test_a_page_load_asks_for_nothing_that_is_missing(live_server, page):
    """No 404 on a first visit: the pages name their icon, so no browser asks /favicon.ico."""
    answers = []

    class Recorder(logging.Handler):
        def emit(self, record):
            answers.append(record.getMessage())

    access = logging.getLogger("hsm.access")
    recorder, level = Recorder(), access.level
    access.addHandler(recorder)
    access.setLevel(logging.INFO)
    try:
        for path in ("/", "/uk/", "/paris/report"):
            page.goto(f"{live_server.url}{path}", wait_until="load")
        page.wait_for_timeout(500)  # the icon is asked for after the load
    finally:
        access.removeHandler(recorder)
        access.setLevel(level)
    statuses = [line.split()[2] for line in answers]
    assert "404" not in statuses, answers
    assert any(line.startswith("GET static 200") for line in answers)
    icon = page.request.get(live_server.url + page.locator("link[rel=icon]").get_attribute("href"))
    assert icon.status == 200 and icon.headers["content-type"].startswith("image/svg+xml")
