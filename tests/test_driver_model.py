"""Driver model without a simulator: memory, allocator, IOMMU, DMA API, VMAs and COW."""
from __future__ import annotations

import errno

import numpy as np
import pytest

from sgdma_driver.allocator import BuddyAllocator, OutOfMemoryError
from sgdma_driver.dma_api import Device, DmaApiError, DmaDirection
from sgdma_driver.iommu import DeviceMemoryPort, Iommu, IommuFault
from sgdma_driver.mapping import DmaBuf, ImporterFile, RingFile, Strategy
from sgdma_driver.physmem import PAGE_SIZE, PhysicalMemory
from sgdma_driver.vma import (MAP_PRIVATE, PROFILES, VM_DONTDUMP, VM_IO, VM_MIXEDMAP, VM_PFNMAP,
                              VM_RESERVED, AddressSpace, KernelBug, KernelProfile, MappableFile,
                              MissingKernelApi, MmapError, VmAreaDesc)

MiB = 1 << 20


@pytest.fixture
def mem():
    m = PhysicalMemory(64 * MiB)
    yield m


def make_dev(mem, coherent=True, seed=7, passthrough=False):
    alloc = BuddyAllocator(mem, max_order=11, seed=seed)
    return Device(mem, alloc, Iommu(mem, passthrough=passthrough), coherent=coherent)


# ---------------------------------------------------------------- memory and allocator
def test_physical_memory_aliases_without_copy(mem):
    import mmap
    other = mmap.mmap(mem.fd, mem.size)
    mem.write(0x1234, b"hello")
    assert other[0x1234:0x1239] == b"hello"
    mem.view(0x2000, 4)[:] = [1, 2, 3, 4]
    assert other[0x2000:0x2004] == b"\x01\x02\x03\x04"


@pytest.mark.parametrize("size", [0, -1, 1000])
def test_bad_memory_sizes_are_named(size):
    with pytest.raises(ValueError, match=str(size)):
        PhysicalMemory(size)


def test_buddy_allocation_free_and_merge(mem):
    a = BuddyAllocator(mem, max_order=11)
    total = a.free_bytes()
    blocks = [a.alloc(4 * MiB) for _ in range(4)]
    assert all(b.phys % (4 * MiB) == 0 for b in blocks)
    assert a.free_bytes() == total - 16 * MiB
    for b in blocks:
        a.free(b)
    assert a.free_bytes() == total and a.largest_free() == 8 * MiB
    with pytest.raises(ValueError, match="already freed"):
        a.free(blocks[0].handle)


def test_discontiguous_buffers_after_fragmentation(mem):
    a = BuddyAllocator(mem, max_order=11, seed=3)
    a.fragment(seed=1, fraction=0.2)
    bufs = sorted(a.alloc(1 * MiB).phys for _ in range(8))
    gaps = [b - a_ for a_, b in zip(bufs, bufs[1:])]
    assert any(g != 1 * MiB for g in gaps), "buffers should not form one contiguous run"


def test_named_blocks_and_free_all(mem):
    a = BuddyAllocator(mem, max_order=11)
    owner = object()
    a.alloc(8192, name="frame0", owner=owner)
    a.alloc(4096, name="frame1", owner=owner)
    a.alloc(4096, name="other")
    assert a.lookup("frame1").size == 4096
    with pytest.raises(ValueError, match="frame0"):
        a.alloc(4096, name="frame0")
    a.free("frame0")
    with pytest.raises(KeyError, match="frame0"):
        a.free("frame0")
    assert a.free_all(owner) == 1
    assert [b.name for b in a.blocks()] == ["other"]


@pytest.mark.parametrize("size", [0, -4096, 1.5, "4096"])
def test_bad_allocation_sizes(mem, size):
    with pytest.raises(ValueError, match="allocation size"):
        BuddyAllocator(mem).alloc(size)


def test_out_of_memory_is_clear(mem):
    a = BuddyAllocator(mem, max_order=11)
    with pytest.raises(ValueError, match="exceeds the largest block"):
        a.alloc(16 * MiB)
    for _ in range(8):
        a.alloc(8 * MiB)
    with pytest.raises(OutOfMemoryError, match="largest free block is 0"):
        a.alloc(4096)


# ---------------------------------------------------------------- IOMMU and DMA API
def test_bus_addresses_differ_and_iommu_refuses_unmapped(mem):
    dev = make_dev(mem)
    buf, bus = dev.dma_alloc_coherent(3 * PAGE_SIZE)
    assert bus != buf.phys
    port = DeviceMemoryPort(dev.iommu)
    port.write_sync(bus + 10, b"abc")
    assert buf.read(10, 3) == b"abc"
    with pytest.raises(IommuFault, match="not mapped"):
        port.write_sync(bus + 3 * PAGE_SIZE + PAGE_SIZE, b"x")
    with pytest.raises(IommuFault):
        port.write_sync(buf.phys, b"x")   # a physical address is not a bus address
    assert len(dev.iommu.faults) == 2


def test_direction_is_enforced(mem):
    dev = make_dev(mem)
    buf = dev.kmalloc(PAGE_SIZE)
    bus = dev.dma_map_single(buf, 0, PAGE_SIZE, DmaDirection.TO_DEVICE)
    port = DeviceMemoryPort(dev.iommu)
    assert port.read_sync(bus, 4) == bytes(4)
    with pytest.raises(IommuFault, match="TO_DEVICE"):
        port.write_sync(bus, b"no")


def test_streaming_ownership_checks(mem):
    dev = make_dev(mem)
    buf = dev.kmalloc(PAGE_SIZE)
    bus = dev.dma_map_single(buf, 0, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    with pytest.raises(DmaApiError, match="while the device owns it"):
        buf.read()
    dev.dma_sync_single_for_cpu(bus, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    buf.read()
    dev.dma_sync_single_for_device(bus, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    with pytest.raises(DmaApiError, match="kfree .* still has 1 DMA mapping"):
        dev.kfree(buf)
    dev.dma_unmap_single(bus, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    with pytest.raises(DmaApiError, match="double unmap"):
        dev.dma_unmap_single(bus, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    with pytest.raises(DmaApiError, match="direction TO_DEVICE"):
        b2 = dev.kmalloc(PAGE_SIZE)
        h2 = dev.dma_map_single(b2, 0, PAGE_SIZE, DmaDirection.FROM_DEVICE)
        dev.dma_sync_single_for_cpu(h2, PAGE_SIZE, DmaDirection.TO_DEVICE)


def test_violations_recorded_when_not_strict(mem):
    dev = make_dev(mem)
    dev.strict = False
    buf = dev.kmalloc(PAGE_SIZE)
    dev.dma_map_single(buf, 0, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    buf.read()
    dev.dma_unmap_single(0xDEAD000, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    assert len(dev.violations) == 2 and "0xdead000" in dev.violations[1]


def test_missing_sync_reads_stale_data_without_coherence(mem):
    dev = make_dev(mem, coherent=False)
    buf = dev.kmalloc(PAGE_SIZE)
    bus = dev.dma_map_single(buf, 0, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    port = DeviceMemoryPort(dev.iommu)
    port.write_sync(bus, b"lap1")
    dev.dma_sync_single_for_cpu(bus, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    assert buf.read(0, 4) == b"lap1"
    dev.dma_sync_single_for_device(bus, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    port.write_sync(bus, b"lap2")
    dev.strict = False                  # the buggy driver reads without syncing...
    assert buf.read(0, 4) == b"lap1"    # ...and sees the stale cache line
    dev.strict = True
    dev.dma_sync_single_for_cpu(bus, PAGE_SIZE, DmaDirection.FROM_DEVICE)
    assert buf.read(0, 4) == b"lap2"


def test_coherent_memory_needs_no_sync(mem):
    dev = make_dev(mem, coherent=False)
    buf, bus = dev.dma_alloc_coherent(PAGE_SIZE)
    DeviceMemoryPort(dev.iommu).write_sync(bus, b"now")
    assert buf.read(0, 3) == b"now" and bytes(buf.view()[:3]) == b"now"
    dev.dma_free_coherent(buf, bus)
    with pytest.raises(DmaApiError, match="unknown DMA handle"):
        dev.dma_free_coherent(buf, bus)


def test_dma_pool_alignment_and_double_free(mem):
    dev = make_dev(mem)
    pool = dev.dma_pool_create("desc", 64, 64)
    addrs = [pool.alloc()[0] for _ in range(300)]
    assert len(set(addrs)) == 300 and all(a % 64 == 0 for a in addrs)
    pool.free(addrs[0])
    with pytest.raises(DmaApiError, match="not allocated"):
        pool.free(addrs[0])


# ---------------------------------------------------------------- mapping the ring
class FakeDriver:
    """Just what RingFile needs: the buffers and the ring size."""

    def __init__(self, dev, n, size):
        self.buffers = [dev.dma_alloc_coherent(size) for _ in range(n)]
        self.ring_size = n * size


@pytest.fixture
def ring(mem):
    dev = make_dev(mem)
    dev.allocator.fragment(seed=2, fraction=0.1)
    return dev, FakeDriver(dev, 4, 64 * 1024)


def _fill(drv):
    for i, (buf, _) in enumerate(drv.buffers):
        buf.view()[:] = np.arange(buf.size, dtype=np.uint32).view(np.uint8)[: buf.size] ^ i
    return np.concatenate([buf.view() for buf, _ in drv.buffers])


@pytest.mark.parametrize("strategy", [Strategy.EAGER, Strategy.LAZY])
@pytest.mark.parametrize("kernel", PROFILES, ids=lambda k: k.label)
def test_contiguous_view_of_discontiguous_buffers(ring, mem, strategy, kernel):
    dev, drv = ring
    assert len({b.phys + b.size for b, _ in drv.buffers} & {b.phys for b, _ in drv.buffers}) < 3
    expect = _fill(drv)
    space = AddressSpace(mem, kernel)
    f = RingFile(drv, strategy, prefault=True)
    vma = space.mmap(f, drv.ring_size)
    assert np.array_equal(vma.array, expect)
    drv.buffers[2][0].view()[5] = 0xEE             # a device write shows up, no copy
    assert vma.array[2 * 64 * 1024 + 5] == 0xEE
    prepare = f.mmap_hook(kernel) == "mmap_prepare"
    assert ("f_op->mmap_prepare" in vma.api_calls) == prepare
    if strategy is Strategy.EAGER and prepare:     # 7.1+: one map-kernel-pages action
        assert vma.flags & VM_MIXEDMAP and not vma.flags & VM_PFNMAP
        assert vma.api_calls.count("mmap_action_complete(map_kernel_pages)") == 1
        assert "remap_pfn_range" not in vma.api_calls
    else:
        assert vma.flags & VM_PFNMAP and vma.flags & VM_IO
        if kernel.has_vm_reserved:
            assert vma.flags & VM_RESERVED
        else:
            assert vma.flags & VM_DONTDUMP
    if strategy is Strategy.EAGER and not prepare:
        assert vma.api_calls.count("remap_pfn_range") == 4
    if strategy is Strategy.LAZY:
        insert = "vmf_insert_pfn" if kernel.at_least(4, 17) else "vm_insert_pfn"
        assert insert in vma.api_calls
        assert ("fault(vmf)" if kernel.at_least(4, 11) else "fault(vma, vmf)") in vma.api_calls
        setter = "vma_desc_set_flags" if prepare else "vm_flags_set" if kernel.at_least(6, 3) else "vma->vm_flags |="
        assert setter in vma.api_calls
    vma.munmap()


def test_lazy_mapping_faults_on_first_touch(ring, mem):
    dev, drv = ring
    expect = _fill(drv)
    vma = AddressSpace(mem, KernelProfile("5.15")).mmap(RingFile(drv, Strategy.LAZY), drv.ring_size)
    assert vma.ptes == {}
    assert vma.touch(70 * 1024, 10) == 1
    assert vma.touch(70 * 1024, 10) == 0
    assert vma.array[70 * 1024] == expect[70 * 1024]
    assert vma.touch() == drv.ring_size // PAGE_SIZE - 1


def test_double_mapping_makes_the_wrap_contiguous(ring, mem):
    dev, drv = ring
    expect = _fill(drv)
    vma = AddressSpace(mem, KernelProfile("6.1")).mmap(RingFile(drv), 2 * drv.ring_size)
    a = vma.array
    assert np.array_equal(a[: drv.ring_size], a[drv.ring_size:])
    tail = a[drv.ring_size - 100: drv.ring_size + 100]
    assert np.array_equal(tail, np.concatenate([expect[-100:], expect[:100]]))


@pytest.mark.parametrize("kernel", ["2.6.32", "4.19", "6.6", "6.19", "7.1"])
def test_correct_driver_rejects_map_private(ring, mem, kernel):
    dev, drv = ring
    f = RingFile(drv)
    with pytest.raises(MmapError) as e:
        AddressSpace(mem, KernelProfile(kernel)).mmap(f, drv.ring_size, flags=MAP_PRIVATE)
    assert e.value.errno == errno.EINVAL and "MAP_PRIVATE" in f.last_error


def test_buggy_driver_partial_remap_on_private_mapping_fails(ring, mem):
    dev, drv = ring
    with pytest.raises(MmapError) as e:
        AddressSpace(mem, KernelProfile("5.4")).mmap(RingFile(drv, reject_private=False),
                                                      drv.ring_size, flags=MAP_PRIVATE)
    assert e.value.errno == errno.EINVAL


def test_buggy_driver_cow_diverges_from_device(mem):
    dev = make_dev(mem)
    drv = FakeDriver(dev, 1, 64 * 1024)   # one buffer: remap_pfn_range covers the whole VMA
    vma = AddressSpace(mem, KernelProfile("5.4")).mmap(RingFile(drv, reject_private=False),
                                                        drv.ring_size, flags=MAP_PRIVATE)
    buf = drv.buffers[0][0]
    buf.view()[0:2] = [1, 2]
    assert list(vma.array[0:2]) == [1, 2]     # before the app writes it sees device data
    vma.array[0] = 99                          # the app writes: copy-on-write
    buf.view()[0:2] = [3, 4]                   # the device writes again
    assert vma.array[0] == 99 and vma.array[1] == 2, "the copied page no longer sees DMA data"
    assert buf.view()[0] == 3
    assert vma.array[4096] == buf.view()[4096]  # untouched pages still alias


def test_fault_path_on_cow_mapping_is_a_kernel_bug(ring, mem):
    dev, drv = ring
    space = AddressSpace(mem, KernelProfile("4.19"))
    vma = space.mmap(RingFile(drv, Strategy.LAZY, reject_private=False), drv.ring_size, flags=MAP_PRIVATE)
    with pytest.raises(KernelBug, match="copy-on-write"):
        vma.touch(0, 1)


@pytest.mark.parametrize("length,offset,msg", [(12345, 0, "12345"), (4096, 0, "4096 bytes"),
                                                (None, 8192, "offset 8192")])
def test_bad_sizes_and_offsets_are_named(ring, mem, length, offset, msg):
    dev, drv = ring
    f = RingFile(drv)
    length = drv.ring_size if length is None else length
    with pytest.raises(MmapError) as e:
        AddressSpace(mem, KernelProfile("6.1")).mmap(f, length, offset=offset)
    assert msg in str(e.value) + f.last_error


def test_dma_mmap_coherent_cannot_place_several_buffers(ring, mem):
    dev, drv = ring
    f = RingFile(drv, Strategy.DMA_MMAP_COHERENT)
    with pytest.raises(MmapError):
        AddressSpace(mem, KernelProfile("6.1")).mmap(f, drv.ring_size)
    assert "cannot place 4 buffers" in f.last_error
    one = FakeDriver(dev, 1, 64 * 1024)
    vma = AddressSpace(mem, KernelProfile("6.1")).mmap(RingFile(one, Strategy.DMA_MMAP_COHERENT), one.ring_size)
    assert "dma_mmap_coherent" in vma.api_calls
    f_old = RingFile(one, Strategy.DMA_MMAP_COHERENT)
    with pytest.raises(MmapError):
        AddressSpace(mem, KernelProfile("3.4")).mmap(f_old, one.ring_size)
    assert "ARM-only before 3.6" in f_old.last_error


def test_dma_buf_export_mapped_two_ways(ring, mem):
    dev, drv = ring
    expect = _fill(drv)
    dmabuf = DmaBuf(RingFile(drv))
    space = AddressSpace(mem, KernelProfile("6.6"))
    via_fd = space.mmap(dmabuf, drv.ring_size)
    via_importer = space.mmap(ImporterFile(dmabuf), drv.ring_size)
    assert np.array_equal(via_fd.array, expect) and np.array_equal(via_importer.array, expect)
    with pytest.raises(MmapError):
        space.mmap(dmabuf, drv.ring_size, flags=MAP_PRIVATE)
    dmabuf.close()
    with pytest.raises(MmapError) as e:
        space.mmap(dmabuf, drv.ring_size)
    assert e.value.errno == errno.EBADF


def test_kernel_profile_table():
    k = KernelProfile
    assert not k("3.5").generic_dma_mmap_coherent and k("3.6").generic_dma_mmap_coherent
    assert k("3.6").has_vm_reserved and not k("3.7").has_vm_reserved
    assert k("4.19").has_vm_insert_pfn and k("4.19").has_vmf_insert_pfn and not k("4.20").has_vm_insert_pfn
    assert k("4.10").fault_takes_vma and not k("4.11").fault_takes_vma
    assert not k("6.2").vm_flags_setter and k("6.3").vm_flags_setter and k("6.16").mmap_prepare
    assert not k("6.15").mmap_prepare
    assert not k("6.18").has_mmap_action_remap and k("6.19").has_mmap_action_remap and k("6.19").has_vm_ops_mapped
    assert not k("7.0").has_mmap_action_map_kernel_pages and k("7.1").has_mmap_action_map_kernel_pages
    assert not k("7.0").has_mmap_action_simple_ioremap and k("7.1").has_mmap_action_simple_ioremap
    assert k("7.0").at_least(6, 19) and k((7, 1)) == k("7.1.0") and k(k("5.4")) == k("5.4")
    assert PROFILES[-1].version[0] == 7 and any(p.label.startswith("7.0") for p in PROFILES)
    with pytest.raises(ValueError, match="2.6.18"):
        KernelProfile("2.6.18")
    with pytest.raises(ValueError, match="banana"):
        KernelProfile("banana")


@pytest.mark.parametrize("bad", ["abc", "6", "6.x", "-6.1", "6.-1", "6.1.2.3", "", " ", "6.1-rc1", "v6.1",
                                 (6,), (6, -1), (6, 1.5), (True, 1), (6, 1, 2, 3), 6.1, None])
def test_malformed_kernel_versions_are_named(bad):
    with pytest.raises(ValueError) as e:
        KernelProfile(bad)
    assert repr(bad) in str(e.value)


@pytest.mark.parametrize("old,label", [("2.6.31", "2.6.31"), ("2.4", "2.4.0"), ("2.6", "2.6.0"),
                                       ((2, 6, 0), "2.6.0"), ("1.0", "1.0.0")])
def test_kernels_before_2_6_32_are_refused(old, label):
    with pytest.raises(ValueError, match=f"kernel {label} is older than 2.6.32"):
        KernelProfile(old)


def test_kernels_after_the_profiles_are_refused():
    with pytest.raises(ValueError, match="8.0.0 is newer than any profile"):
        KernelProfile("8.0")


# ---------------------------------------------------------------- mmap_prepare and mmap actions
@pytest.mark.parametrize("kernel,strategy,prefault,hook", [
    ("6.15", Strategy.EAGER, False, "mmap"), ("6.15", Strategy.LAZY, False, "mmap"),
    ("6.16", Strategy.LAZY, False, "mmap_prepare"), ("6.16", Strategy.LAZY, True, "mmap"),
    ("6.16", Strategy.EAGER, False, "mmap"), ("6.19", Strategy.LAZY, True, "mmap_prepare"),
    ("7.0", Strategy.EAGER, False, "mmap"), ("7.1", Strategy.EAGER, False, "mmap_prepare"),
    ("7.1", Strategy.DMA_MMAP_COHERENT, False, "mmap")])
def test_ring_file_chooses_its_file_operation_by_kernel(ring, kernel, strategy, prefault, hook):
    dev, drv = ring
    assert RingFile(drv, strategy, prefault=prefault).mmap_hook(KernelProfile(kernel)) == hook
    assert RingFile(drv, strategy, use_mmap_prepare=False).mmap_hook(KernelProfile(kernel)) == "mmap"


def test_eager_mmap_prepare_describes_the_double_mapped_ring_in_one_action(ring, mem):
    dev, drv = ring
    expect = _fill(drv)
    vma = AddressSpace(mem, KernelProfile("7.1")).mmap(RingFile(drv), 2 * drv.ring_size)
    a = vma.array
    assert np.array_equal(a[: drv.ring_size], expect) and np.array_equal(a[drv.ring_size:], expect)
    assert vma.api_calls[:2] == ["f_op->mmap_prepare", "mmap_action_map_kernel_pages_full"]
    assert vma.api_calls.count("mmap_action_complete(map_kernel_pages)") == 1
    assert len(vma.ptes) == 2 * drv.ring_size // PAGE_SIZE
    drv.buffers[3][0].view()[7] = 0x5A
    assert a[3 * 64 * 1024 + 7] == 0x5A and a[drv.ring_size + 3 * 64 * 1024 + 7] == 0x5A
    expect[3 * 64 * 1024 + 7] = 0x5A
    old = AddressSpace(mem, KernelProfile("7.1")).mmap(RingFile(drv, use_mmap_prepare=False), drv.ring_size)
    assert old.api_calls.count("remap_pfn_range") == 4 and any("deprecated" in c for c in old.api_calls)
    assert np.array_equal(old.array, expect)


def test_lazy_mmap_prepare_faults_in_and_prefaults_in_the_mapped_hook(ring, mem):
    dev, drv = ring
    expect = _fill(drv)
    lazy = AddressSpace(mem, KernelProfile("6.16")).mmap(RingFile(drv, Strategy.LAZY), drv.ring_size)
    assert lazy.ptes == {} and lazy.touch(5 * PAGE_SIZE, 1) == 1 and lazy.array[5 * PAGE_SIZE] == expect[5 * PAGE_SIZE]
    pre = AddressSpace(mem, KernelProfile("6.19")).mmap(RingFile(drv, Strategy.LAZY, prefault=True), drv.ring_size)
    assert "vm_ops->mapped" in pre.api_calls and len(pre.ptes) == drv.ring_size // PAGE_SIZE
    assert np.array_equal(pre.array, expect)


class OneRangeFile(MappableFile):
    """A driver mapping one physically contiguous range through the given mmap action."""

    def __init__(self, phys, size, action="remap_full"):
        self.phys, self.size, self.action = phys, size, action

    def mmap_hook(self, kernel):
        return "mmap_prepare"

    def mmap_prepare(self, desc: VmAreaDesc) -> int:
        pfn = self.phys >> 12
        if self.action == "remap_full":
            desc.mmap_action_remap_full(pfn)
        elif self.action == "remap_twice":          # a second action replaces the first
            desc.mmap_action_remap(desc.start, pfn, PAGE_SIZE)
            desc.mmap_action_remap(desc.start + PAGE_SIZE, pfn + 1, desc.length - PAGE_SIZE)
        elif self.action == "remap_outside":
            desc.mmap_action_remap(desc.start + PAGE_SIZE, pfn, desc.length)
        elif self.action == "ioremap":
            desc.mmap_action_simple_ioremap(self.phys, self.size)
        return 0


def test_remap_action_maps_one_contiguous_range(mem):
    dev = make_dev(mem)
    buf, _ = dev.dma_alloc_coherent(4 * PAGE_SIZE)
    buf.view()[:] = np.arange(4 * PAGE_SIZE, dtype=np.uint32).view(np.uint8)[: 4 * PAGE_SIZE]
    space = AddressSpace(mem, KernelProfile("6.19"))
    vma = space.mmap(OneRangeFile(buf.phys, buf.size), buf.size)
    assert np.array_equal(vma.array, buf.view()) and vma.flags & VM_PFNMAP and vma.flags & VM_DONTDUMP
    assert "mmap_action_complete(remap_pfn)" in vma.api_calls
    two = space.mmap(OneRangeFile(buf.phys, buf.size, "remap_twice"), buf.size)
    assert sorted(two.ptes) == [1, 2, 3]            # only the last action was performed
    with pytest.raises(MmapError, match="SIGBUS"):
        two.touch(0, 1)
    with pytest.raises(MmapError) as e:
        space.mmap(OneRangeFile(buf.phys, buf.size, "remap_outside"), buf.size)
    assert e.value.errno == errno.EINVAL and "mmap_prepare" in str(e.value)
    assert len(space.vmas) == 2                      # the refused mmap left no VMA behind
    with pytest.raises(MissingKernelApi, match="mmap_action_remap_full.*6.18"):
        AddressSpace(mem, KernelProfile("6.18")).mmap(OneRangeFile(buf.phys, buf.size), buf.size)
    with pytest.raises(MissingKernelApi, match="mmap_prepare does not exist in kernel 6.15"):
        AddressSpace(mem, KernelProfile("6.15")).mmap(OneRangeFile(buf.phys, buf.size), buf.size)


def test_simple_ioremap_action(mem):
    dev = make_dev(mem)
    buf, _ = dev.dma_alloc_coherent(2 * PAGE_SIZE)
    buf.view()[:4] = [9, 8, 7, 6]
    space = AddressSpace(mem, KernelProfile("7.1"))
    vma = space.mmap(OneRangeFile(buf.phys, buf.size, "ioremap"), buf.size)
    assert list(vma.array[:4]) == [9, 8, 7, 6] and vma.flags & VM_IO
    with pytest.raises(MmapError) as e:             # the VMA is larger than the range
        space.mmap(OneRangeFile(buf.phys, buf.size, "ioremap"), 2 * buf.size)
    assert e.value.errno == errno.EINVAL
    with pytest.raises(MissingKernelApi, match="simple_ioremap"):
        AddressSpace(mem, KernelProfile("7.0")).mmap(OneRangeFile(buf.phys, buf.size, "ioremap"), buf.size)


def test_dma_buf_importer_maps_an_mmap_prepare_exporter_through_compat(ring, mem):
    dev, drv = ring
    expect = _fill(drv)
    dmabuf = DmaBuf(RingFile(drv))
    vma = AddressSpace(mem, KernelProfile("7.1")).mmap(ImporterFile(dmabuf), drv.ring_size)
    assert "compat_vma_mmap" in vma.api_calls and np.array_equal(vma.array, expect)
