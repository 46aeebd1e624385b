"""An IOMMU: the device sees bus addresses (IOVAs), translated page by page to physical ones.

Only what the driver mapped for the device, in the mapped direction, is reachable; any other
access is refused (the bus model answers SLVERR) and recorded in ``faults``, as an IOMMU
fault would be logged.  IOVAs are handed out from a window far from physical RAM, so a driver
that passes a physical address where a bus address belongs fails visibly.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass, field

from .physmem import PAGE_SHIFT, PAGE_SIZE, PhysicalMemory, check_int


class DmaDirection(enum.Enum):
    BIDIRECTIONAL = 0
    TO_DEVICE = 1      # device reads
    FROM_DEVICE = 2    # device writes

    def allows(self, is_write: bool) -> bool:
        if self is DmaDirection.BIDIRECTIONAL:
            return True
        return is_write == (self is DmaDirection.FROM_DEVICE)


_BIDI, _FROM_DEV = DmaDirection.BIDIRECTIONAL, DmaDirection.FROM_DEVICE


def check_direction(direction: object, what: str) -> "DmaDirection":
    """``direction`` if it is a ``DmaDirection``; a TypeError naming it otherwise (a string or
    an int is not one: the kernel's enum dma_data_direction is checked at map time too)."""
    if not isinstance(direction, DmaDirection):
        raise TypeError(f"{what}: direction must be a DmaDirection (one of "
                        f"{', '.join(d.name for d in DmaDirection)}), got {direction!r}")
    return direction


class IommuFault(Exception):
    """A device access the IOMMU refused."""


@dataclass
class Fault:
    iova: int
    length: int
    is_write: bool
    reason: str


@dataclass
class Iommu:
    mem: PhysicalMemory
    iova_base: int = 0x8000_0000
    passthrough: bool = False
    faults: list[Fault] = field(default_factory=list)
    _pt: dict[int, tuple[int, DmaDirection]] = field(default_factory=dict)   # iova pfn -> (phys pfn, dir)
    _next: int = 0
    #: changes whenever the page table does (a translation made at the same generation holds)
    generation: int = 0

    def snapshot(self) -> tuple:
        """The page table, the next IOVA and the fault count."""
        return dict(self._pt), self._next, len(self.faults)

    def map(self, phys: int, length: int, direction: DmaDirection) -> int:
        """Maps [phys, phys+length) and returns the bus address of ``phys``.  The range must be
        RAM; nothing changes if the call is refused."""
        check_direction(direction, "IOMMU map")
        phys = check_int("IOMMU map: physical address", phys, lo=0)
        length = check_int("IOMMU map: length", length, lo=1)
        self.mem.offset(phys, length)   # ValueError naming the range if it is not all RAM
        if self.passthrough:
            return phys
        first = phys & ~(PAGE_SIZE - 1)
        npages = ((phys + length - first) + PAGE_SIZE - 1) >> PAGE_SHIFT
        iova_page = (self.iova_base >> PAGE_SHIFT) + self._next
        self._next += npages + 1  # one unmapped guard page between mappings
        self.generation += 1
        pt, pfn = self._pt, first >> PAGE_SHIFT
        if npages == 1:
            pt[iova_page] = (pfn, direction)
        else:
            pt.update(zip(range(iova_page, iova_page + npages), zip(range(pfn, pfn + npages), [direction] * npages)))
        return (iova_page << PAGE_SHIFT) + (phys - first)

    def map_many(self, phys: list[int], length: int, direction: DmaDirection) -> list[int]:
        """``map(p, length, direction)`` for each ``p`` of ``phys`` in order, in one page-table
        update: the same bus addresses as the calls one by one (each mapping followed by its
        guard page).  Every range is checked before anything changes."""
        check_direction(direction, "IOMMU map")
        length = check_int("IOMMU map: length", length, lo=1)
        phys = list(phys)
        if not phys:
            return []
        if not all(p.__class__ is int for p in phys):
            for i, p in enumerate(phys):
                check_int(f"IOMMU map: physical address {i}", p, lo=0)
        lo, hi = min(phys), max(phys)
        if lo < 0:
            raise ValueError(f"IOMMU map: physical address {lo} is out of range (>= 0)")
        self.mem.offset(lo, length)
        self.mem.offset(hi, length)     # every range lies between these two, all in RAM
        if self.passthrough:
            return phys
        mask = PAGE_SIZE - 1
        if all(not p & mask for p in phys):
            npages = (length + mask) >> PAGE_SHIFT   # page-aligned: every mapping the same size
            step = npages + 1
            first = (self.iova_base >> PAGE_SHIFT) + self._next
            iova_pages = range(first, first + step * len(phys), step)
            self._next += step * len(phys)
            self.generation += 1
            pfns = [p >> PAGE_SHIFT for p in phys]
            if npages == 1:
                self._pt.update(zip(iova_pages, zip(pfns, [direction] * len(pfns))))
            else:
                self._pt.update((ip + k, (pfn + k, direction)) for ip, pfn in zip(iova_pages, pfns)
                                for k in range(npages))
            return [ip << PAGE_SHIFT for ip in iova_pages]
        return [self.map(p, length, direction) for p in phys]

    @property
    def cursor(self) -> int:
        """Where the next mapping's IOVA range starts (a mark for ``rewind``)."""
        return self._next

    def rewind(self, mark: int) -> None:
        """Hands IOVAs from ``mark`` on out again, after the mappings made since were undone."""
        first = (self.iova_base >> PAGE_SHIFT) + mark
        if any(p >= first for p in self._pt):
            raise RuntimeError(f"IOMMU rewind to {mark} with mappings made since still live")
        self._next = mark
        self.generation += 1

    @property
    def mapped_pages(self) -> int:
        """IOVA pages currently mapped (0 in passthrough mode)."""
        return len(self._pt)

    def unmap(self, iova: int, length: int) -> None:
        if self.passthrough:
            return
        first = iova & ~(PAGE_SIZE - 1)
        npages = ((iova + length - first) + PAGE_SIZE - 1) >> PAGE_SHIFT
        for i in range(npages):
            self._pt.pop((first >> PAGE_SHIFT) + i, None)
        self.generation += 1

    def translate(self, iova: int, length: int, is_write: bool) -> list[tuple[int, int]]:
        """Physical (address, length) pieces of a device access; raises IommuFault if refused."""
        if self.passthrough:
            try:
                self.mem.offset(iova, length)
            except ValueError as e:
                self._fault(iova, length, is_write, str(e))
            return [(iova, length)]
        if 0 < length and (iova & (PAGE_SIZE - 1)) + length <= PAGE_SIZE:
            # within one page (a descriptor, a STATUS word, a page-sized buffer): one look-up
            entry = self._pt.get(iova >> PAGE_SHIFT)
            if entry is not None and (entry[1] is _BIDI or (entry[1] is _FROM_DEV) is bool(is_write)):
                return [((entry[0] << PAGE_SHIFT) | (iova & (PAGE_SIZE - 1)), length)]
        if 0 < length:
            # pages mapped one after the other to consecutive physical pages in a direction
            # that allows the access (one buffer's mapping): one piece, one look-up per page
            first, last = iova >> PAGE_SHIFT, (iova + length - 1) >> PAGE_SHIFT
            pt = self._pt
            entry = pt.get(first)
            if entry is not None and (entry[1] is _BIDI or (entry[1] is _FROM_DEV) is bool(is_write)):
                pfn, direction = entry
                get, k = pt.get, first + 1
                while k <= last and get(k) == (pfn + k - first, direction):
                    k += 1
                if k > last:
                    return [((pfn << PAGE_SHIFT) | (iova & (PAGE_SIZE - 1)), length)]
        pieces, addr, end = [], iova, iova + length
        while addr < end:
            entry = self._pt.get(addr >> PAGE_SHIFT)
            if entry is None:
                self._fault(iova, length, is_write, f"bus address {addr:#x} is not mapped")
            ppfn, direction = entry
            if not direction.allows(is_write):
                self._fault(iova, length, is_write,
                            f"{'write' if is_write else 'read'} to a {direction.name} mapping at {addr:#x}")
            n = min(end, (addr | (PAGE_SIZE - 1)) + 1) - addr
            phys = (ppfn << PAGE_SHIFT) | (addr & (PAGE_SIZE - 1))
            if pieces and pieces[-1][0] + pieces[-1][1] == phys:
                pieces[-1] = (pieces[-1][0], pieces[-1][1] + n)
            else:
                pieces.append((phys, n))
            addr += n
        return pieces

    def _fault(self, iova: int, length: int, is_write: bool, reason: str) -> None:
        self.faults.append(Fault(iova, length, is_write, reason))
        raise IommuFault(reason)


class DeviceMemoryPort:
    """What the device's bus masters reach: ``read``/``write`` of bus addresses through the
    IOMMU into physical memory.  It is the ``target`` of the AXI memory models."""

    def __init__(self, iommu: Iommu):
        self.iommu = iommu
        self.mem = iommu.mem

    def write_sync(self, iova: int, data: bytes) -> None:
        pieces = self.iommu.translate(iova, len(data), True)
        if len(pieces) == 1:
            self.mem.write(pieces[0][0], data)
            return
        pos = 0
        for phys, n in pieces:
            self.mem.write(phys, data[pos:pos + n])
            pos += n

    def read_sync(self, iova: int, length: int) -> bytes:
        pieces = self.iommu.translate(iova, length, False)
        if len(pieces) == 1:
            return self.mem.read(*pieces[0])
        return b"".join(self.mem.read(p, n) for p, n in pieces)

    # cocotbext-axi memory targets are awaited
    async def write(self, address: int, data: bytes) -> None:
        self.write_sync(address, data)

    async def read(self, address: int, length: int) -> bytes:
        return self.read_sync(address, length)
