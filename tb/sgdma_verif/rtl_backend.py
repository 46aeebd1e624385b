"""The RTL backend of `sgdma-sim run`: one acquisition on rtl/sgdma.v under a simulator.

Builds the engine, runs the cocotb module `sgdma_verif.acquisition_tb` (the driver model and
the acquisition flow against the RTL), follows its progress file with a progress bar and
returns its report.  `sgdma-sim` finds `run_rtl` through the `sgdma_sim.backends` entry point.
"""
from __future__ import annotations

import json
import shutil
import sys
import threading
from pathlib import Path

from sgdma_sim.acquisition import Scenario
from sgdma_sim.options import progress_bar
from sgdma_sim.errors import SimulationError

from . import toolchain
from .runconfig import RunConfig
from .toolchain import log_errors


def run_rtl(sc: Scenario, sim: str, out: Path, waves: bool) -> dict:
    """One acquisition on rtl/sgdma.v under ``sim``; raises SimulationError with the cause
    (from the simulation's own report, else the last error lines of its log) when it fails."""
    from cocotb_tools.runner import get_results

    run_dir = out / f"rtl_{sim}"
    log = run_dir / "sim.log"
    report_path, progress_path = out / "rtl_report.json", out / "progress.json"
    for p in (report_path, progress_path):
        p.unlink(missing_ok=True)
    config = RunConfig(sim=sim, scenario=sc, report=report_path, progress=progress_path)
    result: dict = {}

    def work():
        try:
            result["xml"] = toolchain.build_and_test("sgdma_verif.acquisition_tb", sim, {}, waves=waves, config=config,
                                                     test_dir=run_dir, log_file=log)
        except BaseException as e:  # noqa: BLE001 - reported below
            result["error"] = e

    run_dir.mkdir(parents=True, exist_ok=True)
    print(f"building rtl/sgdma.v for {sim} and running the acquisition (log: {log})", file=sys.stderr)
    th = threading.Thread(target=work)
    th.start()
    rep = _follow(th, sc.total_bytes, f"{sim} acquisition", progress_path, report_path)
    if rep is not None and "error" in rep:
        raise SimulationError(f"the RTL acquisition failed: {rep['error']} (log: {log})")
    if "error" in result or rep is None:
        logs = [log] + sorted((toolchain.BUILD_DIR / "sim_build" / sim).glob("sgdma_*/build.log"),
                              key=lambda p: p.stat().st_mtime)[-1:]
        cause = "; ".join(log_errors(*logs)) or (str(result["error"]) if "error" in result else "no error in the log")
        what = "failed to run" if "error" in result else "wrote no report"
        raise SimulationError(f"the RTL simulation {what}: {cause} (log: {log})")
    tests, failed = get_results(result["xml"])
    if failed and rep.get("ok"):
        rep["ok"] = False
        rep["accounting_errors"].append("the cocotb acquisition test failed")
    if waves:
        rep["waves"] = [str(_copy_waves(sim, run_dir, out, log))]
    return rep


def _follow(th: threading.Thread, total: int, desc: str, progress_path: Path, report_path: Path) -> dict | None:
    """Shows the simulation's progress file as a progress bar until it ends; its report, or None."""
    bar = progress_bar(total, desc)
    while th.is_alive():
        th.join(0.5)
        try:
            done = json.loads(progress_path.read_text())["done"]
            bar.update(min(done, bar.total) - bar.n)
        except (OSError, ValueError, KeyError):
            pass
    rep = None
    if report_path.exists():
        try:
            rep = json.loads(report_path.read_text())
        except ValueError:
            rep = None
    if rep is not None and "error" not in rep:
        bar.update(bar.total - bar.n)
    bar.close()
    return rep


def _copy_waves(sim: str, run_dir: Path, out: Path, log: Path) -> Path:
    """The newest FST waveform of the run, copied to out/sgdma_<sim>.fst."""
    found = sorted(run_dir.glob("*.fst")) + sorted((toolchain.BUILD_DIR / "sim_build" / sim).glob("*_waves/*.fst"))
    if not found:
        raise SimulationError(f"--waves given but the simulation left no FST file (log: {log})")
    dest = out / f"sgdma_{sim}.fst"
    shutil.copyfile(max(found, key=lambda p: p.stat().st_mtime), dest)
    return dest
