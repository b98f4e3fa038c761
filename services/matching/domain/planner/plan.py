"""A plan from the park's listings: build the network, solve it, and say what it means — the pairings
with their quantities and gains, the totals beside the greedy baseline's, and why each listing that
gets nothing is left unpaired."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date

from services.matching.domain.documents import ListingDoc

from .greedy import greedy_flows
from .network import Network, NetworkSettings, build_network
from .objective import Objective, PlanSolver, Problem, Solution
from .reasons import Unpaired, unpaired_reasons

UNITS = {"material": "t/a", "heat": "MW", "water": "m3/d"}  # matching's basis (documents.py)
# A solver's tolerances scale with the problem's magnitudes, so its noise does too: a flow that is a
# negligible share of what its arc could carry is noise, not a pairing. The absolute floor covers tiny arcs.
NOISE_SHARE = 1e-7
NOISE_FLOOR = 1e-9


def is_noise(flow: float, upper: float) -> bool:
    return flow <= max(NOISE_FLOOR, NOISE_SHARE * upper)


@dataclass(frozen=True)
class PlanSettings:
    network: NetworkSettings = NetworkSettings()
    lots: Mapping[str, float] = field(default_factory=dict)  # kind → lot size in its unit: whole lots only


@dataclass(frozen=True)
class Pairing:
    offer: ListingDoc
    want: ListingDoc
    quantity: float
    km: float
    gains: dict[str, float]  # a year, at this quantity
    value: float  # its share of the objective (weighted) or of the first priority

    @property
    def unit(self) -> str:
        return UNITS[self.offer.kind]


@dataclass(frozen=True)
class PlanResult:
    pairings: list[Pairing]
    unpaired: list[Unpaired]
    totals: dict[str, float]
    objective_value: float
    greedy_totals: dict[str, float]
    greedy_value: float
    solution: Solution
    listings: int
    arcs: int


def make_plan(
    docs: Iterable[ListingDoc],
    today: date,
    settings: PlanSettings,
    objective: Objective,
    solver: PlanSolver,
    gains: dict[tuple[str, bool], dict[str, float]],
) -> PlanResult:
    network = build_network(docs, today, settings.network, gains)
    solution = solve(network, objective, solver, settings.lots)
    flows = solution.flows
    greedy = greedy_flows(network, settings.network.delta_t_min_k, settings.lots)
    pairings = [
        Pairing(
            network.offers[arc.offer],
            network.wants[arc.want],
            flow,
            arc.km,
            {name: g * flow for name, g in arc.gains.items()},
            objective.value(network, arc) * flow,
        )
        for arc, flow in zip(network.arcs, flows, strict=True)
        if flow > 0.0
    ]
    pairings.sort(key=lambda p: (-p.value, p.offer.id, p.want.id))
    return PlanResult(
        pairings=pairings,
        unpaired=unpaired_reasons(network, flows, objective),
        totals=totals(network, flows),
        objective_value=objective_value(network, objective, flows),
        greedy_totals=totals(network, greedy),
        greedy_value=objective_value(network, objective, greedy),
        solution=solution,
        listings=len(network.offers) + len(network.wants),
        arcs=len(network.arcs),
    )


def solve(network: Network, objective: Objective, solver: PlanSolver, lots: Mapping[str, float]) -> Solution:
    """The solver's flows, one per arc of the network (arcs that cannot raise the objective get none)."""
    useful = [i for i, arc in enumerate(network.arcs) if objective.useful(network, arc)]
    if not useful:
        return Solution([0.0] * len(network.arcs), "optimal", True, 0.0, [])
    arcs = [network.arcs[i] for i in useful]
    problem = Problem(
        arc_offer=[a.offer for a in arcs],
        arc_want=[a.want for a in arcs],
        supply=[o.quantity for o in network.offers],
        need=[w.quantity for w in network.wants],
        stages=objective.stages(network, arcs),
        lots=[lots.get(network.offers[a.offer].kind, 0.0) for a in arcs],
        upper=[min(network.offers[a.offer].quantity, network.wants[a.want].quantity) for a in arcs],
    )
    found = solver.solve(problem)
    flows = [0.0] * len(network.arcs)
    for i, flow, upper in zip(useful, found.flows, problem.upper, strict=True):
        flows[i] = 0.0 if is_noise(flow, upper) else flow
    return Solution(flows, found.status, found.optimal, found.gap, found.stage_values)


def totals(network: Network, flows: list[float]) -> dict[str, float]:
    summed: dict[str, float] = {}
    for arc, flow in zip(network.arcs, flows, strict=True):
        for name, gain in arc.gains.items():
            summed[name] = summed.get(name, 0.0) + gain * flow
    return summed


def objective_value(network: Network, objective: Objective, flows: list[float]) -> float:
    return sum(objective.value(network, arc) * flow for arc, flow in zip(network.arcs, flows, strict=True))
