# Labs — the two commands that matter: `make up` runs the platform, `make test` proves it.
# Everything installs from the lock with uv; nothing is needed beyond Python 3.11 and make.

UV ?= uv
RUN := $(UV) run --all-packages --locked
PYTEST := $(RUN) pytest

.PHONY: help install protos lint up test test-unit test-integration test-e2e bench clean

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

install:  ## create .venv from uv.lock (also rebuilds the generated protos when they changed)
	@command -v $(UV) >/dev/null || python3 -m pip install --quiet uv
	$(UV) sync --all-packages --locked

protos: install  ## regenerate Python from protos/ (the build does this too)
	$(RUN) python libs/protos/generate.py

lint: install  ## buf lint for the contracts, ruff for the code
	cd protos && $(RUN) buf lint
	$(RUN) ruff check .

up: install  ## run the whole platform locally (embedded PostgreSQL + NATS unless configured)
	$(RUN) python -m labs_local up

test: install  ## every test: unit, integration (real PostgreSQL + NATS), end to end
	$(PYTEST)

test-unit: install  ## pure domain and library tests, no I/O
	$(PYTEST) -m "not integration and not e2e"

test-integration: install  ## services against real PostgreSQL and NATS
	$(PYTEST) -m integration

test-e2e: install  ## the whole suite through the gateway over HTTP and WebSocket
	$(PYTEST) -m e2e

bench: install  ## benchmarks against baselines run alongside (~3 min; not part of test): ratios + bench/results/
	$(RUN) python -m bench

clean:  ## forget local data and caches (not the lock)
	rm -rf .data .pytest_cache .ruff_cache
