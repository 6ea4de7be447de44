"""Letters in ``make bench``: rendering a Completion of Procedures letter to PDF/UA.

In process, in each language, at the English centre (the OIA paragraph included): the
template rendered in the recipient's language, then WeasyPrint. Prints the median and the
slowest of ``rounds`` renders and the PDF's size.
"""

from __future__ import annotations

import statistics
import time
from datetime import date, timedelta

from flask import Flask

from hsm.centres.registry import get_centre
from hsm.i18n import LOCALES
from hsm.letters import content, rendering
from hsm.letters.terms import LetterKind


def cop_letter(language: str) -> content.LetterContent:
    today = date.today()
    return content.LetterContent(
        kind=LetterKind.COMPLETION_OF_PROCEDURES, recipient_role="reporting",
        language=language, centre=get_centre("uk"), reference="C-BENCH001",
        recipient_name="Bench Fictional", letter_date=today, caseworker_name="Bench Worker",
        text="Fictional complaint: repeated messages after being asked to stop. " * 6,
        finding="breach", decision="vary", final_decision_on=today - timedelta(days=3),
        oia=True, oia_by=content.add_months(today, 12),
    )


def cop_render_times(app: Flask, rounds: int = 20) -> list[tuple[str, float, float, int]]:
    """(language, median ms, slowest ms, PDF bytes) per language."""
    found = []
    with app.app_context():
        for language in LOCALES:
            letter = cop_letter(language)
            rendering.render_pdf(letter)  # warm: fonts and templates load once
            times, size = [], 0
            for _ in range(rounds):
                start = time.perf_counter()
                size = len(rendering.render_pdf(letter))
                times.append((time.perf_counter() - start) * 1000)
            found.append((language, statistics.median(times), max(times), size))
    return found
