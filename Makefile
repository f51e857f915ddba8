# `make demo` and `make test` work on a fresh clone: each first runs scripts/setup.sh.
.PHONY: setup demo test check clean

setup:
	@scripts/setup.sh

demo: setup
	.venv/bin/vnnews demo

test: setup
	.venv/bin/pytest

check:
	@scripts/setup.sh dev
	.venv/bin/ruff check .
	.venv/bin/ruff format --check .
	.venv/bin/mypy

clean:
	rm -rf .venv build *.egg-info vnnews-demo.db*
