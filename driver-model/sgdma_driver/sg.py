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
            if b.__class__ is tuple and len(b) == 2 and b[0].__class__ is int and b[0] >= 0 \
                    and b[1].__class__ is int and b[1] > 0:
                continue                     # the usual case: nothing to say about it
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
            max_len, take, align = self.max_len, self.pool.alloc, rm.DESC_ALIGN
            pages, add = self._pages, self.descs.append
            for bi, (bus, length) in enumerate(buffers):
                off = 0
                while off < length:
                    piece = min(max_len, length - off)
                    dbus, poff, page = take()
                    if dbus % align:
                        raise ValueError(f"descriptor at {dbus:#x} is not {align}-byte aligned")
                    pages[dbus] = page
                    add(DescInfo(dbus, poff, bi, off, piece, ring_off + off))
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

    @property
    def pages(self) -> list:
        """The descriptor pool pages the chain's descriptors live in."""
        return list({id(p): p for p in self._pages.values()}.values())

    def record(self, i: int) -> np.ndarray:
        """Descriptor ``i`` where the engine reads it: a one-record DESC_DTYPE view of its memory."""
        d = self.descs[i]
        page = self._pages[d.bus]
        return page.view()[d.pool_off:d.pool_off + rm.DESC_SIZE].view(rm.DESC_DTYPE)

    def _write_all(self) -> None:
        """Writes every descriptor, one vectorised store per pool page; keeps, per descriptor,
        a 32-bit word view of its page and where its STATUS and APP0 words are, so the driver's
        per-completion reads are one array index each."""
        descs, n = self.descs, len(self.descs)
        nxt = [d.bus for d in descs[1:]] + [descs[0].bus if self.cyclic else descs[-1].bus]
        recs = rm.descriptors([(self.buffers[d.buf_index][0] + d.buf_offset, d.length) for d in descs], nxt)
        groups: dict[int, tuple[object, list[int]]] = {}
        pages = self._pages
        for i, d in enumerate(descs):
            page = pages[d.bus]
            group = groups.get(id(page))
            if group is None:
                group = groups[id(page)] = (page, [])
            group[1].append(i)
        st_word, app_word = rm.DESC_OFFSETS["status"] // 4, rm.DESC_OFFSETS["app"] // 4
        self._words: list[np.ndarray] = [None] * n      # type: ignore[list-item]
        self._status_at: list[int] = [0] * n
        for page, idx in groups.values():
            raw = page.view()
            words = raw[:len(raw) // 4 * 4].view("<u4")
            if any(descs[i].pool_off % rm.DESC_SIZE for i in idx):
                for i in idx:                              # descriptors not on a record grid
                    self.record(i)[0] = recs[i]
            else:
                table = raw[:len(raw) // rm.DESC_SIZE * rm.DESC_SIZE].view(rm.DESC_DTYPE)
                table[[descs[i].pool_off // rm.DESC_SIZE for i in idx]] = recs[idx]
            for i in idx:
                self._words[i] = words
                self._status_at[i] = descs[i].pool_off // 4 + st_word
        self._app_delta = app_word - st_word

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
        return int(self._words[i][self._status_at[i]])

    def app0(self, i: int) -> int:
        return int(self._words[i][self._status_at[i] + self._app_delta])

    def clear_status(self, i: int) -> None:
        self._words[i][self._status_at[i]] = 0

    def destroy(self) -> None:
        """Gives the descriptors back to the pool (and frees the pool if the chain made it)."""
        for d in self.descs:
            self.pool.free(d.bus)
        self.descs.clear()
        self._words, self._status_at = [], []
        if self._own_pool:
            self.pool.destroy()
