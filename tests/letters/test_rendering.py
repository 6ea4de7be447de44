"""Safe rendering: WeasyPrint reads only our own static files, never a remote address or a
file elsewhere; templates autoescape what staff wrote. (PDF rendering: SQLite pass only.)"""

from __future__ import annotations

import pytest

from hsm.config import STATIC_DIR
from hsm.letters import content, rendering
from hsm.letters.rendering import RemoteFetchRefused, StaticOnlyFetcher
from tests.letters.conftest import pdf_text

pytestmark = pytest.mark.browser
PAGE = ('<!doctype html><html lang="en"><head><title>t</title>{head}</head>'
        "<body>{body}</body></html>")


@pytest.mark.parametrize("url", [
    "https://tracker.invalid/pixel.png",
    "http://127.0.0.1:9/x.css",
    "ftp://example.invalid/x",
    "data:image/png;base64,iVBORw0KGgo=",
    "file:///etc/passwd",
    (STATIC_DIR / ".." / "pyproject.toml").as_uri(),
])
def test_the_fetcher_refuses_anything_but_our_static_files(url):
    with pytest.raises(RemoteFetchRefused):
        StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_a_static_file():
    response = StaticOnlyFetcher().fetch((STATIC_DIR / rendering.STYLESHEET).as_uri())
    assert response.content_type == "text/css"
    assert b"@page" in response.read()


@pytest.mark.parametrize("html", [
    PAGE.format(head="", body='<img src="https://tracker.invalid/pixel.png" alt="">'),
    PAGE.format(head='<link rel="stylesheet" href="https://cdn.invalid/x.css">', body="x"),
    PAGE.format(head="<style>@import url(https://cdn.invalid/y.css);</style>", body="y"),
])
def test_a_remote_url_in_a_letter_stops_the_rendering(html):
    with pytest.raises(RemoteFetchRefused):
        rendering.html_to_pdf(html)


def test_what_staff_write_is_escaped_in_the_preview_and_the_pdf(world):
    text = 'Summary <img src="https://tracker.invalid/x.png"> <b>not bold</b>'
    letter = content.build(world.case, content.Request(
        "allegation_summary", world.responding, world.today, text=text))
    body = rendering.render_body(letter)
    assert "<img" not in body and "<b>" not in body
    assert "&lt;img src=&#34;https://tracker.invalid/x.png&#34;&gt;" in body
    # Had the text been markup, the remote image would have stopped the rendering.
    assert "<b>not bold</b>" in pdf_text(rendering.render_pdf(letter))


def test_a_measures_description_is_escaped_too(world):
    from hsm.cases import operations as case_ops

    case_ops.set_measure(world.staff.director, world.case, world.responding,
                         "interim_suspension", world.today,
                         description='<i>Library</i> <a href="https://x.invalid">link</a>')
    letter = content.build(world.case, content.Request(
        "suspension_notice", world.responding, world.today))
    body = rendering.render_body(letter)
    assert "&lt;i&gt;Library&lt;/i&gt;" in body and "<a href" not in body
    assert "<i>Library</i>" in pdf_text(rendering.render_pdf(letter))
