"""Every error status has a localised page (a fragment for htmx) with no internals."""


import pytest
from flask import Blueprint

from hsm.security import public
from tests.core.test_headers import assert_security_headers
from tests.helpers import csrf_from

FRENCH = {"Accept-Language": "fr"}


def assert_error_page(response, status, french_title, htmx=False):
    assert response.status_code == status
    body = response.get_data(as_text=True)
    assert french_title in body
    assert "Traceback" not in body and "File \"" not in body
    assert ("<html" in body) is not htmx
    assert_security_headers(response)


@pytest.fixture
def boom_app(make_app):
    """A second app with a route that fails, to see the 500 page."""
    other = make_app()
    broken = Blueprint("broken_for_test", __name__)

    @broken.get("/broken-for-test")
    @public
    def fails():
        raise RuntimeError("secret internals: /srv/hsm/db password=hunter2")

    other.register_blueprint(broken)
    return other


@pytest.mark.parametrize("htmx", [False, True])
def test_500_page(boom_app, htmx):
    headers = {**FRENCH, **({"HX-Request": "true"} if htmx else {})}
    response = boom_app.test_client().get("/broken-for-test", headers=headers)
    assert_error_page(response, 500, "Désolés, un problème est survenu", htmx)
    assert "hunter2" not in response.get_data(as_text=True)


@pytest.mark.parametrize("htmx", [False, True])
def test_404_and_405_pages(client, htmx):
    headers = {**FRENCH, **({"HX-Request": "true"} if htmx else {})}
    assert_error_page(client.get("/nowhere/", headers=headers), 404, "Page introuvable", htmx)
    assert_error_page(
        client.put("/healthz", headers=headers), 405, "Cette action n’est pas disponible", htmx
    )


def test_400_when_the_form_token_is_missing(client):
    response = client.post("/safe-contacts/apply?lang=fr", data={"name": "Alex"})
    assert_error_page(response, 400, "rien n’a été envoyé")


def test_403_page(login_as, client):
    login_as("executive")
    response = client.get("/staff/reports", headers=FRENCH)
    assert_error_page(response, 403, "Vous n’avez pas accès à cette page")


def test_413_page(client):
    big = "x" * (3 * 1024 * 1024)
    response = client.post("/uk/report?lang=fr", data={"narrative": big})
    assert_error_page(response, 413, "trop volumineux")


def test_429_page(client):
    html = client.get("/staff/login").get_data(as_text=True)
    token = csrf_from(html)
    wrong = {"csrf_token": token, "email": "nobody@example.org", "password": "not the password"}
    for _ in range(30):
        response = client.post("/staff/login", data=wrong, headers=FRENCH)
        if response.status_code == 429:
            break
    assert_error_page(response, 429, "Trop de tentatives")


def test_htmx_errors_replace_the_main_content(client):
    response = client.get("/nowhere/", headers={"HX-Request": "true"})
    assert response.headers["HX-Retarget"] == "#main"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert 'role="alert"' in response.get_data(as_text=True)


def test_a_405_says_which_methods_are_allowed(client):
    response = client.put("/healthz")
    assert response.status_code == 405
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "HEAD"}


def test_staff_errors_keep_the_staff_layout(login_as, client):
    login_as("executive")
    body = client.get("/staff/reports").get_data(as_text=True)
    assert "Sign out" in body and "data-quick-exit" not in body
    student = client.get("/nowhere/").get_data(as_text=True)
    assert "data-quick-exit" in student
