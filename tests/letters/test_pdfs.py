"""Every letter, to every recipient, in every language, as PDF text (pypdf): what each says
and what it must never say. Each letter is rendered once per language (module fixture).

PDF rendering does not depend on the database: these run in the SQLite pass only (the
``browser`` marker, which the PostgreSQL pass deselects)."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader

from hsm.cases.terms import PartyRole
from hsm.extensions import db
from hsm.i18n import LOCALES, force_locale, format_date
from hsm.letters import content, rendering
from hsm.letters.terms import LETTER_KIND_LABELS, SANCTION_LABELS, LetterKind
from tests.conftest import _clean_tables
from tests.letters import conftest as data

pytestmark = pytest.mark.browser
OTHER_CENTRES = ("amsterdam", "ireland", "paris")
NEVER_IN_A_LETTER = (data.WELLBEING, data.INTERNAL_NOTE, data.DISCLOSURE)
COP = LetterKind.COMPLETION_OF_PROCEDURES


def squeeze(text: str) -> str:
    """Without any whitespace: a line break inside a phrase does not hide it."""
    return "".join(text.split())


def has(text: str, needle: str) -> bool:
    return squeeze(needle) in squeeze(text)


@pytest.fixture(scope="module")
def rendered(app):
    """{(centre, language, kind, role): (pdf bytes, text, content)}: every letter at the
    English centre, and the COP letter at every other centre, once per language."""
    found = {}
    with app.app_context():
        for language in LOCALES:
            for centre in ("uk", *OTHER_CENTRES):
                world = data.make_world(centre, language=language)
                for kind, role in data.EVERY_LETTER:
                    if centre != "uk" and kind != COP:
                        continue
                    party = world.reporting if role == PartyRole.REPORTING else world.responding
                    letter = content.build(world.case, data.request_for(world, kind, party))
                    pdf = rendering.render_pdf(letter)
                    found[(centre, language, str(kind), str(role))] = (
                        pdf, data.pdf_text(pdf), letter)
                db.session.rollback()
                _clean_tables()
        db.session.remove()
    return found


def _uk(rendered, language, kind, role):
    return rendered[("uk", language, str(kind), str(role))]


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize(("kind", "role"), data.EVERY_LETTER)
def test_each_letter_is_written_in_the_recipients_language(rendered, language, kind, role):
    pdf, text, letter = _uk(rendered, language, kind, role)
    with force_locale(language):
        title = str(LETTER_KIND_LABELS[kind])
        dated = format_date(letter.letter_date, "long")
        centre = letter.centre.name_for(language)
    assert has(text, title)
    assert has(text, dated)
    assert has(text, letter.reference)
    assert has(text, centre), "the centre's own details are in the header"
    assert has(text, letter.centre.student_services.email)
    name = data.REPORTING_NAME if role == PartyRole.REPORTING else data.RESPONDING_NAME
    assert has(text, name)
    greeting = {"en": "Dear", "nl": "Beste", "fr": "Bonjour"}[language]
    assert has(text, greeting)


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize(("kind", "role"), data.EVERY_LETTER)
def test_each_pdf_is_tagged_with_its_language_and_title(rendered, language, kind, role):
    pdf, _text, _letter = _uk(rendered, language, kind, role)
    reader = PdfReader(io.BytesIO(pdf))
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"])
    assert "/StructTreeRoot" in root
    assert str(root["/Lang"]) == language
    with force_locale(language):
        assert str(LETTER_KIND_LABELS[kind]) in reader.metadata.title
    # PDF/UA-1, declared in the XMP metadata.
    assert b'pdfuaid:part="1"' in root["/Metadata"].get_object().get_data()


@pytest.mark.parametrize("language", LOCALES)
def test_the_england_cop_letter_names_the_oia_and_the_date_twelve_months_on(rendered,
                                                                           language):
    for role in (PartyRole.REPORTING, PartyRole.RESPONDING):
        _pdf, text, letter = _uk(rendered, language, COP, role)
        day = letter.letter_date
        later = day.replace(year=day.year + 1, day=min(day.day, 28 if day.month == 2 else 31))
        with force_locale(language):
            by = format_date(later, "long")
            ended = format_date(letter.final_decision_on, "long")
            kind = str(LETTER_KIND_LABELS[COP])
        assert has(text, "Office of the Independent Adjudicator")
        assert has(text, "OIA")
        assert has(text, "oiahe.org.uk")
        assert has(text, by), "within 12 months of the letter's date"
        assert has(text, ended), "the date internal procedures ended"
        assert has(text, kind), "it says it is a Completion of Procedures letter"
        assert has(text, data.COMPLAINT), "what the complaint was"


@pytest.mark.parametrize("language", LOCALES)
@pytest.mark.parametrize("centre", OTHER_CENTRES)
def test_cop_letters_outside_england_say_nothing_of_the_oia(rendered, centre, language):
    for role in (PartyRole.REPORTING, PartyRole.RESPONDING):
        _pdf, text, letter = rendered[(centre, language, str(COP), str(role))]
        assert "OIA" not in text
        assert not has(text, "Office of the Independent Adjudicator")
        assert "oiahe" not in text
        assert has(text, data.COMPLAINT)
        with force_locale(language):
            assert has(text, format_date(letter.final_decision_on, "long"))


def test_the_paris_cop_letter_in_french(rendered):
    _pdf, text, _letter = rendered[("paris", "fr", str(COP), "reporting")]
    assert has(text, "Lettre de fin des procédures")
    assert "OIA" not in text
    assert "Office of the Independent Adjudicator" not in " ".join(text.split())


@pytest.mark.parametrize("language", LOCALES)
def test_the_reporting_partys_outcome_letter_has_only_the_sanctions_that_affect_them(
        rendered, language):
    _pdf, text, _letter = _uk(rendered, language, LetterKind.OUTCOME, PartyRole.REPORTING)
    with force_locale(language):
        private = str(SANCTION_LABELS["written_warning"])
        shared = str(SANCTION_LABELS["behavioural_contract"])
    assert has(text, data.SHARED_SANCTION) and has(text, shared)
    assert not has(text, data.PRIVATE_SANCTION)
    assert not has(text, private)
    assert has(text, data.REMEDY) and has(text, data.REASONS)


@pytest.mark.parametrize("language", LOCALES)
def test_the_responding_partys_outcome_letter_has_every_sanction_and_no_remedy(rendered,
                                                                             language):
    _pdf, text, _letter = _uk(rendered, language, LetterKind.OUTCOME, PartyRole.RESPONDING)
    assert has(text, data.PRIVATE_SANCTION) and has(text, data.SHARED_SANCTION)
    assert has(text, data.REASONS)
    assert not has(text, data.REMEDY)


@pytest.mark.parametrize("language", LOCALES)
def test_no_letter_to_the_responding_party_holds_the_wellbeing_note(rendered, language):
    to_responding = [v for k, v in rendered.items()
                     if k[1] == language and k[3] == PartyRole.RESPONDING]
    assert len(to_responding) == 9  # 6 at the English centre, a COP at each other one
    for _pdf, text, _letter in to_responding:
        assert not has(text, data.WELLBEING)


def test_no_letter_holds_a_note_or_the_disclosure(rendered):
    for _pdf, text, _letter in rendered.values():
        for canary in NEVER_IN_A_LETTER:
            assert not has(text, canary)


@pytest.mark.parametrize("language", LOCALES)
def test_the_other_party_learns_only_the_upheld_decision(rendered, language):
    _pdf, text, _letter = _uk(rendered, language, LetterKind.REVIEW_OUTCOME,
                              PartyRole.RESPONDING)
    assert has(text, data.REVIEW_REASONS)
    assert not has(text, data.ALT_REASON)
    for _pdf, requester_only, _l in (
            _uk(rendered, language, LetterKind.ALTERNATIVE_TIMESCALE, PartyRole.REPORTING),
            _uk(rendered, language, LetterKind.REVIEW_ACKNOWLEDGEMENT, PartyRole.REPORTING)):
        assert has(requester_only, data.REPORTING_NAME)


@pytest.mark.parametrize("language", LOCALES)
def test_the_responding_partys_letters_state_their_measures_and_the_summary(rendered,
                                                                           language):
    _pdf, text, _letter = _uk(rendered, language, LetterKind.SUSPENSION_NOTICE,
                              PartyRole.RESPONDING)
    assert has(text, data.SUSPENSION)
    _pdf, text, _letter = _uk(rendered, language, LetterKind.ALLEGATION_SUMMARY,
                              PartyRole.RESPONDING)
    assert has(text, data.SUMMARY) and has(text, data.SUSPENSION)
    _pdf, text, _letter = _uk(rendered, language, LetterKind.NO_CONTACT_AGREEMENT,
                              PartyRole.REPORTING)
    assert has(text, data.RESPONDING_NAME), "the agreement names whom not to contact"
    assert not has(text, data.SUSPENSION), "never the other party's measures"
