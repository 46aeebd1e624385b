"""MM2S throughput benchmark of rtl/sgdma.v with INCLUDE_MM2S=1 (run by `make bench`, not by
`make test`).

One cocotb test per (descriptor size, read latency, packet shape): a chain of 16 descriptors
in tail mode, the stream sink always ready, the read RAM answering every AR ``r_latency``
clocks after accepting it.  Packet shapes: "per_buffer" (TXSOF and TXEOF on every descriptor)
and "one" (one packet over the 16 buffers: TXEOF on the last only).  A cycle monitor records
every handshake and derives:
  efficiency          stream beats / clocks from the first stream beat to the last
  e2e_efficiency      stream beats / clocks from the first m_axi_mm2s ARVALID to the last
                      stream beat (the read latency of the first burst included)
  r_efficiency        R beats / clocks from the first R beat to the last
  idle_stream_cycles  clocks without a stream beat between the first and the last one (the
                      sink never stalls, so each is the engine's)
  idle_between_buffers_max  the longest run of idle stream clocks at a buffer boundary
  tail_to_ar_cycles   MM2S_TAILDESC write (AXI-Lite W handshake) -> first m_axi_mm2s ARVALID
Every streamed byte is compared with the buffers.  Results are appended as JSON lines (with
"channel": "mm2s") to the run configuration's ``results`` file.
"""
from __future__ import annotations

import logging

import cocotb
from cocotb.triggers import ClockCycles, RisingEdge

from sgdma_driver import regmap as rm
from .env import TB, pattern
from .runconfig import load_run_config

N_DESC = 16
SIZES = [1024, 10000]
LATENCIES = [0, 32]
SHAPES = ["per_buffer", "one"]


class StreamMonitor:
    def __init__(self, dut):
        self.dut = dut
        self.cycle = 0
        self.tail_write = None
        self.first_ar = None
        self.stream: list[tuple[int, int]] = []   # (cycle, TKEEP popcount) of every stream beat
        self.r_beats: list[int] = []
        self.running = True
        cocotb.start_soon(self._run())

    async def _run(self):
        d = self.dut
        tail_off = rm.REG["MM2S_TAILDESC_MSB" if len(d.m_axi_mm2s_araddr) > 32 else "MM2S_TAILDESC"].offset
        while self.running:
            await RisingEdge(d.axi_aclk)
            c = self.cycle
            if (self.tail_write is None and d.s_axi_lite_wvalid.value and d.s_axi_lite_wready.value
                    and int(d.s_axi_lite_awaddr.value) == tail_off):
                self.tail_write = c
            if self.first_ar is None and self.tail_write is not None and d.m_axi_mm2s_arvalid.value:
                self.first_ar = c
            if d.m_axis_mm2s_tvalid.value and d.m_axis_mm2s_tready.value:
                self.stream.append((c, bin(int(d.m_axis_mm2s_tkeep.value)).count("1")))
            if d.m_axi_mm2s_rvalid.value and d.m_axi_mm2s_rready.value:
                self.r_beats.append(c)
            self.cycle += 1


async def _measure(dut, size: int, r_latency: int, shape: str) -> dict:
    stride = (size + 4095) // 4096 * 4096
    tb = TB(dut, mem_size=N_DESC * stride + (1 << 17), checker=False, r_latency=r_latency)
    await tb.reset()
    base = 0x20000
    bufs = [(base + i * stride, size) for i in range(N_DESC)]
    for i, (a, n) in enumerate(bufs):
        tb.mem[a:a + n] = pattern(n, seed=size + i)
    frames = ([(True, True)] * N_DESC if shape == "per_buffer"
              else [(i == 0, i == N_DESC - 1) for i in range(N_DESC)])
    descs = tb.write_tx_chain(0x1000, bufs, frames)
    mon = StreamMonitor(dut)
    await tb.mm2s_start(descs[0], descs[-1], irq=False)
    n_packets = N_DESC if shape == "per_buffer" else 1
    got = await tb.recv_packets(n_packets, timeout_cycles=4_000_000)
    await tb.wait_status(descs[-1], timeout_cycles=100_000)
    mon.running = False
    data = b"".join(bytes(tb.mem[a:a + n]) for a, n in bufs)
    assert b"".join(got) == data, "streamed bytes differ from the buffers"
    for d, (_, n) in zip(descs, bufs):
        assert rm.STATUS.LENGTH.get(tb.status(d)) == n
    cycles = [c for c, _ in mon.stream]
    span = cycles[-1] - cycles[0] + 1
    # idle clocks before the stream beat that carries each buffer's first byte (after the first)
    starts, pos = [], 0
    for _, keep in mon.stream:
        starts.append(pos)
        pos += keep
    idle_at_bounds, j, first_byte = [], 0, 0
    for _, n in bufs[:-1]:
        first_byte += n
        while j + 1 < len(starts) and starts[j + 1] <= first_byte:
            j += 1
        if j:
            idle_at_bounds.append(cycles[j] - cycles[j - 1] - 1)
    return {
        "channel": "mm2s",
        "data_width": tb.data_width,
        "desc_bytes": size,
        "r_latency": r_latency,
        "packets": shape,
        "stream_beats": len(cycles),
        "cycles": span,
        "efficiency": round(len(cycles) / span, 5),
        "e2e_efficiency": round(len(cycles) / (cycles[-1] - mon.first_ar + 1), 5),
        "r_efficiency": round(len(mon.r_beats) / (mon.r_beats[-1] - mon.r_beats[0] + 1), 5),
        "idle_stream_cycles": span - len(cycles),
        "idle_between_buffers_max": max(idle_at_bounds) if idle_at_bounds else 0,
        "tail_to_ar_cycles": mon.first_ar - mon.tail_write,
    }


@cocotb.test()
@cocotb.parametrize(size=SIZES, r_latency=LATENCIES, shape=SHAPES)
async def throughput(dut, size, r_latency, shape):
    result = await _measure(dut, size, r_latency, shape)
    logging.getLogger("cocotb.sgdma.bench").info("bench %s", result)
    load_run_config().append_result(result)
