"""Names people read for the API's codes (roles, statuses, kinds, units), marked for translation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

ROLES = {
    "admin": _l("Administrator"),
    "park_manager": _l("Park manager"),
    "enterprise": _l("Enterprise"),
    "province": _l("Provincial reviewer"),
}
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

# The API's province codes (services/listings/domain/parks.py) with the names people read.
PROVINCE_NAMES = {
    "Beijing": _l("Beijing"),
    "Tianjin": _l("Tianjin"),
    "Hebei": _l("Hebei"),
    "Shanxi": _l("Shanxi"),
    "Inner Mongolia": _l("Inner Mongolia"),
    "Liaoning": _l("Liaoning"),
    "Jilin": _l("Jilin"),
    "Heilongjiang": _l("Heilongjiang"),
    "Shanghai": _l("Shanghai"),
    "Jiangsu": _l("Jiangsu"),
    "Zhejiang": _l("Zhejiang"),
    "Anhui": _l("Anhui"),
    "Fujian": _l("Fujian"),
    "Jiangxi": _l("Jiangxi"),
    "Shandong": _l("Shandong"),
    "Henan": _l("Henan"),
    "Hubei": _l("Hubei"),
    "Hunan": _l("Hunan"),
    "Guangdong": _l("Guangdong"),
    "Guangxi": _l("Guangxi"),
    "Hainan": _l("Hainan"),
    "Chongqing": _l("Chongqing"),
    "Sichuan": _l("Sichuan"),
    "Guizhou": _l("Guizhou"),
    "Yunnan": _l("Yunnan"),
    "Tibet": _l("Tibet"),
    "Shaanxi": _l("Shaanxi"),
    "Gansu": _l("Gansu"),
    "Qinghai": _l("Qinghai"),
    "Ningxia": _l("Ningxia"),
    "Xinjiang": _l("Xinjiang"),
}

# The indicators an implementation plan targets (the ledger's services/ledger/domain/plans.py), as people read them.
INDICATOR_NAMES = {
    "energy_saved_tce": _l("Energy saved"),
    "water_saved_m3": _l("Fresh water saved"),
    "co2_reduced_t": _l("CO₂ emissions reduced"),
    "solid_waste_utilised_t": _l("General industrial solid waste utilised"),
    "hazardous_waste_utilised_t": _l("Hazardous waste utilised"),
    "wastewater_avoided_m3": _l("Wastewater discharge avoided"),
    "main_air_pollutants_reduced_t": _l("Main air pollutants reduced"),
    "solid_waste_utilisation_rate_pct": _l("Solid waste comprehensive utilisation rate"),
    "energy_per_gdp_tce_per_10k_cny": _l("Energy use per unit GDP"),
    "water_per_gdp_m3_per_10k_cny": _l("Water use per unit GDP"),
}
PROJECT_STATUSES = {
    "planned": _l("Planned"),
    "under_construction": _l("Under construction"),
    "in_operation": _l("In operation"),
    "suspended": _l("Suspended"),
}
SUBMISSION_STATUSES = {"draft": _l("Draft"), "submitted": _l("Submitted"), "superseded": _l("Superseded")}


def _lookup(table: dict):
    def name(code) -> str:
        return str(table.get(code, code))

    return name


TEMPLATE_HELPERS = {
    "role_name": _lookup(ROLES),
    "status_name": _lookup(STATUSES),
    "kind_name": _lookup(KINDS),
    "side_name": _lookup(SIDES),
    "province_name": _lookup(PROVINCE_NAMES),
    "indicator_name": _lookup(INDICATOR_NAMES),
    "project_status_name": _lookup(PROJECT_STATUSES),
    "submission_status_name": _lookup(SUBMISSION_STATUSES),
}
province_name = TEMPLATE_HELPERS["province_name"]
