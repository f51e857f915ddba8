#!/usr/bin/env bash
# The one setup step behind `make demo`, `make test` and CI: a .venv holding vnnews and the
# exact dependency versions of constraints.txt. Re-running it is cheap: it reinstalls only when
# pyproject.toml or constraints.txt changed. It also installs the Debian packages the tests
# need when they are missing: Chromium and redis-server.
#
#   scripts/setup.sh         vnnews with what the demo and the tests need
#   scripts/setup.sh dev     also the linters of `make check`
#   scripts/setup.sh bench   also trafilatura, the baseline of `make bench`
set -euo pipefail
cd "$(dirname "$0")/.."

python=${PYTHON:-python3}
if ! "$python" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null; then
    echo "vnnews needs Python >= 3.11; set PYTHON=/path/to/python3.11 (found: $("$python" --version 2>&1))" >&2
    exit 2
fi

# Debian packages the tests use, installed when missing: Chromium (the browser test of
# `vnnews serve`) and redis-server (the distributed crawl's tests start their own).
if [ -z "${1:-}" ]; then
    missing=()
    command -v chromium >/dev/null 2>&1 || missing+=(chromium)
    command -v redis-server >/dev/null 2>&1 || missing+=(redis-server)
    if [ "${#missing[@]}" -gt 0 ]; then
        if [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then
            echo "Installing ${missing[*]} (Debian packages) for the tests ..." >&2
            apt-get update -qq >/dev/null && DEBIAN_FRONTEND=noninteractive \
                apt-get install -y -qq "${missing[@]}" >/dev/null
        else
            echo "scripts/setup.sh: missing ${missing[*]}; install the Debian packages (as root)" >&2
        fi
    fi
fi

[ -x .venv/bin/python ] || "$python" -m venv .venv
extras=test${1:+,$1}
stamp=.venv/.vnnews-installed-${extras/,/-}
if [ ! -f "$stamp" ] || [ pyproject.toml -nt "$stamp" ] || [ constraints.txt -nt "$stamp" ]; then
    echo "Installing vnnews and its pinned dependencies into .venv ..." >&2
    # pip's and setuptools' chatter goes to a log, shown only when the install fails.
    if ! .venv/bin/python -m pip install --disable-pip-version-check \
            -c constraints.txt -e ".[$extras]" > .venv/setup.log 2>&1; then
        cat .venv/setup.log >&2
        echo "scripts/setup.sh: installing failed (log above, also in .venv/setup.log)" >&2
        exit 1
    fi
    touch "$stamp"
fi
