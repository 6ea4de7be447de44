"""The access log names the view, never the path, query, address or user agent."""

import logging


def test_access_log_holds_no_path_token_address_or_agent(client, caplog):
    token = "tok3n-canary-5f2a9c"
    caplog.set_level(logging.INFO, logger="hsm.access")
    client.get(
        f"/safe-contacts/apply/confirm/{token}?lang=fr&q={token}",
        environ_base={"REMOTE_ADDR": "203.0.113.77"},
        headers={"User-Agent": "CanaryAgent/9.9", "HX-Request": "true"},
    )
    client.get("/amsterdam/")
    lines = [r.getMessage() for r in caplog.records if r.name == "hsm.access"]
    assert len(lines) == 2
    assert lines[0].startswith("GET safecontacts.") and lines[0].endswith(" htmx")
    assert lines[1].startswith("GET centres.support 200 ")
    text = "\n".join(lines)
    for secret in (token, "203.0.113.77", "CanaryAgent", "amsterdam", "lang"):
        assert secret not in text
