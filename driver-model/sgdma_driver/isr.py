"""The interrupt service routine: the one loop that waits for the engine's interrupt line and
services it.

The driver (``SgdmaDriver.irq_loop``), the acquisition flow, the calibration program and the
tests all run this loop, on the RTL and on the fast model alike; what differs is only the
handler it calls (the driver's completion processing, or the calibration program's count of
interrupts) and the service latency it models.  All it needs of a backend is ``HwInterface``:
``wait_irq``, ``read_reg``/``write_reg``, ``sleep`` and ``now``.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Awaitable, Callable

from . import regmap as rm
from .hw import HwInterface

SR = rm.S2MM_DMASR
#: The DMASR interrupt bits (write 1 to clear) an interrupt service acknowledges.
IRQ_BITS = SR.IOC_IRQ.mask | SR.DLY_IRQ.mask | SR.ERR_IRQ.mask


async def acknowledge(hw: HwInterface) -> int:
    """Reads DMASR and acknowledges the interrupt bits it shows (one W1C write, none when no
    bit is set); returns the DMASR value read."""
    sr = await hw.read_reg(SR.offset)
    if sr & IRQ_BITS:
        await hw.write_reg(SR.offset, sr & IRQ_BITS)
    return sr


@dataclass
class InterruptService:
    """Waits for the interrupt line, lets the service latency pass, calls ``handler``.

    ``latency()`` gives the clocks from the line rising to the handler (the CPU's interrupt
    entry and scheduling; None or 0: at once); ``on_interrupt(clock)`` is told the clock at
    which each interrupt was seen.  ``latencies`` records, per interrupt, the clocks from the
    line to the handler."""

    hw: HwInterface
    handler: Callable[[], Awaitable[object]]
    latency: Callable[[], int] | None = None
    on_interrupt: Callable[[int], None] | None = None
    latencies: list[int] = field(default_factory=list)

    async def run(self, running: Callable[[], bool] = lambda: True) -> None:
        """Services interrupts while ``running()`` holds (checked before and after each wait)."""
        hw = self.hw
        while running():
            await hw.wait_irq()
            if not running():
                break
            t_irq = hw.now()
            if self.on_interrupt is not None:
                self.on_interrupt(t_irq)
            delay = self.latency() if self.latency is not None else 0
            if delay > 0:
                await hw.sleep(delay)
            self.latencies.append(hw.now() - t_irq)
            await self.handler()
