"""Matching's input, shared by the matching service's integration and contract tests.

`factories` is the unit tests' tests/unit/matching/matching_factories.py (listings and enterprises
built through the listings domain), loaded once under the name the unit tests import it by; next
to it, the events that carry a listing or an enterprise to matching, and the listings the
projection tests follow.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

from services.common.events import Event
from services.matching.domain.documents import Licence


def _load_unit_factories():
    name = "matching_factories"
    if name not in sys.modules:
        path = Path(__file__).resolve().parents[1] / "unit" / "matching" / f"{name}.py"
        spec = importlib.util.spec_from_file_location(name, path)
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


factories = _load_unit_factories()

# The licence a document carries for `factories.hw_licence(factories.WASTE_MINERAL_OIL)`.
WASTE_OIL_LICENCE = Licence(factories.WASTE_MINERAL_OIL, "2024-03-01", "2029-02-28")


def published(listing) -> Event:
    """The event `Listing.publish` records, for a listing built with a readable id."""
    return Event(f"{listing.side.value.capitalize()}Published", listing.id, listing.to_dict())


def registered(enterprise) -> Event:
    return Event("EnterpriseRegistered", enterprise.id, enterprise.to_dict())


def waste_oil_want():
    """The hazardous-waste recycler's want for waste mineral and gear oil: needs a licence to match."""
    return factories.make_listing(
        "want",
        "material",
        factories.spec_material_want([factories.WASTE_MINERAL_OIL, factories.GEAR_OIL], 200),
        owner="hw_recycler",
        listing_id="want-hw-recycler-oil",
    )


def fly_ash_offer():
    """The power plant's fly ash, 1500 t a month."""
    return factories.make_listing(
        "offer",
        "material",
        factories.spec_material_offer(factories.FLY_ASH, 1500),
        owner="power",
        listing_id="offer-power-fly-ash",
    )
