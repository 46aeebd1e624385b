"""Building PG021 descriptor chains (the driver's SG list) in coherent descriptor memory."""
from __future__ import annotations

import itertools
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from . import regmap as rm
from .dma_api import Device, DmaBuffer, DmaPool
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


class DescTable(Sequence):
    """The chain's descriptors as columns (one list per DescInfo field); indexing gives a
    DescInfo.  The columns are what the driver's per-completion work reads."""

    def __init__(self, bus: list[int], pool_off: list[int], buf_index: list[int],
                 buf_offset: list[int], lengths: list[int], ring_offsets: list[int]):
        self.bus, self.pool_off, self.buf_index = bus, pool_off, buf_index
        self.buf_offset, self.lengths, self.ring_offsets = buf_offset, lengths, ring_offsets

    def __len__(self) -> int:
        return len(self.bus)

    def __getitem__(self, i: int | slice) -> DescInfo | list[DescInfo]:
        if isinstance(i, slice):
            return [self[k] for k in range(*i.indices(len(self)))]
        return DescInfo(self.bus[i], self.pool_off[i], self.buf_index[i], self.buf_offset[i],
                        self.lengths[i], self.ring_offsets[i])

    def clear(self) -> None:
        for col in (self.bus, self.pool_off, self.buf_index, self.buf_offset, self.lengths, self.ring_offsets):
            col.clear()


def _check_buffers(buffers: object) -> list[tuple[int, int]]:
    """The (bus address, length) list, every entry checked before anything is allocated."""
    if isinstance(buffers, (str, bytes)) or not hasattr(buffers, "__iter__"):
        raise TypeError(f"descriptor chain: expected a list of (bus address, length), got {buffers!r}")
    buffers = list(buffers)
    if not buffers:
        raise ValueError("descriptor chain over an empty buffer list")
    if all(b.__class__ is tuple and len(b) == 2 and b[0].__class__ is int and b[0] >= 0
           and b[1].__class__ is int and b[1] > 0 for b in buffers):
        return buffers                   # the usual case: pairs of plain ints, nothing to say
    for bi, b in enumerate(buffers):
        if b.__class__ is tuple and len(b) == 2 and b[0].__class__ is int and b[0] >= 0 \
                and b[1].__class__ is int and b[1] > 0:
            continue
        if not isinstance(b, (tuple, list)) or len(b) != 2:
            raise TypeError(f"buffer {bi} must be (bus address, length), got {b!r}")
        check_int(f"buffer {bi} bus address", b[0], lo=0)
        if check_int(f"buffer {bi} length", b[1]) <= 0:
            raise ValueError(f"buffer {bi} has length {b[1]}; every buffer needs at least one byte")
    return [(int(b), int(n)) for b, n in buffers]


def _split(buffers: list[tuple[int, int]], max_len: int) -> tuple[list[int], list[int], list[int], list[int]]:
    """(buffer index, offset in the buffer, length, ring offset) of every descriptor: one per
    buffer, or several where a buffer is longer than the length field allows."""
    lengths = [n for _, n in buffers]
    ring = list(itertools.accumulate(lengths, initial=0))[:-1]
    if max(lengths) <= max_len:
        return list(range(len(buffers))), [0] * len(buffers), lengths, ring
    index, offset, piece, ring_off = [], [], [], []
    for bi, length in enumerate(lengths):
        for off in range(0, length, max_len):
            index.append(bi)
            offset.append(off)
            piece.append(min(max_len, length - off))
            ring_off.append(ring[bi] + off)
    return index, offset, piece, ring_off


def _word_access(words: np.ndarray) -> memoryview | _IntWords:
    """Item access to little-endian 32-bit words that reads and writes Python ints: a
    memoryview where the host's own format is little-endian (several times quicker per word
    than numpy's scalar indexing), the numpy array otherwise."""
    view = memoryview(words)
    return view if view.format == "I" and np.little_endian else _IntWords(words)


class _IntWords:
    """Word access through numpy that reads Python ints."""

    def __init__(self, words: np.ndarray):
        self.words = words

    def __getitem__(self, i: int) -> int:
        return int(self.words[i])

    def __setitem__(self, i: int, value: int) -> None:
        self.words[i] = value


class DescriptorChain:
    """A linear or cyclic PG021 chain over buffers given as (bus address, length).

    Buffers longer than the engine's length field allows are split into several descriptors.
    Descriptors come from a dma_pool aligned to 64 bytes (all of them in one ``alloc_many``)
    and are written as the one shared numpy layout (``regmap.DESC_DTYPE``), one vectorised
    store per pool page."""

    def __init__(self, dev: Device, buffers: list[tuple[int, int]], cyclic: bool,
                 len_width: int = 26, pool: DmaPool | None = None):
        len_width = check_int("length field width", len_width, lo=8, hi=26)
        buffers = _check_buffers(buffers)
        if pool is not None and not isinstance(pool, DmaPool):
            raise TypeError(f"descriptor chain: pool must be a DmaPool, got {pool!r}")
        self.dev = dev
        self.cyclic = bool(cyclic)
        self.max_len = (1 << len_width) - 1
        self.descs = DescTable([], [], [], [], [], [])
        self._page_of: list[DmaBuffer] = []
        self._index_of: dict[int, int] | None = None
        # All or nothing: if the descriptors cannot be had (the pool needs pages and memory
        # is exhausted), the pool and the model are as before.
        mark = dev.checkpoint()
        own_pool = pool is None
        self.pool = pool or dev.dma_pool_create("sgdma-desc", rm.DESC_SIZE, rm.DESC_ALIGN)
        self._own_pool = own_pool
        pool_mark = self.pool.checkpoint()
        try:
            index, offset, piece, ring_off = _split(buffers, self.max_len)
            dbus, poff, pages = self.pool.alloc_many(len(piece))
            bad = next((b for b in dbus if b % rm.DESC_ALIGN), None)
            if bad is not None:
                raise ValueError(f"descriptor at {bad:#x} is not {rm.DESC_ALIGN}-byte aligned")
            self.descs = DescTable(dbus, poff, index, offset, piece, ring_off)
            self._page_of = pages
            self.ring_size = sum(n for _, n in buffers)
            self.buffers = buffers
            self._write_all()
        except BaseException:
            pages = self.pool.roll_back(pool_mark)
            dev.roll_back(mark, pages)
            self.descs.clear()
            self._page_of = []
            if own_pool:
                self.pool = None  # type: ignore[assignment]
            raise

    @property
    def pages(self) -> list:
        """The descriptor pool pages the chain's descriptors live in."""
        return list({id(p): p for p in self._page_of}.values())

    def record(self, i: int) -> np.ndarray:
        """Descriptor ``i`` where the engine reads it: a one-record DESC_DTYPE view of its memory."""
        off = self.descs.pool_off[i]
        return self._page_of[i].view()[off:off + rm.DESC_SIZE].view(rm.DESC_DTYPE)

    def _write_all(self) -> None:
        """Writes every descriptor, one vectorised store per pool page; keeps, per descriptor,
        a 32-bit word view of its page and where its STATUS and APP0 words are, so the driver's
        per-completion reads are one array index each."""
        d, n = self.descs, len(self.descs)
        nxt = d.bus[1:] + [d.bus[0] if self.cyclic else d.bus[-1]]
        addrs = [self.buffers[b][0] + off for b, off in zip(d.buf_index, d.buf_offset)]
        recs = rm.descriptors(list(zip(addrs, d.lengths)), nxt)
        rows = recs.view(np.uint8).reshape(n, rm.DESC_SIZE)
        page_no: dict[int, int] = {}
        pages: list[DmaBuffer] = []
        which_l: list[int] = []
        for p in self._page_of:
            k = page_no.get(id(p))
            if k is None:
                k = page_no[id(p)] = len(pages)
                pages.append(p)
            which_l.append(k)
        which = np.array(which_l, dtype=np.int64)
        offs = np.asarray(d.pool_off, dtype=np.int64)
        order = np.argsort(which, kind="stable")
        cuts = np.searchsorted(which[order], np.arange(len(pages) + 1))
        words_of: list = []
        for k, page in enumerate(pages):
            idx = order[cuts[k]:cuts[k + 1]]
            raw = page.view()
            words_of.append(_word_access(raw[:len(raw) // 4 * 4].view("<u4")))
            if np.any(offs[idx] % rm.DESC_SIZE):
                for i in idx.tolist():                    # descriptors not on a record grid
                    self.record(i)[0] = recs[i]
            else:                                         # whole records, copied as rows of bytes
                table = raw[:len(raw) // rm.DESC_SIZE * rm.DESC_SIZE].reshape(-1, rm.DESC_SIZE)
                table[offs[idx] // rm.DESC_SIZE] = rows[idx]
        st_word, app_word = rm.DESC_OFFSETS["status"] // 4, rm.DESC_OFFSETS["app"] // 4
        self._words: list = [words_of[k] for k in which.tolist()]
        self._status_at: list[int] = (offs // 4 + st_word).tolist()
        self._app_delta = app_word - st_word

    def __len__(self) -> int:
        return len(self.descs.bus)          # (len(self.descs), without its call)

    @property
    def first(self) -> int:
        return self.descs.bus[0]

    @property
    def outside(self) -> int:
        """An address outside the chain, for TAILDESC in cyclic mode."""
        return self.descs.bus[-1] + rm.DESC_SIZE * 0x100

    def index_of(self, bus: int) -> int | None:
        """The index of the descriptor at bus address ``bus`` (None if none of the chain's)."""
        if self._index_of is None or len(self._index_of) != len(self.descs):
            self._index_of = {b: i for i, b in enumerate(self.descs.bus)}
        return self._index_of.get(bus)

    def status(self, i: int) -> int:
        return self._words[i][self._status_at[i]]

    def app0(self, i: int) -> int:
        return self._words[i][self._status_at[i] + self._app_delta]

    def clear_status(self, i: int) -> None:
        self._words[i][self._status_at[i]] = 0

    def _indices(self, first: int, count: int) -> range | list[int]:
        n = len(self._words)
        if first + count <= n:
            return range(first, first + count)
        return [(first + k) % n for k in range(count)]

    def statuses(self, first: int, count: int, app0: bool = False) -> tuple[list[int], list[int]]:
        """The STATUS words (and, with ``app0``, the APP0 words; else an empty list) of the
        ``count`` descriptors from index ``first`` on, wrapping round the ring: what the
        driver reads after an interrupt, in one call."""
        words, at = self._words, self._status_at
        idx = self._indices(first, count)
        st = [words[i][at[i]] for i in idx]
        if not app0:
            return st, []
        d = self._app_delta
        return st, [words[i][at[i] + d] for i in idx]

    def clear_statuses(self, first: int, count: int) -> None:
        """``clear_status`` of the ``count`` descriptors from index ``first`` on (wrapping)."""
        words, at = self._words, self._status_at
        for i in self._indices(first, count):
            words[i][at[i]] = 0

    def destroy(self) -> None:
        """Gives the descriptors back to the pool (and frees the pool if the chain made it)."""
        self.pool.free_many(self.descs.bus)
        self.descs.clear()
        self._page_of = []
        self._words, self._status_at = [], []
        if self._own_pool:
            self.pool.destroy()
