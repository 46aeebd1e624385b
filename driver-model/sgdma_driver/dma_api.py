"""The Linux DMA API, as a driver sees it, with the checks of CONFIG_DMA_API_DEBUG.

``Device`` is the ``struct device`` of the DMA engine.  Coherent allocations
(``dma_alloc_coherent``) need no sync; non-coherent allocations and streaming mappings
(``dma_map_single``, ``dma_map_sg``) belong to the device between map / ``sync_for_device`` and
``sync_for_cpu`` / unmap, and CPU access in between is a violation.  With ``coherent=False``
the CPU reads non-coherent memory through a cache: a buffer read once and then written by the
device reads stale until ``dma_sync_single_for_cpu`` invalidates it, exactly the bug a missing
sync causes on ARM.  Bus addresses come from the IOMMU and differ from physical addresses.
"""
from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass, field

import numpy as np

from .allocator import Block, BuddyAllocator
from .iommu import DmaDirection, Iommu, check_direction
from .physmem import PhysicalMemory, check_int

__all__ = ["DmaApiError", "DmaDirection", "Device", "DmaBuffer", "DmaPool", "Owner"]


class DmaApiError(Exception):
    """A DMA-API rule was broken (what DMA_API_DEBUG would print a warning for)."""


def _h(handle: object) -> str:
    """A DMA handle for a message: hex if it is an integer, repr otherwise."""
    return f"{handle:#x}" if isinstance(handle, int) and not isinstance(handle, bool) else repr(handle)


class Owner(enum.Enum):
    CPU = "cpu"
    DEVICE = "device"


class DmaBuffer:
    """CPU access to DMA memory (the kernel virtual address of a buffer).

    ``read``/``write`` check ownership; for non-coherent memory with coherence off, reads go
    through a cache model (filled on first read, invalidated by sync_for_cpu / unmap)."""

    __slots__ = ("dev", "block", "phys", "size", "kind", "owner", "mapped", "_cache", "freed")

    def __init__(self, dev: "Device", block: Block, size: int, kind: str):
        self.dev = dev
        self.block = block
        self.phys = block.phys
        self.size = size
        self.kind = kind                 # coherent, noncoherent, kmalloc, pool
        self.owner = Owner.CPU
        self.mapped: dict[int, "Mapping"] = {}
        self._cache: bytearray | None = None
        self.freed = False

    @property
    def cached(self) -> bool:
        return self.kind != "coherent" and not self.dev.coherent

    def _check(self, offset: int, length: int, what: str) -> None:
        if self.freed:
            self.dev.violation(f"CPU {what} of freed DMA buffer at phys {self.phys:#x}")
        if offset < 0 or length < 0 or offset + length > self.size:
            raise ValueError(f"CPU {what} of bytes [{offset}, {offset + length}) outside the "
                             f"{self.size}-byte buffer at phys {self.phys:#x}")
        if self.kind != "coherent" and self.owner is Owner.DEVICE:
            self.dev.violation(f"CPU {what} of DMA buffer at phys {self.phys:#x} while the device owns it "
                                "(missing dma_sync_single_for_cpu or unmap)")

    def read(self, offset: int = 0, length: int | None = None) -> bytes:
        length = self.size - offset if length is None else length
        self._check(offset, length, "read")
        if self.cached:
            if self._cache is None:
                self._cache = bytearray(self.dev.mem.read(self.phys, self.size))
            return bytes(self._cache[offset:offset + length])
        return self.dev.mem.read(self.phys + offset, length)

    def write(self, offset: int, data: bytes) -> None:
        self._check(offset, len(data), "write")
        self.dev.mem.write(self.phys + offset, data)
        if self._cache is not None:
            self._cache[offset:offset + len(data)] = data

    def view(self) -> np.ndarray:
        """Zero-copy numpy view; only for coherent memory, where no sync is ever needed."""
        if self.kind != "coherent":
            raise DmaApiError(f"direct view of {self.kind} DMA memory at phys {self.phys:#x}: use read()")
        return self.dev.mem.view(self.phys, self.size)

    def invalidate(self) -> None:
        self._cache = None

    def on_block_freed(self, block: Block) -> None:
        """The memory went back to the allocator (by any path, e.g. ``free_all`` at close):
        the CPU may no longer touch it and the device's mappings of it are torn down, so a
        late device write faults instead of landing in whatever is allocated there next."""
        for handle in list(self.mapped):
            self.dev.remove_mapping(handle)
        self.freed = True
        self.owner = Owner.CPU
        self._cache = None


@dataclass(slots=True)
class Mapping:
    handle: int
    buf: DmaBuffer
    offset: int
    size: int
    direction: DmaDirection
    kind: str


@dataclass
class Device:
    """The DMA-capable device (``struct device``) the driver maps memory for."""

    mem: PhysicalMemory
    allocator: BuddyAllocator
    iommu: Iommu
    coherent: bool = True     # dma-coherent bus (x86); False models a non-snooping ARM SoC
    strict: bool = True       # raise on a violation (else only record it)
    name: str = "sgdma"
    violations: list[str] = field(default_factory=list)
    _maps: dict[int, Mapping] = field(default_factory=dict)
    _unmapped: set[int] = field(default_factory=set)

    def snapshot(self) -> tuple:
        """The allocator's, the IOMMU's and the DMA API's own state: what a rejected call must
        leave as it was."""
        maps = {h: (m.buf.phys, m.offset, m.size, m.direction) for h, m in self._maps.items()}
        return (self.allocator.free_bytes(), self.allocator.snapshot(), self.iommu.snapshot(), maps,
                frozenset(self._unmapped), list(self.violations))

    def violation(self, msg: str) -> None:
        """A DMA-API rule broken (what DMA_API_DEBUG would report): recorded, raised when strict."""
        self.violations.append(msg)
        if self.strict:
            raise DmaApiError(msg)

    # -- all-or-nothing operations ---------------------------------------------------------------
    def checkpoint(self) -> tuple[object, int]:
        """A mark to roll back to if a multi-step operation (an SG map, a chain, a ring) fails."""
        return self.allocator.checkpoint(), self.iommu.cursor

    def roll_back(self, mark: tuple[object, int], buffers: list[DmaBuffer] = ()) -> None:
        """Undoes a failed operation: unmaps and frees ``buffers`` (allocated since ``mark``)
        without recording the handles as unmapped (they were never handed out), then rewinds
        the IOMMU and the allocator, so the model is exactly as at the mark."""
        for buf in reversed(list(buffers)):
            for handle in list(buf.mapped):
                self.remove_mapping(handle, record=False)
            if not buf.freed:
                self.allocator.free(buf.block)
        alloc_mark, iova_mark = mark
        self.iommu.rewind(iova_mark)
        self.allocator.roll_back(alloc_mark)

    @property
    def mapping_count(self) -> int:
        """Live DMA mappings (coherent and non-coherent allocations, streaming mappings)."""
        return len(self._maps)

    def _check_buffer(self, buf: object, what: str) -> DmaBuffer:
        if not isinstance(buf, DmaBuffer):
            raise TypeError(f"{what}: expected a DmaBuffer, got {buf!r}")
        if buf.dev is not self:
            raise ValueError(f"{what}: buffer at phys {buf.phys:#x} belongs to device {buf.dev.name!r}, "
                             f"not {self.name!r}")
        return buf

    # -- coherent and non-coherent allocations ----------------------------------------------
    def _alloc(self, size: int, kind: str, owner: object) -> DmaBuffer:
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise ValueError(f"{kind} DMA allocation of {size!r} bytes")
        block = self.allocator.alloc(size, owner=owner)
        buf = DmaBuffer(self, block, size, kind)
        block.on_free.append(buf.on_block_freed)
        return buf

    def dma_alloc_coherent(self, size: int, owner: object = None) -> tuple[DmaBuffer, int]:
        buf = self._alloc(size, "coherent", owner)
        handle = self._add_map(buf, 0, size, DmaDirection.BIDIRECTIONAL, "coherent")
        return buf, handle

    def dma_alloc_coherent_many(self, size: int, count: int, owner: object = None) -> list[tuple[DmaBuffer, int]]:
        """``count`` calls of ``dma_alloc_coherent(size)`` in one: one allocator walk, one IOMMU
        page-table update, the same buffers and bus addresses as the calls one by one.  All or
        nothing: if memory runs out at buffer ``i`` nothing stays allocated or mapped, and the
        OutOfMemoryError's ``index`` is ``i``."""
        return self._alloc_many(size, count, "coherent", owner, DmaDirection.BIDIRECTIONAL)

    def kmalloc_many(self, size: int, count: int, owner: object = None) -> list[DmaBuffer]:
        """``count`` calls of ``kmalloc(size)`` in one (all or nothing, as dma_alloc_coherent_many)."""
        return [b for b, _ in self._alloc_many(size, count, "kmalloc", owner, None)]

    def _alloc_many(self, size: int, count: int, kind: str, owner: object,
                    direction: DmaDirection | None) -> list[tuple[DmaBuffer, int]]:
        if isinstance(size, bool) or not isinstance(size, int) or size <= 0:
            raise ValueError(f"{kind} DMA allocation of {size!r} bytes")
        blocks = self.allocator.alloc_many(size, count, owner=owner)    # all or nothing itself
        phys = [blk.phys for blk in blocks]
        # the pages are given memory now, in bulk (the kernel's allocator hands out zeroed or
        # at least resident pages; the first device write then takes no page fault)
        self.mem.populate_many(phys, size)
        bufs = [DmaBuffer(self, blk, size, kind) for blk in blocks]
        for blk, buf in zip(blocks, bufs):
            blk.on_free.append(buf.on_block_freed)
        if direction is None:
            return [(b, -1) for b in bufs]
        handles = self.iommu.map_many(phys, size, direction)
        maps, unmapped = self._maps, self._unmapped
        for buf, handle in zip(bufs, handles):
            maps[handle] = buf.mapped[handle] = Mapping(handle, buf, 0, size, direction, kind)
        if unmapped:
            unmapped.difference_update(handles)
        return list(zip(bufs, handles))

    def dma_alloc_noncoherent(self, size: int, direction: DmaDirection,
                              owner: object = None) -> tuple[DmaBuffer, int]:
        check_direction(direction, "dma_alloc_noncoherent")
        buf = self._alloc(size, "noncoherent", owner)
        handle = self._add_map(buf, 0, size, direction, "noncoherent")
        return buf, handle

    def dma_free_coherent(self, buf: DmaBuffer, handle: int) -> None:
        self._free_alloc(buf, handle, "coherent")

    def dma_free_noncoherent(self, buf: DmaBuffer, handle: int) -> None:
        self._free_alloc(buf, handle, "noncoherent")

    def _free_alloc(self, buf: DmaBuffer, handle: int, kind: str) -> None:
        m = self._maps.get(handle)
        if m is None or m.buf is not buf or m.kind != kind:
            self.violation(f"dma_free_{kind} of unknown DMA handle {_h(handle)}")
            return
        self.remove_mapping(handle)
        buf.freed = True
        self.allocator.free(buf.block)

    # -- streaming mappings -------------------------------------------------------------------
    def kmalloc(self, size: int, owner: object = None) -> DmaBuffer:
        """Ordinary physically contiguous kernel memory, to be mapped with dma_map_single."""
        return self._alloc(size, "kmalloc", owner)

    def kfree(self, buf: DmaBuffer) -> None:
        self._check_buffer(buf, "kfree")
        if buf.freed:
            self.violation(f"kfree of buffer at phys {buf.phys:#x} that was already freed (double free)")
            return
        if buf.mapped:
            self.violation(f"kfree of buffer at phys {buf.phys:#x} that still has "
                            f"{len(buf.mapped)} DMA mapping(s)")
        buf.freed = True
        self.allocator.free(buf.block)

    def _check_single(self, buf: object, offset: object, size: object, direction: object,
                      what: str) -> tuple[DmaBuffer, int, int]:
        """Every argument check of a streaming map, before anything changes."""
        buf = self._check_buffer(buf, what)
        check_direction(direction, what)
        offset = check_int(f"{what}: offset", offset)
        size = check_int(f"{what}: size", size)
        if size <= 0 or offset < 0 or offset + size > buf.size:
            raise ValueError(f"{what} of [{offset}, {offset + size}) in a {buf.size}-byte buffer")
        if buf.freed:
            self.violation(f"{what} of freed DMA buffer at phys {buf.phys:#x}")
        return buf, offset, size

    def dma_map_single(self, buf: DmaBuffer, offset: int, size: int, direction: DmaDirection) -> int:
        buf, offset, size = self._check_single(buf, offset, size, direction, "dma_map_single")
        handle = self._add_map(buf, offset, size, direction, "single")
        buf.owner = Owner.DEVICE
        return handle

    def dma_unmap_single(self, handle: int, size: int, direction: DmaDirection) -> None:
        check_direction(direction, "dma_unmap_single")
        m = self._lookup(handle, "dma_unmap_single")
        if m is None:
            return
        if m.size != size or m.direction is not direction:
            self.violation(f"dma_unmap_single of {handle:#x} with size {size} / {direction.name}, "
                            f"mapped with {m.size} / {m.direction.name}")
        self.remove_mapping(handle)
        m.buf.owner = Owner.CPU
        m.buf.invalidate()

    def dma_map_sg(self, sglist: list[tuple[DmaBuffer, int, int]], direction: DmaDirection) -> list[tuple[int, int]]:
        """Maps each (buffer, offset, length); returns the (bus address, length) list.

        All or nothing: every entry is checked first (overlapping entries are a DMA-API
        violation, as dma-debug reports them), and if mapping fails part-way the entries
        already mapped are unmapped again, so the call leaves no trace."""
        check_direction(direction, "dma_map_sg")
        if isinstance(sglist, (str, bytes)) or not hasattr(sglist, "__iter__"):
            raise TypeError(f"dma_map_sg: expected a list of (buffer, offset, length), got {sglist!r}")
        entries = list(sglist)
        if not entries:
            raise ValueError("dma_map_sg of an empty scatterlist")
        checked = []
        for i, e in enumerate(entries):
            if not isinstance(e, (tuple, list)) or len(e) != 3:
                raise TypeError(f"dma_map_sg: entry {i} must be (buffer, offset, length), got {e!r}")
            checked.append(self._check_single(*e, direction, f"dma_map_sg entry {i}"))
        spans = sorted((b.phys + off, b.phys + off + n, i) for i, (b, off, n) in enumerate(checked))
        for (s0, e0, i0), (s1, e1, i1) in zip(spans, spans[1:]):
            if s1 < e0:
                a, b = sorted((i0, i1))
                self.violation(f"dma_map_sg: entries {a} and {b} overlap (phys [{s0:#x}, {e0:#x}) and "
                                f"[{s1:#x}, {e1:#x})): overlapping mappings are not supported")
        owners = {id(b): (b, b.owner) for b, _, _ in checked}
        mark = self.iommu.cursor
        done: list[tuple[int, int]] = []
        try:
            for b, off, n in checked:
                done.append((self._add_map(b, off, n, direction, "single"), n))
                b.owner = Owner.DEVICE
        except BaseException:
            for handle, _ in reversed(done):
                self.remove_mapping(handle, record=False)
            self.iommu.rewind(mark)
            for b, owner in owners.values():
                b.owner = owner
            raise
        return done

    def dma_unmap_sg(self, mapped: list[tuple[int, int]], direction: DmaDirection) -> None:
        """Unmaps what dma_map_sg returned; every entry is checked before any is unmapped."""
        check_direction(direction, "dma_unmap_sg")
        entries = list(mapped)
        for i, e in enumerate(entries):
            if not isinstance(e, (tuple, list)) or len(e) != 2:
                raise TypeError(f"dma_unmap_sg: entry {i} must be (bus address, length), got {e!r}")
        if self.strict:
            for handle, n in entries:
                m = self._lookup(handle, "dma_unmap_sg")
                if m.size != n or m.direction is not direction:
                    self.violation(f"dma_unmap_sg of {_h(handle)} with size {n!r} / {direction.name}, "
                                    f"mapped with {m.size} / {m.direction.name}")
            if len({h for h, _ in entries}) != len(entries):
                self.violation("dma_unmap_sg: the same DMA handle appears twice (double unmap)")
        for handle, n in entries:
            self.dma_unmap_single(handle, n, direction)

    def dma_sync_single_for_cpu(self, handle: int, size: int, direction: DmaDirection) -> None:
        """Ownership back to the CPU (its view refreshed from memory)."""
        m = self._sync(handle, size, direction, "dma_sync_single_for_cpu")
        if m is not None:
            m.buf.owner = Owner.CPU
            m.buf.invalidate()

    def dma_sync_single_for_device(self, handle: int, size: int, direction: DmaDirection) -> None:
        """Ownership to the device."""
        m = self._sync(handle, size, direction, "dma_sync_single_for_device")
        if m is not None:
            m.buf.owner = Owner.DEVICE

    def _sync(self, handle: int, size: int, direction: DmaDirection, what: str) -> Mapping | None:
        check_direction(direction, what)
        m = self._lookup(handle, what)
        if m is not None:
            self._check_sync(m, size, direction, what)
        return m

    def _check_sync(self, m: Mapping, size: int, direction: DmaDirection, what: str) -> None:
        size = check_int(f"{what}: size", size)
        if size <= 0 or size > m.size:
            self.violation(f"{what} of {size} bytes on a {m.size}-byte mapping {m.handle:#x}")
        if direction is not m.direction:
            self.violation(f"{what} with direction {direction.name} on a {m.direction.name} mapping {m.handle:#x}")

    # -- bookkeeping -------------------------------------------------------------------------
    def _add_map(self, buf: DmaBuffer, offset: int, size: int, direction: DmaDirection, kind: str) -> int:
        if not isinstance(direction, DmaDirection):
            check_direction(direction, f"{kind} DMA mapping")
        handle = self.iommu.map(buf.phys + offset, size, direction)
        m = Mapping(handle, buf, offset, size, direction, kind)
        self._maps[handle] = m
        self._unmapped.discard(handle)
        buf.mapped[handle] = m
        return handle

    def remove_mapping(self, handle: int, record: bool = True) -> None:
        """Tears down one mapping: the buffer forgets it, the IOMMU unmaps it."""
        m = self._maps.pop(handle)
        m.buf.mapped.pop(handle, None)
        self.iommu.unmap(handle, m.size)
        if record:   # a rolled-back mapping was never handed out: nothing to remember
            self._unmapped.add(handle)

    def _lookup(self, handle: int, what: str) -> Mapping | None:
        m = self._maps.get(handle) if isinstance(handle, int) and not isinstance(handle, bool) else None
        if m is None:
            again = " (already unmapped: double unmap)" if handle in self._unmapped else ""
            self.violation(f"{what} of unknown DMA handle {_h(handle)}{again}")
        return m

    def dma_pool_create(self, name: str, size: int, align: int) -> "DmaPool":
        return DmaPool(self, name, size, align)


class DmaPool:
    """``dma_pool``: small coherent blocks (descriptors) carved from coherent pages."""

    def __init__(self, dev: Device, name: str, size: int, align: int, chunk: int = 16384):
        if size <= 0 or align <= 0 or align & (align - 1):
            raise ValueError(f"dma_pool {name!r}: size {size} / align {align} (align must be a power of 2)")
        self.dev, self.name = dev, name
        self.stride = (size + align - 1) // align * align
        self.size = size
        self.chunk = max(chunk, self.stride)
        self._pages: list[tuple[DmaBuffer, int]] = []
        self._free: list[tuple[DmaBuffer, int, int]] = []   # (page buffer, offset, bus address)
        self._used: set[int] = set()

    def snapshot(self) -> tuple:
        """The pool's pages, free slots and blocks in use."""
        return list(self._pages), list(self._free), set(self._used)

    def alloc(self) -> tuple[int, int, DmaBuffer]:
        """Returns (bus address, offset in the page buffer, page buffer)."""
        if not self._free:
            buf, handle = self.dev.dma_alloc_coherent(self.chunk, owner=self)
            self._pages.append((buf, handle))
            n = self.chunk // self.stride
            self._free.extend((buf, i * self.stride, handle + i * self.stride) for i in range(n - 1, -1, -1))
        buf, off, bus = self._free.pop()
        self._used.add(bus)
        return bus, off, buf

    def alloc_many(self, count: int) -> tuple[list[int], list[int], list[DmaBuffer]]:
        """``count`` calls of ``alloc()`` in one: (bus addresses, offsets, page buffers), the
        same blocks in the same order; the pages it needs are allocated with one
        dma_alloc_coherent_many.  All or nothing: if memory runs out, the pool is as before."""
        count = check_int("dma_pool alloc count", count, lo=1)
        free = self._free
        need = count - len(free)
        if need > 0:
            per = self.chunk // self.stride
            pages = self.dev.dma_alloc_coherent_many(self.chunk, -(-need // per), owner=self)
            # each new page's slots go under the free list, as alloc() pushes them when empty
            fresh = [(buf, i * self.stride, handle + i * self.stride)
                     for buf, handle in reversed(pages) for i in range(per - 1, -1, -1)]
            self._pages.extend(pages)
            free[:0] = fresh
        taken = free[len(free) - count:]
        del free[len(free) - count:]
        taken.reverse()
        self._used.update(bus for _, _, bus in taken)
        return [t[2] for t in taken], [t[1] for t in taken], [t[0] for t in taken]

    def free(self, bus: int) -> None:
        if bus not in self._used:
            raise DmaApiError(f"dma_pool_free of {_h(bus)}, not allocated from pool {self.name!r}")
        self._used.remove(bus)
        for buf, handle in self._pages:
            if handle <= bus < handle + buf.size:
                self._free.append((buf, bus - handle, bus))
                return

    def free_many(self, buses: list[int]) -> None:
        """``free(bus)`` for each of ``buses`` in order; every one is checked first, so a bad
        entry frees none."""
        buses = list(buses)
        used = self._used
        bad = next((b for b in buses if b not in used), None)
        if bad is not None or len(set(buses)) != len(buses):
            what = _h(bad) if bad is not None else "the same block twice"
            raise DmaApiError(f"dma_pool_free of {what}, not allocated from pool {self.name!r}")
        pages = sorted(self._pages, key=lambda page: page[1])
        firsts = [handle for _, handle in pages]
        for bus in buses:
            buf, handle = pages[bisect.bisect_right(firsts, bus) - 1]
            used.remove(bus)
            self._free.append((buf, bus - handle, bus))

    @property
    def page_count(self) -> int:
        return len(self._pages)

    def checkpoint(self) -> tuple[int, list, set]:
        """A mark for ``roll_back``: the pages, the free list (in order) and the blocks in use."""
        return len(self._pages), list(self._free), set(self._used)

    def roll_back(self, mark: tuple[int, list, set]) -> list[DmaBuffer]:
        """Back to ``mark``: blocks allocated since are free again, in the same order, and the
        pages added since are taken out of the pool and returned for ``Device.roll_back``."""
        npages, free, used = mark
        drop = [b for b, _ in self._pages[npages:]]
        del self._pages[npages:]
        self._free, self._used = free, used
        return drop

    def destroy(self) -> None:
        if self._used:
            self.dev.violation(f"dma_pool_destroy of {self.name!r} with {len(self._used)} blocks in use")
        for buf, handle in self._pages:
            self.dev.dma_free_coherent(buf, handle)
        self._pages.clear()
        self._free.clear()
