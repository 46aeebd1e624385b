"""The one interrupt service routine (sgdma_driver.isr) on a scripted interrupt line."""
from __future__ import annotations

import asyncio

from sgdma_driver import regmap as rm
from sgdma_driver.isr import IRQ_BITS, InterruptService, acknowledge

SR = rm.S2MM_DMASR


class ScriptedHw:
    """The interrupt line rises at the given clocks; DMASR shows IOC_Irq until acknowledged."""

    def __init__(self, rises: list[int]):
        self.rises, self.clock, self.sr = list(rises), 0, 0
        self.writes: list[tuple[int, int]] = []

    async def wait_irq(self) -> None:
        if self.rises:
            self.clock = max(self.clock, self.rises.pop(0))
            self.sr |= SR.IOC_IRQ.mask
        else:
            self.clock += 1_000_000      # the line never rises again

    async def read_reg(self, offset: int) -> int:
        assert offset == SR.offset
        return self.sr

    async def write_reg(self, offset: int, value: int) -> None:
        self.writes.append((offset, value))
        self.sr &= ~value

    async def sleep(self, cycles: int) -> None:
        self.clock += cycles

    def now(self) -> int:
        return self.clock


def test_each_interrupt_is_seen_delayed_and_handled_once():
    hw = ScriptedHw([100, 250, 400])
    seen, handled = [], []

    async def handler():
        handled.append(hw.now())
        await acknowledge(hw)
    isr = InterruptService(hw, handler, latency=lambda: 7, on_interrupt=seen.append)
    asyncio.run(isr.run(lambda: len(handled) < 3))
    assert seen == [100, 250, 400]
    assert handled == [107, 257, 407] and isr.latencies == [7, 7, 7]
    assert hw.writes == [(SR.offset, SR.IOC_IRQ.mask)] * 3


def test_acknowledge_writes_only_the_bits_it_saw_and_nothing_without_them():
    hw = ScriptedHw([])
    hw.sr = SR.IOC_IRQ.mask | SR.DLY_IRQ.mask | SR.IDLE.mask
    assert asyncio.run(acknowledge(hw)) & IRQ_BITS == SR.IOC_IRQ.mask | SR.DLY_IRQ.mask
    assert hw.writes == [(SR.offset, SR.IOC_IRQ.mask | SR.DLY_IRQ.mask)]
    hw.writes.clear()
    asyncio.run(acknowledge(hw))
    assert hw.writes == []


def test_the_loop_stops_when_told_even_after_a_wait():
    hw = ScriptedHw([10])
    calls = []

    async def handler():
        calls.append(1)
    state = iter([True, False])
    asyncio.run(InterruptService(hw, handler).run(lambda: next(state)))
    assert calls == []
