"""Building PG021 descriptor chains (the driver's SG list) in coherent descriptor memory."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import regmap as rm
from .dma_api import Device, DmaPool


@dataclass(frozen=True)
class DescInfo:
    """Where one descriptor's buffer sits in the driver's view of the ring."""

    bus: int            # descriptor bus address
    pool_off: int       # offset in its pool page
    buf_index: int      # which DMA buffer
    buf_offset: int     # offset of this descriptor's piece within that buffer
    length: int         # CONTROL.LENGTH
    ring_offset: int    # offset of the piece in the contiguous ring


class DescriptorChain:
    """A linear or cyclic PG021 chain over buffers given as (bus address, length).

    Buffers longer than the engine's length field allows are split into several descriptors.
    Descriptors come from a dma_pool aligned to 64 bytes and are written as the one shared
    numpy layout (``regmap.DESC_DTYPE``)."""

    def __init__(self, dev: Device, buffers: list[tuple[int, int]], cyclic: bool,
                 len_width: int = 26, pool: DmaPool | None = None):
        if not buffers:
            raise ValueError("descriptor chain over an empty buffer list")
        if not 8 <= len_width <= 26:
            raise ValueError(f"length field width {len_width} outside 8..26")
        self.dev = dev
        self.cyclic = cyclic
        self.max_len = (1 << len_width) - 1
        self.pool = pool or dev.dma_pool_create("sgdma-desc", rm.DESC_SIZE, rm.DESC_ALIGN)
        self.descs: list[DescInfo] = []
        self._pages = {}
        ring_off = 0
        for bi, (bus, length) in enumerate(buffers):
            if length <= 0:
                raise ValueError(f"buffer {bi} has length {length}; every buffer needs at least one byte")
            off = 0
            while off < length:
                piece = min(self.max_len, length - off)
                dbus, poff, page = self.pool.alloc()
                if dbus % rm.DESC_ALIGN:
                    raise ValueError(f"descriptor at {dbus:#x} is not {rm.DESC_ALIGN}-byte aligned")
                self._pages[dbus] = page
                self.descs.append(DescInfo(dbus, poff, bi, off, piece, ring_off + off))
                off += piece
            ring_off += length
        self.ring_size = ring_off
        self.buffers = list(buffers)
        self._write_all()

    def _record(self, i: int) -> np.ndarray:
        d = self.descs[i]
        page = self._pages[d.bus]
        return page.view()[d.pool_off:d.pool_off + rm.DESC_SIZE].view(rm.DESC_DTYPE)

    def _write_all(self) -> None:
        n = len(self.descs)
        for i, d in enumerate(self.descs):
            if i + 1 < n:
                nxt = self.descs[i + 1].bus
            else:
                nxt = self.descs[0].bus if self.cyclic else d.bus
            rec = self._record(i)
            rec[0] = 0
            rec["nxtdesc"], rec["nxtdesc_msb"] = nxt & 0xFFFFFFFF, nxt >> 32
            bus = self.buffers[d.buf_index][0] + d.buf_offset
            rec["buffer_address"], rec["buffer_address_msb"] = bus & 0xFFFFFFFF, bus >> 32
            rec["control"] = rm.CONTROL.LENGTH.put(d.length)

    def __len__(self) -> int:
        return len(self.descs)

    @property
    def first(self) -> int:
        return self.descs[0].bus

    @property
    def outside(self) -> int:
        """An address outside the chain, for TAILDESC in cyclic mode."""
        return self.descs[-1].bus + rm.DESC_SIZE * 0x100

    def status(self, i: int) -> int:
        return int(self._record(i)["status"][0])

    def app0(self, i: int) -> int:
        return int(self._record(i)["app"][0][0])

    def clear_status(self, i: int) -> None:
        self._record(i)["status"] = 0

    def destroy(self) -> None:
        for d in self.descs:
            self.pool.free(d.bus)
        self.descs.clear()
