"""The documented commands from a fresh clone: make help, the bootstrap's apt-lock wait, the
package metadata, benchmark prerequisites, simulator logs routed to files, and the testbench
progress lines of `make test`."""
from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import threading
import time
import tomllib
from contextlib import contextmanager
from pathlib import Path
from types import SimpleNamespace

from sgdma_verif import toolchain

REPO = Path(__file__).resolve().parent.parent


def readme_targets() -> list[str]:
    text = (REPO / "README.md").read_text()
    return sorted(set(re.findall(r"`make ([a-z-]+)", text)))


def test_make_help_lists_every_documented_target_and_variable():
    proc = subprocess.run(["make", "--no-print-directory", "-C", str(REPO), "help"],
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr
    listed = {m.group(1): m.group(2) for m in re.finditer(r"^  ([a-z-]+) +(.+)$", proc.stdout, re.M)}
    targets = readme_targets()
    assert {"sim", "test", "lint", "bench", "regmap", "test-full", "regress", "coverage", "clean"} <= set(targets)
    for t in targets:
        assert t in listed, f"make help does not list `make {t}`:\n{proc.stdout}"
    for var in ("SIM", "BACKEND", "BUFFERS", "BUF_SIZE", "LAPS", "RATE", "CONSUMER", "POLICY", "WAVES",
                "SEED", "SEEDS", "JOBS"):
        assert re.search(rf"\b{var}=", proc.stdout), f"make help does not show {var}"


@contextmanager
def held_lock(path: Path):
    """An fcntl lock on ``path`` held by a child process (as apt and dpkg hold theirs) until the
    block ends or the child's stdin is closed."""
    code = ("import fcntl, os, sys\n"
            f"fd = os.open({str(path)!r}, os.O_RDWR | os.O_CREAT)\n"
            "fcntl.lockf(fd, fcntl.LOCK_EX)\n"
            "print('locked', flush=True)\n"
            "sys.stdin.read()\n")
    proc = subprocess.Popen([sys.executable, "-c", code], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert proc.stdout.readline().strip() == "locked"
    try:
        yield proc
    finally:
        proc.stdin.close()
        proc.wait(30)


def _wait_for_lock(lock: Path, timeout: int) -> subprocess.CompletedProcess:
    env = dict(os.environ, APT_LOCKS=str(lock), APT_LOCK_TIMEOUT=str(timeout))
    return subprocess.run([str(REPO / "scripts" / "bootstrap.sh"), "--wait-for-apt-lock"],
                          capture_output=True, text=True, env=env, timeout=120)


def test_bootstrap_waits_for_the_apt_lock_and_says_so(tmp_path):
    lock = tmp_path / "lock-frontend"
    with held_lock(lock) as holder:
        release = threading.Timer(1.5, holder.stdin.close)
        release.start()
        t0 = time.monotonic()
        proc = _wait_for_lock(lock, 60)
        waited = time.monotonic() - t0
        release.join()
    assert proc.returncode == 0, proc.stderr
    assert f"{lock} is held by process {holder.pid} (python" in proc.stdout and "waiting" in proc.stdout
    assert "lock is free" in proc.stdout
    assert waited >= 1.0


def test_bootstrap_gives_up_after_the_timeout_with_a_message(tmp_path):
    lock = tmp_path / "lock"
    with held_lock(lock):
        proc = _wait_for_lock(lock, 1)
    assert proc.returncode == 1
    assert "still held by process" in proc.stderr and "APT_LOCK_TIMEOUT=1" in proc.stderr


def test_bootstrap_passes_the_lock_timeout_to_apt_get():
    text = (REPO / "scripts" / "bootstrap.sh").read_text()
    assert "DPkg::Lock::Timeout=$APT_LOCK_TIMEOUT" in text


def test_license_is_an_spdx_string_with_the_license_file():
    meta = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    assert meta["license"] == "MIT"
    assert meta["license-files"] == ["LICENSE"]
    text = (REPO / "LICENSE").read_text()
    assert text.startswith("MIT License") and "WITHOUT WARRANTY OF ANY KIND" in text


def test_bench_model_creates_its_calibration_directory(tmp_path, monkeypatch):
    """On a fresh clone build/ does not exist: the benchmark must not rely on a test run."""
    from sgdma_sim import model
    from sgdma_verif import bench, rtl_backend
    from sgdma_verif.calibration import CASES, run_on_model

    monkeypatch.setattr(toolchain, "BUILD_DIR", tmp_path / "fresh" / "build")
    fake_report = {"ok": True, "wall_s": 0.1, "bytes": 1, "cycles": 100, "cycles_per_s": 1000.0,
                   "accounting_errors": [], "data_errors": 0}
    monkeypatch.setattr(model, "run_scenario", lambda sc, **kw: dict(fake_report))
    monkeypatch.setattr(rtl_backend, "run_rtl", lambda *a, **kw: dict(fake_report, cycles_per_s=10.0))

    def fake_build_and_test(module, sim, parameters=None, config=None, **kw):
        for case in CASES:      # what sgdma_verif.calibration_tb does
            config.append_result(run_on_model(case, parameters["DATA_WIDTH"]).to_json(), required=True)
    monkeypatch.setattr(toolchain, "build_and_test", fake_build_and_test)
    out = tmp_path / "bench"
    out.mkdir()
    doc = bench.bench_model(out, "icarus")
    assert (tmp_path / "fresh" / "build" / "calibration").is_dir()
    assert doc["calibration_max_cycle_error"] == 0.0
    assert json.loads((out / "model.json").read_text())["speedup"]["median"] == 100.0


class FakeRunner:
    def __init__(self):
        self.calls = []

    def build(self, **kw):
        self.calls.append(("build", kw))

    def test(self, **kw):
        self.calls.append(("test", kw))
        Path(kw["log_file"]).write_text("     0.00ns INFO     cocotb.regression   running x\n" * 100)
        xml = Path(kw["test_dir"]) / "results.xml"
        xml.write_text('<testsuites><testsuite tests="3" failures="0" errors="0"/></testsuites>')
        return xml


def test_simulator_output_goes_to_a_log_file_with_one_progress_line(tmp_path, monkeypatch, capsys):
    import cocotb_tools.runner

    runner = FakeRunner()
    monkeypatch.setattr(cocotb_tools.runner, "get_runner", lambda sim: runner)
    monkeypatch.setattr(toolchain, "BUILD_DIR", tmp_path / "build")
    monkeypatch.setenv("SGDMA_LOG_DIR", str(tmp_path / "logs"))
    monkeypatch.delenv("PYTHONWARNINGS", raising=False)
    toolchain.build_and_test("bench_sgdma", "icarus", {"DATA_WIDTH": 32}, test_dir=tmp_path / "run")
    err = capsys.readouterr().err
    logs = list((tmp_path / "logs").glob("*.log"))
    assert len(logs) == 1 and "running x" in logs[0].read_text()
    lines = err.strip().splitlines()
    assert len(lines) == 2 and "bench_sgdma on icarus (DATA_WIDTH=32)" in lines[0] and logs[0].name in lines[0]
    assert "3/3 cocotb tests passed" in lines[1]
    env = runner.calls[-1][1]["extra_env"]
    # cocotbext-axi's DeprecationWarnings are filtered, Python's default display kept for ours
    assert env["PYTHONWARNINGS"].startswith("default,")
    assert "ignore::DeprecationWarning:cocotbext.axi.stream" in env["PYTHONWARNINGS"]


def test_make_test_shows_each_testbench_start_and_end():
    import importlib.util

    spec = importlib.util.spec_from_file_location("sgdma_root_conftest", REPO / "conftest.py")
    conftest = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(conftest)
    lines = []
    reporter = SimpleNamespace(_tw=SimpleNamespace(width_of_current_line=0), write=lines.append,
                               write_line=lines.append)
    config = SimpleNamespace(pluginmanager=SimpleNamespace(get_plugin=lambda name: reporter))
    plugin = conftest.TestbenchProgress(config)
    node = "tb/test_sgdma_dma.py::test_sgdma_dma[icarus-dw64_aw32]"
    plugin.pytest_runtest_logstart(node, ("tb/test_sgdma_dma.py", 1, "x"))
    plugin.pytest_runtest_logstart("tests/test_model.py::test_x", ("tests/test_model.py", 1, "x"))
    for when in ("setup", "call", "teardown"):
        plugin.pytest_runtest_logreport(SimpleNamespace(
            nodeid=node, when=when, outcome="passed", passed=True, duration=12.34,
            node=SimpleNamespace(gateway=SimpleNamespace(id="gw1"))))
    assert lines == [f"testbench started  {node}", f"testbench passed   {node} in 12.3 s on gw1"]


def test_coverage_build_is_an_argument_and_make_coverage_passes_it(tmp_path, monkeypatch):
    """Line and toggle coverage come from build_and_test(coverage=True), not from the
    environment; `make coverage` asks for it on every run and hands the seeds over in the run
    configuration."""
    import cocotb_tools.runner
    from sgdma_verif import coverage

    runner = FakeRunner()
    monkeypatch.setattr(cocotb_tools.runner, "get_runner", lambda sim: runner)
    monkeypatch.setattr(toolchain, "BUILD_DIR", tmp_path / "build")
    for cov in (False, True):
        toolchain.build_and_test("x", "verilator", {}, test_dir=tmp_path / "run", log_file=tmp_path / "x.log",
                                 coverage=cov)
        build = [kw for what, kw in runner.calls if what == "build"][-1]
        assert ("--coverage-toggle" in build["build_args"]) == cov
        assert build["build_dir"].name.endswith("_cov") == cov

    calls = []
    monkeypatch.setattr(toolchain, "build_and_test", lambda module, sim, params, **kw: calls.append((module, kw)))
    from sgdma_sim import cluster

    with cluster.connect(workers=1, processes=False) as client:   # threads: they see the patch
        coverage.run_all(tmp_path / "cov", seeds=3, client=client)
    assert len(calls) == len(coverage.RUNS) and all(kw.get("coverage") is True for _, kw in calls)
    # each Dask worker builds into its own directory
    assert all(kw["build_root"].parent == tmp_path / "build" / "sim_build" / "workers" for _, kw in calls)
    assert len(cluster.done_results(tmp_path / "cov" / "journal.jsonl")) == len(coverage.RUNS)
    by_module = {m: kw.get("config") for m, kw in calls}
    assert by_module["test_regress"].seeds == [1000, 1001, 1002]
    assert by_module["test_regress"].results == tmp_path / "cov" / "regress.jsonl"
    assert by_module["sgdma_verif.calibration_tb"].results == tmp_path / "cov" / "calibration.jsonl"
