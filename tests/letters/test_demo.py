"""The demo letters: already issued at an English and a French centre, each in its
recipient's language, and loading twice adds nothing. (Renders PDFs: SQLite pass only.)"""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from hsm.accounts import demo as accounts_demo
from hsm.cases import demo as cases_demo
from hsm.cases.models import Case
from hsm.extensions import db
from hsm.letters import demo, queries
from hsm.letters.models import Letter
from tests.letters.conftest import pdf_text

pytestmark = pytest.mark.browser


def test_demo_letters_are_issued_at_uk_and_paris_once():
    accounts_demo.load()
    cases_demo.load()
    assert demo.load() > 0
    db.session.commit()
    assert demo.load() == 0
    rows = db.session.execute(sa.select(Case.centre, Letter.language, Letter.kind).join(
        Case, Case.id == Letter.case_id)).all()
    assert {(c, lang) for c, lang, _k in rows} == {("uk", "en"), ("paris", "fr")}
    assert {"outcome", "completion_of_procedures", "review_outcome"} <= {k for *_x, k in rows}
    for letter in db.session.scalars(sa.select(Letter).where(
            Letter.kind == "completion_of_procedures")):
        text = pdf_text(queries.pdf_of(letter))
        assert ("OIA" in text) == (letter.language == "en")
