"""``make soak``: two app servers sharing one throwaway PostgreSQL and one Redis, under load.

A script, not a timed test: it prints each count and exits non-zero when one is wrong.

1. Two gunicorn instances (2 workers each, production profile) on loopback ports, behind no
   proxy but told there is one (``HSM_PROXY_HOPS=1``): each request carries an
   ``X-Forwarded-For`` address from a test range, as a proxy would send it.
2. 1,000 report submissions at concurrency 50, spread over both servers. Each is a fresh
   browser: it reads the form (token, submission key), then sends it. A dropped connection
   or a 503 is sent again with the same form, as a student would press Send again.
   Mid-load: a worker is killed with ``kill -9``, PostgreSQL is restarted, and the SMTP sink
   is stopped and started again.
3. One address sends reports to both servers in turn: the limit is counted once for both.
4. ``hsm jobs run`` is started on both servers at once, then again: every email delivered
   exactly once; the audit chain verifies.
"""

from __future__ import annotations

import http.client
import os
import re
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from pathlib import Path

from cryptography.fernet import Fernet

from tests.bench.harness import free_port

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
SUBMISSIONS = int(os.environ.get("SOAK_SUBMISSIONS", "1000"))
CONCURRENCY = int(os.environ.get("SOAK_CONCURRENCY", "50"))
REPORT_LIMIT = 10  # per address and hour, the default
RECEIPT = re.compile(r'id="receipt-code"[^>]*>([^<]+)<')
TOKEN = re.compile(r'name="csrf_token"[^>]*value="([^"]+)"')
TAGS = re.compile(r"<[^>]+>|\s+")
KEY = re.compile(r'name="submission_key"[^>]*value="([^"]+)"')
FORM = {
    "anonymous": "yes", "anonymity_reason": "privacy", "about": "me",
    "categories": "harassment", "when_kind": "ongoing", "where": "online",
    "respondent": "student", "wishes": "support", "immediate_danger": "no", "under_18": "no",
    "consent_earlier_notes": "not_applicable",
}


def _as_postgres(args, **kwargs):
    prefix = ["runuser", "-u", "postgres", "--"] if os.getuid() == 0 else []
    return subprocess.run(prefix + args, check=True, capture_output=True, **kwargs)  # noqa: S603


class Postgres:
    def __init__(self, folder: Path):
        found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
        if not found:
            raise SystemExit("PostgreSQL is missing: `make test` installs it")
        self.bin = found[-1].parent
        self.dir, self.port = folder / "pg", free_port()
        self.dir.mkdir()
        if os.getuid() == 0:
            shutil.chown(self.dir, "postgres")
        _as_postgres([str(self.bin / "initdb"), "-D", str(self.dir / "data"), "-U", "postgres",
                      "-A", "trust", "-E", "UTF8", "--locale=C.UTF-8"])
        self.start()
        _as_postgres([str(self.bin / "createdb"), "-h", "127.0.0.1", "-p", str(self.port),
                      "-U", "postgres", "hsm"])
        self.url = f"postgresql://postgres@127.0.0.1:{self.port}/hsm"

    def _ctl(self, *args):
        _as_postgres([str(self.bin / "pg_ctl"), "-D", str(self.dir / "data"), "-l",
                      str(self.dir / "log"), "-w", *args])

    def start(self):
        self._ctl("-o", f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                        "-c max_connections=200", "start")

    def restart(self):
        self._ctl("-m", "fast", "restart", "-o",
                  f"-c listen_addresses=127.0.0.1 -p {self.port} -k {self.dir} "
                  "-c max_connections=200")

    def stop(self):
        self._ctl("-m", "immediate", "stop")


class Sink:
    """A real SMTP server that counts what it receives and can be stopped and started."""

    def __init__(self):
        self.port, self.received, self.controller = free_port(), [], None

    def start(self):
        from aiosmtpd.controller import Controller

        received = self.received

        class Handler:
            async def handle_DATA(self, server, session, envelope):  # noqa: N802
                received.append(envelope.content)
                return "250 OK"

        self.controller = Controller(Handler(), hostname="127.0.0.1", port=self.port)
        self.controller.start()

    def stop(self):
        if self.controller:
            self.controller.stop()
            self.controller = None


@contextmanager
def redis_server(folder: Path):
    port = free_port()
    process = subprocess.Popen(  # noqa: S603
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "",
         "--appendonly", "no", "--dir", str(folder)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    time.sleep(0.5)
    try:
        yield f"redis://127.0.0.1:{port}/0"
    finally:
        process.terminate()
        process.wait(10)


def flask(env, *args, check=True) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "flask"), "--app", "wsgi", *args], cwd=ROOT, env=env,  # noqa: S603
                          capture_output=True, text=True, check=check)


class Server:
    def __init__(self, env: dict, folder: Path, name: str):
        self.port = free_port()
        self.log = (folder / f"gunicorn-{name}.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603
            [str(BIN / "gunicorn"), "--workers", "2", "--bind", f"127.0.0.1:{self.port}",
             "--log-level", "warning", "--timeout", "60", "wsgi:app"],
            cwd=ROOT, env=env, stdout=self.log, stderr=self.log)
        for _ in range(200):
            try:
                if request(self.port, "GET", "/healthz")[0] == 200:
                    break
            except OSError:
                time.sleep(0.1)
        else:
            raise SystemExit(f"gunicorn {name} did not start")

    def workers(self) -> list[int]:
        out = subprocess.run(["pgrep", "-P", str(self.process.pid)], capture_output=True,  # noqa: S603, S607
                             text=True).stdout
        return [int(p) for p in out.split()]

    def stop(self):
        self.process.terminate()
        self.process.wait(20)
        self.log.close()


def request(port, method, path, body=None, headers=None, timeout=60):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, response.getheaders(), response.read().decode()
    finally:
        connection.close()


def _cookies(headers) -> str:
    return "; ".join(v.split(";", 1)[0] for k, v in headers if k.lower() == "set-cookie")


class Counts:
    def __init__(self):
        self.lock = threading.Lock()
        self.receipts: list[str] = []
        self.retried_503 = self.retried_dropped = self.errors = self.lost_text = 0

    def add(self, name, n=1):
        with self.lock:
            setattr(self, name, getattr(self, name) + n)


def submit(ports, n: int, counts: Counts, address: str | None = None) -> int:
    """One fresh browser sends one report; returns the final status."""
    port = ports[n % len(ports)]
    address = address or f"10.{(n >> 16) & 255}.{(n >> 8) & 255}.{n & 255}"
    base = {"X-Forwarded-For": address, "X-Forwarded-Proto": "https"}
    for _attempt in range(30):
        try:
            status, headers, html = request(port, "GET", "/uk/report?lang=en", headers=base)
            if status != 200:
                counts.add("retried_503")
                time.sleep(1)
                continue
            break
        except OSError:
            counts.add("retried_dropped")
            time.sleep(0.5)
    else:
        counts.add("errors")
        return 0
    form = dict(FORM, narrative=f"Soak report {n}: messages I do not want.",
                csrf_token=TOKEN.search(html).group(1), submission_key=KEY.search(html).group(1))
    body = urllib.parse.urlencode(form)
    send = {**base, "Cookie": _cookies(headers),
            "Content-Type": "application/x-www-form-urlencoded"}
    for _attempt in range(60):
        try:
            status, _h, page = request(port, "POST", "/uk/report", body, send)
        except OSError:  # the worker was killed mid-request: send the same form again
            counts.add("retried_dropped")
            time.sleep(0.5)
            continue
        if status == 503:  # the database is down: the page keeps the text; send again
            if f"Soak report {n}:" not in page:
                counts.add("lost_text")
            counts.add("retried_503")
            time.sleep(1)
            continue
        found = RECEIPT.search(page)
        if status == 200 and found:
            with counts.lock:
                counts.receipts.append(found.group(1))
        elif status != 429:
            counts.add("errors")
            text = TAGS.sub(" ", page)[:300]
            print(f"  submission {n}: answered {status}: {text}")
        return status
    counts.add("errors")
    return 0


def main() -> int:  # noqa: PLR0915 - one story, told in order
    sys.stdout.reconfigure(line_buffering=True)  # each line as it happens, even into a file
    failures = []

    def check(name, got, expected):
        ok = got == expected
        print(f"{name:<58} {got!s:>8}   (expected {expected})" + ("" if ok else "   FAIL"))
        if not ok:
            failures.append(name)

    with ExitStack() as stack:
        folder = Path(stack.enter_context(tempfile.TemporaryDirectory(prefix="hsm-soak-")))
        os.chmod(folder, 0o755)
        pg = Postgres(folder)
        stack.callback(pg.stop)
        redis_url = stack.enter_context(redis_server(folder))
        sink = Sink()
        sink.start()
        stack.callback(sink.stop)
        env = dict(os.environ, HSM_PROFILE="production", HSM_DATABASE_URL=pg.url,
                   HSM_SECRET_KEY=secrets.token_urlsafe(48),
                   HSM_FIELD_KEYS=Fernet.generate_key().decode(),
                   HSM_RECEIPT_PEPPER=secrets.token_urlsafe(32),
                   HSM_AUDIT_KEY=secrets.token_urlsafe(32), HSM_BASE_URL="http://127.0.0.1",
                   HSM_ALLOW_DEMO_DATA="true", HSM_INSTANCE_DIR=str(folder),
                   HSM_SMTP_HOST="127.0.0.1", HSM_SMTP_PORT=str(sink.port),
                   HSM_RATELIMIT_STORAGE_URL=redis_url, HSM_PROXY_HOPS="1",
                   HSM_SECURE_COOKIES="true")
        flask(env, "db", "upgrade")
        subprocess.run([str(BIN / "flask"), "--app", "wsgi", "hsm", "create-user", "--email",  # noqa: S603
                        "ss.uk@example.org", "--name", "Soak Caseworker", "--role",
                        "student_services", "--centre", "uk", "--password-stdin"],
                       cwd=ROOT, env=env, input="correct horse battery staple soak 2026\n",
                       capture_output=True, text=True, check=True)
        servers = [Server(env, folder, "a"), Server(env, folder, "b")]
        for server in servers:
            stack.callback(server.stop)
        ports = [s.port for s in servers]

        # --- 1,000 submissions with a killed worker, a restarted database, a stopped sink ---
        counts = Counts()
        done = threading.Event()
        progress = {"n": 0}

        def events():
            def at(fraction):
                while progress["n"] < SUBMISSIONS * fraction and not done.is_set():
                    time.sleep(0.2)

            at(0.2)
            victim = servers[0].workers()[0]
            os.kill(victim, signal.SIGKILL)
            print(f"  kill -9 of worker {victim} at {progress['n']} submissions")
            at(0.4)
            sink.stop()
            print(f"  SMTP sink stopped at {progress['n']}")
            at(0.5)
            pg.restart()
            print(f"  PostgreSQL restarted at {progress['n']}")
            at(0.7)
            sink.start()
            print(f"  SMTP sink started again at {progress['n']}")

        watcher = threading.Thread(target=events, daemon=True)
        watcher.start()
        started = time.monotonic()

        def one(n):
            status = submit(ports, n, counts)
            with counts.lock:
                progress["n"] += 1
            return status

        with ThreadPoolExecutor(CONCURRENCY) as pool:
            list(pool.map(one, range(SUBMISSIONS)))
        done.set()
        watcher.join(5)
        seconds = time.monotonic() - started

        import psycopg

        with psycopg.connect(pg.url) as conn:
            rows = conn.execute("SELECT count(*) FROM report").fetchone()[0]
            lookups = {r[0] for r in conn.execute("SELECT lookup_id FROM report")}
        from hsm.reports.receipts import parse

        shown = {parse(code).lookup_id for code in counts.receipts}
        print(f"{SUBMISSIONS} submissions at concurrency {CONCURRENCY} over 2 servers in "
              f"{seconds:.0f} s; {counts.retried_dropped} dropped connections and "
              f"{counts.retried_503} answers 503 sent again")
        check("receipts shown", len(counts.receipts), SUBMISSIONS)
        check("reports stored", rows, SUBMISSIONS)
        check("errors", counts.errors, 0)
        check("503 pages that lost the student's text", counts.lost_text, 0)
        check("receipts without a stored report", len(shown - lookups), 0)

        # --- one address, both servers: the limit is counted once --------------------------
        limited = Counts()
        statuses = [submit(ports, n, limited, address="192.0.2.77")
                    for n in range(REPORT_LIMIT + 4)]
        check("one address over both servers: accepted", statuses.count(200), REPORT_LIMIT)
        check("one address over both servers: refused (429)", statuses.count(429), 4)

        # --- jobs on both servers at once, then again ---------------------------------------
        with psycopg.connect(pg.url) as conn:
            queued = conn.execute("SELECT count(*) FROM outbox_message").fetchone()[0]
        runs = [subprocess.Popen([str(BIN / "flask"), "--app", "wsgi", "hsm", "jobs", "run",  # noqa: S603
                                  "--only", "outbox"], cwd=ROOT, env=env, text=True,
                                 stdout=subprocess.PIPE, stderr=subprocess.PIPE)
                for _ in range(2)]
        outputs = [r.communicate(timeout=600)[0] for r in runs]
        ran = sum("skipped" not in out for out in outputs)
        # What failed while the sink was down waits for its retry (1 minute, then longer).
        for _ in range(30):
            flask(env, "hsm", "jobs", "run")
            with psycopg.connect(pg.url) as conn:
                unsent = conn.execute(
                    "SELECT count(*) FROM outbox_message WHERE sent_at IS NULL").fetchone()[0]
            if not unsent:
                break
            time.sleep(15)
        print(f"outbox: {queued} emails queued; job outputs: "
              + " | ".join(o.strip() for o in outputs))
        print(f"outbox job started twice at once: {ran} ran, {2 - ran} skipped (held by the other)")
        check("emails delivered (each exactly once)", len(sink.received), queued)
        check("emails not sent", unsent, 0)
        verify = flask(env, "hsm", "audit", "verify", check=False)
        print(verify.stdout.strip())
        check("audit chain verifies (exit code)", verify.returncode, 0)
    print("soak: " + ("all counts as expected" if not failures else f"FAILED: {failures}"))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
