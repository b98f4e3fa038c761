"""`parkloop bench plan`: the park planner on generated parks of 100, 1,000 and 10,000 listings
(parkloop/synthetic.py's listings gathered into one park). Per size: the time to build the network
(every arc asked of `Criteria.accepts`), to solve it (HiGHS), and to compute the greedy baseline
measured beside it; peak memory; and the gain over greedy in percent. Each size runs in a process of
its own, so its peak resident memory is its own. Goal: at most 2 s at 1,000 listings."""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

from .common import environment

SIZES = (100, 1_000, 10_000)


def run(scale: int | None) -> dict:
    sizes = (scale,) if scale else SIZES
    results = {}
    for n in sizes:
        done = subprocess.run(
            [sys.executable, "-m", "parkloop.benchmarks.plan", str(n)], capture_output=True, text=True, check=True
        )
        results[str(n)] = json.loads(done.stdout)
    return {"benchmark": "plan", "listings": results, "goal": "total_s <= 2 at 1,000 listings", **environment("scipy")}


def one_size(n: int) -> dict:
    from services.common.coefficients import default_coefficients
    from services.matching.adapters.highs_planner import HighsPlanner
    from services.matching.domain.planner.gains import GainAssumptions, unit_gains
    from services.matching.domain.planner.greedy import greedy_flows
    from services.matching.domain.planner.network import NetworkSettings, build_network
    from services.matching.domain.planner.objective import Objective
    from services.matching.domain.planner.plan import objective_value, solve
    from services.matching.domain.planner.reasons import unpaired_reasons

    from ..synthetic import TODAY, single_park

    docs = single_park(n).docs
    rss_before_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    objective, settings = Objective(), NetworkSettings()
    started = time.perf_counter()
    gains = unit_gains(default_coefficients(), GainAssumptions(), TODAY)
    network = build_network(docs, TODAY, settings, gains)
    built = time.perf_counter()
    solution = solve(network, objective, HighsPlanner(), {})
    solved = time.perf_counter()
    unpaired = unpaired_reasons(network, solution.flows, objective)
    explained = time.perf_counter()
    greedy = greedy_flows(network, settings.delta_t_min_k, {})
    greedy_done = time.perf_counter()
    best, baseline = objective_value(network, objective, solution.flows), objective_value(network, objective, greedy)
    return {
        "active_listings": len(network.offers) + len(network.wants),
        "arcs": len(network.arcs),
        "network_s": round(built - started, 3),
        "solve_s": round(solved - built, 3),
        "reasons_s": round(explained - solved, 3),
        "total_s": round(explained - started, 3),
        "greedy_s": round(greedy_done - explained, 3),
        "solver_status": solution.status,
        "objective_co2_t_per_year": round(best, 3),
        "greedy_co2_t_per_year": round(baseline, 3),
        "gain_over_greedy_pct": round((best - baseline) / baseline * 100, 3) if baseline else None,
        "unpaired": len(unpaired),
        "peak_rss_mib": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "peak_rss_over_data_mib": round(
            (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - rss_before_kib) / 1024, 1
        ),
    }


if __name__ == "__main__":
    print(json.dumps(one_size(int(sys.argv[1]))))
