"""cocotb tests of the calibration program (tb/test_calibration.py and `make bench` run them).

``calibrate`` runs one case of sgdma_verif.calibration.CASES on the RTL and appends its
observable result to $SGDMA_CAL_OUT.  ``agree`` runs whole acquisitions (the cells, as JSON,
in $SGDMA_AGREE; results to $SGDMA_AGREE_OUT) so that they can be compared with the model.
"""
from __future__ import annotations

import json
import os

import cocotb

from sgdma_sim.acquisition import Acquisition, Scenario

from .calibration import CASES, fault_for, observe, run_case, setup_memory
from .cosim import CocotbBackend

CASE_BY_NAME = {c.name: c for c in CASES}
AGREE_CELLS = [Scenario(**c) for c in json.loads(os.environ.get("SGDMA_AGREE", "[]"))]


@cocotb.test()
@cocotb.parametrize(name=[c.name for c in CASES])
async def calibrate(dut, name):
    case = CASE_BY_NAME[name]
    mem, port, descs, _ = setup_memory(case)
    be = CocotbBackend(dut, "rtl")
    be.attach_memory(port)
    be.tb.set_backpressure(case.backpressure)
    be.tb.sg_rd.fault = fault_for(case, descs)
    await be.reset()
    result = await run_case(be, case, mem, port, descs)
    with open(os.environ["SGDMA_CAL_OUT"], "a") as fh:
        fh.write(json.dumps(result.to_json()) + "\n")


@cocotb.test()
@cocotb.parametrize(index=list(range(max(1, len(AGREE_CELLS)))))
async def agree(dut, index):
    if not AGREE_CELLS:
        return
    cell = AGREE_CELLS[index]
    be = CocotbBackend(dut, os.environ.get("SGDMA_SIM_NAME", "rtl"), checker=False)
    acq = Acquisition(cell, be)
    await be.reset()
    obs = await observe(acq, await acq.run())
    with open(os.environ["SGDMA_AGREE_OUT"], "a") as fh:
        fh.write(json.dumps(obs) + "\n")
