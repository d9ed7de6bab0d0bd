#!/usr/bin/env bash
# Run the whole test suite (SQLite and PostgreSQL, browser tests, ruff, mypy, import-linter).
# First installs what the tests need when it is missing: Debian packages (PostgreSQL,
# Chromium, Mosquitto, Redis) and a Python virtual environment in .venv; starts a throw-away
# PostgreSQL server on loopback for the duration of the run.
# Extra arguments go to pytest, e.g. scripts/test.sh tests/api -x
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)

SUDO=""
[ "$(id -u)" = 0 ] || SUDO="sudo"
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1 || true)
missing=()
[ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ] || missing+=(postgresql)
command -v chromium >/dev/null 2>&1 || missing+=(chromium)
command -v mosquitto >/dev/null 2>&1 || [ -x /usr/sbin/mosquitto ] || missing+=(mosquitto)
command -v redis-server >/dev/null 2>&1 || [ -x /usr/bin/redis-server ] || missing+=(redis-server)
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || missing+=(python3-venv)
if [ ${#missing[@]} -gt 0 ]; then
  echo "== installing Debian packages: ${missing[*]}"
  $SUDO apt-get update -q
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
  pg_bin=$(ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1)
fi

if [ ! -x .venv/bin/python ]; then
  echo "== creating .venv"
  python3 -m venv .venv
fi
stamp=.venv/.yingji-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  echo "== installing Python packages"
  .venv/bin/pip install -q --disable-pip-version-check -e '.[dev]' 2> >(grep -v 'is ignored: it is neither' >&2)
  touch "$stamp"
fi

# A throw-away PostgreSQL on loopback, owned by an unprivileged user (initdb refuses root).
PGTMP=$(mktemp -d /tmp/yingji-pg.XXXXXX)
PGPORT=${YINGJI_TEST_PG_PORT:-$((20000 + RANDOM % 20000))}
run_pg() { "$@"; }
if [ "$(id -u)" = 0 ]; then
  id postgres >/dev/null 2>&1 || useradd --system --home-dir /var/lib/postgresql --shell /bin/bash postgres
  chown postgres "$PGTMP"
  run_pg() { runuser -u postgres -- "$@"; }
fi
cleanup() {
  run_pg "$pg_bin/pg_ctl" -D "$PGTMP/data" -m immediate stop >/dev/null 2>&1 || true
  rm -rf "$PGTMP"
}
trap cleanup EXIT
echo "== starting PostgreSQL on 127.0.0.1:$PGPORT"
run_pg "$pg_bin/initdb" -D "$PGTMP/data" -U postgres -A trust -E UTF8 --locale=C.UTF-8 >/dev/null
run_pg "$pg_bin/pg_ctl" -D "$PGTMP/data" -l "$PGTMP/log" -w \
  -o "-c listen_addresses=127.0.0.1 -p $PGPORT -k $PGTMP -c fsync=off -c full_page_writes=off" start >/dev/null
export YINGJI_TEST_POSTGRES_URL="postgresql+psycopg://postgres@127.0.0.1:$PGPORT/postgres"
export YINGJI_TEST_CHROMIUM=${YINGJI_TEST_CHROMIUM:-$(command -v chromium || echo /usr/bin/chromium)}

echo "== pytest"
.venv/bin/python -m pytest -n 2 --dist loadgroup "$@"
