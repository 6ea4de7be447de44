"""Typed settings from the environment."""

import pytest
from cryptography.fernet import Fernet

from hsm.config import ConfigError, load_settings

PRODUCTION = {
    "HSM_PROFILE": "production",
    "HSM_SECRET_KEY": "s" * 48,
    "HSM_FIELD_KEYS": Fernet.generate_key().decode(),
    "HSM_RECEIPT_PEPPER": "p" * 32,
    "HSM_DATABASE_URL": "postgresql://hsm@db.internal/hsm",
    "HSM_BASE_URL": "https://hsm.example.org",
    "HSM_SMTP_HOST": "smtp.example.org",
}


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
    import re

    config = load_settings(PRODUCTION, instance_dir=tmp_path).flask_config()
    config["SQLALCHEMY_DATABASE_URI"] = app.config["SQLALCHEMY_DATABASE_URI"]
    production = make_app(config)
    client = production.test_client()
    html = client.get("/staff/login", base_url="https://hsm.example.org").get_data(as_text=True)
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', html).group(1)
    response = client.post(
        "/staff/login",
        base_url="https://hsm.example.org",
        data={"csrf_token": token, "email": "nobody@example.org", "password": "x" * 12},
    )
    assert response.status_code == 200  # the login form again, with a generic message
    assert "expired" not in response.get_data(as_text=True)
