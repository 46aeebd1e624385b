"""The MM2S channel of rtl/sgdma.v (INCLUDE_MM2S=1), through the top: registers at the PG021
offsets, tail-pointer and cyclic rings, halt and soft reset, data-read and descriptor-fetch
errors, and the loopback of random packets MM2S -> stream -> S2MM.

The stream side is the testbench's AxiStreamSink (random TREADY), or in the loopback tests a
beat-by-beat pipe into s_axis_s2mm with random backpressure on both sides; m_axi_mm2s reads
the same memory as every other port; the protocol checker watches every port, the new ones
included.  Every received byte is compared with the buffers' contents, every STATUS word with
what the channel must write back.
"""
from __future__ import annotations

import random

import cocotb
import pytest
from cocotb.triggers import ClockCycles

from sgdma_driver import regmap as rm
from sgdma_verif.buffers import BUF_BASE, DESC_BASE, GUARD, check_buffers, check_guards, place_buffers
from sgdma_verif.env import TB, pattern
from sgdma_verif.reference import s2mm_expected

CR, SR = rm.MM2S_DMACR, rm.MM2S_DMASR
ST = rm.STATUS
MEM = 1 << 22
TX_DESC = 0x200000          # MM2S descriptors
TX_BASE = 0x240000          # MM2S buffers
RX_DESC = DESC_BASE         # S2MM descriptors (loopback)
RX_BASE = BUF_BASE          # S2MM buffers (loopback)


def split_packets(rng: random.Random, sizes: list[int], max_chunk: int) -> tuple[list[int], list[tuple[bool, bool]]]:
    """Buffer lengths and (TXSOF, TXEOF) for packets of ``sizes`` bytes, each cut into random
    chunks of 1..max_chunk bytes."""
    lengths, frames = [], []
    for n in sizes:
        if n < 1:
            raise ValueError(f"packet size must be at least 1 byte, got {n}")
        left, first = n, True
        while left:
            c = min(left, rng.randint(1, max_chunk))
            left -= c
            lengths.append(c)
            frames.append((first, left == 0))
            first = False
    return lengths, frames


def tx_packets(tb: TB, bufs: list[tuple[int, int]], frames: list[tuple[bool, bool]]) -> list[bytes]:
    """The packets the stream must carry: each buffer's bytes in order, a packet closed by the
    buffer with TXEOF."""
    out, cur = [], bytearray()
    for (addr, n), (_, eof) in zip(bufs, frames):
        cur += tb.mem[addr:addr + n]
        if eof:
            out.append(bytes(cur))
            cur = bytearray()
    return out


async def setup(dut, backpressure=False, sink_stall=0.0, loopback=None) -> TB:
    tb = TB(dut, mem_size=MEM, loopback=loopback)
    tb.set_backpressure(backpressure)
    if sink_stall and loopback is None:
        tb.set_sink_backpressure(True, duty=sink_stall)
    await tb.reset()
    return tb


def place_tx(tb: TB, rng: random.Random, lengths: list[int], seed: int) -> list[tuple[int, int]]:
    db = tb.bytes_per_beat
    bufs = place_buffers(lengths, [rng.randrange(db) for _ in lengths], base=TX_BASE)
    for i, (addr, n) in enumerate(bufs):
        tb.mem[addr:addr + n] = pattern(n, seed=seed * 1000 + i)
    return bufs


def check_tx_status(tb: TB, descs: list[int], bufs: list[tuple[int, int]]) -> None:
    for i, (d, (_, n)) in enumerate(zip(descs, bufs)):
        st = tb.status(d)
        want = ST.CMPLT.put(1) | ST.LENGTH.put(n)
        assert st == want, f"MM2S descriptor {i}: STATUS {st:#010x}, expected {want:#010x}"


def check_received(got: list[bytes], want: list[bytes]) -> None:
    assert len(got) == len(want), f"{len(got)} packets received, expected {len(want)}"
    for i, (g, w) in enumerate(zip(got, want)):
        if g != w:
            first = next((k for k in range(min(len(g), len(w))) if g[k] != w[k]), min(len(g), len(w)))
            raise AssertionError(f"packet {i}: {len(g)} bytes received, {len(w)} expected; first difference "
                                 f"at byte {first}")


# ------------------------------------------------------------------------------ registers
@cocotb.test()
async def registers_at_pg021_offsets(dut):
    """MM2S_DMACR/DMASR/CURDESC/TAILDESC at 0x00-0x14: reset values, read/write, the low six
    address bits reading 0, CURDESC_MSB in 64-bit builds, DMASR write-1-to-clear bits that are
    clear staying clear, RS clearing Halted and RS=0 setting it; S2MM registers unaffected;
    SGDMA_CONFIG reports both channels."""
    tb = await setup(dut)
    for name in ("MM2S_DMACR", "MM2S_DMASR", "MM2S_CURDESC", "MM2S_CURDESC_MSB", "MM2S_TAILDESC",
                 "MM2S_TAILDESC_MSB"):
        got = await tb.read_reg(name)
        assert got == rm.REG[name].reset, f"{name}: {got:#010x}, expected {rm.REG[name].reset:#010x}"
    assert rm.REG["MM2S_DMACR"].offset == 0x00 and rm.REG["MM2S_TAILDESC_MSB"].offset == 0x14
    cfg = await tb.read_reg("SGDMA_CONFIG")
    assert rm.SGDMA_CONFIG.MM2S.get(cfg) == 1 and rm.SGDMA_CONFIG.S2MM.get(cfg) == 1, f"CONFIG {cfg:#x}"

    ctrl = CR.IOC_IRQ_EN.put(1) | CR.ERR_IRQ_EN.put(1) | CR.CYCLIC_BD_EN.put(1) | CR.IRQ_THRESHOLD.put(0x33) \
        | CR.IRQ_DELAY.put(0x7E)
    await tb.write_reg("MM2S_DMACR", ctrl)
    assert await tb.read_reg("MM2S_DMACR") == ctrl
    sr = await tb.read_reg("MM2S_DMASR")
    assert SR.IRQ_THRESHOLD_STS.get(sr) == 0x33, f"DMASR {sr:#x}: the coalescer must reload from DMACR"
    assert await tb.read_reg("S2MM_DMACR") == rm.S2MM_DMACR.reset, "an MM2S write changed S2MM_DMACR"
    await tb.write_reg("MM2S_DMACR", CR.reset)

    await tb.write_reg("MM2S_CURDESC", 0x12345678)
    assert await tb.read_reg("MM2S_CURDESC") == 0x12345640
    await tb.write_reg("MM2S_TAILDESC", 0x0000ABFF)
    assert await tb.read_reg("MM2S_TAILDESC") == 0x0000ABC0
    await tb.write_reg("MM2S_CURDESC_MSB", 0xDEADBEEF)
    assert await tb.read_reg("MM2S_CURDESC_MSB") == (0xDEADBEEF if tb.addr_width == 64 else 0)
    assert await tb.read_reg("S2MM_CURDESC") == 0 and await tb.read_reg("S2MM_TAILDESC") == 0
    await tb.write_reg("S2MM_CURDESC", 0x4000)
    assert await tb.read_reg("MM2S_CURDESC") == 0x12345640, "an S2MM write changed MM2S_CURDESC"

    await tb.write_reg("MM2S_DMASR", 0xFFFFFFFF)
    assert await tb.read_reg("MM2S_DMASR") == SR.reset

    await tb.write_reg("MM2S_DMACR", CR.RS.put(1))
    sr = await tb.read_reg("MM2S_DMASR")
    assert SR.HALTED.get(sr) == 0, f"MM2S_DMASR {sr:#x} still halted with RS=1"
    assert rm.S2MM_DMASR.HALTED.get(await tb.read_reg("S2MM_DMASR")) == 1, "S2MM started with MM2S"
    await tb.write_reg("MM2S_DMACR", 0)
    sr = await tb.mm2s_wait_halted()
    assert SR.HALTED.get(sr) == 1


# ------------------------------------------------------------------------------ rings
@cocotb.test()
@cocotb.parametrize(backpressure=[False, True])
async def tail_ring(dut, backpressure):
    """Tail-pointer mode: packets of 1 byte to several buffers at every alignment; the channel
    stops at TAILDESC (Idle, CURDESC = tail, IOC interrupt), a second doorbell moves the tail
    on; every byte, TLAST and STATUS word checked."""
    tb = await setup(dut, backpressure, sink_stall=0.3 if backpressure else 0.0)
    rng = random.Random(11)
    db = tb.bytes_per_beat
    sizes = [1, 2, db - 1, db, db + 1, 300, 4096, 5000, 3, 777, 2 * db + 5, 1500]
    lengths, frames = split_packets(rng, sizes, 1200)
    bufs = place_tx(tb, rng, lengths, seed=1)
    descs = tb.write_tx_chain(TX_DESC, bufs, frames)
    want = tx_packets(tb, bufs, frames)
    half = next(i for i, f in enumerate(frames) if f[1] and i >= len(frames) // 2)   # a packet end
    n_first = sum(1 for f in frames[:half + 1] if f[1])

    await tb.mm2s_start(descs[0], descs[half])
    got = await tb.recv_packets(n_first)
    await tb.wait_status(descs[half])
    await ClockCycles(dut.axi_aclk, 50)
    sr = await tb.read_reg("MM2S_DMASR")
    assert SR.IDLE.get(sr) == 1 and SR.HALTED.get(sr) == 0, f"DMASR {sr:#x}: expected Idle at the tail"
    assert SR.IOC_IRQ.get(sr) == 1 and int(dut.mm2s_introut.value) == 1
    assert int(dut.s2mm_introut.value) == 0, "the S2MM interrupt rose for MM2S completions"
    assert await tb.read_reg("MM2S_CURDESC") == descs[half]
    assert all(tb.status(d) == 0 for d in descs[half + 1:]), "descriptors past the tail were processed"
    await tb.write_reg("MM2S_DMASR", SR.IOC_IRQ.put(1))
    await ClockCycles(dut.axi_aclk, 3)
    assert int(dut.mm2s_introut.value) == 0, "IOC_IRQ write-1-to-clear did not drop mm2s_introut"

    await tb.write_addr("MM2S_TAILDESC", descs[-1])
    got += await tb.recv_packets(len(want) - n_first)
    await tb.wait_status(descs[-1])
    await ClockCycles(dut.axi_aclk, 20)
    check_received(got, want)
    check_tx_status(tb, descs, bufs)
    assert tb.sink.empty(), "bytes after the last packet"
    assert not tb.mm2s_rd.refused


@cocotb.test()
async def cyclic_ring(dut):
    """Cyclic mode: the ring of descriptors repeats (TAILDESC and Cmplt ignored) until RS=0;
    then the channel halts with nothing more on the stream."""
    tb = await setup(dut, backpressure=True, sink_stall=0.2)
    rng = random.Random(5)
    lengths = [333, 64, 1000, 7]
    frames = [(True, True)] * len(lengths)
    bufs = place_tx(tb, rng, lengths, seed=2)
    descs = tb.write_tx_chain(TX_DESC, bufs, frames, cyclic=True)
    one_lap = tx_packets(tb, bufs, frames)
    await tb.mm2s_start(descs[0], descs[0], cyclic=True)   # the tail is ignored in cyclic mode
    laps = 3
    got = await tb.recv_packets(laps * len(lengths) + 1)
    check_received(got[:laps * len(lengths)], one_lap * laps)
    assert got[-1] == one_lap[0]
    await tb.write_reg("MM2S_DMACR", 0)
    await tb.mm2s_wait_halted()
    check_tx_status(tb, descs, bufs)          # written back on every lap
    await ClockCycles(dut.axi_aclk, 50)
    tb.reset_sink()
    await ClockCycles(dut.axi_aclk, 500)
    assert tb.sink.empty(), "the halted channel still streams"


@cocotb.test()
async def halt_and_soft_reset(dut):
    """RS=0 in the middle of a chain halts the channel after what is in flight (the packets
    sent before are whole and correct, the descriptors completed are a prefix); MM2S_DMACR.Reset
    resets the whole engine (every register back to its reset value, both channels); the chain
    then runs again in full."""
    tb = await setup(dut, backpressure=True, sink_stall=0.5)
    rng = random.Random(3)
    lengths = [4000] * 8
    frames = [(True, True)] * len(lengths)
    bufs = place_tx(tb, rng, lengths, seed=3)
    descs = tb.write_tx_chain(TX_DESC, bufs, frames)
    want = tx_packets(tb, bufs, frames)
    await tb.write_reg("S2MM_DMACR", rm.S2MM_DMACR.IRQ_THRESHOLD.put(7))
    await tb.mm2s_start(descs[0], descs[-1])
    got = await tb.recv_packets(2)
    await tb.write_reg("MM2S_DMACR", 0)
    sr = await tb.mm2s_wait_halted()
    assert not any(f.get(sr) for f in rm.DMASR_ERROR_BITS), f"DMASR {sr:#x}: halt is not an error"
    done = [bool(ST.CMPLT.get(tb.status(d))) for d in descs]
    k = done.index(False) if False in done else len(done)
    assert 2 <= k < len(descs), f"{k} descriptors completed: the halt must stop the chain early"
    assert not any(done[k:]), "the completed descriptors must be a prefix of the chain"
    check_received(got, want[:2])
    check_tx_status(tb, descs[:k], bufs[:k])

    await tb.write_reg("MM2S_DMACR", CR.RESET.put(1))
    for _ in range(1000):
        if not CR.RESET.get(await tb.read_reg("MM2S_DMACR")):
            break
    else:
        raise AssertionError("soft reset did not complete")
    resets = rm.reset_values(mm2s=True)
    for reg in rm.REGISTERS:
        if reg.name not in ("SGDMA_CONFIG",) and not reg.name.endswith(("_LO", "_HI")):
            got_v = await tb.read_reg(reg.name)
            assert got_v == resets[reg.name], f"{reg.name} after the soft reset: {got_v:#010x}"

    tb.reset_sink()
    for d in descs:
        tb.clear_status(d)
    await tb.mm2s_start(descs[0], descs[-1])
    got = await tb.recv_packets(len(want))
    await tb.wait_status(descs[-1])
    check_received(got, want)
    check_tx_status(tb, descs, bufs)


@cocotb.test()
async def halt_at_every_phase(dut):
    """RS=0 at a sweep of clock phases while short buffers stream under random TREADY: a
    stream beat the channel has offered stays offered, unchanged, until TREADY takes it, even
    when the channel halts and flushes right after (the protocol checker fails the test on a
    TVALID withdrawn without TREADY); the channel halts every time with no error, and after a
    soft reset the chain runs again in full."""
    tb = await setup(dut)
    rng = random.Random(41)
    lengths = [rng.randint(1, 3 * tb.bytes_per_beat) for _ in range(24)]
    frames = [(True, True)] * len(lengths)
    bufs = place_tx(tb, rng, lengths, seed=41)
    descs = tb.write_tx_chain(TX_DESC, bufs, frames)
    for delay in range(10, 58):
        # memory and sink each always ready or randomly stalling, so that the halt meets
        # the stream both full and with gaps, reads in flight and all reads done
        tb.set_backpressure(delay % 3 == 2, seed=delay)
        stall = (0.0, 0.2, 0.5, 0.0)[delay % 4]
        tb.set_sink_backpressure(stall > 0, seed=delay, duty=stall or 0.3)
        for d in descs:
            tb.clear_status(d)
        tb.reset_sink()
        await tb.mm2s_start(descs[0], descs[-1])
        await ClockCycles(dut.axi_aclk, delay)
        await tb.write_reg("MM2S_DMACR", 0)
        sr = await tb.mm2s_wait_halted()
        assert not any(f.get(sr) for f in rm.DMASR_ERROR_BITS), f"RS=0 after {delay} clocks: DMASR {sr:#x}"
        await ClockCycles(dut.axi_aclk, 20)      # the sink drains what was offered
        await tb.soft_reset()
    tb.set_backpressure(True)
    tb.set_sink_backpressure(True, duty=0.3)
    for d in descs:
        tb.clear_status(d)
    tb.reset_sink()
    want = tx_packets(tb, bufs, frames)
    await tb.mm2s_start(descs[0], descs[-1])
    got = await tb.recv_packets(len(want))
    await tb.wait_status(descs[-1])
    check_received(got, want)
    check_tx_status(tb, descs, bufs)


# ------------------------------------------------------------------------------ errors
def _range_fault(lo: int, hi: int, resp: int, writes: bool):
    def fault(addr, length, is_write):
        return resp if (is_write == writes and addr < hi and addr + length > lo) else 0
    return fault


async def expect_mm2s_error(tb: TB, bit: rm.Field, desc: int) -> None:
    sr = await tb.mm2s_wait_halted()
    errs = [f.name for f in rm.DMASR_ERROR_BITS if f.get(sr)]
    assert errs == [bit.name], f"MM2S_DMASR {sr:#010x}: error bits {errs}, expected [{bit.name}]"
    assert SR.ERR_IRQ.get(sr) == 1
    await ClockCycles(tb.dut.axi_aclk, 2)
    assert int(tb.dut.mm2s_introut.value) == 1
    cur = await tb.read_reg("MM2S_CURDESC")
    assert cur == desc, f"MM2S_CURDESC {cur:#x}, expected the faulting descriptor {desc:#x}"
    assert CR.RS.get(await tb.read_reg("MM2S_DMACR")) == 0, "RS must clear on an error"
    s2 = await tb.read_reg("S2MM_DMASR")
    assert not any(f.get(s2) for f in rm.DMASR_ERROR_BITS), f"S2MM_DMASR {s2:#x}: the error is MM2S's"


async def recover(tb: TB, descs, bufs, frames) -> None:
    tb.mm2s_rd.fault = tb.sg_rd.fault = None
    await tb.soft_reset()
    assert await tb.read_reg("MM2S_DMASR") == SR.reset
    assert int(tb.dut.mm2s_introut.value) == 0
    tb.reset_sink()
    for d in descs:
        tb.clear_status(d)
    await tb.mm2s_start(descs[0], descs[-1])
    got = await tb.recv_packets(sum(1 for f in frames if f[1]))
    await tb.wait_status(descs[-1])
    check_received(got, tx_packets(tb, bufs, frames))
    check_tx_status(tb, descs, bufs)


@cocotb.test()
@cocotb.parametrize(resp=[rm.RESP_SLVERR, rm.RESP_DECERR])
async def data_read_error(dut, resp):
    """SLVERR/DECERR on a data read: DMASlvErr/DMADecErr, the failing descriptor's STATUS
    carries the error (no Cmplt), those before it complete, nothing after it is processed, the
    stream carries the packets before it intact; a soft reset recovers."""
    tb = await setup(dut, backpressure=True, sink_stall=0.2)
    rng = random.Random(8)
    lengths = [700] * 6
    frames = [(True, True)] * len(lengths)
    bufs = place_tx(tb, rng, lengths, seed=4)
    descs = tb.write_tx_chain(TX_DESC, bufs, frames)
    want = tx_packets(tb, bufs, frames)
    bad = 3
    tb.mm2s_rd.fault = _range_fault(bufs[bad][0] + 400, bufs[bad][0] + 401, resp, False)
    await tb.mm2s_start(descs[0], descs[-1])
    bit = SR.DMA_SLV_ERR if resp == rm.RESP_SLVERR else SR.DMA_DEC_ERR
    await expect_mm2s_error(tb, bit, descs[bad])
    got = await tb.recv_packets(bad)
    check_received(got, want[:bad])
    check_tx_status(tb, descs[:bad], bufs[:bad])
    st = tb.status(descs[bad])
    st_bit = ST.DMA_SLV_ERR if resp == rm.RESP_SLVERR else ST.DMA_DEC_ERR
    assert st_bit.get(st) and not ST.CMPLT.get(st), f"STATUS {st:#x} of the failing descriptor"
    assert ST.LENGTH.get(st) < lengths[bad], f"STATUS {st:#x}: more bytes than were sent"
    assert all(tb.status(d) == 0 for d in descs[bad + 1:]), "descriptors after the error were processed"
    assert tb.mm2s_rd.refused, "the fault was never hit"
    await recover(tb, descs, bufs, frames)


@cocotb.test()
@cocotb.parametrize(resp=[rm.RESP_SLVERR, rm.RESP_DECERR])
async def descriptor_fetch_error(dut, resp):
    """SLVERR/DECERR fetching an MM2S descriptor: SGSlvErr/SGDecErr, the descriptors before it
    complete and their packets are streamed, the faulting one is not written."""
    tb = await setup(dut, backpressure=True)
    rng = random.Random(9)
    lengths = [500, 20, 900, 64, 300]
    frames = [(True, True)] * len(lengths)
    bufs = place_tx(tb, rng, lengths, seed=5)
    descs = tb.write_tx_chain(TX_DESC, bufs, frames)
    want = tx_packets(tb, bufs, frames)
    bad = 3
    tb.sg_rd.fault = _range_fault(descs[bad], descs[bad] + 8, resp, False)
    await tb.mm2s_start(descs[0], descs[-1])
    bit = SR.SG_SLV_ERR if resp == rm.RESP_SLVERR else SR.SG_DEC_ERR
    await expect_mm2s_error(tb, bit, descs[bad])
    got = await tb.recv_packets(bad)
    check_received(got, want[:bad])
    check_tx_status(tb, descs[:bad], bufs[:bad])
    assert all(tb.status(d) == 0 for d in descs[bad:])
    await recover(tb, descs, bufs, frames)


# ------------------------------------------------------------------------------ loopback
async def loopback(dut, n_packets: int, seed: int, stall: float) -> None:
    tb = await setup(dut, backpressure=stall > 0,
                     loopback={"seed": seed, "mm2s_stall": stall, "s2mm_stall": stall})
    rng = random.Random(seed)
    rx_size = 1024
    sizes = [rng.choice([rng.randint(1, 16), rng.randint(1, rx_size), rng.randint(rx_size, 3 * rx_size + 100)])
             for _ in range(n_packets)]
    lengths, frames = split_packets(rng, sizes, 900)
    bufs = place_tx(tb, rng, lengths, seed=seed)
    tx_descs = tb.write_tx_chain(TX_DESC, bufs, frames)
    packets = tx_packets(tb, bufs, frames)
    assert [len(p) for p in packets] == sizes

    # S2MM: one buffer for each rx_size bytes of each packet (a packet starts a new buffer)
    rx_lengths = [rx_size] * sum(-(-n // rx_size) for n in sizes)
    rx_bufs = place_buffers(rx_lengths, [rng.randrange(tb.bytes_per_beat) for _ in rx_lengths], base=RX_BASE)
    hi = rx_bufs[-1][0] + rx_bufs[-1][1] + 256
    assert hi < TX_DESC
    tb.fill(RX_BASE, hi - RX_BASE, GUARD)
    rx_descs = tb.write_chain(RX_DESC, rx_bufs)
    expected = s2mm_expected(packets, rx_lengths)
    assert len(expected) == len(rx_descs)
    tb.expect(rx_descs, rx_bufs, packets)

    await tb.start(rx_descs[0], rx_descs[-1])
    await tb.mm2s_start(tx_descs[0], tx_descs[-1])
    await tb.wait_status(rx_descs[-1], timeout_cycles=2_000_000)
    await tb.wait_status(tx_descs[-1], timeout_cycles=10_000)
    await ClockCycles(dut.axi_aclk, 20)
    assert tb.loop.packets == n_packets, f"{tb.loop.packets} TLASTs on m_axis_mm2s, expected {n_packets}"
    assert tb.scoreboard.writebacks == len(expected)
    check_buffers(tb, rx_descs, rx_bufs, expected)
    check_guards(tb, rx_bufs, RX_BASE, hi)
    check_tx_status(tb, tx_descs, bufs)
    for reg in ("S2MM_DMASR", "MM2S_DMASR"):
        sr = await tb.read_reg(reg)
        assert not any(f.get(sr) for f in rm.DMASR_ERROR_BITS), f"{reg} {sr:#x}"
    assert tb.checker.violations == []


@cocotb.test()
async def loopback_random_packets(dut):
    """Acceptance: 64 packets of random lengths (1 byte to several buffers, cut into TX
    buffers of random size and alignment) MM2S -> stream -> S2MM with random backpressure on
    both streams and every AXI channel; every received byte, STATUS word and guard byte
    checked, on both channels."""
    await loopback(dut, 64, seed=21, stall=0.3)


@cocotb.test()
async def loopback_full_rate(dut):
    """The same loopback without any backpressure (both channels running together at full
    rate)."""
    await loopback(dut, 24, seed=22, stall=0.0)


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import build_and_test, full_matrix, param_id, selected_simulators  # noqa: E402

MM2S_PARAMS = [
    {"INCLUDE_MM2S": 1},
    {"INCLUDE_MM2S": 1, "DATA_WIDTH": 32, "ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32, "MAX_BURST_LEN": 8},
] + ([{"INCLUDE_MM2S": 1, "DATA_WIDTH": 128, "ADDR_WIDTH": 64, "MAX_BURST_LEN": 256, "MAX_OUTSTANDING": 16}]
     if full_matrix() else [])


@pytest.mark.parametrize("params", MM2S_PARAMS, ids=param_id)
@pytest.mark.parametrize("sim", selected_simulators())
def test_sgdma_mm2s(sim, params):
    build_and_test("test_sgdma_mm2s", sim, params)
