"""Errors of the allocation engine; each names the input at fault."""

from __future__ import annotations


class AllocationError(ValueError):
    """Bad input to the allocation engine; ``field`` names the argument."""

    def __init__(self, message: str, *, field: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


class SolverFailed(RuntimeError):
    """HiGHS did not report an optimum (never expected for these always-feasible models)."""
