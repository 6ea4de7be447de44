"""The investigation report (13.14) and sharing with the parties (13.9, 13.15, 19.3).

- The redaction itself (Hypothesis): a party's copy holds every passage not withheld,
  unchanged and in order, and no passage withheld.
- A note marked as about the reporting party's wellbeing or past never reaches anything
  shared with, or prepared for, the responding party, whatever staff choose.
- The report: drafts never lose text, a finished report no longer changes, its conclusion is
  the investigation's; the share is recorded with who, whom, when, which version, and the
  copy is downloaded exactly as shared.
- Views for every role (others 403/404), and bad input (no 500) on SQLite and PostgreSQL.
"""

from __future__ import annotations

import hashlib
import io
import json
from datetime import date, timedelta

import pytest
import sqlalchemy as sa
from hypothesis import given
from hypothesis import strategies as st
from pypdf import PdfReader

from hsm.cases import operations as ops
from hsm.cases import redaction, sharing
from hsm.cases.models import InvestigationReport, SharedCopy
from hsm.cases.terms import Conclusion, Marking, PartyRole, Stage
from hsm.extensions import db
from hsm.security import Role
from tests.cases.conftest import party
from tests.cases.test_investigation import details
from tests.cases.test_operations import audited, refused_codes
from tests.cases.test_views import sign_in
from tests.factories import make_user
from tests.helpers import csrf_from

WELLBEING = "Wellbeing-canary: she was treated for anxiety after a loss in her family last year."
OVERVIEW = "Overview-canary: the allegation concerns comments made in shared classes."
TEXT = (b"Statement-canary: I heard the comments twice.\n\n"
        b"Wellbeing-canary: she was treated for anxiety after a loss in her family last year.\n")


# --- the redaction, as a property -----------------------------------------------------------

_words = st.text(alphabet="abcdefghij klmnop.,'", min_size=1, max_size=40)


@given(st.lists(_words, min_size=1, max_size=12), st.data())
def test_a_copy_holds_every_passage_kept_unchanged_and_none_withheld(texts, data):
    # Each paragraph carries its own token, so that one never hides inside another.
    paras = [f"P{n}x {t.strip() or 'x'}" for n, t in enumerate(texts)]
    found = redaction.passages([("", "\n\n".join(paras))])
    assert [p.text for p in found] == [" ".join(p.split(" ")) for p in paras] or found
    numbers = [p.number for p in found]
    withheld = data.draw(st.sets(st.sampled_from(numbers)))
    copy = redaction.shared(found, withheld, marker="[withheld]")
    kept = [p for p in found if p.number not in withheld]
    assert copy.kept == kept
    assert [t for _p, t in copy.items if t is not None] == [p.text for p in kept]
    text = copy.text("[withheld]")
    for passage in found:
        token = passage.text.split(" ", 1)[0] + " "
        assert (token in text + " ") == (passage.number not in withheld)
    assert copy.withheld == frozenset(withheld)


@given(st.lists(_words, min_size=1, max_size=8), st.data())
def test_a_phrase_withheld_is_gone_and_the_rest_is_unchanged(texts, data):
    paras = [f"P{n}x {t.strip() or 'x'} SECRET-{n} end" for n, t in enumerate(texts)]
    found = redaction.passages([("s", "\n\n".join(paras))])
    chosen = data.draw(st.sets(st.sampled_from(range(len(paras)))))
    phrases = [f"SECRET-{n}" for n in chosen]
    copy = redaction.shared(found, (), phrases, marker="[…]")
    for passage, text in copy.items:
        n = passage.number - 1
        assert (f"SECRET-{n} " in text) == (n not in chosen)
        assert text.replace("[…]", f"SECRET-{n}") == passage.text
    assert redaction.missing_phrases(found, phrases) == []
    assert redaction.missing_phrases(found, ["not there"]) == ["not there"]


@given(st.lists(_words, min_size=0, max_size=6), st.sampled_from([0, 1, 2]))
def test_a_passage_repeating_a_wellbeing_note_is_always_found(others, where):
    paras = [f"Other {n}: {t}" for n, t in enumerate(others)]
    paras.insert(min(where, len(paras)), f"Before. {WELLBEING} After.")
    found = redaction.passages([("", "\n\n".join(paras))])
    hits = redaction.sensitive(found, [WELLBEING])
    assert len(hits) == 1
    copy = redaction.shared(found, hits)
    assert not redaction.leaks(copy.text("[…]"), [WELLBEING])
    assert redaction.leaks("\n\n".join(paras), [WELLBEING])


def test_paragraphs_are_split_on_blank_lines():
    assert redaction.paragraphs("a\r\nb\r\n\r\n  c  \n \n\n") == ["a\nb", "c"]
    assert redaction.paragraphs(None) == []
    # Spacing and case do not hide a copied note.
    assert redaction.sensitive(redaction.passages([("", WELLBEING.upper().replace(" ", "  "))]),
                               [WELLBEING]) == {1}


# --- setting up an investigation --------------------------------------------------------------


TEXTS = {
    "overview": OVERVIEW,
    "chronology": "Chronology-canary: 2 October, the first comments.\n\n"
                  "9 October, the second comments.",
    "facts_established": f"The comments were made.\n\n{WELLBEING}",
    "facts_disputed": "Whether the comments were meant as a joke.",
    "mitigating": "An apology was offered.",
    "aggravating": "The comments were repeated.",
    "policy_extracts": "Section 3.2 of the policy.",
}


@pytest.fixture
def investigation(make_case, staff):
    """A case in the investigation: a wellbeing note, a meeting with the reporting party
    whose notes repeat it, evidence (text, image, PDF), and a finished report."""
    case = make_case(Stage.INVESTIGATION)
    ops.add_note(staff.caseworker, case, WELLBEING, Marking.WELLBEING_PAST)
    reporting = party(case, PartyRole.REPORTING)
    meeting = ops.record_meeting(staff.investigator, case, reporting, details(
        notes=f"Meeting-canary: she described the evening.\n\n{WELLBEING}"))
    text = ops.add_evidence(staff.investigator, case, "Statement", "statement.txt", TEXT)
    db.session.commit()
    return case, meeting, text


def finished_report(case, staff):
    ops.record_conclusion(staff.investigator, case, Conclusion.BREACH,
                          date.today() - timedelta(days=1))
    sharing.save_report(staff.investigator, case, TEXTS)
    report = sharing.finish_report(staff.investigator, case)
    db.session.commit()
    return report


def share_all(case, staff, role, withheld=()):
    """Prepare and share every item of the case with the party in ``role``."""
    found = party(case, role)
    copies = []
    for item in sharing.items_of(case):
        full = sharing.item_of(case, item.kind, item.id)
        prepared = sharing.prepare(case, full, found, withheld)
        copies.append(sharing.share(staff.investigator, case, prepared, prepared.fingerprint))
    db.session.commit()
    return copies


# --- the report -------------------------------------------------------------------------------


def test_the_report_is_saved_in_versions_encrypted_and_finished_once(investigation, staff):
    case, _meeting, _text = investigation
    first = sharing.save_report(staff.investigator, case, {"overview": OVERVIEW})
    db.session.commit()
    assert first.version == 1
    assert sharing.save_report(staff.investigator, case, {"overview": OVERVIEW}).version == 1
    assert sharing.save_report(staff.investigator, case, TEXTS).version == 2
    db.session.commit()
    stored = db.session.execute(sa.text("SELECT overview FROM case_investigation_report")).scalar()
    assert "Overview-canary" not in stored
    # Not without the conclusion (13.16): the investigation's own, never a second one.
    assert refused_codes(sharing.finish_report, staff.investigator, case) == {"no_conclusion"}
    report = finished_report(case, staff)
    assert report.finished_at is not None and audited("case.investigation_report_finished")
    assert refused_codes(sharing.save_report, staff.investigator, case, TEXTS) == {
        "report_finished"}
    # Only those who investigate write it (Student Services does not).
    assert "missing_permission" in refused_codes(sharing.save_report, staff.caseworker, case,
                                                 TEXTS)


def test_a_report_cannot_be_finished_with_sections_missing(investigation, staff):
    case, _meeting, _text = investigation
    ops.record_conclusion(staff.investigator, case, Conclusion.NO_BREACH, date.today())
    sharing.save_report(staff.investigator, case, {"overview": OVERVIEW})
    assert refused_codes(sharing.finish_report, staff.investigator, case) == {
        "report_incomplete"}


def test_the_appendices_are_the_evidence_numbered_and_redacted_marked(investigation, staff):
    case, _meeting, text = investigation
    other = ops.add_evidence(staff.investigator, case, "Unrelated-title-canary", "o.txt",
                             b"Another matter.\n")
    ops.redact_evidence(staff.investigator, case, other, "About another matter.")
    report = finished_report(case, staff)
    staff_copy = sharing.report_document(case, report, language="en")
    assert [(a.number, a.title, a.redacted) for a in staff_copy.appendices] == [
        (1, "Statement", False), (2, "Unrelated-title-canary", True)]
    party_copy = sharing.report_document(case, report, language="en",
                                         shared=redaction.shared([], ()))
    assert [(a.number, a.title) for a in party_copy.appendices] == [(1, "Statement"), (2, None)]


STAFF_RECOMMENDATION = "Staff-recommendation-canary: refer under the staff disciplinary policy."


def test_a_staff_respondent_needs_the_recommendation_of_13_18_kept_from_the_parties(
        client, investigation, staff):
    """For a staff respondent the report ends with the recommendation on the staff
    disciplinary policy (13.18): finishing needs it, staff read it (page and PDF), and no
    party's copy ever holds it."""
    case, _meeting, _text = investigation
    sign_in(client, staff.investigator)
    # A student respondent: no such section is offered.
    assert "staff disciplinary policy" not in client.get(
        f"/staff/cases/{case.id}/report").get_data(as_text=True)
    case.staff_respondent = True
    ops.record_conclusion(staff.investigator, case, Conclusion.BREACH, date.today())
    db.session.commit()
    assert "staff disciplinary policy (13.18)" in client.get(
        f"/staff/cases/{case.id}/report").get_data(as_text=True)
    sharing.save_report(staff.investigator, case, TEXTS)
    assert refused_codes(sharing.finish_report, staff.investigator, case) == {
        "no_staff_recommendation"}
    db.session.rollback()
    assert _report_post(client, case, {**TEXTS, "staff_recommendation": STAFF_RECOMMENDATION},
                        "finish").status_code == 303
    stored = db.session.execute(
        sa.text("SELECT staff_recommendation FROM case_investigation_report")).scalar()
    assert stored and "canary" not in stored.lower()  # encrypted at rest
    report = db.session.scalars(sa.select(InvestigationReport)).one()
    assert STAFF_RECOMMENDATION in client.get(
        f"/staff/cases/{case.id}/report").get_data(as_text=True)
    pdf = PdfReader(io.BytesIO(client.get(f"/staff/cases/{case.id}/report.pdf").data))
    assert "Staff-recommendation-canary" in " ".join(p.extract_text() for p in pdf.pages)
    for role in (PartyRole.REPORTING, PartyRole.RESPONDING):
        item = sharing.item_of(case, "report", report.id)
        prepared = sharing.prepare(case, item, party(case, role), ())
        assert all(p.section != "staff_recommendation" for p in item.passages)
        copy = sharing.share(staff.investigator, case, prepared, prepared.fingerprint)
        db.session.commit()
        shared = client.get(f"/staff/cases/{case.id}/shared/{copy.id}")
        assert shared.status_code == 200
        text = " ".join(p.extract_text() for p in PdfReader(io.BytesIO(shared.data)).pages)
        assert "Staff-recommendation-canary" not in text and "13.18" not in text


# --- sharing ---------------------------------------------------------------------------------


def test_nothing_about_wellbeing_reaches_the_responding_party(investigation, staff):
    """Whatever is chosen, the wellbeing note's words are in no copy for the responding party,
    prepared (the preview) or stored; the reporting party's copy may hold them."""
    case, _meeting, _text = investigation
    finished_report(case, staff)
    responding = party(case, PartyRole.RESPONDING)
    for item in sharing.items_of(case):
        full = sharing.item_of(case, item.kind, item.id)
        prepared = sharing.prepare(case, full, responding, withheld=())
        assert prepared.automatic and "Wellbeing-canary" not in prepared.text
    copies = share_all(case, staff, PartyRole.RESPONDING)
    assert len(copies) == 3
    for copy in copies:
        data = sharing.shared_bytes(copy)
        text = data_text(data)
        assert "Wellbeing-canary" not in text and "anxiety" not in text
        assert copy.auto_withheld and copy.sha256 == hashlib.sha256(data).hexdigest()
    # The originals never changed.
    meeting = sharing.item_of(case, "meeting", copies[0].item_id)
    assert any("Wellbeing-canary" in p.text for p in meeting.passages)
    # The reporting party receives their own words.
    mine = share_all(case, staff, PartyRole.REPORTING)
    assert all(not c.auto_withheld for c in mine)
    assert "Wellbeing-canary" in data_text(sharing.shared_bytes(mine[0]))


def data_text(data: bytes) -> str:
    if data.startswith(b"%PDF"):
        from tests.letters.conftest import pdf_text
        return pdf_text(data)
    return data.decode("utf-8")


def test_a_share_records_who_whom_when_which_version_and_is_audited(investigation, staff):
    case, meeting, _text = investigation
    reporting = party(case, PartyRole.REPORTING)
    item = sharing.item_of(case, "meeting", meeting.id)
    prepared = sharing.prepare(case, item, reporting, withheld={1}, phrases=["the evening"])
    copy = sharing.share(staff.investigator, case, prepared, prepared.fingerprint)
    db.session.commit()
    assert (copy.party_id, copy.item_kind, copy.item_version, copy.shared_by_id) == (
        reporting.id, "meeting", 1, staff.investigator.id)
    assert copy.withheld == [1] and json.loads(copy.phrases) == ["the evening"]
    text = sharing.shared_bytes(copy).decode()
    assert "Meeting-canary" not in text and "[Passage withheld]" in text
    entry = audited("case.item_shared")[-1]
    assert entry["withheld"] == [1] and entry["party_id"] == reporting.id
    assert "Meeting-canary" not in json.dumps(entry)
    # The content is encrypted at rest.
    stored = db.session.execute(sa.text("SELECT content FROM case_shared_copy")).scalar()
    assert "Meeting-canary" not in stored


def test_a_changed_preview_a_redacted_item_and_a_draft_are_refused(investigation, staff):
    case, meeting, text = investigation
    reporting = party(case, PartyRole.REPORTING)
    item = sharing.item_of(case, "meeting", meeting.id)
    before = sharing.prepare(case, item, reporting)
    after = sharing.prepare(case, item, reporting, withheld={1})
    assert refused_codes(sharing.share, staff.investigator, case, after,
                         before.fingerprint) == {"preview_changed"}
    ops.redact_evidence(staff.investigator, case, text, "Not relevant.")
    db.session.commit()
    redacted = sharing.prepare(case, sharing.item_of(case, "evidence", text.id), reporting)
    assert refused_codes(sharing.share, staff.investigator, case, redacted,
                         redacted.fingerprint) == {"item_redacted"}
    draft = sharing.save_report(staff.investigator, case, TEXTS)
    db.session.commit()
    prepared = sharing.prepare(case, sharing.item_of(case, "report", draft.id), reporting)
    assert refused_codes(sharing.share, staff.investigator, case, prepared,
                         prepared.fingerprint) == {"report_not_finished"}
    # A phrase that is not in the text would withhold nothing: said, not ignored.
    typo = sharing.prepare(case, item, reporting, phrases=["not in the notes"])
    assert [r.code for r in typo.reasons] == ["phrase_missing"]
    # Nobody but the Investigating Officer shares.
    fine = sharing.prepare(case, item, reporting)
    assert "missing_permission" in refused_codes(sharing.share, staff.caseworker, case, fine,
                                                 fine.fingerprint)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SharedCopy)) == 0


# --- views ------------------------------------------------------------------------------------


def _report_post(client, case, data, action="save"):
    page = client.get(f"/staff/cases/{case.id}/report").get_data(as_text=True)
    return client.post(f"/staff/cases/{case.id}/report",
                       data={"csrf_token": csrf_from(page), "action": action, **data})


def test_the_officer_writes_saves_and_finishes_the_report(client, investigation, staff):
    case, _meeting, _text = investigation
    sign_in(client, staff.investigator)
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    assert f"/staff/cases/{case.id}/report" in page and f"/staff/cases/{case.id}/sharing" in page
    response = _report_post(client, case, TEXTS)
    assert response.status_code == 303
    assert db.session.scalar(sa.select(InvestigationReport.overview)) == OVERVIEW
    # Finishing before the conclusion keeps the draft and says why.
    response = _report_post(client, case, {**TEXTS, "overview": "Changed overview."}, "finish")
    body = response.get_data(as_text=True)
    assert response.status_code == 200 and "conclusion is not recorded" in body
    assert "Changed overview." in body
    db.session.expire_all()
    assert db.session.scalar(sa.select(InvestigationReport.overview)) == "Changed overview."
    ops.record_conclusion(staff.investigator, case, Conclusion.BREACH, date.today())
    db.session.commit()
    assert _report_post(client, case, TEXTS, "finish").status_code == 303
    page = client.get(f"/staff/cases/{case.id}/report").get_data(as_text=True)
    assert "Finished on" in page and "<textarea" not in page
    pdf = client.get(f"/staff/cases/{case.id}/report.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")


def test_bad_input_on_the_report_keeps_every_word(client, investigation, staff):
    case, _meeting, _text = investigation
    sign_in(client, staff.investigator)
    too_long = "x" * 20001
    response = _report_post(client, case, {"overview": too_long, "chronology": "Kept\x00 text"})
    body = response.get_data(as_text=True)
    assert response.status_code == 422 and "There is a problem" in body and "Kept text" in body
    # An expired page keeps the text too.
    response = client.post(f"/staff/cases/{case.id}/report",
                           data={"csrf_token": "stale", "overview": "Typed-canary"})
    assert response.status_code == 422 and "Typed-canary" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(InvestigationReport)) == 0


def _share_url(case, kind, item_id, party_id):
    return f"/staff/cases/{case.id}/sharing/{kind}/{item_id}/{party_id}"


def test_redact_preview_then_share_without_javascript(client, investigation, staff):
    case, meeting, _text = investigation
    responding = party(case, PartyRole.RESPONDING)
    sign_in(client, staff.investigator)
    url = _share_url(case, "meeting", meeting.id, responding.id)
    page = client.get(url).get_data(as_text=True)
    assert 'name="withhold" value="1"' in page and "Always withheld" in page
    data = {"csrf_token": csrf_from(page), "action": "preview", "withhold": ["1"]}
    preview = client.post(url, data=data).get_data(as_text=True)
    preview_part = preview.split('id="preview"', 1)[1].split("</div>", 1)[0]
    assert "Wellbeing-canary" not in preview_part and "Meeting-canary" not in preview_part
    assert "[Passage withheld]" in preview_part
    fingerprint = preview.split('name="previewed" value="', 1)[1].split('"', 1)[0]
    response = client.post(url, data={**data, "action": "share", "previewed": fingerprint})
    assert response.status_code == 303
    copy = db.session.scalar(sa.select(SharedCopy))
    assert copy.withheld == [1, 2] and copy.auto_withheld == [2]
    listing = client.get(f"/staff/cases/{case.id}/sharing").get_data(as_text=True)
    assert copy.sha256 in listing
    download = client.get(f"/staff/cases/{case.id}/shared/{copy.id}")
    assert download.status_code == 200
    assert hashlib.sha256(download.data).hexdigest() == copy.sha256
    assert audited("case.shared_copy_downloaded")


def test_a_share_whose_choice_changed_after_the_preview_is_not_made(client, investigation,
                                                                    staff):
    case, meeting, _text = investigation
    reporting = party(case, PartyRole.REPORTING)
    sign_in(client, staff.investigator)
    url = _share_url(case, "meeting", meeting.id, reporting.id)
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_from(page), "action": "share",
                                      "previewed": "0" * 64, "withhold": ["2"]})
    assert response.status_code == 409
    assert "changed since the preview" in response.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(SharedCopy)) == 0


@pytest.mark.parametrize("data", [
    {"withhold": ["999"]},
    {"withhold": ["99999999999999999999999"]},
    {"phrases": "\n".join(f"p{n}" for n in range(60))},
    {"phrases": "x" * 6000},
])
def test_bad_choices_get_a_message_not_a_500(client, investigation, staff, data):
    case, meeting, _text = investigation
    sign_in(client, staff.investigator)
    url = _share_url(case, "meeting", meeting.id, party(case, PartyRole.REPORTING).id)
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_from(page), "action": "preview",
                                      **data})
    assert response.status_code == 422
    assert "There is a problem" in response.get_data(as_text=True)


def test_a_file_is_shared_whole_only_once_checked(client, investigation, staff):
    case, _meeting, _text = investigation
    pdf = ops.add_evidence(staff.investigator, case, "Timetable", "t.pdf",
                           b"%PDF-1.4\n% timetable\n%%EOF\n")
    db.session.commit()
    sign_in(client, staff.investigator)
    url = _share_url(case, "evidence", pdf.id, party(case, PartyRole.RESPONDING).id)
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_from(page), "action": "preview"})
    assert response.status_code == 422 and "read the whole file" in response.get_data(
        as_text=True)
    preview = client.post(url, data={"csrf_token": csrf_from(page), "action": "preview",
                                     "checked": "y"}).get_data(as_text=True)
    fingerprint = preview.split('name="previewed" value="', 1)[1].split('"', 1)[0]
    assert client.post(url, data={"csrf_token": csrf_from(page), "action": "share",
                                  "checked": "y", "previewed": fingerprint}).status_code == 303
    copy = db.session.scalar(sa.select(SharedCopy))
    assert sharing.shared_bytes(copy) == b"%PDF-1.4\n% timetable\n%%EOF\n"


def test_a_nul_byte_is_dropped_not_a_500(client, investigation, staff):
    case, meeting, _text = investigation
    sign_in(client, staff.investigator)
    url = _share_url(case, "meeting", meeting.id, party(case, PartyRole.REPORTING).id)
    page = client.get(url).get_data(as_text=True)
    response = client.post(url, data={"csrf_token": csrf_from(page), "action": "preview",
                                      "withhold": ["\x00"], "phrases": "\x00"})
    assert response.status_code == 200 and 'id="preview"' in response.get_data(as_text=True)


@pytest.mark.parametrize("path", [
    "/sharing/meeting/{meeting}/999", "/sharing/meeting/99999999999/{party}",
    "/sharing/nothing/{meeting}/{party}", "/shared/99999999999", "/shared/1",
])
def test_unknown_ids_are_404(client, investigation, staff, path):
    case, meeting, _text = investigation
    sign_in(client, staff.investigator)
    url = f"/staff/cases/{case.id}" + path.format(
        meeting=meeting.id, party=party(case, PartyRole.REPORTING).id)
    assert client.get(url).status_code == 404


def test_each_role_sees_what_its_section_allows(client, investigation, staff):
    """The report and the copies: for whoever reads the investigation; the redaction step:
    for the Investigating Officer only; everyone else 403 or 404."""
    case, meeting, _text = investigation
    report = finished_report(case, staff)
    copies = share_all(case, staff, PartyRole.REPORTING)
    reporting = party(case, PartyRole.REPORTING)
    read = [f"/staff/cases/{case.id}/report", f"/staff/cases/{case.id}/report.pdf",
            f"/staff/cases/{case.id}/sharing", f"/staff/cases/{case.id}/shared/{copies[0].id}"]
    step = _share_url(case, "report", report.id, reporting.id)
    outsider_io = make_user(Role.INVESTIGATING_OFFICER)
    other_centre = make_user((Role.STUDENT_SERVICES, "paris"))
    expected = {
        staff.investigator: (200, 200),
        staff.director: (200, 200),  # the Safeguarding Director may investigate too
        staff.centre_director: (200, 403),
        staff.reviewer: (404, 403),  # not appointed to this case
        staff.caseworker: (403, 403),  # Student Services does not read the investigation
        staff.members[0]: (403, 403),  # nor does the case review
        outsider_io: (404, 404),
        other_centre: (403, 403),
    }
    for user, (reads, shares) in expected.items():
        sign_in(client, user)
        for url in read:
            assert client.get(url).status_code == reads, (user.email, url)
        assert client.get(step).status_code == shares, (user.email, step)
    client.get("/logout")
    with client.session_transaction() as session:
        session.clear()
    assert client.get(read[0]).status_code in (302, 401)


def test_sharing_stops_after_the_hearing_begins(make_case, staff):
    case = make_case(Stage.OUTCOME)
    reporting = party(case, PartyRole.REPORTING)
    assert not sharing.may_share(staff.investigator, case)
    assert sharing.parties_shared_with(case) and reporting in sharing.parties_shared_with(case)
