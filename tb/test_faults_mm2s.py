"""Fault campaign of the MM2S channel (INCLUDE_MM2S=1): every error source at every phase, and
malformed descriptors.

Sources: SLVERR and DECERR on a data read (m_axi_mm2s R) and on a descriptor fetch of the MM2S
chain (m_axi_sg R); phases: the first, middle or last descriptor of a chain of six (packets of
one to three buffers, so the fault may fall inside a packet spanning buffers), and the first,
middle or last beat of the access.  Malformed descriptors: a zero-length buffer (DMAIntErr), a
descriptor fetched with Cmplt already set (SGIntErr, tail mode), CONTROL.LENGTH with bits set
above the build's LEN_WIDTH (taken modulo 2**LEN_WIDTH, docs/registers.md: only the low
LEN_WIDTH bits are used; builds with LEN_WIDTH < 26), and NXTDESC with low address bits set (the
engine follows the 64-byte-aligned address; a decoy descriptor sits where a wrong rounding
would lead).  Tail and cyclic mode and backpressure (TREADY, AR, R, read latency) alternate.

Each case (sgdma_verif.mm2s_traffic.Mm2sRun) checks: the channel halts (watchdog) with exactly
the expected MM2S_DMASR error bit, Err_Irq and mm2s_introut, RS cleared, CURDESC on the
faulting descriptor; every STATUS write-back in order (the ones before the fault Cmplt with
their length, the failing data read's error bit with LENGTH = the bytes before the failed
beat, DMA_INT_ERR for the zero-length descriptor, none for SG errors); every STATUS word in
memory; every stream byte and TLAST as it is sent, and nothing from the faulting buffer beyond
the bytes before the failed beat (a packet left open is sent up to its last full beat, with no
TLAST); S2MM untouched; the protocol checker on every port.  Then a soft reset must bring
MM2S_DMASR and mm2s_introut back to reset and the same chain must run clean.
``checks_can_fail`` shows the checks firing on a corrupted byte and a wrong STATUS word.
"""
from __future__ import annotations

import itertools

import cocotb
import pytest
from cocotb.triggers import ClockCycles

from sgdma_driver import regmap as rm
from sgdma_verif import fcov
from sgdma_verif.env import TB
from sgdma_verif.mm2s_traffic import Mm2sRun, StreamScoreboard, spec_for_fault

SR = rm.MM2S_DMASR
N = 6
TX_DESC, TX_BUF = 0x100000, 0x140000
PHASES = {"first": 0.0, "middle": 0.5, "last": 1.0}
CASES = list(itertools.product(("data", "fetch"), ("slv", "dec"), PHASES, PHASES))
MALFORMED = [("zero_len", p) for p in PHASES] + [("sg_int", p) for p in PHASES]
WRAPS = list(PHASES)
LEN_WIDTH = int(cocotb.top.LEN_WIDTH.value) if cocotb.is_simulation else 26


def _desc_index(phase: str) -> int:
    return {"first": 0, "middle": N // 2, "last": N - 1}[phase]


async def _env(dut) -> tuple[TB, StreamScoreboard]:
    tb = TB(dut, mem_size=1 << 22)
    await tb.reset()
    return tb, StreamScoreboard(tb)


async def _run(tb: TB, sb: StreamScoreboard, spec) -> Mm2sRun:
    run = Mm2sRun(tb, spec, sb, TX_DESC, TX_BUF, watchdog=100_000, s2mm_idle=True)
    run.setup()
    await run.run()
    return run


def _assert_clean(run: Mm2sRun, what: str) -> None:
    r = run.res
    assert not r.hangs, f"{what}: the channel hung: {r.problems}"
    assert not r.mismatches, f"{what}: {r.mismatches} problems: {r.problems}"


async def _case(dut, fault: str, phase_desc: str, pos: float, case_no: int) -> None:
    """Case ``case_no``: its bit 0 selects cyclic mode (not for sg_int), bit 1 backpressure."""
    cyclic = bool(case_no & 1) and fault != "sg_int"
    backpressure = bool(case_no & 2)
    tb, sb = await _env(dut)
    spec = spec_for_fault(N, fault, _desc_index(phase_desc), pos, cyclic, backpressure, seed=100 + case_no)
    run = await _run(tb, sb, spec)
    _assert_clean(run, f"{fault} at the {phase_desc} descriptor")
    assert tb.checker.violations == []
    fcov.sample_mm2s(run)
    await _recover(tb, sb, spec, case_no)


async def _recover(tb: TB, sb: StreamScoreboard, spec, case_no: int) -> None:
    """Soft reset: MM2S back to its reset state; then the same chain, without the fault, runs
    clean (every byte, TLAST and STATUS word)."""
    tb.mm2s_rd.fault = tb.sg_rd.fault = None
    await tb.soft_reset()
    sr = await tb.read_reg("MM2S_DMASR")
    assert sr == SR.reset, f"MM2S_DMASR {sr:#010x} after the soft reset, expected {SR.reset:#010x}"
    await ClockCycles(tb.dut.axi_aclk, 2)
    assert int(tb.dut.mm2s_introut.value) == 0, "mm2s_introut high after the soft reset"
    tb.reset_sink()
    clean = spec_for_fault(N, None, 0, 0.0, False, bool(case_no & 2), seed=500 + case_no)
    run = await _run(tb, sb, clean)
    _assert_clean(run, "the run after the soft reset")


@cocotb.test()
@cocotb.parametrize((("source", "resp", "desc_phase", "beat_phase"), CASES))
async def read_fault(dut, source, resp, desc_phase, beat_phase):
    """SLVERR/DECERR on a data read or an MM2S descriptor fetch."""
    await _case(dut, f"{source}_{resp}", desc_phase, PHASES[beat_phase],
                CASES.index((source, resp, desc_phase, beat_phase)))


@cocotb.test()
@cocotb.parametrize((("kind", "desc_phase"), MALFORMED))
async def malformed_descriptor(dut, kind, desc_phase):
    """A zero-length descriptor (DMAIntErr, its STATUS DMA_INT_ERR) or one fetched with Cmplt
    set (SGIntErr, nothing written); the descriptors before it complete."""
    await _case(dut, kind, desc_phase, 0.0, len(CASES) + MALFORMED.index((kind, desc_phase)))


@cocotb.skipif(LEN_WIDTH >= rm.STATUS.LENGTH.width, reason="no CONTROL.LENGTH bits above LEN_WIDTH in this build")
@cocotb.test()
@cocotb.parametrize(desc_phase=WRAPS)
async def length_above_len_width(dut, desc_phase):
    """CONTROL.LENGTH bits above LEN_WIDTH set: the engine transfers the low LEN_WIDTH bits'
    length (no error), STATUS.LENGTH is that length."""
    await _case(dut, "len_wrap", desc_phase, 0.0, 101 + WRAPS.index(desc_phase))


@cocotb.test()
@cocotb.parametrize(cyclic=[False, True])
async def nxtdesc_misaligned(dut, cyclic):
    """NXTDESC with low address bits set: the engine follows the 64-byte-aligned address (a
    decoy descriptor with other bytes sits 64 bytes further on), no error, every byte right."""
    await _case(dut, "nxt_misaligned", "first", 0.0, 201 if cyclic else 202)


@cocotb.test()
async def cyclic_long_buffers(dut):
    """No fault: a cyclic ring of buffers of 4 KiB and more (a packet of two, one of one, and a
    short one), two laps under backpressure, stopped with RS=0; every byte, TLAST and STATUS
    write-back of each lap (the long-buffer bins of sgdma.mm2s.buffer in cyclic mode)."""
    tb, sb = await _env(dut)
    spec = spec_for_fault(4, None, 0, 0.0, True, True, seed=9, lengths=[5000, 4097, 6000, 300])
    spec.frames = [(True, False), (False, True), (True, True), (True, True)]
    run = await _run(tb, sb, spec)
    _assert_clean(run, "cyclic ring of long buffers")
    assert len(tb.mm2s_writebacks) >= 8 and tb.checker.violations == []
    fcov.sample_mm2s(run)


@cocotb.test()
async def checks_can_fail(dut):
    """The checks fire: one buffer byte changed after the expectations were taken (the stream
    scoreboard names the byte), and an expected STATUS word changed (the write-back check)."""
    tb, sb = await _env(dut)
    spec = spec_for_fault(N, None, 0, 0.0, False, True, seed=7)
    run = Mm2sRun(tb, spec, sb, TX_DESC, TX_BUF, watchdog=100_000, s2mm_idle=True)
    run.setup()
    addr, n = run.bufs[2]
    tb.mem[addr + n // 2] ^= 0x5A
    d, st = run.writebacks[4]
    run.writebacks[4] = (d, st ^ 1)
    await run.run()
    probs = run.res.problems
    assert any("mm2s scoreboard" in p and "descriptor 2" in p for p in probs), f"byte not caught: {probs}"
    assert any("write-back 4" in p for p in probs), f"STATUS not caught: {probs}"


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import build_and_test, param_id, param_sets, selected_simulators  # noqa: E402

FAULT_PARAMS = param_sets([
    {"INCLUDE_MM2S": 1},
    {"INCLUDE_MM2S": 1, "DATA_WIDTH": 32, "ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32, "MAX_BURST_LEN": 8, "LEN_WIDTH": 16},
])
FAULT_PARAMS = [dict(p, INCLUDE_MM2S=1) for p in FAULT_PARAMS]


@pytest.mark.parametrize("params", FAULT_PARAMS, ids=param_id)
@pytest.mark.parametrize("sim", selected_simulators())
def test_faults_mm2s(sim, params):
    build_and_test("test_faults_mm2s", sim, params)
