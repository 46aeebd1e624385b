"""Constrained-random regression of rtl/sgdma.v (`make regress`; a few seeds in `make test`).

Each seed draws a descriptor chain (50-80 descriptors, 1 B ... 64 KiB, any alignment, tail or
cyclic mode), a stream (continuous, or random packets), random idle and backpressure on every
channel, random coalescing, and sometimes an injected error (SLVERR/DECERR on a data write, a
descriptor fetch or a status write-back), a soft reset at a random moment, or a stream longer
than the chain under the STALL or DROP policy.  The streaming scoreboard checks every write,
STATUS write-back and interrupt as it happens (its first failure ends the seed and counts as a
mismatch, with its message in the seed's line); at the end of the seed the checks built from
sgdma_verif.reference and the memory alone follow: every byte of every completed buffer, every
STATUS word, every guard byte around the buffers; the AXI checker counts protocol violations; a
watchdog counts hangs.

In builds with the MM2S channel (INCLUDE_MM2S=1, the default of `make regress`) three seeds in
four also run MM2S traffic alongside (sgdma_verif.mm2s_traffic, knobs drawn from a random
stream of their own, so a seed's S2MM knobs do not depend on the build): a chain of 12-40+
transmit descriptors of 1 B ... 8 KiB at any alignment, cut from packets of 1 B ... 24 KiB (a
packet spans buffers), tail or cyclic mode, random TREADY on m_axis_mm2s, random AR/R
backpressure and read latency on m_axi_mm2s, random coalescing, a random start, and for three
in ten one fault: SLVERR/DECERR on a data read or a descriptor fetch, a zero-length descriptor,
or (tail mode) a descriptor fetched with Cmplt set.  Every stream byte and TLAST is checked as
it is sent, every STATUS write-back in order, DMASR, CURDESC and mm2s_introut at the end.  A
soft reset of the seed (it resets both channels) waits until the MM2S run is done: a channel
stopped in the middle of a packet is left out of the random traffic.  The seed's line records
the MM2S knobs under scenario.mm2s.  In one MM2S seed in four the MM2S chain carries the S2MM
stream itself (loopback): the seed's S2MM packets, cut into transmit buffers of 64 B ... 64 KiB,
go out on m_axis_mm2s and the testbench hands each packet on to s_axis_s2mm as it arrives
(packet by packet, so the S2MM checks are those of the seed; no MM2S fault then).  The seeds come from the run configuration
(sgdma_verif.runconfig); results go to its ``results`` file, one JSON line per seed.
"""
from __future__ import annotations

import logging
import json
import math

import cocotb
import numpy as np
import pytest
from cocotb.triggers import ClockCycles

from sgdma_driver import regmap as rm
from sgdma_verif import fcov
from sgdma_verif.mm2s_traffic import Mm2sRun, StreamScoreboard, draw_spec, footprint, loopback_spec
from sgdma_verif.reference import place_buffers, s2mm_expected
from sgdma_verif.runconfig import load_run_config
from sgdma_verif.env import TB, OffsetPort, pause_gen, set_pause
from sgdma_verif.scoreboard import ERROR_STATUS_MASK, ErrorAt

SR = rm.S2MM_DMASR
GUARD = 0xA5
DESC_BASE = 0x1000
BUF_BASE = 0x40000
MM2S_DESC = 0xC00000        # MM2S descriptors and buffers (the top 4 MiB of the memory)
MM2S_BUF = 0xC40000
ERROR_KINDS = ("data_slv", "data_dec", "fetch_slv", "fetch_dec", "status_slv", "status_dec")


class Draw:
    """Everything random about one seed."""

    def __init__(self, seed: int, db: int):
        rng = np.random.default_rng(seed)
        self.seed = seed
        self.cyclic = rng.random() < 0.3
        n = int(rng.integers(50, 81))
        hi = 8192 if self.cyclic else 65536
        self.lengths = [max(1, int(math.exp(rng.uniform(0, math.log(hi))))) for _ in range(n)]
        self.offsets = [int(rng.integers(0, 256)) for _ in range(n)]
        self.packets: list[int] | None = None
        if not self.cyclic and rng.random() < 0.5:
            self.packets = []
            avg = sum(self.lengths) / n
            while len(s2mm_expected([b"\0" * p for p in self.packets], self.lengths)) < n:
                self.packets.append(max(1, int(math.exp(rng.uniform(0, math.log(3 * avg))))))
        self.laps = 2 if self.cyclic else 1
        bp = rng.random() < 0.5      # half the seeds see backpressure on the AXI channels
        self.duty = {k: float(rng.choice([0.0, 0.2, 0.5])) if (bp or k == "source") else 0.0 for k in
                     ("source", "data_aw", "data_w", "data_b", "sg_aw", "sg_w", "sg_b", "sg_ar", "sg_r")}
        self.threshold = int(rng.integers(1, 9))
        self.delay = int(rng.choice([0, 0, 1, 4]))
        r = rng.random()
        self.error = str(rng.choice(ERROR_KINDS)) if r < 0.25 else None
        self.soft_reset = (not self.error) and r < 0.35
        self.error_desc = int(rng.integers(0, n))
        self.error_beat = float(rng.random())
        self.reset_at = float(rng.uniform(0.1, 0.9))
        self.overflow = (not self.cyclic) and (not self.error) and (not self.soft_reset) and rng.random() < 0.3
        self.drop = self.overflow and rng.random() < 0.5
        self.data = rng.integers(0, 256, (sum(self.packets) if self.packets else sum(self.lengths)) * self.laps,
                                 dtype=np.uint8).tobytes()
        self.extra = rng.integers(0, 256, int(rng.integers(db, 5000)), dtype=np.uint8).tobytes() if self.overflow else b""

    @property
    def backpressure(self) -> bool:
        return any(v > 0 for k, v in self.duty.items() if k != "source")


def _layout(d: Draw) -> list[tuple[int, int]]:
    return place_buffers(d.lengths, d.offsets, BUF_BASE, 64)


def _stream_packets(d: Draw) -> list[bytes]:
    """The stream as sent (tlast ends each element), every lap."""
    if d.packets is None:
        return [d.data]
    pkts, pos = [], 0
    for p in d.packets * d.laps:
        pkts.append(d.data[pos:pos + p])
        pos += p
    return pkts


def _set_traffic(tb: TB, d: Draw, seed: int) -> None:
    tb.data_wr.fault = tb.sg_wr.fault = tb.sg_rd.fault = None
    chans = {"source": tb.source, "data_aw": tb.data_wr.aw_channel, "data_w": tb.data_wr.w_channel,
             "data_b": tb.data_wr.b_channel, "sg_aw": tb.sg_wr.aw_channel, "sg_w": tb.sg_wr.w_channel,
             "sg_b": tb.sg_wr.b_channel, "sg_ar": tb.sg_rd.ar_channel, "sg_r": tb.sg_rd.r_channel}
    for i, (k, ch) in enumerate(chans.items()):
        set_pause(ch, pause_gen(seed * 97 + i, d.duty[k]) if d.duty[k] else None)


def _install_fault(tb: TB, d: Draw, bufs: list[tuple[int, int]], bad: int, bus: int) -> None:
    """The seed's injected error, if any, as a fault hook on the bus it concerns."""
    if not d.error:
        return
    resp = rm.RESP_SLVERR if d.error.endswith("slv") else rm.RESP_DECERR
    if d.error.startswith("data"):
        # a byte that will be written: packets may end a buffer before its last byte
        pk = [b"\0" * p for p in d.packets] if d.packets is not None else [d.data]
        written = len(s2mm_expected(pk, d.lengths)[d.error_desc].data)
        addr, _ = bufs[d.error_desc]
        target = bus + addr + int(d.error_beat * (written - 1))
        tb.data_wr.fault = lambda a, ln, w: resp if (w and a <= target < a + ln) else 0
    elif d.error.startswith("fetch"):
        word = bus + bad + 8 * min(3, int(d.error_beat * 4))
        tb.sg_rd.fault = lambda a, ln, w: resp if (not w and a <= word < a + ln) else 0
    else:
        tb.sg_wr.fault = lambda a, ln, w: resp if (w and a <= bus + bad + 0x1C < a + ln) else 0


def _arm_scoreboard(tb: TB, d: Draw, descs: list[int], bufs: list[tuple[int, int]], bus: int) -> None:
    """The streaming scoreboard over the seed's chain, lap by lap, with its error outcome."""
    stream = _stream_packets(d)
    error = None
    if d.error and d.error.startswith("data"):
        bit = rm.STATUS.DMA_SLV_ERR if d.error.endswith("slv") else rm.STATUS.DMA_DEC_ERR
        error = ErrorAt(d.error_desc, bit.mask, ERROR_STATUS_MASK)
    elif d.error and d.error.startswith("fetch"):
        error = ErrorAt(d.error_desc)
    elif d.error:   # the refused write-back carries the normal STATUS word; those in flight follow
        error = ErrorAt(d.error_desc, s2mm_expected(stream, d.lengths * d.laps)[d.error_desc].status, later=True)
    tb.expect(descs, bufs, stream, laps=d.laps, bus_base=bus, error=error)


async def _send_stream(tb: TB, d: Draw) -> None:
    for p in _stream_packets(d):
        await tb.send(p)
    if d.extra:
        await tb.send(d.extra)


async def _run_until_done(tb: TB, d: Draw, base: dict, descs: list[int], res: dict, mm=None,
                          sent=lambda: True) -> None:
    """Until the chain is done, the engine halted on the error, the soft reset was made, the
    scoreboard failed, or nothing progressed for 300,000 cycles (a hang).  The soft reset
    resets both channels: it waits until the MM2S run ``mm`` (if any) is done."""
    dut, n = tb.dut, len(descs)
    expect_done = n * d.laps if not d.error else d.error_desc
    last_progress, last_count = tb.cycle, -1
    reset_cycle = tb.cycle + int(d.reset_at * len(d.data) / tb.bytes_per_beat * 1.5) if d.soft_reset else None
    while True:
        await ClockCycles(dut.axi_aclk, 200)
        done = await tb.read_counter("COMPLETED") - base["COMPLETED"]
        sr = await tb.read_reg("S2MM_DMASR")
        if done != last_count:
            last_count, last_progress = done, tb.cycle
        if tb.scoreboard.failure is not None:
            break
        if reset_cycle is not None and tb.cycle >= reset_cycle and mm is not None and not mm.finished:
            last_progress = tb.cycle      # waiting for MM2S (it has its own watchdog)
        elif reset_cycle is not None and tb.cycle >= reset_cycle:
            await tb.soft_reset()
            sr = await tb.read_reg("S2MM_DMASR")
            if sr != SR.reset:
                res["mismatches"] += 1
            break
        if d.error and SR.HALTED.get(sr):
            break
        if not d.error and done >= expect_done and (not d.drop or (sent() and tb.source.empty() and tb.source.idle())):
            break
        if tb.cycle - last_progress > 300_000:
            res["hangs"] += 1
            res["hang_state"] = await _hang_state(tb, done, sr, expect_done, descs)
            break


async def _hang_state(tb: TB, done: int, sr: int, expect_done: int, descs: list[int]) -> dict:
    dut = tb.dut
    state = {"completed": done, "dmasr": hex(sr), "curdesc": hex(await tb.read_reg("S2MM_CURDESC")),
             "xstatus": hex(await tb.read_reg("SGDMA_XSTATUS")),
             "tready": str(dut.s_axis_s2mm_tready.value), "tvalid": str(dut.s_axis_s2mm_tvalid.value),
             "source_empty": tb.source.empty(), "expect_done": expect_done,
             "first_desc": hex(descs[0])}
    try:
        m = dut.u_mover
        state.update({k: str(getattr(m, k).value) for k in (
            "cd_valid", "flush_pend", "pad_mode", "burst_rem", "aw_seq", "b_seq", "ib_valid", "ib_nb",
            "ib_ls", "cd_rem", "out_strb")})
        state.update({"mv_" + k: str(getattr(m, k).value) for k in ("err_pushed", "q_valid", "q_err", "q_len", "run", "stop")})
        f = dut.u_fetch
        state.update({"f_" + k: str(getattr(f, k).value) for k in (
            "active", "stopped", "tail_issued", "owner_wait", "next_known", "inflight", "next_addr")})
        st = dut.u_status
        state.update({"s_" + k: str(getattr(st, k).value) for k in ("stopped", "fl_count", "c_empty")})
        state.update({k: str(getattr(dut, k).value) for k in ("state", "err_bits")})
        state.update({k: str(getattr(dut, k).value) for k in (
            "m_axi_s2mm_awvalid", "m_axi_s2mm_awready", "m_axi_s2mm_wvalid", "m_axi_s2mm_wready",
            "m_axi_s2mm_bvalid")})
    except AttributeError as e:
        state["internal"] = str(e)
    return state


def _best_lap(tb: TB, laps_i: list, addr: int, st: int):
    """Cyclic mode after a soft reset: the last completed lap k, possibly already partly
    overwritten by lap k+1 (plain cyclic mode does not protect completed buffers): lap k+1's
    bytes up to some point, then lap k's.  Returns (completion, mismatching bytes) or None."""
    best = None
    for k, c in enumerate(laps_i):
        if c.status != st:
            continue
        got = np.frombuffer(bytes(tb.mem[addr:addr + len(c.data)]), np.uint8)
        a = got != np.frombuffer(c.data, np.uint8)
        if k + 1 < len(laps_i):
            b = got != np.frombuffer(laps_i[k + 1].data, np.uint8)
            split = int(np.argmax(b)) if b.any() else len(b)
            a[:split] = False
        if best is None or a.sum() < best[1]:
            best = (c, int(a.sum()))
    return best


def _check_buffers(tb: TB, d: Draw, descs: list[int], bufs: list[tuple[int, int]], res: dict) -> None:
    """End of the seed: every completed buffer's bytes and STATUS against the reference."""
    db, n = tb.bytes_per_beat, len(descs)
    pkts = _stream_packets(d) if d.packets is not None else None
    if d.cyclic:   # one packet over all laps: each buffer ends up with its last lap ...
        laps = s2mm_expected([d.data], d.lengths * d.laps)
        exp = laps[:n] if d.error else laps[-n:]   # ... unless an error stopped the first lap
    else:
        exp = s2mm_expected(pkts if pkts is not None else [d.data], d.lengths)
    statuses = [tb.status(x) for x in descs]
    # In cyclic mode a buffer holds whichever lap last wrote it: after a soft reset that may be
    # any lap, and after an error the engine may have run a few buffers past the failing one
    # (queue and write-back pipeline, up to 10) and wrapped onto the start of the ring.
    all_laps = s2mm_expected([d.data], d.lengths * d.laps) if d.cyclic else None
    for i, e in enumerate(exp[:n]):
        st = statuses[i]
        complete = bool(rm.STATUS.CMPLT.get(st))
        if d.soft_reset and not complete:
            continue   # interrupted: only completed buffers are checked, plus the guards
        if d.error and i >= d.error_desc:
            break
        if d.cyclic and d.error and i < d.error_desc + 10 - n:
            continue
        addr, _ = bufs[i]
        if d.cyclic and d.soft_reset:
            best = _best_lap(tb, all_laps[i::n], addr, st)
            if best is not None:
                e = best[0]
                res["mismatches"] += best[1]
                res["descriptors"] += 1
                res["bytes"] += len(e.data)
                continue
        _check_one(tb, d, i, e, st, addr, res)
        res["fcov"].append(fcov.sample_buffer(d.lengths[i], bufs[i][0], db, d.backpressure, d.cyclic))


def _check_one(tb: TB, d: Draw, i: int, e, st: int, addr: int, res: dict) -> None:
    if st != e.status:
        res["mismatches"] += 1
    got = np.frombuffer(bytes(tb.mem[addr:addr + len(e.data)]), np.uint8)
    bad_n = int(np.count_nonzero(got != np.frombuffer(e.data, np.uint8)))
    if bad_n and "first_bad" not in res:
        g = bytes(got[:16])
        res["first_bad"] = {"desc": i, "len": len(e.data), "status": hex(st), "exp_status": hex(e.status),
                            "got": g.hex(), "exp": e.data[:16].hex(), "found_at": d.data.find(g),
                            "expected_at": d.data.find(e.data[:16])}
    res["mismatches"] += bad_n
    res["descriptors"] += 1
    res["bytes"] += len(e.data)


async def _check_error(tb: TB, d: Draw, bad: int, bus: int, res: dict) -> None:
    """The seed's injected error: exactly its DMASR bit, CURDESC on the faulting descriptor;
    then a soft reset must return the engine to its reset state."""
    bit = {"data_slv": SR.DMA_SLV_ERR, "data_dec": SR.DMA_DEC_ERR, "fetch_slv": SR.SG_SLV_ERR,
           "fetch_dec": SR.SG_DEC_ERR, "status_slv": SR.SG_SLV_ERR, "status_dec": SR.SG_DEC_ERR}[d.error]
    sr = await tb.read_reg("S2MM_DMASR")
    errs = [f.name for f in rm.DMASR_ERROR_BITS if f.get(sr)]
    cur = await tb.read_reg("S2MM_CURDESC")
    if errs != [bit.name] or cur != (bus + bad) & 0xFFFFFFFF:
        res["mismatches"] += 1
        res.setdefault("errors", []).append(f"DMASR {errs} CURDESC {cur:#x}, expected {bit.name} at {bad:#x}")
    res["fcov"].append(fcov.sample_error(d.error, d.backpressure, d.cyclic))
    await tb.soft_reset()
    if await tb.read_reg("S2MM_DMASR") != SR.reset:
        res["mismatches"] += 1


async def _check_drop(tb: TB, d: Draw, base: dict, res: dict) -> None:
    """DROP: bytes written plus bytes dropped is every byte sent."""
    dropped = await tb.read_counter("DROPPED_BYTES") - base["DROPPED_BYTES"]
    written = await tb.read_counter("BYTES_WRITTEN") - base["BYTES_WRITTEN"]
    if written + dropped != len(d.data) + len(d.extra):
        res["mismatches"] += 1
        res.setdefault("errors", []).append(f"written {written} + dropped {dropped} != {len(d.data) + len(d.extra)}")


def _check_memory(tb: TB, bufs: list[tuple[int, int]], lo: int, hi: int, violations0: int, res: dict) -> None:
    """Guard bytes (anything outside the buffers that changed is an out-of-bounds write), the
    protocol checker's count and the streaming scoreboard's first failure."""
    mem = np.frombuffer(bytes(tb.mem[lo:hi]), np.uint8)
    mask = np.ones(hi - lo, bool)
    for addr, ln in bufs:
        mask[addr - lo:addr - lo + ln] = False
    res["out_of_bounds_writes"] = int(np.count_nonzero(mem[mask] != GUARD))
    res["protocol_violations"] = len(tb.checker.violations) - violations0
    if res["protocol_violations"]:
        res["violation_examples"] = tb.checker.violations[violations0:violations0 + 3]
    if tb.scoreboard.failure is not None:
        res["mismatches"] += 1
        res["scoreboard"] = tb.scoreboard.failure.message


def _mm2s_setup(tb: TB, d: Draw, seed: int, port: OffsetPort, bus: int, res: dict):
    """The seed's MM2S traffic (builds with the channel, three seeds in four), set up in memory
    and armed, and the packets it carries into S2MM in a loopback seed (else None); (None, None)
    without MM2S traffic."""
    on, spec = draw_spec(seed)
    if not (tb.mm2s and on):
        return None, None
    tb.mm2s_rd.port = port
    loop = None
    if spec.loopback:
        loop = _stream_packets(d) + ([d.extra] if d.extra else [])
        lspec = loopback_spec(spec, loop, seed)
        descs, bufs = footprint(lspec)
        if descs <= MM2S_BUF - MM2S_DESC and MM2S_BUF + bufs <= len(tb.mem):
            spec = lspec
        else:           # the stream does not fit the MM2S area: the seed's own MM2S traffic
            spec.loopback, loop = False, None
    mm = Mm2sRun(tb, spec, tb.mm2s_sb, MM2S_DESC, MM2S_BUF, bus,
                 contents=b"".join(loop) if loop is not None else None)
    mm.setup()
    res["scenario"]["mm2s"] = spec.knobs()
    return mm, loop


async def _relay(tb: TB, packets: int, state: dict) -> None:
    """Loopback: each packet taken from m_axis_mm2s goes on to s_axis_s2mm."""
    for _ in range(packets):
        frame = await tb.sink.recv()
        await tb.send(bytes(frame.tdata))
    state["sent"] = True


def _mm2s_result(tb: TB, mm, res: dict) -> None:
    r = mm.res
    res["mm2s_descriptors"], res["mm2s_bytes"] = r.descriptors, r.bytes
    res["mismatches"] += r.mismatches
    res["hangs"] += r.hangs
    if r.problems:
        res["mm2s_problems"] = r.problems
    res["fcov"] += fcov.sample_mm2s(mm)


async def run_seed(tb: TB, seed: int) -> dict:
    """One seed: draw, set up, run with the streaming scoreboard armed, then the end-of-seed
    checks (buffers, error state, drop accounting, guards, protocol)."""
    d = Draw(seed, tb.bytes_per_beat)
    violations0 = len(tb.checker.violations)
    _set_traffic(tb, d, seed)
    bufs = _layout(d)
    lo, hi = BUF_BASE, bufs[-1][0] + bufs[-1][1] + 256
    tb.fill(lo, hi - lo, GUARD)
    # the whole memory sits at a random bus address: high address bits toggle too
    bus = int(np.random.default_rng(seed + 7777).integers(0, (0xFFFFFFFF - (16 << 20)) >> 12)) << 12
    port = OffsetPort(tb.mem, bus)
    tb.sg_wr.port = tb.sg_rd.port = tb.data_wr.port = port
    descs = tb.write_chain(DESC_BASE, bufs, cyclic=d.cyclic, bus_base=bus)
    res = {"seed": seed, "descriptors": 0, "bytes": 0, "mismatches": 0, "protocol_violations": 0, "hangs": 0,
           "out_of_bounds_writes": 0, "scenario": {"cyclic": d.cyclic, "packets": d.packets is not None,
                                                   "error": d.error, "soft_reset": d.soft_reset,
                                                   "overflow": d.overflow, "drop": d.drop, "mm2s": None},
           "mm2s_descriptors": 0, "mm2s_bytes": 0, "fcov": []}
    bad = descs[d.error_desc]
    _install_fault(tb, d, bufs, bad, bus)
    mm, loop = _mm2s_setup(tb, d, seed, port, bus, res)
    # the 64-bit counters survive soft resets: every figure of this seed is a difference
    base = {k: await tb.read_counter(k) for k in ("COMPLETED", "DROPPED_BYTES", "BYTES_WRITTEN")}
    if d.drop:
        await tb.write_reg("SGDMA_XCTRL", rm.SGDMA_XCTRL.POLICY_DROP.put(1))
    _arm_scoreboard(tb, d, descs, bufs, bus)
    await tb.start(bus + descs[0], bus + (DESC_BASE + 0x100000 if d.cyclic else descs[-1]), cyclic=d.cyclic,
                   threshold=d.threshold, delay=d.delay, irq=True)
    if mm is not None:
        cocotb.start_soon(mm.run())
    relay, state = None, {"sent": loop is None}
    if loop is None:
        await _send_stream(tb, d)
    else:
        relay = cocotb.start_soon(_relay(tb, len(loop), state))
    await _run_until_done(tb, d, base, descs, res, mm, sent=lambda: state["sent"])
    if mm is not None:
        await mm.wait_finished()
        _mm2s_result(tb, mm, res)
    if relay is not None and not relay.done():
        relay.cancel()    # MM2S sent fewer packets (counted as its mismatch)
    await ClockCycles(tb.dut.axi_aclk, 50)
    _check_buffers(tb, d, descs, bufs, res)
    if d.error and res["hangs"] == 0:
        await _check_error(tb, d, bad, bus, res)
    if d.drop and res["hangs"] == 0:
        await _check_drop(tb, d, base, res)
    _check_memory(tb, bufs, lo, hi, violations0, res)
    tb.scoreboard.stop()
    return res


async def drain_stream(tb: TB) -> None:
    """Between seeds: let the engine discard whatever the device still has queued (DROP with
    no descriptors), so the next seed starts with an empty link; then reset."""
    tb.data_wr.fault = tb.sg_wr.fault = tb.sg_rd.fault = None
    if tb.mm2s:
        tb.mm2s_rd.fault = None
    await tb.soft_reset()
    await tb.write_reg("SGDMA_XCTRL", rm.SGDMA_XCTRL.POLICY_DROP.put(1))
    await tb.write_reg("S2MM_DMACR", rm.S2MM_DMACR.RS.put(1))
    await tb.wait_for(lambda: tb.source.empty() and tb.source.idle(), 2_000_000, "the stream to drain")
    await ClockCycles(tb.dut.axi_aclk, 10)
    await tb.soft_reset()


@cocotb.test()
async def random_seeds(dut):
    config = load_run_config()
    seeds = config.seeds
    # One environment for every seed (one clock, one set of bus models); the protocol checker
    # counts violations instead of stopping at the first.
    tb = TB(dut, mem_size=16 << 20, tlast=True, checker=False)
    from sgdma_verif.axi_checker import AxiChecker
    tb.checker = AxiChecker(dut, raise_on_violation=False)
    tb.scoreboard.raise_on_error = False   # each seed reports its own first failure
    tb.mm2s_sb = StreamScoreboard(tb) if tb.mm2s else None
    await tb.reset()     # once: between seeds the engine is soft-reset and the link drained
    bad = []
    for seed in seeds:
        res = await run_seed(tb, seed)
        logging.getLogger("cocotb.sgdma.test").info("seed %d: %s", seed, {k: v for k, v in res.items() if k != "fcov"})
        config.append_result(res)
        if any(res[k] for k in ("mismatches", "protocol_violations", "hangs", "out_of_bounds_writes")):
            bad.append(seed)
        await drain_stream(tb)
    assert not bad, f"seeds with problems: {bad}"


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.runconfig import RunConfig  # noqa: E402
from sgdma_verif.toolchain import BUILD_DIR, build_and_test, selected_simulators  # noqa: E402


#: The regression's builds: both channels (the default of `make regress`) and S2MM only.
BUILDS = {"mm2s": {"INCLUDE_MM2S": 1}, "s2mm": {}}


@pytest.mark.parametrize("build", list(BUILDS))
@pytest.mark.parametrize("sim", selected_simulators())
def test_regress_light(sim, build):
    """A few seeds of the regression in `make test` (make regress runs hundreds), on the
    two-channel build (two of seeds 1-4 run MM2S traffic alongside) and on the
    S2MM-only build."""
    out = BUILD_DIR / "regress" / f"light_{sim}_{build}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    build_and_test("test_regress", sim, BUILDS[build], config=RunConfig(seeds=[1, 2, 3, 4], results=out))
    rows = [json.loads(x) for x in out.read_text().splitlines()]
    assert len(rows) == 4 and sum(r["descriptors"] for r in rows) >= 4 * 40
    assert not any(r[k] for r in rows for k in ("mismatches", "protocol_violations", "hangs", "out_of_bounds_writes"))
    mm2s = [r for r in rows if r["scenario"]["mm2s"] is not None]
    if build == "mm2s":
        assert mm2s and sum(r["mm2s_descriptors"] for r in mm2s) >= 12 * len(mm2s), \
            f"MM2S traffic in {len(mm2s)} of 4 seeds, {sum(r['mm2s_descriptors'] for r in mm2s)} write-backs"
    else:
        assert not mm2s, "MM2S traffic on the S2MM-only build"
