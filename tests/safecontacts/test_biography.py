"""Biographies: sanitising, drafts and approval, and who may edit which."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest

from hsm.extensions import db
from hsm.safecontacts.biography import clean_html, render_biography, render_markdown
from tests.factories import make_user
from tests.safecontacts.conftest import approve, csrf, press

PAYLOADS = [
    "<script>alert(1)</script>",
    '<img src=x onerror="alert(1)">',
    "[click](javascript:alert(1))",
    '<a href="javascript:alert(1)">x</a>',
    '<svg onload="alert(1)"><circle r=1 /></svg>',
    '<div hx-get="/staff/safe-contacts/board" hx-trigger="load">x</div>',
    '<p data-hx-post="/x" data-hx-trigger="load">x</p>',
    '<span hx-on:click="alert(1)" hx-on="click: alert(1)">x</span>',
    '<a href="https://example.org" hx-boost="true" onclick="x()">ok</a>',
    '<iframe src="https://example.org"></iframe>',
    "<style>body{display:none}</style>",
    '<form action="/x"><input name="a"></form>',
    '<math><mi xlink:href="javascript:alert(1)">x</mi></math>',
    "[x](data:text/html;base64,PHNjcmlwdD4=)",
    "[x](vbscript:msgbox)",
    "<<script>script>alert(1)<</script>/script>",
]
SAFE_TAGS = {"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote", "div"}


class Survivors(HTMLParser):
    """Every element or attribute in rendered HTML that could run or be acted on."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag not in SAFE_TAGS:
            self.found.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith(("on", "hx-", "data-hx", "style", "src")):
                self.found.append(f"{tag}[{name}]")
            if name == "href" and not (value or "").startswith(("https://", "mailto:")):
                self.found.append(f"{tag}[href={value}]")


def survivors(html: str) -> list[str]:
    parser = Survivors()
    parser.feed(html)
    return parser.found


@pytest.mark.parametrize("payload", PAYLOADS)
def test_payloads_do_not_survive_rendering(payload):
    assert survivors(render_markdown(payload)) == [], render_markdown(payload)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_the_sanitiser_alone_removes_payloads(payload):
    # A second wall: even raw HTML that reached nh3 directly comes out clean.
    assert survivors(clean_html(payload)) == [], clean_html(payload)


def test_markdown_still_works_and_is_wrapped_in_data_hx_disable():
    html = str(render_biography("I **listen**.\n\n- one\n- [site](https://example.org)", "en"))
    assert html.startswith('<div class="biography__text" data-hx-disable lang="en">')
    assert "<strong>listen</strong>" in html and "<li>" in html
    assert 'href="https://example.org"' in html and 'rel="noopener noreferrer nofollow"' in html


def test_zero_payloads_survive_in_the_directory(client, contact_factory, biography_factory):
    person = contact_factory()
    biography_factory(person, text="\n\n".join(PAYLOADS))
    db.session.commit()
    html = client.get("/safe-contacts").get_data(as_text=True)
    start = html.index('<div class="biography__text" data-hx-disable')
    card = html[start : html.index("</div>", start) + len("</div>")]
    assert survivors(card.replace(" data-hx-disable", "", 1)) == [], card


def _bio_form(client, **overrides):
    data = {
        "csrf_token": csrf(client),
        "text_en": "I work in the library.",
        "text_nl": "",
        "text_fr": "",
        "languages": ["en", "pl"],
        "department": "Library",
        "days": ["mon", "thu"],
        "in_person": "y",
        "photo_alt": "",
    }
    data.update(overrides)
    return data


def test_safe_contact_edits_only_their_own_biography(client, login_as, contact_factory):
    me = login_as("safe_contact")
    mine = contact_factory(stage="biography", user=me)
    other = contact_factory(stage="biography", user=make_user("safe_contact"))
    db.session.commit()
    assert client.get(f"/staff/safe-contacts/{mine.id}/biography").status_code == 200
    assert client.get("/staff/safe-contacts/my-biography").status_code == 303
    assert client.get(f"/staff/safe-contacts/{other.id}/biography").status_code == 404
    response = client.post(f"/staff/safe-contacts/{other.id}/biography", data=_bio_form(client))
    assert response.status_code == 404
    assert other.biographies == []
    # The EDI pages stay closed to a Safe Contact.
    assert client.get(f"/staff/safe-contacts/{mine.id}").status_code == 403
    response = client.post(
        f"/staff/safe-contacts/{mine.id}/biography/approve", data={"csrf_token": csrf(client)}
    )
    assert response.status_code == 403


def test_a_change_is_a_draft_until_approved(client, login_as, contact_factory, biography_factory):
    me = login_as("safe_contact")
    person = contact_factory(stage="published", user=me, name="Sam Listener")
    biography_factory(person, text="The published words.")
    db.session.commit()
    response = client.post(
        f"/staff/safe-contacts/{person.id}/biography", data=_bio_form(client, text_en="New words.")
    )
    assert response.status_code == 303
    directory = client.get("/safe-contacts").get_data(as_text=True)
    assert "The published words." in directory and "New words." not in directory

    login_as("edi_officer")
    response = approve(client, person)
    assert response.status_code == 303
    directory = client.get("/safe-contacts").get_data(as_text=True)
    assert "New words." in directory and "The published words." not in directory
    assert "Polski" in directory or "Polish" in directory


def test_bad_biography_input_is_explained_and_kept(client, login_as, contact_factory):
    me = login_as("safe_contact")
    person = contact_factory(stage="biography", user=me)
    db.session.commit()
    response = client.post(
        f"/staff/safe-contacts/{person.id}/biography",
        data=_bio_form(
            client, text_en="", text_fr="Je parle français.", languages=[], days=["xyz"]
        ),
    )
    assert response.status_code == 400
    html = response.get_data(as_text=True)
    assert "Choose at least one language you speak." in html
    assert "Choose one of the options." in html
    assert "Je parle français." in html


def test_students_see_only_published_biographies(client, contact_factory, biography_factory):
    shown = contact_factory(name="Published Person")
    biography_factory(shown, text="Visible text")
    draft_only = contact_factory(name="Draft Only Person")
    biography_factory(draft_only, status="draft", text="Draft text")
    not_published = contact_factory(stage="biography", name="Biography Stage Person")
    biography_factory(not_published, text="Not yet live")
    withdrawn = contact_factory(stage="withdrawn", name="Withdrawn Person")
    biography_factory(withdrawn, text="Gone")
    db.session.commit()
    for url in ("/safe-contacts", "/uk/safe-contacts"):
        html = client.get(url).get_data(as_text=True)
        assert "Published Person" in html and "Visible text" in html
        for hidden in ("Draft Only Person", "Draft text", "Biography Stage Person", "Withdrawn"):
            assert hidden not in html


def test_approval_is_for_the_version_edi_read(client, login_as, contact_factory, biography_factory):
    owner = make_user("safe_contact")
    person = contact_factory(stage="published", user=owner, name="Ray Edits")
    biography_factory(person, text="The published words.")
    biography_factory(person, status="draft", text="The draft EDI reads.")
    db.session.commit()
    login_as("edi_officer")
    page = client.get(f"/staff/safe-contacts/{person.id}/biography").get_data(as_text=True)
    # While EDI reads, the Safe Contact changes the draft...
    person.draft_biography.text_en = "Words EDI never saw."
    db.session.commit()
    # ...so pressing "approve" on the old page publishes nothing.
    response = press(client, page, "Approve and publish this version")
    assert response.status_code == 303
    assert response.headers["Location"].endswith(f"/staff/safe-contacts/{person.id}/biography")
    shown = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "changed after you opened it" in shown
    directory = client.get("/safe-contacts").get_data(as_text=True)
    assert "The published words." in directory and "Words EDI never saw." not in directory
    # Approving the new version, once read, works.
    assert approve(client, person).status_code == 303
    assert "Words EDI never saw." in client.get("/safe-contacts").get_data(as_text=True)
