"""The RTL backend of the driver model: the driver's HwInterface on rtl/sgdma.v under cocotb.

Register accesses go through cocotbext-axi's AxiLiteMaster, interrupts come from the
s2mm_introut pin, and both AXI masters of the engine reach the driver model's physical memory
through its IOMMU (a refused access becomes SLVERR).  The device is an AxiStreamSource paced
to a fraction of the bus rate.
"""
from __future__ import annotations

from typing import Any, Awaitable

import cocotb
from cocotb.triggers import ClockCycles, Event, ReadWrite, RisingEdge
from cocotbext.axi import AxiStreamFrame

from sgdma_driver.iommu import DeviceMemoryPort
from .env import TB


# The order in which callers whose register accesses end in the same clock go on: a write's
# caller before a read's (as on the fast model, whose write completion is scheduled a clock
# before that of a read issued in the same clock).
_WRITE_DONE, _READ_DONE = 0, 1


class InOrder:
    """Hands the callers whose AXI-Lite accesses ended in the same clock back in a fixed order.

    cocotbext-axi's read and write channels finish independently: the R and B sinks, idle,
    wait for their VALID to rise, and when RVALID and BVALID rise in the same clock the
    simulator's order of value-change callbacks (Icarus and Verilator differ) decides which
    sink, and so which caller, goes on first; the caller first then issues its next access
    first, and the register slave serves it first.  Here each caller waits, after its
    access, for the read-write region of that clock, and the callers are released from
    there by rank (writes, then reads), in the order they arrived within a rank: the same on
    every simulator."""

    def __init__(self) -> None:
        self._waiting: list[tuple[int, int, Event]] = []

    async def resume(self, rank: int) -> None:
        ev = Event()
        if not self._waiting:
            cocotb.start_soon(self._release())
        self._waiting.append((rank, len(self._waiting), ev))
        await ev.wait()

    async def _release(self) -> None:
        await ReadWrite()
        waiting, self._waiting = sorted(self._waiting, key=lambda w: w[:2]), []
        for _, _, ev in waiting:
            ev.set()


class CocotbHw:
    """HwInterface implemented with cocotb on the RTL."""

    def __init__(self, tb: TB):
        self.tb = tb
        self.dut = tb.dut
        self.in_order = InOrder()

    async def read_reg(self, offset: int) -> int:
        v = int.from_bytes(await self.tb.lite.read(offset, 4), "little")
        await self.in_order.resume(_READ_DONE)
        return v

    async def write_reg(self, offset: int, value: int) -> None:
        await self.tb.lite.write(offset, int(value).to_bytes(4, "little"))
        await self.in_order.resume(_WRITE_DONE)

    async def wait_irq(self) -> None:
        if not int(self.dut.s2mm_introut.value):
            await RisingEdge(self.dut.s2mm_introut)

    async def sleep(self, cycles: int) -> None:
        await ClockCycles(self.dut.axi_aclk, max(1, int(cycles)))

    def now(self) -> int:
        return self.tb.cycle


def _rate_pauses(rate: float):
    """Deterministic pacing: `rate` beats per clock on average, evenly spread."""
    acc = 0.0
    while True:
        acc += rate
        if acc >= 1.0:
            acc -= 1.0
            yield 0
        else:
            yield 1


class CocotbBackend:
    name = "rtl"

    def __init__(self, dut, simulator: str, checker: bool = True):
        self.dut = dut
        self.checker = checker
        self.simulator = simulator
        self._port: DeviceMemoryPort | None = None
        self.tb: TB | None = None
        self.hw: CocotbHw | None = None
        self.data_width = len(dut.s_axis_s2mm_tdata)
        self._sent = False
        self._mon: dict[str, int] | None = None

    def attach_memory(self, port: DeviceMemoryPort) -> None:
        self.tb = TB(self.dut, port=port, tlast=True, checker=self.checker)
        self.hw = CocotbHw(self.tb)

    async def reset(self) -> None:
        await self.tb.reset()
        if self._mon is None:
            self._mon = {"sent_beats": 0, "written": 0, "w_beats": 0, "waiting_cycles": 0}
            cocotb.start_soon(self._monitor())

    async def _monitor(self) -> None:
        """Counts, every clock: stream beats accepted, clocks the stream offered data while the
        engine had a buffer for it (not ring-full), W data beats and the bytes they carry."""
        d, m = self.dut, self._mon
        tvalid, tready = d.s_axis_s2mm_tvalid, d.s_axis_s2mm_tready
        wvalid, wready, wstrb = d.m_axi_s2mm_wvalid, d.m_axi_s2mm_wready, d.m_axi_s2mm_wstrb
        ring_full = getattr(d, "ring_full", None)
        edge = RisingEdge(d.axi_aclk)
        while True:
            await edge
            if tvalid.value:
                if tready.value:
                    m["sent_beats"] += 1
                if ring_full is None or not ring_full.value:
                    m["waiting_cycles"] += 1
            if wvalid.value and wready.value:
                strb = int(wstrb.value)
                if strb:
                    m["w_beats"] += 1
                    m["written"] += strb.bit_count()

    def probe(self) -> dict[str, int] | None:
        """The monitor's counts so far and the engine's DROPPED_BYTES (read without a bus access)."""
        if self._mon is None:
            return None
        m = self._mon
        dropped = getattr(self.dut, "cnt_drop_bytes", None)
        return {"sent": m["sent_beats"] * (self.data_width // 8), "written": m["written"],
                "dropped": int(dropped.value) if dropped is not None else 0,
                "w_beats": m["w_beats"], "waiting_cycles": m["waiting_cycles"]}

    def spawn(self, coro: Awaitable[Any]) -> Any:
        return cocotb.start_soon(coro)

    async def send_stream(self, data: bytes, rate: float) -> None:
        """One packet: tlast only on the very last byte."""
        await self.send_packets([data], rate)

    async def send_packets(self, packets: list[bytes], rate: float, idle: bool = False) -> None:
        """Each element with tlast; `idle` adds random idle cycles (30 %) instead of pacing."""
        src = self.tb.source
        if idle:
            self.tb.set_idle(True)
        elif rate < 1.0:
            src.set_pause_generator(_rate_pauses(rate))
        for p in packets:
            # a generated stream (sgdma_sim.acquisition.AdcStream) becomes bytes here
            await src.send(AxiStreamFrame(p if isinstance(p, (bytes, bytearray)) else bytes(p)))
        await src.wait()
        self._sent = True

    def stream_done(self) -> bool:
        return self._sent
