"""Names people read for the API's codes (roles, statuses, kinds, units), marked for translation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLES = {"admin": _l("Administrator"), "park_manager": _l("Park manager"), "enterprise": _l("Enterprise")}
STATUSES = {
    "active": _l("Active"),
    "paused": _l("Paused"),
    "withdrawn": _l("Withdrawn"),
    "proposed": _l("Proposed"),
    "accepted": _l("Accepted"),
    "delivering": _l("Delivering"),
    "completed": _l("Completed"),
    "declined": _l("Declined"),
    "cancelled": _l("Cancelled"),
}
KINDS = {"material": _l("Materials and solid waste"), "heat": _l("Waste heat"), "water": _l("Reclaimed water")}
SIDES = {"offer": _l("Offer"), "want": _l("Want"), "offers": _l("Offers"), "wants": _l("Wants")}


def _lookup(table: dict):
    def name(code) -> str:
        return str(table.get(code, code))

    return name


TEMPLATE_HELPERS = {
    "role_name": _lookup(ROLES),
    "status_name": _lookup(STATUSES),
    "kind_name": _lookup(KINDS),
    "side_name": _lookup(SIDES),
}
