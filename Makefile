# `make demo` and `make test` work on a fresh clone: each first runs scripts/setup.sh.
.PHONY: setup demo test check bench bench-cluster clean

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

# The performance suite: regenerates docs/performance.md (about 15 minutes on 2 cores).
bench:
	@scripts/setup.sh bench
	.venv/bin/python bench/performance.py

# The capacity of a crawl spread over processes (docs/distributed.md); needs redis-server.
bench-cluster:
	@scripts/setup.sh
	.venv/bin/python bench/cluster.py

clean:
	rm -rf .venv build *.egg-info vnnews-demo.db*
