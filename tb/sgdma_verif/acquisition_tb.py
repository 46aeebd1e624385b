"""cocotb entry of `make sim` with BACKEND=rtl: one acquisition on rtl/sgdma.v.

The run configuration (sgdma_verif.runconfig) gives the scenario and the files: the report is
written to its ``report`` and progress (bytes read so far) to its ``progress``, which the CLI
turns into a progress bar.  If the acquisition cannot run, the report is
{"error": "<exception class>: <message>"}, so that the CLI shows the cause rather than pointing
at the log.
"""
from __future__ import annotations

import json
import os
import time

import cocotb

from sgdma_sim.acquisition import Acquisition

from .cosim import CocotbBackend
from .runconfig import load_run_config


@cocotb.test()
async def acquisition(dut):
    config = load_run_config()
    report_path = config.need("report")
    progress_path = None if config.progress is None else str(config.progress)
    last = [0.0]

    def progress(done: int, total: int) -> None:
        now = time.monotonic()
        if progress_path and now - last[0] > 0.25:
            last[0] = now
            with open(progress_path + ".tmp", "w") as fh:
                json.dump({"done": done, "total": total}, fh)
            os.replace(progress_path + ".tmp", progress_path)

    try:
        backend = CocotbBackend(dut, config.sim, checker=False)
        acq = Acquisition(config.need("scenario"), backend, progress=progress)
        await backend.reset()
        report = await acq.run()
    except Exception as e:
        with open(report_path, "w") as fh:
            json.dump({"error": f"{type(e).__name__}: {e}"}, fh)
        raise
    with open(report_path, "w") as fh:
        json.dump(report.to_json(), fh)
    assert report.ok, f"acquisition failed: {report.data_errors} data errors, {report.accounting_errors}"
