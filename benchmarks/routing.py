"""Routing benchmark on the demo city's network: this engine beside bare scipy and networkx.

Usage: ``python benchmarks/routing.py [--json] [--quick]`` (``--quick`` skips the
1M-node scaling run). The logic lives in :mod:`yingji.engines.network.bench`.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Sequence
from typing import Any

from yingji.demo.roads import demo_bench_data
from yingji.engines.network import bench


def run(
    *, json_out: bool = False, sizes: Sequence[int] = bench.DEFAULT_SIZES, repeats: int = 7
) -> dict[str, Any]:
    """Benchmark on the demo network (see :func:`yingji.engines.network.bench.run`)."""
    return bench.run(json_out=json_out, sizes=sizes, repeats=repeats, data=demo_bench_data)


def main(argv: Sequence[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    result = run(sizes=(10_000, 100_000) if "--quick" in args else bench.DEFAULT_SIZES)
    print(json.dumps(result, ensure_ascii=False) if "--json" in args else bench.format_table(result))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
