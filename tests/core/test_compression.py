"""Compression: static files and shared public pages only, never a page with a secret (BREACH)."""

from __future__ import annotations

import gzip
import os
import re

import brotli
import pytest

from hsm import compression, pagecache
from hsm.config import STATIC_DIR
from tests.reports.conftest import RECEIPT, csrf_token, valid_form

ASKS_FOR_EVERYTHING = {"Accept-Encoding": "br, gzip, deflate, zstd"}
DECODE = {"br": brotli.decompress, "gzip": gzip.decompress}


@pytest.fixture(scope="module", autouse=True)
def built_assets():
    """What `make assets` does (only stale copies are rewritten)."""
    compression.compress_tree(STATIC_DIR)


def versioned_url(client, name: str) -> str:
    html = client.get("/uk/").get_data(as_text=True)
    return re.search(rf'(?:href|src)="(/static/{re.escape(name)}\?v=[0-9a-f]{{12}})"', html)[1]


@pytest.mark.parametrize("name", ["css/app.css", "js/app.js", "vendor/htmx.min.js"])
@pytest.mark.parametrize(
    ("accept", "encoding"),
    [("br, gzip", "br"), ("gzip, deflate", "gzip"), ("br;q=0, gzip", "gzip"), ("", None),
     ("identity", None)],
)
def test_static_files_are_served_in_the_encoding_the_browser_accepts(
    client, name, accept, encoding
):
    original = (STATIC_DIR / name).read_bytes()
    response = client.get(versioned_url(client, name), headers={"Accept-Encoding": accept})
    assert response.status_code == 200
    body = response.data
    assert response.headers.get("Content-Encoding") == encoding
    assert int(response.headers["Content-Length"]) == len(body)
    assert "Accept-Encoding" in response.headers["Vary"]
    assert response.headers["Cache-Control"] == "public, max-age=31536000, immutable"
    assert response.mimetype == ("text/css" if name.endswith(".css") else "text/javascript")
    if encoding:
        assert len(body) < len(original) / 2
        assert DECODE[encoding](body) == original
    else:
        assert body == original


def test_each_encoding_has_its_own_etag(client):
    url = versioned_url(client, "css/app.css")
    tags = {
        client.get(url, headers={"Accept-Encoding": accept}).headers["ETag"]
        for accept in ("br", "gzip", "")
    }
    assert len(tags) == 3


def test_a_stale_compressed_copy_is_never_served(tmp_path):
    source = tmp_path / "app.css"
    source.write_text("body { color: black; }\n" * 50)
    compression.compress_tree(tmp_path)
    assert compression.fresh_variant(source, ".br") is not None
    source.write_text("body { color: navy; }\n" * 50)  # edited after the build
    later = source.stat().st_mtime + 5
    os.utime(source, (later, later))
    assert compression.fresh_variant(source, ".br") is None
    compression.compress_tree(tmp_path)
    assert brotli.decompress((tmp_path / "app.css.br").read_bytes()) == source.read_bytes()


def test_the_compressed_copies_are_not_urls_of_their_own(client):
    assert client.get("/static/css/app.css.br").status_code == 404
    assert client.get("/static/css/app.css.gz").status_code == 404


@pytest.mark.parametrize("path", ["/uk/", "/amsterdam/options", "/paris/what-counts"])
@pytest.mark.parametrize("encoding", ["br", "gzip"])
def test_a_cached_public_page_is_compressed(client, path, encoding):
    pagecache.clear()
    plain = client.get(path, headers={"Accept-Encoding": ""})
    assert plain.headers.get("Content-Encoding") is None
    assert "Accept-Encoding" in plain.vary
    pagecache.clear()
    for _miss_then_hit in range(2):
        response = client.get(path, headers={"Accept-Encoding": encoding})
        assert response.status_code == 200
        assert response.headers["Content-Encoding"] == encoding
        assert int(response.headers["Content-Length"]) == len(response.data)
        assert len(response.data) < len(plain.data) / 2
        assert DECODE[encoding](response.data) == plain.data
        assert {"Accept-Encoding", "HX-Request"} <= set(response.vary)
        assert response.headers["Cache-Control"] == "no-store"


def test_the_cache_keeps_each_encoding_once(client):
    pagecache.clear()
    client.get("/uk/", headers=ASKS_FOR_EVERYTHING)
    bodies = pagecache._cache[("/uk/", "en", "page")][0]  # noqa: SLF001
    assert set(bodies) == {"identity", "br", "gzip"}


def assert_not_compressed(response):
    assert response.headers.get("Content-Encoding") is None, response.request.path
    assert b"<html" in response.data or b"<div" in response.data


def test_the_report_form_is_never_compressed(client):
    assert_not_compressed(client.get("/uk/report", headers=ASKS_FOR_EVERYTHING))
    token = csrf_token(client, "/uk/report?lang=en")
    with_errors = client.post(
        "/uk/report", data={"csrf_token": token, "narrative": "typed"}, headers=ASKS_FOR_EVERYTHING
    )
    assert_not_compressed(with_errors)
    check = client.post(
        "/uk/report/check/narrative",
        data={"csrf_token": token, "narrative": "typed"},
        headers={"HX-Request": "true", **ASKS_FOR_EVERYTHING},
    )
    assert check.status_code == 200
    assert check.headers.get("Content-Encoding") is None


def test_the_receipt_and_the_follow_up_are_never_compressed(client):
    token = csrf_token(client, "/uk/report?lang=en")
    receipt = client.post(
        "/uk/report", data={**valid_form(), "csrf_token": token}, headers=ASKS_FOR_EVERYTHING
    )
    assert_not_compressed(receipt)
    code = RECEIPT.search(receipt.get_data(as_text=True))[1]
    assert_not_compressed(client.get("/follow-up", headers=ASKS_FOR_EVERYTHING))
    token = csrf_token(client, "/follow-up")
    entered = client.post(
        "/follow-up", data={"csrf_token": token, "code": code}, headers=ASKS_FOR_EVERYTHING
    )
    assert entered.status_code == 303
    thread = client.get("/follow-up", headers=ASKS_FOR_EVERYTHING)
    assert_not_compressed(thread)
    assert "Nobody has opened it yet" in thread.get_data(as_text=True)


def test_staff_pages_and_the_login_are_never_compressed(client, login_as):
    assert_not_compressed(client.get("/staff/login", headers=ASKS_FOR_EVERYTHING))
    login_as("student_services", "uk")
    for path in ("/staff/", "/staff/reports", "/staff/account"):
        response = client.get(path, headers=ASKS_FOR_EVERYTHING)
        assert response.status_code == 200, path
        assert_not_compressed(response)


@pytest.mark.browser
def test_the_browser_reads_the_compressed_files(page, live_server):
    encodings = {}
    page.on(
        "response",
        lambda r: encodings.__setitem__(r.url.split("?")[0], r.headers.get("content-encoding")),
    )
    page.goto(f"{live_server.url}/uk/")
    assert encodings[f"{live_server.url}/uk/"] == "br"
    assert encodings[f"{live_server.url}/static/css/app.css"] == "br"
    assert encodings[f"{live_server.url}/static/vendor/htmx.min.js"] == "br"
    # The decoded files work: the stylesheet applies and htmx runs.
    assert page.evaluate("() => document.styleSheets[0].cssRules.length") > 10
    assert page.evaluate("() => typeof window.htmx") == "object"
