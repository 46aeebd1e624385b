"""cocotb tests of the calibration program (tb/test_calibration.py and `make bench` run them).

``calibrate`` runs one case of sgdma_verif.calibration.CASES on the RTL and appends its
observable result to the run configuration's ``results`` file.  ``agree`` runs whole
acquisitions (the configuration's ``cells``; observations appended to ``results`` as well) so
that they can be compared with the model.  ``lite`` records the register-access timing
(sgdma_verif.calibration.lite_timing) as a results line.
"""
from __future__ import annotations

import cocotb

from sgdma_driver.iommu import DeviceMemoryPort, Iommu
from sgdma_driver.physmem import PhysicalMemory
from sgdma_sim.acquisition import Acquisition

from .calibration import CASES, fault_for, lite_timing, observe, run_case, setup_memory
from .cosim import CocotbBackend
from .runconfig import load_run_config

CASE_BY_NAME = {c.name: c for c in CASES}
CONFIG = load_run_config()
AGREE_CELLS = CONFIG.cells


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
    CONFIG.append_result(result.to_json(), required=True)


@cocotb.test()
@cocotb.parametrize(index=list(range(max(1, len(AGREE_CELLS)))))
async def agree(dut, index):
    if not AGREE_CELLS:
        return
    cell = AGREE_CELLS[index]
    be = CocotbBackend(dut, CONFIG.sim, checker=False)
    acq = Acquisition(cell, be)
    await be.reset()
    obs = await observe(acq, await acq.run())
    CONFIG.append_result(obs, required=True)


@cocotb.test()
async def lite(dut):
    be = CocotbBackend(dut, CONFIG.sim, checker=False)
    be.attach_memory(DeviceMemoryPort(Iommu(PhysicalMemory(1 << 20), passthrough=True)))
    await be.reset()
    CONFIG.append_result(await lite_timing(be), required=True)
