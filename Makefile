# sgdma: scatter-gather DMA verification and co-simulation kit.
#   make sim    the main job: driver model + engine acquisition, report and plots (build/sim/)
#   make test   the test suite: unit tests and cocotb testbenches on Icarus and Verilator
#   make lint   verilator --lint-only -Wall over rtl/ (fails on any warning)
#   make bench  benchmarks; figures printed and written to build/bench/*.json
#   make regress / make test-full   long regressions (not part of make test)
# Variables: SIM=icarus|verilator (default icarus), WAVES=1, BACKEND=rtl|model, and the
# scenario knobs of `make sim` (BUFFERS, BUF_SIZE, LAPS, RATE, CONSUMER, POLICY).

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

.PHONY: all sim test test-full lint bench regress coverage figures clean distclean bootstrap regmap

all: test

bootstrap: $(STAMP)
	@scripts/bootstrap.sh

$(STAMP): pyproject.toml
	@scripts/bootstrap.sh

sim: bootstrap
	@if [ "$(WAVES)" = 1 ] && [ "$(SIM)" = verilator ]; then scripts/bootstrap.sh liblz4-dev; fi
	$(PY) -m sgdma_sim.cli run --backend $(BACKEND) --sim $(SIM) --buffers $(BUFFERS) \
	    --buf-size $(BUF_SIZE) --laps $(LAPS) --rate $(RATE) --consumer $(CONSUMER) \
	    --policy $(POLICY) --seed $(SEED) $(if $(filter 1,$(WAVES)),--waves) --out build/sim

test: bootstrap
	SGDMA_SIMS="$(TEST_SIMS)" $(PY) -m pytest -n $(JOBS) -p no:cacheprovider

test-full: bootstrap
	SGDMA_SIMS="$(TEST_SIMS)" SGDMA_FULL=1 $(PY) -m pytest -n $(JOBS) -p no:cacheprovider

lint: bootstrap
	$(PY) -m sgdma_sim.toolchain lint

regmap: bootstrap
	$(PY) -m sgdma_driver.regmap --write

bench: bootstrap
	@scripts/bootstrap.sh yosys
	SGDMA_SIMS="$(SIM)" $(PY) -m sgdma_sim.bench --out build/bench

# The regression defaults to Verilator (faster on long runs); SIM=icarus selects Icarus.
REGRESS_SIM := $(if $(filter command line environment,$(origin SIM)),$(SIM),verilator)

regress: bootstrap
	$(PY) -m sgdma_sim.regress --seeds $(SEEDS) --seed $(SEED) --jobs $(JOBS) --sim $(REGRESS_SIM) --out build/regress

coverage: bootstrap
	$(PY) -m sgdma_sim.coverage --out build/coverage

figures: bootstrap
	$(PY) -m sgdma_sim.figures

clean:
	rm -rf build sim_build results.xml

distclean: clean
	rm -rf $(VENV) *.egg-info
