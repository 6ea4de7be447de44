"""Public pages that are the same for everyone are served from a cache."""

from hsm import pagecache


def test_cached_page_is_served_again_per_locale(app, client):
    pagecache.clear()
    first = client.get("/uk/")
    assert ("/uk/", "en", "") in pagecache._cache  # noqa: SLF001
    again = client.get("/uk/")
    assert again.data == first.data
    french = client.get("/uk/?lang=fr")
    assert french.data != first.data and b'lang="fr"' in french.data
    fragment = client.get("/uk/", headers={"HX-Request": "true"})
    assert fragment.headers["Vary"] and "HX-Request" in fragment.headers["Vary"]


def test_the_cache_is_off_when_templates_reload(app, client, monkeypatch):
    pagecache.clear()
    monkeypatch.setitem(app.config, "TEMPLATES_AUTO_RELOAD", True)
    client.get("/uk/")
    assert pagecache._cache == {}  # noqa: SLF001


def test_errors_are_not_cached(client):
    pagecache.clear()
    assert client.get("/nowhere/").status_code == 404
    assert pagecache._cache == {}  # noqa: SLF001
