"""Evidence (13.15): judged by content not name, kept byte for byte and encrypted with its
SHA-256, numbered as appendices, images shared without metadata, "not relevant, redacted",
never deleted, a tampered file is an error, rotation covers files, and an upload that is too
large is said in words with the rest of the case page as it was."""

from __future__ import annotations

import hashlib
import io

import pytest
import sqlalchemy as sa
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import stream_encode_multipart

from hsm.audit import AuditEntry
from hsm.cases import evidence, queries
from hsm.cases import operations as ops
from hsm.cases.demo import demo_evidence
from hsm.cases.models import EvidenceItem
from hsm.cases.terms import Stage
from hsm.crypto import KeyRing, TamperedCiphertext, keyring, rotate_all
from hsm.extensions import db
from tests.cases.test_case_forms import _forms_on
from tests.cases.test_investigation import case_page_queries
from tests.cases.test_operations import refused_codes
from tests.cases.test_views import HX, sign_in
from tests.helpers import csrf_from

PDF = b"%PDF-1.7\n% Evidence-canary: the timetable\n%%EOF\n"
TEXT = b"Evidence-canary: the witness statement, in full.\n"
EMAIL = (b"From: A Student <a@example.org>\r\nDate: Mon, 2 Nov 2026 10:00:00 +0000\r\n"
         b"Subject: Messages\r\n\r\nEvidence-canary: the body.\r\n")


def png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 10, 10)).save(out, format="PNG")
    return out.getvalue()


def jpeg_with_gps() -> bytes:
    """A photo whose EXIF says where it was taken."""
    image = Image.new("RGB", (64, 48), (10, 120, 200))
    exif = Image.Exif()
    exif[0x010F] = "Canary Camera Maker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 0.0)}  # GPS: latitude
    out = io.BytesIO()
    image.save(out, format="JPEG", exif=exif)
    return out.getvalue()


# --- what a file is, by its content -----------------------------------------------------------


@pytest.mark.parametrize(("raw", "name", "kind"), [
    (PDF, "timetable.PDF", "pdf"), (TEXT, "statement.txt", "text"),
    (EMAIL, "forwarded.eml", "email"), (EMAIL, "forwarded.txt", "email"),
    (None, "screenshot.png", "image"), (jpeg_with_gps(), "photo.jpeg", "image"),
])
def test_a_file_is_what_its_content_says(raw, name, kind):
    assert evidence.inspect(raw or png(), name).kind == kind


@pytest.mark.parametrize(("raw", "name", "reason"), [
    (None, "statement.pdf", "mismatch"),  # a PNG named .pdf
    (PDF, "photo.png", "mismatch"),
    (TEXT, "mail.eml", "mismatch"),  # text, but not an email
    (b"MZ\x90\x00\x03\x00binary", "notes.txt", "unknown_content"),
    (PDF, "setup.exe", "extension"),
    (PDF, "no-extension", "extension"),
    (b"", "empty.pdf", "empty"),
    (b"\x89PNG\r\n\x1a\nnot really a png", "broken.png", "unreadable_image"),
])
def test_a_file_whose_content_does_not_match_is_refused(raw, name, reason):
    with pytest.raises(evidence.EvidenceRejected) as rejected:
        evidence.inspect(png() if raw is None else raw, name)
    assert rejected.value.reason == reason


def test_too_large_is_refused_by_size():
    with pytest.raises(evidence.EvidenceRejected) as rejected:
        evidence.inspect(PDF + b"0" * 100, "big.pdf", max_bytes=50)
    assert rejected.value.reason == "too_large"


def test_an_image_is_shared_without_its_metadata():
    original = jpeg_with_gps()
    assert b"Canary Camera Maker" in original
    copy = evidence.shared_copy(original, evidence.EvidenceKind.IMAGE)
    assert b"Canary Camera Maker" not in copy and b"Exif" not in copy
    with Image.open(io.BytesIO(copy)) as image:
        assert not image.getexif() and image.size == (64, 48)
    assert evidence.shared_copy(PDF, evidence.EvidenceKind.PDF) is None


# --- kept exactly, encrypted, numbered ------------------------------------------------------


def test_originals_are_kept_byte_for_byte_encrypted_and_numbered(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    photo = jpeg_with_gps()
    first = ops.add_evidence(staff.investigator, case, "Statement", "statement.txt", TEXT)
    second = ops.add_evidence(staff.investigator, case, "Photo", "C:\\Users\\x\\photo.jpg",
                              photo)
    db.session.commit()
    assert (first.appendix, second.appendix) == (1, 2)
    assert second.filename == "photo.jpg"  # never a folder of the uploader's computer
    assert second.sha256 == hashlib.sha256(photo).hexdigest()
    assert queries.evidence_bytes(second) == photo  # the original, metadata and all
    assert b"Canary Camera Maker" not in queries.evidence_bytes(second, copy=True)
    for token, in db.session.execute(sa.text("SELECT original FROM case_evidence")):
        assert b"canary" not in token.encode().lower() and not token.startswith("JVBER")
        assert keyring().decrypt_bytes(token)
    # Student Services cannot add evidence; a file that is not what it says is refused.
    assert "missing_permission" in refused_codes(ops.add_evidence, staff.caseworker, case,
                                                 "x", "x.pdf", PDF)
    assert refused_codes(ops.add_evidence, staff.investigator, case, "x", "x.pdf",
                         png()) == {"evidence_refused"}


def test_not_relevant_redacted_keeps_the_item_as_it_was(make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    item = ops.add_evidence(staff.investigator, case, "Statement", "s.txt", TEXT)
    ops.redact_evidence(staff.investigator, case, item, "About another matter.")
    db.session.commit()
    assert item.redacted and queries.evidence_bytes(item) == TEXT
    assert refused_codes(ops.redact_evidence, staff.investigator, case, item, "Again.") == {
        "already_redacted"}


def test_there_is_no_way_to_delete_evidence(app):
    rules = [r for r in app.url_map.iter_rules() if "evidence" in r.rule]
    assert rules and all(r.methods <= {"GET", "HEAD", "OPTIONS"} for r in rules)
    assert not hasattr(ops, "delete_evidence") and not hasattr(ops, "remove_evidence")


def test_a_tampered_file_is_an_error_not_garbage(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    item = ops.add_evidence(staff.investigator, case, "Timetable", "t.pdf", PDF)
    db.session.commit()
    token = db.session.execute(sa.text("SELECT original FROM case_evidence")).scalar_one()
    flipped = token[:40] + ("A" if token[40] != "A" else "B") + token[41:]
    db.session.execute(sa.text("UPDATE case_evidence SET original = :t"), {"t": flipped})
    db.session.commit()
    db.session.expire_all()
    with pytest.raises(TamperedCiphertext):
        queries.evidence_bytes(db.session.get(EvidenceItem, item.id))
    sign_in(client, staff.investigator)
    url = f"/staff/cases/{case.id}/evidence/{item.id}"
    assert client.get(url).status_code == 500
    # Bytes that decrypt but are not the ones uploaded: their SHA-256 gives them away.
    other = keyring().encrypt_bytes(PDF.replace(b"timetable", b"TIMETABLE"))
    db.session.execute(sa.text("UPDATE case_evidence SET original = :t"), {"t": other})
    db.session.commit()
    assert client.get(url).status_code == 500
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.evidence_integrity_failed")) == 2


def test_key_rotation_covers_evidence_files(make_case, staff, make_app, app):
    from cryptography.fernet import Fernet

    case = make_case(Stage.INVESTIGATION)
    item = ops.add_evidence(staff.investigator, case, "Photo", "p.png", png())
    db.session.commit()
    before = queries.evidence_bytes(item)
    select = sa.text("SELECT original, shared_copy FROM case_evidence")
    old = db.session.execute(select).one()
    newer = Fernet.generate_key().decode()
    rotated = make_app({"HSM_FIELD_KEYS": (newer, *app.config["HSM_FIELD_KEYS"])})
    with rotated.app_context():
        assert rotate_all() > 0
        tokens = db.session.execute(select).one()
        assert tokens[0] != old[0] and tokens[1] != old[1]
        assert KeyRing((newer,)).decrypt_bytes(tokens[0]) == before
        assert queries.evidence_bytes(db.session.get(EvidenceItem, item.id)) == before
        db.session.remove()


# --- the case page --------------------------------------------------------------------------


def _upload(client, case, name, raw, title="Evidence title", *, htmx=False, token=True):
    """A multipart upload encoded in memory (the test client would spool a large body to a
    temporary file it never closes)."""
    page = client.get(f"/staff/cases/{case.id}").get_data(as_text=True)
    data = {"evidence-title": title, "evidence-file": FileStorage(
        io.BytesIO(raw), filename=name, content_type="application/octet-stream")}
    if token:
        data["evidence-csrf_token"] = csrf_from(page)
    body, length, boundary = stream_encode_multipart(data, use_tempfile=False)
    return client.post(f"/staff/cases/{case.id}/upload/evidence", input_stream=body,
                       content_length=length, headers=HX if htmx else {},
                       content_type=f"multipart/form-data; boundary={boundary}")


def test_the_officer_uploads_and_downloads_the_same_bytes(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    sign_in(client, staff.investigator)
    assert {"evidence", "evidence_redact"} - _forms_on(
        client.get(f"/staff/cases/{case.id}").get_data(as_text=True)) == {"evidence_redact"}
    response = _upload(client, case, "timetable.pdf", PDF, "The timetable")
    assert response.status_code == 303
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    item = db.session.scalar(sa.select(EvidenceItem))
    assert "Appendix 1: The timetable" in page and item.sha256 in page
    assert 'enctype="multipart/form-data"' in page
    download = client.get(f"/staff/cases/{case.id}/evidence/{item.id}")
    assert download.status_code == 200 and download.data == PDF
    assert hashlib.sha256(download.data).hexdigest() == item.sha256
    assert download.headers["Content-Type"] == "application/pdf"
    assert "attachment" in download.headers["Content-Disposition"]
    assert download.headers["Cache-Control"] == "no-store"
    assert db.session.scalar(sa.select(sa.func.count()).select_from(AuditEntry).where(
        AuditEntry.action == "case.evidence_downloaded")) == 1
    # Only an image has a shared copy.
    assert client.get(f"/staff/cases/{case.id}/evidence/{item.id}/copy").status_code == 404
    # With htmx the same upload answers with the form and the records.
    response = _upload(client, case, "statement.txt", TEXT, "Statement", htmx=True)
    assert response.status_code == 200
    assert "Appendix 2: Statement" in response.get_data(as_text=True)


def test_who_may_read_the_evidence(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    item = ops.add_evidence(staff.investigator, case, "Statement", "s.txt", TEXT)
    db.session.commit()
    url = f"/staff/cases/{case.id}/evidence/{item.id}"
    sign_in(client, staff.caseworker)  # sees the case, not the investigation
    assert client.get(url).status_code == 404
    assert client.get(f"/staff/cases/{case.id}/evidence/{2**40}").status_code == 404
    sign_in(client, staff.centre_director)
    assert client.get(url).data == TEXT
    other = make_case(Stage.INVESTIGATION)
    sign_in(client, staff.investigator)
    assert client.get(f"/staff/cases/{other.id}/evidence/{item.id}").status_code == 404


def test_a_file_that_is_not_what_its_name_says_gets_a_clear_message(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    sign_in(client, staff.investigator)
    response = _upload(client, case, "statement.pdf", png(), "Kept-title-canary")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "does not match its name" in page and "Kept-title-canary" in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem)) == 0


def test_an_oversized_upload_says_so_and_nothing_else_is_lost(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    ops.record_scope(staff.investigator, case, "Scope-canary: the October comments.")
    db.session.commit()
    sign_in(client, staff.investigator)
    just_over = PDF + b"0" * (evidence.MAX_BYTES)  # parsed, refused by the form
    response = _upload(client, case, "big.pdf", just_over, "Big-title-canary")
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "larger than 10 MB" in page and "Big-title-canary" in page
    assert "Scope-canary" in page  # the rest of the case page, as it was
    far_over = PDF + b"0" * (evidence.MAX_BYTES + 2 * 1024 * 1024)  # never parsed
    response = _upload(client, case, "huge.pdf", far_over, htmx=False)
    assert response.status_code == 413
    page = response.get_data(as_text=True)
    assert "larger than 10 MB" in page and "Scope-canary" in page
    assert 'id="action-evidence"' in page and 'id="action-meeting"' in page
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem)) == 0
    # The rest of the app keeps its own 2 MiB limit.
    body = io.BytesIO(b"scope-scope=" + b"x" * (3 * 1024 * 1024))
    response = client.post(f"/staff/cases/{case.id}/record/scope", input_stream=body,
                           content_length=len(body.getvalue()),
                           content_type="application/x-www-form-urlencoded")
    assert response.status_code == 413


def test_the_upload_route_checks_its_token_itself(client, make_case, staff):
    case = make_case(Stage.INVESTIGATION)
    sign_in(client, staff.investigator)
    response = _upload(client, case, "t.pdf", PDF, "No token", token=False)
    assert response.status_code == 422
    assert db.session.scalar(sa.select(sa.func.count()).select_from(EvidenceItem)) == 0
    token = csrf_from(client.get(f"/staff/cases/{case.id}").get_data(as_text=True))
    assert client.post(f"/staff/cases/{case.id}/upload/scope").status_code == 404
    assert client.post(f"/staff/cases/{case.id}/record/evidence",
                       data={"csrf_token": token}).status_code == 404


def test_queries_on_the_case_page_do_not_grow_with_evidence(client, make_case, staff,
                                                             count_queries):
    case = make_case(Stage.INVESTIGATION)
    sign_in(client, staff.investigator)

    def page_queries() -> int:
        return case_page_queries(client, case, count_queries)

    ops.add_evidence(staff.investigator, case, "One", "one.txt", TEXT)
    db.session.commit()
    few = page_queries()
    for title, name, data in demo_evidence() * 3:
        ops.add_evidence(staff.investigator, case, title, name, data)
    db.session.commit()
    assert page_queries() == few
