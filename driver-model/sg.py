"""Building PG021 descriptor chains (the driver's SG list) in coherent descriptor memory."""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from . import regmap as rm
from .dma_api import Device, DmaPool
from .physmem import check_int


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
        len_width = check_int("length field width", len_width, lo=8, hi=26)
        if isinstance(buffers, (str, bytes)) or not hasattr(buffers, "__iter__"):
            raise TypeError(f"descriptor chain: expected a list of (bus address, length), got {buffers!r}")
        buffers = list(buffers)
        if not buffers:
            raise ValueError("descriptor chain over an empty buffer list")
        for bi, b in enumerate(buffers):     # every buffer is checked before anything is allocated
            if not isinstance(b, (tuple, list)) or len(b) != 2:
                raise TypeError(f"buffer {bi} must be (bus address, length), got {b!r}")
            check_int(f"buffer {bi} bus address", b[0], lo=0)
            if check_int(f"buffer {bi} length", b[1]) <= 0:
                raise ValueError(f"buffer {bi} has length {b[1]}; every buffer needs at least one byte")
        if pool is not None and not isinstance(pool, DmaPool):
            raise TypeError(f"descriptor chain: pool must be a DmaPool, got {pool!r}")
        self.dev = dev
        self.cyclic = bool(cyclic)
        self.max_len = (1 << len_width) - 1
        self.descs: list[DescInfo] = []
        self._pages = {}
        # All or nothing: if a descriptor cannot be had (the pool needs a page and memory is
        # exhausted), every descriptor taken so far goes back and the model is as before.
        mark = dev.checkpoint()
        own_pool = pool is None
        self.pool = pool or dev.dma_pool_create("sgdma-desc", rm.DESC_SIZE, rm.DESC_ALIGN)
        self._own_pool = own_pool
        pool_mark = self.pool.checkpoint()
        try:
            ring_off = 0
            for bi, (bus, length) in enumerate(buffers):
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
            self.buffers = [(int(b), int(n)) for b, n in buffers]
            self._write_all()
        except BaseException:
            pages = self.pool.roll_back(pool_mark)
            dev.roll_back(mark, pages)
            self.descs.clear()
            self._pages.clear()
            if own_pool:
                self.pool = None  # type: ignore[assignment]
            raise

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
        """Gives the descriptors back to the pool (and frees the pool if the chain made it)."""
        for d in self.descs:
            self.pool.free(d.bus)
        self.descs.clear()
        if self._own_pool:
            self.pool.destroy()
