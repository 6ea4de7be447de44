"""Pieces of the benchmark: a gunicorn server, wrk runs, query counts and page weight."""

from __future__ import annotations

import gzip
import os
import re
import secrets
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

import brotli
import sqlalchemy as sa
from cryptography.fernet import Fernet

ROOT = Path(__file__).resolve().parents[2]
WRK_THREADS = 2
WRK_CONNECTIONS = 16


@dataclass
class Scenario:
    name: str
    path: str
    method: str = "GET"
    body: str | None = None
    headers: dict[str, str] = field(default_factory=dict)


@dataclass
class Result:
    name: str
    rps: float
    p50_ms: float
    p99_ms: float
    non_2xx: int
    # The CPU time the server spent per request (gunicorn's workers, and PostgreSQL's
    # backends under make bench-postgres), in ms: what the code costs, whatever else the
    # shared machine is running (wrk's own CPU is not in it).
    cpu_ms: float = 0.0

    def row(self) -> str:
        rate = f"{self.rps:>9.1f}" if self.rps < 100 else f"{self.rps:>9.0f}"
        return (
            f"{self.name:<44} {rate} req/s   p50 {self.p50_ms:>7.2f} ms"
            f"   p99 {self.p99_ms:>7.2f} ms   CPU {self.cpu_ms:>6.2f} ms/req"
            f"   failed {self.non_2xx}"
        )


# The process trees that serve a base URL (gunicorn's master; PostgreSQL's postmaster).
_SERVERS: dict[str, list[int]] = {}
_TICK = os.sysconf("SC_CLK_TCK")


def _stat(pid: int) -> list[str] | None:
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    return text[text.rindex(")") + 2:].split()  # after "pid (comm) ": state, ppid, ...


def tree_cpu_seconds(roots: list[int]) -> float:
    """CPU time (user + system) of each root, its reaped children and its live descendants;
    under a PostgreSQL postmaster, of the backends serving the benchmark's database only
    (autovacuum after the bulk loads, the checkpointer and the WAL writer work for the loads,
    not for the requests being measured)."""
    parents: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit() and (fields := _stat(int(entry.name))) is not None:
            parents.setdefault(int(fields[1]), []).append(int(entry.name))
    total = 0
    for root in roots:
        database = _POSTMASTERS.get(root)
        if database is not None:
            for pid in parents.get(root, []):
                if database in _command(pid) and (fields := _stat(pid)) is not None:
                    total += int(fields[11]) + int(fields[12])  # utime, stime
            continue
        seen, todo = set(), [root]
        while todo:
            pid = todo.pop()
            if pid in seen or (fields := _stat(pid)) is None:
                continue
            seen.add(pid)
            # utime, stime, cutime, cstime (fields 14-17 of /proc/pid/stat)
            total += sum(int(value) for value in fields[11:15])
            todo.extend(parents.get(pid, []))
    return total / _TICK


_POSTMASTERS: dict[int, bytes] = {}  # postmaster pid -> " <database> " in its backends' title


def _command(pid: int) -> bytes:
    try:
        return Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return b""


def postgres_postmaster(database_url: str) -> int | None:
    """The pid of the PostgreSQL server listening on the URL's port (make bench-postgres's
    throwaway server), found by its command line."""
    port = sa.engine.make_url(database_url).port
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            command = (entry / "cmdline").read_bytes().split(b"\0")
        except OSError:
            continue
        if command and command[0].endswith(b"postgres") and str(port).encode() in command:
            return int(entry.name)
    return None


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_env(workdir: Path, smtp: tuple[str, int]) -> dict[str, str]:
    """A production-profile environment with throwaway secrets in a scratch directory."""
    env = dict(os.environ)
    env.update(
        {
            "HSM_SMTP_HOST": smtp[0],
            "HSM_SMTP_PORT": str(smtp[1]),
            "HSM_PROFILE": "production",
            "HSM_SECRET_KEY": secrets.token_urlsafe(48),
            "HSM_FIELD_KEYS": Fernet.generate_key().decode(),
            "HSM_RECEIPT_PEPPER": secrets.token_urlsafe(32),
            "HSM_AUDIT_KEY": secrets.token_urlsafe(32),
            "HSM_BASE_URL": "http://127.0.0.1",
            "HSM_ALLOW_DEMO_DATA": "true",  # the shipped centre files hold demo contacts
            "HSM_INSTANCE_DIR": str(workdir),
            # Always a scratch database: the benchmark seeds 10,000 reports into it.
            # (make bench-postgres: a throwaway PostgreSQL server's empty database.)
            "HSM_DATABASE_URL": os.environ.get("BENCH_DATABASE_URL")
            or f"sqlite:///{workdir / 'bench.sqlite3'}",
            "HSM_RATELIMIT_ENABLED": "false",
        }
    )
    return env


@contextmanager
def smtp_sink():
    """A local SMTP server that accepts and drops mail (production requires a mail server)."""
    from aiosmtpd.controller import Controller

    class Drop:
        async def handle_DATA(self, server, session, envelope):  # noqa: N802 - aiosmtpd API
            return "250 Message accepted for delivery"

    controller = Controller(Drop(), hostname="127.0.0.1", port=free_port())
    controller.start()
    try:
        yield controller.hostname, controller.port
    finally:
        controller.stop()


@contextmanager
def scratch_dir():
    with tempfile.TemporaryDirectory(prefix="hsm-bench-") as tmp:
        yield Path(tmp)


@contextmanager
def gunicorn(env: dict[str, str], workers: int = 2):
    port = free_port()
    command = [
        str(Path(sys.executable).parent / "gunicorn"),
        "--workers", str(workers),
        "--bind", f"127.0.0.1:{port}",
        "--log-level", "warning",
        "wsgi:app",
    ]  # fmt: skip
    log = (Path(env["HSM_INSTANCE_DIR"]) / "gunicorn.log").open("w")
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=log)  # noqa: S603
    base = f"http://127.0.0.1:{port}"
    _SERVERS[base] = [process.pid]
    database_url = env.get("HSM_DATABASE_URL", "")
    if database_url.startswith("postgresql") and (postmaster := postgres_postmaster(database_url)):
        _SERVERS[base].append(postmaster)
        _POSTMASTERS[postmaster] = f" {sa.engine.make_url(database_url).database} ".encode()
    try:
        for _ in range(100):
            try:
                urllib.request.urlopen(f"{base}/healthz", timeout=1).read()  # noqa: S310
                break
            except OSError:
                time.sleep(0.1)
        else:
            raise RuntimeError("gunicorn did not start")
        yield base
    finally:
        # gunicorn lets each worker finish its request first (up to its graceful timeout of
        # 30 s; a case board under load can take several seconds): wait for that, then kill.
        process.terminate()
        try:
            process.wait(timeout=40)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log.close()


def server_problems(workdir: Path, last: int = 8) -> list[str]:
    """The last answers of 500 and above, and the warnings and errors, in gunicorn's log
    (what the app logs: endpoints and statuses, never a path or a person)."""
    try:
        lines = (workdir / "gunicorn.log").read_text(errors="replace").splitlines()
    except OSError:
        return []
    found = [line for line in lines
             if re.search(r" [5]\d\d \d+ms|WARNING|ERROR|Error|Traceback|\[CRITICAL\]", line)]
    return found[-last:]


def _ms(value: str, unit: str) -> float:
    return float(value) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def _lua(scenario: Scenario, directory: Path) -> Path | None:
    if scenario.method == "GET" and not scenario.headers:
        return None
    lines = [f'wrk.method = "{scenario.method}"']
    if scenario.body is not None:
        body = scenario.body.replace("\\", "\\\\").replace('"', '\\"')
        lines.append(f'wrk.body = "{body}"')
    for name, value in scenario.headers.items():
        lines.append(f'wrk.headers["{name}"] = "{value}"')
    path = directory / f"{re.sub(r'[^a-z0-9]+', '-', scenario.name.lower())}.lua"
    path.write_text("\n".join(lines) + "\n")
    return path


def wait_until_idle(base: str, limit: float = 30.0) -> None:
    """Let the server finish the requests wrk left queued, so runs do not overlap."""
    deadline = time.monotonic() + limit
    while time.monotonic() < deadline:
        started = time.monotonic()
        urllib.request.urlopen(f"{base}/healthz", timeout=limit).read()  # noqa: S310
        if time.monotonic() - started < 0.02:
            return
        time.sleep(0.2)


def run_wrk(base: str, scenario: Scenario, seconds: int, directory: Path) -> Result:
    command = [
        "wrk", f"-t{WRK_THREADS}", f"-c{WRK_CONNECTIONS}", f"-d{seconds}s", "--latency",
        # Slow requests (argon2 on purpose, 16 connections queued on 2 workers) are counted,
        # not dropped as timeouts.
        "--timeout", "30s",
    ]  # fmt: skip
    script = _lua(scenario, directory)
    if script:
        command += ["-s", str(script)]
    command.append(base + scenario.path)
    servers = _SERVERS.get(base, [])
    cpu_before = tree_cpu_seconds(servers)
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout  # noqa: S603
    wait_until_idle(base)
    cpu = tree_cpu_seconds(servers) - cpu_before
    served = int(re.search(r"(\d+) requests in", output).group(1))
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))
    p50 = re.search(r"50%\s+([\d.]+)(us|ms|s)", output)
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)", output)
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    timeouts = re.search(r"Socket errors: .*timeout (\d+)", output)  # an answer never came
    return Result(
        scenario.name,
        rps,
        _ms(*p50.groups()),
        _ms(*p99.groups()),
        (int(bad.group(1)) if bad else 0) + (int(timeouts.group(1)) if timeouts else 0),
        cpu * 1000 / max(served, 1),
    )


class QueryCounter:
    def __init__(self, engine):
        self.engine = engine
        self.count = 0

    def __call__(self, *args):
        self.count += 1

    def __enter__(self):
        sa.event.listen(self.engine, "before_cursor_execute", self)
        return self

    def __exit__(self, *exc):
        sa.event.remove(self.engine, "before_cursor_execute", self)


def set_cookie(base: str, path: str, headers: dict[str, str]) -> str:
    """The names of the cookies a GET of ``path`` with ``headers`` sets ('' when none)."""
    request = urllib.request.Request(base + path, headers=headers)  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback only
        cookies = response.headers.get_all("Set-Cookie") or []
    return ", ".join(c.split("=", 1)[0] for c in cookies)


BROWSER_ACCEPT = {"Accept-Encoding": "br, gzip, deflate"}  # what Chromium sends


def _served(url: str) -> tuple[bytes, int, str]:
    """(body as sent, bytes on the wire, Content-Encoding) for a browser's request."""
    request = urllib.request.Request(url, headers=BROWSER_ACCEPT)  # noqa: S310
    with urllib.request.urlopen(request) as response:  # noqa: S310 - loopback only
        wire = response.read()  # urllib never decodes: these are the bytes sent
        encoding = response.headers.get("Content-Encoding", "identity")
    body = {"br": brotli.decompress, "gzip": gzip.decompress}.get(encoding, bytes)(wire)
    return body, len(wire), encoding


def page_weight(base: str, path: str) -> tuple[int, int, list[str]]:
    """Bytes on the wire for the page and the CSS and JS it loads, as the app serves them to a
    browser (compressed where it compresses): (html, total, "asset: size encoding" lines)."""
    html, html_wire, encoding = _served(base + path)
    assets = re.findall(rb'(?:href|src)="(/static/[^"?]+\.(?:css|js)(?:\?[^"]*)?)"', html)
    total = html_wire
    lines = [f"HTML {html_wire / 1024:.1f} KB {encoding}"]
    for asset in assets:
        _body, wire, encoding = _served(base + asset.decode())
        total += wire
        lines.append(f"{asset.decode().split('?')[0]} {wire / 1024:.1f} KB {encoding}")
    return html_wire, total, lines
