"""User mappings of the DMA buffers: VMAs, the driver's mmap strategies and the kernel's rules.

``AddressSpace.mmap`` plays the mmap system call: it creates a ``Vma`` and calls the mapped
file's ``mmap`` operation (the driver's ``f_op->mmap``), which installs page-table entries with
``remap_pfn_range`` (eager) or leaves them to a fault handler (lazy, ``vm_insert_pfn`` /
``vmf_insert_pfn``).  Each installed entry is also a real ``mmap`` of the physical-memory
memfd at the right virtual address (ctypes, MAP_FIXED), so the result is a real contiguous
virtual mapping of the discontiguous buffers, read through numpy with no copy.  MAP_PRIVATE
entries are real private file mappings, so copy-on-write behaves as in the kernel: once the
application writes a page it stops seeing what the device writes there.

From 6.16 a file may instead provide ``f_op->mmap_prepare(struct vm_area_desc *)`` (``f_op->mmap``
is deprecated since): the driver fills in a ``VmAreaDesc`` before the VMA exists (flags, vm_ops,
and one *mmap action*: remap a PFN range, from 6.19; simple I/O remap or map an array of kernel
pages, from 7.1), and the kernel creates the VMA and performs the action itself.  A file mapped
from inside another driver's mmap (``dma_buf_mmap``) goes through ``compat_vma_mmap``, which runs
mmap_prepare on a descriptor of the existing VMA and completes the action at once.

``KernelProfile`` decides which calls exist and how they behave, from 2.6.32 to 7.x.
"""
from __future__ import annotations

import ctypes
import errno
import mmap as _mmap
import re
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .physmem import PAGE_SHIFT, PAGE_SIZE, PhysicalMemory

# vm_flags bits (names as in the kernel; values are this model's)
VM_READ, VM_WRITE, VM_SHARED, VM_MAYWRITE = 0x1, 0x2, 0x8, 0x20
VM_IO, VM_PFNMAP, VM_DONTEXPAND, VM_DONTDUMP, VM_RESERVED, VM_MIXEDMAP = 0x4000, 0x400, 0x40000, 0x4000000, 0x80000, 0x10000000

PROT_READ, PROT_WRITE = _mmap.PROT_READ, _mmap.PROT_WRITE
MAP_SHARED, MAP_PRIVATE = _mmap.MAP_SHARED, _mmap.MAP_PRIVATE
_MAP_FIXED, _MAP_ANONYMOUS, _MAP_NORESERVE = 0x10, _mmap.MAP_ANONYMOUS, 0x4000

_libc = ctypes.CDLL(None, use_errno=True)
_libc.mmap.restype = ctypes.c_void_p
_libc.mmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int, ctypes.c_int, ctypes.c_int, ctypes.c_long]
_libc.munmap.argtypes = [ctypes.c_void_p, ctypes.c_size_t]
_MAP_FAILED = ctypes.c_void_p(-1).value


def _sys_mmap(addr: int | None, length: int, prot: int, flags: int, fd: int, offset: int) -> int:
    res = _libc.mmap(addr, length, prot, flags, fd, offset)
    if res == _MAP_FAILED or res is None:
        e = ctypes.get_errno()
        raise OSError(e, f"mmap({addr}, {length:#x}) failed: {errno.errorcode.get(e, e)}")
    return res


class KernelBug(Exception):
    """The kernel would BUG() here (e.g. vm_insert_pfn on a copy-on-write mapping)."""


class MmapError(OSError):
    """mmap failed with an errno (what the application's mmap() would return)."""


class MissingKernelApi(Exception):
    """The driver called a kernel function this kernel version does not have (it would not
    build against that kernel)."""


_VERSION = re.compile(r"([0-9]+)\.([0-9]+)(?:\.([0-9]+))?")
OLDEST_KERNEL = (2, 6, 32)
NEWEST_MAJOR = 7      # mainline went from 6.19 to 7.0; the profiles cover 7.x


class KernelProfile:
    """Which memory-mapping API exists in a given kernel version (facts file table).

    A version is ``"major.minor"`` or ``"major.minor.patch"`` (or a tuple of two or three
    non-negative integers), from 2.6.32 to 7.x; anything else is a ValueError naming it."""

    def __init__(self, version: "str | tuple[int, ...] | KernelProfile"):
        if isinstance(version, KernelProfile):
            parts = version.version
        elif isinstance(version, str):
            m = _VERSION.fullmatch(version.strip())
            if not m:
                raise ValueError(f"kernel version {version!r} is not a version like '6.6', '7.0' or '2.6.32' "
                                 "(two or three non-negative numbers separated by dots)")
            parts = tuple(int(x) for x in m.groups() if x is not None)
        elif isinstance(version, tuple):
            if not 2 <= len(version) <= 3 or any(isinstance(x, bool) or not isinstance(x, int) or x < 0
                                                 for x in version):
                raise ValueError(f"kernel version {version!r} must be two or three non-negative integers")
            parts = version
        else:
            raise ValueError(f"kernel version {version!r} must be a string like '6.6' or a tuple of integers")
        self.version = tuple(parts) + (0,) * (3 - len(parts))
        if self.version < OLDEST_KERNEL:
            raise ValueError(f"kernel {self.label} is older than 2.6.32, the oldest profile")
        if self.version[0] > NEWEST_MAJOR:
            raise ValueError(f"kernel {self.label} is newer than any profile (they end at {NEWEST_MAJOR}.x)")

    @property
    def label(self) -> str:
        return ".".join(map(str, self.version))

    def at_least(self, *v: int) -> bool:
        return self.version >= v + (0,) * (3 - len(v))

    generic_dma_mmap_coherent = property(lambda s: s.at_least(3, 6))
    has_vm_reserved = property(lambda s: not s.at_least(3, 7))
    has_vm_iomap_memory = property(lambda s: s.at_least(3, 9))
    fault_takes_vma = property(lambda s: not s.at_least(4, 11))
    has_vmf_insert_pfn = property(lambda s: s.at_least(4, 17))
    has_vm_insert_pfn = property(lambda s: not s.at_least(4, 20))
    vm_flags_setter = property(lambda s: s.at_least(6, 3))
    #: ``f_op->mmap_prepare(struct vm_area_desc *)``; ``f_op->mmap`` is deprecated from here on
    mmap_prepare = property(lambda s: s.at_least(6, 16))
    #: mmap actions ``mmap_action_remap[_full]`` / ``mmap_action_ioremap[_full]`` and the
    #: ``vm_ops->mapped`` hook (the facts table dates them 6.17-7.x; the model places them at 6.19)
    has_mmap_action_remap = property(lambda s: s.at_least(6, 19))
    has_vm_ops_mapped = property(lambda s: s.at_least(6, 19))
    #: ``mmap_action_simple_ioremap`` and ``mmap_action_map_kernel_pages[_full]`` (placed at 7.1)
    has_mmap_action_simple_ioremap = property(lambda s: s.at_least(7, 1))
    has_mmap_action_map_kernel_pages = property(lambda s: s.at_least(7, 1))

    def pfnmap_flags(self) -> int:
        """What remap_pfn_range sets on the VMA in this kernel."""
        extra = VM_RESERVED if self.has_vm_reserved else (VM_DONTEXPAND | VM_DONTDUMP)
        return VM_IO | VM_PFNMAP | extra

    def __repr__(self) -> str:
        return f"KernelProfile({self.label})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, KernelProfile) and other.version == self.version

    def __hash__(self) -> int:
        return hash(self.version)


PROFILES = [KernelProfile(v) for v in ("2.6.32", "3.10", "4.14", "4.19", "5.4", "5.15", "6.1", "6.6",
                                       "6.12", "6.16", "6.19", "7.0", "7.1")]


@dataclass
class Vma:
    """A vm_area_struct: [start, start+length) of one process, mapping a file from pgoff."""

    space: "AddressSpace"
    start: int
    length: int
    flags: int
    pgoff: int
    kernel: KernelProfile
    fault: Callable[["Vma", int], int] | None = None      # vm_ops->fault, called with the page index
    ptes: dict[int, int] = field(default_factory=dict)     # page index -> pfn
    api_calls: list[str] = field(default_factory=list)
    # remap_pfn_range entries not yet made real: one run of virtually and physically
    # contiguous pages [addr, phys, size], installed with one system call (see AddressSpace.install)
    pending_run: list[int] | None = field(default=None, repr=False, compare=False)

    @property
    def is_cow(self) -> bool:
        """is_cow_mapping(): private and possibly writable."""
        return (self.flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE

    def set_flags(self, flags: int) -> None:
        """How a driver adds vm_flags: vm_flags_set() from 6.3, a direct write before."""
        self.api_calls.append("vm_flags_set" if self.kernel.vm_flags_setter else "vma->vm_flags |=")
        self.flags |= flags

    # -- the kernel's page-table helpers -------------------------------------------------------
    def remap_pfn_range(self, addr: int, pfn: int, size: int) -> int:
        """Maps ``size`` bytes of physical frames from ``pfn`` at user address ``addr``.
        Returns 0 or -errno, as the kernel does."""
        self.api_calls.append("remap_pfn_range")
        if addr % PAGE_SIZE or size % PAGE_SIZE or size <= 0:
            return -errno.EINVAL
        if addr < self.start or addr + size > self.start + self.length:
            return -errno.EINVAL
        if self.is_cow and (addr != self.start or size != self.length):
            return -errno.EINVAL  # a private writable VMA may only be remapped whole
        self.flags |= self.kernel.pfnmap_flags()
        first, n = (addr - self.start) >> PAGE_SHIFT, size >> PAGE_SHIFT
        self.ptes.update(zip(range(first, first + n), range(pfn, pfn + n)))
        self.space.install(self, addr, pfn, size, defer=True)
        return 0

    def insert_pfn(self, addr: int, pfn: int) -> int:
        """vmf_insert_pfn (4.17+) or vm_insert_pfn (before 4.20), whichever this kernel has."""
        name = "vmf_insert_pfn" if self.kernel.has_vmf_insert_pfn else "vm_insert_pfn"
        self.api_calls.append(name)
        if self.is_cow:
            raise KernelBug(f"{name} on a copy-on-write mapping (MAP_PRIVATE, writable): BUG_ON in "
                            f"kernel {self.kernel.label}")
        if not self.flags & (VM_PFNMAP | VM_MIXEDMAP):
            raise KernelBug(f"{name} on a VMA without VM_PFNMAP/VM_MIXEDMAP")
        page = (addr - self.start) >> PAGE_SHIFT
        if page in self.ptes:
            return -errno.EBUSY
        self.ptes[page] = pfn
        self.space.install(self, addr, pfn, PAGE_SIZE)
        return 0

    # -- the application's side -------------------------------------------------------------------
    def touch(self, offset: int = 0, length: int | None = None) -> int:
        """The application touches bytes [offset, offset+length): missing pages fault in.
        Returns the number of faults taken."""
        length = self.length - offset if length is None else length
        if offset < 0 or length < 0 or offset + length > self.length:
            raise ValueError(f"touch of [{offset}, {offset + length}) outside the {self.length}-byte mapping")
        faults = 0
        for page in range(offset >> PAGE_SHIFT, (offset + length + PAGE_SIZE - 1) >> PAGE_SHIFT):
            if page in self.ptes:
                continue
            if self.fault is None:
                raise MmapError(errno.EFAULT, f"SIGBUS: page {page} of the mapping has no entry and no fault handler")
            faults += 1
            if self.fault(self, page) != 0:
                raise MmapError(errno.EFAULT, f"SIGBUS: fault handler refused page {page}")
        return faults

    @property
    def array(self) -> np.ndarray:
        """The mapping as a numpy array (zero copy). Touch lazily mapped ranges first."""
        return self.space.array_of(self)

    def munmap(self) -> None:
        self.space.munmap(self)


@dataclass
class MmapAction:
    """``struct mmap_action``: what the kernel does to the new VMA after mmap_prepare."""

    kind: str                       # remap_pfn, io_remap_pfn, simple_ioremap, map_kernel_pages
    start: int = 0                  # user address where it begins
    pfn: int = 0                    # first frame (remap), or the physical address (simple ioremap)
    size: int = 0                   # bytes
    pages: list[int] = field(default_factory=list)   # frames of the kernel pages, in order


@dataclass
class VmAreaDesc:
    """``struct vm_area_desc``: the VMA-to-be that ``f_op->mmap_prepare`` fills in.  Nothing is
    mapped while the driver runs; the kernel builds the VMA from the description and then
    performs the one action it names (a later action call replaces an earlier one, as the
    field is one ``desc->action``)."""

    start: int
    end: int
    pgoff: int
    flags: int
    kernel: KernelProfile
    fault: Callable[[Vma, int], int] | None = None      # desc->vm_ops->fault
    mapped: Callable[[Vma], int] | None = None          # desc->vm_ops->mapped (6.19+)
    action: MmapAction | None = None
    api_calls: list[str] = field(default_factory=list)

    @property
    def length(self) -> int:
        return self.end - self.start

    @property
    def is_cow(self) -> bool:
        return (self.flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE

    def set_flags(self, flags: int) -> None:
        """vma_desc_set_flags(): no locking dance, the VMA does not exist yet."""
        self.api_calls.append("vma_desc_set_flags")
        self.flags |= flags

    def _need(self, have: bool, name: str) -> None:
        self.api_calls.append(name)
        if not have:
            raise MissingKernelApi(f"{name}() does not exist in kernel {self.kernel.label}")

    def set_vm_ops(self, fault: Callable[[Vma, int], int] | None = None,
                   mapped: Callable[[Vma], int] | None = None) -> None:
        """desc->vm_ops = &ops (a fault handler; the ``mapped`` hook from 6.19)."""
        if mapped is not None:
            self._need(self.kernel.has_vm_ops_mapped, "vm_ops->mapped")
        self.fault, self.mapped = fault, mapped

    def mmap_action_remap(self, start: int, pfn: int, size: int) -> None:
        self._need(self.kernel.has_mmap_action_remap, "mmap_action_remap")
        self.action = MmapAction("remap_pfn", start, pfn, size)

    def mmap_action_remap_full(self, pfn: int) -> None:
        self._need(self.kernel.has_mmap_action_remap, "mmap_action_remap_full")
        self.action = MmapAction("remap_pfn", self.start, pfn, self.length)

    def mmap_action_ioremap(self, start: int, pfn: int, size: int) -> None:
        self._need(self.kernel.has_mmap_action_remap, "mmap_action_ioremap")
        self.action = MmapAction("io_remap_pfn", start, pfn, size)

    def mmap_action_ioremap_full(self, pfn: int) -> None:
        self._need(self.kernel.has_mmap_action_remap, "mmap_action_ioremap_full")
        self.action = MmapAction("io_remap_pfn", self.start, pfn, self.length)

    def mmap_action_simple_ioremap(self, phys: int, size: int) -> None:
        """Like vm_iomap_memory(): [phys, phys+size) over the whole VMA, from desc->pgoff."""
        self._need(self.kernel.has_mmap_action_simple_ioremap, "mmap_action_simple_ioremap")
        self.action = MmapAction("simple_ioremap", self.start, phys, size)

    def mmap_action_map_kernel_pages(self, start: int, pages: list[int]) -> None:
        """Maps the kernel pages (given by frame number), one after the other, from ``start``."""
        self._need(self.kernel.has_mmap_action_map_kernel_pages, "mmap_action_map_kernel_pages")
        self.action = MmapAction("map_kernel_pages", start, 0, len(pages) * PAGE_SIZE, list(pages))

    def mmap_action_map_kernel_pages_full(self, pages: list[int]) -> None:
        """The same over the whole VMA: there must be a page for every page of it."""
        self._need(self.kernel.has_mmap_action_map_kernel_pages, "mmap_action_map_kernel_pages_full")
        self.action = MmapAction("map_kernel_pages", self.start, 0, self.length, list(pages))


def _action_prepare(desc: VmAreaDesc) -> int:
    """mmap_action_prepare(): checks the action against the VMA-to-be and sets its flags.
    Returns 0 or -errno; nothing is mapped yet."""
    a = desc.action
    if a is None:
        return 0
    if a.kind == "simple_ioremap":           # rewritten into a remap of the whole VMA
        off = desc.pgoff << PAGE_SHIFT
        if a.pfn % PAGE_SIZE or a.size <= 0 or off + desc.length > a.size:
            return -errno.EINVAL
        a.kind, a.start, a.pfn, a.size = "io_remap_pfn", desc.start, (a.pfn + off) >> PAGE_SHIFT, desc.length
    if a.start % PAGE_SIZE or a.size % PAGE_SIZE or a.size <= 0:
        return -errno.EINVAL
    if a.start < desc.start or a.start + a.size > desc.end:
        return -errno.EINVAL                 # the range must lie within the proposed VMA
    if a.kind in ("remap_pfn", "io_remap_pfn"):
        if desc.is_cow and (a.start != desc.start or a.size != desc.length):
            return -errno.EINVAL
        desc.flags |= desc.kernel.pfnmap_flags()
    elif a.kind == "map_kernel_pages":
        if len(a.pages) * PAGE_SIZE < a.size:
            return -errno.EINVAL             # not enough pages for the range
        desc.flags |= VM_MIXEDMAP
    return 0


def _action_complete(vma: Vma, action: MmapAction | None) -> int:
    """mmap_action_complete(): performs the action on the VMA that now exists."""
    if action is None:
        return 0
    vma.api_calls.append(f"mmap_action_complete({action.kind})")
    if action.kind in ("remap_pfn", "io_remap_pfn"):
        first = (action.start - vma.start) >> PAGE_SHIFT
        for i in range(action.size >> PAGE_SHIFT):
            vma.ptes[first + i] = action.pfn + i
        vma.space.install(vma, action.start, action.pfn, action.size)
        return 0
    first = (action.start - vma.start) >> PAGE_SHIFT
    run_start, run_pfn, run_len = 0, None, 0
    for i, pfn in enumerate(action.pages[: action.size >> PAGE_SHIFT]):
        vma.ptes[first + i] = pfn
        if run_pfn is not None and pfn == run_pfn + run_len:
            run_len += 1
            continue
        if run_pfn is not None:
            vma.space.install(vma, vma.start + ((first + run_start) << PAGE_SHIFT), run_pfn, run_len << PAGE_SHIFT)
        run_start, run_pfn, run_len = i, pfn, 1
    if run_pfn is not None:
        vma.space.install(vma, vma.start + ((first + run_start) << PAGE_SHIFT), run_pfn, run_len << PAGE_SHIFT)
    return 0


class MappableFile:
    """What can be mmapped: ``mmap(vma) -> 0 or -errno`` (``f_op->mmap``) or, from 6.16,
    ``mmap_prepare(desc) -> 0 or -errno``; ``mmap_hook(kernel)`` says which one the file
    provides in that kernel (a file has one of the two)."""

    def mmap_hook(self, kernel: KernelProfile) -> str:
        return "mmap"

    def mmap(self, vma: Vma) -> int:  # pragma: no cover - interface
        raise NotImplementedError

    def mmap_prepare(self, desc: VmAreaDesc) -> int:  # pragma: no cover - interface
        raise NotImplementedError


def compat_vma_mmap(file: MappableFile, vma: Vma) -> int:
    """Maps ``file`` into an existing VMA (a stacked mmap such as dma_buf_mmap): an
    mmap_prepare file gets a descriptor of the VMA, and its action is completed at once."""
    if file.mmap_hook(vma.kernel) != "mmap_prepare":
        return file.mmap(vma)
    desc = VmAreaDesc(vma.start, vma.start + vma.length, vma.pgoff, vma.flags, vma.kernel)
    desc.api_calls.append("compat_vma_mmap")
    rc = file.mmap_prepare(desc)
    if rc == 0:
        rc = _action_prepare(desc)
    vma.api_calls.extend(desc.api_calls)
    if rc:
        return rc
    vma.flags, vma.fault = desc.flags, desc.fault
    rc = _action_complete(vma, desc.action)
    if rc == 0 and desc.mapped is not None:
        rc = desc.mapped(vma)
    return rc


class AddressSpace:
    """A user process's address space (mm_struct), for mappings of one PhysicalMemory."""

    def __init__(self, mem: PhysicalMemory, kernel: KernelProfile):
        self.mem, self.kernel = mem, kernel
        self.vmas: list[Vma] = []

    def mmap(self, file: MappableFile, length: int, prot: int = PROT_READ | PROT_WRITE,
             flags: int = MAP_SHARED, offset: int = 0) -> Vma:
        if length <= 0 or length % PAGE_SIZE:
            raise MmapError(errno.EINVAL, f"mmap length {length} is not a positive multiple of {PAGE_SIZE}")
        if offset % PAGE_SIZE:
            raise MmapError(errno.EINVAL, f"mmap offset {offset} is not page aligned")
        if flags & (MAP_SHARED | MAP_PRIVATE) not in (MAP_SHARED, MAP_PRIVATE):
            raise MmapError(errno.EINVAL, f"mmap flags {flags:#x}: exactly one of MAP_SHARED, MAP_PRIVATE")
        vmflags = (VM_READ if prot & PROT_READ else 0) | (VM_WRITE | VM_MAYWRITE if prot & PROT_WRITE else 0)
        if flags & MAP_SHARED:
            vmflags |= VM_SHARED | VM_MAYWRITE
        else:
            vmflags |= VM_MAYWRITE  # private mappings may become writable by mprotect
        hook = file.mmap_hook(self.kernel)
        if hook == "mmap_prepare" and not self.kernel.mmap_prepare:
            raise MissingKernelApi(f"f_op->mmap_prepare does not exist in kernel {self.kernel.label} (added in 6.16)")
        start = _sys_mmap(None, length, 0, MAP_PRIVATE | _MAP_ANONYMOUS | _MAP_NORESERVE, -1, 0)
        if hook == "mmap_prepare":
            return self._mmap_prepare(file, start, length, vmflags, offset, flags)
        vma = Vma(self, start, length, vmflags, offset >> PAGE_SHIFT, self.kernel)
        self.vmas.append(vma)
        try:
            rc = file.mmap(vma)
        except BaseException:
            self.munmap(vma)
            raise
        if rc != 0:
            self.munmap(vma)
            raise MmapError(-rc, f"mmap of {length} bytes ({'MAP_SHARED' if flags & MAP_SHARED else 'MAP_PRIVATE'}, "
                                 f"offset {offset}) failed: {errno.errorcode.get(-rc, rc)}")
        self._flush(vma)
        return vma

    def _mmap_prepare(self, file: MappableFile, start: int, length: int, vmflags: int,
                      offset: int, flags: int) -> Vma:
        """The mmap_prepare path: describe, check, then create the VMA and perform the action."""
        desc = VmAreaDesc(start, start + length, offset >> PAGE_SHIFT, vmflags, self.kernel)
        desc.api_calls.append("f_op->mmap_prepare")
        try:
            rc = file.mmap_prepare(desc)
            if rc == 0:
                rc = _action_prepare(desc)
        except BaseException:
            _libc.munmap(start, length)
            raise
        vma = None
        if rc == 0:
            vma = Vma(self, start, length, desc.flags, desc.pgoff, self.kernel, fault=desc.fault,
                      api_calls=list(desc.api_calls))
            self.vmas.append(vma)
            try:
                rc = _action_complete(vma, desc.action)
                if rc == 0 and desc.mapped is not None:
                    rc = desc.mapped(vma)
            except BaseException:
                self.munmap(vma)
                raise
        if rc != 0:
            if vma is not None:
                self.munmap(vma)
            else:
                _libc.munmap(start, length)
            raise MmapError(-rc, f"mmap of {length} bytes ({'MAP_SHARED' if flags & MAP_SHARED else 'MAP_PRIVATE'}, "
                                 f"offset {offset}) failed in mmap_prepare: {errno.errorcode.get(-rc, rc)}")
        return vma

    def install(self, vma: Vma, addr: int, pfn: int, size: int, defer: bool = False) -> None:
        """Makes page-table entries real (a MAP_FIXED mmap of the memfd).  ``defer``: entries
        that continue the pending run virtually and physically join it, so a ring of many
        buffers costs one system call per physically contiguous run; the run is installed
        before anything else is installed and before the mapping is used or returned."""
        phys = pfn << PAGE_SHIFT
        self.mem.offset(phys, size)          # checked now, whenever it is installed
        prot = PROT_READ | (PROT_WRITE if vma.flags & VM_WRITE else 0)
        share = MAP_SHARED if vma.flags & VM_SHARED else MAP_PRIVATE
        p = vma.pending_run
        if p is not None:
            if defer and addr == p[0] + p[2] and phys == p[1] + p[2] and (prot, share) == (p[3], p[4]):
                p[2] += size
                return
            self._flush(vma)
        if defer:
            vma.pending_run = [addr, phys, size, prot, share]
            return
        self._map_fixed(addr, phys, size, prot, share)

    def _flush(self, vma: Vma) -> None:
        p, vma.pending_run = vma.pending_run, None
        if p is not None:
            self._map_fixed(*p)

    def _map_fixed(self, addr: int, phys: int, size: int, prot: int, share: int) -> None:
        _sys_mmap(addr, size, prot, share | _MAP_FIXED, self.mem.fd, self.mem.offset(phys, size))

    def array_of(self, vma: Vma) -> np.ndarray:
        """The mapping as a numpy byte array over its virtual addresses (pending entries installed first)."""
        self._flush(vma)
        buf = (ctypes.c_uint8 * vma.length).from_address(vma.start)
        return np.ctypeslib.as_array(buf)

    def munmap(self, vma: Vma) -> None:
        vma.pending_run = None
        if vma in self.vmas:
            _libc.munmap(vma.start, vma.length)
            self.vmas.remove(vma)
            vma.ptes.clear()
