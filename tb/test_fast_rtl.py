"""The fast RTL harness (sgdma_verif.fast_rtl): rtl/sgdma.v verilated with C++ bus models.

A tail-mode ring of misaligned buffers filled by packets, every byte and STATUS word checked
against sgdma_verif.reference and every guard byte around the buffers unchanged; the same
under backpressure, idle stream clocks and B/R latency; interrupts, an injected SLVERR, the
page table's refusal, the harness's protocol checker catching a planted violation, and the
library cache, an FST trace; on the two-channel build, MM2S chains (every packet and STATUS,
under sink and read backpressure and read latency) and a data-read error.  Plain pytest (no
cocotb): the clock runs in C++.
"""
from __future__ import annotations

import numpy as np
import pytest

from sgdma_driver import regmap as rm
from sgdma_verif import fast_rtl
from sgdma_verif import mm2s_equivalence as tx
from sgdma_verif.axi_checker import ProtocolError
from sgdma_verif.fast_rtl import FastRtl
from sgdma_verif.reference import place_buffers, s2mm_expected

GUARD = 0xA5
DESC_BASE, BUF_BASE = 0x1000, 0x10000
CR, SR = rm.S2MM_DMACR, rm.S2MM_DMASR
LENGTHS = [100, 64, 4096, 1000, 13, 8, 777, 2048]
OFFSETS = [0, 3, 5, 7, 1, 6, 2, 4]
PACKETS = [150, 64 + 4000, 1000, 13 + 8, 700, 77 + 2048]


@pytest.fixture(scope="module")
def library():
    return fast_rtl.build()


def _status(mem: np.ndarray, desc: int) -> int:
    off = desc + rm.DESC_OFFSETS["status"]
    return int.from_bytes(mem[off:off + 4].tobytes(), "little")


def _ring(f: FastRtl, mem: np.ndarray, lengths: list[int], offsets: list[int]):
    bufs = place_buffers(lengths, offsets, BUF_BASE, 96)
    descs = [DESC_BASE + i * rm.DESC_SIZE for i in range(len(bufs))]
    recs = rm.descriptors(bufs, descs[1:] + [descs[-1] + rm.DESC_SIZE])
    for a, r in zip(descs, recs):
        mem[a:a + rm.DESC_SIZE] = np.frombuffer(r.tobytes(), np.uint8)
    return bufs, descs


def _start(f: FastRtl, descs: list[int], threshold: int = 1) -> None:
    f.write_reg(rm.REG["S2MM_CURDESC"].offset, descs[0])
    f.write_reg(CR.offset, CR.RS.put(1) | CR.IRQ_THRESHOLD.put(threshold) | CR.IOC_IRQ_EN.put(1)
                | CR.ERR_IRQ_EN.put(1))
    f.write_reg(rm.REG["S2MM_TAILDESC"].offset, descs[-1])


def _check(mem: np.ndarray, bufs, descs, packets: list[bytes]) -> int:
    expected = s2mm_expected(packets, [n for _, n in bufs])
    assert len(expected) == len(bufs)
    for i, exp in enumerate(expected):
        addr, _ = bufs[i]
        got = mem[addr:addr + len(exp.data)].tobytes()
        assert got == exp.data, f"descriptor {i}: buffer {addr:#x} holds other bytes than the stream's"
        assert _status(mem, descs[i]) == exp.status, \
            f"descriptor {i}: STATUS {_status(mem, descs[i]):#010x}, expected {exp.status:#010x}"
    mask = np.zeros(len(mem), bool)
    for addr, n in bufs:
        mask[addr:addr + n] = True
    lo, hi = BUF_BASE, bufs[-1][0] + bufs[-1][1] + 256
    bad = np.flatnonzero(~mask[lo:hi] & (mem[lo:hi] != GUARD))
    assert not bad.size, f"{bad.size} guard bytes overwritten, first at {lo + bad[0]:#x}"
    return len(expected)


def _packets(seed: int) -> list[bytes]:
    rng = np.random.default_rng(seed)
    return [rng.integers(0, 256, n, dtype=np.uint8).tobytes() for n in PACKETS]


@pytest.mark.parametrize("traffic", ["smooth", "paced", "idle+backpressure+latency"])
def test_tail_ring_every_byte(library, traffic):
    mem = np.full(1 << 20, GUARD, dtype=np.uint8)
    f = FastRtl(memory=mem)
    if traffic == "paced":
        f.set_rate(0.37)
    elif traffic != "smooth":
        f.set_rate(idle=0.3, seed=5)
        for i, ch in enumerate(fast_rtl.CHANNELS):
            f.set_backpressure(ch, 0.3, seed=i + 1)
        f.set_latency(b=17, sg_b=5, r=9)
    f.reset()
    assert rm.REG["SGDMA_ID"].MAGIC.get(f.read_reg(rm.REG["SGDMA_ID"].offset)) == 0x5347
    bufs, descs = _ring(f, mem, LENGTHS, OFFSETS)
    _start(f, descs, threshold=len(descs))
    packets = _packets(3)
    for p in packets:
        f.push_stream(p)
    assert f.run_until_irq(200_000), "no interrupt after the whole ring"
    assert _check(mem, bufs, descs, packets) == len(LENGTHS)
    sr = f.read_reg(SR.offset)
    assert SR.IOC_IRQ.get(sr) and not SR.ERR_IRQ.get(sr)
    snap = f.snapshot()
    written = sum(len(e.data) for e in s2mm_expected(packets, LENGTHS))
    assert snap["w_bytes"] == written and snap["sent_beats"] * 8 >= written
    assert snap["irq_rises"] == 1 and snap["violations"] == 0 and snap["refused"] == 0
    if traffic != "smooth":
        assert snap["stream_stalls"] + snap["w_stalls"] > 0 or traffic == "paced"
    f.close()


def test_interrupt_per_buffer_and_ack(library):
    mem = np.full(1 << 20, GUARD, dtype=np.uint8)
    f = FastRtl(memory=mem)
    f.reset()
    bufs, descs = _ring(f, mem, [512] * 4, [0] * 4)
    _start(f, descs, threshold=1)
    f.push_stream(bytes(range(256)) * 8)
    seen = 0
    while f.run_until_irq(20_000):
        seen += 1
        sr = f.read_reg(SR.offset)
        f.write_reg(SR.offset, sr & SR.IOC_IRQ.mask)
        if seen == 8:
            break
    assert seen >= 1 and f.counter("irq_rises") == seen
    assert all(rm.STATUS.CMPLT.get(_status(mem, d)) for d in descs)


def test_injected_slverr_reaches_status(library):
    mem = np.full(1 << 20, GUARD, dtype=np.uint8)
    f = FastRtl(memory=mem)
    f.reset()
    bufs, descs = _ring(f, mem, [1024, 1024], [0, 0])
    f.add_fault(bufs[1][0] + 256, bufs[1][0] + 264, reads=False, writes=True, resp=2)
    _start(f, descs, threshold=2)
    f.push_stream(bytes(2048))
    f.run(20_000)
    sr = f.read_reg(SR.offset)
    assert SR.ERR_IRQ.get(sr) and SR.DMA_SLV_ERR.get(sr), f"DMASR {sr:#x} shows no slave error"
    assert f.counter("refused") >= 1
    assert rm.STATUS.CMPLT.get(_status(mem, descs[0]))


def test_page_table_translates_and_refuses(library):
    mem = np.full(1 << 20, GUARD, dtype=np.uint8)
    f = FastRtl(memory=mem)
    # bus pages 0x80000.. map to physical pages in reverse order; page 3 is read-only
    table = np.array([((15 - i) << 2) | (1 if i == 3 else 3) for i in range(16)], dtype=np.int64)
    f.set_page_table(table, base_pfn=0x80000)
    f.reset()
    bus = 0x8000_0000
    recs = rm.descriptors([(bus + 0x2000, 4096), (bus + 0x3000, 4096)], [bus + 0x40, bus + 0x80])
    phys0 = 15 * 4096
    mem[phys0:phys0 + 2 * rm.DESC_SIZE] = np.frombuffer(recs.tobytes(), np.uint8)
    f.write_reg(rm.REG["S2MM_CURDESC"].offset, bus)
    f.write_reg(CR.offset, CR.RS.put(1) | CR.IRQ_THRESHOLD.put(2) | CR.IOC_IRQ_EN.put(1) | CR.ERR_IRQ_EN.put(1))
    f.write_reg(rm.REG["S2MM_TAILDESC"].offset, bus + 0x40)
    data = np.random.default_rng(9).integers(0, 256, 8192, dtype=np.uint8)
    f.push_stream(data)
    f.run(20_000)
    assert np.array_equal(mem[13 * 4096:14 * 4096], data[:4096]), "bus page 2 is physical page 13"
    assert (mem[12 * 4096:13 * 4096] == GUARD).all(), "a write to a read-only page landed"
    refused = f.take_refused()
    assert refused and all(w and bus + 0x3000 <= a < bus + 0x4000 for a, w in refused)
    assert SR.DMA_SLV_ERR.get(f.read_reg(SR.offset))


def test_checker_catches_a_planted_violation(library):
    f = FastRtl(memory=np.zeros(1 << 16, np.uint8))
    f.reset()
    f.run(10)
    f.plant_violation()        # a B response with no write burst on m_axi_s2mm
    with pytest.raises(ProtocolError, match="B response before the last W beat"):
        f.run(10)


def test_bad_options_are_named(library):
    f = FastRtl(memory=np.zeros(4096, np.uint8))
    with pytest.raises(ValueError, match="rate 0"):
        f.set_rate(0)
    with pytest.raises(ValueError, match="'s2mm_x'"):
        f.set_backpressure("s2mm_x", 0.1)
    with pytest.raises(ValueError, match="writable, contiguous"):
        f.set_memory(np.zeros(16, np.uint16))
    with pytest.raises(ValueError, match="DATA_WIDTH=128"):
        fast_rtl.check_parameters({"DATA_WIDTH": 128})


def test_library_is_cached(library):
    again = fast_rtl.build()
    assert again.cached and again.library == library.library and library.library.exists()


def test_fst_trace(tmp_path):
    """FastRtl(trace=path) builds the traced library and writes an FST waveform of the run."""
    path = tmp_path / "fast.fst"
    mem = np.full(1 << 20, GUARD, dtype=np.uint8)
    f = FastRtl(memory=mem, trace=path)
    f.reset()
    bufs, descs = _ring(f, mem, [256, 256], [0, 3])
    _start(f, descs, threshold=2)
    f.push_stream(bytes(range(256)) * 2)
    assert f.run_until_irq(5_000)
    f.close()
    data = path.read_bytes()
    assert len(data) > 1000 and data[0] == 0, "no FST header block"     # FST_BL_HDR
    assert f.built.library.parent.name.endswith("_trace")


# ------------------------------------------------------------------------------ MM2S
@pytest.fixture(scope="module")
def library_mm2s():
    return fast_rtl.build(tx.PARAMS)


def test_mm2s_chain_every_byte(library_mm2s):
    """An MM2S chain of packets over misaligned buffers: every packet received on m_axis_mm2s
    is its buffers' bytes, every STATUS Cmplt with the buffer's length, the harness's checker
    (MM2S rules included) sees no violation; the same with TREADY, ARREADY and R gaps and a
    20-clock read latency, which take longer."""
    def make(m, slow: bool):
        f = FastRtl(tx.PARAMS, memory=m)
        if slow:
            f.set_sink_backpressure(0.4, seed=3)
            f.set_backpressure("mm2s_ar", 0.3, seed=4)
            f.set_backpressure("mm2s_r", 0.3, seed=5)
            f.set_latency(mm2s_r=20)
        return f

    cell = tx.Cell(seed=11, packets=8, max_chunk=900, threshold=2)
    p = tx.plan(cell, 8)
    want = [rm.STATUS.CMPLT.put(1) | rm.STATUS.LENGTH.put(n) for _, n in p.buffers]
    cycles = []
    for slow in (False, True):
        obs = tx.run_fast(cell, lambda m: make(m, slow))
        assert obs["ok"], f"slow={slow}: the packets received differ from the buffers' bytes"
        assert obs["packet_sizes"] == [len(x) for x in p.packets()]
        assert obs["statuses"] == want, f"slow={slow}: STATUS words"
        assert obs["interrupts"] > 0 and not SR.ERR_IRQ.get(obs["dmasr"])
        cycles.append(obs["cycles"])
    assert cycles[1] > cycles[0] * 1.3, f"backpressure and latency did not slow the chain: {cycles}"


def test_mm2s_read_error_halts_with_its_status(library_mm2s):
    """SLVERR on one buffer's read: MM2S_DMASR DMASlvErr and Halted, the descriptors before it
    complete, its STATUS carries the error, the stream stops before its bytes' end."""
    mem = np.zeros(tx.MEM_SIZE, dtype=np.uint8)
    f = FastRtl(tx.PARAMS, memory=mem)
    cell = tx.Cell(seed=12, packets=5, max_chunk=500, threshold=1)
    p = tx.plan(cell, f.data_bytes)
    tx.load(mem, p)
    bad = 4
    addr, n = p.buffers[bad]
    f.add_fault(addr, addr + n, reads=True, writes=False, resp=2)
    f.reset()
    f.write_reg(rm.REG["MM2S_CURDESC"].offset, p.descs[0])
    f.write_reg(rm.MM2S_DMACR.offset, rm.MM2S_DMACR.RS.put(1) | rm.MM2S_DMACR.ERR_IRQ_EN.put(1))
    f.write_reg(rm.REG["MM2S_TAILDESC"].offset, p.descs[-1])
    assert f.run_until_mm2s_irq(100_000), "no error interrupt"
    f.run(200)
    sr = f.read_reg(rm.MM2S_DMASR.offset)
    assert rm.MM2S_DMASR.DMA_SLV_ERR.get(sr) and rm.MM2S_DMASR.HALTED.get(sr), f"MM2S_DMASR {sr:#x}"
    st = [tx.status(mem, d) for d in p.descs]
    assert all(rm.STATUS.CMPLT.get(s) for s in st[:bad]), "the descriptors before the fault must complete"
    assert rm.STATUS.DMA_SLV_ERR.get(st[bad]) and not rm.STATUS.CMPLT.get(st[bad]), f"STATUS {st[bad]:#x}"
    before = sum(n for _, n in p.buffers[:bad])
    assert f.counter("mm2s_bytes") < before + n
    assert f.counter("violations") == 0
    f.close()
