"""The student pages of a centre, through the test client."""

from __future__ import annotations

import re

import pytest
from flask import url_for

from hsm.centres.validation import is_well_formed_href
from hsm.centres.views import CENTRE_COOKIE
from hsm.i18n import LOCALES
from tests.centres.helpers import SLUGS, hrefs

CENTRE_PAGES = ("/{slug}/", "/{slug}/options", "/{slug}/what-counts")
STUDENT_PAGES = ["/"] + [page.format(slug=s) for s in SLUGS for page in CENTRE_PAGES]

# Numbers every page of a centre must show, in every locale (the emergency strip).
EVERY_PAGE = {
    "uk": {"999": "tel:999", "101": "tel:101", "020 7946 0150": "tel:+442079460150"},
    "amsterdam": {"112": "tel:112", "0900-8844": "tel:+319008844"},
    "ireland": {"999": "tel:999", "112": "tel:112", "+353 66 710 2300": "tel:+353667102300"},
    "paris": {"112": "tel:112", "17": "tel:17", "15": "tel:15", "114": "sms:114"},
}
# Numbers the support page must show, in every locale.
SUPPORT_PAGE = {
    "uk": {"116 123": "tel:116123", "85258": "sms:85258", "0808 2000 247": "tel:+448082000247"},
    "amsterdam": {"0800-0188": "tel:+318000188", "0800-0113": "tel:+318000113"},
    "ireland": {"1800 77 8888": "tel:+3531800778888", "086 823 8443": "sms:+353868238443"},
    "paris": {"3919": "tel:3919", "3114": "tel:3114", "119": "tel:119"},
}


def get_page(client, url, lang):
    response = client.get(f"{url}?lang={lang}")
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


@pytest.mark.parametrize("lang", LOCALES)
@pytest.mark.parametrize("slug", SLUGS)
def test_every_centre_page_shows_that_centres_numbers(client, slug, lang):
    for page in CENTRE_PAGES:
        html = get_page(client, page.format(slug=slug), lang)
        links = hrefs(html)
        for shown, href in EVERY_PAGE[slug].items():
            assert shown in html, (page, shown)
            assert href in links, (page, href)
    html = get_page(client, f"/{slug}/", lang)
    for shown, href in SUPPORT_PAGE[slug].items():
        assert shown in html and href in hrefs(html), shown
    assert f'<html lang="{lang}"' in html


def test_other_centres_numbers_stay_away(client):
    assert "0800-0188" not in get_page(client, "/ireland/", "en")
    assert "1800 77 8888" not in get_page(client, "/amsterdam/", "en")
    assert "3919" not in get_page(client, "/uk/", "en")


@pytest.mark.parametrize("lang", LOCALES)
def test_every_tel_and_sms_link_is_well_formed(client, lang):
    seen = 0
    for url in STUDENT_PAGES:
        for href in hrefs(get_page(client, url, lang)):
            if href.startswith(("tel:", "sms:")):
                seen += 1
                assert is_well_formed_href(href), (url, href)
    assert seen > 100


def test_demo_values_are_labelled(client):
    html = get_page(client, "/uk/", "en")
    assert html.count("demo value") >= 5  # strip (2) + Student Services (2) + teams (2)
    assert "student-services.uk@example.org" in html
    assert "demo-value" in get_page(client, "/paris/what-counts", "fr")  # strip on every page


def test_support_page_sections_in_order(client):
    html = get_page(client, "/uk/", "en")
    order = [
        "In an emergency",
        "Talk to someone now",
        "Make a report or get support",
        "Sexual Assault Referral Centres",
        "Specialist services",
    ]
    positions = [html.index(heading) for heading in order]
    assert positions == sorted(positions)
    assert "24 months" in html and "7 days" in html
    assert "https://thesurvivorstrust.org/sarc/" in hrefs(html)


@pytest.mark.parametrize(
    ("slug", "equivalent"),
    [
        ("amsterdam", "Centrum Seksueel Geweld"),
        ("ireland", "Sexual Assault Treatment Unit"),
        ("paris", "https://www.service-public.fr/particuliers/vosdroits/F1043?lang=en"),
    ],
)
def test_sarc_equivalents(client, slug, equivalent):
    assert equivalent in get_page(client, f"/{slug}/", "en")


@pytest.mark.parametrize("slug", SLUGS)
def test_support_page_links_to_report_form_directory_and_other_pages(client, slug):
    links = hrefs(get_page(client, f"/{slug}/", "en"))
    for path in ("options", "what-counts", "report", "safe-contacts"):
        assert f"/{slug}/{path}" in links, path
    assert f"/{slug}/report" in hrefs(get_page(client, f"/{slug}/options", "en"))


def test_options_page_covers_every_option(client):
    html = get_page(client, "/ireland/options", "en")
    for words in (
        "anonymously",
        "without any action",
        "Informal resolution",
        "Report to the police",
        "keep evidence",
        "formal report",
        "Do nothing for now",
        "What happens next",
        "long time ago",
    ):
        assert words in html, words


def test_what_counts_page(client):
    html = get_page(client, "/paris/what-counts", "en")
    for words in ("Harassment", "Sexual misconduct", "Consent", "It was not your fault"):
        assert words in html


def test_unknown_centre_is_404(client):
    for url in ("/atlantis/", "/atlantis/options", "/atlantis/what-counts", "/choose/atlantis"):
        assert client.get(url).status_code == 404


def test_centre_default_locale(client):
    assert '<html lang="nl"' in client.get("/amsterdam/").get_data(as_text=True)
    assert '<html lang="fr"' in client.get("/paris/").get_data(as_text=True)


def test_student_pages_are_not_cached(client):
    for url in ("/", "/uk/", "/uk/options"):
        response = client.get(url)
        assert response.headers["Cache-Control"] == "no-store"
        assert response.headers["Referrer-Policy"] == "no-referrer"


def test_choosing_a_centre_is_remembered_without_trapping(client):
    index = client.get("/").get_data(as_text=True)
    assert "/choose/ireland" in hrefs(index)
    assert "Forget my centre" not in index

    response = client.get("/choose/ireland")
    assert response.status_code == 303 and response.headers["Location"] == "/ireland/"
    cookie = client.get_cookie(CENTRE_COOKIE)
    assert cookie.value == "ireland" and cookie.http_only

    # The start page offers the remembered centre but does not redirect to it.
    response = client.get("/")
    assert response.status_code == 200
    index = response.get_data(as_text=True)
    assert "/ireland/" in hrefs(index)
    assert "Choose a different centre" in index and "/choose/paris" in hrefs(index)

    response = client.get("/forget-centre")
    assert response.status_code == 303
    assert client.get_cookie(CENTRE_COOKIE) is None
    assert "Forget my centre" not in client.get("/").get_data(as_text=True)


def test_a_tampered_cookie_is_ignored(client):
    client.set_cookie(CENTRE_COOKIE, "<script>")
    response = client.get("/")
    assert response.status_code == 200
    assert "Your centre" not in response.get_data(as_text=True)


def test_no_third_party_requests_from_pages(client):
    """Links may leave the site; nothing may load from elsewhere."""
    for url in STUDENT_PAGES:
        html = get_page(client, url, "en")
        assert 'src="http' not in html and 'rel="stylesheet" href="http' not in html
        assert "<img" not in html and "style=" not in html and "<style" not in html


@pytest.mark.parametrize(
    ("lang", "heading", "data_text"),
    [
        ("en", "Talk to someone now", "Day and night. Calls are free."),
        ("nl", "Nu met iemand praten", "Dag en nacht bereikbaar. Bellen is gratis."),
        ("fr", "Parler à quelqu’un maintenant", "Jour et nuit. L’appel est gratuit."),
    ],
)
def test_pages_and_centre_data_follow_the_locale(client, lang, heading, data_text):
    html = get_page(client, "/amsterdam/", lang)
    assert heading in html
    assert data_text in html


# --- issue 8: follow-up can be found, centre order, history help, French words ------------


@pytest.mark.parametrize("lang", LOCALES)
def test_home_and_every_centre_page_link_the_follow_up(client, lang):
    """A student who comes back days later with their code finds the way in on any page."""
    with client.application.test_request_context():
        follow_up = url_for("reports.follow_up")
    for url in STUDENT_PAGES:
        html = get_page(client, url, lang)
        assert follow_up in hrefs(html), url
    english = get_page(client, "/uk/", "en")
    assert "Already made a report?" in english
    assert f'<a href="{follow_up}">Follow it up with your code</a>' in english


@pytest.mark.parametrize(
    ("lang", "names"),
    [
        ("en", ["Amsterdam", "England", "Ireland (Tralee)", "Paris"]),
        ("nl", ["Amsterdam", "Engeland", "Ierland (Tralee)", "Parijs"]),
        ("fr", ["Amsterdam", "Angleterre", "Irlande (Tralee)", "Paris"]),
    ],
)
def test_home_page_lists_centres_alphabetically_in_each_language(client, lang, names):
    """By the name the student reads, so England is never listed after Paris."""
    html = get_page(client, "/", lang)
    assert re.findall(r'<a href="/choose/[a-z]+">([^<]+)</a>', html) == names


def test_centres_by_name_ignores_accents_and_case(app):
    from hsm.centres.registry import _sort_key

    assert sorted(["paris", "Écosse", "Amsterdam", "ecosse"], key=_sort_key) == [
        "Amsterdam", "Écosse", "ecosse", "paris"]


@pytest.mark.parametrize(
    ("lang", "words"),
    [
        ("en", ["Keeping this visit private", "Chrome on Android:", "Safari on iPhone:",
                "private window"]),
        ("nl", ["Dit bezoek privé houden", "Chrome op Android:", "Safari op iPhone:",
                "privévenster"]),
        ("fr", ["Garder cette visite privée", "Chrome sur Android\u202f:",
                "Safari sur iPhone\u202f:", "navigation privée"]),
    ],
)
def test_options_page_says_how_to_remove_this_site_from_a_phones_history(client, lang, words):
    """Without JavaScript, Back after the quick exit can still show this site: say what helps."""
    for slug in SLUGS:
        html = get_page(client, f"/{slug}/options", lang)
        assert 'id="private"' in html
        for text in words:
            assert text in html, (slug, text)


@pytest.mark.parametrize("slug", SLUGS)
def test_every_page_of_a_centre_leads_to_that_help(client, slug):
    pages = [page.format(slug=slug) for page in CENTRE_PAGES] + [f"/{slug}/report"]
    for url in pages:
        assert f"/{slug}/options#private" in hrefs(get_page(client, url, "en")), url


def test_what_counts_tab_in_french(client):
    """"What counts" is not "Ce qui est concerné" ("what is concerned")."""
    html = get_page(client, "/paris/options", "fr")
    assert "Ce qui relève du harcèlement" in html and "Ce qui est concerné" not in html


def test_every_page_links_a_content_hashed_svg_icon(client):
    """Browsers ask for /favicon.ico unless a page names its icon: a 404 on every first visit."""
    for url in STUDENT_PAGES:
        html = get_page(client, url, "en")
        found = re.search(r'<link rel="icon" href="(/static/favicon\.svg\?v=[0-9a-f]{12})" '
                          r'type="image/svg\+xml">', html)
        assert found, url
    icon = client.get(found.group(1))
    assert icon.status_code == 200 and icon.mimetype == "image/svg+xml"
    assert icon.get_data(as_text=True).startswith("<svg")
    assert "immutable" in icon.headers["Cache-Control"]


def test_pages_of_a_centre_outside_its_own_lead_back_to_its_support(client):
    """The browser's Back leaves the site (one history entry): a visible link leads back."""
    directory = get_page(client, "/uk/safe-contacts", "en")
    assert '<a href="/uk/">Back to support in England</a>' in directory
    # Not on the report form: a link away from a half-written report would lose it.
    assert 'class="back-link"' not in get_page(client, "/uk/report", "en")
    # Nor on the centre's own pages, which have their own navigation.
    assert 'class="back-link"' not in get_page(client, "/uk/what-counts", "en")
