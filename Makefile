# `make demo` and `make test` work on a fresh clone: each first runs scripts/setup.sh.
.PHONY: setup demo test clean

setup:
	@scripts/setup.sh

demo: setup
	.venv/bin/vnnews demo

test: setup
	.venv/bin/pytest

clean:
	rm -rf .venv build *.egg-info vnnews-demo.db*
