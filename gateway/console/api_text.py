"""The services' own English sentences (report methods, assumptions, and the reasons a value is unknown),
read in the user's language when they are sentences we know; anything else is shown exactly as written.

The ledger signs what it records, reasons included, so the sentences cannot become codes after the fact:
the console recognises them instead. Reasons are often joined with "; ", and a known sentence may itself
contain "; ", so a joined text is read as the fewest known sentences that cover it."""

from __future__ import annotations

import re

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

SENTENCES = {
    "heat delivered / boiler efficiency = fuel energy displaced; / 29 307 kJ/kgce (fuel boilers) or / 3.6 MJ/kWh "
    "x 0.1229 kgce/kWh (electric boilers); GB/T 2589": _l(
        "heat delivered / boiler efficiency = fuel energy displaced; / 29 307 kJ/kgce (fuel boilers) or / 3.6 MJ/kWh "
        "x 0.1229 kgce/kWh (electric boilers); GB/T 2589"
    ),
    "fuel energy displaced (TJ) x IPCC 2006 default CO2 factor; electric boilers: kWh x MEE/NBS grid factor of the "
    "delivery year; virgin-material substitution not computed": _l(
        "fuel energy displaced (TJ) x IPCC 2006 default CO2 factor; electric boilers: kWh x MEE/NBS grid factor of the "
        "delivery year; virgin-material substitution not computed"
    ),
    "metered reclaimed water replacing fresh or municipal water": _l(
        "metered reclaimed water replacing fresh or municipal water"
    ),
    "metered reclaimed water that the supplier would otherwise have discharged": _l(
        "metered reclaimed water that the supplier would otherwise have discharged"
    ),
    "weighed general industrial solid waste received for utilisation": _l(
        "weighed general industrial solid waste received for utilisation"
    ),
    "weighed hazardous waste received for utilisation (transfer manifest)": _l(
        "weighed hazardous waste received for utilisation (transfer manifest)"
    ),
    "general industrial solid waste utilised through exchanges in the ledger / (baseline generated + baseline "
    "utilised from earlier years' storage) x 100": _l(
        "general industrial solid waste utilised through exchanges in the ledger / (baseline generated + baseline "
        "utilised from earlier years' storage) x 100"
    ),
    "baseline energy (tce) / baseline GDP (10k CNY)": _l("baseline energy (tce) / baseline GDP (10k CNY)"),
    "baseline water (m3) / baseline GDP (10k CNY)": _l("baseline water (m³) / baseline GDP (10k CNY)"),
    "utilised counts only exchanges recorded in ParkLoop; utilisation inside an enterprise or outside the park is "
    "not included": _l(
        "utilised counts only exchanges recorded in ParkLoop; utilisation inside an enterprise or "
        "outside the park is not included"
    ),
    "the baseline does not state solid waste drawn from earlier years' storage; the rate assumes none was drawn": _l(
        "the baseline does not state solid waste drawn from earlier years' storage; the rate assumes none was drawn"
    ),
    "above 100 %: the utilised waste includes waste generated outside the park or stored earlier": _l(
        "above 100 %: the utilised waste includes waste generated outside the park or stored earlier"
    ),
    "reclaimed water that the supplier would otherwise have discharged": _l(
        "reclaimed water that the supplier would otherwise have discharged"
    ),
    "coal taken as IPCC 'other bituminous coal'": _l("coal taken as IPCC 'other bituminous coal'"),
    "fuel oil taken as IPCC 'residual fuel oil'": _l("fuel oil taken as IPCC 'residual fuel oil'"),
    "boiler efficiency not stated; assumed 0.9": _l("boiler efficiency not stated; assumed 0.9"),
    "baseline GDP is zero": _l("baseline GDP is zero"),
    "the solid waste utilised could not be computed": _l("the solid waste utilised could not be computed"),
    "no solid waste generated or drawn from storage in the baseline": _l(
        "no solid waste generated or drawn from storage in the baseline"
    ),
    "the delivery does not say which boiler fuel it replaces (substitutes=boiler_heat, fuel)": _l(
        "the delivery does not say which boiler fuel it replaces"
    ),
    "the delivery does not say it replaces fresh or municipal water": _l(
        "the delivery does not say it replaces fresh or municipal water"
    ),
    "park baseline": _l("park baseline"),
    # progress against an implementation plan's targets (ledger/domain/progress.py, plans.py)
    "the ledger could not compute it": _l("the ledger could not compute it"),
    "ParkLoop does not measure this indicator: the ledger records no air pollutant reductions": _l(
        "ParkLoop does not measure this indicator: the ledger records no air pollutant reductions"
    ),
}
PATTERNS = [
    (
        re.compile(r"no verified factor for substituting (?P<what>.+); not computed"),
        _l("no verified factor for substituting %(what)s; not computed"),
    ),
    (
        re.compile(r"no park baseline for (?P<year>\d{4}): enter GDP, energy, water and solid waste generated"),
        _l("no park baseline for %(year)s: the park's GDP, energy, water and solid waste generated are not entered"),
    ),
    (
        re.compile(r"no figure for (?P<years>\d{4}(?:, \d{4})*): the period total is unknown"),
        _l("no figure for %(years)s: the period total is unknown"),
    ),
    (re.compile(r"no figure for (?P<year>\d{4})"), _l("no figure for %(year)s")),
    (
        re.compile(r"no (?P<name>[\w.]+) figure for (?P<place>.+) in (?P<year>\d{4}) or any earlier year"),
        _l("no published %(name)s figure for %(place)s in %(year)s or any earlier year"),
    ),
]
# "2 of 3 deliveries unknown: <reasons>" (services/common/indicators.py combine): its reasons are read too.
DELIVERIES_UNKNOWN = re.compile(r"(?P<unknown>\d+) of (?P<total>\d+) deliveries unknown: (?P<reasons>.+)")


def _sentence(text: str) -> str | None:
    known = SENTENCES.get(text)
    if known is not None:
        return str(known)
    for pattern, message in PATTERNS:
        found = pattern.fullmatch(text)
        if found:
            return str(message) % found.groupdict()
    found = DELIVERIES_UNKNOWN.fullmatch(text)
    if found:
        reasons = api_text(found["reasons"])
        return _(
            "%(unknown)s of %(total)s deliveries unknown: %(reasons)s", **{**found.groupdict(), "reasons": reasons}
        )
    return None


def api_text(text: str | None) -> str:
    """`text` in the user's language, sentence by sentence where it joins several with "; "."""
    if not text:
        return ""
    whole = _sentence(text)
    if whole is not None:
        return whole
    parts = text.split("; ")
    read: list[str] = []
    start = 0
    while start < len(parts):
        for end in range(len(parts), start, -1):
            known = _sentence("; ".join(parts[start:end])) if end - start < len(parts) else None
            if known is not None:
                read.append(known)
                start = end
                break
        else:
            read.append(parts[start])
            start += 1
    return _("; ").join(read)
