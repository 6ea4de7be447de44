"""The investigation report as PDF (13.14), through the letters' WeasyPrint pipeline, in
English, Dutch and French: its sections, its appendices, its conclusion, and for the
responding party's copy, never the words of a note about the reporting party's wellbeing.

PDF rendering does not depend on the database: these run in the SQLite pass only (the
``browser`` marker, which the PostgreSQL pass deselects)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from hsm.cases import operations as ops
from hsm.cases import sharing
from hsm.cases.terms import (
    CONCLUSION_LABELS,
    REPORT_SECTIONS,
    STAFF_ONLY_SECTIONS,
    Conclusion,
    Marking,
    PartyRole,
    Stage,
)
from hsm.extensions import db
from hsm.i18n import LOCALES, force_locale
from tests.cases.conftest import party
from tests.cases.test_sharing import OVERVIEW, TEXTS, WELLBEING, finished_report
from tests.letters.conftest import pdf_text

pytestmark = pytest.mark.browser


def squeeze(text: str) -> str:
    return "".join(text.split())


@pytest.fixture
def report(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    ops.add_note(staff.caseworker, case, WELLBEING, Marking.WELLBEING_PAST)
    ops.add_evidence(staff.investigator, case, "Statement-title", "s.txt", b"Statement.\n")
    redacted = ops.add_evidence(staff.investigator, case, "Hidden-title", "h.txt", b"Other.\n")
    ops.redact_evidence(staff.investigator, case, redacted, "Another matter.")
    db.session.commit()
    return case, finished_report(case, staff)


@pytest.mark.parametrize("language", LOCALES)
def test_the_report_pdf_in_each_language(report, language):
    case, found = report
    pdf = sharing.render_report_pdf(sharing.report_document(case, found, language=language))
    reader = PdfReader(io.BytesIO(pdf))
    assert reader.pdf_header.startswith("%PDF")
    assert "/StructTreeRoot" in reader.trailer["/Root"]  # tagged
    text = squeeze(pdf_text(pdf))
    with force_locale(language):
        for name, label in REPORT_SECTIONS.items():
            # The recommendation of 13.18 is written only for a staff respondent.
            assert (squeeze(str(label)) in text) is (name not in STAFF_ONLY_SECTIONS)
        assert squeeze(str(CONCLUSION_LABELS[Conclusion.BREACH])) in text
    assert squeeze(OVERVIEW) in text and "Statement-title" in text and "Hidden-title" in text
    # The staff copy holds every passage.
    assert squeeze(WELLBEING) in text
    if language != "en":
        assert squeeze("Facts established") not in text


@pytest.mark.parametrize("language", LOCALES)
def test_the_responding_partys_copy_never_holds_the_wellbeing_note(report, staff, language):
    case, found = report
    responding = party(case, PartyRole.RESPONDING)
    responding.preferred_language = language
    db.session.commit()
    item = sharing.item_of(case, "report", found.id)
    prepared = sharing.prepare(case, item, responding)
    copy = sharing.share(staff.investigator, case, prepared, prepared.fingerprint)
    db.session.commit()
    text = squeeze(pdf_text(sharing.shared_bytes(copy)))
    assert "Wellbeing-canary" not in text and "anxiety" not in text
    assert squeeze(sharing.marker_for(language)) in text
    assert squeeze(TEXTS["chronology"].split("\n")[0]) in text
    # A redacted appendix keeps its number, never its title.
    assert "Statement-title" in text and "Hidden-title" not in text
