"""Allocation engine: shipment plans (exact transportation LP on HiGHS, greedy nearest-first) and
the largest relief population a stock can serve within a deadline.

Pure computation (numpy, scipy). Units: item units, seconds, persons. See
``docs/engines/allocation.md`` for the model and its semantics.
"""

from .core import (
    DEFAULT_DEADLINE_S,
    Plan,
    ReliefCapacity,
    greedy_plan,
    max_relief_population,
    optimal_plan,
    unmet_penalty,
)
from .errors import AllocationError, SolverFailed

__all__ = [
    "DEFAULT_DEADLINE_S",
    "AllocationError",
    "Plan",
    "ReliefCapacity",
    "SolverFailed",
    "greedy_plan",
    "max_relief_population",
    "optimal_plan",
    "unmet_penalty",
]
