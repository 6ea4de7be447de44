"""`make run PORT=…` serves on that port, and email links must point at it too."""

import shutil
import subprocess

import pytest

from hsm.config import ROOT


@pytest.mark.skipif(shutil.which("make") is None, reason="make is not installed")
def test_make_run_gives_the_served_address_to_email_links():
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=5101"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout
    serve = next(line for line in dry_run.splitlines() if "gunicorn" in line)
    assert "--bind 127.0.0.1:5101" in serve
    assert serve.startswith("HSM_BASE_URL=http://127.0.0.1:5101 ")
