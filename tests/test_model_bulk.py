"""The fast model's shortcuts give what the general paths give.

- Descriptor fetches and STATUS/APP0 write-backs go through one kept IOMMU translation per
  descriptor page (a word view of RAM); a fault hook on the engine turns the shortcut off, so
  the same acquisition run both ways must give the same report, clock for clock.
- A kept translation is dropped when the IOMMU's page table changes: a fetch from a page
  unmapped since is refused once, as the port would refuse it.
- The eager mmap remaps each physically contiguous run of buffers with one call.
"""
from __future__ import annotations

import numpy as np
import pytest

from sgdma_driver import regmap as rm
from sgdma_driver.allocator import BuddyAllocator
from sgdma_driver.dma_api import Device, DmaDirection
from sgdma_driver.iommu import DeviceMemoryPort, Iommu
from sgdma_driver.mapping import RingFile, Strategy
from sgdma_driver.physmem import PAGE_SIZE, PhysicalMemory
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
