"""cocotb entry of ``sgdma-sim c-driver --backend rtl``: a C driver against rtl/sgdma.v.

The run configuration gives the C driver's settings (``cdriver``, with the compiled library)
and the report file.  The C entry function runs in a thread started with cocotb's ``bridge``;
each of its platform calls runs on the simulator through ``resume`` (``CocotbHost.call``),
so the simulation advances only while the C code waits on it.  The engine's AXI masters
reach the simulated RAM through ``BusMemory`` (the cache-contract checks), the device is the
testbench's AXI4-Stream source.  If the run cannot start, the report is {"error": ...}.
"""
from __future__ import annotations

import json
from typing import Any, Coroutine

import cocotb
from cocotb.task import bridge, resume
from cocotb.triggers import ClockCycles, FallingEdge, First, RisingEdge

from sgdma_driver.physmem import PhysicalMemory
from sgdma_sim.cdriver import BusMemory, CDriverConfig, CSession

from .cosim import CocotbBackend
from .runconfig import load_run_config


class CocotbHost:
    """The RTL under cocotb as the C session's host (see sgdma_sim.cdriver.Host)."""

    def __init__(self, backend: CocotbBackend):
        self.backend = backend
        self.hw = backend.hw
        self.dut = backend.dut
        self._level = bool(int(self.dut.s2mm_introut.value))
        self._edges = 0
        cocotb.start_soon(self._monitor())

    async def _monitor(self) -> None:
        """Keeps the line's level and counts its rising edges (the C thread reads these, never
        the simulator's handles)."""
        sig = self.dut.s2mm_introut
        while True:
            if self._level:
                await FallingEdge(sig)
                self._level = False
            else:
                await RisingEdge(sig)
                self._level = True
                self._edges += 1

    def call(self, coro: Coroutine) -> Any:
        async def run():
            return await coro
        return resume(run)()

    def line(self) -> bool:
        return self._level

    def edges(self) -> int:
        return self._edges

    async def wait_line(self, cycles: int, edge_after: int | None) -> bool:
        def ready() -> bool:
            return self._edges > edge_after if edge_after is not None else self._level
        if ready():
            return True
        rise = RisingEdge(self.dut.s2mm_introut)
        fired = await First(rise, ClockCycles(self.dut.axi_aclk, cycles))
        return fired is rise or ready()

    def start_stream(self, packets: list, rate: float) -> None:
        cocotb.start_soon(self.backend.send_packets(packets, rate))

    def stream_done(self) -> bool:
        return self.backend.stream_done()


@cocotb.test()
async def c_driver(dut):
    config = load_run_config()
    report_path = config.need("report")
    try:
        cfg = CDriverConfig.from_json(config.need("cdriver"))
        backend = CocotbBackend(dut, config.sim, checker=True)
        mem = PhysicalMemory(cfg.mem_size, base=cfg.mem_base, name="sgdma-c-driver")
        bus = BusMemory(mem, lambda: backend.tb.cycle)
        backend.attach_memory(bus)
        await backend.reset()
        session = CSession(cfg, bus, CocotbHost(backend), "rtl", config.sim)
        report = await bridge(session.run_entry)()
    except Exception as e:
        with open(report_path, "w") as fh:
            json.dump({"error": f"{type(e).__name__}: {e}"}, fh)
        raise
    with open(report_path, "w") as fh:
        json.dump(report, fh)
