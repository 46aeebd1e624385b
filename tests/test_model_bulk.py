"""The fast model's shortcuts give what the general paths give.

- Descriptor fetches and STATUS/APP0 write-backs go through one kept IOMMU translation per
  descriptor page (a word view of RAM); a fault hook on the engine turns the shortcut off, so
  the same acquisition run both ways must give the same report, clock for clock.
- A kept translation is dropped when the IOMMU's page table changes: a fetch from a page
  unmapped since is refused once, as the port would refuse it.
- The eager mmap remaps each physically contiguous run of buffers with one call.
- The ring set-up's bulk calls (allocator walk, IOMMU update, descriptor pool, chain builder)
  give what the calls one by one give, and the acquisition's report is the same either way.
- A buffer's STATUS write-back and completion, due in one clock, are one scheduled call; two
  calls give the same report.
- An interrupt's completions are read in one call; read descriptor by descriptor instead, the
  report is the same, and the register accesses of one interrupt are the documented ones.
- Register accesses take their clocks in one step where nothing else is queued in them (and a
  write's effect runs at once where it is the first thing due): the same report as through
  the scheduler's general path.
"""
from __future__ import annotations

import numpy as np
import pytest

from sgdma_driver import regmap as rm
from sgdma_driver.allocator import BuddyAllocator, OutOfMemoryError
from sgdma_driver.dma_api import Device, DmaDirection, DmaPool
from sgdma_driver.driver import DriverError, Mode, SgdmaDriver
from sgdma_driver.iommu import DeviceMemoryPort, Iommu
from sgdma_driver.mapping import RingFile, Strategy
from sgdma_driver.physmem import PAGE_SIZE, PhysicalMemory
from sgdma_driver.sg import DescriptorChain
from sgdma_driver.vma import AddressSpace, KernelProfile
from sgdma_sim.acquisition import Acquisition, Scenario
from sgdma_sim.events import Scheduler
from sgdma_sim.model import EngineModel, ModelBackend, ModelHw, ModelParams, run_scenario

KiB = 1024
REG, CR, SR = rm.REG, rm.S2MM_DMACR, rm.S2MM_DMASR


def _report_without_shortcuts(sc: Scenario) -> dict:
    """The acquisition with a fault hook that refuses nothing: every device access takes the
    general path (through the memory port, translated each time)."""
    be = ModelBackend()
    acq = Acquisition(sc, be)
    be.engine.fault = lambda addr, n, is_write: False
    try:
        return be.run(acq.run()).to_json()
    finally:
        acq.vma.munmap()
        be.engine.forget_memory()
        acq.mem.close()


def _comparable(rep: dict) -> dict:
    return {k: v for k, v in rep.items() if k not in ("wall_s", "cycles_per_s")}


@pytest.mark.parametrize("sc", [
    dict(buffers=64, buf_size=4 * KiB, laps=2),
    dict(buffers=8, buf_size=16 * KiB, laps=4, mode="cyclic"),
    dict(buffers=8, buf_size=16 * KiB, laps=4, mode="tail", consumer="slow"),
    dict(buffers=8, buf_size=16 * KiB, laps=4, policy="drop", consumer="slow"),
], ids=["owned", "cyclic", "tail-slow", "drop-slow"])
def test_kept_descriptor_translations_change_nothing(sc):
    fast = run_scenario(Scenario(**sc))
    general = _report_without_shortcuts(Scenario(**sc))
    assert fast["ok"] and fast["descriptors"] > 0
    assert _comparable(fast) == _comparable(general)


def _engine_on_iommu():
    """An engine behind an IOMMU with a ring of two descriptors in one mapped page."""
    mem = PhysicalMemory(1 << 20)
    iommu = Iommu(mem)
    desc_bus = iommu.map(0x8000, PAGE_SIZE, DmaDirection.BIDIRECTIONAL)
    buf_bus = [iommu.map(0x20000 + i * 0x1000, 0x1000, DmaDirection.FROM_DEVICE) for i in range(2)]
    descs = [desc_bus, desc_bus + rm.DESC_SIZE]
    mem.write(0x8000, rm.descriptors([(b, 256) for b in buf_bus], descs[1:] + descs[:1]).tobytes())
    sched = Scheduler()
    eng = EngineModel(sched, ModelParams(), DeviceMemoryPort(iommu))
    for _ in range(4):
        eng.source.push(bytes(range(256)), last=True)
    return sched, eng, ModelHw(sched, eng), mem, iommu, descs


def _status(mem: PhysicalMemory, i: int) -> int:
    return int.from_bytes(mem.read(0x8000 + i * rm.DESC_SIZE + rm.DESC_OFFSETS["status"], 4), "little")


def test_a_fetch_after_the_descriptor_page_went_is_refused_once():
    sched, eng, hw, mem, iommu, descs = _engine_on_iommu()

    async def lap_then_unmap():
        await hw.write_reg(REG["S2MM_CURDESC"].offset, descs[0])
        await hw.write_reg(CR.offset, CR.RS.put(1))
        await hw.write_reg(REG["S2MM_TAILDESC"].offset, descs[1])
        await hw.sleep(2000)
        assert [rm.STATUS.CMPLT.get(_status(mem, i)) for i in range(2)] == [1, 1]
        assert not iommu.faults
        iommu.unmap(descs[0], PAGE_SIZE)          # the descriptors' page is gone
        await hw.write_reg(REG["S2MM_TAILDESC"].offset, descs[1])   # one more lap: refused
        await hw.sleep(2000)
        return await hw.read_reg(SR.offset)

    sr = sched.run(lap_then_unmap())
    assert SR.SG_SLV_ERR.get(sr) and SR.HALTED.get(sr)
    assert len(iommu.faults) == 1 and not iommu.faults[0].is_write
    assert eng.counters["COMPLETED"] == 2


def test_write_back_lands_through_the_kept_page_translation():
    """STATUS and APP0 of both descriptors of one page, written back through one kept
    translation, are where the driver reads them."""
    sched, eng, hw, mem, iommu, descs = _engine_on_iommu()

    async def one_lap():
        await hw.write_reg(rm.SGDMA_XCTRL.offset, rm.SGDMA_XCTRL.POS_WRITEBACK.put(1))
        await hw.write_reg(REG["S2MM_CURDESC"].offset, descs[0])
        await hw.write_reg(CR.offset, CR.RS.put(1))
        await hw.write_reg(REG["S2MM_TAILDESC"].offset, descs[1])
        await hw.sleep(2000)

    sched.run(one_lap())
    for i in range(2):
        st = _status(mem, i)
        assert rm.STATUS.CMPLT.get(st) and rm.STATUS.LENGTH.get(st) == 256
        app0 = mem.read(0x8000 + i * rm.DESC_SIZE + rm.DESC_OFFSETS["app"], 4)
        assert int.from_bytes(app0, "little") == 256 * i
    assert bytes(mem.read(0x21000, 256)) == bytes(range(256))


class _Ring:
    """What RingFile needs of a driver: the buffers (in ring order) and the ring's size."""

    def __init__(self, buffers):
        self.buffers = buffers
        self.ring_size = sum(b.size for b, _ in buffers)


def test_eager_mmap_remaps_each_contiguous_run_once():
    mem = PhysicalMemory(4 << 20)
    dev = Device(mem, BuddyAllocator(mem), Iommu(mem))
    bufs = [dev.dma_alloc_coherent(2 * PAGE_SIZE) for _ in range(6)]
    by_phys = sorted(bufs, key=lambda b: b[0].phys)
    # ring order b2 b3 b5 b0 b1: two adjacent buffers, one elsewhere, two adjacent that end
    # where the first begins
    order = [by_phys[2], by_phys[3], by_phys[5], by_phys[0], by_phys[1]]
    assert all(a[0].phys + a[0].size == b[0].phys for a, b in zip(by_phys, by_phys[1:]))
    ring = _Ring(order)
    for i, (b, _) in enumerate(order):
        b.view()[:] = i + 1
    vma = AddressSpace(mem, KernelProfile("6.6")).mmap(RingFile(ring, Strategy.EAGER), 2 * ring.ring_size)
    # runs: [b2 b3] [b5] [b0 b1 | b2 b3] [b5] [b0 b1]: the second copy's start continues the first's end
    assert vma.api_calls.count("remap_pfn_range") == 5
    expect = np.concatenate([b.view() for b, _ in order])
    assert np.array_equal(vma.array[:ring.ring_size], expect)
    assert np.array_equal(vma.array[ring.ring_size:], expect)
    assert len(vma.ptes) == 2 * ring.ring_size // PAGE_SIZE
    order[2][0].view()[9] = 0xA5              # a later device write shows through both copies
    assert vma.array[2 * 2 * PAGE_SIZE + 9] == 0xA5 == vma.array[ring.ring_size + 2 * 2 * PAGE_SIZE + 9]
    vma.munmap()


# ---------------------------------------------------------------- bulk ring set-up
def _fragmented_dev(seed: int | None, size: int = 64 << 20) -> Device:
    mem = PhysicalMemory(size)
    alloc = BuddyAllocator(mem, max_order=11, seed=seed)
    alloc.fragment(seed=3, fraction=0.2)
    return Device(mem, alloc, Iommu(mem))


@pytest.mark.parametrize("seed", [7, None], ids=["random-placement", "lowest-first"])
@pytest.mark.parametrize("size", [PAGE_SIZE, 3 * PAGE_SIZE])
def test_bulk_coherent_allocation_is_the_calls_one_by_one(seed, size):
    one, bulk = _fragmented_dev(seed), _fragmented_dev(seed)
    owner = object()
    a = [one.dma_alloc_coherent(size, owner=owner) for _ in range(700)]
    b = bulk.dma_alloc_coherent_many(size, 700, owner=owner)
    assert [(x.phys, h) for x, h in a] == [(x.phys, h) for x, h in b]
    assert one.snapshot() == bulk.snapshot()
    port = DeviceMemoryPort(bulk.iommu)
    port.write_sync(b[5][1], b"bulk")                  # each bus address reaches its buffer
    assert b[5][0].read(0, 4) == b"bulk"
    assert bulk.allocator.free_all(owner) == 700 and bulk.mapping_count == 0


def test_bulk_allocation_that_runs_out_leaves_no_trace():
    dev = _fragmented_dev(5, size=8 << 20)
    before = dev.snapshot()
    with pytest.raises(OutOfMemoryError, match="cannot allocate 65536") as e:
        dev.dma_alloc_coherent_many(64 << 10, 1000)
    assert 0 < e.value.index < 1000
    assert dev.snapshot() == before and dev.mapping_count == 0
    fit = dev.dma_alloc_coherent_many(64 << 10, e.value.index)     # exactly what fitted
    assert len(fit) == e.value.index
    with pytest.raises(OutOfMemoryError) as again:
        dev.dma_alloc_coherent(64 << 10)
    assert again.value.index is None


def test_pool_bulk_alloc_is_the_calls_one_by_one():
    def pool_with_holes() -> DmaPool:
        pool = DmaPool(_fragmented_dev(9), "desc", 64, 64, chunk=4096)   # 64 blocks a page
        taken = [pool.alloc()[0] for _ in range(70)]
        for bus in taken[10:30:3]:
            pool.free(bus)
        return pool

    one, bulk = pool_with_holes(), pool_with_holes()
    a = [one.alloc() for _ in range(500)]
    buses, offs, pages = bulk.alloc_many(500)
    assert [(x[0], x[1], x[2].phys) for x in a] == [(b, o, p.phys) for b, o, p in zip(buses, offs, pages)]
    assert one.page_count == bulk.page_count and one.dev.snapshot() == bulk.dev.snapshot()
    for bus, *_ in a[::7]:
        one.free(bus)
    bulk.free_many(buses[::7])
    assert one.alloc()[0] == bulk.alloc()[0]


def test_chain_builder_writes_every_descriptor():
    """Buffers split by a short length field, on a pool that already has a page in use: each
    descriptor's record where the engine reads it, its ring offset, and its STATUS / APP0."""
    dev = _fragmented_dev(4)
    pool = dev.dma_pool_create("desc", 64, 64)
    pool.alloc()
    lengths = [4096, 10000, 4095, 8190]
    bufs = [(0x4000_0000 + i * 0x10000, n) for i, n in enumerate(lengths)]
    chain = DescriptorChain(dev, bufs, cyclic=True, len_width=12, pool=pool)   # pieces <= 4095
    pieces = [(b + off, min(4095, n - off)) for b, n in bufs for off in range(0, n, 4095)]
    assert len(chain) == len(pieces) == 8
    bus = [chain.descs[i].bus for i in range(len(chain))]
    expect = rm.descriptors(pieces, bus[1:] + bus[:1])
    for i in range(len(chain)):
        assert chain.record(i)[0].tobytes() == expect[i].tobytes()
    assert [d.ring_offset for d in chain.descs] == np.cumsum([0] + [n for _, n in pieces[:-1]]).tolist()
    assert chain.descs[3].buf_index == 1 and chain.descs[3].buf_offset == 4095
    assert chain.ring_size == sum(lengths) and chain.index_of(bus[4]) == 4 and chain.index_of(1) is None
    for i in (6, 7, 0):
        chain.record(i)["status"] = 0x8000_0000 | i
        chain.record(i)["app"][0] = 100 + i
    assert chain.statuses(6, 3, app0=True) == ([0x8000_0006, 0x8000_0007, 0x8000_0000], [106, 107, 100])
    chain.clear_statuses(7, 2)                        # wraps round the ring
    assert [chain.status(i) for i in (6, 7, 0)] == [0x8000_0006, 0, 0]
    chain.destroy()
    assert pool.snapshot()[2] and len(pool.snapshot()[2]) == 1     # only the block used before


def _one_by_one_set_up(monkeypatch) -> None:
    """The ring set-up's bulk calls replaced by the calls one by one."""
    def coherent_many(self, size, count, owner=None):
        return [self.dma_alloc_coherent(size, owner=owner) for _ in range(count)]

    def pool_many(self, count):
        taken = [self.alloc() for _ in range(count)]
        return [t[0] for t in taken], [t[1] for t in taken], [t[2] for t in taken]

    monkeypatch.setattr(Device, "dma_alloc_coherent_many", coherent_many)
    monkeypatch.setattr(DmaPool, "alloc_many", pool_many)


def _per_descriptor_reads(monkeypatch) -> None:
    """An interrupt's STATUS / APP0 reads and clears made descriptor by descriptor."""
    def statuses(self, first, count, app0=False):
        idx = [(first + k) % len(self) for k in range(count)]
        return [self.status(i) for i in idx], [self.app0(i) for i in idx] if app0 else []

    def clear_statuses(self, first, count):
        for k in range(count):
            self.clear_status((first + k) % len(self))

    monkeypatch.setattr(DescriptorChain, "statuses", statuses)
    monkeypatch.setattr(DescriptorChain, "clear_statuses", clear_statuses)


SCENARIOS = [
    dict(buffers=64, buf_size=4 * KiB, laps=2),
    dict(buffers=8, buf_size=16 * KiB, laps=4, mode="cyclic"),
    dict(buffers=16, buf_size=8 * KiB, laps=3, mode="cyclic", consumer="slow"),      # the reader is lapped
    dict(buffers=8, buf_size=16 * KiB, laps=4, mode="tail", consumer="slow"),
    dict(buffers=16, buf_size=8 * KiB, laps=3, policy="drop", consumer="slow", irq_threshold=1),
    dict(buffers=8, buf_size=64 * KiB, laps=3, streaming=True, consumer="slow"),
]


@pytest.mark.parametrize("sc", SCENARIOS, ids=["owned", "cyclic", "cyclic-lapped", "tail-slow", "drop-slow",
                                               "streaming"])
def test_bulk_set_up_and_batched_completion_reads_change_no_report(sc, monkeypatch):
    fast = run_scenario(Scenario(**sc))
    assert fast["ok"] and fast["interrupts"] > 0
    _one_by_one_set_up(monkeypatch)
    _per_descriptor_reads(monkeypatch)
    general = run_scenario(Scenario(**sc))
    assert _comparable(fast) == _comparable(general)


@pytest.mark.parametrize("sc", SCENARIOS, ids=["owned", "cyclic", "cyclic-lapped", "tail-slow", "drop-slow",
                                               "streaming"])
def test_one_call_for_write_back_and_completion_changes_no_report(sc, monkeypatch):
    merged = run_scenario(Scenario(**sc))
    assert merged["ok"] and merged["descriptors"] > 0
    monkeypatch.setattr(EngineModel, "merge_completion_calls", False)
    separate = run_scenario(Scenario(**sc))
    assert _comparable(merged) == _comparable(separate)


class _RecordingHw:
    """A backend's HwInterface that logs every register access (name, read or write)."""

    def __init__(self, hw):
        self.hw, self.log = hw, []
        self.names = {r.offset: name for name, r in rm.REG.items()}

    async def read_reg(self, off):
        self.log.append((self.names[off], "r"))
        return await self.hw.read_reg(off)

    async def write_reg(self, off, v):
        self.log.append((self.names[off], "w"))
        await self.hw.write_reg(off, v)

    def __getattr__(self, name):
        return getattr(self.hw, name)


def test_one_interrupt_makes_the_documented_register_accesses():
    be = ModelBackend()
    dev = _fragmented_dev(1)
    be.attach_memory(DeviceMemoryPort(dev.iommu))
    hw = _RecordingHw(be.hw)
    drv = SgdmaDriver(hw, dev, mode=Mode.OWNED, irq_threshold=2)

    async def one_interrupt():
        await drv.probe()
        drv.setup_ring(4, 4 * KiB)
        await drv.start()
        be.engine.source.push(bytes(8 * KiB), last=True)
        be.engine.wake.set()
        await hw.wait_irq()
        hw.log.clear()
        return await drv.service()

    new = be.run(one_interrupt())
    counter = [(f"{name}{half}", "r") for name in ("COMPLETED", "DROPPED_BYTES", "DROPPED_PACKETS")
               for half in ("_LO", "_HI")]
    assert [c.seq for c in new] == [0, 1]
    assert hw.log == [("S2MM_DMASR", "r"), ("S2MM_DMASR", "w"), ("SGDMA_XSTATUS", "r")] + counter


def test_a_descriptor_without_cmplt_stops_the_batch_after_what_was_taken():
    be = ModelBackend()
    dev = _fragmented_dev(2)
    be.attach_memory(DeviceMemoryPort(dev.iommu))
    drv = SgdmaDriver(be.hw, dev, mode=Mode.CYCLIC)
    be.run(drv.probe())
    chain = drv.setup_ring(4, 4 * KiB)
    for i in (0, 1):                                  # two complete descriptors, the third not
        chain.record(i)["status"] = rm.STATUS.CMPLT.mask | rm.STATUS.LENGTH.put(4096)
        chain.record(i)["app"][0] = 4096 * i
    chain.record(2)["status"] = rm.STATUS.LENGTH.put(5)
    be.engine.counters["COMPLETED"] = 3
    with pytest.raises(DriverError, match="COMPLETED says 3 but descriptor 2 has no Cmplt"):
        be.run(drv.poll())
    assert drv.completed == 2 and drv.stats.completions == 2 and drv.stats.bytes == 8192
    assert drv.stream_position == 8192 and [chain.status(i) for i in range(3)] == [0, 0, rm.STATUS.LENGTH.put(5)]


# ---------------------------------------------------------------- stretches run in line
INLINE_SCENARIOS = [
    dict(buffers=64, buf_size=4 * KiB, laps=2),
    dict(buffers=8, buf_size=16 * KiB, laps=4, mode="cyclic", irq_threshold=1, irq_delay=0),
    dict(buffers=16, buf_size=8 * KiB, laps=3, mode="cyclic", consumer="slow"),
    dict(buffers=8, buf_size=16 * KiB, laps=4, mode="tail", consumer="slow", irq_delay=3),
    dict(buffers=16, buf_size=8 * KiB, laps=3, policy="drop", consumer="slow", irq_threshold=1),
    dict(buffers=32, buf_size=4 * KiB, laps=3, mode="cyclic", policy="drop", irq_latency=3000, irq_jitter="exp"),
    dict(buffers=256, buf_size=4 * KiB, laps=1.5, mode="tail", irq_threshold=255),
    dict(buffers=64, buf_size=4 * KiB, laps=2, mode="owned", policy="drop", consumer="slow", irq_threshold=255,
         irq_delay=1),
    dict(buffers=8, buf_size=64 * KiB, laps=3, streaming=True, consumer="slow", rate=0.5),
]


@pytest.mark.parametrize("sc", INLINE_SCENARIOS, ids=[
    "owned", "cyclic-t1", "cyclic-lapped", "tail-slow-delay", "drop-slow-t1", "cyclic-drop-exp-latency",
    "tail-t255", "owned-drop-slow-t255", "streaming-half-rate"])
def test_calls_run_in_line_change_no_report(sc, monkeypatch):
    """Plain calls and idle polls run from a task's own advance (Scheduler.inline_calls) give
    what the scheduler's loop gives: the report (clocks, interrupts, counters, timeline), the
    memory's contents, every descriptor's STATUS word and the engine's counters."""
    inline = _run_and_look(Scenario(**sc))
    assert inline[0]["ok"] and inline[0]["descriptors"] > 0
    monkeypatch.setattr(Scheduler, "inline_calls", False)
    queued = _run_and_look(Scenario(**sc))
    assert inline == queued


@pytest.mark.parametrize("sc", INLINE_SCENARIOS, ids=[
    "owned", "cyclic-t1", "cyclic-lapped", "tail-slow-delay", "drop-slow-t1", "cyclic-drop-exp-latency",
    "tail-t255", "owned-drop-slow-t255", "streaming-half-rate"])
def test_one_step_register_accesses_change_no_report(sc, monkeypatch):
    """A register read taken in one step when nothing is queued before its response, and a
    write whose effect runs at once when it is the first thing due (ModelHw.one_step_accesses),
    give what the scheduler's general path gives: report, memory, STATUS words, counters."""
    fast = _run_and_look(Scenario(**sc))
    assert fast[0]["ok"] and fast[0]["descriptors"] > 0
    monkeypatch.setattr(ModelHw, "one_step_accesses", False)
    general = _run_and_look(Scenario(**sc))
    assert fast == general


@pytest.mark.parametrize("sc", INLINE_SCENARIOS + [
    dict(buffers=16, buf_size=4 << 20, laps=4, rate=0.5, mode="cyclic"),
    dict(buffers=4, buf_size=64 * KiB, laps=3, timeline_points=50_000)], ids=[
    "owned", "cyclic-t1", "cyclic-lapped", "tail-slow-delay", "drop-slow-t1", "cyclic-drop-exp-latency",
    "tail-t255", "owned-drop-slow-t255", "streaming-half-rate", "seed", "dense-timeline"])
def test_timeline_points_taken_ahead_change_no_report(sc, monkeypatch):
    """The sampler's periodic points taken in one step where nothing else is queued before them
    (ModelBackend.batch_samples) give what one wake-up per point gives: the report (with every
    timeline point), memory, STATUS words and counters."""
    batched = _run_and_look(Scenario(**sc))
    assert batched[0]["ok"] and batched[0]["descriptors"] > 0
    monkeypatch.setattr(ModelBackend, "batch_samples", False)
    one_by_one = _run_and_look(Scenario(**sc))
    assert len(one_by_one[0]["timeline"]["cycle"]) > 100
    assert batched == one_by_one


def test_timeline_points_taken_ahead_stop_before_queued_work():
    """sample_ahead takes the wake-ups before the first queued work only, and moves the clock
    to the last of them."""
    be = ModelBackend()
    be.attach_memory(None)
    s = be.sched
    s.discard_pending()                  # (the engine's process, not run here)
    s.call_at(1000, lambda: None)
    pts = be.sample_ahead(100, 4096)
    assert [p[0] for p in pts] == list(range(100, 1000, 100)) and s.now == 900
    assert be.sample_ahead(100, 4096) == [] and s.now == 900       # the next wake-up would be at 1000
    s.call_at(950, lambda: None)
    assert be.sample_ahead(10, 3) == [(910, 0, 0, 0), (920, 0, 0, 0), (930, 0, 0, 0)] and s.now == 930


def _run_and_look(sc: Scenario) -> tuple[dict, str, dict, dict]:
    """One acquisition on the model: (report, hash of all RAM, STATUS word written back per
    descriptor, the engine's counters)."""
    import hashlib

    be = ModelBackend()
    acq = Acquisition(sc, be)
    try:
        rep = _comparable(be.run(acq.run()).to_json())
        ram = hashlib.sha256(acq.mem.array).hexdigest()
        return rep, ram, dict(be.engine.statuses), dict(be.engine.counters)
    finally:
        acq.vma.munmap()
        be.engine.forget_memory()
        acq.mem.close()


def test_a_task_that_must_wait_keeps_its_place_among_the_work_of_its_clock():
    """A call run in line schedules work at the clock a waiting task resumes in: the task,
    whose sleep began first, still runs first (as it does when the loop runs the call)."""
    def order(inline: bool) -> list[str]:
        s = Scheduler()
        s.inline_calls = inline
        log: list[str] = []

        def call() -> None:
            log.append("call")
            s.call_at(10, lambda: log.append("queued by the call"))

        async def other() -> None:
            await s.sleep(7)                       # another task due before the sleeper's clock
            log.append("other")

        async def sleeper() -> None:
            s.call_at(5, call)
            if not s.advance(10):
                await s.sleep(10)
            log.append("sleeper")

        async def main() -> None:
            s.spawn(other())
            await s.sleep(0)                       # (the other task is asleep by now)
            await sleeper()
            await s.sleep(5)
        s.run(main())
        return log

    assert order(True) == order(False) == ["call", "other", "sleeper", "queued by the call"]
