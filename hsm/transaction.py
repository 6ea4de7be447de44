"""The request's one commit point, and the mail that leaves after it.

A request that answers below 400 commits its work here, once; any other answer, and any
request whose CSRF token was refused (``hsm.forms.keeps_input``), rolls it back (a refusal
that must be kept, such as a counted login failure, is committed where it is written). Email
queued during the request leaves after the commit, once the response has gone out, so that
neither a rolled-back change nor the page's timing sends or reveals anything.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, g

from hsm import mail
from hsm.extensions import db


def _commit_point(response: Response) -> Response:
    if response.status_code < 400 and not g.get("hsm_csrf_refused"):
        db.session.commit()
    else:
        db.session.rollback()
        mail.take_queued()  # rolled back: nothing to send
        return response
    queued = mail.take_queued()
    if queued:
        app = current_app._get_current_object()

        def send_after_response() -> None:
            with app.app_context():
                mail.deliver(queued)

        response.call_on_close(send_after_response)
    return response


def init_app(app: Flask) -> None:
    """Register first, so that it runs after every other ``after_request`` function."""
    app.after_request(_commit_point)
