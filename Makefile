# counterclaim: every entry point a user or CI needs. `make demo` and `make test` set everything up.
PY ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cat pyproject.toml requirements.lock | sha256sum | cut -c1-12)
DATA ?= ../shared/data
DEMO_DB ?= counterclaim-demo.db
export HF_HUB_OFFLINE := 1
export TRANSFORMERS_OFFLINE := 1
export COUNTERCLAIM_DATA := $(DATA)

.PHONY: venv system-deps demo test test-fast lint format bench bench-ingest bench-attribution bench-stance bench-stance-cv bench-claims bench-stories bench-reuse bench-web bench-workers bench-dossiers bench-dossiers-dev bench-scale train-stance train-attribution examples screenshots clean

venv: $(STAMP)

$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/pip install -q --upgrade pip
	# torch first and pinned: a CPU wheel from local disk; unpinned it would pull a CUDA build
	$(BIN)/pip install -q torch==2.13.0
	$(BIN)/pip install -q -c requirements.lock -e '.[dev,train,ray]'
	rm -f $(VENV)/.installed-*
	touch $@

demo: venv
	$(BIN)/counterclaim ingest --db $(DEMO_DB) --outlets examples/outlets.toml --recursive examples/corpus/html examples/corpus/feeds examples/corpus/jsonl examples/corpus/warc
	$(BIN)/counterclaim ingest --db $(DEMO_DB) --outlet meridian-report examples/corpus/text
	$(BIN)/counterclaim outlets --db $(DEMO_DB)
	$(BIN)/counterclaim articles --db $(DEMO_DB)
	$(BIN)/counterclaim attributions --db $(DEMO_DB) --summary
	$(BIN)/counterclaim reuse --db $(DEMO_DB)
	$(BIN)/counterclaim claims --db $(DEMO_DB) --min-outlets 2
	$(BIN)/counterclaim report --db $(DEMO_DB) --search "coalition passed coordinates for joint strikes near Dunmarrow" --html counterclaim-demo.html
	@echo "HTML report: counterclaim-demo.html"
	@echo "Web app: $(BIN)/counterclaim serve --db $(DEMO_DB), then open http://127.0.0.1:8000/"

# Debian packages the tests drive for real: a PostgreSQL 15 server and a headless Chromium.
system-deps:
	@missing=""; for p in postgresql chromium; do dpkg -s $$p >/dev/null 2>&1 || missing="$$missing $$p"; done; \
	if [ -n "$$missing" ]; then \
	  if [ "$$(id -u)" = 0 ]; then apt-get update -q && DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends $$missing; \
	  else echo "missing Debian packages:$$missing (run: sudo apt-get install$$missing)"; exit 1; fi; fi

test: venv system-deps
	$(BIN)/python -m pytest -q

# The development lane: no crash tests in subprocesses, no floors on shared data, no browser.
test-fast: venv
	$(BIN)/python -m pytest -q -m "not slow and not browser"

lint: venv
	$(BIN)/ruff check src tests bench
	$(BIN)/ruff format --check src tests bench
	$(BIN)/mypy

format: venv
	$(BIN)/ruff format src tests bench
	$(BIN)/ruff check --fix src tests bench

bench: bench-ingest bench-attribution bench-stance bench-stance-cv bench-claims bench-stories bench-reuse bench-web bench-workers bench-dossiers bench-dossiers-dev bench-scale

bench-ingest: venv
	$(BIN)/python bench/ingest.py --data $(DATA)

bench-attribution: venv
	$(BIN)/python bench/attribution.py --data $(DATA)/polnear/polnear_dev.jsonl

bench-workers: venv
	$(BIN)/python bench/workers.py --data $(DATA)/polnear/polnear_dev.jsonl

bench-stance: venv
	$(BIN)/python bench/stance_fnc.py

bench-stance-cv: venv
	$(BIN)/python bench/stance_story_cv.py --data $(DATA)/fnc-1
	$(BIN)/python bench/stance_story_cv.py --data $(DATA)/fnc-1 --arc $(DATA)/arc-stance

bench-claims: venv
	$(BIN)/python bench/claim_linking.py --data $(DATA)

bench-stories: venv
	$(BIN)/python bench/stories.py --data $(DATA)/fnc-1

# End to end as a user searches: FNC-1 official hold-out bodies (their headlines occur in training: optimistic).
bench-dossiers: venv
	$(BIN)/python bench/dossier_e2e.py --bodies $(DATA)/fnc-1/train_bodies.csv --stances $(DATA)/fnc-1/train_stances.reconstructed.csv --split-file $(DATA)/fnc-1/baseline_split_body_ids.csv --split holdout

# Cost at scale: CPU per article at 1k/5k/20k articles (real news, then generated), per-stage CPU, and the
# engines (pool x1, x2, Ray on a two-node loopback cluster; needs root for its network namespace) on 5k.
bench-scale: venv
	$(BIN)/python bench/scale.py --data $(DATA) --sizes 1000 --scaling-size 5000
	$(BIN)/python bench/scale.py --data $(DATA) --marginal 1000,5000,20000 --window 500 --engine pool --workers 2

# The figures to decide by: the story-disjoint dev split (no model here was trained or tuned on it).
bench-dossiers-dev: venv
	$(BIN)/python bench/dossier_e2e.py --bodies $(DATA)/fnc-1/train_bodies.csv --stances $(DATA)/fnc-1/train_stances.reconstructed.csv --split-file $(DATA)/fnc-1/baseline_split_body_ids.csv --split train --dev-stories --name dossier_e2e_story_dev

bench-reuse: venv
	$(BIN)/python bench/reuse.py --sizes 2000,20000,200000

screenshots: venv system-deps
	COUNTERCLAIM_SCREENSHOTS=docs/screenshots $(BIN)/python -m pytest -q tests/test_web_browser.py

bench-web: venv
	$(BIN)/python bench/web.py --articles 10000

train-stance: venv
	$(BIN)/python -m counterclaim.training.stance --data $(DATA)/fnc-1 --out src/counterclaim/models

train-attribution: venv
	$(BIN)/python bench/train_attribution.py --data $(DATA)/polnear/polnear_train.jsonl

examples: venv
	$(BIN)/python examples/make_warc.py

clean:
	rm -rf $(VENV) $(DEMO_DB) $(DEMO_DB)-wal $(DEMO_DB)-shm $(DEMO_DB).lock counterclaim-demo.html .pytest_cache .mypy_cache
