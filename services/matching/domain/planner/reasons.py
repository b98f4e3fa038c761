"""Why a listing gets nothing in a plan, in the words a park manager would use:

- `legality`: a counterpart fits but for the hazardous-waste legality gate (no licence or 点对点
  approval covering the code today);
- `no_counterpart`: no listing in reach passes matching's hard filters (the detail says whether a
  compatible one exists further away than the limits allow);
- `no_gain`: compatible counterparts exist, but no pairing with them raises the objective;
- `quantity_used_elsewhere`: its counterparts' quantities went to pairings that gain more.

The first two ask the offers' own criteria again with one rule set aside (the licence, or the
distance), so the reasons follow the rules and never restate them.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace

from services.common.geo import Location, distance_km
from services.matching.domain.documents import ListingDoc

from .network import Arc, Network, WantIndex, reach_km
from .objective import Objective

LEGALITY, NO_COUNTERPART, NO_GAIN, USED_ELSEWHERE = "legality", "no_counterpart", "no_gain", "quantity_used_elsewhere"
Node = tuple[str, int]  # ("offer", index) or ("want", index)


@dataclass(frozen=True)
class Unpaired:
    listing: ListingDoc
    reason: str
    detail: str
    facts: dict[str, float | str] = field(default_factory=dict)  # the detail's figures, for other languages


def unpaired_reasons(network: Network, flows: list[float], objective: Objective) -> list[Unpaired]:
    arcs_of: dict[Node, list[Arc]] = {}
    served: set[Node] = set()
    for arc, flow in zip(network.arcs, flows, strict=True):
        for node in (("offer", arc.offer), ("want", arc.want)):
            arcs_of.setdefault(node, []).append(arc)
            if flow > 0:
                served.add(node)
    nodes = [("offer", i) for i in range(len(network.offers))] + [("want", j) for j in range(len(network.wants))]
    lacking = {node for node in nodes if node not in arcs_of}
    blocked = _blocked(network, lacking)
    found = []
    for node in nodes:
        if node in served:
            continue
        doc = _doc(network, node)
        arcs = arcs_of.get(node, [])
        if not arcs:
            found.append(blocked.get(node) or Unpaired(doc, NO_COUNTERPART, _none_passes(doc)))
        elif not any(objective.useful(network, a) for a in arcs):
            found.append(Unpaired(doc, NO_GAIN, _no_gain_detail(objective, len(arcs)), {"counterparts": len(arcs)}))
        else:
            detail = f"{len(arcs)} compatible counterpart(s); their quantities serve pairings that gain more"
            found.append(Unpaired(doc, USED_ELSEWHERE, detail, {"counterparts": len(arcs)}))
    return found


def _blocked(network: Network, lacking: set[Node]) -> dict[Node, Unpaired]:
    """For listings without arcs: the legality gate, or a compatible counterpart only beyond reach."""
    legality: dict[Node, str] = {}
    nearest: dict[Node, float] = {}
    # An offer with arcs is asked only about the wants without any.
    lacking_wants = WantIndex(network.wants, {j for side, j in lacking if side == "want"})
    for i, offer in enumerate(network.offers):
        criteria = network.criteria[i]
        here = Location(offer.lat, offer.lon)
        index = network.index if ("offer", i) in lacking else lacking_wants
        for j, want in index.candidates(criteria, here, None):
            ends = [n for n in (("offer", i), ("want", j)) if n in lacking]
            if not ends:
                continue
            km = distance_km(here, network.index.places[j])
            if km <= reach_km(offer, want, network.settings):
                if criteria.licence_for and replace(criteria, licence_for=None).accepts(want, km):
                    for node in ends:
                        legality[node] = criteria.licence_for
            elif criteria.accepts(want, 0.0):
                for node in ends:
                    nearest[node] = min(km, nearest.get(node, km))
    reasons = {
        node: Unpaired(
            _doc(network, node),
            NO_COUNTERPART,
            f"no compatible counterpart within distance; the nearest is {km:.1f} km away",
            {"nearest_km": round(km, 3)},
        )
        for node, km in nearest.items()
    }
    illegal = {
        node: Unpaired(
            _doc(network, node),
            LEGALITY,
            f"{code} is hazardous: the receiver holds no licence or 点对点 approval covering it today",
            {"code": code},
        )
        for node, code in legality.items()
    }
    return {**reasons, **illegal}


def _doc(network: Network, node: Node) -> ListingDoc:
    return network.offers[node[1]] if node[0] == "offer" else network.wants[node[1]]


def _none_passes(doc: ListingDoc) -> str:
    other = "want" if doc.side == "offer" else "offer"
    return f"no {doc.kind} {other} in the plan passes matching's hard filters with it"


def _no_gain_detail(objective: Objective, count: int) -> str:
    what = (
        "none gains " + ", ".join(objective.priorities)
        if objective.lexicographic
        else "none gains more under the weights (" + ", ".join(objective.weights) + ") than its transport costs"
    )
    return f"{count} compatible counterpart(s), but {what}"
