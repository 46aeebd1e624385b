"""Co-simulation: the driver model runs rtl/sgdma.v.

Discontiguous buffers behind an IOMMU, a cyclic or tail-mode ring, coalesced interrupts,
several laps, every byte verified through the contiguous user mapping, and every lost byte
accounted for: dropped by the engine, lost to an injected AXI error, or overwritten in front
of a slow reader.
"""
from __future__ import annotations

import logging

import cocotb
import pytest
from cocotb.triggers import with_timeout

from sgdma_verif.cosim import CocotbBackend
from sgdma_verif.runconfig import load_run_config
from sgdma_driver import regmap as rm
from sgdma_driver.driver import DriverError
from sgdma_sim.acquisition import Acquisition, Scenario, adc_bytes

KiB = 1024


def _sim() -> str:
    return load_run_config().sim


async def acquire(dut, **kw):
    be = CocotbBackend(dut, _sim())
    acq = Acquisition(Scenario(**kw), be)
    await be.reset()
    rep = await acq.run()
    logging.getLogger("cocotb.sgdma.test").info("report: %s", {k: v for k, v in rep.to_json().items() if k not in ("timeline", "scenario")})
    return rep, acq


def assert_clean(rep) -> None:
    assert rep.data_errors == 0, f"{rep.data_errors} bytes differ from the stream"
    assert not rep.accounting_errors, rep.accounting_errors
    assert rep.bytes_read + rep.lost_bytes == rep.bytes
    assert rep.dma_api_violations == 0


@cocotb.test()
async def owned_ring_every_byte(dut):
    """8 discontiguous 16 KiB buffers, cyclic ring with the ownership check, 3 laps, coalesced
    interrupts: every byte arrives, in order, through the double-mapped contiguous view."""
    rep, acq = await acquire(dut, buffers=8, buf_size=16 * KiB, laps=3, mode="owned",
                             irq_threshold=4, irq_delay=20)
    assert_clean(rep)
    assert rep.lost_bytes == 0 and rep.bytes_read == rep.bytes
    assert rep.descriptors == 24
    assert rep.interrupts < rep.descriptors, "interrupts must be coalesced"
    phys = sorted(buf.phys for buf, _ in acq.driver.buffers)
    assert any(b - a != 16 * KiB for a, b in zip(phys, phys[1:])), "buffers must be discontiguous"
    assert all(bus != buf.phys for buf, bus in acq.driver.buffers), "bus addresses go through the IOMMU"


@cocotb.test()
async def tail_mode_lazy_mapping(dut):
    """Tail-pointer mode (the driver moves TAILDESC as it releases), the ring mapped lazily by
    a fault handler on a 4.14 kernel, streaming DMA mappings with syncs, device at 60 % rate."""
    rep, acq = await acquire(dut, buffers=8, buf_size=8 * KiB, laps=2.5, mode="tail", strategy="lazy",
                             double_map=False, kernel="4.14", streaming=True, rate=0.6, irq_threshold=2)
    assert_clean(rep)
    assert rep.lost_bytes == 0
    assert "vm_insert_pfn" in acq.vma.api_calls and "vmf_insert_pfn" not in acq.vma.api_calls  # 4.14


@cocotb.test()
async def cyclic_overrun_slow_reader(dut):
    """Plain PG021 cyclic mode with a slow reader: the engine laps the reader; the ring reports
    the overrun and how many bytes it lost, and every byte it did read is right."""
    rep, acq = await acquire(dut, buffers=8, buf_size=4 * KiB, laps=6, mode="cyclic", consumer="slow",
                             irq_threshold=2)
    assert_clean(rep)
    assert rep.overruns > 0 and rep.ring_overrun_bytes > 0, "a slow reader must be lapped"
    assert rep.engine_dropped_bytes == 0


@cocotb.test()
async def drop_policy_exact_loss(dut):
    """Ownership check + DROP with a slow reader: the engine discards what does not fit, its
    DROPPED_BYTES counter equals the gaps the driver finds between buffers' stream positions,
    and the reader never sees a torn buffer."""
    rep, acq = await acquire(dut, buffers=8, buf_size=4 * KiB, laps=6, mode="owned", policy="drop",
                             consumer="slow", irq_threshold=2)
    assert_clean(rep)
    assert rep.engine_dropped_bytes > 0
    assert rep.lost_bytes == rep.engine_dropped_bytes, "every lost byte is one the engine counted"
    assert rep.ring_overrun_bytes == 0 and rep.error_lost_bytes == 0


@cocotb.test()
@cocotb.parametrize((("resp", "after_writes"), [(rm.RESP_SLVERR, 5), (rm.RESP_DECERR, 1500), (rm.RESP_SLVERR, 5000)]))
async def axi_error_recovered(dut, resp, after_writes):
    """An injected SLVERR/DECERR on a data write early, mid-way or late in the acquisition: the
    driver reports it (descriptor, bits), soft-resets, re-arms and the acquisition continues;
    the bytes lost are located exactly by APP0 and every other byte arrives."""
    be = CocotbBackend(dut, _sim())
    acq = Acquisition(Scenario(buffers=8, buf_size=8 * KiB, laps=3, mode="owned"), be)
    await be.reset()
    hits = []

    def fault(addr, length, is_write):
        if is_write and len(be.tb.data_wr.writes) > after_writes and not hits:
            hits.append(addr)
            return resp
        return 0
    be.tb.data_wr.fault = fault
    rep = await acq.run()
    assert hits, "the fault was never injected"
    assert_clean(rep)
    assert rep.engine_errors == 1
    err = acq.driver.stats.errors[0]
    assert err.bits == ["DMA_SLV_ERR" if resp == rm.RESP_SLVERR else "DMA_DEC_ERR"], err
    assert rep.error_lost_bytes > 0 and rep.lost_bytes == rep.error_lost_bytes


@cocotb.test()
async def device_write_outside_buffers_refused(dut):
    """A descriptor pointing at memory not mapped for the device: the IOMMU refuses the writes
    (SLVERR), nothing outside the mapped buffers changes, the driver reports the descriptor and
    gives up when it faults again."""
    be = CocotbBackend(dut, _sim())
    acq = Acquisition(Scenario(buffers=4, buf_size=4 * KiB, laps=1), be)
    await be.reset()
    drv = acq.driver
    await drv.probe()
    drv.setup_ring(4, 4 * KiB)
    chain = drv.chain
    # Point descriptor 2 at a bus address nobody mapped.
    rec = chain.record(2)
    rec["buffer_address"] = 0x7000_0000
    before = bytes(acq.mem.buf[:])
    await drv.start()
    be.spawn(be.send_stream(adc_bytes(0, 24 * KiB).tobytes(), 1.0))
    with pytest.raises(DriverError, match="faults again"):
        await with_timeout(drv.irq_loop(), 100, "us")     # the driver's own interrupt service
    faults = acq.dev.iommu.faults
    assert faults and all(f.is_write and 0x7000_0000 <= f.iova < 0x7000_1000 for f in faults)
    assert [e.desc_index for e in drv.stats.errors] == [2, 2]
    assert drv.stats.errors[0].bits == ["DMA_SLV_ERR"]
    after = bytes(acq.mem.buf[:])
    changed = [i for i in range(0, len(before), 4096) if before[i:i + 4096] != after[i:i + 4096]]
    allowed = {(buf.phys >> 12) + k for buf, _ in drv.buffers for k in range(buf.size >> 12)}
    allowed |= {d.bus for d in chain.descs}  # descriptor pages (by bus page) are checked below
    desc_pages = {(p.phys >> 12) for p in chain.pages}
    assert all((i >> 12) in allowed or (i >> 12) in desc_pages for i in changed), \
        "memory outside the mapped buffers and descriptors changed"


@cocotb.test()
@cocotb.parametrize(read_first=[True, False])
async def same_clock_access_order(dut, read_first):
    """Two software tasks, one reading a register and one writing one, whose accesses end in
    the same clock: the writer goes on first, then the reader, on every simulator (the order
    the fast model has).  Without a fixed order the simulator's order of value-change
    callbacks decides it, and the next accesses of the two tasks reach the register slave in
    a different order on Icarus and Verilator (an interrupt counted more or less)."""
    from sgdma_driver.iommu import DeviceMemoryPort, Iommu
    from sgdma_driver.physmem import PhysicalMemory

    be = CocotbBackend(dut, _sim(), checker=False)
    be.attach_memory(DeviceMemoryPort(Iommu(PhysicalMemory(1 << 20), passthrough=True)))
    await be.reset()
    hw, cr = be.hw, rm.S2MM_DMACR
    done: list[tuple[str, int]] = []
    await hw.sleep(3)

    async def reader() -> None:
        await hw.read_reg(cr.offset)
        done.append(("read", hw.now()))

    async def writer() -> None:
        await hw.write_reg(rm.REG["SG_CTL"].offset, 0x3)
        done.append(("write", hw.now()))
    first, second = (reader, writer) if read_first else (writer, reader)
    tasks = [be.spawn(first()), be.spawn(second())]
    for t in tasks:
        await t
    assert done[0][1] == done[1][1], f"the accesses should end in one clock: {done}"
    assert [k for k, _ in done] == ["write", "read"], f"callers resumed as {done}"


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import build_and_test, selected_simulators  # noqa: E402


@pytest.mark.parametrize("sim", selected_simulators())
def test_cosim(sim):
    build_and_test("test_cosim", sim, {})     # the run configuration names the simulator
