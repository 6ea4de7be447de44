"""Security headers on every response: pages, fragments, redirects, errors and static files."""

from __future__ import annotations

from urllib.parse import urlsplit

from flask import Flask, current_app, request

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "font-src 'self'",
        "connect-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ]
)
PERMISSIONS_POLICY = (
    "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), "
    "microphone=(), payment=(), usb=(), interest-cohort=()"
)
HSTS = "max-age=63072000; includeSubDomains"


def content_security_policy() -> str:
    """The CSP; with single sign-on, forms may also lead to the identity provider (signing in
    and RP-initiated sign-out post here, then redirect there, and form-action covers that)."""
    oidc = current_app.config.get("HSM_OIDC")
    if oidc is None:
        return CSP
    parts = urlsplit(oidc.issuer)
    return CSP.replace("form-action 'self'", f"form-action 'self' {parts.scheme}://{parts.netloc}")


def apply_security_headers(response):
    headers = response.headers
    headers["Content-Security-Policy"] = content_security_policy()
    headers["X-Content-Type-Options"] = "nosniff"
    headers["Referrer-Policy"] = "no-referrer"
    headers["Cross-Origin-Opener-Policy"] = "same-origin"
    headers["Cross-Origin-Resource-Policy"] = "same-origin"
    headers["Permissions-Policy"] = PERMISSIONS_POLICY
    headers["X-Frame-Options"] = "DENY"
    if request.endpoint == "static" and response.status_code < 400:
        # Versioned URLs (?v=content hash, see site.py) never change their content.
        versioned = "v" in request.args
        headers["Cache-Control"] = (
            "public, max-age=31536000, immutable" if versioned else "public, max-age=3600"
        )
    else:
        # Nothing a student or caseworker sees may stay in a cache.
        headers["Cache-Control"] = "no-store"
        headers.pop("Expires", None)
        headers.pop("ETag", None)
        headers.pop("Last-Modified", None)
    if current_app.config.get("HSM_HSTS"):
        headers["Strict-Transport-Security"] = HSTS
    return response


def init_app(app: Flask) -> None:
    app.after_request(apply_security_headers)
