"""Fixtures every area uses: app, db (clean per test), client, login_as, mail, browser, axe."""

from __future__ import annotations

import contextvars
import json
import os
import re
import socket
import threading
from collections.abc import Iterator
from pathlib import Path

import hypothesis
import pytest
import sqlalchemy as sa
from flask.testing import FlaskClient

os.environ["HSM_PROFILE"] = "test"

from hsm import create_app, keep, pagecache  # noqa: E402
from hsm.accounts.sessions import new_session_payload  # noqa: E402
from hsm.cases import boardcache  # noqa: E402
from hsm.config import ROOT  # noqa: E402
from hsm.extensions import db as _db  # noqa: E402
from hsm.extensions import limiter  # noqa: E402
from tests.factories import make_user  # noqa: E402

# Property tests stay bounded on a 2-core machine; a test may still ask for more examples.
hypothesis.settings.register_profile("ci", max_examples=50, deadline=None)
hypothesis.settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

# Tests that drive the real browser: the database does not change what Chromium sees, so
# `make test` runs them in the SQLite pass only (the PostgreSQL pass deselects `browser`).
BROWSER_FIXTURES = frozenset({"browser", "new_page", "page", "browser_login", "live_server"})


def pytest_collection_modifyitems(config, items):
    for item in items:
        if BROWSER_FIXTURES & set(getattr(item, "fixturenames", ())):
            item.add_marker(pytest.mark.browser)


CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
AXE_JS = ROOT / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]
LOCALES = ("en", "nl", "fr")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class IsolatedClient(FlaskClient):
    """A test client whose every request gets its own app context, as in production.

    Tests keep an app context pushed (for factories and queries); without this, requests would
    share its ``g`` (and Flask-Login's cached user) with each other.
    """

    def open(self, *args, **kwargs):
        # Buffered, as a real server sends it: the body is read and the response closed, so
        # work scheduled for after the response (``call_on_close``) runs, as in production.
        kwargs.setdefault("buffered", True)
        return contextvars.Context().run(super().open, *args, **kwargs)


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory) -> Iterator[str]:
    """A real Redis (Debian's redis-server, which ``make test`` installs) on a free loopback
    port, for the rate limits: counted in one store shared by every worker and server."""
    import shutil
    import subprocess
    import time

    import redis

    binary = shutil.which("redis-server")
    assert binary, "redis-server is missing: `make test` installs it (apt-get install redis-server)"
    port = free_port()
    folder = tmp_path_factory.mktemp("redis")
    server = subprocess.Popen(  # noqa: S603 - our own fixed arguments
        [binary, "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no",
         "--dir", str(folder)], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    client = redis.Redis.from_url(url)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    client.close()
    yield url
    server.terminate()
    server.wait(10)


@pytest.fixture(scope="session")
def app(tmp_path_factory, redis_url):
    url = os.environ.get("HSM_DATABASE_URL") or (
        f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    )
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": url,
            "SERVER_NAME": None,
            "HSM_SMTP_HOST": "",
            "HSM_QUICK_EXIT_URL": "https://neutral.invalid/",
            "HSM_ALLOWED_STAFF_DOMAINS": ("example.org",),
            "RATELIMIT_STORAGE_URI": redis_url,
        }
    )
    app.test_client_class = IsolatedClient
    with app.app_context():
        _db.drop_all()
        _db.create_all()
    yield app
    with app.app_context():
        _db.session.remove()
        _db.engine.dispose()


@pytest.fixture
def make_app(app):
    """Build another app on the test database (e.g. with production settings); its engine
    is disposed afterwards, so no connection is left for the garbage collector."""
    made = []

    def build(config: dict | None = None):
        # The limiter is one object: the app built last sets its store, so keep it the Redis.
        other = create_app({"SQLALCHEMY_DATABASE_URI": app.config["SQLALCHEMY_DATABASE_URI"],
                            "RATELIMIT_STORAGE_URI": app.config["RATELIMIT_STORAGE_URI"],
                            **(config or {})})
        other.test_client_class = IsolatedClient
        made.append(other)
        return other

    yield build
    for other in made:
        with other.app_context():
            for engine in _db.engines.values():
                engine.dispose()


def _clean_tables() -> None:
    tables = list(reversed(_db.metadata.sorted_tables))
    if _db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        _db.session.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        for table in tables:
            _db.session.execute(table.delete())
    _db.session.commit()


@pytest.fixture(autouse=True)
def db(app) -> Iterator:
    """The database, empty at the start of every test; an app context is pushed."""
    with app.app_context():
        limiter.reset()
        yield _db
        _db.session.rollback()
        _clean_tables()
        _db.session.remove()
        pagecache.clear()  # pages made from this test's data (the directory) go with it
        boardcache.clear()  # and the case boards' cards
        keep.clear_all()  # and the kept staff pages (hsm/keep.py)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def login_as(client):
    """Sign ``client`` in as a new user holding one role (at ``centre``), and return the user."""

    def login(role: str, centre: str | None = None, *more_roles, **user_kwargs):
        user = make_user((role, centre), *more_roles, **user_kwargs)
        payload = new_session_payload(user)
        _db.session.commit()
        with client.session_transaction() as session:
            session.clear()
            session.update(payload)
        return user

    return login


# --- mail: a real local SMTP server ---------------------------------------------------------


class Outbox(list):
    def handle(self, envelope):
        from email import message_from_bytes, policy

        self.append(message_from_bytes(envelope.content, policy=policy.default))


@pytest.fixture(scope="session")
def smtp_server():
    from aiosmtpd.controller import Controller

    outbox = Outbox()

    class Handler:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
            outbox.handle(envelope)
            return "250 Message accepted for delivery"

    controller = Controller(Handler(), hostname="127.0.0.1", port=free_port())
    controller.start()
    yield controller, outbox
    controller.stop()


@pytest.fixture
def mail(app, smtp_server):
    """Route the app's mail to a real SMTP server on loopback; returns the received messages."""
    controller, outbox = smtp_server
    outbox.clear()
    old = app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"]
    app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"] = controller.hostname, controller.port
    yield outbox
    app.config["HSM_SMTP_HOST"], app.config["HSM_SMTP_PORT"] = old


# --- the real browser ---------------------------------------------------------------------


@pytest.fixture(scope="session")
def live_server(app):
    """The app served over HTTP in a background thread, sharing the test database."""
    from werkzeug.serving import make_server

    port = free_port()
    server = make_server("127.0.0.1", port, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    server.url = f"http://127.0.0.1:{port}"
    # A local stand-in for the neutral site: this machine has no internet.
    app.config["HSM_QUICK_EXIT_URL"] = f"{server.url}/healthz"
    pagecache.clear()  # pages cached earlier hold the old quick-exit address
    yield server
    server.shutdown()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not Path(CHROMIUM).exists():
        pytest.fail(f"{CHROMIUM} is missing: `make test` installs Debian's chromium")
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=10_000)  # as the pages' own (new_page)
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield browser
        browser.close()


@pytest.fixture
def new_page(browser, live_server):
    """Open a page in a fresh browser context: ``new_page(js=False, locale="nl")``."""
    contexts = []

    def open_page(js: bool = True, **context_kwargs):
        context = browser.new_context(java_script_enabled=js, **context_kwargs)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        page.hsm_js = js  # axe needs timers: see axe_violations
        return page

    yield open_page
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_page):
    return new_page()


def axe_violations(page) -> list[dict]:
    """Run axe-core (WCAG 2.x A and AA) on the loaded page; return its violations.

    axe.run waits on timers, and a page with JavaScript off runs none, so the run would never
    end there. Such a page is checked as a copy: its markup as it stands, without its scripts
    (which a browser without JavaScript never runs), served at the same address to a page
    that runs axe, with the real stylesheets.

    A page reached by a click may still be parsing (a new page's first element can be there
    before its last): wait for the whole document before reading it."""
    page.wait_for_load_state("domcontentloaded")
    if getattr(page, "hsm_js", True) is False:
        html = re.sub(r"<script\b[^>]*>.*?</script>", "", page.content(), flags=re.S)
        address = page.url.split("#")[0]
        context = page.context.browser.new_context(viewport=page.viewport_size)
        try:
            copy = context.new_page()
            copy.route(lambda url: url.split("#")[0] == address,
                       lambda route: route.fulfill(status=200, body=html,
                                                   content_type="text/html; charset=utf-8"))
            copy.goto(address)
            return _axe_run(copy)
        finally:
            context.close()
    return _axe_run(page)


def _axe_run(page) -> list[dict]:
    if not page.evaluate("() => typeof window.axe !== 'undefined'"):
        # evaluate() runs through the DevTools protocol, so the page's strict CSP still holds.
        page.evaluate(AXE_JS.read_text())
    result = page.evaluate(
        "async (tags) => await axe.run(document, {runOnly: {type: 'tag', values: tags}})",
        AXE_TAGS,
    )
    return result["violations"]


def assert_no_axe_violations(page) -> None:
    violations = axe_violations(page)
    summary = [
        {
            "id": v["id"],
            "help": v["help"],
            "nodes": [n["target"] for n in v["nodes"]][:5],
        }
        for v in violations
    ]
    assert not violations, f"axe found on {page.url}:\n{json.dumps(summary, indent=2)}"


@pytest.fixture
def axe():
    return assert_no_axe_violations


@pytest.fixture
def browser_login(live_server, new_page):
    """A browser page already signed in as a new user with ``role`` at ``centre``."""

    def login(role: str, centre: str | None = None, *more_roles, js: bool = True, **kwargs):
        from flask import session as flask_session

        user = make_user((role, centre), *more_roles, **kwargs)
        payload = new_session_payload(user)
        _db.session.commit()
        app = live_server.app
        with app.test_request_context():
            flask_session.update(payload)
            response = app.make_response("")
            app.session_interface.save_session(app, flask_session, response)
        cookie_header = response.headers["Set-Cookie"]
        name, _, rest = cookie_header.partition("=")
        value = rest.split(";", 1)[0]
        page = new_page(js=js)
        # As the app sets it: HttpOnly and SameSite=Strict.
        page.context.add_cookies(
            [
                {
                    "name": name,
                    "value": value,
                    "url": live_server.url,
                    "httpOnly": True,
                    "sameSite": "Strict",
                }
            ]
        )
        page.user = user
        return page

    return login




# --- query counting (performance is asserted as "queries do not grow with the data") -------


class QueryCounter:
    def __init__(self):
        self.statements: list[str] = []

    def __call__(self, conn, cursor, statement, parameters, context, executemany):
        self.statements.append(statement)

    @property
    def count(self) -> int:
        return len(self.statements)


@pytest.fixture
def count_queries(app):
    """``with count_queries() as counter: client.get(...)``; then ``counter.count``."""
    from contextlib import contextmanager

    @contextmanager
    def counting():
        counter = QueryCounter()
        engine = _db.engine
        sa.event.listen(engine, "before_cursor_execute", counter)
        try:
            yield counter
        finally:
            sa.event.remove(engine, "before_cursor_execute", counter)

    return counting
