"""Fault campaign: every error source at every phase, plus resets at awkward moments.

Sources: SLVERR and DECERR on a descriptor fetch, a status write-back and a data write; phases:
the first, middle or last descriptor of the chain, and the first, middle or last beat of the
access.  For each the engine must not hang (watchdog), must not write outside a buffer (guard
bytes), must report the right error bits and CURDESC with every earlier descriptor complete,
and must recover with a soft reset.  Tail and cyclic mode and backpressure alternate over the
cases.  Driver-level recovery with every lost byte counted is in test_cosim.py.
"""
from __future__ import annotations

import itertools

import cocotb
import pytest
from cocotb.triggers import ClockCycles, ReadOnly

from sgdma_driver import regmap as rm
from sgdma_verif import fcov
from sgdma_verif.reference import s2mm_expected
from sgdma_verif.env import TB, pattern
from sgdma_verif.buffers import BUF_BASE, DESC_BASE, GUARD, check_buffers, check_guards, place_buffers

SR = rm.S2MM_DMASR
SOURCES = ("fetch", "status", "data")
RESPS = (("slv", rm.RESP_SLVERR), ("dec", rm.RESP_DECERR))
PHASES = ("first", "middle", "last")
CASES = [(s, r, dp, bp) for s, r, dp, bp in itertools.product(SOURCES, [x[0] for x in RESPS], PHASES, PHASES)]
N, SIZE = 6, 1000
EXPECT_BIT = {("fetch", "slv"): SR.SG_SLV_ERR, ("fetch", "dec"): SR.SG_DEC_ERR,
              ("status", "slv"): SR.SG_SLV_ERR, ("status", "dec"): SR.SG_DEC_ERR,
              ("data", "slv"): SR.DMA_SLV_ERR, ("data", "dec"): SR.DMA_DEC_ERR}


def _index(phase: str, n: int) -> int:
    return {"first": 0, "middle": n // 2, "last": n - 1}[phase]


def _inject(tb: TB, source: str, code: int, desc: int, buf: int, beat_phase: str) -> list[int]:
    """Arms one error response: on the descriptor fetch (the word at ``beat_phase`` of the
    descriptor at ``desc``), its STATUS write-back, or a data write (at ``beat_phase`` of the
    buffer at ``buf``). Returns the list that records the faulted access."""
    hits: list[int] = []

    def once(target: int, write: bool):
        def hook(a, n, w):
            if w == write and a <= target < a + n and not hits:
                hits.append(a)
                return code
            return 0
        return hook
    if source == "fetch":
        beats = 32 // (len(tb.dut.m_axi_sg_rdata) // 8)
        tb.sg_rd.fault = once(desc + (32 // beats) * _index(beat_phase, beats), False)
    elif source == "status":
        tb.sg_wr.fault = once(desc + rm.DESC_OFFSETS["status"], True)
    else:
        tb.data_wr.fault = once(buf + {"first": 0, "middle": SIZE // 2, "last": SIZE - 1}[beat_phase], True)
    return hits


async def _recover(tb: TB, descs: list[int], bufs, case_no: int) -> None:
    """Soft reset after the error, then the rest of the chain works."""
    await tb.soft_reset()
    assert await tb.read_reg("S2MM_DMASR") == SR.reset
    tb.reset_source()
    for d in descs:
        tb.clear_status(d)
    more = [pattern(SIZE, seed=100 + case_no), pattern(SIZE // 2, seed=200 + case_no)]
    await tb.start(descs[0], descs[1])
    for p in more:
        await tb.send(p)
    await tb.wait_status(descs[1])
    check_buffers(tb, descs, bufs, s2mm_expected(more, [SIZE] * 2))


@cocotb.test()
@cocotb.parametrize((("source", "resp", "desc_phase", "beat_phase"), CASES))
async def fault(dut, source, resp, desc_phase, beat_phase):
    case_no = CASES.index((source, resp, desc_phase, beat_phase))
    cyclic, backpressure = bool(case_no & 1), bool(case_no & 2)
    tb = TB(dut, mem_size=1 << 20)
    tb.set_backpressure(backpressure)
    await tb.reset()
    db = tb.bytes_per_beat
    bufs = place_buffers([SIZE] * N, [(3 * i) % db for i in range(N)])
    hi = bufs[-1][0] + 2048
    tb.fill(BUF_BASE, hi - BUF_BASE, GUARD)
    descs = tb.write_chain(DESC_BASE, bufs, cyclic=cyclic)
    k = _index(desc_phase, N)
    hits = _inject(tb, source, dict(RESPS)[resp], descs[k], bufs[k][0], beat_phase)
    data = pattern(SIZE * N, seed=case_no)
    await tb.start(descs[0], DESC_BASE + 0x800 if cyclic else descs[-1], cyclic=cyclic)
    await tb.send(data)
    # watchdog: the engine must halt with the error, not hang
    sr = await tb.wait_halted(timeout_cycles=200_000)
    assert hits, "the fault was not injected"
    bit = EXPECT_BIT[(source, resp)]
    errs = [f.name for f in rm.DMASR_ERROR_BITS if f.get(sr)]
    assert errs == [bit.name], f"DMASR {sr:#x}: {errs}, expected [{bit.name}]"
    assert SR.ERR_IRQ.get(sr), "Err_Irq"
    cur = await tb.read_reg("S2MM_CURDESC")
    assert cur == descs[k], f"CURDESC {cur:#x}, expected {descs[k]:#x}"
    expected = s2mm_expected([data], [SIZE] * N)
    check_buffers(tb, descs, bufs, expected[:k])     # every earlier descriptor completed
    assert await tb.read_counter("COMPLETED") == k
    for later in descs[k + 1:]:
        assert tb.status(later) == 0, "a descriptor after the fault was touched"
    st = tb.status(descs[k])
    if source == "data":
        sbit = rm.STATUS.DMA_SLV_ERR if resp == "slv" else rm.STATUS.DMA_DEC_ERR
        assert sbit.get(st) and not rm.STATUS.CMPLT.get(st), f"STATUS {st:#x}"
    else:
        assert st == 0, f"STATUS {st:#x} written for an SG error"
    check_guards(tb, bufs, BUF_BASE, hi)
    await _recover(tb, descs, bufs, case_no)
    fcov.sample_error(f"{source}_{resp}", backpressure, cyclic)


@cocotb.test()
@cocotb.parametrize(moment=[50, 200, 700, 1500])
async def hard_reset_mid_transfer(dut, moment):
    """axi_resetn in the middle of a transfer: every VALID drops (the checker watches), the
    registers return to reset values and the engine works again."""
    tb = TB(dut, mem_size=1 << 20)
    tb.set_backpressure(True)
    await tb.reset()
    bufs = place_buffers([4096] * 3, [1, 2, 3])
    hi = bufs[-1][0] + 8192
    tb.fill(BUF_BASE, hi - BUF_BASE, GUARD)
    descs = tb.write_chain(DESC_BASE, bufs)
    await tb.start(descs[0], descs[-1])
    await tb.send(pattern(4096 * 3, seed=moment))
    await ClockCycles(dut.axi_aclk, moment)
    dut.axi_resetn.value = 0
    await ClockCycles(dut.axi_aclk, 2)   # the first edge that samples reset low has passed
    await ReadOnly()
    mm2s = ("m_axi_mm2s_arvalid", "m_axis_mm2s_tvalid", "mm2s_introut") if tb.mm2s else ()
    for sig in ("m_axi_s2mm_awvalid", "m_axi_s2mm_wvalid", "m_axi_sg_arvalid", "m_axi_sg_awvalid",
                "m_axi_sg_wvalid", "s_axi_lite_bvalid", "s_axi_lite_rvalid", "s2mm_introut") + mm2s:
        assert int(getattr(dut, sig).value) == 0, f"{sig} high in reset"
    await ClockCycles(dut.axi_aclk, 4)
    dut.axi_resetn.value = 1
    await ClockCycles(dut.axi_aclk, 3)
    resets = rm.reset_values(mm2s=tb.mm2s)
    for reg in rm.REGISTERS:
        if reg.name not in ("SGDMA_CONFIG",):
            assert await tb.read_reg(reg.name) == resets[reg.name], f"{reg.name} after reset"
    check_guards(tb, bufs, BUF_BASE, hi)
    tb.reset_source()
    for d in descs:
        tb.clear_status(d)
    await tb.start(descs[0], descs[0])
    p = pattern(300, seed=1)
    await tb.send(p)
    await tb.wait_status(descs[0])
    check_buffers(tb, descs, bufs, s2mm_expected([p], [4096]))


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import build_and_test, param_id, param_sets, selected_simulators  # noqa: E402

# the S2MM campaign also on the two-channel build (INCLUDE_MM2S=1; its MM2S faults: test_faults_mm2s.py)
FAULT_PARAMS = param_sets([{}, {"DATA_WIDTH": 32, "SG_DATA_WIDTH": 32, "ADDR_WIDTH": 64}, {"INCLUDE_MM2S": 1}])


@pytest.mark.parametrize("params", FAULT_PARAMS, ids=param_id)
@pytest.mark.parametrize("sim", selected_simulators())
def test_faults(sim, params):
    build_and_test("test_faults", sim, params)
