"""The cases area's views, one module per sub-area, all on one blueprint.

Thin views: ``queries`` read (one scope, one loader that answers 404), ``operations`` write
(explicit actor, audited), and ``actions`` is the one table of what can be recorded on a
case page. Every state change is a POST with CSRF and works without JavaScript.

- ``board``: the case boards (one per role, tabs) and moving a case;
- ``case``: one case's page, the records made on it, "My deadlines" and its calendar files;
- ``opening``: opening a case from a report or from a disclosure made to staff;
- ``sharing``: the investigation report, and sharing items with the parties.
"""

from hsm.cases.views import board, case, opening, sharing
from hsm.cases.views.common import BOARD_PERMISSIONS, NAV_DESCRIPTION, NAV_LABEL, bp

__all__ = ["BOARD_PERMISSIONS", "NAV_DESCRIPTION", "NAV_LABEL", "board", "bp", "case",
           "opening", "sharing"]
