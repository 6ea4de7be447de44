"""Whatever is posted to the form, the answer is never a server error."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hsm.config import DEFAULT_REPORT_RATE_LIMIT
from hsm.reports.forms import ReportForm
from tests.helpers import csrf_token
from tests.reports.conftest import valid_form

FIELDS = list(ReportForm.ORDER)
# The boxes of the two dates (the field names themselves post nothing).
BOXES = [f"{name}-{part}" for name in ("date_of_birth", "when_date")
         for part in ("day", "month", "year")]
text = st.text(max_size=300)
values = st.one_of(text, st.sampled_from(["yes", "no", "other", "date", "staff", "2024-02-30",
                                          "1999-12-31", "email", "+31 6 1234 5678", "31", "2",
                                          "0", "13", "99999", "٣", "²"]))


@pytest.fixture
def no_submit_limit(app):
    app.config["HSM_REPORT_RATE_LIMIT"] = "100000 per hour"
    yield
    app.config["HSM_REPORT_RATE_LIMIT"] = DEFAULT_REPORT_RATE_LIMIT


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    base=st.booleans(),
    changes=st.dictionaries(st.sampled_from(FIELDS + BOXES + ["csrf_token", "unknown"]),
                            st.one_of(values, st.lists(values, max_size=4)), max_size=8),
    check=st.sampled_from(FIELDS),
)
def test_the_form_never_answers_500(client, no_submit_limit, base, changes, check):
    token = csrf_token(client, "/uk/report")
    data = (valid_form() if base else {}) | {"csrf_token": token} | changes
    response = client.post("/uk/report", data=data)
    assert response.status_code in (200, 400), response.status_code
    inline = client.post(f"/uk/report/check/{check}", data=data, headers={"HX-Request": "true"})
    assert inline.status_code in (200, 400)
