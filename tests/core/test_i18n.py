"""Locale choice, <html lang>, and complete, current catalogs."""

import re

import pytest

from hsm import i18n_catalogs
from hsm.i18n import DOMAINS, LANG_COOKIE


def html_lang(response) -> str:
    return re.search(rb'<html lang="([a-z]{2})"', response.data).group(1).decode()


@pytest.mark.parametrize("domain", DOMAINS)
def test_catalogs_are_complete_and_current(domain):
    """Fails on an untranslated or fuzzy entry, a catalog older than the code, or one msgid
    translated one way in this area and another way in another (the app merges the areas)."""
    problems = i18n_catalogs.check([domain])
    assert not problems, "\n".join(str(p) for p in problems)


def _write_po(path, locale, entries):
    """Entries are (msgid, msgstr, fuzzy) or (msgid, msgstr, fuzzy, msgctxt)."""
    from babel.messages.catalog import Catalog
    from babel.messages.pofile import write_po

    catalog = Catalog(locale=locale, domain="messages")
    for msgid, msgstr, fuzzy, *context in entries:
        catalog.add(msgid, msgstr, flags=["fuzzy"] if fuzzy else [],
                    context=context[0] if context else None)
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as fh:
        write_po(fh, catalog)


@pytest.fixture
def tiny_project(tmp_path):
    (tmp_path / "hsm").mkdir()
    (tmp_path / "templates").mkdir()
    (tmp_path / "hsm" / "x.py").write_text('from hsm.i18n import _\n_("Old sentence")\n')
    for locale in ("en", "nl", "fr"):
        path = tmp_path / "translations" / locale / "LC_MESSAGES" / "messages.po"
        _write_po(path, locale, [("Old sentence", "Vertaald", False)])
    return tmp_path


def _check(root):
    return i18n_catalogs.check(["messages"], root=root, translations=root / "translations")


def test_a_current_catalog_passes(tiny_project):
    assert _check(tiny_project) == []


def test_a_catalog_older_than_the_code_fails(tiny_project):
    (tiny_project / "templates" / "page.html").write_text('{{ _("A brand new sentence") }}')
    kinds = {(p.kind, p.msgid) for p in _check(tiny_project)}
    assert ("not in catalog (run make translations)", "A brand new sentence") in kinds


def test_update_fills_english_only(tiny_project):
    (tiny_project / "templates" / "page.html").write_text('{{ _("A brand new sentence") }}')
    i18n_catalogs.update(["messages"], tiny_project, tiny_project / "translations")
    problems = {(p.path.split("/")[1], p.kind, p.msgid) for p in _check(tiny_project)}
    assert problems == {
        ("nl", "untranslated", "A brand new sentence"),
        ("fr", "untranslated", "A brand new sentence"),
    }


def test_untranslated_and_fuzzy_entries_fail(tiny_project):
    nl = tiny_project / "translations" / "nl" / "LC_MESSAGES" / "messages.po"
    _write_po(nl, "nl", [("Old sentence", "", False)])
    fr = tiny_project / "translations" / "fr" / "LC_MESSAGES" / "messages.po"
    _write_po(fr, "fr", [("Old sentence", "Ancienne phrase", True)])
    kinds = {p.kind for p in _check(tiny_project)}
    assert {"untranslated", "fuzzy"} <= kinds


def _po(root, locale, domain):
    return root / "translations" / locale / "LC_MESSAGES" / f"{domain}.po"


@pytest.fixture
def two_areas(tiny_project):
    """The same sentence in two areas' code, each with its own catalog (the app merges them)."""
    (tiny_project / "hsm" / "x.py").write_text(
        'from hsm.i18n import _\n_("Old sentence")\n_("Check your email")\n'
    )
    (tiny_project / "hsm" / "accounts").mkdir()
    (tiny_project / "hsm" / "accounts" / "views.py").write_text(
        'from hsm.i18n import _\n_("Check your email")\n'
    )
    nl = {"messages": "Kijk in je mailbox", "accounts": "Kijk in uw e-mail"}
    for locale in ("en", "nl", "fr"):
        same = {"en": "Check your email", "fr": "Consultez vos e-mails"}.get(locale)
        _write_po(_po(tiny_project, locale, "messages"), locale, [
            ("Old sentence", "Vertaald", False),
            ("Check your email", same or nl["messages"], False),
        ])
        _write_po(_po(tiny_project, locale, "accounts"), locale, [
            ("Check your email", same or nl["accounts"], False),
        ])
    return tiny_project


def _check_both(root):
    return i18n_catalogs.check(["messages", "accounts"], root=root,
                               translations=root / "translations")


def test_one_msgid_translated_two_ways_fails(two_areas):
    problems = _check_both(two_areas)
    assert {(p.path, p.kind, p.msgid) for p in problems} == {
        ("translations/nl/LC_MESSAGES/messages.po", "conflicting translations",
         "Check your email"),
        ("translations/nl/LC_MESSAGES/accounts.po", "conflicting translations",
         "Check your email"),
    }
    # The message names both translations, so that one can be chosen.
    assert "'Kijk in je mailbox'" in str(problems[0]) and "'Kijk in uw e-mail'" in str(problems[0])
    # Checking one area is enough to see it.
    assert [p.kind for p in _check(two_areas)] == ["conflicting translations"]


def test_conflict_resolved_passes(two_areas):
    _write_po(_po(two_areas, "nl", "accounts"), "nl", [
        ("Check your email", "Kijk in je mailbox", False),
    ])
    assert _check_both(two_areas) == []


def test_untranslated_or_fuzzy_entry_is_no_conflict(two_areas):
    # Neither is compiled, so nothing is merged over the other area's translation.
    _write_po(_po(two_areas, "nl", "accounts"), "nl", [
        ("Check your email", "Kijk in uw e-mail", True),
    ])
    kinds = {p.kind for p in _check_both(two_areas)}
    assert kinds == {"fuzzy"}


def test_pgettext_keeps_two_meanings_apart(two_areas):
    (two_areas / "hsm" / "x.py").write_text(
        'from hsm.i18n import _, pgettext\n_("Old sentence")\n_("Staff")\n'
    )
    (two_areas / "hsm" / "accounts" / "views.py").write_text(
        'from hsm.i18n import pgettext\npgettext("kind of job", "Staff")\n'
    )
    for locale in ("nl", "fr"):
        _write_po(_po(two_areas, locale, "messages"), locale, [
            ("Old sentence", "Vertaald", False), ("Staff", "Medewerkers", False),
        ])
        _write_po(_po(two_areas, locale, "accounts"), locale, [
            ("Staff", "Soort functie", False, "kind of job"),
        ])
    _write_po(_po(two_areas, "en", "messages"), "en", [
        ("Old sentence", "Old sentence", False), ("Staff", "Staff", False),
    ])
    _write_po(_po(two_areas, "en", "accounts"), "en", [
        ("Staff", "Staff", False, "kind of job"),
    ])
    assert _check_both(two_areas) == []

    # The same context in two areas is one meaning again: it must be translated one way.
    (two_areas / "hsm" / "x.py").write_text(
        'from hsm.i18n import _, pgettext\n_("Old sentence")\npgettext("kind of job", "Staff")\n'
    )
    _write_po(_po(two_areas, "nl", "messages"), "nl", [
        ("Old sentence", "Vertaald", False), ("Staff", "Personeel", False, "kind of job"),
    ])
    for locale in ("en", "fr"):
        _write_po(_po(two_areas, locale, "messages"), locale, [
            ("Old sentence", "Old sentence", False),
            ("Staff", "Soort functie" if locale == "fr" else "Staff", False, "kind of job"),
        ])
    problems = _check_both(two_areas)
    assert {(p.path.split("/")[1], p.kind, p.msgid) for p in problems} == {
        ("nl", "conflicting translations", "Staff"),
    }
    assert "msgctxt 'kind of job'" in problems[0].detail


# House style (README, "Translations and registers"). Catalogs checked for French typography
# and epicene wording; the others join once their copy has been brought in line.
STYLED = DOMAINS
# Shared with a catalog not yet in STYLED: they change together, or they would conflict.
PENDING_SHARED: set[str] = set()


def _translations(locale, domain):
    catalog = i18n_catalogs._read(i18n_catalogs.po_path(locale, domain), locale, domain)
    for message in catalog:
        if message.id:
            strings = message.string if isinstance(message.string, tuple) else (message.string,)
            for string in strings:
                yield i18n_catalogs._key(message), string


@pytest.mark.parametrize("domain", DOMAINS)
def test_dutch_says_je_to_students_and_staff(domain):
    formal = re.compile(r"\b(u|uw|uzelf)\b", re.IGNORECASE)
    found = [(msgid, text) for msgid, text in _translations("nl", domain) if formal.search(text)]
    assert not found


@pytest.mark.parametrize("domain", STYLED)
def test_apostrophes_are_typographic(domain):
    for locale in ("nl", "fr"):
        found = [(msgid, text) for msgid, text in _translations(locale, domain) if "'" in text]
        assert not found, locale


@pytest.mark.parametrize("domain", STYLED)
def test_french_spacing_and_epicene_wording(domain):
    # A narrow no-break space (U+202F) before : ; ? ! and inside « », never a plain or wide one.
    spacing = re.compile(r"[ \u00a0][:;?!»]|«[ \u00a0]|\w[;?!]|«\w|\w»")
    inclusive = re.compile(r"\w[·.]e\b|\w[·.](e?s|les?|ne|se|ve|he)\b|\(e\)|\(s\)")
    bad = [
        (msgid, text)
        for msgid, text in _translations("fr", domain)
        if msgid not in PENDING_SHARED and (spacing.search(text) or inclusive.search(text))
    ]
    assert not bad


def test_default_is_english(client):
    assert html_lang(client.get("/")) == "en"


def test_accept_language_is_used(client):
    response = client.get("/", headers={"Accept-Language": "fr-FR,fr;q=0.9"})
    assert html_lang(response) == "fr"


def test_centre_default_beats_accept_language(client):
    response = client.get("/amsterdam/", headers={"Accept-Language": "fr"})
    assert html_lang(response) == "nl"
    assert html_lang(client.get("/paris/")) == "fr"


def test_explicit_choice_wins_and_is_remembered(client):
    response = client.get("/paris/?lang=en")
    assert html_lang(response) == "en"
    assert f"{LANG_COOKIE}=en" in response.headers["Set-Cookie"]
    # Later pages remember it, even at a centre whose default differs.
    assert html_lang(client.get("/amsterdam/")) == "en"
    assert html_lang(client.get("/?lang=nl")) == "nl"
    assert html_lang(client.get("/paris/")) == "nl"


def test_unknown_language_is_ignored(client):
    response = client.get("/?lang=xx")
    assert html_lang(response) == "en"
    assert LANG_COOKIE not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("lang", ["en", "nl", "fr"])
def test_every_page_offers_every_language(client, lang):
    body = client.get(f"/uk/?lang={lang}").get_data(as_text=True)
    for code in ("en", "nl", "fr"):
        if code != lang:
            assert f'hreflang="{code}"' in body
    assert 'aria-current="true"' in body


def test_error_pages_are_translated(client):
    response = client.get("/no-such-centre/?lang=fr")
    assert response.status_code == 404
    assert "Page introuvable" in response.get_data(as_text=True)
    assert html_lang(response) == "fr"
