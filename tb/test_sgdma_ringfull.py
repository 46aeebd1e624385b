"""Ring-full policies of rtl/sgdma.v (extension): STALL holds tready low, DROP discards and
counts bytes and packets exactly; both resume as soon as software frees a descriptor.  Also the
cyclic-mode ownership check (a descriptor whose Cmplt is still set is not reused).  The streaming
scoreboard checks every write as it happens: dropped bytes must never reach memory."""
from __future__ import annotations

import cocotb
import pytest
from cocotb.triggers import ClockCycles

from sgdma_driver import regmap as rm
from sgdma_verif.reference import s2mm_expected
from sgdma_verif.env import TB, pattern
from sgdma_verif.buffers import BUF_BASE, DESC_BASE, GUARD, check_buffers, check_guards, place_buffers

XC, XS = rm.SGDMA_XCTRL, rm.SGDMA_XSTATUS
SIZE = 200


async def prepare(dut, n, backpressure=False, idle=False):
    tb = TB(dut, mem_size=1 << 20)
    tb.set_backpressure(backpressure)
    tb.set_idle(idle)
    await tb.reset()
    bufs = place_buffers([SIZE] * n, [i % tb.bytes_per_beat for i in range(n)])
    hi = bufs[-1][0] + 1024
    tb.fill(BUF_BASE, hi - BUF_BASE, GUARD)
    return tb, bufs, hi


@cocotb.test()
async def stall_policy_loses_nothing(dut):
    """STALL: with the tail reached, tready stays low and RING_FULL reads 1; moving the tail on
    lets every held byte through, in order, with nothing dropped."""
    n = 6
    tb, bufs, hi = await prepare(dut, n, backpressure=True)
    descs = tb.write_chain(DESC_BASE, bufs)
    packets = [pattern(SIZE, seed=i) for i in range(n)]
    tb.expect(descs, bufs, packets)
    await tb.start(descs[0], descs[1])
    for p in packets:
        await tb.send(p)
    await tb.wait_status(descs[1])
    await ClockCycles(dut.axi_aclk, 100)
    xs = await tb.read_reg("SGDMA_XSTATUS")
    assert XS.RING_FULL.get(xs) == 1 and XS.DROPPING.get(xs) == 0, f"XSTATUS {xs:#x}"
    assert int(dut.s_axis_s2mm_tready.value) == 0
    await tb.write_addr("S2MM_TAILDESC", descs[-1])
    await tb.wait_status(descs[-1])
    check_buffers(tb, descs, bufs, s2mm_expected(packets, [SIZE] * n))
    check_guards(tb, bufs, BUF_BASE, hi)
    assert await tb.read_counter("DROPPED_BYTES") == 0


@cocotb.test()
@cocotb.parametrize(idle=[False, True])
async def drop_policy_counts_exactly(dut, idle):
    """DROP: packets arriving with no descriptor are discarded; DROPPED_BYTES and
    DROPPED_PACKETS count them exactly, OVR_IRQ raises the interrupt, and the next descriptor
    made available receives the next packet intact."""
    n = 5
    tb, bufs, hi = await prepare(dut, n, idle=idle)
    descs = tb.write_chain(DESC_BASE, bufs)
    await tb.write_reg("SGDMA_XCTRL", XC.POLICY_DROP.put(1) | XC.OVR_IRQ_EN.put(1) | XC.POS_WRITEBACK.put(1))
    kept = [pattern(SIZE, seed=1), pattern(SIZE - 7, seed=2)]
    dropped = [pattern(n_, seed=10 + n_) for n_ in (50, 1, 333, 64)]
    later = [pattern(SIZE, seed=20), pattern(3, seed=21)]
    tb.expect(descs, bufs, kept + later, overruns=1)
    await tb.start(descs[0], descs[1], irq=False)
    for p in kept + dropped:
        await tb.send(p)
    await tb.wait_for(lambda: tb.source.empty() and tb.source.idle(), what="stream drained")
    await ClockCycles(dut.axi_aclk, 50)
    assert await tb.read_counter("DROPPED_BYTES") == sum(map(len, dropped))
    assert await tb.read_counter("DROPPED_PACKETS") == len(dropped)
    xs = await tb.read_reg("SGDMA_XSTATUS")
    assert XS.OVR_IRQ.get(xs) == 1 and XS.RING_FULL.get(xs) == 1, f"XSTATUS {xs:#x}"
    assert int(dut.s2mm_introut.value) == 1, "overrun interrupt expected"
    await tb.write_reg("SGDMA_XSTATUS", XS.OVR_IRQ.put(1))
    await ClockCycles(dut.axi_aclk, 3)
    assert int(dut.s2mm_introut.value) == 0
    # Free the rest of the ring: the next packets land intact.
    await tb.write_addr("S2MM_TAILDESC", descs[-1])
    for p in later:
        await tb.send(p)
    await tb.wait_status(descs[3])
    check_buffers(tb, descs, bufs, s2mm_expected(kept + later, [SIZE] * n))
    check_guards(tb, bufs, BUF_BASE, hi)
    assert tb.status(descs[4]) == 0
    assert await tb.read_counter("DROPPED_BYTES") == sum(map(len, dropped)), "no further drops"
    # APP0 holds each buffer's stream position: the drops show up exactly where they happened.
    app0 = [int.from_bytes(tb.mem[d + 0x20:d + 0x24], "little") for d in descs[:4]]
    sizes = [len(p) for p in kept] + [sum(map(len, dropped))] + [len(p) for p in later]
    assert app0 == [0, sizes[0], sizes[0] + sizes[1] + sizes[2], sum(sizes[:4])], f"APP0 {app0}"
    assert int.from_bytes(tb.mem[descs[0] + 0x24:descs[0] + 0x28], "little") == 0, "APP1 untouched"


@cocotb.test()
async def drop_continuous_stream(dut):
    """DROP on a continuous stream (no tlast): dropped + written bytes account for every byte."""
    n = 4
    tb = TB(dut, mem_size=1 << 20, tlast=False)
    await tb.reset()
    bufs = place_buffers([SIZE] * n, [1, 2, 3, 0])
    tb.fill(BUF_BASE, bufs[-1][0] + 1024 - BUF_BASE, GUARD)
    descs = tb.write_chain(DESC_BASE, bufs)
    await tb.write_reg("SGDMA_XCTRL", XC.POLICY_DROP.put(1))
    total = SIZE * 2 + 1024  # whole beats: without tlast every beat is full (tkeep all ones)
    data = pattern(total, seed=5)
    tb.expect(descs[:2], bufs[:2], [data[:2 * SIZE]])
    await tb.start(descs[0], descs[1], irq=False)
    await tb.send(data)
    await tb.wait_for(lambda: tb.source.empty() and tb.source.idle(), what="stream drained")
    await ClockCycles(dut.axi_aclk, 50)
    written = await tb.read_counter("BYTES_WRITTEN")
    dropped = await tb.read_counter("DROPPED_BYTES")
    assert written == 2 * SIZE
    assert written + dropped == total, f"written {written} + dropped {dropped} != sent {total}"
    assert await tb.read_counter("DROPPED_PACKETS") == 1


@cocotb.test()
@cocotb.parametrize(drop=[False, True])
async def cyclic_ownership_check(dut, drop):
    """Cyclic mode with the ownership check: a descriptor whose Cmplt is still set is not
    reused; clearing Cmplt and a TAILDESC doorbell resumes into it."""
    n = 4
    tb, bufs, hi = await prepare(dut, n)
    descs = tb.write_chain(DESC_BASE, bufs, cyclic=True)
    await tb.write_reg("SGDMA_XCTRL", XC.OWNERSHIP.put(1) | XC.POLICY_DROP.put(int(drop)))
    lap1 = [pattern(SIZE, seed=i) for i in range(n)]
    extra = [pattern(SIZE, seed=40 + i) for i in range(2)]
    nxt = [pattern(SIZE, seed=50 + i) for i in range(2)]
    # engine order: the lap, then descriptors 0 and 1 again once handed back
    tb.expect(descs + descs[:2], bufs + bufs[:2], lap1 + (nxt if drop else extra))
    await tb.start(descs[0], DESC_BASE + 0x800, cyclic=True, irq=False)
    for p in lap1 + extra:
        await tb.send(p)
    await tb.wait_status(descs[-1])
    await ClockCycles(dut.axi_aclk, 300)
    xs = await tb.read_reg("SGDMA_XSTATUS")
    assert XS.RING_FULL.get(xs) == 1, f"XSTATUS {xs:#x}: ring must be full"
    for i in range(n):
        assert bytes(tb.mem[bufs[i][0]:bufs[i][0] + SIZE]) == lap1[i], f"buffer {i} overwritten while owned"
    if drop:
        assert await tb.read_counter("DROPPED_BYTES") == 2 * SIZE
    # Software consumes buffers 0 and 1, hands them back and rings the doorbell.
    tb.clear_status(descs[0])
    tb.clear_status(descs[1])
    await tb.write_addr("S2MM_TAILDESC", DESC_BASE + 0x800)
    if drop:
        for p in nxt:
            await tb.send(p)
    expect = nxt if drop else extra
    await tb.wait_status(descs[1])
    for i in range(2):
        assert bytes(tb.mem[bufs[i][0]:bufs[i][0] + SIZE]) == expect[i], f"buffer {i} after release"
    check_guards(tb, bufs, BUF_BASE, hi)


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import build_and_test, param_id, param_sets, selected_simulators  # noqa: E402

RF_PARAMS = param_sets([
    {},
    {"DATA_WIDTH": 128, "ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32},
])


@pytest.mark.parametrize("params", RF_PARAMS, ids=param_id)
@pytest.mark.parametrize("sim", selected_simulators())
def test_sgdma_ringfull(sim, params):
    build_and_test("test_sgdma_ringfull", sim, params)
