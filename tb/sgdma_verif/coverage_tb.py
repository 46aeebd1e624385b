"""cocotb tests that `make coverage` adds to the test suite: the corners the other testbenches
do not reach in a practical time, each with its own checks.

- ``counter_wrap``: the 64-bit event and byte counters carry into and out of their high words
  (preloaded two counts below 2**64; the high word reads are latched with the low word);
- ``high_addresses``: short chains at random bus addresses over the whole address width
  (64-bit builds: above 4 GiB), CURDESC/TAILDESC read back in full, and a data-write error
  there (CURDESC on the failed descriptor);
- ``irq_limits``: the largest IRQThreshold and IRQDelay, read back, and the delay interrupt
  after many completions below the threshold;
- ``register_aliases``: the AXI-Lite address bits above the 256-byte register window do not
  take part in the decode;
- ``long_buffers``: buffers of up to 1 MiB (length and stream-position bits above 64 KiB).
"""
from __future__ import annotations

import numpy as np

import cocotb
from cocotb.triggers import ClockCycles

from sgdma_driver import regmap as rm

from .buffers import GUARD, check_buffers, check_guards, place_buffers
from .env import TB, OffsetPort, pattern
from .reference import s2mm_expected

SR = rm.S2MM_DMASR
DESC_BASE, BUF_BASE = 0x1000, 0x10000
WRAP = 1 << 64


async def _run_chain(tb: TB, lengths: list[int], data: bytes, bus_base: int = 0, offsets=None,
                     timeout: int = 400_000) -> tuple[list[int], list[tuple[int, int]]]:
    """Write a tail-mode chain for ``lengths``, send ``data``, wait for the last descriptor and
    check every byte, STATUS word and guard byte."""
    bufs = place_buffers(lengths, offsets or [0] * len(lengths), base=BUF_BASE)
    hi = bufs[-1][0] + bufs[-1][1] + 256
    tb.fill(BUF_BASE, hi - BUF_BASE, GUARD)
    descs = tb.write_chain(DESC_BASE, bufs, bus_base=bus_base)
    await tb.start(descs[0] + bus_base, descs[-1] + bus_base)
    await tb.send(data)
    await tb.wait_status(descs[-1], timeout_cycles=timeout)
    check_buffers(tb, descs, bufs, s2mm_expected([data], lengths))
    check_guards(tb, bufs, BUF_BASE, hi)
    return descs, bufs


async def _drop(tb: TB, data: bytes) -> None:
    """Halt, then let the engine discard ``data`` under the DROP policy with no descriptors."""
    await tb.soft_reset()
    await tb.write_reg("SGDMA_XCTRL", rm.SGDMA_XCTRL.POLICY_DROP.put(1))
    await tb.write_reg("S2MM_DMACR", rm.S2MM_DMACR.RS.put(1))
    await tb.send(data)
    await tb.wait_for(lambda: tb.source.empty() and tb.source.idle(), 200_000, "the stream to drain")
    await ClockCycles(tb.dut.axi_aclk, 20)
    await tb.soft_reset()


@cocotb.test()
async def counter_wrap(dut):
    tb = TB(dut, mem_size=1 << 20)
    await tb.reset()
    start = {"COMPLETED": WRAP - 2, "BYTES_WRITTEN": WRAP - 1000,
             "DROPPED_BYTES": WRAP - 100, "DROPPED_PACKETS": WRAP - 1}
    signals = {"COMPLETED": dut.cnt_completed, "BYTES_WRITTEN": dut.cnt_bytes,
               "DROPPED_BYTES": dut.cnt_drop_bytes, "DROPPED_PACKETS": dut.cnt_drop_pkts}
    for name, value in start.items():
        signals[name].value = value
    await ClockCycles(dut.axi_aclk, 2)
    for name, value in start.items():
        got = await tb.read_counter(name)
        assert got == value, f"{name} reads {got:#x} after the preload, expected {value:#x}"
    lengths = [700, 700, 700, 700]
    await _run_chain(tb, lengths, pattern(sum(lengths), seed=5))
    await _drop(tb, pattern(300, seed=6))
    await _drop(tb, pattern(50, seed=7))
    expect = {"COMPLETED": (start["COMPLETED"] + 4) % WRAP,
              "BYTES_WRITTEN": (start["BYTES_WRITTEN"] + sum(lengths)) % WRAP,
              "DROPPED_BYTES": (start["DROPPED_BYTES"] + 350) % WRAP,
              "DROPPED_PACKETS": (start["DROPPED_PACKETS"] + 2) % WRAP}
    for name, value in expect.items():
        got = await tb.read_counter(name)
        assert got == value, f"{name} reads {got:#x} after wrapping, expected {value:#x}"


async def _read_addr(tb: TB, name: str) -> int:
    lo = await tb.read_reg(name)
    return lo | (await tb.read_reg(f"{name}_MSB") << 32) if tb.addr_width > 32 else lo


async def _error_at(tb: TB, bus_base: int, lengths: list[int], k: int) -> None:
    """A chain whose buffer ``k`` answers SLVERR: the engine halts with DMA_SLV_ERR and CURDESC
    on descriptor ``k`` (full address width)."""
    bufs = place_buffers(lengths, [0] * len(lengths), base=BUF_BASE)
    descs = tb.write_chain(DESC_BASE, bufs, bus_base=bus_base)
    bad = bus_base + bufs[k][0]
    tb.data_wr.fault = lambda a, n, w: rm.RESP_SLVERR if w and a <= bad < a + n else 0
    await tb.start(descs[0] + bus_base, descs[-1] + bus_base)
    await tb.send(pattern(sum(lengths), seed=k))
    sr = await tb.wait_halted(timeout_cycles=100_000)
    tb.data_wr.fault = None
    assert SR.DMA_SLV_ERR.get(sr), f"DMASR {sr:#x}: no DMA_SLV_ERR"
    cur = await _read_addr(tb, "S2MM_CURDESC")
    assert cur == bus_base + descs[k], f"CURDESC {cur:#x} after the error, expected {bus_base + descs[k]:#x}"
    await tb.soft_reset()
    tb.reset_source()


@cocotb.test()
async def high_addresses(dut):
    rng = np.random.default_rng(11)
    mem = bytearray(1 << 20)
    tb = TB(dut, mem=mem, port=OffsetPort(mem, 0))
    aw = tb.addr_width
    await tb.reset()
    for rnd in range(8):
        # alternately anywhere and near the top of the address space (one high bit clear)
        base = int(rng.integers(0, (1 << (aw - 20)) - 1, dtype=np.uint64)) << 20
        if rnd % 2:
            base |= ((1 << aw) - 1) & ~((1 << 20) - 1) & ~(1 << (aw - 1 - rnd % 3))
        port = OffsetPort(mem, base)
        tb.sg_wr.port = tb.sg_rd.port = tb.data_wr.port = port
        lengths = [int(x) for x in rng.integers(1, 3000, 3)]
        descs, _ = await _run_chain(tb, lengths, pattern(sum(lengths), seed=rnd), bus_base=base,
                                    offsets=[int(x) for x in rng.integers(0, 64, 3)])
        cur, tail = await _read_addr(tb, "S2MM_CURDESC"), await _read_addr(tb, "S2MM_TAILDESC")
        assert cur == tail == base + descs[-1], f"CURDESC {cur:#x} TAILDESC {tail:#x}, expected {base + descs[-1]:#x}"
        await tb.soft_reset()
        await _error_at(tb, base, [200, 300, 400], 1 + rnd % 2)


@cocotb.test()
async def irq_limits(dut):
    tb = TB(dut, mem_size=1 << 20)
    await tb.reset()
    cr = rm.S2MM_DMACR
    await tb.write_reg("S2MM_DMACR", cr.IRQ_THRESHOLD.put(0xFF) | cr.IRQ_DELAY.put(0xFF))
    got = await tb.read_reg("S2MM_DMACR")
    assert cr.IRQ_THRESHOLD.get(got) == 0xFF and cr.IRQ_DELAY.get(got) == 0xFF, f"DMACR {got:#x}"
    await tb.soft_reset()
    n = 130
    bufs = place_buffers([16] * n, [0] * n, base=BUF_BASE, gap=16)
    descs = tb.write_chain(DESC_BASE, bufs)
    await tb.start(descs[0], descs[-1], threshold=0xFF, delay=0xFF)
    data = pattern(16 * n, seed=3)
    await tb.send(data)
    await tb.wait_status(descs[-1])
    sr = await tb.read_reg("S2MM_DMASR")
    assert not SR.IOC_IRQ.get(sr), f"IOC_Irq after {n} completions, below the threshold of 255: DMASR {sr:#x}"
    await tb.wait_for(lambda: tb.irq_count > 0, 255 * 125 * 2, "the delay interrupt")
    sr = await tb.read_reg("S2MM_DMASR")
    assert SR.DLY_IRQ.get(sr), f"no Dly_Irq after the delay: DMASR {sr:#x}"
    check_buffers(tb, descs, bufs, s2mm_expected([data], [16] * n))


@cocotb.test()
async def register_aliases(dut):
    tb = TB(dut, mem_size=1 << 20)
    await tb.reset()
    await tb.write_reg("S2MM_DMACR", rm.S2MM_DMACR.IRQ_THRESHOLD.put(0x5A) | rm.S2MM_DMACR.IRQ_DELAY.put(0xA5))
    span = 1 << len(dut.s_axi_lite_araddr)
    for reg in ("S2MM_DMACR", "S2MM_DMASR", "SG_CTL"):
        want = await tb.read_reg(reg)
        for alias in range(0x100, span, 0x100):
            got = int.from_bytes(await tb.lite.read(rm.REG[reg].offset + alias, 4), "little")
            assert got == want, f"{reg} at {rm.REG[reg].offset + alias:#x} reads {got:#x}, expected {want:#x}"
    await tb.lite.write(rm.REG["SG_CTL"].offset + 0x300, (0xF).to_bytes(4, "little"))
    got = rm.REG["SG_CTL"].SG_CACHE.get(await tb.read_reg("SG_CTL"))
    assert got == 0xF, f"SG_CTL written through its alias: SG_CACHE {got:#x}"


@cocotb.test()
async def long_buffers(dut):
    tb = TB(dut, mem_size=2 << 20)
    await tb.reset()
    lengths = [(1 << 20) - 3, (1 << 19) + 5]
    await _run_chain(tb, lengths, pattern(sum(lengths), seed=9), offsets=[1, 2, 3], timeout=3_000_000)
