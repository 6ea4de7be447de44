"""The OpenID Connect client: Authorization Code with PKCE, through Authlib's Flask client.

Authlib does the protocol: discovery, the authorization request (state, nonce, PKCE S256),
the code exchange, and the ID token's signature, issuer, audience, expiry and nonce. HSM adds
three things around it:

- **Where the state waits.** The staff session cookie is ``SameSite=Strict``, so a browser
  coming back from a provider on another site does not send it. Authlib's state data (state,
  nonce, PKCE verifier, redirect URI) therefore waits in a cookie of its own, encrypted with
  the field key ring, ``SameSite=Lax``, ``HttpOnly``, for 10 minutes, and it is removed by
  the callback whatever happens. It binds the callback to the browser that started it.
- **Pinning.** The discovered issuer must be the configured one, and the ID token's ``iss``
  is checked against the configured issuer, not only against what discovery said.
- **Errors.** Every failure becomes ``SsoRefused`` with its reason, never a 500.
"""

from __future__ import annotations

import json
import time
from dataclasses import dataclass

import requests
from authlib.common.errors import AuthlibBaseError
from authlib.integrations.flask_client import FlaskIntegration, OAuth
from flask import current_app, g, request
from joserfc.errors import JoseError

from hsm.accounts.sso import Refusal, SsoRefused
from hsm.config import OidcSettings
from hsm.crypto import TamperedCiphertext, keyring
from hsm.routing import external_url

NAME = "hsm"
STATE_LIFETIME = 600  # seconds between leaving for the provider and coming back
EXTENSION_KEY = "hsm_oidc"
_STORE = "hsm_oidc_state"


def settings() -> OidcSettings | None:
    return current_app.config.get("HSM_OIDC")


def cookie_name() -> str:
    return "__Host-hsm-sso" if current_app.config["SESSION_COOKIE_SECURE"] else "hsm-sso"


class _CookieStateIntegration(FlaskIntegration):
    """Authlib's state bookkeeping, kept in the request's state store instead of the session."""

    expires_in = STATE_LIFETIME

    def get_state_data(self, session, state):
        return super().get_state_data(_store(), state)

    def set_state_data(self, session, state, data):
        return super().set_state_data(_store(), state, data)

    def clear_state_data(self, session, state):
        return super().clear_state_data(_store(), state)


def _store() -> dict:
    """The state store of this request: what the state cookie held, decrypted (or empty)."""
    if _STORE not in g:
        data: dict = {}
        sealed = request.cookies.get(cookie_name())
        if sealed and len(sealed) < 4096:
            try:
                data = json.loads(keyring().decrypt(sealed))
            except (TamperedCiphertext, ValueError):
                data = {}
        if not isinstance(data, dict) or data.get("until", 0) < time.time():
            data = {}
        setattr(g, _STORE, data)
    return getattr(g, _STORE)


def _client():
    """The Authlib client for the configured provider, made once per settings."""
    current = settings()
    made = current_app.extensions.get(EXTENSION_KEY)
    if made is not None and made[0] == current:
        return made[1]
    oauth = OAuth()
    oauth.framework_integration_cls = _CookieStateIntegration
    oauth.init_app(current_app)
    client = oauth.register(
        NAME,
        client_id=current.client_id,
        client_secret=current.client_secret,
        server_metadata_url=current.metadata_url,
        client_kwargs={
            "scope": current.scopes,
            "code_challenge_method": "S256",
            "default_timeout": current.timeout_seconds,
        },
    )
    current_app.extensions[EXTENSION_KEY] = (current, client)
    return client


def _metadata(client) -> dict:
    metadata = client.load_server_metadata()
    if metadata.get("issuer") != settings().issuer:
        # Discovery answered for another issuer: nothing it says can be trusted.
        client.server_metadata = {}
        raise SsoRefused(Refusal.INVALID_RESPONSE)
    return metadata


@dataclass(frozen=True)
class Started:
    url: str


def begin(purpose: str, invite_token_id: int | None = None) -> Started:
    """Start an authorization request; ``save_state(response)`` must then set the cookie.

    ``purpose``: ``"sign_in"``, or ``"link"`` (from an invitation: the provider is asked to
    authenticate afresh, so that someone else's open provider session is never linked).
    """
    client = _client()
    try:
        _metadata(client)
        store = _store()
        store.clear()
        store.update(purpose=purpose, invite=invite_token_id,
                     until=time.time() + STATE_LIFETIME)
        extra = {"max_age": int(settings().session_lifetime.total_seconds())}
        if purpose == "link":
            extra["prompt"] = "login"
        response = client.authorize_redirect(external_url("accounts.sso_callback"), **extra)
    except (requests.RequestException, ValueError, AuthlibBaseError) as error:
        raise SsoRefused(Refusal.UNREACHABLE) from error
    return Started(response.location)


def save_state(response) -> None:
    response.set_cookie(
        cookie_name(),
        keyring().encrypt(json.dumps(_store())),
        max_age=STATE_LIFETIME,
        path="/",
        secure=current_app.config["SESSION_COOKIE_SECURE"],
        httponly=True,
        samesite="Lax",
    )


def clear_state(response) -> None:
    response.delete_cookie(cookie_name(), path="/",
                           secure=current_app.config["SESSION_COOKIE_SECURE"],
                           httponly=True, samesite="Lax")


@dataclass(frozen=True)
class Finished:
    claims: dict
    purpose: str
    invite_token_id: int | None


def finish() -> Finished:
    """Complete the callback: the provider's error, or the code exchanged and the ID token
    validated (state, nonce, PKCE, signature, issuer, audience, expiry)."""
    store = _store()
    purpose = store.get("purpose") if store.get("purpose") in ("sign_in", "link") else "sign_in"
    invite = store.get("invite") if isinstance(store.get("invite"), int) else None
    # Only a sign-in this browser started is answered, and nothing else reaches the provider.
    if not any(k.startswith(f"_state_{NAME}_") for k in store):
        raise SsoRefused(Refusal.INVALID_RESPONSE)
    error = request.args.get("error")
    if error:
        raise SsoRefused(Refusal.DECLINED if error == "access_denied"
                         else Refusal.PROVIDER_ERROR)
    client = _client()
    try:
        _metadata(client)
        token = client.authorize_access_token(
            claims_options={"iss": {"essential": True, "values": [settings().issuer]}}
        )
    except requests.RequestException as exc:
        raise SsoRefused(Refusal.UNREACHABLE) from exc
    except (AuthlibBaseError, JoseError, ValueError, KeyError, TypeError) as exc:
        raise SsoRefused(Refusal.INVALID_RESPONSE) from exc
    claims = token.get("userinfo")
    if not claims:
        raise SsoRefused(Refusal.INVALID_RESPONSE)
    return Finished(dict(claims), purpose, invite)


def logout_url() -> str | None:
    """The provider's RP-initiated logout, coming back to "signed out"; None when it has none."""
    if settings() is None:
        return None
    client = _client()
    try:
        if not _metadata(client).get("end_session_endpoint"):
            return None
        return client.create_logout_url(
            post_logout_redirect_uri=external_url("accounts.signed_out"),
            client_id=settings().client_id,
        )["url"]
    except (requests.RequestException, ValueError, AuthlibBaseError, SsoRefused):
        return None
