"""The RTL backend of ``sgdma-sim c-driver``: builds the engine, runs the cocotb module
``sgdma_verif.cdriver_tb`` with the compiled C driver, returns its report.  The CLI finds
``run_c_driver_rtl`` through the ``rtl-c-driver`` entry point of ``sgdma_sim.backends``."""
from __future__ import annotations

import json
import sys
import threading
from pathlib import Path
from typing import Any

from sgdma_sim.cdriver import CDriverConfig
from sgdma_sim.errors import SimulationError

from . import toolchain
from .runconfig import RunConfig
from .toolchain import log_errors


def run_c_driver_rtl(cfg: CDriverConfig, out: Path, waves: bool = False) -> dict[str, Any]:
    """One C driver run on rtl/sgdma.v under ``cfg.sim``; SimulationError with the cause when
    the simulation cannot run or writes no report.  A failing run is a report with ok False."""
    run_dir = out / f"rtl_{cfg.sim}"
    log = run_dir / "sim.log"
    report_path = out / "rtl_report.json"
    report_path.unlink(missing_ok=True)
    config = RunConfig(sim=cfg.sim, report=report_path, cdriver=cfg.to_json())
    run_dir.mkdir(parents=True, exist_ok=True)
    print(f"building rtl/sgdma.v for {cfg.sim} and running the C driver (log: {log})", file=sys.stderr)
    result: dict[str, Any] = {}

    def work() -> None:
        try:
            toolchain.build_and_test("sgdma_verif.cdriver_tb", cfg.sim, {}, waves=waves, config=config,
                                     test_dir=run_dir, log_file=log)
        except BaseException as e:  # noqa: BLE001 - reported below
            result["error"] = e
    th = threading.Thread(target=work, daemon=True)
    th.start()
    th.join()       # (C code stuck outside the platform is stopped by the session's watchdog)
    rep = json.loads(report_path.read_text()) if report_path.exists() else None
    if rep is None or "error" in rep:
        cause = rep["error"] if rep else "; ".join(log_errors(log)) or str(result.get("error", "no report"))
        raise SimulationError(f"the RTL simulation of the C driver failed: {cause} (log: {log})")
    return rep
