"""The match score, defined once: named components, each a decay function of one field,
combined as a weighted sum (weights add up to 1, so a score lies in 0..1).

The functions are the ones search engines implement for function_score (gauss, exp, linear
with origin/scale/offset/decay), so the Elasticsearch and OpenSearch adapters express this
very plan in their query DSL and the embedded matcher evaluates it here; the contract tests
hold them to the same ranking.

- distance: gauss on great-circle km from the source listing; half score at the kind's scale.
- quantity: exp on ln(quantity) from ln(source quantity), scale ln 2, decay ½, which is
  exactly min(q, Q) / max(q, Q).
- temperature (heat): linear, 0 at the minimum usable margin and 1 from 50 K above it.
- category (water): exp on the GB/T 19923 rank, halving per rank of over-qualified water.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Protocol, cast

from .documents import ListingDoc

DISTANCE_SCALE_KM = {"material": 50.0, "heat": 5.0, "water": 10.0}
WEIGHTS = {
    "material": {"distance": 0.6, "quantity": 0.4},
    "heat": {"distance": 0.5, "quantity": 0.25, "temperature": 0.25},
    "water": {"distance": 0.5, "quantity": 0.3, "category": 0.2},
}
FULL_MARGIN_K = 50.0  # a temperature margin this large scores fully
FAR = 10_000.0  # an offset beyond any real temperature, to make a one-sided linear ramp


@dataclass(frozen=True)
class Decay:
    """One component: `function` of the candidate's `field` around `origin` (ES semantics)."""

    name: str
    weight: float
    function: str  # gauss | exp | linear
    field: str  # location | log_quantity | temperature_c | reuse_rank
    origin: float | tuple[float, float]
    scale: float
    offset: float = 0.0
    decay: float = 0.5

    def __post_init__(self):
        # The engines refuse other decays; the candidate's field must be present (they score a
        # missing field as 1, this plan would fail).
        if not 0 < self.decay < 1:
            raise ValueError(f"{self.name}: decay must lie strictly between 0 and 1, got {self.decay}")

    def value(self, x: float) -> float:
        """x is the candidate's field value, or its distance in km for `location`."""
        # `location` scores the distance itself; every other field is a number with a numeric origin
        d = max(0.0, abs(x - (0.0 if self.field == "location" else cast(float, self.origin))) - self.offset)
        if self.function == "gauss":
            return math.exp(d * d * math.log(self.decay) / (self.scale * self.scale))
        if self.function == "exp":
            return math.exp(math.log(self.decay) / self.scale * d)
        s = self.scale / (1.0 - self.decay)
        return max(0.0, (s - d) / s)


def components_for(source: ListingDoc, delta_t_min: float) -> tuple[Decay, ...]:
    weights = WEIGHTS[source.kind]
    parts = [
        Decay(
            "distance",
            weights["distance"],
            "gauss",
            "location",
            (source.lat, source.lon),
            DISTANCE_SCALE_KM[source.kind],
        ),
        Decay("quantity", weights["quantity"], "exp", "log_quantity", source.log_quantity, math.log(2)),
    ]
    if source.kind == "heat":
        assert source.temperature_c is not None  # every heat document states its temperature
        if source.side == "want":  # candidates are offers: hotter is better, up to the full margin
            origin = source.temperature_c + delta_t_min + FULL_MARGIN_K + FAR
        else:  # candidates are wants: a lower requirement leaves a larger margin
            origin = source.temperature_c - delta_t_min - FULL_MARGIN_K - FAR
        # linear ramp: s = scale / (1 - decay) = FULL_MARGIN_K, from 0 at the minimum margin to 1
        parts.append(
            Decay(
                "temperature",
                weights["temperature"],
                "linear",
                "temperature_c",
                origin,
                FULL_MARGIN_K / 2,
                offset=FAR,
                decay=0.5,
            )
        )
    if source.kind == "water":
        assert source.reuse_rank is not None  # every water document has its category's rank
        parts.append(Decay("category", weights["category"], "exp", "reuse_rank", float(source.reuse_rank), 1.0))
    return tuple(parts)


@dataclass(frozen=True)
class Score:
    total: float
    components: dict[str, dict[str, float]]  # name -> value, weight, contribution


class Scorable(Protocol):
    """What `score` reads of a candidate besides its distance: a document, or the embedded
    matcher's copy of these fields before it decodes one."""

    @property
    def log_quantity(self) -> float: ...

    @property
    def temperature_c(self) -> float | None: ...

    @property
    def reuse_rank(self) -> int | None: ...


def score(components: tuple[Decay, ...], candidate: Scorable, distance_km: float) -> Score:
    explained, total = {}, 0.0
    for part in components:
        x = distance_km if part.field == "location" else float(getattr(candidate, part.field))
        value = part.value(x)
        explained[part.name] = {"value": value, "weight": part.weight, "contribution": part.weight * value}
        total += part.weight * value
    return Score(total, explained)
