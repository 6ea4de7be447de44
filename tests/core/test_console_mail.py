"""Finding 8 of the outside test: development mail printed to the console was the wire's
quoted-printable, so a copied link had ``=`` line breaks (and ``=3D``) and gave 404. The console
prints the text as it reads: every link on one line, exactly as sent."""

from __future__ import annotations

import re

from hsm import mail

LINK = ("http://127.0.0.1:5000/staff/password/new?token="
        "IjEyMzQ1Njc4OTAxMjM0NTY3ODkwIg.aBcDeF_gHiJkLmNoPqRsTuVwXyZ-0123456789abcdefghijklmnop"
        "&next=%2Fstaff%2Faccount")


def test_console_mail_prints_links_that_work_when_copied(app, capfd):
    assert app.config["HSM_SMTP_HOST"] == ""  # development and tests: the console is the sink
    body = ("Bonjour, vous avez demandé un nouveau mot de passe\u202f: l’adresse ci-dessous "
            f"reste valable une heure.\n\n{LINK}\n\n— Safe Support")
    mail.send("noor@example.org", "Nouveau mot de passe", body)
    printed = capfd.readouterr().err
    assert LINK in printed.splitlines()  # the whole link, alone on its line
    assert "=3D" not in printed and not re.search(r"=\n", printed)
    assert "l’adresse" in printed and "demandé" in printed  # decoded, not =E2=80=99
    assert "Content-Transfer-Encoding" not in printed


def test_console_mail_from_the_outbox_is_the_same_text(app, capfd, db):
    mail.queue("noor@example.org", "Invitation", f"Commencez ici\u202f:\n{LINK}\n")
    db.session.commit()
    sent, failed = mail.send_pending()
    assert (sent, failed) == (1, 0)
    assert LINK in capfd.readouterr().err.splitlines()
