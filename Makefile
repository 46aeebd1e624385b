# sgdma: scatter-gather DMA verification and co-simulation kit.  `make help` lists every
# target with its variables.  Every target bootstraps what it needs (scripts/bootstrap.sh), in
# any order, from a fresh clone.

SIM      ?= icarus
WAVES    ?= 0
BACKEND  ?= rtl
# Scenario variables (BUFFERS BUF_SIZE LAPS RATE CONSUMER POLICY SEED) have no defaults here:
# one given is passed on as its option, one not given takes the scenario's own default (the
# Scenario dataclass in sim/sgdma_sim/acquisition.py; `sgdma-sim run --help` lists them).
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

opt = $(if $(strip $($(1))),--$(2) $($(1)))
SCENARIO_OPTS = $(call opt,BUFFERS,buffers) $(call opt,BUF_SIZE,buf-size) $(call opt,LAPS,laps) \
                $(call opt,RATE,rate) $(call opt,CONSUMER,consumer) $(call opt,POLICY,policy) \
                $(call opt,SEED,seed)

.PHONY: all help sim test test-full lint formal bench scale regress coverage figures clean distclean bootstrap regmap

all: test

# One line per target ("target: text" after ##); the variables follow.
help:  ## this list
	@echo "usage: make TARGET [VARIABLE=value ...]"
	@echo
	@sed -n 's/^\([a-z-]*\):.*## \(.*\)$$/\1|\2/p' $(MAKEFILE_LIST) | awk -F'|' '{printf "  %-10s %s\n", $$1, $$2}'
	@echo
	@echo "variables (default):"
	@echo "  SIM=icarus|verilator  simulator (sim, bench: icarus; test: both unless given; regress: verilator)"
	@echo "  BACKEND=rtl|rtl-fast|model  sim: the RTL under SIM (cocotb), the RTL in the C++ harness, or the fast model (rtl)"
	@echo "  BUFFERS=N BUF_SIZE=BYTES LAPS=X RATE=FRACTION   sim: ring buffers, bytes per buffer, laps, device rate"
	@echo "  CONSUMER=fast|slow POLICY=stall|drop      sim: reader speed, ring-full policy"
	@echo "                        (unset: the scenario's defaults, listed by sgdma-sim run --help)"
	@echo "  WAVES=0|1             sim, test: record FST waveforms ($(WAVES))"
	@echo "  SEED=N                sim: allocator and jitter seed; regress: first seed (default 1)"
	@echo "  SEEDS=$(SEEDS)            regress: how many seeds"
	@echo "  BUILD=mm2s|s2mm       regress: both channels (INCLUDE_MM2S=1, MM2S traffic in most seeds) or S2MM only (default mm2s)"
	@echo "  JOBS=$(JOBS)                test, test-full, regress, formal: parallel processes (regress: Dask workers)"
	@echo "  SCHEDULER=tcp://HOST:PORT  regress, coverage: run the jobs on this Dask cluster (default: \$$DASK_SCHEDULER_ADDRESS, else local)"
	@echo "  RESUME=1              regress: keep the seeds already done in build/regress, run the others"

bootstrap: $(STAMP)  ## install what the targets need (.venv, Icarus, a C++ compiler); done by every target
	@scripts/bootstrap.sh

$(STAMP): pyproject.toml
	@scripts/bootstrap.sh

sim: bootstrap  ## one acquisition, every byte checked; report and plots in build/sim/ (BACKEND SIM BUFFERS BUF_SIZE LAPS RATE CONSUMER POLICY WAVES SEED)
	@if [ "$(WAVES)" = 1 ] && { [ "$(SIM)" = verilator ] || [ "$(BACKEND)" = rtl-fast ]; }; then scripts/bootstrap.sh liblz4-dev; fi
	$(PY) -m sgdma_sim.cli run --backend $(BACKEND) --sim $(SIM) $(SCENARIO_OPTS) \
	    $(if $(filter 1,$(WAVES)),--waves) --out build/sim

test: bootstrap  ## unit tests and the cocotb testbenches on Icarus and Verilator (SIM WAVES JOBS)
	@scripts/bootstrap.sh liblz4-dev
	$(PY) -m pytest -n $(JOBS) -p no:cacheprovider --sims "$(TEST_SIMS)"

test-full: bootstrap  ## make test over the full width matrix (SIM JOBS)
	@scripts/bootstrap.sh liblz4-dev
	$(PY) -m pytest -n $(JOBS) -p no:cacheprovider --sims "$(TEST_SIMS)" --full

lint: bootstrap  ## verilator --lint-only -Wall over rtl/, fails on any warning
	$(PY) -m sgdma_verif.toolchain lint

formal: bootstrap  ## formal proofs of the bus rules and the seeded-bug check; build/formal/summary.json (JOBS)
	$(PY) -m sgdma_verif.formal --jobs $(JOBS) --out build/formal

regmap: bootstrap  ## regenerate the register-map files (Verilog defines, Python map, C header, IP-XACT, docs) from rtl/sgdma.rdl
	$(PY) -m sgdma_driver.regmap_gen --write

bench: bootstrap  ## benchmarks: tables on the terminal, figures in build/bench/*.json, logs in build/bench/logs/ (SIM)
	SGDMA_LOG_DIR=build/bench/logs $(PY) -m sgdma_verif.bench --sim $(SIM) --out build/bench

# The regression defaults to Verilator (faster on long runs); SIM=icarus selects Icarus.
REGRESS_SIM := $(if $(filter command line environment,$(origin SIM)),$(SIM),verilator)

regress: bootstrap  ## constrained-random regression on Dask, seeds SEED..SEED+SEEDS-1 (SEED SEEDS JOBS SIM BUILD SCHEDULER RESUME)
	$(PY) -m sgdma_verif.regress --seeds $(SEEDS) $(call opt,SEED,seed) --jobs $(JOBS) --sim $(REGRESS_SIM) $(call opt,BUILD,build) \
	    $(call opt,SCHEDULER,scheduler) $(if $(filter 1,$(RESUME)),--resume) --out build/regress

scale: bootstrap  ## regression seeds per minute on 1 and 2 Dask workers; build/bench/scale_out.json (SIM)
	$(PY) -m sgdma_verif.scale_out --sim $(REGRESS_SIM) --out build/bench

coverage: bootstrap  ## Verilator line/toggle (lcov coverage.info, genhtml html/) and cocotb-coverage functional coverage into build/coverage/, the runs as Dask jobs (JOBS SCHEDULER)
	@scripts/bootstrap.sh verilator_coverage genhtml
	$(PY) -m sgdma_verif.coverage --out build/coverage --jobs $(JOBS) $(call opt,SCHEDULER,scheduler)

figures: bootstrap  ## regenerate the quoted figures in README.md and docs/ from build/bench and build/coverage
	$(PY) -m sgdma_verif.figures

clean:  ## remove build/
	rm -rf build sim_build results.xml

distclean: clean  ## remove build/ and .venv
	rm -rf $(VENV) *.egg-info
