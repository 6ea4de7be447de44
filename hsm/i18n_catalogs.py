"""Extract, update, compile and check the translation catalogs (one gettext domain per area).

    python -m hsm.i18n_catalogs update    # extract the code's strings into every .po file
    python -m hsm.i18n_catalogs compile   # build the .mo files the app reads
    python -m hsm.i18n_catalogs check     # fail on untranslated, fuzzy, stale or conflicting

English is the source language: its catalog is filled with the source strings automatically.
"""

from __future__ import annotations

import copy
import sys
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_file
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po

from hsm.config import ROOT, TRANSLATIONS_DIR
from hsm.i18n import DOMAINS, LOCALES

KEYWORDS = {
    "_": None,
    "gettext": None,
    "_l": None,
    "lazy_gettext": None,
    "ngettext": (1, 2),
    "lazy_ngettext": (1, 2),
    "pgettext": ((1, "c"), 2),
}
AREAS = tuple(d for d in DOMAINS if d != "messages")


def domain_sources(domain: str, root: Path = ROOT) -> list[Path]:
    """The files whose strings belong to ``domain``."""
    if domain == "messages":
        files = [p for p in (root / "hsm").glob("*.py")]
        templates = root / "templates"
        files += [p for p in templates.glob("*.html")]
        for sub in templates.iterdir():
            if sub.is_dir() and sub.name not in AREAS:
                files += sorted(sub.rglob("*.html"))
        return sorted(files)
    return sorted((root / "hsm" / domain).rglob("*.py")) + sorted(
        (root / "templates" / domain).rglob("*.html")
    )


def _method(path: Path) -> str:
    return "python" if path.suffix == ".py" else "jinja2"


def extract(domain: str, root: Path = ROOT) -> Catalog:
    """A fresh catalog of every string the code of ``domain`` asks to translate."""
    catalog = Catalog(project="hsm", domain=domain, charset="utf-8")
    for path in domain_sources(domain, root):
        options = {"extensions": "jinja2.ext.do"} if _method(path) == "jinja2" else {}
        for lineno, message, comments, context in extract_from_file(
            _method(path), str(path), keywords=KEYWORDS, options=options, strip_comment_tags=True
        ):
            catalog.add(
                message,
                None,
                [(str(path.relative_to(root)), lineno)],
                auto_comments=comments,
                context=context,
            )
    return catalog


def po_path(locale: str, domain: str, translations: Path = TRANSLATIONS_DIR) -> Path:
    return translations / locale / "LC_MESSAGES" / f"{domain}.po"


def _read(path: Path, locale: str, domain: str) -> Catalog:
    if not path.exists():
        return Catalog(locale=locale, domain=domain, project="hsm", charset="utf-8")
    with path.open("rb") as fh:
        return read_po(fh, locale=locale, domain=domain)


def update(
    domains: Iterable[str] = DOMAINS, root: Path = ROOT, translations: Path = TRANSLATIONS_DIR
) -> None:
    for domain in domains:
        template = extract(domain, root)
        for locale in LOCALES:
            path = po_path(locale, domain, translations)
            catalog = _read(path, locale, domain)
            # A copy: Catalog.update shares message objects, and English fills in its strings.
            catalog.update(copy.deepcopy(template), no_fuzzy_matching=True)
            catalog.obsolete.clear()
            if locale == "en":
                for message in catalog:
                    if message.id and not message.string or (
                        isinstance(message.string, tuple) and not all(message.string)
                    ):
                        message.string = message.id
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(fh, catalog, width=100, sort_output=False, omit_header=False)


def compile_all(translations: Path = TRANSLATIONS_DIR) -> None:
    for locale in LOCALES:
        for domain in DOMAINS:
            path = po_path(locale, domain, translations)
            if not path.exists():
                continue
            catalog = _read(path, locale, domain)
            with path.with_suffix(".mo").open("wb") as fh:
                write_mo(fh, catalog, use_fuzzy=False)


@dataclass(frozen=True)
class Problem:
    path: str
    kind: str
    msgid: str
    detail: str = ""

    def __str__(self) -> str:
        text = f"{self.path}: {self.kind}: {self.msgid[:70]!r}"
        return f"{text} ({self.detail})" if self.detail else text


def _key(message) -> str:
    return message.id if isinstance(message.id, str) else message.id[0]


def conflicts(
    domains: Iterable[str] = DOMAINS, root: Path = ROOT, translations: Path = TRANSLATIONS_DIR
) -> list[Problem]:
    """Msgids (with the same msgctxt) that two areas of one locale translate differently.

    The app merges every area's catalog into one, so one of the translations would win
    silently (the later domain in ``DOMAINS``). Where the meaning really differs, the code
    says so with ``pgettext(context, msgid)``, and the two no longer share a key.
    Untranslated and fuzzy entries are left out: they are never compiled.
    """
    checked = set(domains)
    problems: list[Problem] = []
    for locale in LOCALES:
        found: dict[tuple[str, str | None], dict[str, object]] = {}
        for domain in DOMAINS:
            path = po_path(locale, domain, translations)
            if not path.exists():
                continue
            for message in _read(path, locale, domain):
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if message.id and all(strings) and not message.fuzzy:
                    key = (_key(message), message.context)
                    found.setdefault(key, {})[domain] = message.string
        for (msgid, context), by_domain in found.items():
            if len(set(by_domain.values())) < 2:
                continue
            detail = "; ".join(f"{domain}: {string!r}" for domain, string in by_domain.items())
            if context:
                detail = f"msgctxt {context!r}; {detail}"
            for domain in by_domain:
                if domain in checked:
                    rel = str(po_path(locale, domain, translations).relative_to(root))
                    problems.append(Problem(rel, "conflicting translations", msgid, detail))
    return problems


def check(
    domains: Iterable[str] = DOMAINS, root: Path = ROOT, translations: Path = TRANSLATIONS_DIR
) -> list[Problem]:
    """Everything wrong with the catalogs: missing, untranslated, fuzzy, stale, obsolete or
    translated one way in one area and another way in another."""
    domains = list(domains)
    problems: list[Problem] = []
    for domain in domains:
        wanted = {(_key(m), m.context) for m in extract(domain, root) if m.id}
        for locale in LOCALES:
            path = po_path(locale, domain, translations)
            rel = str(path.relative_to(root))
            if not path.exists():
                if wanted:
                    problems.append(Problem(rel, "missing catalog", domain))
                continue
            catalog = _read(path, locale, domain)
            have = set()
            for message in catalog:
                if not message.id:
                    continue
                have.add((_key(message), message.context))
                strings = message.string if isinstance(message.string, tuple) else (message.string,)
                if not all(strings):
                    problems.append(Problem(rel, "untranslated", _key(message)))
                if message.fuzzy:
                    problems.append(Problem(rel, "fuzzy", _key(message)))
            for msgid, _ctx in sorted(wanted - have, key=str):
                problems.append(Problem(rel, "not in catalog (run make translations)", msgid))
            for msgid, _ctx in sorted(have - wanted, key=str):
                problems.append(Problem(rel, "no longer in the code", msgid))
            for msgid in catalog.obsolete:
                problems.append(Problem(rel, "obsolete entry", str(msgid)))
    return problems + conflicts(domains, root, translations)


def main(argv: list[str]) -> int:
    command = argv[1] if len(argv) > 1 else "check"
    if command == "update":
        update(argv[2:] or DOMAINS)
        return 0
    if command == "compile":
        compile_all()
        return 0
    if command == "check":
        problems = check(argv[2:] or DOMAINS)
        for problem in problems:
            print(problem)
        print(f"{len(problems)} translation problems")
        return 1 if problems else 0
    print(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
