"""The streaming scoreboard (sgdma_verif.scoreboard) fails a test at the moment it goes wrong.

Each test injects one fault into an otherwise correct run and expects a ``ScoreboardError``
whose failure was raised at the simulated time of the faulty event (not at the end of the
test), naming that time, the descriptor (index and address), the address and the expected and
actual values: one wrong byte corrupted on its way into a buffer, one wrong STATUS word, a
spurious IOC interrupt, a write outside every buffer and a byte left out of a write (strobe 0).
A test whose fault goes unnoticed ends normally and cocotb reports it as failed.
"""
from __future__ import annotations

import cocotb
import pytest
from cocotb.triggers import ClockCycles, RisingEdge
from cocotb.utils import get_sim_time

from sgdma_driver import regmap as rm
from sgdma_verif.buffers import BUF_BASE, DESC_BASE, GUARD, place_buffers
from sgdma_verif.env import CLK_NS, TB, pattern
from sgdma_verif.scoreboard import ScoreboardError, chain_of

N, SIZE, VICTIM = 6, 256, 3
#: what the running test injected, for the check made once cocotb has the test's exception
INJECTED: dict = {}


def _raised_at_injection(kind: str, *texts: str):
    """A check on the ScoreboardError: raised when the fault happened, with the message naming
    time, descriptor, address, expected and actual as recorded at injection."""
    def check(exc: BaseException) -> bool:
        f, inj = exc.failure, INJECTED
        at = inj["time_ns"]
        if "window_ns" in inj and at < f.time_ns <= at + inj["window_ns"]:
            at = f.time_ns    # an edge that follows the injection by a clock or two
        want = [f"{at:.0f} ns", f"descriptor {inj['desc']} ({inj['desc_addr']:#x})",
                f"address {inj['addr']:#x}", f"expected {inj['expected']}", f"actual {inj['actual']}", *texts]
        problems = [f"message lacks {w!r}" for w in want if w not in f.message]
        if f.kind != kind:
            problems.append(f"kind {f.kind}, expected {kind}")
        if not (f.time_ns == exc.raised_ns == at):
            problems.append(f"failed at {f.time_ns} ns, raised at {exc.raised_ns} ns, "
                            f"fault at {inj['time_ns']} ns")
        if problems:
            cocotb.log.error("scoreboard failure %r: %s", f.message, "; ".join(problems))
        return not problems
    return check


def _expect(kind: str, *texts: str) -> tuple[pytest.RaisesExc]:
    return (pytest.RaisesExc(ScoreboardError, check=_raised_at_injection(kind, *texts)),)


async def _prepare(dut):
    INJECTED.clear()
    tb = TB(dut, mem_size=1 << 20)
    await tb.reset()
    bufs = place_buffers([SIZE] * N, [i % tb.bytes_per_beat for i in range(N)])
    tb.fill(BUF_BASE, bufs[-1][0] + 1024 - BUF_BASE, GUARD)
    descs = tb.write_chain(DESC_BASE, bufs)
    packets = [pattern(SIZE - 5 * i, seed=i) for i in range(N)]
    return tb, descs, bufs, packets


async def _run(tb: TB, descs, packets) -> None:
    """The whole run; only reached to the end if the scoreboard missed the fault."""
    await tb.start(descs[0], descs[-1])
    for p in packets:
        await tb.send(p)
    await tb.wait_status(descs[-1])
    await ClockCycles(tb.dut.axi_aclk, 50)


def _record(**kw) -> None:
    INJECTED.update(time_ns=get_sim_time("ns"), **kw)


@cocotb.test(expect_error=_expect("data"))
async def wrong_byte_fails_at_its_write(dut):
    """One byte of buffer VICTIM is corrupted on its way into memory."""
    tb, descs, bufs, packets = await _prepare(dut)
    target = bufs[VICTIM][0] + 77

    def corrupt(addr: int, data: bytes) -> bytes:
        if INJECTED or not addr <= target < addr + len(data):
            return data
        k = target - addr
        bad = data[k] ^ 0x5A
        _record(desc=VICTIM, desc_addr=descs[VICTIM], addr=target, expected=f"{data[k]:#04x}", actual=f"{bad:#04x}")
        return data[:k] + bytes([bad]) + data[k + 1:]
    tb.data_wr.corrupt = corrupt
    tb.expect(descs, bufs, packets)
    await _run(tb, descs, packets)


@cocotb.test(expect_error=_expect("status", "STATUS"))
async def wrong_status_fails_at_its_writeback(dut):
    """The STATUS write-back of descriptor VICTIM has its LENGTH changed on the way."""
    tb, descs, bufs, packets = await _prepare(dut)
    target = descs[VICTIM] + rm.DESC_OFFSETS["status"]

    def corrupt(addr: int, data: bytes) -> bytes:
        if addr != target or INJECTED:
            return data
        value = int.from_bytes(data[:4], "little")
        bad = value ^ rm.STATUS.LENGTH.put(1)
        _record(desc=VICTIM, desc_addr=descs[VICTIM], addr=target, expected=f"{value:#010x}", actual=f"{bad:#010x}")
        return bad.to_bytes(4, "little") + data[4:]
    tb.sg_wr.corrupt = corrupt
    tb.expect(descs, bufs, packets)
    await _run(tb, descs, packets)


@cocotb.test(expect_error=_expect("interrupt", "unexpected interrupt"))
async def spurious_interrupt_fails_at_its_edge(dut):
    """IOC_Irq forced in the interrupt block after two completions (threshold 3, no delay):
    nothing explains the interrupt."""
    tb, descs, bufs, packets = await _prepare(dut)
    tb.expect(descs, bufs, packets)
    await tb.start(descs[0], descs[-1], threshold=3)
    for p in packets[:2]:
        await tb.send(p)
    await tb.wait_status(descs[1])
    await ClockCycles(dut.axi_aclk, 20)
    assert int(dut.s2mm_introut.value) == 0, "no interrupt expected before the forced one"
    # s2mm_introut is registered: it rises at the first or second clock edge after the force
    _record(desc=1, desc_addr=descs[1], addr=descs[1] + rm.DESC_OFFSETS["status"],
            expected="at most 0 interrupt(s)", actual="interrupt 1", window_ns=2 * CLK_NS)
    dut.u_irq.ioc_irq.value = 1
    await RisingEdge(dut.s2mm_introut)
    await ClockCycles(dut.axi_aclk, 20)


@cocotb.test(expect_error=_expect("data", "write outside every buffer"))
async def write_outside_buffers_fails(dut):
    """The scoreboard is told buffer VICTIM lies 0x400 further on: the engine's first write to
    the real buffer is outside every buffer it expects."""
    tb, descs, bufs, packets = await _prepare(dut)
    told = list(bufs)
    told[VICTIM] = (bufs[VICTIM][0] + 0x400, SIZE)
    real = bufs[VICTIM][0]

    def spy(addr: int, data: bytes) -> bytes:
        if addr == real and not INJECTED:
            _record(desc=VICTIM, desc_addr=descs[VICTIM], addr=real,
                    expected=f"{packets[VICTIM][0]:#04x} at {told[VICTIM][0]:#x}",
                    actual=f"{data[0]:#04x} written at {real:#x}")
        return data
    tb.data_wr.corrupt = spy
    tb.expect(descs, told, packets)
    await _run(tb, descs, packets)


@cocotb.test(expect_error=_expect("data", "strobe 0"))
async def skipped_byte_fails(dut):
    """The monitor is shown one beat of buffer VICTIM without its first byte, as if that
    lane's WSTRB were 0: the byte is reported missing at that beat."""
    tb, descs, bufs, packets = await _prepare(dut)
    db = tb.bytes_per_beat
    target = (bufs[VICTIM][0] + 40) // db * db    # a whole beat inside the buffer
    monitor = tb.data_wr.monitor

    def drop_lane(addr: int, data: bytes) -> None:
        if addr == target and not INJECTED:
            _record(desc=VICTIM, desc_addr=descs[VICTIM], addr=target, expected=f"{data[0]:#04x}",
                    actual="not written")
            monitor(addr + 1, data[1:])
        else:
            monitor(addr, data)
    tb.data_wr.monitor = drop_lane
    tb.expect(descs, bufs, packets)
    await _run(tb, descs, packets)


@cocotb.test()
async def clean_run_passes(dut):
    """The same run without a fault: the scoreboard checks every write-back and stays quiet."""
    tb, descs, bufs, packets = await _prepare(dut)
    tb.expect(descs, bufs, packets)
    await _run(tb, descs, packets)
    assert tb.scoreboard.failure is None and tb.scoreboard.writebacks == N
    assert chain_of(descs, bufs)[VICTIM].buf == bufs[VICTIM][0]


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import build_and_test, param_id, param_sets, selected_simulators  # noqa: E402

SB_PARAMS = param_sets([
    {},
    {"DATA_WIDTH": 32, "ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32},
])


@pytest.mark.parametrize("params", SB_PARAMS, ids=param_id)
@pytest.mark.parametrize("sim", selected_simulators())
def test_scoreboard(sim, params):
    build_and_test("test_scoreboard", sim, params)
