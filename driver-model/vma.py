"""User mappings of the DMA buffers: VMAs, the driver's mmap strategies and the kernel's rules.

``AddressSpace.mmap`` plays the mmap system call: it creates a ``Vma`` and calls the mapped
file's ``mmap`` operation (the driver's ``f_op->mmap``), which installs page-table entries with
``remap_pfn_range`` (eager) or leaves them to a fault handler (lazy, ``vm_insert_pfn`` /
``vmf_insert_pfn``).  Each installed entry is also a real ``mmap`` of the physical-memory
memfd at the right virtual address (ctypes, MAP_FIXED), so the result is a real contiguous
virtual mapping of the discontiguous buffers, read through numpy with no copy.  MAP_PRIVATE
entries are real private file mappings, so copy-on-write behaves as in the kernel: once the
application writes a page it stops seeing what the device writes there.

``KernelProfile`` decides which calls exist and how they behave, from 2.6.32 to 6.x.
"""
from __future__ import annotations

import ctypes
import errno
import mmap as _mmap
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


class KernelProfile:
    """Which memory-mapping API exists in a given kernel version (facts file table)."""

    def __init__(self, version: str | tuple[int, ...]):
        if isinstance(version, str):
            try:
                version = tuple(int(x) for x in version.split(".")[:3])
            except ValueError:
                raise ValueError(f"kernel version {version!r} is not like '4.19' or '2.6.32'") from None
        self.version = tuple(version) + (0,) * (3 - len(version))
        if self.version < (2, 6, 32):
            raise ValueError(f"kernel {self.label} is older than 2.6.32, the oldest profile")

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
    mmap_prepare = property(lambda s: s.at_least(6, 16))

    def pfnmap_flags(self) -> int:
        """What remap_pfn_range sets on the VMA in this kernel."""
        extra = VM_RESERVED if self.has_vm_reserved else (VM_DONTEXPAND | VM_DONTDUMP)
        return VM_IO | VM_PFNMAP | extra

    def __repr__(self) -> str:
        return f"KernelProfile({self.label})"


PROFILES = [KernelProfile(v) for v in ("2.6.32", "3.10", "4.14", "4.19", "5.4", "5.15", "6.1", "6.6", "6.16")]


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
        first = (addr - self.start) >> PAGE_SHIFT
        for i in range(size >> PAGE_SHIFT):
            self.ptes[first + i] = pfn + i
        self.space._install(self, addr, pfn, size)
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
        self.space._install(self, addr, pfn, PAGE_SIZE)
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
        return self.space._array(self)

    def munmap(self) -> None:
        self.space.munmap(self)


class MappableFile:
    """What can be mmapped: implements ``mmap(vma) -> 0 or -errno``."""

    def mmap(self, vma: Vma) -> int:  # pragma: no cover - interface
        raise NotImplementedError


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
        start = _sys_mmap(None, length, 0, MAP_PRIVATE | _MAP_ANONYMOUS | _MAP_NORESERVE, -1, 0)
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
        return vma

    def _install(self, vma: Vma, addr: int, pfn: int, size: int) -> None:
        prot = PROT_READ | (PROT_WRITE if vma.flags & VM_WRITE else 0)
        share = MAP_SHARED if vma.flags & VM_SHARED else MAP_PRIVATE
        phys = pfn << PAGE_SHIFT
        _sys_mmap(addr, size, prot, share | _MAP_FIXED, self.mem.fd, self.mem.offset(phys, size))

    def _array(self, vma: Vma) -> np.ndarray:
        buf = (ctypes.c_uint8 * vma.length).from_address(vma.start)
        return np.ctypeslib.as_array(buf)

    def munmap(self, vma: Vma) -> None:
        if vma in self.vmas:
            _libc.munmap(vma.start, vma.length)
            self.vmas.remove(vma)
            vma.ptes.clear()
