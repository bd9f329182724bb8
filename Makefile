# Each target bootstraps its own virtual environment in .venv.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: test demo lint bench screenshots extension clean chaos chaos-pipelines chaos-workers scale

$(STAMP): pyproject.toml setup.py
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

demo: $(STAMP)
	$(VENV)/bin/cartsync demo --folder .cartsync/demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .

# QUICK=1: small sizes, a few minutes; without it, the sizes the goals name (much longer).
bench: $(STAMP)
	$(PY) -m bench $(if $(QUICK),--quick)

# Failure tests that take real time, one family a target. `make chaos` runs every target in
# CHAOS_TARGETS in turn and fails if one finds a duplicate or a loss; a new family joins the list.
# Replay a failure of chaos-pipelines with the seed it printed:
#   make chaos CHAOS_ARGS="--seed 123456 --jobs order_download --modes kill"
CHAOS_TARGETS ?= chaos-pipelines chaos-workers
CHAOS_ARGS ?=

chaos: $(CHAOS_TARGETS)

# The three jobs, killed -9 at seeded points and under each system's fault mix (chaos/).
chaos-pipelines: $(STAMP)
	$(PY) -m chaos $(CHAOS_ARGS)

# Celery workers killed with kill -9 mid-run, and the Redis broker restarted (PostgreSQL state).
chaos-workers: $(STAMP)
	CARTSYNC_CHAOS=1 $(VENV)/bin/pytest -q -s tests/workers/test_workers_chaos.py

# Screenshots of the console's pages in docs/console/ (needs Debian's chromium).
screenshots: $(STAMP)
	CARTSYNC_SCREENSHOTS=1 $(VENV)/bin/pytest -q tests/console/test_console_screenshots.py

# 50 clients × 3 pipelines scheduled by beat on 2 Celery workers for 3 minutes (PostgreSQL,
# Redis, the sandboxes): every due run happened, none twice at once, no record duplicated.
# Options: make scale SCALE_ARGS="--clients 20 --minutes 1 --keep /tmp/scale"
SCALE_ARGS ?=

scale: $(STAMP)
	$(PY) -m scale $(SCALE_ARGS)

# Installable OpenCart extension packages (see docs/extension-install.md).
extension:
	python3 connectors/opencart/extension/build.py dist

clean:
	rm -rf $(VENV) .cartsync build *.egg-info
