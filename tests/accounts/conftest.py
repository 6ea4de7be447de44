"""Helpers for the accounts tests: real sign-in through the forms, with CSRF tokens."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from datetime import UTC, datetime
from urllib.parse import urljoin, urlsplit

import pyotp
import pytest
import requests

from hsm.config import ROOT, OidcSettings
from tests.conftest import free_port
from tests.factories import make_user
from tests.helpers import post

PASSWORD = "amber-kettle-orbit-meadow-42"


def sign_in(client, email: str, password: str = PASSWORD):
    return post(client, "/staff/login", {"email": email, "password": password})


@pytest.fixture
def staff():
    """A signed-out user with a password, holding one role."""

    def make(*roles, **kwargs):
        kwargs.setdefault("password", PASSWORD)
        return make_user(*(roles or (("student_services", "uk"),)), **kwargs)

    return make


@pytest.fixture
def mfa_user(staff, db):
    """A user with TOTP switched on (the secret is known to the test)."""
    user = staff()
    user.mfa_secret = pyotp.random_base32()
    user.mfa_enabled_at = datetime.now(UTC)
    db.session.commit()
    return user



# --- single sign-on: a real OpenID Connect provider -------------------------------------------

PROVIDER_SECRET = "test-secret"  # noqa: S105 - the test provider's client secret
PROVIDER_SCRIPT = ROOT / "tests" / "tools" / "oidc-provider.mjs"
CALLBACK_PATH = "/staff/sso/callback"


@pytest.fixture(scope="session")
def oidc_issuer():
    """panva's oidc-provider (from npm, pinned in package.json) on a free loopback port, with
    its test clients and accounts (tests/tools/oidc-provider.mjs); its issuer URL."""
    node = shutil.which("node")
    assert node, "node is missing: `make test` needs Node.js (npm ci installs oidc-provider)"
    assert (ROOT / "node_modules" / "oidc-provider").exists(), "run `make assets` (npm ci)"
    port = free_port()
    process = subprocess.Popen(  # noqa: S603 - our own fixed arguments
        [node, str(PROVIDER_SCRIPT)], cwd=ROOT, env={**os.environ, "PORT": str(port)},
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    line = process.stdout.readline()
    assert line, "the OpenID Connect provider did not start"
    issuer = json.loads(line)["issuer"]
    yield issuer
    process.terminate()
    process.wait(10)
    process.stdout.close()


@pytest.fixture
def use_provider(app, oidc_issuer):
    """Configure the app for the test provider: ``use_provider(client_id="hsm", ...)``."""
    before = app.config.get("HSM_OIDC")

    def configure(client_id: str = "hsm", **kwargs) -> OidcSettings:
        settings = OidcSettings(issuer=oidc_issuer, client_id=client_id,
                                client_secret=PROVIDER_SECRET, display_name="Test Provider",
                                **kwargs)
        app.config["HSM_OIDC"] = settings
        return settings

    yield configure
    app.config["HSM_OIDC"] = before


def _form_action(html: str) -> str:
    match = re.search(r'<form[^>]*action="([^"]+)"', html)
    assert match, html[:500]
    return match.group(1)


def through_provider(location: str, login: str | None, *, consent: bool = True,
                     cancel: bool = False, browser: requests.Session | None = None) -> str:
    """Go from HSM's redirect to the provider's own login and consent pages, as a browser
    would (a real HTTP client, the provider's cookies kept), until the provider sends the
    browser back to HSM; return that callback URL (or the provider page it stopped on)."""
    browser = browser or requests.Session()
    response = browser.get(location, allow_redirects=False)
    for _ in range(10):
        if response.is_redirect:
            target = urljoin(response.url, response.headers["Location"])
            if CALLBACK_PATH in target:
                return target
            response = browser.get(target, allow_redirects=False)
            continue
        html = response.text
        if cancel and "[ Cancel ]" in html:
            abort = re.search(r'href="([^"]+)">\[ Cancel \]', html).group(1)
            response = browser.get(urljoin(response.url, abort), allow_redirects=False)
        elif 'name="prompt" value="login"' in html and login is not None:
            response = browser.post(urljoin(response.url, _form_action(html)),
                                    data={"prompt": "login", "login": login,
                                          "password": "anything"},
                                    allow_redirects=False)
        elif 'name="prompt" value="consent"' in html and consent:
            response = browser.post(urljoin(response.url, _form_action(html)),
                                    data={"prompt": "consent"}, allow_redirects=False)
        else:
            return response.url
    raise AssertionError("the provider never sent the browser back")


def sso_sign_in(client, login: str | None, *, start: str = "/staff/sso/start",
                token_from: str = "/staff/login", **kwargs):
    """Sign in through the provider with the test client: start at HSM, pass the provider's
    pages, and bring its answer back to HSM's callback. Returns the callback's response."""
    started = post(client, start, {}, token_from=token_from)
    assert started.status_code == 303, started.status_code
    back = through_provider(started.headers["Location"], login, **kwargs)
    assert CALLBACK_PATH in back, f"the provider stopped at {back}"
    parts = urlsplit(back)
    return client.get(f"{parts.path}?{parts.query}")
