"""HSM: the Student Harassment and Sexual Misconduct Policy and Safe Contact scheme intranet."""

from __future__ import annotations

from pathlib import Path

from flask import Flask
from werkzeug.middleware.proxy_fix import ProxyFix

from hsm import (
    accesslog,
    cli,
    crypto,
    dbpool,
    errors,
    forms,
    headers,
    i18n,
    layout,
    routing,
    security,
    site,
    transaction,
)
from hsm.accounts import sessions as staff_sessions
from hsm.accounts.views import bp as accounts_bp
from hsm.cases.views import bp as cases_bp
from hsm.centres import registry as centres
from hsm.centres.views import bp as centres_bp
from hsm.config import STATIC_DIR, TEMPLATES_DIR, TRANSLATIONS_DIR, load_settings
from hsm.extensions import csrf, db, htmx, limiter, login_manager, migrate
from hsm.letters.views import bp as letters_bp
from hsm.reports import freshness as report_freshness
from hsm.reports.views import bp as reports_bp
from hsm.safecontacts.views import bp as safecontacts_bp
from hsm.stats.views import bp as stats_bp

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
BLUEPRINTS = (site.bp, centres_bp, accounts_bp, reports_bp, safecontacts_bp, cases_bp,
              letters_bp, stats_bp)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config -> extensions (and the commit point) -> i18n -> routing ->
    blueprints -> security -> headers -> errors -> cli."""
    app = Flask(
        __name__,
        template_folder=str(TEMPLATES_DIR),
        static_folder=str(STATIC_DIR),
        instance_relative_config=False,
    )
    app.config.from_mapping(load_settings().flask_config())
    app.config["HSM_TRANSLATIONS_DIR"] = TRANSLATIONS_DIR
    app.config["HSM_LOCALES"] = i18n.LOCALES  # centre data text must exist in each of them
    if test_config:
        app.config.update(test_config)

    if app.config.get("HSM_PROXY_HOPS"):
        hops = app.config["HSM_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    db.init_app(app)
    dbpool.init_app(app)
    report_freshness.watch()  # the inbox's version stamp moves with every change it shows
    transaction.init_app(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR), render_as_batch=True)
    csrf.init_app(app)
    htmx.init_app(app)
    forms.init_app(app)  # filters every request's args and form (extends htmx's request)
    limiter.init_app(app)
    login_manager.init_app(app)
    # The staff session is a server-side row (hsm/accounts/sessions.py: idle and absolute
    # limits, revocation). Flask-Login's "basic" protection would only mark a session
    # "not fresh" when the address or browser changes, which nothing here reads, at the cost
    # of a SHA-512 and a re-signed cookie on every request.
    login_manager.session_protection = None
    login_manager.request_loader(lambda _request: staff_sessions.load_user_from_session())
    login_manager.user_loader(lambda _user_id: None)
    crypto.init_app(app)
    centres.init_app(app)

    i18n.init_app(app)
    layout.init_app(app)

    routing.init_app(app)
    for blueprint in BLUEPRINTS:
        app.register_blueprint(blueprint)
    centres.refuse_reserved_slugs(app)
    security.init_app(app)
    headers.init_app(app)
    site.init_app(app)
    accesslog.init_app(app)
    errors.init_app(app)
    cli.init_app(app)
    return app
