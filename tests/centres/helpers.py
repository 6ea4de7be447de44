"""Small helpers for the centre tests: a valid centre to break, and link parsing."""

from __future__ import annotations

import copy
import tomllib
from html.parser import HTMLParser
from pathlib import Path
from typing import Any

from hsm.centres.registry import DEFAULT_DATA_DIR

SLUGS = ("amsterdam", "ireland", "paris", "uk")


def shipped(slug: str) -> dict[str, Any]:
    """The parsed data of a shipped centre file (a fresh copy, safe to change)."""
    with (DEFAULT_DATA_DIR / f"{slug}.toml").open("rb") as fh:
        return copy.deepcopy(tomllib.load(fh))


def write_toml(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def shipped_text(slug: str) -> str:
    return (DEFAULT_DATA_DIR / f"{slug}.toml").read_text(encoding="utf-8")


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag == "a":
            href = dict(attrs).get("href")
            if href is not None:
                self.hrefs.append(href)


def hrefs(html: str) -> list[str]:
    """Every <a href> in a page, in order."""
    parser = _Links()
    parser.feed(html)
    return parser.hrefs
