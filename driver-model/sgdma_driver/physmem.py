"""Simulated physical RAM, backed by a memfd so that several mappings alias it with no copy.

The bus models of the testbench (or the fast model) write into ``PhysicalMemory.buf``; the
user-space ring maps the same memfd pages into one contiguous virtual range.  Page size 4 KiB.
"""
from __future__ import annotations

import mmap
import numbers
import os

import numpy as np

PAGE_SHIFT = 12
PAGE_SIZE = 1 << PAGE_SHIFT
# madvise(MADV_POPULATE_WRITE) (Linux 5.14): fault pages in writable, in one call
_MADV_POPULATE_WRITE = getattr(mmap, "MADV_POPULATE_WRITE", 23)


def page_align_up(n: int) -> int:
    return (n + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)


def check_int(what: str, value: object, lo: int | None = None, hi: int | None = None,
              exc: type[Exception] = ValueError, type_exc: type[Exception] = TypeError) -> int:
    """``value`` as an ``int`` if it is an integer (a bool, float or string is not) within
    [lo, hi]; otherwise ``type_exc`` / ``exc`` with a message naming ``what`` and the value."""
    if type(value) is int and (lo is None or value >= lo) and (hi is None or value <= hi):
        return value          # the common case, kept cheap: positions are checked per access
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise type_exc(f"{what} must be an integer, got {value!r} ({type(value).__name__})")
    v = int(value)
    if (lo is not None and v < lo) or (hi is not None and v > hi):
        rng = f"{lo}..{hi}" if lo is not None and hi is not None else (f">= {lo}" if lo is not None else f"<= {hi}")
        raise exc(f"{what} {v} is out of range ({rng})")
    return v


class PhysicalMemory:
    """``size`` bytes of RAM starting at physical address ``base``."""

    def __init__(self, size: int, base: int = 0, name: str = "sgdma-ram"):
        if size <= 0 or size % PAGE_SIZE:
            raise ValueError(f"physical memory size {size} must be a positive multiple of {PAGE_SIZE}")
        if base % PAGE_SIZE:
            raise ValueError(f"physical memory base {base:#x} is not page aligned")
        self.size = size
        self.base = base
        self.fd = os.memfd_create(name, 0)
        os.ftruncate(self.fd, size)
        self.buf = mmap.mmap(self.fd, size, mmap.MAP_SHARED, mmap.PROT_READ | mmap.PROT_WRITE)
        self.array = np.frombuffer(self.buf, dtype=np.uint8)
        self._no_populate = False

    # -- addressing -------------------------------------------------------------------------
    def offset(self, phys: int, length: int = 1) -> int:
        """Offset in the memfd of physical address ``phys``; checks [phys, phys+length) is RAM."""
        off = phys - self.base
        if off < 0 or length < 0 or off + length > self.size:
            raise ValueError(f"physical range {phys:#x}+{length:#x} is outside RAM "
                             f"[{self.base:#x}, {self.base + self.size:#x})")
        return off

    def pfn(self, phys: int) -> int:
        return phys >> PAGE_SHIFT

    @property
    def pages(self) -> int:
        return self.size // PAGE_SIZE

    # -- raw access (what the memory controller sees) --------------------------------------
    def read(self, phys: int, length: int) -> bytes:
        off = self.offset(phys, length)
        return bytes(self.buf[off:off + length])

    def write(self, phys: int, data: bytes) -> None:
        off = self.offset(phys, len(data))
        self.buf[off:off + len(data)] = data

    def view(self, phys: int, length: int) -> np.ndarray:
        """A zero-copy numpy view of physical memory."""
        off = self.offset(phys, length)
        return self.array[off:off + length]

    def populate(self, ranges: list[tuple[int, int]]) -> None:
        """Gives the pages of the physical ``(address, length)`` ranges their memory now (zeroed,
        as the kernel hands out pages), in one system call per run of adjacent ranges, instead
        of one page fault per page at the first write.  Contents are unchanged; a kernel
        without MADV_POPULATE_WRITE leaves the pages to be faulted in as before."""
        if not ranges or self._no_populate:
            return
        a = np.array(ranges, dtype=np.int64).reshape(-1, 2)
        self._populate(a[:, 0], a[:, 1])

    def populate_many(self, phys: list[int], size: int) -> None:
        """``populate`` of ``(p, size)`` for each ``p`` of ``phys``."""
        if not phys or self._no_populate:
            return
        a = np.array(phys, dtype=np.int64)
        self._populate(a, np.full(len(a), size, dtype=np.int64))

    def _populate(self, phys: np.ndarray, n: np.ndarray) -> None:
        # page-aligned [lo, hi) of each range, sorted; ranges that touch or overlap merge
        # into runs (a range starting at or before the furthest end so far continues it)
        lo = (phys - self.base) & ~(PAGE_SIZE - 1)
        hi = (phys - self.base + n + PAGE_SIZE - 1) & ~(PAGE_SIZE - 1)
        order = np.argsort(lo, kind="stable")
        lo, hi = lo[order], hi[order]
        reach = np.maximum.accumulate(hi)
        first = np.ones(len(lo), dtype=bool)
        first[1:] = lo[1:] > reach[:-1]
        at = np.flatnonzero(first)
        runs = zip(lo[at].tolist(), np.maximum.reduceat(hi, at).tolist())
        for lo, hi in runs:
            try:
                self.buf.madvise(_MADV_POPULATE_WRITE, lo, min(hi, self.size) - lo)
            except (OSError, ValueError):
                self._no_populate = True     # not supported here: pages fault in on first use
                return

    def close(self) -> None:
        self.array = None  # type: ignore[assignment]
        try:
            self.buf.close()
        except BufferError:
            pass  # views still alive; the mapping goes when they do
        os.close(self.fd)

    def __len__(self) -> int:
        return self.size
