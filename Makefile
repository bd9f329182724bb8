# Each target bootstraps its own virtual environment in .venv.
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed

.PHONY: test demo lint bench extension clean chaos chaos-workers

$(STAMP): pyproject.toml setup.py
	python3 -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[test]'
	touch $(STAMP)

test: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/pytest -q

demo: $(STAMP)
	$(PY) -m cartsync.demo

lint: $(STAMP)
	$(VENV)/bin/ruff check .

bench: $(STAMP)
	$(PY) -m bench

# Failure tests that take real time: each target is one family; `make chaos` runs them all.
chaos: chaos-workers

# Celery workers killed with kill -9 mid-run, and the Redis broker restarted (PostgreSQL state).
chaos-workers: $(STAMP)
	CARTSYNC_CHAOS=1 $(VENV)/bin/pytest -q -s tests/workers/test_workers_chaos.py

# Installable OpenCart extension packages (see docs/extension-install.md).
extension:
	python3 connectors/opencart/extension/build.py dist

clean:
	rm -rf $(VENV) .cartsync build *.egg-info
