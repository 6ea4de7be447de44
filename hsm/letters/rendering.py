"""A letter's content rendered two ways, from the same Jinja template: HTML and PDF.

- In the recipient's language: the template is rendered inside ``force_locale`` with their
  preferred language, so gettext, dates and labels are theirs, whoever prepares it.
- Autoescaped: the templates are ``.html`` (Flask's environment escapes them), and every
  text staff wrote reaches them as a plain string.
- No remote fetches: WeasyPrint gets ``StaticOnlyFetcher``, which serves files from our own
  ``static/`` folder and refuses anything else (http, https, data, another folder) with a
  ``RemoteFetchRefused`` that stops the rendering.
- Tagged PDF: PDF/UA-1 (WeasyPrint's ``pdf_variant="pdf/ua-1"``, which tags the structure),
  with the document's language and title.
"""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlsplit

from flask import current_app, url_for
from markupsafe import Markup
from weasyprint import HTML
from weasyprint.urls import FatalURLFetchingError, URLFetcher, URLFetcherResponse

from hsm.cases.terms import MEASURE_KIND_LABELS, REVIEW_GROUND_LABELS
from hsm.config import STATIC_DIR
from hsm.i18n import force_locale, format_date
from hsm.letters.content import LetterContent
from hsm.letters.terms import (
    FINDING_LABELS,
    LETTER_KIND_LABELS,
    REVIEW_CONCERN_LABELS,
    REVIEW_DECISION_LABELS,
    SANCTION_LABELS,
)

PDF_VARIANT = "pdf/ua-1"
STYLESHEET = "css/letter.css"


class RemoteFetchRefused(FatalURLFetchingError):
    """A letter asked for something outside our own static files: rendering stops."""


class StaticOnlyFetcher(URLFetcher):
    """WeasyPrint's fetcher, allowed to read only files under ``static/``."""

    def __init__(self, root: Path = STATIC_DIR):
        super().__init__(allowed_protocols=("file",), allow_redirects=False,
                         fail_on_errors=True)
        self._root = root.resolve()

    def fetch(self, url, headers=None):
        parts = urlsplit(url)
        if parts.scheme != "file" or parts.netloc not in ("", "localhost"):
            raise RemoteFetchRefused(f"refused to fetch {parts.scheme}: a letter reads only "
                                     "our own static files")
        path = Path(unquote(parts.path)).resolve()
        if not path.is_relative_to(self._root) or not path.is_file():
            raise RemoteFetchRefused("refused to fetch a file outside static/")
        content_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(path.as_uri(), path.read_bytes(),
                                  {"Content-Type": content_type})


#: What a letter template may read besides ``letter``: labels and the date formatter.
TEMPLATE_CONTEXT = {
    "kind_labels": LETTER_KIND_LABELS,
    "finding_labels": FINDING_LABELS,
    "sanction_labels": SANCTION_LABELS,
    "review_decision_labels": REVIEW_DECISION_LABELS,
    "review_concern_labels": REVIEW_CONCERN_LABELS,
    "measure_kind_labels": MEASURE_KIND_LABELS,
    "ground_labels": REVIEW_GROUND_LABELS,
    "format_date": format_date,
}


def _static_file(filename: str) -> str:
    return (STATIC_DIR / filename).resolve().as_uri()


def _static_url(filename: str) -> str:
    return url_for("static", filename=filename)


def _render(name: str, content: LetterContent, **values) -> str:
    return current_app.jinja_env.get_template(name).render(
        letter=content, **TEMPLATE_CONTEXT, **values)


def render_body(content: LetterContent) -> str:
    """The letter itself (no page around it), in the recipient's language: for the preview."""
    with force_locale(content.language):
        return _render(content.template, content)


def render_html(content: LetterContent, *, for_pdf: bool) -> str:
    """The complete HTML document; for the PDF, its stylesheet is a file of static/."""
    with force_locale(content.language):
        body = Markup(_render(content.template, content))  # noqa: S704 - autoescaped above
        stylesheet = _static_file(STYLESHEET) if for_pdf else _static_url(STYLESHEET)
        return _render("letters/document.html", content, body=body, stylesheet=stylesheet)


def html_to_pdf(html: str) -> bytes:
    """WeasyPrint, with the static-only fetcher, as tagged PDF/UA."""
    return HTML(string=html, base_url=STATIC_DIR.resolve().as_uri() + "/",
                url_fetcher=StaticOnlyFetcher()).write_pdf(
        pdf_variant=PDF_VARIANT, pdf_tags=True, custom_metadata=False)


def render_pdf(content: LetterContent) -> bytes:
    """The letter as a PDF, in the recipient's language."""
    return html_to_pdf(render_html(content, for_pdf=True))


def render_document_pdf(template: str, language: str, title: str, **values) -> bytes:
    """Another document of a case (the investigation report) through the same pipeline: its
    template in ``language``, in the letters' page (stylesheet, ``lang``, title), autoescaped,
    with the static-only fetcher, as tagged PDF/UA."""
    env = current_app.jinja_env
    with force_locale(language):
        body = Markup(env.get_template(template).render(  # noqa: S704 - autoescaped
            **TEMPLATE_CONTEXT, **values))
        html = env.get_template("letters/document.html").render(
            body=body, stylesheet=_static_file(STYLESHEET), language=language, title=title)
    return html_to_pdf(html)
