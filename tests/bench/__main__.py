"""``make bench``: run the app under gunicorn and load it with wrk, from this machine.

Prints requests per second and p50/p99 latency per scenario, the SQL queries per page at two
data sizes (they must not grow with the data), and the first-load weight of a support page.
Set BENCH_SECONDS to change the length of each wrk run (default 10).
"""

from __future__ import annotations

import os
import sys

from tests.bench.harness import (
    QueryCounter,
    Scenario,
    bench_env,
    gunicorn,
    page_weight,
    run_wrk,
    scratch_dir,
)

SECONDS = int(os.environ.get("BENCH_SECONDS", "10"))
PAGE_BUDGET = 30 * 1024
TARGET_RATIO = 0.5


def say(line: str = "") -> None:
    print(line, flush=True)


def main() -> int:
    with scratch_dir() as work:
        os.environ.update(bench_env(work))
        from hsm import create_app
        from hsm.extensions import db

        app = create_app()
        with app.app_context():
            db.create_all()
        failures: list[str] = []
        with gunicorn(dict(os.environ)) as base:
            say(f"HSM benchmark: gunicorn (2 workers) on {base}; wrk, {SECONDS}s per scenario")
            say()
            constant = run_wrk(base, Scenario("constant route /healthz", "/healthz"), SECONDS, work)
            support = run_wrk(base, Scenario("support page /uk/", "/uk/"), SECONDS, work)
            support_nl = run_wrk(
                base, Scenario("support page /amsterdam/ (nl)", "/amsterdam/"), SECONDS, work
            )
            for result in (constant, support, support_nl):
                say(result.row())
            ratio = support.rps / constant.rps
            say(f"support/constant throughput ratio: {ratio:.2f} (target >= {TARGET_RATIO})")
            if ratio < TARGET_RATIO:
                failures.append(f"support page ratio {ratio:.2f} < {TARGET_RATIO}")
            say()
            html, total, assets = page_weight(base, "/uk/")
            say(
                f"first load of /uk/: {total / 1024:.1f} KB gzipped "
                f"(HTML {html / 1024:.1f} KB + {', '.join(assets)}); budget 30 KB"
            )
            if total > PAGE_BUDGET:
                failures.append(f"page weight {total} > {PAGE_BUDGET}")
            with app.app_context(), QueryCounter(db.engine) as counter:
                app.test_client().get("/uk/")
            say(f"SQL queries for /uk/: {counter.count}")
        say()
        if failures:
            say("MISSED: " + "; ".join(failures))
            return 1
        say("All targets met.")
        return 0


if __name__ == "__main__":
    sys.exit(main())
