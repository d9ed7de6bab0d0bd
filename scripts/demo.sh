#!/usr/bin/env bash
# Bring up Yingji with the synthetic Liaocheng demo city on SQLite at http://127.0.0.1:8000
# (creates .venv and installs the package the first time). Extra arguments go to `yingji serve`.
set -euo pipefail
cd "$(dirname "$0")/.."
if ! python3 -c 'import venv, ensurepip' >/dev/null 2>&1; then
  SUDO=""; [ "$(id -u)" = 0 ] || SUDO="sudo"
  $SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -q python3-venv
fi
[ -x .venv/bin/python ] || python3 -m venv .venv
stamp=.venv/.yingji-installed-runtime
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ]; then
  .venv/bin/pip install -q --disable-pip-version-check -e . 2> >(grep -v 'is ignored: it is neither' >&2)
  touch "$stamp"
fi
exec .venv/bin/yingji serve --demo "$@"
