"""Allocation benchmark: the exact transportation LP (HiGHS) beside OR-Tools min-cost flow and the
greedy nearest-first plan, on a seeded 50 × 2,000 × 10 instance.

Usage: ``python benchmarks/allocation.py [--json] [--quick]`` (``--quick``: 10 × 200 × 3, one repeat).
The logic lives in :mod:`yingji.engines.allocation.bench`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence

from yingji.engines.allocation import bench


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    sizes = {"warehouses": 10, "points": 200, "items": 3, "repeats": 1} if "--quick" in args else {}
    result = bench.run(**sizes)  # type: ignore[arg-type]
    print(json.dumps(result, ensure_ascii=False) if "--json" in args else bench.format_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
