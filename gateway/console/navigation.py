"""The side navigation each role sees: (endpoint, label) pairs, labels marked for translation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

from services.common.identity import Role

PARK = [
    ("console_park.overview", _l("Overview")),
    ("console_park.flows", _l("Material flows")),
    ("console_park.map", _l("Map")),
    ("console_plans.index", _l("Park planner")),
    ("console_ledger.entries", _l("Ledger audit")),
    ("console_park.report", _l("Annual report")),
    ("console_exchanges.index", _l("Exchanges")),
    ("console_audit.index", _l("Audit trail")),
]
ENTERPRISE = [
    ("console_listings.index", _l("My listings")),
    ("console_exchanges.index", _l("Exchanges")),
    ("console_webhooks.index", _l("Webhooks")),
    ("console_ledger.entries", _l("Ledger entries")),
]
ADMIN = [
    ("console_admin.parks", _l("Parks")),
    ("console_admin.enterprises", _l("Enterprises")),
    ("console_admin.keys", _l("API keys")),
]

NAV = {Role.PARK_MANAGER: PARK, Role.ENTERPRISE: ENTERPRISE, Role.ADMIN: ADMIN + PARK}


def nav_for(user) -> list[tuple[str, str]]:
    return NAV[user.role]
