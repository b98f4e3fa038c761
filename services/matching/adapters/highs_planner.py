"""The planner's solver: HiGHS through SciPy (`scipy.optimize.milp`), exact for the LP and, with lots,
for the MIP, reporting its status and MIP gap. Lexicographic stages are solved in turn, each keeping
the earlier stages' optimum (less a relative tolerance) as a constraint.

SciPy and NumPy are imported when a plan is solved, not when matching starts: its worker and webhook
dispatcher never plan, and the import costs each process about 60 MiB."""

from __future__ import annotations

from importlib.metadata import version

from services.matching.domain.planner.objective import Problem, Solution

STAGE_TOLERANCE = 1e-9  # an earlier stage may lose at most this share of its optimum
STATUS = {0: "optimal", 1: "limit_reached", 2: "infeasible", 3: "unbounded", 4: "other"}


class HighsPlanner:
    name = f"HiGHS via SciPy {version('scipy')} (scipy.optimize.milp)"

    def __init__(self, time_limit_s: float = 30.0, mip_rel_gap: float = 1e-6):
        self.options = {"time_limit": time_limit_s, "mip_rel_gap": mip_rel_gap}

    def solve(self, problem: Problem) -> Solution:
        import numpy as np
        from scipy.optimize import Bounds, LinearConstraint, milp
        from scipy.sparse import csr_array

        n = len(problem.arc_offer)
        lots = np.asarray(problem.lots, dtype=float)
        scale = np.where(lots > 0, lots, 1.0)  # with lots, a variable counts lots, not units
        columns = np.arange(n)
        supply = csr_array((scale, (np.asarray(problem.arc_offer), columns)), shape=(len(problem.supply), n))
        need = csr_array((scale, (np.asarray(problem.arc_want), columns)), shape=(len(problem.need), n))
        constraints = [
            LinearConstraint(supply, -np.inf, np.asarray(problem.supply, dtype=float)),
            LinearConstraint(need, -np.inf, np.asarray(problem.need, dtype=float)),
        ]
        upper = np.floor(np.asarray(problem.upper, dtype=float) / scale + 1e-9)
        upper = np.where(lots > 0, upper, np.asarray(problem.upper, dtype=float))
        integrality = (lots > 0).astype(int)
        values, result = [], None
        for stage in problem.stages:
            c = -np.asarray(stage, dtype=float) * scale
            result = milp(
                c, constraints=constraints, integrality=integrality, bounds=Bounds(0, upper), options=self.options
            )
            if result.x is None:
                return Solution([0.0] * n, STATUS.get(result.status, "other"), False, None, values)
            best = float(-result.fun)
            values.append(best)
            floor = best - STAGE_TOLERANCE * max(1.0, abs(best))
            constraints = [*constraints, LinearConstraint(csr_array(-c.reshape(1, -1)), floor, np.inf)]
        assert result is not None  # a problem has one stage at least
        gap = getattr(result, "mip_gap", None)
        return Solution(
            flows=[float(v) for v in result.x * scale],
            status=STATUS.get(result.status, "other"),
            optimal=result.status == 0,
            gap=float(gap) if gap is not None else 0.0,
            stage_values=values,
        )
