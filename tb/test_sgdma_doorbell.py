"""The TAILDESC doorbell of rtl/sgdma.v as PG021 software uses it.

- The first doorbell after a hard or soft reset with CURDESC = TAILDESC (one descriptor
  committed before the start, the bare-metal driver flow) processes exactly that descriptor.
- 64-bit address builds: the TAILDESC_MSB write is the doorbell and the low-word write only
  latches, so software writing the low word first (Linux ``lo_hi_writeq``, ``xaxidma``) works,
  also with a ring that straddles 4 GiB. 32-bit builds: the low-word write is the doorbell and
  the _MSB words read 0.
- A doorbell written in any clock around the fetch of the old tail (the same clock included)
  neither stalls the engine nor lets it run past the new tail; one that repeats the tail while
  the channel is busy only repositions the pause point (nothing more is fetched).
- A doorbell while the channel is Idle restarts fetching (PG021), so software that handed the
  whole ring back and writes the same TAILDESC again gets one more lap, not a stall.

Memory is pre-filled with a guard pattern; every test checks the buffers, STATUS words, the
descriptor reads on m_axi_sg and that no guard byte changed.
"""
from __future__ import annotations

import logging
import random
from dataclasses import dataclass

import cocotb
import pytest
from cocotb.triggers import ClockCycles, RisingEdge

from sgdma_driver import regmap as rm
from sgdma_verif import reference
from sgdma_verif.reference import s2mm_expected
from sgdma_verif.env import TB, OffsetPort, pattern

GUARD = 0xA5
MEM_SIZE = 1 << 17
DESC_OFF = 0x1000
BUF_OFF = 0x4000
FOUR_GIB = 1 << 32
SR = rm.S2MM_DMASR
ERR_BITS = (SR.DMA_INT_ERR.mask | SR.DMA_SLV_ERR.mask | SR.DMA_DEC_ERR.mask | SR.SG_INT_ERR.mask
            | SR.SG_SLV_ERR.mask | SR.SG_DEC_ERR.mask)


class Env:
    """A TB whose memory sits at bus address ``base``, with a log of descriptor reads."""

    def __init__(self, dut, base: int, mem_size: int = MEM_SIZE):
        mem = bytearray(mem_size)
        self.base = base
        self.tb = TB(dut, mem=mem, port=OffsetPort(mem, base))
        self.fetches: list[int] = []          # bus address of every m_axi_sg AR, in order
        orig = self.tb.sg_rd.ar_channel.recv

        async def spy():
            ar = await orig()
            self.fetches.append(int(ar.araddr))
            return ar
        self.tb.sg_rd.ar_channel.recv = spy

    def bus(self, off: int) -> int:
        return self.base + off

    def ring(self, desc_off: int, bufs: list[tuple[int, int]], stride: int = rm.DESC_SIZE) -> list[int]:
        """A ring (the last descriptor points to the first, as the driver model builds it) in
        tail mode; returns descriptor memory offsets."""
        return self.tb.write_chain(desc_off, bufs, cyclic=True, stride=stride, bus_base=self.base)

    async def settle_idle(self, what: str) -> None:
        """Some time for the engine to run ahead if it were going to; then Idle and no error."""
        await ClockCycles(self.tb.dut.axi_aclk, 300)
        sr = await self.tb.read_reg("S2MM_DMASR")
        assert not sr & ERR_BITS, f"{what}: DMASR {sr:#010x} has error bits"
        assert not SR.HALTED.get(sr), f"{what}: DMASR {sr:#010x}: halted"
        assert SR.IDLE.get(sr), f"{what}: DMASR {sr:#010x}: Idle expected at the tail"


def check_done(env: Env, descs: list[int], bufs: list[tuple[int, int]], expected, upto: int) -> None:
    """Descriptors 0..upto hold their expected data and STATUS; the later ones are untouched
    (STATUS 0, buffer still guard bytes)."""
    tb = env.tb
    for i, (addr, length) in enumerate(bufs):
        st = tb.status(descs[i])
        got = bytes(tb.mem[addr:addr + length])
        if i <= upto:
            exp = expected[i]
            assert st == exp.status, f"BD{i}: STATUS {st:#010x}, expected {exp.status:#010x}"
            assert got[:len(exp.data)] == exp.data, f"BD{i}: buffer does not hold its packet"
        else:
            assert st == 0, f"BD{i} after the tail: STATUS {st:#010x}, expected untouched (0)"
            assert got == bytes([GUARD]) * length, f"BD{i} after the tail: its buffer was written"


def check_guards(env: Env, bufs: list[tuple[int, int]], lo: int, hi: int) -> None:
    mask = bytearray(hi - lo)
    for addr, length in bufs:
        mask[addr - lo:addr - lo + length] = b"\x01" * length
    mem = env.tb.mem
    bad = [lo + i for i in range(hi - lo) if not mask[i] and mem[lo + i] != GUARD]
    assert not bad, f"{len(bad)} guard bytes overwritten, first at bus {env.bus(bad[0]):#x}"


def check_fetches(env: Env, descs: list[int], upto: int) -> None:
    """Descriptors 0..upto were each read once, in order, and nothing else."""
    want = [env.bus(d) for d in descs[:upto + 1]]
    got = env.fetches
    assert got == want, f"descriptor reads {[hex(a) for a in got]}, expected {[hex(a) for a in want]}"


# ------------------------------------------------------------------------------ (a) first doorbell
async def one_committed_descriptor(env: Env, desc_off: int, buf_off: int, seed: int) -> None:
    """CURDESC = BD0, RS = 1, TAILDESC = BD0 with BD1 and BD2 valid (non-zero lengths) but not
    committed: exactly BD0 completes and the channel is Idle; a doorbell to BD1 then completes
    BD1 alone."""
    tb = env.tb
    lengths = [256, 192, 128]
    bufs = reference.place_buffers(lengths, [0, 3, 5], buf_off, 96)
    lo, hi = buf_off, bufs[-1][0] + bufs[-1][1] + 256
    tb.fill(lo, hi - lo, GUARD)
    descs = env.ring(desc_off, bufs)
    packets = [pattern(n, seed=seed + i) for i, n in enumerate(lengths[:2])]
    expected = s2mm_expected(packets, lengths)
    env.fetches.clear()
    await tb.start(env.bus(descs[0]), env.bus(descs[0]))
    for p in packets:       # data for BD1 waits in the device: nothing may take it yet
        await tb.send(p)
    await tb.wait_status(descs[0], 20_000)
    await env.settle_idle("TAILDESC = CURDESC")
    check_done(env, descs, bufs, expected, 0)
    check_fetches(env, descs, 0)
    assert int(tb.dut.s_axis_s2mm_tready.value) == 0, "the stream must stall while BD1 is not committed"

    await tb.write_addr("S2MM_TAILDESC", env.bus(descs[1]))
    await tb.wait_status(descs[1], 20_000)
    await env.settle_idle("TAILDESC moved to BD1")
    check_done(env, descs, bufs, expected, 1)
    check_fetches(env, descs, 1)
    check_guards(env, bufs, lo, hi)
    assert await tb.read_reg("S2MM_TAILDESC") == env.bus(descs[1]) & 0xFFFFFFFF


@cocotb.test()
async def first_doorbell_stops_at_curdesc(dut):
    """After a hard reset and again after a soft reset (a new ring elsewhere), the first
    doorbell with TAILDESC = CURDESC honours that TAILDESC. In 64-bit builds the memory sits
    above 4 GiB, so both address words matter."""
    base = 0x3_4000_0000 if len(dut.m_axi_s2mm_awaddr) > 32 else 0x4000_0000
    env = Env(dut, base)
    await env.tb.reset()
    await one_committed_descriptor(env, DESC_OFF, BUF_OFF, seed=1)
    await env.tb.soft_reset()
    assert await env.tb.read_reg("S2MM_TAILDESC") == 0, "soft reset must clear TAILDESC"
    await one_committed_descriptor(env, DESC_OFF + 0x400, BUF_OFF + 0x4000, seed=11)


# ------------------------------------------------------------------------------ (b) write order
@cocotb.test()
async def doorbell_word_and_4gib_ring(dut):
    """64-bit builds: a ring straddling 4 GiB (descriptors at 0xFFFF_FF00.., buffers below and
    above), TAILDESC written low word then _MSB; the low word alone only latches (reads back,
    starts nothing). 32-bit builds: the low word is the doorbell, _MSB reads 0 and rings
    nothing."""
    aw = len(dut.m_axi_s2mm_awaddr)
    if aw > 32:
        await _ring_across_4gib(dut)
    else:
        await _doorbell_32(dut)


async def _ring_across_4gib(dut) -> None:
    base = FOUR_GIB - 0x10000
    env = Env(dut, base, mem_size=0x20000)
    tb = env.tb
    await tb.reset()
    n = 8
    desc_off = 0x10000 - 4 * rm.DESC_SIZE      # BD0-BD3 below 4 GiB, BD4-BD7 above
    lengths = [160 + 8 * i for i in range(n)]
    bufs = []
    for i, length in enumerate(lengths):
        region = 0x4000 if i % 2 == 0 else 0x14000   # even buffers below 4 GiB, odd above
        bufs.append((region + (i // 2) * 0x400 + i, length))
    tb.fill(0, len(tb.mem), GUARD)
    descs = env.ring(desc_off, bufs)
    assert env.bus(descs[3]) < FOUR_GIB <= env.bus(descs[4])
    assert env.bus(bufs[0][0]) < FOUR_GIB <= env.bus(bufs[1][0])
    packets = [pattern(n_, seed=40 + i) for i, n_ in enumerate(lengths)]
    expected = s2mm_expected(packets, lengths)

    await tb.start(env.bus(descs[0]), env.bus(descs[1]))
    for p in packets:
        await tb.send(p)
    await tb.wait_status(descs[1], 20_000)
    await env.settle_idle("tail BD1 (below 4 GiB)")
    check_done(env, descs, bufs, expected, 1)

    # across 4 GiB: the high word changes from 0 to 1
    await tb.write_addr("S2MM_TAILDESC", env.bus(descs[5]))
    await tb.wait_status(descs[5], 20_000)
    await env.settle_idle("tail BD5 (above 4 GiB)")
    check_done(env, descs, bufs, expected, 5)
    check_fetches(env, descs, 5)

    await _low_word_only_latches(env, descs, bufs, expected)
    await _back_below_4gib(env, descs, bufs, lengths)


async def _low_word_only_latches(env: Env, descs, bufs, expected) -> None:
    """The TAILDESC low word alone latches and starts nothing; the _MSB write rings."""
    tb = env.tb
    tail7 = env.bus(descs[7])
    await tb.write_reg("S2MM_TAILDESC", tail7 & 0xFFFFFFFF)
    await env.settle_idle("TAILDESC low word written, _MSB not yet")
    check_done(env, descs, bufs, expected, 5)
    check_fetches(env, descs, 5)
    assert await tb.read_reg("S2MM_TAILDESC") == tail7 & 0xFFFFFFFF, "low word reads back as written"
    await tb.write_reg("S2MM_TAILDESC_MSB", tail7 >> 32)
    await tb.wait_status(descs[7], 20_000)
    await env.settle_idle("tail BD7 after the _MSB write")
    check_done(env, descs, bufs, expected, 7)
    check_fetches(env, descs, 7)


async def _back_below_4gib(env: Env, descs, bufs, lengths) -> None:
    """The high word changes from 1 to 0: software hands BD0 back and rings for it."""
    tb, n = env.tb, len(descs)
    tb.clear_status(descs[0])
    tb.fill(bufs[0][0], bufs[0][1], GUARD)
    extra = pattern(lengths[0], seed=60)
    await tb.send(extra)
    await tb.write_addr("S2MM_TAILDESC", env.bus(descs[0]))
    await tb.wait_status(descs[0], 20_000)
    await env.settle_idle("tail BD0 again (below 4 GiB)")
    again = s2mm_expected([extra], lengths[:1])[0]
    assert tb.status(descs[0]) == again.status
    assert bytes(tb.mem[bufs[0][0]:bufs[0][0] + lengths[0]]) == again.data
    assert env.fetches == [env.bus(d) for d in descs] + [env.bus(descs[0])], \
        f"descriptor reads {[hex(a) for a in env.fetches]}"
    assert await tb.read_counter("COMPLETED") == n + 1
    check_guards(env, bufs[0::2], 0x4000, 0x5000)
    check_guards(env, bufs[1::2], 0x14000, 0x15000)


async def _doorbell_32(dut) -> None:
    env = Env(dut, 0x8000_0000)
    tb = env.tb
    await tb.reset()
    lengths = [128, 128, 128]
    bufs = reference.place_buffers(lengths, [0, 1, 2], BUF_OFF, 96)
    lo, hi = BUF_OFF, bufs[-1][0] + bufs[-1][1] + 256
    tb.fill(lo, hi - lo, GUARD)
    descs = env.ring(DESC_OFF, bufs)
    packets = [pattern(n, seed=70 + i) for i, n in enumerate(lengths)]
    expected = s2mm_expected(packets, lengths)
    await tb.start(env.bus(descs[0]), env.bus(descs[0]))
    for p in packets:
        await tb.send(p)
    await tb.wait_status(descs[0], 20_000)
    await env.settle_idle("tail BD0")
    await tb.write_reg("S2MM_TAILDESC_MSB", 0x1)
    await tb.write_reg("S2MM_CURDESC_MSB", 0x1)
    await env.settle_idle("_MSB written in a 32-bit build")
    check_fetches(env, descs, 0)
    check_done(env, descs, bufs, expected, 0)
    assert await tb.read_reg("S2MM_TAILDESC_MSB") == 0
    assert await tb.read_reg("S2MM_CURDESC_MSB") == 0
    await tb.write_reg("S2MM_TAILDESC", env.bus(descs[2]))
    await tb.wait_status(descs[2], 20_000)
    await env.settle_idle("tail BD2")
    check_done(env, descs, bufs, expected, 2)
    check_fetches(env, descs, 2)
    check_guards(env, bufs, lo, hi)


# ------------------------------------------------------------------------------ (c) doorbell timing
class Clocks:
    """Clock numbers of the doorbell write (AXI-Lite write handshake on the doorbell register)
    and of the m_axi_sg read issue of one descriptor (the clock before its ARVALID rises)."""

    def __init__(self, dut, doorbell_off: int):
        self.dut, self.off = dut, doorbell_off
        self.cycle = 0
        self.watch_addr: int | None = None
        self.doorbells: list[int] = []
        self.idle_at_doorbell: list[bool] = []   # DMASR.Idle in the clock of each doorbell write
        self.issues: list[int] = []
        cocotb.start_soon(self._run())

    async def _run(self) -> None:
        d = self.dut
        prev_ar = False
        while True:
            await RisingEdge(d.axi_aclk)
            c = self.cycle
            if (d.s_axi_lite_awvalid.value and d.s_axi_lite_wvalid.value and d.s_axi_lite_awready.value
                    and int(d.s_axi_lite_awaddr.value) == self.off):
                self.doorbells.append(c)
                self.idle_at_doorbell.append(bool(d.idle.value))
            ar = bool(d.m_axi_sg_arvalid.value)
            if ar and not prev_ar and self.watch_addr is not None \
                    and int(d.m_axi_sg_araddr.value) == self.watch_addr:
                self.issues.append(c - 1)
            prev_ar = ar and not d.m_axi_sg_arready.value
            self.cycle += 1


@dataclass
class SweepRun:
    """One run of the doorbell sweep: the doorbell ``delay`` clocks after the first one, the
    tail moved on by ``step`` descriptors (0: repeated)."""
    k: int
    delay: int
    step: int

    @property
    def what(self) -> str:
        return f"run {self.k}: delay {self.delay}, tail {'moved' if self.step else 'repeated'} (BD{OLD_TAIL + self.step})"


OLD_TAIL, SWEEP_DESCS = 2, 6


@cocotb.test()
async def doorbell_while_old_tail_is_fetched(dut):
    """TAILDESC is written again at a randomised delay that sweeps the write over the clocks
    in which the engine issues the read of the old tail (the same clock included); the new
    value moves the tail on (2 descriptors) or repeats it. Every run must end Idle exactly at
    the new tail: all descriptors up to it complete, none after it is read."""
    aw = len(dut.m_axi_s2mm_awaddr)
    env = Env(dut, 0x1_0000_0000 if aw > 32 else 0)
    clocks = Clocks(dut, rm.REG["S2MM_TAILDESC_MSB" if aw > 32 else "S2MM_TAILDESC"].offset)
    rng = random.Random(2024)
    runs = [(delay, step) for delay in range(0, 28) for step in (2, 0)]
    rng.shuffle(runs)
    offsets: dict[int, set[int]] = {2: set(), 0: set()}
    failures: list[str] = []
    restarted = 0          # repeated-tail runs whose write landed while the channel was Idle
    await env.tb.reset()
    for k, (delay, step) in enumerate(runs):
        outcome = await _sweep_run(env, clocks, SweepRun(k, delay, step))
        if outcome == "restarted":
            restarted += 1
        elif isinstance(outcome, str):
            failures.append(outcome)
        if isinstance(outcome, int):
            offsets[step].add(outcome)
    logging.getLogger("cocotb.sgdma.test").info("doorbell clock - old tail issue clock, seen: %s; repeated while Idle: %d runs",
                  {k: sorted(v) for k, v in offsets.items()}, restarted)
    assert not failures, f"{len(failures)} of {len(runs)} runs failed:\n" + "\n".join(failures)
    for step, seen in offsets.items():
        label = "moved" if step else "repeated"
        for want in (-1, 0, 1):
            assert want in seen, (f"tail {label}: no doorbell {want:+d} clock(s) from the old tail's "
                                  f"read issue (seen {sorted(seen)}); widen the delay range")


async def _sweep_run(env: Env, clocks: Clocks, run: SweepRun) -> int | str | None:
    """One sweep run. Returns the doorbell's clock offset from the old tail's read issue, or
    "restarted" (repeated while Idle: PG021's restart), or a failure message; None when the
    old tail's read was not seen exactly once (no offset to record)."""
    tb, dut = env.tb, env.tb.dut
    lengths = [64] * SWEEP_DESCS
    bufs = reference.place_buffers(lengths, [i % 4 for i in range(SWEEP_DESCS)], BUF_OFF, 64)
    lo, hi = BUF_OFF, bufs[-1][0] + bufs[-1][1] + 256
    if run.k % 2:
        await tb.soft_reset()
    else:
        await tb.reset()
        tb.reset_source()
    tb.fill(lo, hi - lo, GUARD)
    descs = env.ring(DESC_OFF, bufs)
    new_tail = OLD_TAIL + run.step
    packets = [pattern(64, seed=100 + run.k * SWEEP_DESCS + i) for i in range(SWEEP_DESCS)]
    expected = s2mm_expected(packets, lengths)
    env.fetches.clear()
    clocks.watch_addr = env.bus(descs[OLD_TAIL])
    clocks.doorbells.clear()
    clocks.idle_at_doorbell.clear()
    clocks.issues.clear()
    for p in packets:
        await tb.send(p)
    await tb.start(env.bus(descs[0]), env.bus(descs[OLD_TAIL]), irq=False)
    first_doorbell = clocks.doorbells[-1]
    await ClockCycles(dut.axi_aclk, run.delay)
    await tb.write_addr("S2MM_TAILDESC", env.bus(descs[new_tail]))
    if not run.step and clocks.idle_at_doorbell[-1]:
        # Repeated while Idle: PG021 restarts fetching (one more lap; see
        # full_lap_with_the_same_tail). Here the ring was not handed back, so only check
        # that the restart happened: the descriptor after the tail is read.
        await ClockCycles(dut.axi_aclk, 100)
        tb.reset_source()
        if env.bus(descs[OLD_TAIL + 1]) not in env.fetches:
            return f"{run.what}: written while Idle but the engine did not restart"
        return "restarted"
    failure = None
    try:
        try:
            await tb.wait_status(descs[new_tail], 5_000)
        except AssertionError:
            raise AssertionError(f"stalled, BD{new_tail} never completed "
                                 f"(reads {[hex(a) for a in env.fetches]})") from None
        await env.settle_idle(run.what)
        assert len(clocks.issues) == 1, f"old tail read issued {len(clocks.issues)} times"
        assert clocks.doorbells[:-1] == [first_doorbell], f"doorbells at {clocks.doorbells}"
        check_fetches(env, descs, new_tail)
        check_done(env, descs, bufs, expected, new_tail)
        check_guards(env, bufs, lo, hi)
    except AssertionError as e:
        rel = clocks.doorbells[-1] - clocks.issues[0] if clocks.issues else None
        failure = f"{run.what}, doorbell {rel} clock(s) from the old tail's read issue: {e}"
    tb.reset_source()     # the packets after the tail are still queued at the device
    if failure is not None:
        return failure
    return clocks.doorbells[-1] - clocks.issues[0] if len(clocks.issues) == 1 else None


# ------------------------------------------------------------------------------ (d) whole ring handed back
@cocotb.test()
async def full_lap_with_the_same_tail(dut):
    """Tail mode, the bare-metal ring flow: all descriptors up to TAILDESC complete and the
    channel is Idle; software processes every one, clears their STATUS and writes the same
    TAILDESC again. The engine restarts (PG021: a TAILDESC write while Idle restarts fetching)
    and runs exactly one more lap, to the same descriptor. Twice, so the restart is not a
    one-off; with the low-then-_MSB write order in 64-bit builds."""
    aw = len(dut.m_axi_s2mm_awaddr)
    env = Env(dut, 0x1_0000_0000 if aw > 32 else 0)
    tb = env.tb
    await tb.reset()
    n = 4
    lengths = [192] * n
    bufs = reference.place_buffers(lengths, [0, 2, 1, 3], BUF_OFF, 64)
    lo, hi = BUF_OFF, bufs[-1][0] + bufs[-1][1] + 256
    tb.fill(lo, hi - lo, GUARD)
    descs = env.ring(DESC_OFF, bufs)
    env.fetches.clear()
    tail = env.bus(descs[n - 1])
    for lap in range(3):
        packets = [pattern(lengths[i], seed=300 + lap * n + i) for i in range(n)]
        expected = s2mm_expected(packets, lengths)
        if lap:
            for d in descs:
                tb.clear_status(d)
            tb.fill(lo, hi - lo, GUARD)
        for p in packets:
            await tb.send(p)
        if lap == 0:
            await tb.start(env.bus(descs[0]), tail, irq=False)
        else:
            await tb.write_addr("S2MM_TAILDESC", tail)     # the same value as before
        try:
            await tb.wait_status(descs[n - 1], 20_000)
        except AssertionError:
            raise AssertionError(f"lap {lap}: stalled at the repeated tail "
                                 f"(reads {[hex(a) for a in env.fetches]})") from None
        await env.settle_idle(f"lap {lap}")
        check_done(env, descs, bufs, expected, n - 1)
        check_guards(env, bufs, lo, hi)
        want = [env.bus(d) for d in descs] * (lap + 1)
        assert env.fetches == want, f"lap {lap}: descriptor reads {[hex(a) for a in env.fetches]}"
        assert await tb.read_counter("COMPLETED") == n * (lap + 1)


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import build_and_test, param_id, param_sets, selected_simulators  # noqa: E402

DOORBELL_PARAMS = param_sets([
    {},
    {"DATA_WIDTH": 32, "ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32, "MAX_BURST_LEN": 8},
])


@pytest.mark.parametrize("params", DOORBELL_PARAMS, ids=param_id)
@pytest.mark.parametrize("sim", selected_simulators())
def test_sgdma_doorbell(sim, params):
    build_and_test("test_sgdma_doorbell", sim, params)
