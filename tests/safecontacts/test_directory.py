"""The public directory: filters in the URL, and a constant number of queries."""

from __future__ import annotations

from tests.safecontacts.seed import seed_safe_contacts


def _queries(client, count_queries, url):
    with count_queries() as counter:
        response = client.get(url)
    assert response.status_code == 200
    return counter.count


def test_query_count_does_not_grow_with_the_number_of_safe_contacts(client, count_queries):
    seed_safe_contacts(5)
    urls = ["/safe-contacts", "/uk/safe-contacts?language=fr", "/safe-contacts?badge=lgbtqia"]
    few = [_queries(client, count_queries, url) for url in urls]
    seed_safe_contacts(45)
    many = [_queries(client, count_queries, url) for url in urls]
    assert few == many
    assert max(many) <= 6  # the page's own queries, and the cache's version
    # Served again from the page cache: the version alone, read on the process's own
    # connection (tests/safecontacts/test_directory_cache.py).
    assert [_queries(client, count_queries, url) for url in urls] == [1, 1, 1]


def test_filters_live_in_the_url_and_combine(client):
    seed_safe_contacts(12)
    everyone = client.get("/safe-contacts").get_data(as_text=True)
    assert "12 Safe Contacts found" in everyone
    paris = client.get("/safe-contacts?centre=paris").get_data(as_text=True)
    assert "3 Safe Contacts found" in paris
    french_at_paris = client.get("/paris/safe-contacts?language=fr").get_data(as_text=True)
    assert 'id="emergency"' in french_at_paris  # the centre's own emergency strip
    for n in range(12):
        name = f"Person {n:04d}"
        expected = n % 4 == 2 and n % 6 in (2, 3)
        assert (name in french_at_paris) == expected, name


def test_htmx_gets_only_the_results(client):
    seed_safe_contacts(3)
    response = client.get("/safe-contacts?centre=uk", headers={"HX-Request": "true"})
    html = response.get_data(as_text=True)
    assert html.lstrip().startswith('<div id="sc-results"')
    assert "<html" not in html
    assert "HX-Request" in response.headers["Vary"]


def test_bad_filter_values_are_ignored_not_errors(client):
    seed_safe_contacts(2)
    for url in (
        "/safe-contacts?centre=atlantis&badge=nope&language=zz&page=abc",
        "/safe-contacts?page=-4",
        "/safe-contacts?page=999",
    ):
        assert client.get(url).status_code == 200
    assert client.get("/atlantis/safe-contacts").status_code == 404


def test_pages_of_results(client):
    seed_safe_contacts(25)
    first = client.get("/safe-contacts").get_data(as_text=True)
    assert "Page 1 of 2" in first and "Person 0019" in first and "Person 0020" not in first
    second = client.get("/safe-contacts?page=2").get_data(as_text=True)
    assert "Person 0020" in second


def test_the_count_is_announced_through_a_region_that_stays_on_the_page(client):
    seed_safe_contacts(3)
    page = client.get("/safe-contacts").get_data(as_text=True)
    assert '<div id="sc-announce" class="visually-hidden" role="status"></div>' in page
    assert "hx-swap-oob" not in page
    fragment = client.get("/safe-contacts?centre=paris", headers={"HX-Request": "true"})
    html = fragment.get_data(as_text=True)
    assert '<div id="sc-announce" data-hx-swap-oob="innerHTML">1 Safe Contact found</div>' in html
    assert html.count("role=") == 0  # no live region is swapped in with the list itself


def _offered(html: str) -> list[str]:
    import re

    select = html.split('id="filter-language"', 1)[1].split("</select>", 1)[0]
    return [code for code in re.findall(r'<option value="([^"]*)"', select) if code]


def test_the_language_filter_offers_only_languages_someone_speaks(client):
    from hsm.extensions import db
    from tests.safecontacts.seed import add_biography, make_contact

    assert _offered(client.get("/safe-contacts").get_data(as_text=True)) == []
    add_biography(make_contact(name="Ana", centre="paris"), languages=("fr", "es"))
    add_biography(make_contact(name="Bram", centre="amsterdam"), languages=("nl",))
    # Someone still writing their biography speaks German: not offered yet.
    add_biography(make_contact(name="Carla", centre="paris", stage="biography"),
                  status="draft", languages=("de",))
    db.session.commit()
    everyone = _offered(client.get("/safe-contacts").get_data(as_text=True))
    assert sorted(everyone) == ["es", "fr", "nl"]
    assert sorted(_offered(client.get("/paris/safe-contacts").get_data(as_text=True))) == [
        "es", "fr"]
    # A language asked for in the URL stays chosen, even where nobody speaks it.
    asked = client.get("/paris/safe-contacts?language=nl&lang=en").get_data(as_text=True)
    assert "nl" in _offered(asked) and "No Safe Contact matches these choices" in asked


def test_the_centre_filter_lists_centres_by_the_name_shown(client):
    import re

    # Amsterdam, England/Engeland/Angleterre, Ireland, Paris: never by slug ("uk" last).
    for lang in ("en", "nl", "fr"):
        expected = ["amsterdam", "uk", "ireland", "paris"]
        html = client.get(f"/safe-contacts?lang={lang}").get_data(as_text=True)
        select = html.split('id="filter-centre"', 1)[1].split("</select>", 1)[0]
        assert [c for c in re.findall(r'<option value="([^"]*)"', select) if c] == expected
