"""``make bench``: run the app under gunicorn and load it with wrk, from this machine.

Prints requests per second and p50/p99 latency per scenario, the SQL queries per page at two
data sizes (they must not grow with the data), the first-load weight of a support page, and
how long a Completion of Procedures letter takes to render to PDF.
Set BENCH_SECONDS to change the length of each wrk run (default 10).
"""

from __future__ import annotations

import logging
import os
import sys

from tests.bench.harness import (
    QueryCounter,
    Result,
    Scenario,
    bench_env,
    gunicorn,
    page_weight,
    run_wrk,
    scratch_dir,
    smtp_sink,
)

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PAGE_BUDGET = 30 * 1024
TARGET_RATIO = 0.5
FORM = "application/x-www-form-urlencoded"


def say(line: str = "") -> None:
    print(line, flush=True)


class Bench:
    def __init__(self, app, base: str, work):
        self.app, self.base, self.work = app, base, work
        self.failures: list[str] = []

    def run(self, scenario: Scenario) -> Result:
        result = run_wrk(self.base, scenario, SECONDS, self.work)
        say(result.row())
        if result.non_2xx:
            self.failures.append(f"{scenario.name}: {result.non_2xx} non-2xx/3xx responses")
        return result

    def queries(self, path: str, headers: dict | None = None, method: str = "GET", data=None):
        from hsm.extensions import db

        client = self.app.test_client(use_cookies=False)  # the Cookie header is ours
        with self.app.app_context(), QueryCounter(db.engine) as counter:
            response = client.open(
                path, method=method, headers=headers or {}, data=data, base_url=self.base
            )
        assert response.status_code < 400, (path, response.status_code, response.data[:3000])
        return counter.count

    def same_queries(self, label: str, small: int, large: int, sizes: str) -> None:
        verdict = "constant" if small == large else "GROWS"
        say(f"SQL queries per {label}: {small} / {large} ({sizes}) -> {verdict}")
        if small != large:
            self.failures.append(f"queries per {label} grow with the data")


def main() -> int:
    with scratch_dir() as work, smtp_sink() as smtp:
        os.environ.update(bench_env(work, smtp))
        from hsm import create_app
        from hsm.extensions import db
        from tests.bench import areas

        # The in-process app only counts queries; its access log would drown the figures.
        logging.getLogger("hsm.access").addHandler(logging.NullHandler())

        app = create_app()
        with app.app_context():
            db.create_all()
        with gunicorn(dict(os.environ)) as base:
            bench = Bench(app, base, work)
            say(f"HSM benchmark: gunicorn (2 workers, production profile) on {base}")
            say(f"wrk: 2 threads, 16 connections, {SECONDS}s per scenario")

            say("\n## Support pages")
            constant = bench.run(Scenario("constant route /healthz", "/healthz"))
            support = bench.run(Scenario("support page /uk/", "/uk/"))
            bench.run(Scenario("support page /amsterdam/ (nl)", "/amsterdam/"))
            bench.run(
                Scenario("support page /uk/, brotli", "/uk/", headers={"Accept-Encoding": "br"})
            )
            ratio = support.rps / constant.rps
            say(f"support/constant throughput ratio: {ratio:.2f} (target >= {TARGET_RATIO})")
            if ratio < TARGET_RATIO:
                bench.failures.append(f"support page ratio {ratio:.2f} < {TARGET_RATIO}")
            _html, total, parts = page_weight(base, "/uk/")
            say(
                f"first load of /uk/ as served: {total / 1024:.1f} KB on the wire"
                f" (budget {PAGE_BUDGET // 1024} KB): {'; '.join(parts)}"
            )
            if any(part.endswith(" identity") for part in parts):
                bench.failures.append("part of the first load of /uk/ is served uncompressed")
            if total > PAGE_BUDGET:
                bench.failures.append(f"page weight {total} B > {PAGE_BUDGET} B")

            say("\n## Reports")
            codes = areas.add_reports(app, 10)
            staff = {"Cookie": areas.staff_cookie(app, "student_services", "uk")}
            cookie, token = areas.form_session(base, "/follow-up")
            follow_up = Scenario(
                "follow-up by receipt code, 10 reports",
                "/follow-up",
                "POST",
                areas.follow_up_body(token, codes[3]),
                {"Cookie": cookie, "Content-Type": FORM},
            )
            bench.run(follow_up)
            # Each count uses a session made just before it, so both sizes measure the same
            # state (a session older than a minute is touched: one UPDATE more).
            inbox_small = bench.queries(
                "/staff/reports", {"Cookie": areas.staff_cookie(app, "student_services", "uk")}
            )
            login_small = bench.queries(
                "/follow-up",
                {"Cookie": cookie, "Content-Type": FORM},
                "POST",
                follow_up.body,
            )
            codes += areas.add_reports(app, 9_990)
            follow_up.name = "follow-up by receipt code, 10,000 reports"
            follow_up.body = areas.follow_up_body(token, codes[9_000])
            bench.run(follow_up)
            bench.run(Scenario("inbox, 10,000 reports", "/staff/reports", headers=staff))
            bench.run(
                Scenario("inbox page 50, 10,000 reports", "/staff/reports?page=50", headers=staff)
            )
            cookie, token = areas.form_session(base, "/uk/report?lang=en")
            bench.run(
                Scenario(
                    "submit a report",
                    "/uk/report",
                    "POST",
                    areas.report_body(token),
                    {"Cookie": cookie, "Content-Type": FORM},
                )
            )
            fresh = {"Cookie": areas.staff_cookie(app, "student_services", "uk")}
            bench.same_queries(
                "inbox page", inbox_small, bench.queries("/staff/reports", fresh),
                "10 vs 10,000 reports",
            )  # fmt: skip
            bench.same_queries(
                "receipt-code follow-up",
                login_small,
                bench.queries(
                    "/follow-up", {"Cookie": cookie, "Content-Type": FORM}, "POST",
                    areas.follow_up_body(token, codes[9_500]),
                ),
                "10 vs 10,000 reports",
            )  # fmt: skip

            say("\n## Safe Contact directory")
            areas.add_safe_contacts(app, 5)
            small = [
                bench.queries(path)
                for path in ("/safe-contacts", "/safe-contacts?centre=paris&language=fr")
            ]
            areas.add_safe_contacts(app, 495)
            for name, path in (
                ("directory, 500 Safe Contacts", "/safe-contacts"),
                ("directory filtered: paris + French", "/safe-contacts?centre=paris&language=fr"),
                ("directory filtered: sexual violence", "/safe-contacts?badge=sexual-violence"),
            ):
                bench.run(Scenario(name, path))
            bench.same_queries(
                "directory page", small[0], bench.queries("/safe-contacts"), "5 vs 500"
            )
            bench.same_queries(
                "filtered directory page",
                small[1],
                bench.queries("/safe-contacts?centre=paris&language=fr"),
                "5 vs 500",
            )

            say("\n## Cases")
            from tests.bench import cases

            path, officer = cases.investigation_case(app, events=10, evidence=2)
            small = bench.queries(path, officer)
            path, officer = cases.investigation_case(app, events=200, evidence=50)
            bench.run(Scenario("case page, 200 timeline events + 50 evidence items", path,
                               headers=officer))
            bench.same_queries("case page (Investigating Officer)", small,
                               bench.queries(path, officer),
                               "10 events + 2 evidence vs 200 + 50")

            say("\n## Letters")
            from tests.bench import letters

            for language, median, slowest, size in letters.cop_render_times(app):
                say(f"COP letter to PDF/UA ({language}): median {median:.0f} ms, "
                    f"slowest {slowest:.0f} ms of 20, {size / 1024:.1f} KiB")
        say()
        if bench.failures:
            say("MISSED: " + "; ".join(bench.failures))
            return 1
        say("All targets met.")
        return 0


if __name__ == "__main__":
    sys.exit(main())
