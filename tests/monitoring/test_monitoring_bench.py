"""The ingest benchmark runs end to end on a small load and reports in the DESIGN.md §7 shape
(the ratio and the latencies themselves are measured by ``yingji bench ingest``, not asserted on a
shared test machine: only that they are there and positive)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from yingji.monitoring import bench
from yingji.monitoring.cli import app


def test_bench_small_run_reports_in_the_common_format() -> None:
    r = bench.run(readings=3000, sensors=20, batch=500, mqtt=False)
    assert r["bench"] == "ingest" and r["data"]["readings"] == 3000 and r["data"]["batches"] == 6
    assert set(r["medians_s"]) == {"yingji.ingest_batch", "bare.executemany_batch", "driver.executemany_batch"}
    assert r["ratios"]["ingest_over_bare_insert"] > 0 and r["ratios"]["ingest_over_driver_executemany"] > 0
    # the ratios are throughput over throughput of the same readings
    rps = r["readings_per_s"]
    assert r["ratios"]["ingest_over_bare_insert"] == pytest.approx(rps["yingji.ingest"] / rps["bare.executemany"],
                                                                   rel=1e-2)
    assert r["checks"]["all_rows_stored"] and "ratio_at_least_0_5" in r["checks"]
    assert r["checks"]["stored_as_the_bare_insert_stores"]  # the same rows, byte for byte
    assert "ingest_over_bare_insert" in bench.format_table(r)
    # without MQTT the latency is absent and the checks say why
    assert r["mqtt_to_warning_ms"] is None and "not measured" in r["checks"]["mqtt_latency"]
    assert "not measured" in bench.format_table(r)


@pytest.mark.skipif(bench.mosquitto_binary() is None, reason="mosquitto is not installed")
def test_bench_times_mqtt_publish_to_warning_with_a_private_broker() -> None:
    r = bench.run(readings=1000, sensors=10, batch=500, mqtt_readings=30)
    lat = r["mqtt_to_warning_ms"]
    assert r["checks"]["mqtt_latency"] == "measured" and r["checks"]["mqtt_every_reading_warned"] is True
    assert lat["n"] == 30 and 0 < lat["p50"] <= lat["p95"]
    assert r["data"]["mqtt"] == {"readings": 30, "qos": 1, "batch_wait_s": 0.0}
    assert "mqtt_to_warning_ms: p50" in bench.format_table(r)


def test_cli_bench_json() -> None:
    out = CliRunner().invoke(app, ["bench", "--json", "--readings", "1000", "--no-mqtt"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    assert result["bench"] == "ingest" and result["mqtt_to_warning_ms"] is None
