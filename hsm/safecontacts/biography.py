"""Biographies: Markdown to safe HTML, and the fixed lists a biography chooses from.

Markdown is rendered with markdown-it-py (raw HTML off), then cleaned by nh3 against a short
allow-list. No attribute that htmx reads can survive (htmx would otherwise act on it), and
the result is wrapped in an element with ``data-hx-disable`` as a second wall.
"""

from __future__ import annotations

import nh3
from markdown_it import MarkdownIt
from markupsafe import Markup

ALLOWED_TAGS = frozenset({"p", "br", "strong", "em", "ul", "ol", "li", "a", "blockquote"})
ALLOWED_ATTRIBUTES = {"a": {"href"}}
ALLOWED_URL_SCHEMES = frozenset({"https", "mailto"})

# "js-default" escapes raw HTML instead of passing it through, and checks link targets.
_markdown = MarkdownIt("js-default", {"linkify": False, "typographer": False}).disable(
    ["image", "table"]
)

# Languages a Safe Contact may list (ISO 639-1); names come from Babel in the reader's locale.
LANGUAGE_CODES = (
    "en", "nl", "fr", "de", "es", "it", "pt", "pl", "ro", "ga", "ar", "tr", "ur", "hi",
    "bn", "pa", "zh", "ja", "ko", "ru", "uk", "fa", "so", "sw", "el", "sv", "da",
)  # fmt: skip
DAY_CODES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
TEXT_LOCALES = ("en", "nl", "fr")
MAX_TEXT = 3000


def clean_html(html: str) -> str:
    """Keep only the allow-listed tags and attributes; links open safely."""
    return nh3.clean(
        html,
        tags=set(ALLOWED_TAGS),
        attributes={k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
        url_schemes=set(ALLOWED_URL_SCHEMES),
        link_rel="noopener noreferrer nofollow",
        strip_comments=True,
    )


def render_markdown(text: str) -> str:
    """Markdown source to cleaned HTML (a plain string)."""
    return clean_html(_markdown.render(text or ""))


def render_biography(text: str, lang: str) -> Markup:
    """The cleaned biography inside a wrapper htmx will not process."""
    body = Markup(render_markdown(text))  # noqa: S704 - nh3 has just cleaned it
    wrapper = Markup('<div class="biography__text" data-hx-disable lang="{}">{}</div>')
    return wrapper.format(lang, body)


def join_codes(codes: list[str] | tuple[str, ...]) -> str:
    """Codes stored between commas, so that ``LIKE '%,fr,%'`` finds one."""
    return "," + ",".join(codes) + "," if codes else ","
