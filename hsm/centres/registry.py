"""The centres the app knows, loaded once at start-up from their data files.

Adding a centre means adding `hsm/centres/data/<slug>.toml`; nothing here changes.
A bad file stops start-up with `CentreDataError`, naming the file and the field.
"""

from __future__ import annotations

import unicodedata
from pathlib import Path

from flask import Flask, abort, current_app

from hsm.centres.centre import Centre
from hsm.centres.validation import LOCALES, CentreDataError, Problem, check_directory

__all__ = [
    "DEFAULT_DATA_DIR",
    "Centre",
    "CentreDataError",
    "all_centres",
    "centres_by_name",
    "centre_or_404",
    "get_centre",
    "init_app",
    "load_centres",
]

DEFAULT_DATA_DIR = Path(__file__).parent / "data"
EXTENSION_KEY = "hsm_centres"


def locales_of(app: Flask) -> tuple[str, ...]:
    """The locales every piece of centre text must exist in."""
    return tuple(app.config.get("HSM_LOCALES") or LOCALES)


def data_dir_of(app: Flask) -> Path:
    return Path(app.config.get("HSM_CENTRES_DIR") or DEFAULT_DATA_DIR)


def load_centres(directory: Path, locales: tuple[str, ...] = LOCALES) -> dict[str, Centre]:
    """Load and check every centre file; raise `CentreDataError` on any problem."""
    centres, problems = check_directory(directory, locales)
    if problems:
        raise CentreDataError(problems)
    return {centre.slug: centre for centre in centres}


def site_paths(app: Flask) -> frozenset[str]:
    """The first segment of every fixed route (``staff``, ``follow-up``, ``static`` …)."""
    first = (rule.rule.lstrip("/").split("/", 1)[0] for rule in app.url_map.iter_rules())
    return frozenset(segment for segment in first if segment and "<" not in segment)


def refuse_reserved_slugs(app: Flask) -> None:
    """A centre whose slug is one of the site's own paths would hide that route, or be hidden
    by it (``/staff/`` or ``/follow-up/``): refuse it at start-up, naming the file.

    Called once every blueprint is registered, so the list of paths needs no upkeep.
    """
    taken = site_paths(app)
    problems = [
        Problem(f"{slug}.toml", "", f"the slug {slug!r} is one of the site's own addresses "
                f"(/{slug}/); rename the file")
        for slug in sorted(app.extensions[EXTENSION_KEY]) if slug in taken
    ]
    if problems:
        raise CentreDataError(problems)


def demo_values(centres: dict[str, Centre]) -> list[Problem]:
    """Every contact still marked as a demo value: a student must never call a made-up line."""
    problems = []
    for slug, centre in sorted(centres.items()):
        for field in ("student_services", "centre_emergency", "security"):
            if getattr(centre, field).demo:
                problems.append(
                    Problem(f"{slug}.toml", field, "is a demo value; give the real contact")
                )
        for index, line in enumerate(centre.helplines):
            if line.demo:
                problems.append(Problem(f"{slug}.toml", f"helplines[{index}]", "is a demo value"))
    return problems


def init_app(app: Flask) -> None:
    """Load the centres into `app.extensions["hsm_centres"]` (slug -> Centre).

    Production refuses demo values unless ``HSM_ALLOW_DEMO_DATA`` says this is a demo.
    """
    app.config.setdefault("HSM_CENTRES_DIR", str(DEFAULT_DATA_DIR))
    centres = load_centres(data_dir_of(app), locales_of(app))
    if not app.config.get("HSM_ALLOW_DEMO_DATA", True):
        problems = demo_values(centres)
        if problems:
            raise CentreDataError(problems)
    app.extensions[EXTENSION_KEY] = centres


def _loaded() -> dict[str, Centre]:
    return current_app.extensions[EXTENSION_KEY]


def get_centre(slug: str) -> Centre | None:
    return _loaded().get(slug)


def all_centres() -> list[Centre]:
    """Every centre, in a stable order (by slug)."""
    return [centre for _slug, centre in sorted(_loaded().items())]


def _sort_key(name: str) -> str:
    # "Écosse" sorts with the E's: accents are ignored, then case.
    decomposed = unicodedata.normalize("NFKD", name)
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def centres_by_name(locale: str) -> list[Centre]:
    """Every centre, in the alphabetical order of its name as shown in ``locale``.

    The order a student scans a list in: it needs no upkeep when a centre is added, and
    reads the same way in every language (England is "Angleterre" in French).
    """
    return sorted(all_centres(), key=lambda centre: _sort_key(centre.name_for(locale)))


def centre_or_404(slug: str) -> Centre:
    centre = get_centre(slug)
    if centre is None:
        abort(404)
    return centre
