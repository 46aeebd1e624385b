"""The driver's mmap: the ring of discontiguous DMA buffers as one contiguous user mapping.

Three strategies (seeds 000, 001, 002):
- ``EAGER``: ``remap_pfn_range`` once per physically contiguous run of buffers (once per buffer
  when none touch), at increasing offsets of one VMA;
- ``LAZY``: a fault handler inserting each page's pfn on first touch (``vm_insert_pfn`` before
  4.17, ``vmf_insert_pfn`` from 4.17), optionally prefaulted by touching every page at mmap;
- ``DMA_MMAP_COHERENT``: one ``dma_mmap_coherent`` call, which maps a single buffer from the
  VMA start and cannot place several buffers, so it only works for a one-buffer ring.
A mapping twice the ring's size gets the buffers twice, back to back ("magic ring"), so a read
across the wrap is one contiguous slice.

Which file operation the driver provides follows the kernel (``RingFile.mmap_hook``): before 6.16
only ``f_op->mmap``.  From 6.16 ``f_op->mmap_prepare`` where the kernel can express the strategy
in a ``vm_area_desc``: ``LAZY`` sets the flags and the fault handler in the descriptor (with a
prefault, from 6.19, where the ``vm_ops->mapped`` hook can touch the new VMA); ``EAGER`` from 7.1
describes the whole ring, every buffer of every copy, as one *map kernel pages* action, which
the kernel performs once the VMA exists.  A VMA takes one action, and a *remap PFN* action
(6.19) covers one physically contiguous range only, so before 7.1 a ring of several buffers
keeps the deprecated ``f_op->mmap`` with one ``remap_pfn_range`` per contiguous run; so does
``dma_mmap_coherent``, which needs the VMA.  ``DmaBuf`` exports the ring as a handle another user
maps, through the handle itself or through an importing device's own file (``dma_buf_mmap``).
"""
from __future__ import annotations

import enum
import errno

import numpy as np

from .physmem import PAGE_SHIFT, PAGE_SIZE
from .vma import VM_SHARED, KernelProfile, MappableFile, Vma, VmAreaDesc, compat_vma_mmap


class Strategy(enum.Enum):
    EAGER = "eager"
    LAZY = "lazy"
    DMA_MMAP_COHERENT = "dma_mmap_coherent"


class RingFile(MappableFile):
    """The driver's character device file, as the application opens and mmaps it."""

    def __init__(self, driver, strategy: Strategy = Strategy.EAGER, reject_private: bool = True,
                 prefault: bool = False, use_mmap_prepare: bool = True):
        self.driver = driver
        self.strategy = Strategy(strategy)
        self.reject_private = reject_private
        self.prefault = prefault
        #: False builds the driver with the deprecated f_op->mmap even where mmap_prepare exists
        self.use_mmap_prepare = use_mmap_prepare
        self.last_error = ""

    def mmap_hook(self, kernel: KernelProfile) -> str:
        """The file operation this driver provides when built for ``kernel``."""
        if not self.use_mmap_prepare or not kernel.mmap_prepare:
            return "mmap"
        if self.strategy is Strategy.EAGER and kernel.has_mmap_action_map_kernel_pages:
            return "mmap_prepare"
        if self.strategy is Strategy.LAZY and (not self.prefault or kernel.has_vm_ops_mapped):
            return "mmap_prepare"
        return "mmap"

    def _pieces(self) -> list[tuple[int, int]]:
        """(physical address, size) of each buffer in ring order."""
        return [(buf.phys, buf.size) for buf, _ in self.driver.buffers]

    def _runs(self, copies: int) -> list[tuple[int, int]]:
        """(physical address, size) of each physically contiguous run of the ring's buffers,
        in ring order, over ``copies`` copies of the ring."""
        pieces = self._pieces()
        if not pieces or copies <= 0:
            return []
        a = np.tile(np.array(pieces, dtype=np.int64).reshape(-1, 2), (copies, 1))
        phys, size = a[:, 0], a[:, 1]
        # a piece continues the run before it where the previous piece ends at its address
        first = np.ones(len(phys), dtype=bool)
        first[1:] = phys[1:] != phys[:-1] + size[:-1]
        at = np.flatnonzero(first)
        return list(zip(phys[at].tolist(), np.add.reduceat(size, at).tolist()))

    def _fail(self, err: int, why: str) -> int:
        self.last_error = why
        return -err

    def _check(self, length: int, pgoff: int, flags: int) -> int:
        """The checks both file operations make: 0 or -errno (with ``last_error`` saying why)."""
        ring = self.driver.ring_size
        if ring == 0:
            return self._fail(errno.ENODEV, "no ring set up")
        if length not in (ring, 2 * ring):
            return self._fail(errno.EINVAL, f"mapping of {length} bytes: the ring is {ring} bytes "
                                            f"(map {ring}, or {2 * ring} for the double mapping)")
        if pgoff:
            return self._fail(errno.EINVAL, f"offset {pgoff << PAGE_SHIFT}: the ring maps from offset 0")
        if not flags & VM_SHARED and self.reject_private:
            return self._fail(errno.EINVAL, "MAP_PRIVATE: a private copy would stop seeing DMA data; use MAP_SHARED")
        return 0

    def mmap_prepare(self, desc: VmAreaDesc) -> int:
        """f_op->mmap_prepare: describes the mapping; the kernel performs it after."""
        rc = self._check(desc.length, desc.pgoff, desc.flags)
        if rc:
            return rc
        if self.strategy is Strategy.EAGER:
            copies = desc.length // self.driver.ring_size
            pages = [(phys >> PAGE_SHIFT) + i for _ in range(copies) for phys, size in self._pieces()
                     for i in range(size >> PAGE_SHIFT)]
            desc.mmap_action_map_kernel_pages_full(pages)
            return 0
        if self.strategy is Strategy.LAZY:
            desc.set_flags(desc.kernel.pfnmap_flags())
            desc.api_calls.append("fault(vmf)")
            desc.set_vm_ops(fault=self._fault, mapped=self._prefault if self.prefault else None)
            return 0
        return self._fail(errno.EINVAL, f"{self.strategy.value} has no mmap_prepare form")

    def _prefault(self, vma: Vma) -> int:
        vma.touch()
        return 0

    def mmap(self, vma: Vma) -> int:
        rc = self._check(vma.length, vma.pgoff, vma.flags)
        if rc:
            return rc
        ring = self.driver.ring_size
        if vma.kernel.mmap_prepare:
            vma.api_calls.append("f_op->mmap (deprecated from 6.16 in favour of mmap_prepare)")
        copies = vma.length // ring
        if self.strategy is Strategy.EAGER:
            # one remap_pfn_range per physically contiguous run of buffers (a run may span
            # several buffers, and the end of one copy of the ring the start of the next)
            off = 0
            for phys, size in self._runs(copies):
                rc = vma.remap_pfn_range(vma.start + off, phys >> PAGE_SHIFT, size)
                if rc:
                    return self._fail(-rc, f"remap_pfn_range at offset {off} returned {rc}")
                off += size
            return 0
        if self.strategy is Strategy.LAZY:
            vma.set_flags(vma.kernel.pfnmap_flags())
            vma.api_calls.append("fault(vma, vmf)" if vma.kernel.fault_takes_vma else "fault(vmf)")
            vma.fault = self._fault
            if self.prefault:
                vma.touch()
            return 0
        # dma_mmap_coherent
        if not vma.kernel.generic_dma_mmap_coherent:
            return self._fail(errno.ENXIO, f"dma_mmap_coherent is ARM-only before 3.6 (kernel {vma.kernel.label})")
        vma.api_calls.append("dma_mmap_coherent")
        pieces = self._pieces()
        if len(pieces) != 1 or copies != 1:
            return self._fail(errno.EINVAL, f"dma_mmap_coherent maps one buffer from the VMA start; it cannot "
                                            f"place {len(pieces) * copies} buffers at offsets in one VMA")
        phys, size = pieces[0]
        rc = vma.remap_pfn_range(vma.start, phys >> PAGE_SHIFT, size)
        return self._fail(-rc, "dma_mmap_coherent failed") if rc else 0

    def _fault(self, vma: Vma, page: int) -> int:
        ring_off = (page << PAGE_SHIFT) % self.driver.ring_size
        for phys, size in self._pieces():
            if ring_off < size:
                return vma.insert_pfn(vma.start + (page << PAGE_SHIFT), (phys + ring_off) >> PAGE_SHIFT)
            ring_off -= size
        return -errno.EFAULT


class DmaBuf(MappableFile):
    """An exported dma-buf: a handle (an fd in user space) whose mmap is the exporter's."""

    def __init__(self, exporter: RingFile):
        self.exporter = exporter
        self.size = exporter.driver.ring_size
        self.closed = False

    def mmap_hook(self, kernel: KernelProfile) -> str:
        return self.exporter.mmap_hook(kernel)

    def mmap(self, vma: Vma) -> int:
        if self.closed:
            return -errno.EBADF
        return self.exporter.mmap(vma)

    def mmap_prepare(self, desc: VmAreaDesc) -> int:
        if self.closed:
            return -errno.EBADF
        return self.exporter.mmap_prepare(desc)

    def close(self) -> None:
        self.closed = True


def dma_buf_mmap(dmabuf: DmaBuf, vma: Vma, pgoff: int) -> int:
    """What an importing driver calls from its own mmap to map a dma-buf it holds."""
    if dmabuf.closed:
        return -errno.EBADF
    if pgoff != 0 or vma.length > 2 * dmabuf.size:
        return -errno.EINVAL
    return compat_vma_mmap(dmabuf.exporter, vma)


class ImporterFile(MappableFile):
    """Another device's file that imported the dma-buf and maps it through dma_buf_mmap."""

    def __init__(self, dmabuf: DmaBuf):
        self.dmabuf = dmabuf

    def mmap(self, vma: Vma) -> int:
        return dma_buf_mmap(self.dmabuf, vma, vma.pgoff)


assert PAGE_SIZE == 1 << PAGE_SHIFT
