"""Typed settings, read once from the environment (``HSM_*``).

Three profiles: ``development`` (the default; generates and keeps a secret key and a field
encryption key in ``instance/``), ``test`` and ``production`` (refuses to start without its
secrets, requires MFA, secure cookies and HSTS).
"""

from __future__ import annotations

import os
import secrets
import tempfile
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from urllib.parse import urlsplit

from cryptography.fernet import Fernet
from limits import parse_many

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES_DIR = ROOT / "templates"
STATIC_DIR = ROOT / "static"
TRANSLATIONS_DIR = ROOT / "translations"
INSTANCE_DIR = ROOT / "instance"

PROFILES = ("development", "test", "production")
# Reports one connection may send (a campus can sit behind one address), and receipt-code tries.
DEFAULT_REPORT_RATE_LIMIT = "10 per hour; 50 per day"
DEFAULT_RECEIPT_RATE_LIMIT = "10 per hour"
# Retention (policy 4.9, 19.6): days each kind of record is kept after the end of its life
# (closure, not creation); ``hsm retention`` and ``hsm jobs run`` purge it afterwards.
DEFAULT_RETENTION_DAYS = {
    "HSM_RETAIN_INFORMATION_REPORTS_DAYS": 3 * 365,  # after it was marked for information only
    "HSM_RETAIN_UNSUCCESSFUL_APPLICATIONS_DAYS": 365,  # after withdrawn / not progressed
    "HSM_RETAIN_CLOSED_CASES_DAYS": 6 * 365,  # after closure: the case, its reports and letters
}


class ConfigError(RuntimeError):
    """Raised when the environment does not describe a runnable configuration."""


# Single sign-on (OpenID Connect). Entra ID's multi-tenant issuers would let any tenant in.
ENTRA_HOST = "login.microsoftonline.com"
ENTRA_SHARED_TENANTS = frozenset({"common", "organizations", "consumers"})
# amr values that name one factor (RFC 8176): never proof of multi-factor authentication.
SINGLE_FACTOR_AMR = frozenset({"pwd", "pin", "kba", "user", "tel", "sms", "otp", "face", "fpt",
                               "iris", "retina", "vbm", "hwk", "swk", "sc", "wia", "geo"})


@dataclass(frozen=True)
class OidcSettings:
    """The one identity provider staff sign in with (``HSM_OIDC_*``); None when unset."""

    issuer: str
    client_id: str
    client_secret: str
    scopes: str = "openid email profile"
    # Entra ID: the directory (tenant) id, checked against the ID token's ``tid``.
    tenant_id: str = ""
    # The claim that names the person for good: ``sub``, or ``oid`` for Entra ID.
    subject_claim: str = "sub"
    mfa_amr: tuple[str, ...] = ("mfa",)
    mfa_acr: tuple[str, ...] = ()
    session_lifetime: timedelta = timedelta(hours=12)
    # What the sign-in button says the provider is called ("Microsoft", "Google"...).
    display_name: str = ""
    timeout_seconds: int = 10

    @property
    def metadata_url(self) -> str:
        return self.issuer.rstrip("/") + "/.well-known/openid-configuration"

    @property
    def label(self) -> str:
        return self.display_name or (urlsplit(self.issuer).hostname or self.issuer)


def _words(raw: str | None) -> tuple[str, ...]:
    return tuple(w for w in (raw or "").replace(",", " ").split() if w)


def _oidc(env: dict[str, str], production: bool) -> OidcSettings | None:
    """``HSM_OIDC_*``: None without an issuer (password sign-in only, as in the demo)."""
    issuer = (env.get("HSM_OIDC_ISSUER") or "").strip()
    if not issuer:
        return None
    client_id = (env.get("HSM_OIDC_CLIENT_ID") or "").strip()
    secret = env.get("HSM_OIDC_CLIENT_SECRET") or ""
    if not client_id or not secret:
        raise ConfigError("HSM_OIDC_ISSUER needs HSM_OIDC_CLIENT_ID and HSM_OIDC_CLIENT_SECRET")
    parts = urlsplit(issuer)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.query:
        raise ConfigError(f"HSM_OIDC_ISSUER must be the provider's issuer URL, not {issuer!r}")
    tenant = (env.get("HSM_OIDC_TENANT_ID") or "").strip()
    entra = parts.hostname == ENTRA_HOST
    if entra:
        if not tenant or tenant.lower() in ENTRA_SHARED_TENANTS:
            raise ConfigError("Entra ID needs HSM_OIDC_TENANT_ID: your directory (tenant) id, "
                              "never common, organizations or consumers")
        if f"/{tenant}/" not in parts.path + "/":
            raise ConfigError("HSM_OIDC_ISSUER must hold the tenant of HSM_OIDC_TENANT_ID, "
                              f"like https://{ENTRA_HOST}/{tenant}/v2.0")
    subject_claim = (env.get("HSM_OIDC_SUBJECT_CLAIM") or ("oid" if entra else "sub")).strip()
    if subject_claim not in ("sub", "oid"):
        raise ConfigError("HSM_OIDC_SUBJECT_CLAIM must be sub or oid")
    amr = _words(env.get("HSM_OIDC_MFA_AMR", "mfa"))
    acr = _words(env.get("HSM_OIDC_MFA_ACR"))
    hours = _int(env, "HSM_OIDC_SESSION_HOURS", 12)
    if not 1 <= hours <= 24:
        raise ConfigError("HSM_OIDC_SESSION_HOURS must be between 1 and 24")
    scopes = " ".join(_words(env.get("HSM_OIDC_SCOPES", "openid email profile")))
    if "openid" not in scopes.split():
        raise ConfigError("HSM_OIDC_SCOPES must include openid")
    if production:
        if parts.scheme != "https":
            raise ConfigError("HSM_OIDC_ISSUER must be https:// in production")
        if entra and subject_claim != "oid":
            raise ConfigError("Entra ID accounts are linked by oid in production")
        weak = sorted(set(amr) & SINGLE_FACTOR_AMR)
        if weak:
            # Counting one factor as two would let SSO pass over MFA without anyone noticing.
            raise ConfigError("HSM_OIDC_MFA_AMR may only name multi-factor values (like mfa), "
                              "not " + ", ".join(weak))
    return OidcSettings(
        issuer=issuer,
        client_id=client_id,
        client_secret=secret,
        scopes=scopes,
        tenant_id=tenant,
        subject_claim=subject_claim,
        mfa_amr=amr,
        mfa_acr=acr,
        session_lifetime=timedelta(hours=hours),
        display_name=(env.get("HSM_OIDC_NAME") or "").strip(),
        timeout_seconds=_int(env, "HSM_OIDC_TIMEOUT", 10),
    )


def _bool(value: str | None, default: bool) -> bool:
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def _int(env: dict[str, str], name: str, default: int) -> int:
    raw = env.get(name)
    if raw in (None, ""):
        return default
    try:
        return int(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a whole number, not {raw!r}") from exc


def _retention(env: dict[str, str], name: str, default: int) -> int:
    days = _int(env, name, default)
    if days < 1:
        raise ConfigError(f"{name} must be at least 1 day")
    return days


def _rate_limit(env: dict[str, str], name: str, default: str) -> str:
    """A Flask-Limiter rate such as "10 per hour; 50 per day", checked now, not on first use."""
    raw = (env.get(name) or "").strip() or default
    try:
        parse_many(raw)
    except ValueError as exc:
        raise ConfigError(f"{name} must be a rate such as '10 per hour', not {raw!r}") from exc
    return raw


def _kept_secret(path: Path, make) -> str:
    """Read a development secret from ``instance/``, creating it on first use.

    The secret is written to a private temporary file and then linked into place, so that
    when several processes start at once, one wins and none ever reads a half-written file.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        try:
            with os.fdopen(fd, "w") as fh:
                fh.write(make())
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process was first: use its secret
        finally:
            os.unlink(temporary)
    return path.read_text().strip()


@dataclass(frozen=True)
class Settings:
    profile: str
    secret_key: str
    database_url: str
    field_keys: tuple[str, ...]
    receipt_pepper: str
    audit_key: str
    mfa_required: bool
    secure_cookies: bool
    hsts: bool
    base_url: str
    ratelimit_storage_url: str
    ratelimit_enabled: bool
    smtp_host: str
    smtp_port: int
    smtp_user: str
    smtp_password: str
    smtp_starttls: bool
    mail_from: str
    allowed_staff_domains: tuple[str, ...]
    max_content_length: int
    quick_exit_url: str
    proxy_hops: int
    trusted_hosts: tuple[str, ...]
    allow_demo_data: bool
    report_rate_limit: str = DEFAULT_REPORT_RATE_LIMIT
    receipt_rate_limit: str = DEFAULT_RECEIPT_RATE_LIMIT
    page_cache: bool = True
    outbox_keep_days: int = 7
    oidc: OidcSettings | None = None
    retention_days: dict = field(default_factory=lambda: dict(DEFAULT_RETENTION_DAYS))
    extra: dict = field(default_factory=dict)

    def engine_options(self) -> dict:
        """SQLAlchemy's engine options (pings: hsm/dbpool.py). SQLite (the embedded demo
        database) lets a second writer wait up to 30 s for the first to commit instead of
        the driver's 5 s: a case page writes its audit entry first and holds the write lock
        while it renders, which under load took longer than 5 s, and a 503."""
        options: dict = {"hide_parameters": True}
        if self.database_url.startswith("sqlite"):
            options["connect_args"] = {"timeout": 30}
        return options

    def flask_config(self) -> dict:
        """The settings in the shape Flask and its extensions read."""
        cookie_name = "__Host-hsm" if self.secure_cookies else "hsm"
        return {
            "HSM_PROFILE": self.profile,
            "TESTING": self.profile == "test",
            "SECRET_KEY": self.secret_key,
            "SQLALCHEMY_DATABASE_URI": self.database_url,
            "SQLALCHEMY_ENGINE_OPTIONS": self.engine_options(),
            "HSM_FIELD_KEYS": self.field_keys,
            "HSM_RECEIPT_PEPPER": self.receipt_pepper,
            "HSM_AUDIT_KEY": self.audit_key,
            "HSM_MFA_REQUIRED": self.mfa_required,
            "HSM_HSTS": self.hsts,
            "HSM_BASE_URL": self.base_url,
            "HSM_QUICK_EXIT_URL": self.quick_exit_url,
            "HSM_PROXY_HOPS": self.proxy_hops,
            "HSM_ALLOW_DEMO_DATA": self.allow_demo_data,
            "HSM_REPORT_RATE_LIMIT": self.report_rate_limit,
            "HSM_RECEIPT_RATE_LIMIT": self.receipt_rate_limit,
            "HSM_PAGE_CACHE": self.page_cache,
            "HSM_OUTBOX_KEEP_DAYS": self.outbox_keep_days,
            "HSM_OIDC": self.oidc,
            **self.retention_days,
            "TRUSTED_HOSTS": list(self.trusted_hosts) or None,
            "HSM_ALLOWED_STAFF_DOMAINS": self.allowed_staff_domains,
            "HSM_SMTP_HOST": self.smtp_host,
            "HSM_SMTP_PORT": self.smtp_port,
            "HSM_SMTP_USER": self.smtp_user,
            "HSM_SMTP_PASSWORD": self.smtp_password,
            "HSM_SMTP_STARTTLS": self.smtp_starttls,
            "HSM_MAIL_FROM": self.mail_from,
            "MAX_CONTENT_LENGTH": self.max_content_length,
            "MAX_FORM_MEMORY_SIZE": self.max_content_length,
            "SESSION_COOKIE_NAME": cookie_name,
            "SESSION_COOKIE_HTTPONLY": True,
            "SESSION_COOKIE_SAMESITE": "Strict",
            "SESSION_COOKIE_SECURE": self.secure_cookies,
            "SESSION_COOKIE_PATH": "/",
            "SESSION_COOKIE_DOMAIN": None,
            "REMEMBER_COOKIE_DURATION": 0,
            "WTF_CSRF_TIME_LIMIT": None,
            # Flask-WTF's HTTPS check compares the Referer with the host, but every response
            # sends Referrer-Policy: no-referrer; SameSite=Strict cookies and the token suffice.
            "WTF_CSRF_SSL_STRICT": False,
            "RATELIMIT_STORAGE_URI": self.ratelimit_storage_url,
            "RATELIMIT_HEADERS_ENABLED": False,
            "RATELIMIT_ENABLED": self.ratelimit_enabled,
            "BABEL_DEFAULT_LOCALE": "en",
            "BABEL_DEFAULT_TIMEZONE": "UTC",
            "TEMPLATES_AUTO_RELOAD": self.profile == "development",
            **self.extra,
        }


def _private_file(path: Path) -> None:
    """The database file holds everything the keys protect: readable by its owner only, like
    the keys (SQLite creates it with the umask, 0644 by default)."""
    if not path.exists():
        os.close(os.open(path, os.O_CREAT | os.O_WRONLY, 0o600))
    if path.stat().st_mode & 0o077:
        path.chmod(0o600)


def load_settings(env: dict[str, str] | None = None, instance_dir: Path | None = None) -> Settings:
    """Build the settings from ``env`` (default: ``os.environ``)."""
    env = dict(os.environ if env is None else env)
    instance = Path(instance_dir or env.get("HSM_INSTANCE_DIR") or INSTANCE_DIR)
    profile = env.get("HSM_PROFILE", "development")
    if profile not in PROFILES:
        raise ConfigError(f"HSM_PROFILE must be one of {', '.join(PROFILES)}, not {profile!r}")
    production = profile == "production"

    secret_key = env.get("HSM_SECRET_KEY", "")
    field_keys = tuple(k for k in env.get("HSM_FIELD_KEYS", "").split(",") if k.strip())
    pepper = env.get("HSM_RECEIPT_PEPPER", "")
    audit_key = env.get("HSM_AUDIT_KEY", "")
    if production:
        missing = [
            name
            for name, value in (
                ("HSM_SECRET_KEY", secret_key),
                ("HSM_FIELD_KEYS", field_keys),
                ("HSM_RECEIPT_PEPPER", pepper),
                ("HSM_AUDIT_KEY", audit_key),
                ("HSM_DATABASE_URL", env.get("HSM_DATABASE_URL", "")),
                ("HSM_BASE_URL", env.get("HSM_BASE_URL", "")),
                # Without a mail server, emails (and their one-time links) would go to stderr.
                ("HSM_SMTP_HOST", env.get("HSM_SMTP_HOST", "")),
            )
            if not value
        ]
        if missing:
            raise ConfigError("production needs " + ", ".join(missing) + " to be set")
        if len(secret_key) < 32:
            raise ConfigError("HSM_SECRET_KEY must be at least 32 characters in production")
    elif profile == "test":
        secret_key = secret_key or secrets.token_urlsafe(32)
        field_keys = field_keys or (Fernet.generate_key().decode(),)
        pepper = pepper or secrets.token_urlsafe(32)
        audit_key = audit_key or secrets.token_urlsafe(32)
    else:
        secret_key = secret_key or _kept_secret(
            instance / "secret_key", lambda: secrets.token_urlsafe(48)
        )
        field_keys = field_keys or (
            _kept_secret(instance / "field_key", lambda: Fernet.generate_key().decode()),
        )
        pepper = pepper or _kept_secret(
            instance / "receipt_pepper", lambda: secrets.token_urlsafe(32)
        )
        audit_key = audit_key or _kept_secret(
            instance / "audit_key", lambda: secrets.token_urlsafe(32)
        )

    if production:
        # Switches that would quietly weaken production are refused, not obeyed.
        for name in ("HSM_MFA_REQUIRED", "HSM_SECURE_COOKIES"):
            if env.get(name, "").strip().lower() in {"0", "false", "no", "off"}:
                raise ConfigError(f"{name} cannot be switched off in production")
        if env.get("HSM_SMTP_USER") and not _bool(env.get("HSM_SMTP_STARTTLS"), False):
            raise ConfigError("HSM_SMTP_USER needs HSM_SMTP_STARTTLS=true in production")
        # Counters in memory are per worker: every limit would be multiplied by the workers,
        # and forgotten when one restarts.
        limited = _bool(env.get("HSM_RATELIMIT_ENABLED"), True)
        store = env.get("HSM_RATELIMIT_STORAGE_URL", "")
        if limited and not store.startswith(("redis://", "rediss://")):
            raise ConfigError("production needs HSM_RATELIMIT_STORAGE_URL=redis://… (a store "
                              "shared by every worker and server)")

    for key in field_keys:
        try:
            Fernet(key.strip())
        except ValueError as exc:
            raise ConfigError("HSM_FIELD_KEYS holds a key that is not a Fernet key") from exc

    default_db = f"sqlite:///{instance / 'hsm.sqlite3'}"
    database_url = env.get("HSM_DATABASE_URL") or default_db
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://") :]
    if database_url == default_db and profile == "development":
        instance.mkdir(parents=True, exist_ok=True)
        _private_file(Path(database_url.removeprefix("sqlite:///")))

    return Settings(
        profile=profile,
        secret_key=secret_key,
        database_url=database_url,
        field_keys=tuple(k.strip() for k in field_keys),
        receipt_pepper=pepper,
        audit_key=audit_key,
        mfa_required=_bool(env.get("HSM_MFA_REQUIRED"), production),
        secure_cookies=_bool(env.get("HSM_SECURE_COOKIES"), production),
        hsts=production,
        base_url=env.get("HSM_BASE_URL", "http://127.0.0.1:5000").rstrip("/"),
        ratelimit_storage_url=env.get("HSM_RATELIMIT_STORAGE_URL", "memory://"),
        # Switched off only by the benchmark, which measures throughput, not throttling.
        ratelimit_enabled=_bool(env.get("HSM_RATELIMIT_ENABLED"), True),
        smtp_host=env.get("HSM_SMTP_HOST", ""),
        smtp_port=_int(env, "HSM_SMTP_PORT", 25),
        smtp_user=env.get("HSM_SMTP_USER", ""),
        smtp_password=env.get("HSM_SMTP_PASSWORD", ""),
        smtp_starttls=_bool(env.get("HSM_SMTP_STARTTLS"), False),
        mail_from=env.get("HSM_MAIL_FROM", "hsm-noreply@example.org"),
        allowed_staff_domains=tuple(
            d.strip().lower()
            for d in env.get("HSM_STAFF_EMAIL_DOMAINS", "example.org").split(",")
            if d.strip()
        ),
        max_content_length=_int(env, "HSM_MAX_CONTENT_LENGTH", 2 * 1024 * 1024),
        quick_exit_url=env.get("HSM_QUICK_EXIT_URL", "https://www.bbc.co.uk/weather"),
        # How many proxies in front of the app set X-Forwarded-*: 0 when none (development).
        proxy_hops=_int(env, "HSM_PROXY_HOPS", 0),
        # Production answers only to the host of its public address (no Host-header games).
        trusted_hosts=(urlsplit(env["HSM_BASE_URL"]).hostname,) if production else (),
        allow_demo_data=_bool(env.get("HSM_ALLOW_DEMO_DATA"), not production),
        report_rate_limit=_rate_limit(env, "HSM_REPORT_RATE_LIMIT", DEFAULT_REPORT_RATE_LIMIT),
        receipt_rate_limit=_rate_limit(env, "HSM_RECEIPT_RATE_LIMIT", DEFAULT_RECEIPT_RATE_LIMIT),
        # The in-process cache of the public pages; off only to measure without it.
        page_cache=_bool(env.get("HSM_PAGE_CACHE"), True),
        # How long a sent email stays in the outbox (for the record) before it is removed.
        outbox_keep_days=_int(env, "HSM_OUTBOX_KEEP_DAYS", 7),
        oidc=_oidc(env, production),
        retention_days={name: _retention(env, name, default)
                        for name, default in DEFAULT_RETENTION_DAYS.items()},
    )
