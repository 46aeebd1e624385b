"""The one interface between the driver and the engine it drives.

The driver only ever awaits these four calls, so the same driver code runs on the RTL
(``tb/cosim.py``: cocotb, AXI-Lite master, the s2mm_introut pin) and on the fast model
(``sgdma_sim``).  Register offsets come from ``regmap``; memory is shared through the
``PhysicalMemory`` both sides were built on.
"""
from __future__ import annotations

from typing import Protocol, runtime_checkable


@runtime_checkable
class HwInterface(Protocol):
    async def read_reg(self, offset: int) -> int:
        """32-bit register read at a byte offset of the AXI4-Lite slave."""

    async def write_reg(self, offset: int, value: int) -> None:
        """32-bit register write."""

    async def wait_irq(self) -> None:
        """Returns when the interrupt line is (or becomes) high."""

    async def sleep(self, cycles: int) -> None:
        """Lets ``cycles`` engine clock cycles pass (CPU time, service latency)."""

    def now(self) -> int:
        """The current engine clock cycle."""
