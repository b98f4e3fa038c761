"""Who may do what at the gateway itself (everything else is decided by the service that owns it):
only an admin manages API keys, and an enterprise enrolment key (not yet bound to an enterprise)
becomes the key of the enterprise it registers. The rules are tabled in
tests/helpers/authorisation.py, from which the authorisation matrix tests are generated.
"""

from __future__ import annotations

from services.common.errors import Forbidden
from services.common.identity import Principal, Role


def require_key_admin(p: Principal) -> None:
    """Issuing, listing and revoking API keys."""
    if not p.is_admin:
        raise Forbidden("only an admin may manage API keys")


def binds_on_registration(p: Principal) -> bool:
    """Whether registering an enterprise binds the calling key to it."""
    return p.role is Role.ENTERPRISE and p.enterprise_id is None
