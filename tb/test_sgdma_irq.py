"""Interrupts of rtl/sgdma.v: IRQThreshold coalescing, the IRQDelay timer, write-1-to-clear."""
from __future__ import annotations

import cocotb
import pytest
from cocotb.triggers import ClockCycles, RisingEdge

from sgdma_driver import regmap as rm
from sgdma_verif.env import TB, pattern
from sgdma_verif.buffers import BUF_BASE, DESC_BASE, GUARD, place_buffers

SR = rm.S2MM_DMASR


async def prepare(dut, n, size=128):
    tb = TB(dut, mem_size=1 << 20)
    await tb.reset()
    bufs = place_buffers([size] * n, [0] * n)
    tb.fill(BUF_BASE, bufs[-1][0] + 512 - BUF_BASE, GUARD)
    descs = tb.write_chain(DESC_BASE, bufs)
    return tb, descs


@cocotb.test()
@cocotb.parametrize(threshold=[1, 3, 4])
async def coalescing_threshold(dut, threshold):
    """With IRQThreshold = k, one IOC interrupt per k completions; the live counter in DMASR
    counts down; writing 1 to IOC_Irq clears it and drops the interrupt line."""
    n = 12
    tb, descs = await prepare(dut, n)
    await tb.start(descs[0], descs[-1], threshold=threshold)
    sr = await tb.read_reg("S2MM_DMASR")
    assert SR.IRQ_THRESHOLD_STS.get(sr) == threshold
    seen = []

    async def handler():
        while True:
            await RisingEdge(dut.s2mm_introut)
            sr = await tb.read_reg("S2MM_DMASR")
            done = await tb.read_counter("COMPLETED")
            seen.append((sr, done))
            await tb.write_reg("S2MM_DMASR", SR.IOC_IRQ.put(1))
    task = cocotb.start_soon(handler())
    for i in range(n):  # one packet per buffer, spaced out so the handler keeps up
        await tb.send(pattern(128, seed=i))
        await tb.wait_status(descs[i])
        await ClockCycles(dut.axi_aclk, 60)
    await ClockCycles(dut.axi_aclk, 100)
    task.cancel()
    assert len(seen) == n // threshold, f"{len(seen)} interrupts for {n} completions at threshold {threshold}"
    for k, (sr, done) in enumerate(seen):
        assert SR.IOC_IRQ.get(sr) and not SR.DLY_IRQ.get(sr), f"interrupt {k}: DMASR {sr:#x}"
        assert done == (k + 1) * threshold, f"interrupt {k} came after {done} completions"
    assert int(dut.s2mm_introut.value) == 0, "interrupt line must drop after the W1C"


@cocotb.test()
async def delay_timer(dut):
    """IRQDelay: with completions pending below the threshold, Dly_Irq fires IRQDelay x
    DELAY_UNIT clocks after the last completion, and the coalescing counter reloads."""
    tb, descs = await prepare(dut, 6)
    delay, unit = 3, rm.DELAY_UNIT
    await tb.start(descs[0], descs[-1], threshold=8, delay=delay)
    for i in range(3):
        await tb.send(pattern(128, seed=i))
    await tb.wait_status(descs[2])
    t_last = tb.cycle
    await RisingEdge(dut.s2mm_introut)
    waited = tb.cycle - t_last
    assert delay * unit <= waited <= delay * unit + 20, f"Dly_Irq after {waited} cycles, expected ~{delay * unit}"
    sr = await tb.read_reg("S2MM_DMASR")
    assert SR.DLY_IRQ.get(sr) and not SR.IOC_IRQ.get(sr), f"DMASR {sr:#x}"
    assert SR.IRQ_THRESHOLD_STS.get(sr) == 8, "coalescing counter must reload after Dly_Irq"
    await tb.write_reg("S2MM_DMASR", SR.DLY_IRQ.put(1))
    await ClockCycles(dut.axi_aclk, 3)
    assert int(dut.s2mm_introut.value) == 0
    # No completions pending: the timer stays quiet.
    await ClockCycles(dut.axi_aclk, delay * unit * 2)
    assert int(dut.s2mm_introut.value) == 0


@cocotb.test()
async def disabled_interrupts_still_set_status(dut):
    """With IOC_IrqEn clear the status bit still sets but the line stays low."""
    tb, descs = await prepare(dut, 2)
    await tb.start(descs[0], descs[-1], irq=False)
    await tb.send(pattern(128, seed=1))
    await tb.wait_status(descs[0])
    await ClockCycles(dut.axi_aclk, 20)
    sr = await tb.read_reg("S2MM_DMASR")
    assert SR.IOC_IRQ.get(sr) == 1
    assert int(dut.s2mm_introut.value) == 0


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import build_and_test, selected_simulators  # noqa: E402


@pytest.mark.parametrize("sim", selected_simulators())
def test_sgdma_irq(sim):
    build_and_test("test_sgdma_irq", sim, {})
