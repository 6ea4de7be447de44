"""Typed settings from the environment."""

import pytest
from cryptography.fernet import Fernet

from hsm.config import ConfigError, load_settings
from tests.helpers import csrf_from

PRODUCTION = {
    "HSM_PROFILE": "production",
    "HSM_SECRET_KEY": "s" * 48,
    "HSM_FIELD_KEYS": Fernet.generate_key().decode(),
    "HSM_RECEIPT_PEPPER": "p" * 32,
    "HSM_AUDIT_KEY": "a" * 32,
    "HSM_DATABASE_URL": "postgresql://hsm@db.internal/hsm",
    "HSM_BASE_URL": "https://hsm.example.org",
    "HSM_SMTP_HOST": "smtp.example.org",
    "HSM_RATELIMIT_STORAGE_URL": "redis://set-by-the-fixture-below",
}


@pytest.fixture(autouse=True)
def _shared_store(redis_url):
    """Production counts its limits in Redis: the tests' real one."""
    PRODUCTION["HSM_RATELIMIT_STORAGE_URL"] = redis_url


def test_development_generates_and_keeps_its_secret(tmp_path):
    first = load_settings({}, instance_dir=tmp_path)
    second = load_settings({}, instance_dir=tmp_path)
    assert first.secret_key == second.secret_key and len(first.secret_key) >= 32
    assert first.field_keys == second.field_keys
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0
    assert first.database_url == f"sqlite:///{tmp_path / 'hsm.sqlite3'}"
    assert not first.mfa_required and not first.secure_cookies


@pytest.mark.parametrize(
    "missing",
    [
        "HSM_SECRET_KEY",
        "HSM_FIELD_KEYS",
        "HSM_RECEIPT_PEPPER",
        "HSM_AUDIT_KEY",
        "HSM_DATABASE_URL",
        "HSM_BASE_URL",
        "HSM_SMTP_HOST",
    ],
)
def test_production_refuses_to_start_without_its_secrets(tmp_path, missing):
    env = {k: v for k, v in PRODUCTION.items() if k != missing}
    with pytest.raises(ConfigError, match=missing):
        load_settings(env, instance_dir=tmp_path)
    assert not (tmp_path / "secret_key").exists()


def test_production_is_strict(tmp_path):
    settings = load_settings(PRODUCTION, instance_dir=tmp_path)
    config = settings.flask_config()
    assert settings.mfa_required and settings.hsts
    assert config["SESSION_COOKIE_NAME"].startswith("__Host-")
    assert config["SESSION_COOKIE_SECURE"] and config["SESSION_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == "Strict"
    assert config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql+psycopg://")


def test_a_short_production_secret_is_refused(tmp_path):
    with pytest.raises(ConfigError, match="32 characters"):
        load_settings({**PRODUCTION, "HSM_SECRET_KEY": "short"}, instance_dir=tmp_path)


def test_bad_values_are_named(tmp_path):
    with pytest.raises(ConfigError, match="HSM_SMTP_PORT"):
        load_settings({"HSM_SMTP_PORT": "twenty-five"}, instance_dir=tmp_path)
    with pytest.raises(ConfigError, match="HSM_PROFILE"):
        load_settings({"HSM_PROFILE": "staging"}, instance_dir=tmp_path)
    with pytest.raises(ConfigError, match="Fernet"):
        load_settings({"HSM_FIELD_KEYS": "not-a-key"}, instance_dir=tmp_path)


def test_rate_limits_can_live_in_redis(tmp_path):
    from limits.storage import RedisStorage, storage_from_string

    settings = load_settings(
        {"HSM_RATELIMIT_STORAGE_URL": "redis://127.0.0.1:6399/0"}, instance_dir=tmp_path
    )
    uri = settings.flask_config()["RATELIMIT_STORAGE_URI"]
    # Building the storage needs the redis client library, which production installs.
    assert isinstance(storage_from_string(uri), RedisStorage)


def test_forms_work_over_https_without_a_referer(app, make_app, tmp_path):
    """Browsers send no Referer (Referrer-Policy: no-referrer); CSRF must not need one."""

    config = load_settings(PRODUCTION, instance_dir=tmp_path).flask_config()
    config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
    config["HSM_ALLOW_DEMO_DATA"] = True  # the shipped centre files hold demo contacts
    production = make_app(config)
    client = production.test_client()
    html = client.get("/staff/login", base_url="https://hsm.example.org").get_data(as_text=True)
    token = csrf_from(html)
    response = client.post(
        "/staff/login",
        base_url="https://hsm.example.org",
        data={"csrf_token": token, "email": "nobody@example.org", "password": "x" * 12},
    )
    assert response.status_code == 200  # the login form again, with a generic message
    assert "expired" not in response.get_data(as_text=True)


@pytest.mark.parametrize("name", ["HSM_MFA_REQUIRED", "HSM_SECURE_COOKIES"])
def test_production_cannot_be_weakened(tmp_path, name):
    with pytest.raises(ConfigError, match=name):
        load_settings({**PRODUCTION, name: "false"}, instance_dir=tmp_path)


@pytest.mark.parametrize("store", [None, "memory://", "memcached://cache.internal"])
def test_production_refuses_rate_limits_that_are_not_shared(tmp_path, store):
    """Counters in memory are per worker: the limits would be doubled under two workers."""
    env = {k: v for k, v in PRODUCTION.items() if k != "HSM_RATELIMIT_STORAGE_URL"}
    if store:
        env["HSM_RATELIMIT_STORAGE_URL"] = store
    with pytest.raises(ConfigError, match="HSM_RATELIMIT_STORAGE_URL"):
        load_settings(env, instance_dir=tmp_path)


def test_production_smtp_login_needs_starttls(tmp_path):
    with pytest.raises(ConfigError, match="STARTTLS"):
        load_settings({**PRODUCTION, "HSM_SMTP_USER": "hsm"}, instance_dir=tmp_path)
    load_settings(
        {**PRODUCTION, "HSM_SMTP_USER": "hsm", "HSM_SMTP_STARTTLS": "true"}, instance_dir=tmp_path
    )


def test_production_refuses_demo_contacts(make_app):
    from hsm.centres.registry import CentreDataError

    with pytest.raises(CentreDataError, match=r"uk\.toml: security: is a demo value"):
        make_app({"HSM_ALLOW_DEMO_DATA": False})


def test_production_answers_only_to_its_own_host(app, make_app, tmp_path):
    config = load_settings(PRODUCTION, instance_dir=tmp_path).flask_config()
    config["HSM_ALLOW_DEMO_DATA"] = True
    production = make_app(config)
    client = production.test_client()
    assert client.get("/healthz", base_url="https://hsm.example.org").status_code == 200
    assert client.get("/healthz", base_url="https://evil.example").status_code == 400


def test_behind_a_proxy_the_client_address_and_scheme_come_from_it(make_app):
    from flask import Blueprint, request

    from hsm.security import public

    other = make_app({"HSM_PROXY_HOPS": 1})
    probe = Blueprint("proxy_probe_for_test", __name__)

    @probe.get("/proxy-probe-for-test")
    @public
    def seen():
        return f"{request.remote_addr} {request.scheme}"

    other.register_blueprint(probe)
    response = other.test_client().get(
        "/proxy-probe-for-test",
        environ_base={"REMOTE_ADDR": "10.0.0.2"},
        headers={"X-Forwarded-For": "203.0.113.9", "X-Forwarded-Proto": "https"},
    )
    assert response.get_data(as_text=True) == "203.0.113.9 https"


def test_rate_limits_and_the_page_cache_are_settings(tmp_path):
    config = load_settings({"HSM_PROFILE": "test"}, instance_dir=tmp_path).flask_config()
    assert config["HSM_REPORT_RATE_LIMIT"] == "10 per hour; 50 per day"
    assert config["HSM_RECEIPT_RATE_LIMIT"] == "10 per hour"
    assert config["HSM_PAGE_CACHE"] is True
    changed = load_settings(
        {"HSM_PROFILE": "test", "HSM_REPORT_RATE_LIMIT": "3 per minute",
         "HSM_RECEIPT_RATE_LIMIT": "5/hour", "HSM_PAGE_CACHE": "off"},
        instance_dir=tmp_path,
    ).flask_config()
    assert changed["HSM_REPORT_RATE_LIMIT"] == "3 per minute"
    assert changed["HSM_RECEIPT_RATE_LIMIT"] == "5/hour"
    assert changed["HSM_PAGE_CACHE"] is False


@pytest.mark.parametrize("name", ["HSM_REPORT_RATE_LIMIT", "HSM_RECEIPT_RATE_LIMIT"])
def test_a_rate_that_does_not_parse_stops_start_up(tmp_path, name):
    with pytest.raises(ConfigError, match=name):
        load_settings({"HSM_PROFILE": "test", name: "lots"}, instance_dir=tmp_path)


def test_the_development_database_file_is_private_like_the_keys(tmp_path):
    load_settings({}, instance_dir=tmp_path)
    database = tmp_path / "hsm.sqlite3"
    assert database.exists() and database.stat().st_mode & 0o077 == 0
    database.chmod(0o644)  # made before this rule, by SQLite and the umask
    load_settings({}, instance_dir=tmp_path)
    assert database.stat().st_mode & 0o077 == 0


def test_an_over_long_address_gets_the_apps_own_answer_with_its_headers(client):
    response = client.get("/uk/?" + "q=" + "a" * 5000)
    assert response.status_code == 414
    assert response.headers["Content-Security-Policy"]
    assert response.headers["X-Content-Type-Options"] == "nosniff"
