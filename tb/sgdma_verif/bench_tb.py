"""Throughput and latency benchmark of rtl/sgdma.v (run by `make bench`, not by `make test`).

One cocotb test per (descriptor size, write-response latency): a chain of 16 descriptors, a
continuous stream (no tlast), memory that always accepts.  A cycle monitor records every
handshake and derives:
  efficiency        data beats / cycles from the first tvalid to the last status write-back
                    (includes the write-response latency of the last buffer)
  w_efficiency      data beats / cycles from the first tvalid to the last data W beat: the
                    streaming rate, W beats per clock while data was waiting
  tail_to_fetch     TAILDESC write (AXI-Lite W handshake) -> first m_axi_sg arvalid
  tvalid_to_awvalid first s_axis tvalid -> first m_axi_s2mm awvalid (engine armed: the stream
                    starts 40 cycles after the TAILDESC write)
  gap_cycles        idle W cycles between consecutive descriptors (mean; max also recorded)
Results are appended as JSON lines to the run configuration's ``results`` file.
"""
from __future__ import annotations

import logging

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge

from sgdma_driver import regmap as rm
from .env import TB, pattern
from .runconfig import load_run_config

N_DESC = 16
SIZES = [64, 1024, 4096, 10000, 65536]
LATENCIES = [0, 32]


class CycleMonitor:
    """Samples the handshakes of interest on every clock edge."""

    def __init__(self, dut):
        self.dut = dut
        self.cycle = 0
        self.tail_write = None
        self.first_ar = None
        self.first_tvalid = None
        self.first_aw = None
        self.w_beats: list[int] = []          # cycle of every data W handshake
        self.aw: list[tuple[int, int]] = []   # (addr, beats) of every data burst
        self.status_writes: list[int] = []    # cycle of every status W handshake
        self.running = True
        cocotb.start_soon(self._run())

    async def _run(self):
        d = self.dut
        tail_off = rm.REG["S2MM_TAILDESC"].offset
        while self.running:
            await RisingEdge(d.axi_aclk)
            c = self.cycle
            if (self.tail_write is None and d.s_axi_lite_wvalid.value and d.s_axi_lite_wready.value
                    and int(d.s_axi_lite_awaddr.value) == tail_off):
                self.tail_write = c
            if self.first_ar is None and self.tail_write is not None and d.m_axi_sg_arvalid.value:
                self.first_ar = c
            if self.first_tvalid is None and d.s_axis_s2mm_tvalid.value:
                self.first_tvalid = c
            if d.m_axi_s2mm_awvalid.value and d.m_axi_s2mm_awready.value:
                if self.first_aw is None:
                    self.first_aw = c
                self.aw.append((int(d.m_axi_s2mm_awaddr.value), int(d.m_axi_s2mm_awlen.value) + 1))
            if self.first_aw is None and d.m_axi_s2mm_awvalid.value:
                self.first_aw = c
            if d.m_axi_s2mm_wvalid.value and d.m_axi_s2mm_wready.value:
                self.w_beats.append(c)
            if d.m_axi_sg_wvalid.value and d.m_axi_sg_wready.value:
                self.status_writes.append(c)
            self.cycle += 1


def _gaps(mon: CycleMonitor, bufs: list[tuple[int, int]], db: int) -> list[int]:
    """Idle W cycles between the last beat of descriptor k and the first of k+1."""
    beat_addrs = []
    for addr, beats in mon.aw:
        beat_addrs += [addr + i * db for i in range(beats)]
    owner = []
    for a in beat_addrs:
        owner.append(next(i for i, (b, n) in enumerate(bufs) if b // db * db <= a < b + n))
    gaps = []
    for k in range(len(bufs) - 1):
        last = max(i for i, o in enumerate(owner) if o == k)
        first = min(i for i, o in enumerate(owner) if o == k + 1)
        gaps.append(mon.w_beats[first] - mon.w_beats[last] - 1)
    return gaps


async def _measure(dut, size: int, b_latency: int) -> dict:
    tb = TB(dut, mem_size=N_DESC * (size + 4096) + (1 << 16), tlast=False, b_latency=b_latency, checker=False)
    await tb.reset()
    db = tb.bytes_per_beat
    base = 0x10000
    bufs = [(base + i * ((size + 4095) // 4096 * 4096), size) for i in range(N_DESC)]
    descs = tb.write_chain(0x1000, bufs)
    mon = CycleMonitor(dut)
    await tb.start(descs[0], descs[-1], irq=False)
    # The device starts streaming once the engine is armed (descriptors prefetched), as in
    # PG021's latency figures; the prefetch itself is measured by tail_to_fetch.
    await ClockCycles(dut.axi_aclk, 40)
    await tb.send(pattern(size * N_DESC, seed=size))
    await tb.wait_status(descs[-1], timeout_cycles=2_000_000)
    await ClockCycles(dut.axi_aclk, 5)
    mon.running = False
    for i, (addr, n) in enumerate(bufs):
        assert rm.STATUS.LENGTH.get(tb.status(descs[i])) == n
    beats = len(mon.w_beats)
    span = mon.status_writes[-1] - mon.first_tvalid + 1
    gaps = _gaps(mon, bufs, db)
    return {
        "data_width": tb.data_width,
        "desc_bytes": size,
        "b_latency": b_latency,
        "data_beats": beats,
        "cycles": span,
        "efficiency": round(beats / span, 5),
        "w_efficiency": round(beats / (mon.w_beats[-1] - mon.first_tvalid + 1), 5),
        "tail_to_fetch_cycles": mon.first_ar - mon.tail_write,
        "tvalid_to_awvalid_cycles": mon.first_aw - mon.first_tvalid,
        "gap_cycles": round(sum(gaps) / len(gaps), 3),
        "gap_max_cycles": max(gaps),
    }


@cocotb.test()
@cocotb.parametrize(size=SIZES, b_latency=LATENCIES)
async def throughput(dut, size, b_latency):
    result = await _measure(dut, size, b_latency)
    logging.getLogger("cocotb.sgdma.bench").info("bench %s", result)
    load_run_config().append_result(result)
