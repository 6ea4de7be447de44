"""The rate limits are counted in Redis, once for every worker and server: a limit reached
through one process is reached for another process too (the tests run a real Redis)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

import redis

from hsm.config import DEFAULT_REPORT_RATE_LIMIT
from tests.helpers import csrf_from
from tests.reports.conftest import valid_form


def test_the_test_app_counts_in_redis(app, redis_url):
    assert app.config["RATELIMIT_STORAGE_URI"] == redis_url
    assert redis.Redis.from_url(redis_url).ping()


def test_a_limit_reached_through_one_process_holds_in_another(app, client, redis_url):
    """Two processes (two gunicorn workers, or two servers with one secret key) share the
    counters."""
    app.config["HSM_REPORT_RATE_LIMIT"] = "2 per hour"
    try:
        for _ in range(2):
            token = csrf_from(client.get("/uk/report?lang=en").data)
            response = client.post("/uk/report", data=valid_form() | {"csrf_token": token})
            assert response.status_code == 200
        script = textwrap.dedent("""
            import sys
            from hsm import create_app
            from tests.reports.conftest import valid_form
            from tests.helpers import csrf_from
            app = create_app({"SQLALCHEMY_DATABASE_URI": sys.argv[1], "RATELIMIT_STORAGE_URI":
                              sys.argv[2], "HSM_REPORT_RATE_LIMIT": "2 per hour",
                              "HSM_FIELD_KEYS": tuple(sys.argv[3].split(",")),
                              "HSM_RECEIPT_PEPPER": sys.argv[4], "SECRET_KEY": sys.argv[5]})
            client = app.test_client()
            with app.app_context():
                token = csrf_from(client.get("/uk/report?lang=en").data)
                answer = client.post("/uk/report", data=valid_form() | {"csrf_token": token})
            print(answer.status_code)
        """)
        other = subprocess.run(  # noqa: S603 - our own interpreter and script
            [sys.executable, "-c", script, app.config["SQLALCHEMY_DATABASE_URI"], redis_url,
             ",".join(app.config["HSM_FIELD_KEYS"]), app.config["HSM_RECEIPT_PEPPER"],
             app.config["SECRET_KEY"]],
            capture_output=True, text=True, timeout=120,
            env={**os.environ, "HSM_PROFILE": "test"}, check=False)
        assert other.returncode == 0, other.stderr[-2000:]
        assert other.stdout.strip().splitlines()[-1] == "429"
    finally:
        app.config["HSM_REPORT_RATE_LIMIT"] = DEFAULT_REPORT_RATE_LIMIT
