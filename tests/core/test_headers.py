"""Security headers on every kind of response."""

import pytest

from hsm.headers import CSP

EXPECTED = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def assert_security_headers(response):
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, name
    assert "camera=()" in response.headers["Permissions-Policy"]


def test_csp_is_strict():
    assert "unsafe-inline" not in CSP and "unsafe-eval" not in CSP
    for directive in (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "object-src 'none'",
        "base-uri 'none'",
        "frame-ancestors 'none'",
        "form-action 'self'",
    ):
        assert directive in CSP


@pytest.mark.parametrize(
    ("path", "headers", "status"),
    [
        ("/uk/", {}, 200),
        ("/uk/", {"HX-Request": "true"}, 200),
        ("/no-such-centre/", {}, 404),
        ("/no-such-centre/", {"HX-Request": "true"}, 404),
        ("/healthz", {}, 200),
    ],
)
def test_headers_on_pages_fragments_and_errors(client, path, headers, status):
    response = client.get(path, headers=headers)
    assert response.status_code == status
    assert_security_headers(response)


def test_headers_on_a_method_not_allowed(client):
    response = client.delete("/healthz")
    assert response.status_code == 405
    assert_security_headers(response)


def test_static_files_are_cacheable_and_still_protected(client):
    response = client.get("/static/css/app.css")
    assert response.status_code == 200
    assert response.headers["Cache-Control"].startswith("public")
    assert response.headers["Content-Security-Policy"] == CSP
    response.close()


def test_compressed_static_files_keep_every_security_header(client):
    from hsm import compression
    from hsm.config import STATIC_DIR

    compression.compress_tree(STATIC_DIR)
    response = client.get("/static/js/app.js", headers={"Accept-Encoding": "br"})
    assert response.headers["Content-Encoding"] == "br"
    assert response.headers["Content-Security-Policy"] == CSP
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Cross-Origin-Resource-Policy"] == "same-origin"
    response.close()


def test_hsts_only_in_production(app, client):
    assert "Strict-Transport-Security" not in client.get("/healthz").headers
    app.config["HSM_HSTS"] = True
    try:
        assert client.get("/healthz").headers["Strict-Transport-Security"].startswith("max-age=")
    finally:
        app.config["HSM_HSTS"] = False


def test_the_quick_exit_clears_the_site_and_leaves(app, client):
    response = client.get("/leave")
    assert response.status_code == 303
    assert response.headers["Location"] == app.config["HSM_QUICK_EXIT_URL"]
    assert response.headers["Clear-Site-Data"] == '"cookies", "storage"'
    assert_security_headers(response)


def test_static_urls_carry_a_content_version(app, client):
    html = client.get("/uk/").get_data(as_text=True)
    import re

    url = re.search(r'href="(/static/css/app\.css\?v=[0-9a-f]{12})"', html).group(1)
    response = client.get(url)
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    response.close()
