"""Generated parks (parkloop/synthetic.py: listings built the production way, licences and 点对点
approvals included) of 50 to 2,000 listings: every plan is at least as good as greedy matching,
equals an independent optimum (networkx's network simplex on the same arcs) within 1e-6, breaks no
hard filter, and never moves more than a listing has or needs."""

from __future__ import annotations

from collections import defaultdict

import networkx as nx
import pytest

from parkloop.synthetic import TODAY, generate
from services.common.coefficients import default_coefficients
from services.common.geo import Location, distance_km
from services.matching.adapters.highs_planner import HighsPlanner
from services.matching.domain.criteria import MatchFilters, criteria_for
from services.matching.domain.planner.gains import GainAssumptions, unit_gains
from services.matching.domain.planner.network import NetworkSettings, build_network
from services.matching.domain.planner.objective import Objective
from services.matching.domain.planner.plan import PlanSettings, make_plan

GAINS = unit_gains(default_coefficients(), GainAssumptions(), TODAY)
OBJECTIVES = {
    "co2": Objective(),
    "mixed": Objective(
        weights={
            "co2_reduced_t": 1.0,
            "water_saved_m3": 0.001,
            "solid_waste_utilised_t": 0.05,
            "hazardous_waste_utilised_t": 0.2,
        }
    ),
}
CAPACITY_SCALE = 100_000  # quantities have at most 5 decimals (kg per month in t/a)
COST_SCALE = 1_000_000


def network_simplex_optimum(docs, objective: Objective) -> float:
    """The same arcs and values, solved as a min-cost flow by networkx: a bypass arc lets any supply stay."""
    network = build_network(docs, TODAY, NetworkSettings(), GAINS)
    graph = nx.DiGraph()
    total = sum(round(o.quantity * CAPACITY_SCALE) for o in network.offers)
    graph.add_node("source", demand=-total)
    graph.add_node("sink", demand=total)
    graph.add_edge("source", "sink", capacity=total, weight=0)
    for i, offer in enumerate(network.offers):
        graph.add_edge("source", ("o", i), capacity=round(offer.quantity * CAPACITY_SCALE), weight=0)
    for j, want in enumerate(network.wants):
        graph.add_edge(("w", j), "sink", capacity=round(want.quantity * CAPACITY_SCALE), weight=0)
    value = {}
    for arc in network.arcs:
        value[(arc.offer, arc.want)] = objective.value(network, arc)
        if value[(arc.offer, arc.want)] > 0:
            cost = -round(value[(arc.offer, arc.want)] * COST_SCALE)
            graph.add_edge(("o", arc.offer), ("w", arc.want), weight=cost)
    flow = nx.network_simplex(graph)[1]
    return sum(flow[("o", i)].get(("w", j), 0) / CAPACITY_SCALE * v for (i, j), v in value.items() if ("o", i) in flow)


@pytest.mark.parametrize("objective_name", sorted(OBJECTIVES))
@pytest.mark.parametrize("listings,seed", [(50, 1), (50, 2), (200, 3), (500, 4), (1000, 5), (2000, 6)])
def test_a_generated_park_plan_is_optimal_feasible_and_no_worse_than_greedy(listings, seed, objective_name):
    objective = OBJECTIVES[objective_name]
    docs = generate(listings, seed).docs
    result = make_plan(docs, TODAY, PlanSettings(), objective, HighsPlanner(), GAINS)

    assert result.solution.optimal
    assert result.objective_value >= result.greedy_value - 1e-9 * max(1.0, abs(result.greedy_value))
    independent = network_simplex_optimum(docs, objective)
    assert result.objective_value == pytest.approx(independent, rel=1e-6, abs=1e-6)

    moved_out, moved_in = defaultdict(float), defaultdict(float)
    for p in result.pairings:
        criteria = criteria_for(p.offer, MatchFilters(), TODAY, 10.0)
        km = distance_km(Location(p.offer.lat, p.offer.lon), Location(p.want.lat, p.want.lon))
        assert criteria.accepts(p.want, km), (p.offer.id, p.want.id)
        moved_out[p.offer.id] += p.quantity
        moved_in[p.want.id] += p.quantity
    by_id = {d.id: d for d in docs}
    assert all(q <= by_id[i].quantity * (1 + 1e-9) for i, q in moved_out.items())
    assert all(q <= by_id[i].quantity * (1 + 1e-9) for i, q in moved_in.items())
    paired = set(moved_out) | set(moved_in)
    active = {d.id for d in docs if d.status == "active"}
    assert {u.listing.id for u in result.unpaired} == active - paired  # every unpaired listing has its reason
