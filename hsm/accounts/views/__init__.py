"""Staff accounts' views, one module per sub-area, all on the one ``accounts`` blueprint.

- ``sign_in``: the password, the second step, enrolment, signing out;
- ``account``: "My work" and one's own account;
- ``links``: password reset requests and emailed one-time links;
- ``users``: user administration;
- ``audit_log``: the audit viewer;
- ``grants``: roles that read content, approved by a second person;
- ``sso``: single sign-on (the identity provider, linking, who keeps password sign-in).
"""

from hsm.accounts.views import account, audit_log, grants, links, sign_in, sso, users
from hsm.accounts.views.common import bp

__all__ = ["account", "audit_log", "bp", "grants", "links", "sign_in", "sso", "users"]
