"""Data path of rtl/sgdma.v: descriptors, realignment, bursts, packets, tail and cyclic modes.

Every test pre-fills memory with a guard pattern, places buffers with guard bytes around them,
arms the streaming scoreboard (every write, STATUS write-back and interrupt checked as it
happens), then at the end checks each buffer's bytes and STATUS against sgdma_verif.reference
and that no guard byte changed.  Data tests run with and without idle cycles at the source
and backpressure on every AXI channel.
"""
from __future__ import annotations

import cocotb
import pytest
from cocotb.triggers import ClockCycles

from sgdma_driver import regmap as rm
from sgdma_verif.reference import s2mm_expected
from sgdma_verif.buffers import BUF_BASE, DESC_BASE, GUARD, MEM_SIZE, check_buffers, check_guards, place_buffers
from sgdma_verif.env import TB, pattern

TRAFFIC = [(False, False), (True, False), (False, True), (True, True)]
TRAFFIC_IDS = ["smooth", "idle", "backpressure", "idle+backpressure"]


async def run_chain(tb: TB, lengths, offsets, packets, tlast=True, cyclic=False, timeout=400_000):
    bufs = place_buffers(lengths, offsets)
    hi = bufs[-1][0] + bufs[-1][1] + 256
    tb.fill(BUF_BASE, hi - BUF_BASE, GUARD)
    descs = tb.write_chain(DESC_BASE, bufs)
    expected = s2mm_expected(packets, lengths, tlast=tlast)
    tb.expect(descs, bufs, packets)
    await tb.start(descs[0], descs[-1], cyclic=cyclic)
    for p in packets:
        await tb.send(p)
    await tb.wait_status(descs[len(expected) - 1], timeout)
    await ClockCycles(tb.dut.axi_aclk, 20)
    assert tb.scoreboard.writebacks == len(expected)
    check_buffers(tb, descs, bufs, expected)
    check_guards(tb, bufs, BUF_BASE, hi)
    return descs, bufs, expected


async def setup(dut, idle=False, backpressure=False, tlast=True, **kw) -> TB:
    tb = TB(dut, mem_size=MEM_SIZE, tlast=tlast, **kw)
    tb.set_idle(idle)
    tb.set_backpressure(backpressure)
    await tb.reset()
    return tb


@cocotb.test()
@cocotb.parametrize((("idle", "backpressure"), TRAFFIC))
async def every_offset_and_length(dut, idle, backpressure):
    """Each start offset within a beat x lengths from 1 byte to several 4 KiB pages, as one
    continuous stream (no tlast), so descriptors also begin at every stream lane."""
    tb = await setup(dut, idle, backpressure, tlast=False)
    db = tb.bytes_per_beat
    small = [1, 2, 3, db - 1, db, db + 1, 2 * db + 3, 61]
    lengths, offsets = [], []
    for off in range(db):
        for n in small:
            lengths.append(n)
            offsets.append(off)
    for off, n in [(0, 4096), (1, 4095), (db - 1, 4097), (3, 3 * 4096 + 7), (0, 8192 + db)]:
        lengths.append(n)
        offsets.append(off)
    total = sum(lengths)
    data = pattern(total, seed=3)
    await run_chain(tb, lengths, offsets, [data], tlast=False)


@cocotb.test()
@cocotb.parametrize((("idle", "backpressure"), TRAFFIC))
async def packets_short_equal_long(dut, idle, backpressure):
    """Packets shorter than, equal to and longer than a buffer: RXSOF/RXEOF and lengths."""
    tb = await setup(dut, idle, backpressure)
    db = tb.bytes_per_beat
    lengths = [256] * 12
    offsets = [(i * 3) % db for i in range(12)]
    sizes = [100, 256, 1, 600, 256 + 7, db, 255, 3]  # short, equal, tiny, spanning 3, ...
    packets = [pattern(n, seed=10 + i) for i, n in enumerate(sizes)]
    descs, _, expected = await run_chain(tb, lengths, offsets, packets)
    assert any(e.eof and not e.sof for e in expected) and any(e.sof and not e.eof for e in expected)


@cocotb.test()
async def bursts_never_cross_4k(dut):
    """Buffers that straddle 4 KiB boundaries at odd offsets: the RAM model asserts on any
    burst crossing 4 KiB, and every burst respects the configured maximum length."""
    tb = await setup(dut, backpressure=True)
    lengths = [300, 5000, 64, 9000]
    bufs = [(BUF_BASE + 0x1000 - 5, 300), (BUF_BASE + 0x3000 - 129, 5000),
            (BUF_BASE + 0x6000 - 1, 64), (BUF_BASE + 0x8000 - 3000, 9000)]
    hi = BUF_BASE + 0x10000
    tb.fill(BUF_BASE, hi - BUF_BASE, GUARD)
    descs = tb.write_chain(DESC_BASE, bufs)
    data = pattern(sum(lengths), seed=5)
    expected = s2mm_expected([data], lengths, tlast=False)
    bursts = []
    orig = tb.data_wr.aw_channel.recv

    async def spy():
        aw = await orig()
        bursts.append((int(aw.awaddr), int(aw.awlen) + 1))
        return aw
    tb.data_wr.aw_channel.recv = spy
    longer = data + pattern(64, seed=6)  # one packet longer than the chain: no tlast inside
    tb.expect(descs, bufs, [longer])
    await tb.start(descs[0], descs[-1])
    await tb.send(longer)
    await tb.wait_status(descs[-1])
    check_buffers(tb, descs, bufs, [e for e in expected])
    check_guards(tb, bufs, BUF_BASE, hi)
    max_len = int(dut.MAX_BURST_LEN.value)
    db = tb.bytes_per_beat
    for addr, beats in bursts:
        assert beats <= max_len, f"burst of {beats} beats > MAX_BURST_LEN {max_len}"
        assert (addr & 0xFFF) + beats * db <= 0x1000, f"burst at {addr:#x} x{beats} crosses 4 KiB"
    assert len(bursts) > len(bufs), "expected several bursts per buffer"


@cocotb.test()
async def tail_mode_stop_and_resume(dut):
    """The engine stops after TAILDESC (Idle), then resumes when TAILDESC moves on."""
    tb = await setup(dut)
    lengths = [512] * 6
    bufs = place_buffers(lengths, [0, 1, 2, 3, 4, 5])
    hi = bufs[-1][0] + 1024
    tb.fill(BUF_BASE, hi - BUF_BASE, GUARD)
    descs = tb.write_chain(DESC_BASE, bufs)
    packets = [pattern(512, seed=20 + i) for i in range(6)]
    expected = s2mm_expected(packets, lengths)
    tb.expect(descs, bufs, packets)
    await tb.start(descs[0], descs[2])
    for p in packets:
        await tb.send(p)
    await tb.wait_status(descs[2])
    await ClockCycles(dut.axi_aclk, 200)
    sr = await tb.read_reg("S2MM_DMASR")
    assert rm.S2MM_DMASR.IDLE.get(sr) == 1, f"DMASR {sr:#x}: Idle expected at the tail"
    assert tb.status(descs[3]) == 0, "descriptor after the tail must not be touched"
    assert int(dut.s_axis_s2mm_tready.value) == 0, "stream must stall while no descriptor is given"
    await tb.write_addr("S2MM_TAILDESC", descs[5])
    await tb.wait_status(descs[5])
    sr = await tb.read_reg("S2MM_DMASR")
    check_buffers(tb, descs, bufs, expected)
    check_guards(tb, bufs, BUF_BASE, hi)
    assert await tb.read_counter("COMPLETED") == 6
    assert await tb.read_counter("BYTES_WRITTEN") == 6 * 512


@cocotb.test()
@cocotb.parametrize(backpressure=[False, True])
async def cyclic_several_laps(dut, backpressure):
    """Cyclic mode loops over the ring; after three laps each buffer holds the last lap."""
    tb = await setup(dut, backpressure=backpressure, tlast=False)
    n, size = 4, 384
    bufs = place_buffers([size] * n, [0, 5, 2, 7])
    hi = bufs[-1][0] + 1024
    tb.fill(BUF_BASE, hi - BUF_BASE, GUARD)
    descs = tb.write_chain(DESC_BASE, bufs, cyclic=True)
    laps = 3
    data = pattern(n * size * laps, seed=30)
    tb.expect(descs, bufs, [data], laps=laps)
    await tb.start(descs[0], DESC_BASE + 0x800, cyclic=True)  # TAILDESC outside the ring
    await tb.send(data)
    await tb.wait_for(lambda: tb.source.empty() and tb.source.idle(), 400_000, "stream sent")
    await ClockCycles(dut.axi_aclk, 300)
    done = await tb.read_counter("COMPLETED")
    assert done == n * laps, f"{done} completions, expected {n * laps}"
    for i, (addr, _) in enumerate(bufs):
        lap_data = data[(laps - 1) * n * size + i * size:][:size]
        assert bytes(tb.mem[addr:addr + size]) == lap_data, f"buffer {i} does not hold the last lap"
        assert tb.status(descs[i]) & rm.STATUS.CMPLT.mask
    check_guards(tb, bufs, BUF_BASE, hi)
    sr = await tb.read_reg("S2MM_DMASR")
    assert not rm.S2MM_DMASR.HALTED.get(sr) and not rm.S2MM_DMASR.IDLE.get(sr)


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import build_and_test, param_id, param_sets, selected_simulators  # noqa: E402

DMA_PARAMS = param_sets([
    {},
    {"DATA_WIDTH": 32, "ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32, "MAX_BURST_LEN": 8},
    {"DATA_WIDTH": 128, "MAX_BURST_LEN": 256, "MAX_OUTSTANDING": 8},
])


@pytest.mark.parametrize("params", DMA_PARAMS, ids=param_id)
@pytest.mark.parametrize("sim", selected_simulators())
def test_sgdma_dma(sim, params):
    build_and_test("test_sgdma_dma", sim, params)
