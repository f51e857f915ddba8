#!/usr/bin/env bash
# The one setup step behind `make demo`, `make test` and CI: a .venv holding vnnews and the
# exact dependency versions of constraints.txt. Re-running it is cheap: it reinstalls only when
# pyproject.toml or constraints.txt changed. System packages the tests need would be installed
# here too (apt-get); the current suite needs none.
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "vnnews needs Python >= 3.11; set PYTHON=/path/to/python3.11 (found: $("$python" --version 2>&1))" >&2
    exit 2
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
stamp=.venv/.vnnews-installed
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    echo "Installing vnnews and its pinned dependencies into .venv ..." >&2
    .venv/bin/python -m pip install --quiet --disable-pip-version-check \
        -c constraints.txt -e ".[test]"
    touch "$stamp"
fi
