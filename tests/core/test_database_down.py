"""When the database cannot be reached, the student's words are kept and the page says so
plainly (503), in their language; other pages answer a plain 503; nothing leaks."""

from __future__ import annotations

import os

import pytest

from tests.conftest import free_port
from tests.helpers import csrf_from
from tests.reports.conftest import valid_form

WORDS = "Kept-canary: it happened after the seminar on Thursday."


@pytest.fixture
def unreachable(app, make_app, tmp_path):
    """The same app, with a database that is down."""
    if (os.environ.get("HSM_DATABASE_URL") or "").startswith("postgresql"):
        url = f"postgresql+psycopg://postgres@127.0.0.1:{free_port()}/gone?connect_timeout=2"
    else:
        url = f"sqlite:///{tmp_path / 'no-such-folder' / 'gone.sqlite3'}"
    return make_app({"SQLALCHEMY_DATABASE_URI": url,
                     "HSM_FIELD_KEYS": app.config["HSM_FIELD_KEYS"]})


@pytest.mark.parametrize("lang, message", [
    ("en", "Nothing was sent, and your words are still here."),
    ("fr", "Rien n’a été envoyé"),
])
def test_a_report_sent_while_the_database_is_down_keeps_every_word(unreachable, lang, message):
    client = unreachable.test_client()
    token = csrf_from(client.get(f"/uk/report?lang={lang}").data)
    response = client.post(f"/uk/report?lang={lang}",
                           data=valid_form(narrative=WORDS) | {"csrf_token": token})
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert WORDS in html and message in html
    assert "Traceback" not in html and "psycopg" not in html and "sqlite" not in html.lower()


def test_a_page_that_reads_the_database_answers_a_plain_503(unreachable):
    response = unreachable.test_client().get("/safe-contacts?lang=nl")
    html = response.get_data(as_text=True)
    assert response.status_code == 503
    assert "Deze dienst is even niet beschikbaar" in html and "Traceback" not in html
