"""cocotb entry of `make sim` with BACKEND=rtl: one acquisition on rtl/sgdma.v.

The scenario arrives as JSON in $SGDMA_SCENARIO; the report is written to $SGDMA_REPORT and
progress (bytes read so far) to $SGDMA_PROGRESS, which the CLI turns into a progress bar.  If
the acquisition cannot run, the report is {"error": "<exception class>: <message>"}, so that the
CLI shows the cause rather than pointing at the log.
"""
from __future__ import annotations

import json
import os
import time

import cocotb

from .cosim import CocotbBackend
from sgdma_sim.acquisition import Acquisition, Scenario


@cocotb.test()
async def acquisition(dut):
    progress_path = os.environ.get("SGDMA_PROGRESS")
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if progress_path and now - last[0] > 0.25:
            last[0] = now
            with open(progress_path + ".tmp", "w") as fh:
                json.dump({"done": done, "total": total}, fh)
            os.replace(progress_path + ".tmp", progress_path)

    try:
        scenario = Scenario(**json.loads(os.environ["SGDMA_SCENARIO"]))
        backend = CocotbBackend(dut, os.environ.get("SGDMA_SIM_NAME", "rtl"), checker=False)
        acq = Acquisition(scenario, backend, progress=progress)
        await backend.reset()
        report = await acq.run()
    except Exception as e:
        with open(os.environ["SGDMA_REPORT"], "w") as fh:
            json.dump({"error": f"{type(e).__name__}: {e}"}, fh)
        raise
    with open(os.environ["SGDMA_REPORT"], "w") as fh:
        json.dump(report.to_json(), fh)
    assert report.ok, f"acquisition failed: {report.data_errors} data errors, {report.accounting_errors}"
