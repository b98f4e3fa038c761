"""What a plan maximises, and the solver's port.

Weighted: Σ over arcs of flow × (Σ weight × gain per unit − transport cost × km). Lexicographic: the
first priority indicator as high as it goes, then the next without losing the first, …, and finally
the least transport. Transport cost is per unit of flow and km, in the objective's own units, per
kind (a truck's t·km; a pipeline's MW·km or m³/d·km); 0 for heat and water by default, whose
pipelines' length limits are hard filters instead.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from .gains import INDICATORS
from .network import Arc, Network

DEFAULT_WEIGHTS = {"co2_reduced_t": 1.0}
# Road freight emits roughly 0.1 kg CO2 per t·km: with the default CO2 weight a trucked tonne then
# costs its own emissions. Set your own per kind; they are objective units per unit of flow and km.
DEFAULT_TRANSPORT = {"material": 0.0001, "heat": 0.0, "water": 0.0}


@dataclass(frozen=True)
class Objective:
    weights: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_WEIGHTS))
    priorities: tuple[str, ...] = ()  # non-empty: lexicographic, in this order
    transport_cost: Mapping[str, float] = field(default_factory=lambda: dict(DEFAULT_TRANSPORT))

    def __post_init__(self):
        unknown = [name for name in [*self.weights, *self.priorities] if name not in INDICATORS]
        if unknown:
            raise ValueError(f"unknown indicators {unknown}; one of {list(INDICATORS)}")

    @property
    def lexicographic(self) -> bool:
        return bool(self.priorities)

    def transport(self, network: Network, arc: Arc) -> float:
        return self.transport_cost.get(network.offers[arc.offer].kind, 0.0) * arc.km

    def value(self, network: Network, arc: Arc) -> float:
        """The weighted value of one unit of flow on the arc (lexicographic: its first priority's)."""
        if self.lexicographic:
            return arc.gains.get(self.priorities[0], 0.0)
        gain = sum(w * arc.gains.get(name, 0.0) for name, w in self.weights.items())
        return gain - self.transport(network, arc)

    def useful(self, network: Network, arc: Arc) -> bool:
        """Could flow on this arc ever raise the objective?"""
        if self.lexicographic:
            return any(arc.gains.get(name, 0.0) > 0 for name in self.priorities)
        return self.value(network, arc) > 0

    def stages(self, network: Network, arcs: Sequence[Arc]) -> list[list[float]]:
        """Per stage, each arc's value per unit, to maximise in order."""
        if not self.lexicographic:
            return [[self.value(network, a) for a in arcs]]
        priorities = [[a.gains.get(name, 0.0) for a in arcs] for name in self.priorities]
        return [*priorities, [-self.transport(network, a) for a in arcs]]

    def to_dict(self) -> dict:
        return {
            "mode": "lexicographic" if self.lexicographic else "weighted",
            "weights": dict(self.weights),
            "priorities": list(self.priorities),
            "transport_cost_per_unit_km": dict(self.transport_cost),
        }


@dataclass(frozen=True)
class Problem:
    """A solver's whole input: arcs between supply and demand nodes, stage values to maximise in order,
    and per arc a lot size (0: any quantity) and an upper bound on its flow."""

    arc_offer: list[int]
    arc_want: list[int]
    supply: list[float]
    need: list[float]
    stages: list[list[float]]
    lots: list[float]
    upper: list[float]


@dataclass(frozen=True)
class Solution:
    flows: list[float]
    status: str  # optimal | time_limit | infeasible | …, as the solver names it
    optimal: bool
    gap: float | None = None  # relative MIP gap; 0 for an LP solved to optimality
    stage_values: list[float] = field(default_factory=list)


class PlanSolver(Protocol):
    name: str

    def solve(self, problem: Problem) -> Solution: ...
