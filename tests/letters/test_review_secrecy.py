"""16.12: the other party learns nothing of a review unless it is upheld AND the change
affects them. Proved on everything prepared for them: the letters page's offers, every
letter preview (through the views) and every letter issued to them (its PDF text, through
pypdf), taken before the review request was made and again after the review was decided.

A confirmed review, and an upheld one that does not affect them, must leave everything
prepared for the other party exactly as it was; an upheld one that affects them reaches
them (the review outcome letter, and the Completion of Procedures letter's final decision)."""

from __future__ import annotations

import hashlib
import re
from datetime import UTC, datetime, timedelta

import pytest
import sqlalchemy as sa

from hsm.cases import demo
from hsm.cases import operations as ops
from hsm.cases.models import Case, CaseParty
from hsm.cases.terms import Channel, PartyRole, PartyType, Stage
from hsm.extensions import db
from hsm.letters import content
from hsm.letters import operations as letter_ops
from hsm.letters.models import Letter
from hsm.letters.terms import LetterKind
from tests.cases.conftest import Staff
from tests.letters.conftest import pdf_text

DETAILS = "Secrecy-canary-D7: the reporting party says a statement was withheld"
REVIEW_REASONS = "Secrecy-canary-R8: on review, the penalty is heavier"
ALT_REASON = "Secrecy-canary-T9: a witness is abroad"
COMPLAINT = "Complaint text for the Completion of Procedures letter"
SUMMARY = "Summary text for the allegation summary"
CANARIES = (DETAILS, REVIEW_REASONS, ALT_REASON, "Secrecy-canary")


def _world():
    staff = Staff("uk")
    today = datetime.now(UTC).date()
    case = ops.record_disclosure(staff.caseworker, "uk", ops.Disclosure(
        channel=Channel.PHONE, disclosure="What was said", disclosed_on=today - timedelta(60),
        responding_party_type=PartyType.STUDENT))
    demo.advance_to(case, Stage.OUTCOME, staff.people, today)
    db.session.refresh(case)
    for p, name in ((_party(case, PartyRole.REPORTING), "Robin Asker"),
                    (_party(case, PartyRole.RESPONDING), "Sam Other")):
        ops.update_party(staff.director, case, p, ops.PartyDetails(
            role=p.role, party_type=PartyType.STUDENT, name=name, preferred_language="en"))
    ops.assign_caseworker(staff.director, case, _party(case, PartyRole.RESPONDING),
                          staff.second_caseworker)
    letter_ops.record_outcome(staff.director, case, "breach", "The outcome's reasons",
                              today - timedelta(days=20), sanctions=[
        letter_ops.SanctionDetails("written_warning")])
    ops.record_final_decision(staff.director, case, today - timedelta(days=20))
    db.session.commit()
    return staff, case, today


def _party(case: Case, role: PartyRole) -> CaseParty:
    return next(p for p in case.parties if p.role == role)


def _review(staff, case, today, terms: letter_ops.ReviewTerms):
    """The reporting party asks; the review runs to its decision, every step recorded."""
    request = ops.record_review_request(staff.caseworker, case, _party(case, PartyRole.REPORTING),
                                        today - timedelta(days=3), ["irregularity"], DETAILS)
    ops.appoint_officer(staff.director, case, staff.reviewer, "reviewing")
    ops.move(staff.director, case, Stage.REVIEW)
    ops.acknowledge_review_request(staff.reviewer, case, request)
    ops.set_alternative_timescale(staff.reviewer, case, request, today + timedelta(days=40),
                                  ALT_REASON)
    letter_ops.record_review_form(staff.reviewer, case, request, "paper")
    letter_ops.record_review_decision(staff.reviewer, case, request, terms)
    db.session.commit()
    return request


def _article(html: str) -> str:
    found = re.search(r'<div class="letter-preview">(.*?)</div>\s*</section>', html, re.S)
    return found.group(1) if found else ""


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def prepared_for(client, case: Case, party: CaseParty, requests=()) -> dict:
    """Everything the letters section prepares for ``party``: the offers naming them, and
    each letter's preview (status and text), with each review request of the case."""
    base = f"/staff/cases/{case.id}/letters"
    index = client.get(base).get_data(as_text=True)
    offers = sorted(set(re.findall(rf'kind=([a-z_]+)&amp;party={party.id}(?:&amp;request=\d+)?',
                                   index)))
    previews = {}
    for kind in LetterKind:
        review = kind in content.REVIEW_BUILDERS
        for request in (requests if review else (None,)):
            url = f"{base}/new?kind={kind}&party={party.id}"
            if request is not None:
                url += f"&request={request.id}"
            page = client.get(url)
            html = page.get_data(as_text=True)
            if kind in (LetterKind.ALLEGATION_SUMMARY, LetterKind.COMPLETION_OF_PROCEDURES) \
                    and page.status_code == 200:
                text = SUMMARY if kind == LetterKind.ALLEGATION_SUMMARY else COMPLAINT
                page = client.post(url, data={"csrf_token": _csrf(html), "action": "preview",
                                              "text": text})
                html = page.get_data(as_text=True)
            previews[(str(kind), request is not None)] = (page.status_code, _article(html))
    return {"offers": offers, "previews": previews}


def issued_for(client, case: Case, party: CaseParty, previews: dict) -> dict[str, str]:
    """Issue every letter that could be previewed for ``party`` (no review request chosen),
    and read each PDF back through the download: its text, by kind."""
    texts = {}
    base = f"/staff/cases/{case.id}/letters"
    for (kind, with_request), (status, _article_text) in previews.items():
        if with_request or status != 200:
            continue
        url = f"{base}/new?kind={kind}&party={party.id}"
        text = {LetterKind.ALLEGATION_SUMMARY: SUMMARY,
                LetterKind.COMPLETION_OF_PROCEDURES: COMPLAINT}.get(kind, "")
        html = client.get(url).get_data(as_text=True)
        response = client.post(url, data={
            "csrf_token": _csrf(html), "action": "issue", "text": text,
            "previewed": hashlib.sha256(text.encode()).hexdigest()})
        assert response.status_code == 303, (kind, response.get_data(as_text=True)[:300])
        letter = db.session.scalar(sa.select(Letter).order_by(Letter.id.desc()).limit(1))
        data = client.get(f"{base}/{letter.id}/pdf").data
        texts[kind] = pdf_text(data)
    return texts


def _no_trace(snapshot) -> None:
    blob = repr(snapshot)
    for canary in CANARIES:
        assert canary not in blob


@pytest.mark.browser  # renders and reads PDFs: the SQLite pass only
@pytest.mark.parametrize("terms", [
    lambda today: letter_ops.ReviewTerms("confirm", REVIEW_REASONS, today),
    # Upheld, but the change does not affect the other party: still nothing reaches them.
    lambda today: letter_ops.ReviewTerms("set_aside", REVIEW_REASONS, today,
                                         concerns=("penalty",)),
], ids=["confirmed", "upheld-not-affecting"])
def test_a_review_not_told_to_the_other_party_leaves_no_trace_for_them(client, sign_in, terms):
    staff, case, today = _world()
    other = _party(case, PartyRole.RESPONDING)
    sign_in(staff.director)
    before = prepared_for(client, case, other)
    pdfs_before = issued_for(client, case, other, before["previews"])
    assert set(pdfs_before) >= {LetterKind.OUTCOME, LetterKind.COMPLETION_OF_PROCEDURES}
    request = _review(staff, case, today, terms(today))
    after = prepared_for(client, case, other, [request])
    # Everything prepared for the other party is exactly what it was before the request...
    assert after["offers"] == before["offers"]
    for key, value in before["previews"].items():
        assert after["previews"][key] == value, key
    # ...and no letter naming the review can be prepared for them.
    for (kind, with_request), (status, article) in after["previews"].items():
        if with_request:
            assert status == 422 and article == "", kind
    pdfs_after = issued_for(client, case, other, after["previews"])
    assert pdfs_after == pdfs_before
    _no_trace((after, pdfs_after))
    # The party who asked is told (the review outcome letter, with the decision's reasons).
    asker = _party(case, PartyRole.REPORTING)
    own = client.get(f"/staff/cases/{case.id}/letters/new?kind=review_outcome&party={asker.id}"
                     f"&request={request.id}")
    assert own.status_code == 200 and REVIEW_REASONS in own.get_data(as_text=True)


@pytest.mark.browser  # renders and reads PDFs: the SQLite pass only
def test_an_upheld_review_that_affects_the_other_party_reaches_them(client, sign_in):
    staff, case, today = _world()
    other = _party(case, PartyRole.RESPONDING)
    sign_in(staff.director)
    before = prepared_for(client, case, other)
    request = _review(staff, case, today, letter_ops.ReviewTerms(
        "vary", REVIEW_REASONS, today, concerns=("penalty",),
        sanctions=("written_warning", "workshop"), affects_other_party=True))
    after = prepared_for(client, case, other, [request])
    assert "review_outcome" in after["offers"] and "review_outcome" not in before["offers"]
    status, article = after["previews"][(str(LetterKind.REVIEW_OUTCOME), True)]
    assert status == 200 and REVIEW_REASONS in article
    assert "Compulsory attendance at a workshop" in article
    # Never the request's grounds or details, nor the letters only the requester gets.
    assert DETAILS not in article and ALT_REASON not in repr(after)
    for kind in (LetterKind.REVIEW_ACKNOWLEDGEMENT, LetterKind.ALTERNATIVE_TIMESCALE):
        assert after["previews"][(str(kind), True)][0] == 422
    pdfs = issued_for(client, case, other, after["previews"])
    cop = pdfs[LetterKind.COMPLETION_OF_PROCEDURES]
    assert "A review changed the decision" in cop
    letter_date = today.strftime("%-d %B %Y")
    assert f"Our internal procedures ended on {letter_date}" in cop
