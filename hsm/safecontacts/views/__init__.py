"""The Safe Contact scheme's views, one module per sub-area, all on one blueprint.

Views are thin: load (with access checked in ``queries.load_contact_for``), call an operation,
render. Every state change is a POST with CSRF and works without JavaScript.

- ``directory``: the public directory and photos;
- ``apply``: the application and its email confirmation;
- ``board``: the EDI pipeline board and one application's page;
- ``biographies``: writing and approving biographies;
- ``scheme``: training topics, commitments and the diversity summary.
"""

from hsm.safecontacts.views import apply, biographies, board, directory, scheme
from hsm.safecontacts.views.common import bp

__all__ = ["apply", "biographies", "board", "bp", "directory", "scheme"]
