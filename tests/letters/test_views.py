"""The letters section of a case: who opens it, the preview in the recipient's language,
refusals in words, and delivery records. Plain forms: no JavaScript is needed."""

from __future__ import annotations

import re

import pytest
import sqlalchemy as sa

from hsm.cases import operations as case_ops
from hsm.extensions import db
from hsm.letters import operations
from hsm.letters.models import Letter, LetterDelivery
from hsm.letters.terms import LetterKind
from hsm.security import Role
from tests.factories import make_user
from tests.letters.conftest import RESPONDING_NAME, SUMMARY, WELLBEING, request_for


def _url(world, path=""):
    return f"/staff/cases/{world.case.id}/letters{path}"


def _csrf(html: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


def test_student_services_open_the_letters_section(world, client, sign_in):
    sign_in(world.staff.caseworker)
    page = client.get(_url(world))
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "No letter has been issued on this case yet." in html
    # What a caseworker may prepare: the NCA, the suspension notice, the allegation summary.
    assert f"kind=no_contact_agreement&amp;party={world.reporting.id}" in html
    assert "kind=allegation_summary" in html
    assert "kind=outcome" not in html and "kind=completion_of_procedures" not in html


@pytest.mark.parametrize(("who", "status"), [
    ("other_centre", 404), ("people_team", 404), ("investigator", 403), ("admin", 403)])
def test_people_without_the_letters_of_the_case_do_not_see_them(world, client, sign_in, who,
                                                               status):
    user = {
        "other_centre": lambda: make_user((Role.STUDENT_SERVICES, "paris")),
        # Holds a case permission, but this case (no staff respondent) is outside their scope.
        "people_team": lambda: make_user(Role.PEOPLE_TEAM),
        # Appointed to the case, but its letters are not theirs to read.
        "investigator": lambda: world.staff.investigator,
        "admin": lambda: make_user(Role.ADMIN),
    }[who]()
    sign_in(user)
    assert client.get(_url(world)).status_code == status
    assert client.get(_url(world, f"/new?kind=outcome&party={world.reporting.id}")
                      ).status_code == status


def test_a_letter_of_another_case_is_not_found(world, client, sign_in):
    sign_in(world.staff.caseworker)
    assert client.get(_url(world, "/99999")).status_code == 404
    assert client.get(_url(world, "/99999/pdf")).status_code == 404
    assert client.get(_url(world, "/new?kind=nonsense&party=1")).status_code == 404
    # Ids no column can hold, or no number at all: a page in words, never an error.
    for args in ("party=99999999999999999999", "party=x", f"party={world.reporting.id}"
                 "&request=99999999999999999999&corrects=-1"):
        page = client.get(_url(world, f"/new?kind=review_outcome&{args}"))
        assert page.status_code in (404, 422)


def test_the_preview_is_in_the_recipients_language(world, client, sign_in):
    case_ops.update_party(world.staff.director, world.case, world.responding,
                          case_ops.PartyDetails(role="responding", party_type="student",
                                                name=RESPONDING_NAME,
                                                preferred_language="fr"))
    sign_in(world.staff.caseworker)
    page = client.get(_url(world, f"/new?kind=suspension_notice&party={world.responding.id}"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Avis de suspension" in html and 'lang="fr"' in html
    assert "Issue this letter" in html  # the page around it stays in the reader's language
    assert WELLBEING not in html


def test_a_letter_staff_write_is_previewed_with_its_text_escaped(world, client, sign_in):
    sign_in(world.staff.caseworker)
    url = _url(world, f"/new?kind=allegation_summary&party={world.responding.id}")
    page = client.get(url)
    assert page.status_code == 200 and "Preview the letter" in page.get_data(as_text=True)
    token = _csrf(page.get_data(as_text=True))
    empty = client.post(url, data={"csrf_token": token, "action": "preview", "text": ""})
    assert empty.status_code == 422
    assert "Please write the text this letter needs." in empty.get_data(as_text=True)
    text = SUMMARY + ' <img src="https://tracker.invalid/x.png">'
    shown = client.post(url, data={"csrf_token": token, "action": "preview", "text": text})
    html = shown.get_data(as_text=True)
    assert shown.status_code == 200
    assert SUMMARY in html
    assert '<img src="https://tracker.invalid' not in html
    assert "&lt;img src=&#34;https://tracker.invalid/x.png&#34;&gt;" in html
    assert text in html.replace("&lt;", "<").replace("&gt;", ">").replace("&#34;", '"')
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0


def test_a_letter_someone_may_not_issue_is_refused_in_words(world, client, sign_in):
    sign_in(world.staff.caseworker)
    page = client.get(_url(world, f"/new?kind=outcome&party={world.reporting.id}"))
    assert page.status_code == 422
    assert "You do not have permission" in page.get_data(as_text=True)


def test_a_review_outcome_is_refused_for_the_other_party_when_not_upheld(world, client,
                                                                       sign_in):
    from hsm.letters.models import ReviewDecision

    decision = db.session.scalar(sa.select(ReviewDecision))
    decision.decision = "confirm"
    db.session.commit()
    sign_in(world.staff.director)
    url = _url(world, f"/new?kind=review_outcome&party={world.responding.id}"
                      f"&request={world.request.id}")
    page = client.get(url)
    assert page.status_code == 422
    assert "only when it was upheld" in page.get_data(as_text=True)
    index = client.get(_url(world)).get_data(as_text=True)
    assert f"kind=review_outcome&amp;party={world.reporting.id}" in index  # the requester's
    assert f"kind=review_outcome&amp;party={world.responding.id}" not in index


@pytest.mark.browser
def test_issue_then_record_the_delivery_without_javascript(world, client, sign_in):
    sign_in(world.staff.caseworker)
    url = _url(world, f"/new?kind=allegation_summary&party={world.responding.id}")
    token = _csrf(client.get(url).get_data(as_text=True))
    shown = client.post(url, data={"csrf_token": token, "action": "preview", "text": SUMMARY})
    previewed = re.search(r'name="previewed" value="([0-9a-f]{64})"',
                          shown.get_data(as_text=True)).group(1)
    changed = client.post(url, data={"csrf_token": token, "action": "issue",
                                     "text": SUMMARY + " edited", "previewed": previewed})
    assert changed.status_code == 422
    assert "The text changed after the preview." in changed.get_data(as_text=True)
    assert db.session.scalar(sa.select(sa.func.count()).select_from(Letter)) == 0
    issued = client.post(url, data={"csrf_token": token, "action": "issue", "text": SUMMARY,
                                    "previewed": previewed})
    assert issued.status_code == 303
    letter = db.session.scalar(sa.select(Letter))
    assert issued.headers["Location"].endswith(_url(world, f"/{letter.id}"))
    page = client.get(_url(world, f"/{letter.id}"))
    html = page.get_data(as_text=True)
    assert letter.sha256 in html and "No delivery recorded yet." in html
    deliver = _url(world, f"/{letter.id}/deliveries")
    wrong = client.post(deliver, data={"csrf_token": _csrf(html), "delivered_on-day": "31",
                                       "delivered_on-month": "2", "delivered_on-year": "2026"})
    assert wrong.status_code == 422
    wrong_html = wrong.get_data(as_text=True)
    assert "Choose how it was delivered" in wrong_html
    assert 'value="31"' in wrong_html  # what was typed is kept
    day = world.today
    done = client.post(deliver, data={
        "csrf_token": _csrf(html), "method": "in_person", "delivered_on-day": str(day.day),
        "delivered_on-month": str(day.month), "delivered_on-year": str(day.year)})
    assert done.status_code == 303
    delivery = db.session.scalar(sa.select(LetterDelivery))
    assert (delivery.method, delivery.delivered_on) == ("in_person", day)
    index = client.get(_url(world)).get_data(as_text=True)
    assert "Handed over in person" in index


@pytest.mark.browser
def test_a_delivery_in_the_future_is_refused(world):
    letter = operations.issue(world.staff.director, world.case,
                              request_for(world, LetterKind.OUTCOME, world.reporting))
    db.session.commit()
    from datetime import timedelta

    from hsm.workflow import Refused
    with pytest.raises(Refused):
        operations.record_delivery(world.staff.director, world.case, letter, "post",
                                   world.today + timedelta(days=3))


@pytest.mark.parametrize(("who", "shown"), [("caseworker", True), ("investigator", False)])
def test_the_case_page_fragment_links_to_the_letters_for_those_who_read_them(app, world, who,
                                                                           shown):
    from flask import g, render_template_string

    user = getattr(world.staff, who)
    with app.test_request_context():
        g._login_user = user
        html = render_template_string('{% include "letters/_case_link.html" %}',
                                      case=world.case)
    assert (f'href="/staff/cases/{world.case.id}/letters"' in html) is shown
