"""Public pages that are the same for everyone are served from a cache."""

from hsm import committed, pagecache


def test_cached_page_is_served_again_per_locale(app, client):
    pagecache.clear()
    first = client.get("/uk/")
    assert ("/uk/", "en", "page") in pagecache._cache  # noqa: SLF001
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


def test_odd_query_strings_neither_crash_nor_poison_the_cache(client):
    pagecache.clear()
    for query in ("?centre=paris", "?endpoint=x", "?_external=1", "?lang=fr&_external=1"):
        response = client.get(f"/amsterdam/{query}", headers={"Host": "evil.example"})
        assert response.status_code == 200, query
        assert "evil.example" not in response.get_data(as_text=True)
    assert client.get("/uk/report?centre=paris").status_code == 200
    assert client.get("/?endpoint=x").status_code == 200
    assert client.get("/nowhere/?centre=x").status_code == 404
    # Only bare pages were cached, and the next visitor gets clean links.
    assert all(len(key) == 3 for key in pagecache._cache)  # noqa: SLF001
    body = client.get("/amsterdam/").get_data(as_text=True)
    assert "_external" not in body and "evil.example" not in body
    assert 'href="/amsterdam/?lang=fr"' in body


def test_the_language_switch_keeps_other_arguments_encoded(client):
    body = client.get("/safe-contacts?centre=paris&language=fr").get_data(as_text=True)
    assert 'href="/safe-contacts?centre=paris&amp;language=fr&amp;lang=nl"' in body


def test_several_versions_are_read_at_once_and_still_read_when_the_connection_breaks(db):
    """``versions`` reads what is committed, in one read on the process's own connection;
    a broken connection is dropped and the versions read through the session."""
    pagecache.changed("test:a")
    pagecache.changed("test:b")
    db.session.commit()
    both = pagecache.versions(["test:a", "test:b", "test:none"])
    assert set(both) == {"test:a", "test:b"}
    assert both["test:a"] == pagecache.version("test:a")
    pagecache.changed("test:a")
    assert pagecache.versions(["test:a"]) == {"test:a": both["test:a"]}  # not committed yet
    db.session.commit()
    assert pagecache.versions(["test:a"]) != {"test:a": both["test:a"]}
    committed.break_connection()
    assert pagecache.versions(["test:b"]) == {"test:b": both["test:b"]}
    assert not committed.is_open()  # dropped, opened again by the next read


def test_versions_read_with_the_session_serve_the_request_until_it_commits(app, db):
    """A signed-in request reads every version with its session check; its version reads use
    them until the request commits, and no other request ever sees them."""
    pagecache.changed("test:a")
    db.session.commit()
    committed_now = pagecache.version("test:a")
    with app.test_request_context():
        pagecache.read_with_session({"test:a": 7})
        assert pagecache.version("test:a") == 7
        assert pagecache.versions(["test:a", "test:none"]) == {"test:a": 7}
        pagecache.changed("test:b")
        db.session.commit()  # the request's own change counts from here
        assert pagecache.version("test:a") == committed_now
        assert pagecache.version("test:b") not in (0, 7)
    with app.test_request_context():
        assert pagecache.version("test:a") == committed_now
