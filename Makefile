# oodbook's tasks. `make book` and `make test` set up what they need first (scripts/setup.sh).
PY := .venv/bin/python
PROFILE ?= cpu
SEED ?= 0
# make test: one process (and one torch thread) per core, split as tests/conftest.py says; TEST_WORKERS=0: in-process
TEST_WORKERS ?= 2
TCMALLOC := $(wildcard /usr/lib/x86_64-linux-gnu/libtcmalloc.so.4)
export LD_PRELOAD := $(strip $(TCMALLOC) $(LD_PRELOAD))
export OODLIB_DATA ?= $(abspath ../shared/datasets)
# the checkout's committed weights (oodlib.locations), for `make models` and `make bench` too (oodlib.book sets its own)
export OODLIB_CHECKPOINTS ?= $(abspath checkpoints)

.PHONY: setup book test test-browser page pages status models bench

setup:
	@bash scripts/setup.sh

book: setup          ## build the HTML book from the committed executed notebooks (no execution)
	$(PY) -m oodlib.book build

test: setup          ## unit tests + a smoke execution of every page, on TEST_WORKERS processes (pytest-xdist)
	$(PY) -m pytest -q -n $(TEST_WORKERS)

test-browser: setup  ## only the browser checks: build, open every page in headless Chromium, screenshots → _build/screenshots/
	$(PY) -m pytest -q -m browser tests/test_browser.py

page: setup          ## re-execute one page: make page PAGE=notebooks/rose/s3_1_likelihood_fails.py PROFILE=cpu SEED=0
	$(PY) -m oodlib.book run $(PAGE) --profile $(PROFILE) --seed $(SEED)

pages: setup         ## re-execute every page that is stale (or at another profile/seed), then the landing page
	$(PY) -m oodlib.book run-all --stale --profile $(PROFILE) --seed $(SEED)

status: setup        ## which executed pages are fresh
	$(PY) -m oodlib.book status

models: setup        ## train (or fetch from the cache) the canonical models of a profile
	$(PY) -m oodlib.zoo all --profile $(PROFILE) --seed $(SEED)

bench: setup         ## throughput benchmarks (run on an idle machine) → benchmarks/*.csv
	PYTHONPATH=. $(PY) benchmarks/vae_throughput.py
	PYTHONPATH=. $(PY) benchmarks/ood_throughput.py
	PYTHONPATH=. $(PY) benchmarks/flow_throughput.py
	PYTHONPATH=. $(PY) benchmarks/mixture_throughput.py
	PYTHONPATH=. $(PY) benchmarks/srood_throughput.py
