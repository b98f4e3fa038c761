"""The baseline a plan is measured against: matching one listing at a time. Each want, the one with
the best-scoring match first, takes from its matches in rank order (matching's own score) as much as
they have left, whole lots where lots apply."""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping

from services.matching.domain.scoring import components_for, score

from .network import Network


def greedy_flows(network: Network, delta_t_min_k: float, lots: Mapping[str, float]) -> list[float]:
    ranked: dict[int, list[tuple[float, str, int]]] = defaultdict(list)
    components = {}
    for index, arc in enumerate(network.arcs):
        want, offer = network.wants[arc.want], network.offers[arc.offer]
        if arc.want not in components:
            components[arc.want] = components_for(want, delta_t_min_k)
        total = score(components[arc.want], offer, arc.km).total
        ranked[arc.want].append((-total, offer.id, index))
    supply = [o.quantity for o in network.offers]
    flows = [0.0] * len(network.arcs)
    order = sorted(ranked, key=lambda j: (min(ranked[j])[0], network.wants[j].id))
    for j in order:
        need = network.wants[j].quantity
        for _, _, index in sorted(ranked[j]):
            chosen = network.arcs[index]
            take = _whole(min(need, supply[chosen.offer]), lots.get(network.wants[j].kind, 0.0))
            flows[index], need, supply[chosen.offer] = take, need - take, supply[chosen.offer] - take
    return flows


def _whole(quantity: float, lot: float) -> float:
    return math.floor(quantity / lot + 1e-9) * lot if lot else max(0.0, quantity)
