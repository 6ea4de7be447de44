"""What the benchmark needs from each area: data, signed-in cookies and form posts."""

from __future__ import annotations

import re
import urllib.parse
import urllib.request

from flask import Flask, session
from flask_wtf.csrf import generate_csrf

from hsm.accounts.sessions import new_session_payload
from hsm.extensions import db
from tests.factories import make_user
from tests.reports.conftest import named_form
from tests.reports.seed import seed_reports
from tests.safecontacts.seed import seed_safe_contacts

TOKEN = re.compile(r'name="csrf_token"(?: type="hidden")? value="([^"]+)"')


def staff_cookie(app: Flask, role: str, centre: str | None) -> str:
    """A ``Cookie:`` header value for a new, fully signed-in user holding ``role``."""
    with app.app_context():
        return signed_in_cookie(app, make_user((role, centre)))


def signed_in_cookie(app: Flask, user) -> str:
    """``user``'s cookie as a browser holds it once its first page has answered, with the
    form-token secret that page set in it. (A client that sent the sign-in cookie alone on
    every request, dropping each answer's cookie, would have a new token secret made and the
    cookie signed and sent again on every request: what no browser does.) Call it inside an
    app context; it commits the new session."""
    payload = new_session_payload(user)
    db.session.commit()
    with app.test_request_context():
        session.update(payload)
        generate_csrf()  # the secret the first page's forms put in the session
        value = app.session_interface.get_signing_serializer(app).dumps(dict(session))
    return f"{app.config['SESSION_COOKIE_NAME']}={value}"


def fresh_staff(app: Flask) -> dict[str, str]:
    """Headers of a Student Services officer at uk, signed in just now: every count of
    queries starts from the same session state (a session older than a minute is touched)."""
    return {"Cookie": staff_cookie(app, "student_services", "uk")}


def form_session(base: str, path: str) -> tuple[str, str]:
    """GET a form over HTTP; return (its session cookie header, its CSRF token)."""
    with urllib.request.urlopen(base + path) as response:  # noqa: S310
        html = response.read().decode()
        set_cookie = response.headers.get_all("Set-Cookie") or []
    cookie = "; ".join(c.split(";", 1)[0] for c in set_cookie)
    return cookie, TOKEN.search(html).group(1)


def report_body(token: str) -> str:
    form = {k: v for k, v in named_form().items() if v is not None}
    form["csrf_token"] = token
    return urllib.parse.urlencode(form, doseq=True)


def follow_up_body(token: str, code: str) -> str:
    return urllib.parse.urlencode({"csrf_token": token, "code": code})


def add_reports(app: Flask, n: int) -> list[str]:
    with app.app_context():
        codes = seed_reports(n, centre="uk")
        db.session.commit()
    return codes


def add_safe_contacts(app: Flask, n: int) -> None:
    with app.app_context():
        seed_safe_contacts(n)
        db.session.commit()


def add_statistics_history(app: Flask, reports: int, cases: int) -> None:
    """A year of closed reports and cases at every centre (the statistics demo's generator)."""
    from datetime import UTC, datetime

    from hsm.centres.registry import all_centres
    from hsm.stats import demo, operations

    with app.app_context():
        through = operations.last_complete_month(datetime.now(UTC))
        demo.history(through, reports=reports, cases=cases,
                     centres=[c.slug for c in all_centres()], first=2_000_000)
        db.session.commit()


def publish_statistics(app: Flask, months_back: int = 0) -> tuple[float, int]:
    """Build and publish a snapshot through the last complete month (less ``months_back``);
    return (seconds, SQL statements run)."""
    import time
    from datetime import UTC, datetime

    from hsm.stats import operations
    from tests.bench.harness import QueryCounter

    with app.app_context():
        through = operations.last_complete_month(datetime.now(UTC))
        for _ in range(months_back):
            through = operations.last_complete_month(
                datetime(through.year, through.month, 1, tzinfo=UTC))
        with QueryCounter(db.engine) as counter:
            start = time.perf_counter()
            operations.publish(None, through)
            db.session.commit()
            seconds = time.perf_counter() - start
    return seconds, counter.count
