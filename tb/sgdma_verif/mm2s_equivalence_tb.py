"""cocotb side of the MM2S rtl-fast equivalence (tb/test_fast_equivalence.py): every cell of
sgdma_verif.mm2s_equivalence run on the testbench environment (cocotbext-axi bus models, the
protocol checker on every port), its observation appended to the run configuration's
``results`` file."""
from __future__ import annotations

import cocotb
from cocotb.triggers import First, RisingEdge, Timer

from .env import CLK_NS, TB
from .mm2s_equivalence import CELLS, MEM_SIZE, load, plan, program
from .runconfig import load_run_config

CONFIG = load_run_config()


class CocotbHw:
    """``Hw`` over the testbench environment: register names, mm2s_introut, the sink's packets."""

    def __init__(self, tb: TB):
        self.tb, self.mem = tb, tb.mem
        self.clocks = 0
        self._got: list[bytes] = []
        cocotb.start_soon(self._count())

    async def _count(self) -> None:
        while True:
            await RisingEdge(self.tb.dut.axi_aclk)
            self.clocks += 1

    async def write_reg(self, name: str, value: int) -> None:
        await self.tb.write_reg(name, value)

    async def read_reg(self, name: str) -> int:
        return await self.tb.read_reg(name)

    async def wait_irq(self, max_clocks: int) -> bool:
        irq = self.tb.dut.mm2s_introut
        if int(irq.value):
            return True
        await First(RisingEdge(irq), Timer(max_clocks * CLK_NS, unit="ns"))
        return bool(int(irq.value))

    def clock(self) -> int:
        return self.clocks

    def packets(self) -> list[bytes]:
        while not self.tb.sink.empty():
            self._got.append(bytes(self.tb.sink.recv_nowait().tdata))
        return list(self._got)


@cocotb.test()
@cocotb.parametrize(index=list(range(len(CELLS))))
async def mm2s_equivalence(dut, index):
    tb = TB(dut, mem_size=MEM_SIZE)
    cell = CELLS[index]
    p = plan(cell, tb.bytes_per_beat)
    load(tb.mem, p)
    await tb.reset()
    obs = await program(CocotbHw(tb), cell, p)
    CONFIG.append_result(dict(obs, index=index), required=True)
