"""Every page passes the Nu HTML validator (vnu.jar, pinned in package.json, on Debian's Java).

The pages are gathered first, as each visitor sees them: every student page at every centre
in every language, the report form with its errors, receipts, the follow-up thread, the Safe
Contact application, and every staff page for each demo role with real objects (the demo data
plus seeded reports and Safe Contacts at each stage). They are then checked in ONE run of the
validator, which takes seconds to start. Each error names its page, line and source.

The markup does not depend on the database, so this runs on the SQLite pass only.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
import sqlalchemy as sa

from hsm import pagecache
from hsm.accounts import demo as accounts_demo
from hsm.accounts.models import User
from hsm.accounts.sessions import new_session_payload
from hsm.cases import demo as cases_demo
from hsm.cases.models import (
    Case,
    CaseParty,
    EvidenceItem,
    ImpactStatement,
    InvestigationMeeting,
    SharedCopy,
)
from hsm.centres.registry import all_centres
from hsm.config import ROOT
from hsm.extensions import db, limiter
from hsm.letters import demo as letters_demo
from hsm.letters.models import Letter
from hsm.reports import demo as reports_demo
from hsm.reports.models import Report
from hsm.safecontacts import demo as safecontacts_demo
from hsm.safecontacts.models import SafeContact
from hsm.stats import demo as stats_demo
from tests.conftest import LOCALES, _clean_tables
from tests.factories import make_user
from tests.reports.conftest import RECEIPT, csrf_token, named_form, valid_form
from tests.reports.seed import seed_reports
from tests.safecontacts.conftest import application
from tests.safecontacts.seed import add_biography, make_contact

JAVA = Path("/usr/bin/java")
VNU_JAR = ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"
PASSWORD = accounts_demo.DEMO_PASSWORD

pytestmark = pytest.mark.skipif(
    os.environ.get("HSM_DATABASE_URL", "").startswith("postgres"),
    reason="the markup does not depend on the database: validated on the SQLite pass only",
)

# Pages known to be invalid, fed to the same run: proves the validator really checks.
CANARY = (
    '<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>x</title></head>'
    '<body hx-get="/x"><p>canary</p></body></html>'
)


@dataclass
class Page:
    group: str
    label: str
    html: str
    errors: list[str] = field(default_factory=list)


class Collector:
    def __init__(self):
        self.pages: list[Page] = []

    def add(self, group: str, label: str, response, statuses=(200,)) -> str:
        html = response.get_data(as_text=True)
        page = Page(group, label, html)
        if response.status_code not in statuses or response.mimetype != "text/html":
            # Reported with the page's group; such a page is not sent to the validator.
            page.errors.append(f"answered {response.status_code} {response.mimetype}")
        self.pages.append(page)
        return html


def _url(path: str, locale: str) -> str:
    return f"{path}{'&' if '?' in path else '?'}lang={locale}"


def _path(location: str) -> str:
    parts = urlsplit(location)
    return parts.path + (f"?{parts.query}" if parts.query else "")


def _mail_link(outbox, pattern: str) -> str:
    found = re.search(pattern, outbox[-1].get_content())
    assert found, outbox[-1].get_content()
    return _path(found.group(0))


def _student_pages(app, pages: Collector, outbox) -> None:
    centres = [centre.slug for centre in all_centres()]
    for locale in LOCALES:
        client = app.test_client()
        group = f"student pages ({locale})"
        for path in ("/", "/safe-contacts", "/follow-up", "/safe-contacts/apply",
                     "/safe-contacts/apply/sent", "/safe-contacts?centre=paris&language=fr"):
            pages.add(group, _url(path, locale), client.get(_url(path, locale)))
        for centre in centres:
            for path in ("/", "/options", "/what-counts", "/safe-contacts"):
                url = _url(f"/{centre}{path}", locale)
                pages.add(group, url, client.get(url))
        pages.add(group, _url("/no-such-page/", locale),
                  client.get(_url("/no-such-page/", locale)), statuses=(404,))

        group = f"report form, receipt and follow-up ({locale})"
        for centre in centres:
            url = _url(f"/{centre}/report", locale)
            pages.add(group, url, client.get(url))
            token = csrf_token(client, url)
            for name, data in (
                ("with errors", {}),
                ("with errors, immediate danger", {"immediate_danger": "yes", "under_18": "yes"}),
                ("named, with errors", {"anonymous": "no", "first_name": "Alex"}),
            ):
                response = client.post(url, data={**data, "csrf_token": token})
                pages.add(group, f"POST {url} {name}", response, statuses=(200, 400, 422))
        url = _url("/uk/report", locale)
        receipts = []
        for name, data in (
            ("anonymous", valid_form()),
            ("named, immediate danger", named_form(immediate_danger="yes")),
            ("someone else, under 18", valid_form(about="someone_else", under_18="yes")),
        ):
            html = pages.add(
                group, f"receipt: {name}",
                client.post(url, data={**data, "csrf_token": csrf_token(client, url)}),
            )
            receipts.append(RECEIPT.search(html).group(1))
        token = csrf_token(client, _url("/follow-up", locale))
        wrong = client.post(_url("/follow-up", locale),
                            data={"csrf_token": token, "code": "ABCD-EFGH-JKMN-PQRS-TVWX"})
        pages.add(group, "follow-up: a wrong code", wrong)
        entered = client.post(_url("/follow-up", locale),
                              data={"csrf_token": token, "code": receipts[1]})
        assert entered.status_code == 303
        pages.add(group, "follow-up: the thread", client.get(_url("/follow-up", locale)))

        group = f"Safe Contact application ({locale})"
        url = _url("/safe-contacts/apply", locale)
        response = client.post(url, data={"csrf_token": csrf_token(client, url)})
        pages.add(group, "apply: with errors", response, statuses=(200, 400, 422))
        data = application(client, email=f"applicant.{locale}@example.org")
        sent = client.post(url, data=data)
        assert sent.status_code in (200, 303), sent.status_code
        link = _mail_link(outbox, r"https?://\S+/safe-contacts/apply/confirm/\S+")
        pages.add(group, "apply: the confirmation link", client.get(_url(link, locale)))


def _sign_in_pages(app, pages: Collector, outbox) -> None:
    for locale in LOCALES:
        group = f"staff sign-in ({locale})"
        client = app.test_client()
        for path in ("/staff/login", "/staff/password/forgot", "/staff/signed-out"):
            pages.add(group, _url(path, locale), client.get(_url(path, locale)))
        # A link from webmail arrives without the session cookie: the page that reloads it.
        hop = client.get(_url("/staff/reports", locale), headers={"Sec-Fetch-Site": "cross-site"})
        pages.add(group, "a staff link opened from another site", hop)
        login = _url("/staff/login", locale)
        failed = client.post(login, data={"csrf_token": csrf_token(client, login),
                                          "email": "nobody@example.org", "password": "wrong"})
        pages.add(group, "login: wrong details", failed)
        empty = client.post(login, data={"csrf_token": csrf_token(client, login)})
        pages.add(group, "login: empty", empty)

        forgot = _url("/staff/password/forgot", locale)
        client.post(forgot, data={"csrf_token": csrf_token(client, forgot),
                                  "email": "ss.uk@example.org"})
        link = _mail_link(outbox, r"https?://\S+/staff/password/link/\S+")
        pages.add(group, "password link: the new-password form", client.get(_url(link, locale)))
        new = _url("/staff/password/new", locale)
        weak = client.post(new, data={"csrf_token": csrf_token(client, new),
                                      "password": "short", "confirm": "other"})
        pages.add(group, "new password: refused", weak, statuses=(200, 400, 422))

        # A first sign-in with MFA required enrols; one with MFA on asks for the code.
        for email, step in (("ss.uk@example.org", "/staff/mfa/setup"),
                            ("mfa.user@example.org", "/staff/login/code")):
            client = app.test_client()
            app.config["HSM_MFA_REQUIRED"] = True
            try:
                response = client.post(login, data={"csrf_token": csrf_token(client, login),
                                                    "email": email, "password": PASSWORD})
                assert response.status_code == 303 and response.headers["Location"] == step
                pages.add(group, f"sign-in step {step}", client.get(_url(step, locale)))
            finally:
                app.config["HSM_MFA_REQUIRED"] = False


def _sso_pages(app, pages: Collector) -> None:
    """Single sign-on's pages (no provider answers here: the refusals are rendered as such)."""
    from hsm.accounts import operations
    from hsm.config import OidcSettings

    app.config["HSM_OIDC"] = OidcSettings(issuer="http://127.0.0.1:9", client_id="hsm",
                                          client_secret="x", timeout_seconds=2)
    try:
        for locale in LOCALES:
            group = f"staff sign-in ({locale})"
            client = app.test_client()
            login = _url("/staff/login", locale)
            pages.add(group, "login with single sign-on", client.get(login))
            failed = client.post(login, data={"csrf_token": csrf_token(client, login),
                                              "email": "ss.uk@example.org", "password": "x"})
            pages.add(group, "login with single sign-on: refused", failed)
            start = client.post("/staff/sso/start", data={"csrf_token": csrf_token(client, login)})
            pages.add(group, "single sign-on: provider unreachable", start, statuses=(503,))
            back = client.get("/staff/sso/callback?code=x&state=y")
            pages.add(group, "single sign-on: an answer that fails its checks", back,
                      statuses=(400,))
            user = operations.create_user(None, name=f"Invited {locale}",
                                          email=f"invited.{locale}@example.org",
                                          allowed_domains=("example.org",))
            token = operations.issue_token(user, "invite")
            db.session.commit()
            link = client.get(_url(f"/staff/password/link/{token}", locale))
            pages.add(group, "invitation: link the work account", link)
    finally:
        app.config["HSM_OIDC"] = None


def _staff_urls(app, ids: dict[str, list[int]]) -> list[str]:
    """Every staff GET page, each id argument filled with every real object."""
    urls = []
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in rule.methods or not rule.rule.startswith("/staff/"):
            continue
        if "token" in rule.arguments or rule.endpoint in ("accounts.signed_out",
                                                           "accounts.login",
                                                           "accounts.forgot_password",
                                                           "accounts.password_link",
                                                           "accounts.new_password",
                                                           "accounts.mfa_challenge"):
            continue  # the sign-in pages, gathered above as their flows show them
        if rule.endpoint.endswith("_ics"):
            continue  # calendar files, not HTML (tests/cases/test_case_forms.py reads them)
        with app.test_request_context():
            if not rule.arguments:
                urls.append(app.url_for(rule.endpoint))
                continue
            # One id per argument; a page of an object within an object (a case's letter)
            # takes its id pairs from ids["case_id,letter_id"].
            names = sorted(rule.arguments)
            key = ",".join(names)
            rows = [(value,) for value in ids[key]] if len(names) == 1 else ids[key]
            urls += [app.url_for(rule.endpoint, **dict(zip(names, row, strict=True)))
                     for row in rows]
    return urls + [
        "/staff/reports?page=2",
        "/staff/reports?status=new",
        "/staff/audit?page=2",
        "/staff/safe-contacts/board?centre=uk",
        "/staff/cases?flag=immediate_danger&overdue=1",
        "/staff/cases?mine=1&centre=uk",
        "/staff/statistics?period=autumn&area=uk",
    ]


def _staff_pages(app, pages: Collector) -> None:
    ids = {
        "report_id": list(db.session.scalars(
            sa.select(Report.id).where(Report.reference.like("R-DEMO%")))),
        "contact_id": list(db.session.scalars(sa.select(SafeContact.id))),
        # Every stage at one centre, and the demo's case with a staff respondent.
        "case_id": list(db.session.scalars(sa.select(Case.id).where(sa.or_(
            Case.reference.like("C-DUK%"), Case.staff_respondent.is_(True))))),
        "case_id,letter_id": [tuple(row) for row in db.session.execute(
            sa.select(Letter.case_id, Letter.id).order_by(Letter.id))],
        # Statistics: the charts are SVG and the exports downloads, not pages.
        "figure,snapshot_id": [],
        "kind,snapshot_id": [],
        # Evidence downloads are files, not pages: one of them is enough to be skipped.
        "case_id,evidence_id": [tuple(row) for row in db.session.execute(
            sa.select(EvidenceItem.case_id, EvidenceItem.id).order_by(EvidenceItem.id)
            .limit(1))],
        # The impact statement's file is a download too (and sealed in the demo's hearing).
        "case_id,statement_id": [tuple(row) for row in db.session.execute(
            sa.select(ImpactStatement.case_id, ImpactStatement.id)
            .order_by(ImpactStatement.id).limit(1))],
        # Sharing with the parties: a copy is a download (one is enough); the redaction step
        # for each item already shared in the demo, and for the investigation case's meetings.
        "case_id,copy_id": [tuple(row) for row in db.session.execute(
            sa.select(SharedCopy.case_id, SharedCopy.id).order_by(SharedCopy.id).limit(1))],
        "case_id,item_id,kind,party_id": [
            *((c, i, k, p) for c, i, k, p in db.session.execute(
                sa.select(SharedCopy.case_id, SharedCopy.item_id, SharedCopy.item_kind,
                          SharedCopy.party_id))),
            *((m.case_id, m.id, "meeting", p.id) for m, p in db.session.execute(
                sa.select(InvestigationMeeting, CaseParty)
                .join(CaseParty, CaseParty.case_id == InvestigationMeeting.case_id)
                .where(CaseParty.role == "responding")).all())],
    }
    urls = _staff_urls(app, ids)
    seen_by_role = set()
    for user in db.session.scalars(sa.select(User).order_by(User.id)):
        roles = tuple(sorted(f"{a.role}:{a.centre or ''}" for a in user.roles))
        role_names = tuple(sorted(a.role for a in user.roles))
        if not roles or role_names in seen_by_role or user.email == "mfa.user@example.org":
            continue  # one person per role is enough
        seen_by_role.add(role_names)
        client = app.test_client()
        payload = new_session_payload(user)
        db.session.commit()
        with client.session_transaction() as session:
            session.update(payload)
        # Each role in one language, in turn: the markup is the same in every language.
        for locale in (LOCALES[len(seen_by_role) % len(LOCALES)],):
            group = f"staff pages: {', '.join(roles)} ({locale})"
            for url in urls:
                response = client.get(_url(url, locale))
                if response.status_code in (403, 404) or response.status_code in (301, 302, 303):
                    continue  # not this role's page, or not this object
                if response.mimetype != "text/html":
                    continue  # a download (a letter's PDF), not a page
                pages.add(group, url, response)
            missing = _url("/staff/no-such-page", locale)
            pages.add(group, missing, client.get(missing), statuses=(404,))


def _seed() -> None:
    accounts_demo.load()
    safecontacts_demo.load()
    reports_demo.load()
    cases_demo.load()
    letters_demo.load()
    stats_demo.load()
    seed_reports(30, centre="uk")  # the inbox has a second page
    # The pipeline at every stage, with a biography waiting for review.
    for stage in ("applied", "chat", "training", "biography", "withdrawn", "not_progressed"):
        person = make_contact(stage=stage, centre="paris", name=f"Stage {stage}")
        if stage == "biography":
            add_biography(person, status="draft", text="I **listen**.", languages=("fr",))
    user = make_user(("student_services", "uk"), email="mfa.user@example.org", password=PASSWORD)
    user.mfa_secret = "JBSWY3DPEHPK3PXP"
    user.mfa_enabled_at = datetime.now(UTC)
    db.session.commit()


def _validate(pages: list[Page], workdir: Path) -> list[str]:
    """Run vnu once on every page; attach each error to its page. Returns vnu's own failures."""
    by_file = {}
    for n, page in enumerate(pages):
        if page.errors:
            continue
        name = f"{n:04d}.html"
        (workdir / name).write_text(page.html, encoding="utf-8")
        by_file[name] = page
    run = subprocess.run(
        [str(JAVA), "-Xss4m", "-jar", str(VNU_JAR), "--errors-only", "--format", "json",
         "--exit-zero-always", str(workdir)],
        capture_output=True, text=True, timeout=300, check=False,
    )
    report = json.loads(run.stderr or run.stdout)
    problems = []
    for message in report["messages"]:
        page = by_file.get(Path(urlsplit(message.get("url", "")).path).name)
        if page is None or message.get("type") != "error":
            problems.append(json.dumps(message))
            continue
        line = message.get("lastLine") or message.get("firstLine") or 0
        source = page.html.splitlines()[line - 1].strip() if line else ""
        page.errors.append(f"line {line}: {message['message']}\n      {source[:300]}")
    return problems


@pytest.fixture(scope="module")
def validated(app, smtp_server, tmp_path_factory):
    """Every page, gathered once and validated in one run (module-scoped: the run is slow)."""
    if not JAVA.exists() or not VNU_JAR.exists():
        pytest.fail(f"{JAVA} or {VNU_JAR} is missing: `make test` installs both")
    controller, outbox = smtp_server
    saved = {k: app.config[k] for k in ("HSM_SMTP_HOST", "HSM_SMTP_PORT", "RATELIMIT_ENABLED",
                                        "HSM_MFA_REQUIRED")}
    app.config.update(HSM_SMTP_HOST=controller.hostname, HSM_SMTP_PORT=controller.port,
                      RATELIMIT_ENABLED=False, HSM_MFA_REQUIRED=False)
    pages = Collector()
    try:
        with app.app_context():
            limiter.reset()
            pagecache.clear()
            _seed()
            _student_pages(app, pages, outbox)
            _sign_in_pages(app, pages, outbox)
            _sso_pages(app, pages)
            _staff_pages(app, pages)
            db.session.rollback()
            _clean_tables()
            db.session.remove()
    finally:
        app.config.update(saved)
        outbox.clear()
    canary = Page("canary", "a page with an hx-get attribute", CANARY)
    problems = _validate([*pages.pages, canary], tmp_path_factory.mktemp("vnu"))
    assert problems == [], "the validator could not check some pages:\n" + "\n".join(problems)
    return pages.pages, canary


def _report(pages: list[Page]) -> str:
    """Each distinct error once, with how many pages show it, a few of them and a source line."""
    seen: dict[str, list[tuple[str, str]]] = {}
    for page in pages:
        for error in page.errors:
            where, _, rest = error.partition(": ")
            message, _, source = rest.partition("\n")
            seen.setdefault(message or where, []).append(
                (f"{page.label} [{page.group}] {where}", source.strip())
            )
    return "\n".join(
        f"- {message}\n    on {len(found)} pages, e.g. "
        + "; ".join(place for place, _source in found[:3])
        + (f"\n    {found[0][1]}" if found[0][1] else "")
        for message, found in seen.items()
    )


def test_the_validator_really_checks(validated):
    _pages, canary = validated
    assert any("hx-get" in error for error in canary.errors), canary.errors


def test_every_kind_of_page_was_gathered(validated):
    pages, _canary = validated
    groups = {page.group for page in pages}
    for locale in LOCALES:
        assert f"student pages ({locale})" in groups
        assert f"report form, receipt and follow-up ({locale})" in groups
    labels = {page.label for page in pages}
    assert {"/staff/", "/staff/account", "/staff/reports", "/staff/safe-contacts/board",
            "/staff/safe-contacts/training", "/staff/safe-contacts/diversity",
            "/staff/safe-contacts/commitments",
            "/staff/admin/users", "/staff/audit", "/staff/audit/chain", "/staff/statistics",
            "a staff link opened from another site", "login with single sign-on",
            "invitation: link the work account"} <= labels
    assert any(label.startswith("/staff/reports/") for label in labels)
    assert any(label.endswith("/biography") for label in labels)
    assert len(pages) > 250


GROUPS = (
    "student pages",
    "report form, receipt and follow-up",
    "Safe Contact application",
    "staff sign-in",
    "staff pages",
)


@pytest.mark.parametrize("group", GROUPS)
def test_no_validator_errors(validated, group):
    pages, _canary = validated
    chosen = [page for page in pages if page.group.startswith(group)]
    assert chosen
    failing = [page for page in chosen if page.errors]
    assert not failing, (
        f"{sum(len(p.errors) for p in failing)} Nu validator errors on {len(failing)} of "
        f"{len(chosen)} pages:\n{_report(failing)}"
    )
