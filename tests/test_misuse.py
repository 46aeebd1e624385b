"""Misuse of the driver model: every rejected call names the bad value and leaves no trace.

For each class of misuse: the error type, that the message names the value, that the model's
state (allocator, IOMMU, DMA-API debug bookkeeping, driver and ring) is exactly as before the
call, and that a valid retry then succeeds.  Runs on the fast model only; no simulator.
"""
from __future__ import annotations

import pytest

from sgdma_driver.allocator import BuddyAllocator, OutOfMemoryError
from sgdma_driver.dma_api import Device, DmaApiError, DmaDirection, Owner
from sgdma_driver.driver import DriverError, SgdmaDriver
from sgdma_driver.iommu import DeviceMemoryPort, Iommu, IommuFault
from sgdma_driver.mapping import RingFile
from sgdma_driver.physmem import PAGE_SIZE, PhysicalMemory
from sgdma_driver.ring import UserRing
from sgdma_driver.sg import DescriptorChain
from sgdma_driver.vma import AddressSpace, KernelProfile
from sgdma_sim.model import ModelBackend

KiB, MiB = 1 << 10, 1 << 20
FROM = DmaDirection.FROM_DEVICE


def make_dev(size: int = 64 * MiB, seed: int | None = 5, passthrough: bool = False) -> Device:
    mem = PhysicalMemory(size)
    return Device(mem, BuddyAllocator(mem, max_order=11, seed=seed), Iommu(mem, passthrough=passthrough))


def state(dev: Device) -> tuple:
    """Everything a rejected call must leave as it was."""
    return dev.snapshot()


def make_driver(mem_size: int = 64 * MiB, **kw) -> tuple[ModelBackend, SgdmaDriver]:
    dev = make_dev(mem_size)
    be = ModelBackend()
    be.attach_memory(DeviceMemoryPort(dev.iommu))
    drv = SgdmaDriver(be.hw, dev, **kw)
    be.run(drv.probe())
    return be, drv


def drv_state(drv: SgdmaDriver) -> tuple:
    return (state(drv.dev), [(b.phys, bus) for b, bus in drv.buffers], drv.chain, drv.released, drv.completed)


BAD_DIRECTIONS = ["FROM_DEVICE", 2, None, "from_device"]


# ---------------------------------------------------------------- DMA directions
@pytest.mark.parametrize("bad", BAD_DIRECTIONS)
def test_dma_map_single_checks_the_direction_at_map_time(bad):
    dev = make_dev()
    buf = dev.kmalloc(PAGE_SIZE)
    before = state(dev)
    with pytest.raises(TypeError, match="direction") as e:
        dev.dma_map_single(buf, 0, PAGE_SIZE, bad)
    assert repr(bad) in str(e.value)
    assert state(dev) == before and buf.owner is Owner.CPU and not buf.mapped
    bus = dev.dma_map_single(buf, 0, PAGE_SIZE, FROM)     # a valid retry
    DeviceMemoryPort(dev.iommu).write_sync(bus, b"ok")


@pytest.mark.parametrize("bad", BAD_DIRECTIONS)
def test_other_calls_check_the_direction_before_anything_changes(bad):
    dev = make_dev()
    before = state(dev)
    with pytest.raises(TypeError, match=repr(bad).replace("(", r"\(")):
        dev.dma_alloc_noncoherent(PAGE_SIZE, bad)
    b1, b2 = dev.kmalloc(PAGE_SIZE), dev.kmalloc(PAGE_SIZE)
    mid = state(dev)
    with pytest.raises(TypeError, match="dma_map_sg"):
        dev.dma_map_sg([(b1, 0, PAGE_SIZE), (b2, 0, PAGE_SIZE)], bad)
    with pytest.raises(TypeError, match="IOMMU map"):
        dev.iommu.map(b1.phys, PAGE_SIZE, bad)
    assert state(dev) == mid
    h = dev.dma_map_single(b1, 0, PAGE_SIZE, FROM)
    mapped = state(dev)
    for call in (dev.dma_unmap_single, dev.dma_sync_single_for_cpu, dev.dma_sync_single_for_device):
        with pytest.raises(TypeError, match=call.__name__):    # was AttributeError: 'str' ... 'name'
            call(h, PAGE_SIZE, bad)
    with pytest.raises(TypeError, match="dma_unmap_sg"):
        dev.dma_unmap_sg([(h, PAGE_SIZE)], bad)
    assert state(dev) == mapped
    dev.dma_unmap_single(h, PAGE_SIZE, FROM)
    buf, handle = dev.dma_alloc_noncoherent(PAGE_SIZE, FROM)
    assert before[0] - dev.allocator.free_bytes() == 3 * PAGE_SIZE


# ---------------------------------------------------------------- use after free_all
@pytest.mark.parametrize("streaming", [False, True])
def test_free_all_ends_cpu_and_device_access(streaming):
    dev = make_dev(seed=None)           # lowest address first: the next block reuses the memory
    port = DeviceMemoryPort(dev.iommu)
    owner = object()
    if streaming:
        buf = dev.kmalloc(4 * PAGE_SIZE, owner=owner)
        bus = dev.dma_map_single(buf, 0, 4 * PAGE_SIZE, FROM)
    else:
        buf, bus = dev.dma_alloc_coherent(4 * PAGE_SIZE, owner=owner)
    phys = buf.phys
    assert dev.allocator.free_all(owner) == 1
    with pytest.raises(DmaApiError, match=f"freed DMA buffer at phys {phys:#x}"):
        buf.read(0, 4)
    with pytest.raises(DmaApiError, match="freed"):
        buf.write(0, b"late")
    nxt, nbus = dev.dma_alloc_coherent(4 * PAGE_SIZE)
    assert nxt.phys == phys                               # the memory went to someone else
    nxt.write(0, b"mine")
    with pytest.raises(IommuFault, match=f"{bus:#x} is not mapped"):
        port.write_sync(bus, b"stale device write")        # used to land in the new block
    assert nxt.read(0, 4) == b"mine"
    assert dev.mapping_count == 1 and dev.iommu.mapped_pages == 4    # only the new block's
    with pytest.raises(DmaApiError, match="dma_map_single of freed DMA buffer"):
        dev.dma_map_single(buf, 0, PAGE_SIZE, FROM)
    with pytest.raises(DmaApiError, match="double free"):
        dev.kfree(buf)


def test_free_all_with_a_scatterlist_mapped():
    dev = make_dev()
    owner = object()
    bufs = [dev.kmalloc(2 * PAGE_SIZE, owner=owner) for _ in range(3)]
    sg = dev.dma_map_sg([(b, 0, 2 * PAGE_SIZE) for b in bufs], FROM)
    dev.allocator.free_all(owner)
    port = DeviceMemoryPort(dev.iommu)
    for bus, n in sg:
        with pytest.raises(IommuFault):
            port.write_sync(bus, b"x")
    assert dev.mapping_count == 0 and all(b.freed for b in bufs)


# ---------------------------------------------------------------- dma_map_sg is all or nothing
def test_dma_map_sg_checks_every_entry_first():
    dev = make_dev()
    bufs = [dev.kmalloc(2 * PAGE_SIZE) for _ in range(3)]
    before = state(dev)
    bad = [(bufs[0], 0, PAGE_SIZE), (bufs[1], 0, PAGE_SIZE), (bufs[2], PAGE_SIZE, 3 * PAGE_SIZE)]
    with pytest.raises(ValueError, match=r"entry 2 of \[4096, 16384\) in a 8192-byte buffer"):
        dev.dma_map_sg(bad, FROM)
    for entry, err, msg in [((bufs[0], -1, 8), ValueError, "-1"), ((bufs[0], 0, 1.5), TypeError, "1.5"),
                            (("buf", 0, 8), TypeError, "'buf'"), ((bufs[0], 0), TypeError, "entry 1")]:
        with pytest.raises(err, match=msg):
            dev.dma_map_sg([(bufs[1], 0, 8), entry], FROM)
    with pytest.raises(ValueError, match="empty"):
        dev.dma_map_sg([], FROM)
    assert state(dev) == before and all(b.owner is Owner.CPU and not b.mapped for b in bufs)
    sg = dev.dma_map_sg([(b, 0, 2 * PAGE_SIZE) for b in bufs], FROM)   # a valid retry
    assert len(sg) == 3 and dev.mapping_count == 3


def test_dma_map_sg_rolls_back_when_a_mapping_fails_part_way(monkeypatch):
    dev = make_dev()
    bufs = [dev.kmalloc(PAGE_SIZE) for _ in range(4)]
    before = state(dev)
    real, calls = dev.iommu.map, []

    def failing(phys, length, direction):
        calls.append(phys)
        if len(calls) == 3:
            raise OutOfMemoryError("IOMMU page table full")
        return real(phys, length, direction)

    monkeypatch.setattr(dev.iommu, "map", failing)
    with pytest.raises(OutOfMemoryError, match="page table full"):
        dev.dma_map_sg([(b, 0, PAGE_SIZE) for b in bufs], FROM)
    assert len(calls) == 3
    assert state(dev) == before and all(b.owner is Owner.CPU and not b.mapped for b in bufs)
    monkeypatch.setattr(dev.iommu, "map", real)
    sg = dev.dma_map_sg([(b, 0, PAGE_SIZE) for b in bufs], FROM)
    port = DeviceMemoryPort(dev.iommu)
    for bus, _ in sg:
        port.write_sync(bus, b"ok")


def test_dma_unmap_sg_checks_every_entry_first():
    dev = make_dev()
    bufs = [dev.kmalloc(PAGE_SIZE) for _ in range(3)]
    sg = dev.dma_map_sg([(b, 0, PAGE_SIZE) for b in bufs], FROM)
    before = state(dev)
    with pytest.raises(DmaApiError, match="0xdead000"):
        dev.dma_unmap_sg(sg[:2] + [(0xDEAD000, PAGE_SIZE)], FROM)
    with pytest.raises(DmaApiError, match="twice"):
        dev.dma_unmap_sg(sg + sg[:1], FROM)
    assert state(dev)[:-1] == before[:-1] and len(dev.violations) == 2
    dev.dma_unmap_sg(sg, FROM)
    assert dev.mapping_count == 0


def test_overlapping_sg_entries_are_a_violation():
    dev = make_dev()
    a, b = dev.kmalloc(4 * PAGE_SIZE), dev.kmalloc(PAGE_SIZE)
    before = state(dev)
    with pytest.raises(DmaApiError, match=r"entries 0 and 2 overlap \(phys \[" + f"{a.phys:#x}"):
        dev.dma_map_sg([(a, 0, 2 * PAGE_SIZE), (b, 0, PAGE_SIZE), (a, PAGE_SIZE, PAGE_SIZE)], FROM)
    with pytest.raises(DmaApiError, match="entries 0 and 1 overlap"):
        dev.dma_map_sg([(a, 8, 8), (a, 8, 8)], FROM)
    after = state(dev)
    assert after[:-1] == before[:-1] and len(after[-1]) == 2     # only the two reports are logged
    assert a.owner is Owner.CPU and not a.mapped
    sg = dev.dma_map_sg([(a, 0, 2 * PAGE_SIZE), (b, 0, PAGE_SIZE), (a, 2 * PAGE_SIZE, PAGE_SIZE)], FROM)
    assert len(sg) == 3                                           # adjacent entries are fine


# ---------------------------------------------------------------- physical addresses outside RAM
@pytest.mark.parametrize("passthrough", [False, True])
@pytest.mark.parametrize("where", ["past_end", "straddles_end", "negative"])
def test_iommu_refuses_a_physical_range_outside_ram(passthrough, where):
    dev = make_dev(16 * MiB, passthrough=passthrough)
    phys, length = {"past_end": (16 * MiB, PAGE_SIZE), "straddles_end": (16 * MiB - PAGE_SIZE, 2 * PAGE_SIZE),
                    "negative": (-PAGE_SIZE, PAGE_SIZE)}[where]
    before = state(dev)
    with pytest.raises(ValueError) as e:
        dev.iommu.map(phys, length, FROM)
    assert (f"{phys:#x}" if phys >= 0 else str(phys)) in str(e.value)
    assert state(dev) == before
    bus = dev.iommu.map(16 * MiB - PAGE_SIZE, PAGE_SIZE, FROM)   # the last page of RAM is fine
    DeviceMemoryPort(dev.iommu).write_sync(bus, b"end")
    assert dev.mem.read(16 * MiB - PAGE_SIZE, 3) == b"end"


# ---------------------------------------------------------------- descriptor chains
def _bufs(n: int) -> list[tuple[int, int]]:
    return [(0x4000_0000 + i * PAGE_SIZE, PAGE_SIZE) for i in range(n)]


def test_chain_checks_every_buffer_before_allocating():
    dev = make_dev()
    pool = dev.dma_pool_create("desc", 64, 64)
    pool.alloc()                                  # the pool already has a page in use
    before, pmark = state(dev), pool.snapshot()
    for bufs, err, msg in [(_bufs(3) + [(0x5000_0000, 0)] + _bufs(2), ValueError, "buffer 3 has length 0"),
                           (_bufs(2) + [(0x5000_0000, 1.5)], TypeError, "1.5"),
                           (_bufs(2) + [(-64, 4096)], ValueError, "-64"),
                           (_bufs(2) + ["x"], TypeError, "'x'"),
                           ([], ValueError, "empty")]:
        with pytest.raises(err, match=msg):
            DescriptorChain(dev, bufs, cyclic=True, pool=pool)
    with pytest.raises(ValueError, match="27"):
        DescriptorChain(dev, _bufs(2), cyclic=True, len_width=27)
    assert state(dev) == before and pool.snapshot() == pmark
    assert len(DescriptorChain(dev, _bufs(5), cyclic=True, pool=pool)) == 5


@pytest.mark.parametrize("own_pool", [True, False])
def test_chain_that_runs_out_of_memory_leaves_no_trace(own_pool):
    # 20 KiB of RAM: one 16 KiB pool page (256 descriptors) fits, a second does not
    dev = make_dev(20 * KiB)
    pool = None if own_pool else dev.dma_pool_create("desc", 64, 64)
    before = state(dev)
    pmark = pool.snapshot() if pool else None
    with pytest.raises(OutOfMemoryError, match="cannot allocate 16384"):
        DescriptorChain(dev, _bufs(300), cyclic=True, pool=pool)
    assert state(dev) == before and dev.allocator.free_bytes() == 20 * KiB
    if pool:
        assert pool.snapshot() == pmark
    chain = DescriptorChain(dev, _bufs(200), cyclic=True, pool=pool)     # a valid retry
    assert len(chain) == 200 and chain.status(199) == 0
    chain.destroy()
    if own_pool:
        assert dev.allocator.free_bytes() == 20 * KiB


# ---------------------------------------------------------------- ring set-up
@pytest.mark.parametrize("streaming", [False, True])
def test_ring_set_up_larger_than_memory_leaves_no_trace(streaming):
    be, drv = make_driver(64 * MiB, streaming=streaming)
    before = drv_state(drv)
    with pytest.raises(OutOfMemoryError, match="ring of 40 x 2097152 bytes: buffer 3[0-9]"):
        drv.setup_ring(40, 2 * MiB)
    assert drv_state(drv) == before and drv.dev.mapping_count == 0 and drv.ring_size == 0
    chain = drv.setup_ring(8, 2 * MiB)                   # a valid retry (used to fail: out of memory)
    assert len(chain) == 8 and drv.ring_size == 16 * MiB


def test_ring_set_up_rolls_back_when_the_chain_fails(monkeypatch):
    be, drv = make_driver()
    before = drv_state(drv)
    monkeypatch.setitem(drv.config, "len_width", 40)     # a corrupt CONFIG read: the chain refuses it
    with pytest.raises(ValueError, match="40"):
        drv.setup_ring(4, 64 * KiB)
    assert drv_state(drv) == before
    monkeypatch.setitem(drv.config, "len_width", 26)
    assert len(drv.setup_ring(4, 64 * KiB)) == 4


@pytest.mark.parametrize("n,size,msg", [(0, 4096, "0"), (True, 4096, "True"), (2.0, 4096, "2.0"),
                                        (2, 1000, "1000"), (2, True, "True"), (2, "4096", "'4096'")])
def test_ring_set_up_arguments(n, size, msg):
    be, drv = make_driver()
    before = drv_state(drv)
    with pytest.raises(DriverError, match=msg):
        drv.setup_ring(n, size)
    assert drv_state(drv) == before


def test_second_ring_set_up_is_refused_not_leaked():
    be, drv = make_driver()
    free0 = drv.dev.allocator.free_bytes()
    drv.setup_ring(4, 64 * KiB)
    before = drv_state(drv)
    with pytest.raises(DriverError, match=r"setup_ring\(8, 131072\): a ring of 4 x 65536 bytes is already set up"):
        drv.setup_ring(8, 128 * KiB)
    assert drv_state(drv) == before
    drv.teardown_ring()                                  # the explicit way: free, then set up again
    assert drv.dev.allocator.free_bytes() == free0 and drv.dev.mapping_count == 0
    assert len(drv.setup_ring(8, 128 * KiB)) == 8
    be.run(drv.start())
    with pytest.raises(DriverError, match="stop"):
        drv.teardown_ring()
    be.run(drv.stop())
    drv.teardown_ring()
    with pytest.raises(DriverError, match="after a ring has run"):
        drv.setup_ring(2, 64 * KiB)


# ---------------------------------------------------------------- driver settings
@pytest.mark.parametrize("kw,value", [("irq_threshold", 1.5), ("irq_threshold", True), ("irq_threshold", "4"),
                                      ("irq_threshold", 4.0), ("irq_threshold", 0), ("irq_threshold", 256),
                                      ("irq_delay", 2.5), ("irq_delay", False), ("irq_delay", "0"),
                                      ("irq_delay", -1), ("irq_delay", 300)])
def test_irq_settings_must_be_integers_in_range(kw, value):
    dev = make_dev(4 * MiB)
    be = ModelBackend()
    with pytest.raises(DriverError, match=kw) as e:
        SgdmaDriver(be.hw, dev, **{kw: value})
    assert repr(value) in str(e.value) or str(value) in str(e.value)
    SgdmaDriver(be.hw, dev, **{kw: 4})                    # a valid retry


# ---------------------------------------------------------------- positions and completion numbers
@pytest.fixture
def running_ring():
    be, drv = make_driver(irq_threshold=1, irq_delay=0)
    drv.setup_ring(4, 16 * KiB)
    vma = AddressSpace(drv.dev.mem, KernelProfile("6.6")).mmap(RingFile(drv), drv.ring_size)
    ring = UserRing(drv, vma)
    be.run(drv.start())
    yield be, drv, ring
    vma.munmap()


def test_negative_positions_and_completion_numbers_are_errors(running_ring):
    be, drv, ring = running_ring
    assert ring.position_of(5) == 5 * 16 * KiB and ring.completions_before(3 * 16 * KiB) == 3
    for call, arg, err in [(ring.position_of, -1, ValueError), (ring.position_of, 1.5, TypeError),
                           (ring.position_of, True, TypeError), (ring.completions_before, -5, ValueError),
                           (ring.completions_before, "0", TypeError)]:
        with pytest.raises(err, match=str(arg) if arg != "0" else "'0'"):
            call(arg)
    for bad in (True, 0, -3, 2.5):
        with pytest.raises(ValueError, match=repr(bad)):
            ring.acquire(bad)
    with pytest.raises(ValueError, match="True"):
        be.run(ring.release(True))
    before = (drv.released, ring.consumed, ring.acquired)
    for bad, msg in [(-1, "-1"), (1.5, "1.5"), (True, "True"), ("1", "'1'")]:
        with pytest.raises(DriverError, match=f"completion number.*{msg}"):
            be.run(drv.release(bad))
    assert (drv.released, ring.consumed, ring.acquired) == before
    be.run(drv.release(0))                                # a valid retry on the same backend


# ---------------------------------------------------------------- the model backend after an error
def test_model_backend_runs_again_after_a_rejected_call():
    be = ModelBackend()

    async def rejected():
        raise DriverError("rejected call")

    async def fine():
        await be.sched.sleep(5)
        return 7

    with pytest.raises(DriverError, match="rejected call"):
        be.run(rejected())
    assert be.run(fine()) == 7                            # used to raise the old DriverError again
    with pytest.raises(DriverError):
        be.run(rejected())
    assert be.run(fine()) == 7


# ---------------------------------------------------------------- bulk calls
@pytest.mark.parametrize("size,count,msg", [(0, 4, "0 bytes"), (True, 4, "True"), ("4096", 4, "'4096'"),
                                            (PAGE_SIZE, 0, "0"), (PAGE_SIZE, 1.5, "1.5"), (PAGE_SIZE, True, "True")])
def test_bulk_allocation_arguments(size, count, msg):
    dev = make_dev()
    before = state(dev)
    with pytest.raises((ValueError, TypeError), match=msg):
        dev.dma_alloc_coherent_many(size, count)
    with pytest.raises((ValueError, TypeError), match=msg):
        dev.kmalloc_many(size, count)
    assert state(dev) == before
    assert len(dev.dma_alloc_coherent_many(PAGE_SIZE, 3)) == 3


def test_bulk_iommu_map_checks_every_range_first():
    dev = make_dev()
    before = state(dev)
    ram_end = dev.mem.base + dev.mem.size
    for phys, err, msg in [([0, PAGE_SIZE, ram_end], ValueError, "outside RAM"),
                           ([0, -PAGE_SIZE], ValueError, str(-PAGE_SIZE)),
                           ([0, 1.5], TypeError, "1.5")]:
        with pytest.raises(err, match=msg):
            dev.iommu.map_many(phys, PAGE_SIZE, FROM)
    with pytest.raises(TypeError, match="direction"):
        dev.iommu.map_many([0], PAGE_SIZE, "FROM_DEVICE")
    assert state(dev) == before
    assert len(dev.iommu.map_many([0, 2 * PAGE_SIZE], PAGE_SIZE, FROM)) == 2


def test_pool_bulk_free_checks_every_block_first():
    dev = make_dev()
    pool = dev.dma_pool_create("desc", 64, 64)
    buses, _, _ = pool.alloc_many(5)
    mark = pool.snapshot()
    for bad in ([buses[0], 0x1234], [buses[1], buses[1]]):
        with pytest.raises(DmaApiError, match="dma_pool_free"):
            pool.free_many(bad)
        assert pool.snapshot() == mark
    with pytest.raises(ValueError, match="0"):
        pool.alloc_many(0)
    assert pool.snapshot() == mark
    pool.free_many(buses)
    assert not pool.snapshot()[2]
