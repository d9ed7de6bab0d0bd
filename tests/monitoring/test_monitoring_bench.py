"""The ingest benchmark runs end to end on a small load and reports in the DESIGN.md §7 shape
(the ratio itself is measured by ``yingji bench ingest``, not asserted on a shared test machine)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from yingji.monitoring import bench
from yingji.monitoring.cli import app


def test_bench_small_run_reports_in_the_common_format() -> None:
    r = bench.run(readings=3000, sensors=20, batch=500)
    assert r["bench"] == "ingest" and r["data"]["readings"] == 3000 and r["data"]["batches"] == 6
    assert set(r["medians_s"]) == {"yingji.ingest_batch", "bare.executemany_batch"}
    assert r["ratios"]["ingest_over_bare_insert"] > 0
    assert r["checks"]["all_rows_stored"] and "ratio_at_least_0_5" in r["checks"]
    assert "ingest_over_bare_insert" in bench.format_table(r)


def test_cli_bench_json() -> None:
    out = CliRunner().invoke(app, ["bench", "--json", "--readings", "1000"])
    assert out.exit_code == 0, out.output
    assert json.loads(out.output)["bench"] == "ingest"
