"""The staff banner is made once per roles, language and page (hsm/layout.py), and each
request gets its own name and form token back in: nothing personal is ever kept."""

from __future__ import annotations

import re

import pytest

from hsm import layout
from tests.factories import make_user
from tests.helpers import second_client

SIGN_OUT_TOKEN = re.compile(
    r'<form class="sign-out"[^>]*>\s*<input type="hidden" name="csrf_token" value="([^"]+)"')
HX_TOKEN = re.compile(r'"X-CSRFToken": "([^"]+)"')


@pytest.fixture(autouse=True)
def empty_banners():
    layout.BANNERS.clear()
    yield
    layout.BANNERS.clear()


def banner_of(html: str) -> str:
    return html[html.index('<header class="site-header'):html.index("</header>")]


def test_two_people_with_the_same_roles_each_see_their_own_name_and_token(app, client, db):
    first = make_user(("student_services", "uk"), name="Fictional Ada Banner")
    second = make_user(("student_services", "uk"), name="Fictional <b>Bo</b> Banner")
    db.session.commit()
    pages = {}
    for user in (first, second):
        browser = second_client(app, user, db)
        pages[user.name] = browser.get("/staff/account").get_data(as_text=True)
    assert len(layout.BANNERS.entries) == 1  # one banner made, and reused
    ada, bo = pages["Fictional Ada Banner"], pages["Fictional <b>Bo</b> Banner"]
    assert "Fictional Ada Banner" in banner_of(ada) and "Bo" not in banner_of(ada)
    assert "Fictional &lt;b&gt;Bo&lt;/b&gt; Banner" in banner_of(bo)  # escaped
    for page in (ada, bo):
        assert SIGN_OUT_TOKEN.search(page).group(1) == HX_TOKEN.search(page).group(1)
    assert SIGN_OUT_TOKEN.search(ada).group(1) != SIGN_OUT_TOKEN.search(bo).group(1)
    kept = "".join(layout.BANNERS.entries.values())
    assert "Banner" not in kept
    for page in (ada, bo):
        assert SIGN_OUT_TOKEN.search(page).group(1) not in kept


def test_roles_language_and_page_each_have_their_own_banner(app, db):
    officer = make_user(("student_services", "uk"), name="Fictional Officer")
    admin = make_user(("admin", None), name="Fictional Admin")
    db.session.commit()
    officer_browser, admin_browser = second_client(app, officer, db), second_client(app, admin, db)
    officer_page = officer_browser.get("/staff/account").get_data(as_text=True)
    admin_page = admin_browser.get("/staff/account").get_data(as_text=True)
    assert "/staff/reports" in banner_of(officer_page)
    assert "/staff/reports" not in banner_of(admin_page)
    assert "/staff/admin/users" in banner_of(admin_page)
    assert "/staff/admin/users" not in banner_of(officer_page)
    dutch = officer_browser.get("/staff/account?lang=nl").get_data(as_text=True)
    assert 'lang="nl" aria-current="true"' in banner_of(dutch)
    home = officer_browser.get("/staff/").get_data(as_text=True)
    assert 'aria-current="page">' in banner_of(home)
    assert len(layout.BANNERS.entries) == 4
