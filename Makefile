# Two commands: `make run` serves the demo at http://127.0.0.1:8050, `make test` runs
# the whole suite. Both create and fill .venv themselves.
PYTHON ?= python3
# pytest-xdist workers for `make test` (each test module runs whole on one worker,
# the browser tests all on one: tests/conftest.py); PYTEST_WORKERS=0 runs in-process.
PYTEST_WORKERS ?= 2
VENV := .venv
BIN := $(VENV)/bin
STAMP_RUN := $(VENV)/.installed-run-$(shell cat requirements.txt | cksum | cut -d' ' -f1)
STAMP_DEV := $(VENV)/.installed-dev-$(shell cat requirements.txt requirements-dev.txt | cksum | cut -d' ' -f1)
export FLASK_APP := app

.PHONY: run test lint bench clean-store

$(BIN)/python:
	@$(PYTHON) -c 'import sys; assert sys.version_info >= (3, 11), "Python 3.11+ is required"'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(STAMP_RUN): requirements.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements.txt
	@touch $@

$(STAMP_DEV): requirements.txt requirements-dev.txt | $(BIN)/python
	$(BIN)/pip install --quiet -r requirements-dev.txt
	@touch $@

run: $(STAMP_RUN)
	$(BIN)/flask --app app setup-demo
	$(BIN)/gunicorn app:server -c gunicorn.conf.py --bind 127.0.0.1:8050

test: $(STAMP_DEV)
	@command -v chromium >/dev/null && command -v chromedriver >/dev/null || { \
	  echo "make test needs Chromium and ChromeDriver for the browser tests:"; \
	  echo "  apt-get install chromium chromium-driver"; exit 1; }
	@ldconfig -p | grep libpangoft2-1.0.so.0 >/dev/null || { \
	  echo "make test needs Pango for WeasyPrint (board pack PDFs):"; \
	  echo "  apt-get install libpango-1.0-0 libpangoft2-1.0-0"; exit 1; }
	@command -v pdftotext >/dev/null || { \
	  echo "make test needs pdftotext to read the board pack PDFs:"; \
	  echo "  apt-get install poppler-utils fonts-dejavu-core"; exit 1; }
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist loadfile $(PYTEST_ARGS)

lint: $(STAMP_DEV)
	$(BIN)/ruff check .
	$(BIN)/lint-imports

# The issue-7 benchmark suite (not part of `make test`); see benchmarks/README.md.
# BENCH_ARGS="--quick --sizes 100000,10000000 --lighthouse /tmp/lh" for example.
bench: $(STAMP_DEV)
	$(BIN)/python -m benchmarks.run $(BENCH_ARGS)

clean-store:
	rm -f instance/vru.sqlite3 instance/vru.sqlite3-wal instance/vru.sqlite3-shm instance/demo_credentials.json
