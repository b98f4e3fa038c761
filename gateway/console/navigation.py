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
    ("console_targets.index", _l("Targets and projects")),
    ("console_submissions.index", _l("Annual submission")),
    ("console_exchanges.index", _l("Exchanges")),
    ("console_audit.index", _l("Audit trail")),
]
ENTERPRISE = [
    ("console_listings.index", _l("My listings")),
    ("console_exchanges.index", _l("Exchanges")),
    ("console_webhooks.index", _l("Webhooks")),
    ("console_ledger.entries", _l("Ledger entries")),
]
PROVINCE = [
    ("console_province.index", _l("Provincial roll-up")),
    ("console_province.period", _l("Period summary")),
]
ADMIN = [
    ("console_admin.parks", _l("Parks")),
    ("console_admin.enterprises", _l("Enterprises")),
    ("console_admin.keys", _l("API keys")),
]

NAV = {
    Role.PARK_MANAGER: PARK,
    Role.ENTERPRISE: ENTERPRISE,
    Role.PROVINCE: PROVINCE,
    Role.ADMIN: ADMIN + PARK + PROVINCE,
}


def nav_for(user) -> list[tuple[str, str]]:
    return NAV[user.role]
