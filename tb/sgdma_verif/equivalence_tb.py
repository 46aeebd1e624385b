"""cocotb side of the rtl-fast equivalence test (tb/test_fast_equivalence.py): each cell of the
run configuration's ``cells`` as one acquisition on the cocotb backend, its observation
(sgdma_verif.equivalence.observe) appended to the ``results`` file."""
from __future__ import annotations

import cocotb

from sgdma_sim.acquisition import Acquisition

from .cosim import CocotbBackend
from .equivalence import observe
from .runconfig import load_run_config

CONFIG = load_run_config()
CELLS = CONFIG.cells


@cocotb.test()
@cocotb.parametrize(index=list(range(max(1, len(CELLS)))))
async def equivalence(dut, index):
    if not CELLS:
        return
    be = CocotbBackend(dut, CONFIG.sim, checker=True)
    acq = Acquisition(CELLS[index], be)
    await be.reset()
    obs = await observe(acq)
    CONFIG.append_result(dict(obs, index=index), required=True)
