"""The access log: which view answered, with what status, how fast; nothing about who asked.

A web server's own access log records the path, and paths can carry one-time tokens (an
emailed link) or tell which centre's support page someone read. This log names the endpoint
instead, never the path, query string, client address or user agent, so gunicorn runs without
an access log of its own.
"""

from __future__ import annotations

import logging
import time

from flask import Flask, g, request

logger = logging.getLogger("hsm.access")


def _start() -> None:
    g.request_started = time.perf_counter()


def _log(response):
    started = g.get("request_started")
    elapsed = (time.perf_counter() - started) * 1000 if started else 0.0
    logger.info(
        "%s %s %s %.0fms%s",
        request.method,
        request.endpoint or "-",
        response.status_code,
        elapsed,
        " htmx" if request.htmx else "",
    )
    return response


def init_app(app: Flask) -> None:
    app.before_request(_start)
    app.after_request(_log)
    if not logger.handlers and not app.testing:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s %(message)s"))
        logger.addHandler(handler)
        logger.setLevel(logging.INFO)
        logger.propagate = False
