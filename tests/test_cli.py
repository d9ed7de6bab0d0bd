"""The command line: real subprocesses against a real SQLite file."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

YINGJI = str(Path(sys.executable).parent / "yingji")


def _run(tmp: Path, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "YINGJI_DATA_DIR": str(tmp), "YINGJI_DATABASE_URL": ""}
    env.pop("YINGJI_DATABASE_URL")
    return subprocess.run([YINGJI, *args], input=stdin, capture_output=True, text=True, env=env, timeout=300)


def test_every_command_has_help(tmp_path: Path) -> None:
    for cmd in (["--help"], ["serve", "--help"], ["demo", "--help"], ["demo", "simulate", "--help"],
                ["db", "upgrade", "--help"], ["user", "add", "--help"],
                ["import", "--help"], ["export", "--help"], ["bench", "--help"]):
        r = _run(tmp_path, *cmd)
        assert r.returncode == 0, (cmd, r.stderr)
        assert "Usage" in r.stdout


def test_db_upgrade_creates_sqlite_in_wal_mode(tmp_path: Path) -> None:
    r = _run(tmp_path, "db", "upgrade")
    assert r.returncode == 0, r.stderr
    assert "database at revision" in r.stdout
    import sqlite3

    con = sqlite3.connect(tmp_path / "yingji.db")
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_user_add_and_errors_are_one_line(tmp_path: Path) -> None:
    r = _run(tmp_path, "user", "add", "alice", "--role", "admin", "--password-stdin", stdin="long-password-1\n")
    assert r.returncode == 0, r.stderr
    r = _run(tmp_path, "user", "add", "alice", "--role", "admin", "--password-stdin", stdin="long-password-1\n")
    assert r.returncode != 0
    assert r.stderr.strip() == "error: username 'alice' is taken"
    r = _run(tmp_path, "user", "add", "bob", "--role", "county", "--password-stdin", stdin="long-password-1\n")
    assert r.returncode != 0 and "division" in r.stderr and "Traceback" not in r.stderr
    r = _run(tmp_path, "user", "add", "bob", "--role", "emperor", "--password-stdin", stdin="long-password-1\n")
    assert r.returncode != 0 and "role" in r.stderr and "Traceback" not in r.stderr
    r = _run(tmp_path, "import", "nosuch", "/etc/hostname")
    assert r.returncode != 0 and "unknown registry" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.xdist_group("demo")
def test_demo_is_idempotent_and_export_works(tmp_path: Path) -> None:
    r = _run(tmp_path, "demo", "--no-network")
    assert r.returncode == 0, r.stderr
    assert "synthetic" in r.stdout
    r2 = _run(tmp_path, "demo", "--no-network")
    assert r2.returncode == 0, r2.stderr
    assert "facilities 0" in r2.stdout and "teams 0" in r2.stdout
    out = tmp_path / "teams.xlsx"
    r = _run(tmp_path, "export", "teams", str(out))
    assert r.returncode == 0, r.stderr
    assert out.stat().st_size > 1000
    r = _run(tmp_path, "import", "teams", str(out))
    assert r.returncode == 0, r.stderr
    assert "created 0, updated 0" in r.stdout
    # the stock as a spreadsheet: export, then import the same file — every lot unchanged
    sheet = tmp_path / "stock.xlsx"
    r = _run(tmp_path, "export", "stock", str(sheet))
    assert r.returncode == 0, r.stderr
    lots = int(r.stdout.split()[0])
    assert lots > 50
    r = _run(tmp_path, "import", "stock", str(sheet))
    assert r.returncode == 0, r.stderr
    assert f"rows {lots}: created 0, updated 0, unchanged {lots}" in r.stdout and "adjusted 0" in r.stdout
    # `yingji demo simulate` is a sub-command of demo: it does not reload the city, and a bad
    # sensor is one line (the streaming itself is tested in tests/monitoring)
    r = _run(tmp_path, "demo", "simulate", "--sensor", "NOPE-1", "--minutes", "0.5")
    assert r.returncode != 0 and "unknown sensors NOPE-1" in r.stderr and "Traceback" not in r.stderr
    assert "demo city loaded" not in r.stdout


@pytest.mark.xdist_group("demo")
def test_monthly_supervision_report_from_the_cli(tmp_path: Path) -> None:
    r = _run(tmp_path, "demo", "--no-network")
    assert r.returncode == 0, r.stderr
    out = tmp_path / "m.docx"
    r = _run(tmp_path, "report", "supervision", "--month", "2022-06", "--output", str(out))
    assert r.returncode == 0, r.stderr
    from docx import Document

    text = "\n".join(p.text for p in Document(str(out)).paragraphs)
    assert "2022" in text and len(text) > 100
    r = _run(tmp_path, "report", "supervision", "--month", "2022-13")
    assert r.returncode != 0 and "YYYY-MM" in r.stderr and "Traceback" not in r.stderr


@pytest.mark.xdist_group("demo")
def test_plan_remind_queues_notifications(tmp_path: Path) -> None:
    r = _run(tmp_path, "demo", "--no-network")
    assert r.returncode == 0, r.stderr
    r = _run(tmp_path, "plan", "remind", "--dry-run")
    assert r.returncode == 0, r.stderr
    assert "0 notification(s) queued" in r.stderr
    r = _run(tmp_path, "plan", "remind")
    assert r.returncode == 0, r.stderr
    n = int(r.stderr.strip().splitlines()[-1].split(";")[1].split()[0])
    assert n > 0
    import sqlite3

    con = sqlite3.connect(tmp_path / "yingji.db")
    assert con.execute("SELECT count(*) FROM notification_deliveries").fetchone()[0] == n
    r = _run(tmp_path, "plan", "remind", "--channel", "fax")
    assert r.returncode != 0 and "email or sms" in r.stderr and "Traceback" not in r.stderr
