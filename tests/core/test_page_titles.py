"""A page's title says "Error:" first when its form has errors, and says it once: base.html
writes the prefix (from the page's ``form``, or its own ``page_error``), never a page."""

import re
from pathlib import Path

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
TITLE = re.compile(r"\{% block title %\}(.*?)\{% endblock %\}", re.S)


def test_no_page_writes_the_error_prefix_into_its_own_title():
    offenders = [str(path.relative_to(TEMPLATES)) for path in sorted(TEMPLATES.rglob("*.html"))
                 for title in TITLE.findall(path.read_text()) if "Error:" in title]
    assert offenders == []


def test_base_writes_the_prefix_once():
    base = (TEMPLATES / "base.html").read_text()
    assert base.count('_("Error:")') == 1 and "page_error" in base
