"""The PDF board pack: the stored snapshot as tagged PDF, with the page's suppression."""

from __future__ import annotations

import io
from datetime import UTC, datetime

import pytest
from pypdf import PdfReader

from hsm.extensions import db
from hsm.stats import operations

pytestmark = pytest.mark.browser  # renders PDFs: the SQLite pass only

NOW = datetime(2025, 12, 3, 9, tzinfo=UTC)


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_board_pack_has_the_page_figures(client, login_as, known, language):
    snapshot = operations.publish(None, known, now=NOW)
    db.session.commit()
    login_as("executive")
    answer = client.get(f"/staff/statistics/{snapshot.id}/export.pdf?lang={language}")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(answer.data)).pages)
    words = {"en": ("fewer than 5", "not shown", "Reports received"),
             "fr": ("moins de 5", "non affiché", "Signalements reçus")}[language]
    for word in words:
        assert word in text
    # The uk section: 10 reports, the anonymous ones "fewer than 5", never 4.
    england = text.split({"en": "England", "fr": "Angleterre"}[language], 1)[1]
    assert f"{words[2]} 10" in england.replace("\n", " ")
    assert " 4\n" not in england and " 4 " not in england
