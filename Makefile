# sgdma: scatter-gather DMA verification and co-simulation kit.  `make help` lists every
# target with its variables.  Every target bootstraps what it needs (scripts/bootstrap.sh), in
# any order, from a fresh clone.

SIM      ?= icarus
WAVES    ?= 0
BACKEND  ?= rtl
BUFFERS  ?= 8
BUF_SIZE ?= 65536
LAPS     ?= 3
RATE     ?= 1.0
CONSUMER ?= fast
POLICY   ?= stall
SEED     ?= 1
SEEDS    ?= 200
JOBS     ?= $(shell nproc 2>/dev/null || echo 2)

VENV  := .venv
PY    := $(VENV)/bin/python
STAMP := $(VENV)/.sgdma-installed
# Simulators `make test` runs the cocotb testbenches on (both unless SIM is given explicitly).
ifeq ($(origin SIM),command line)
TEST_SIMS := $(SIM)
else ifeq ($(origin SIM),environment)
TEST_SIMS := $(SIM)
else
TEST_SIMS := icarus verilator
endif

export SGDMA_WAVES := $(WAVES)

.PHONY: all help sim test test-full lint bench regress coverage figures clean distclean bootstrap regmap

all: test

# One line per target ("target: text" after ##); the variables follow.
help:  ## this list
	@echo "usage: make TARGET [VARIABLE=value ...]"
	@echo
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)$$/\1|\2/p' $(MAKEFILE_LIST) | awk -F'|' '{printf "  %-10s %s\n", $$1, $$2}'
	@echo
	@echo "variables (default):"
	@echo "  SIM=icarus|verilator  simulator (sim, bench: icarus; test: both unless given; regress: verilator)"
	@echo "  BACKEND=rtl|model     sim: the RTL under SIM, or the fast model (rtl)"
	@echo "  BUFFERS=$(BUFFERS) BUF_SIZE=$(BUF_SIZE) LAPS=$(LAPS) RATE=$(RATE)   sim: ring buffers, bytes per buffer, laps, device rate"
	@echo "  CONSUMER=fast|slow POLICY=stall|drop      sim: reader speed, ring-full policy ($(CONSUMER), $(POLICY))"
	@echo "  WAVES=0|1             sim, test: record FST waveforms ($(WAVES))"
	@echo "  SEED=$(SEED)                sim: allocator and jitter seed; regress: first seed"
	@echo "  SEEDS=$(SEEDS)            regress: how many seeds"
	@echo "  JOBS=$(JOBS)                test, test-full, regress: parallel processes"

bootstrap: $(STAMP)  ## install what the targets need (.venv, Icarus, a C++ compiler); done by every target
	@scripts/bootstrap.sh

$(STAMP): pyproject.toml
	@scripts/bootstrap.sh

sim: bootstrap  ## one acquisition, every byte checked; report and plots in build/sim/ (BACKEND SIM BUFFERS BUF_SIZE LAPS RATE CONSUMER POLICY WAVES SEED)
	@if [ "$(WAVES)" = 1 ] && [ "$(SIM)" = verilator ]; then scripts/bootstrap.sh liblz4-dev; fi
	$(PY) -m sgdma_sim.cli run --backend $(BACKEND) --sim $(SIM) --buffers $(BUFFERS) \
	    --buf-size $(BUF_SIZE) --laps $(LAPS) --rate $(RATE) --consumer $(CONSUMER) \
	    --policy $(POLICY) --seed $(SEED) $(if $(filter 1,$(WAVES)),--waves) --out build/sim

test: bootstrap  ## unit tests and the cocotb testbenches on Icarus and Verilator (SIM WAVES JOBS)
	SGDMA_SIMS="$(TEST_SIMS)" $(PY) -m pytest -n $(JOBS) -p no:cacheprovider

test-full: bootstrap  ## make test over the full width matrix (SIM JOBS)
	SGDMA_SIMS="$(TEST_SIMS)" SGDMA_FULL=1 $(PY) -m pytest -n $(JOBS) -p no:cacheprovider

lint: bootstrap  ## verilator --lint-only -Wall over rtl/, fails on any warning
	$(PY) -m sgdma_verif.toolchain lint

regmap: bootstrap  ## regenerate rtl/sgdma_defs.vh and docs/registers.md tables from driver-model/sgdma_driver/regmap.py
	$(PY) -m sgdma_driver.regmap --write

bench: bootstrap  ## benchmarks: tables on the terminal, figures in build/bench/*.json, logs in build/bench/logs/ (SIM)
	SGDMA_SIMS="$(SIM)" SGDMA_LOG_DIR=build/bench/logs $(PY) -m sgdma_verif.bench --out build/bench

# The regression defaults to Verilator (faster on long runs); SIM=icarus selects Icarus.
REGRESS_SIM := $(if $(filter command line environment,$(origin SIM)),$(SIM),verilator)

regress: bootstrap  ## constrained-random regression, seeds SEED..SEED+SEEDS-1 (SEED SEEDS JOBS SIM)
	$(PY) -m sgdma_verif.regress --seeds $(SEEDS) --seed $(SEED) --jobs $(JOBS) --sim $(REGRESS_SIM) --out build/regress

coverage: bootstrap  ## Verilator line/toggle and functional coverage into build/coverage/
	$(PY) -m sgdma_verif.coverage --out build/coverage

figures: bootstrap  ## regenerate the quoted figures in README.md and docs/ from build/bench and build/coverage
	$(PY) -m sgdma_verif.figures

clean:  ## remove build/
	rm -rf build sim_build results.xml

distclean: clean  ## remove build/ and .venv
	rm -rf $(VENV) *.egg-info
