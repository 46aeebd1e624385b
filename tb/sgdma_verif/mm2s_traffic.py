"""MM2S traffic through the top (INCLUDE_MM2S=1 builds) for the regression and the fault
campaign: one chain of transmit descriptors, its checks while it runs and after.

- ``Mm2sSpec``: everything about one MM2S run: the buffers (length, misalignment, TXSOF/TXEOF),
  tail or cyclic mode, the traffic (TREADY duty on m_axis_mm2s, AR/R duty and read latency on
  m_axi_mm2s, coalescing) and at most one fault: SLVERR/DECERR on a data read (``data_slv``,
  ``data_dec``) or on a word of a descriptor fetch (``fetch_slv``, ``fetch_dec``), a zero-length
  descriptor (``zero_len``), a descriptor fetched with Cmplt already set (``sg_int``), a length
  with bits above the build's LEN_WIDTH (``len_wrap``: the engine takes the low LEN_WIDTH bits,
  docs/registers.md), a NXTDESC with low address bits set (``nxt_misaligned``: the engine
  takes the 64-byte-aligned address).
- ``draw_spec``: the regression's random spec of a seed (a random stream of its own, so a
  seed's S2MM knobs are the ones it had before MM2S traffic was added).
- ``StreamScoreboard``: every m_axis_mm2s transfer against the bytes the channel must send, as
  it happens: each byte, TLAST exactly at each packet end (TXEOF), nothing beyond what the
  spec allows (after a data error: the bytes before the failed beat, no TLAST for the open
  packet; after a fetch error or a malformed descriptor: the buffers before it).
- ``Mm2sRun``: sets a spec up in the testbench memory (at a bus offset), starts the channel,
  waits until it is done (tail mode: the last STATUS write-back; cyclic: a number of laps, then
  RS=0 with TREADY held high, so no beat can be left waiting when the channel stops; an error:
  Halted), with a watchdog, and checks DMASR (exactly the expected error bit, Idle at the tail,
  the interrupt bits and mm2s_introut), CURDESC, RS, every STATUS write-back in engine order,
  every STATUS word in memory and the scoreboard.  Problems are collected as messages.
"""
from __future__ import annotations

import bisect
import math
from dataclasses import asdict, dataclass, field
from typing import Optional

import cocotb
import numpy as np
from cocotb.triggers import ClockCycles, RisingEdge

from sgdma_driver import regmap as rm

from .env import TB, pause_gen, set_pause
from .reference import place_buffers

CR, SR, ST = rm.MM2S_DMACR, rm.MM2S_DMASR, rm.STATUS
STATUS_OFF = rm.DESC_OFFSETS["status"]
CONTROL_OFF = rm.DESC_OFFSETS["control"]
NXT_OFF = rm.DESC_OFFSETS["nxtdesc"]
#: Faults that halt the channel, with the DMASR bit each must set.
ERROR_BITS = {"data_slv": SR.DMA_SLV_ERR, "data_dec": SR.DMA_DEC_ERR, "fetch_slv": SR.SG_SLV_ERR,
              "fetch_dec": SR.SG_DEC_ERR, "zero_len": SR.DMA_INT_ERR, "sg_int": SR.SG_INT_ERR}
#: Malformed descriptors the engine does not flag (it uses what the fields mean).
BENIGN = ("len_wrap", "nxt_misaligned")
FAULTS = tuple(ERROR_BITS) + BENIGN
#: Faults the regression draws (sg_int only outside cyclic mode, where Cmplt is ignored).
REGRESS_FAULTS = tuple(ERROR_BITS)
GAP = 96          # bytes between buffers (more than a beat: no beat holds two buffers)


@dataclass
class Mm2sSpec:
    lengths: list[int]
    offsets: list[int]
    frames: list[tuple[bool, bool]]
    cyclic: bool = False
    laps: int = 1                    # cyclic: laps streamed before the channel is stopped
    sink_duty: float = 0.0           # share of clocks with TREADY low
    ar_duty: float = 0.0             # share of clocks with ARREADY low
    r_duty: float = 0.0              # share of clocks with no R beat offered
    latency: int = 0                 # clocks from AR to the first R beat
    threshold: int = 1
    delay: int = 0
    start_delay: int = 0             # clocks before the channel is started
    fault: Optional[str] = None      # one of FAULTS
    fault_desc: int = 0              # the descriptor it concerns
    fault_pos: float = 0.0           # data faults: where in the buffer (0 first byte, 1 last);
                                     # fetch faults: which beat of the descriptor read
    data_seed: int = 1
    loopback: bool = False           # regression: the stream goes on into S2MM (see test_regress)

    def __post_init__(self):
        n = len(self.lengths)
        if not (n == len(self.offsets) == len(self.frames)) or n == 0:
            raise ValueError(f"{n} lengths, {len(self.offsets)} offsets, {len(self.frames)} frames")
        if self.fault is not None and self.fault not in FAULTS:
            raise ValueError(f"MM2S fault {self.fault!r} is not one of {FAULTS}")
        if self.fault is not None and not 0 <= self.fault_desc < n:
            raise ValueError(f"fault descriptor {self.fault_desc} outside the chain of {n}")
        if self.fault == "sg_int" and self.cyclic:
            raise ValueError("sg_int is no error in cyclic mode (Cmplt is ignored there)")
        if any(n < 1 for n in self.lengths):
            raise ValueError(f"buffer lengths must be at least 1 byte (zero_len makes one 0): {self.lengths}")

    @property
    def backpressure(self) -> bool:
        return any(v > 0 for v in (self.sink_duty, self.ar_duty, self.r_duty))

    @property
    def halts(self) -> bool:
        return self.fault in ERROR_BITS

    def knobs(self) -> dict:
        """What a seed's result line records about its MM2S traffic."""
        d = asdict(self)
        for k in ("lengths", "offsets", "frames"):
            d.pop(k)
        d.update(descriptors=len(self.lengths), bytes=sum(self.lengths),
                 packets=sum(1 for f in self.frames if f[1]),
                 spanning=sum(1 for f in self.frames if not f[1]))
        return d


def split_packets(rng: np.random.Generator, sizes: list[int], max_chunk: int) -> tuple[list[int], list[tuple[bool, bool]]]:
    """Buffer lengths and (TXSOF, TXEOF) for packets of ``sizes`` bytes, each cut into chunks of
    log-uniform 1 .. max_chunk bytes."""
    lengths, frames = [], []
    for n in sizes:
        left, first = n, True
        while left:
            c = min(left, max(1, int(math.exp(rng.uniform(0, math.log(max_chunk))))))
            left -= c
            lengths.append(c)
            frames.append((first, left == 0))
            first = False
    return lengths, frames


def draw_spec(seed: int) -> tuple[bool, Mm2sSpec]:
    """The regression's MM2S knobs of ``seed``: (whether the seed runs MM2S traffic, the spec)."""
    rng = np.random.default_rng([seed, 0x4D32])
    on = bool(rng.random() < 0.75)
    cyclic = bool(rng.random() < 0.25)
    target = int(rng.integers(12, 41))
    chunk = 8192
    sizes: list[int] = []
    lengths: list[int] = []
    frames: list[tuple[bool, bool]] = []
    while len(lengths) < target:
        sizes.append(max(1, int(math.exp(rng.uniform(0, math.log(3 * chunk))))))
        lengths, frames = split_packets(np.random.default_rng([seed, 0x4D32, len(sizes)]), sizes, chunk)
    if rng.random() < 0.2:     # TXSOF is not needed (a packet starts after a TXEOF): any value
        frames = [(bool(rng.random() < 0.5), eof) for _, eof in frames]
    n = len(lengths)
    fault = str(rng.choice([f for f in REGRESS_FAULTS if not (cyclic and f == "sg_int")])) \
        if rng.random() < 0.3 else None
    spec = Mm2sSpec(
        lengths=lengths, offsets=[int(x) for x in rng.integers(0, 256, n)], frames=frames, cyclic=cyclic,
        laps=2 if cyclic else 1,
        sink_duty=float(rng.choice([0.0, 0.2, 0.5, 0.8])), ar_duty=float(rng.choice([0.0, 0.2, 0.5])),
        r_duty=float(rng.choice([0.0, 0.2, 0.5])), latency=int(rng.choice([0, 0, 4, 16, 32])),
        threshold=int(rng.integers(1, 9)), delay=int(rng.choice([0, 0, 1, 4])),
        start_delay=int(rng.integers(0, 3000)), fault=fault, fault_desc=int(rng.integers(0, n)),
        fault_pos=float(rng.random()), data_seed=int(rng.integers(1, 1 << 31)))
    spec.loopback = bool(rng.random() < 0.25)
    return on, spec


def loopback_spec(spec: Mm2sSpec, packets: list[bytes], seed: int) -> Mm2sSpec:
    """The regression's loopback variant of ``spec``: the buffers carry ``packets`` (the S2MM
    stream of the seed), each cut into buffers of log-uniform 64 B ... 64 KiB at random
    alignments, TXEOF at each packet's end; tail mode, no fault, the traffic knobs of ``spec``."""
    rng = np.random.default_rng([seed, 0x4C42])
    lengths, frames = [], []
    for p in packets:
        left, first = len(p), True
        while left:
            c = min(left, int(math.exp(rng.uniform(math.log(64), math.log(65536)))))
            left -= c
            lengths.append(c)
            frames.append((first, left == 0))
            first = False
    n = len(lengths)
    return Mm2sSpec(lengths=lengths, offsets=[int(x) for x in rng.integers(0, 256, n)], frames=frames,
                    sink_duty=spec.sink_duty, ar_duty=spec.ar_duty, r_duty=spec.r_duty, latency=spec.latency,
                    threshold=spec.threshold, delay=spec.delay, start_delay=spec.start_delay,
                    data_seed=spec.data_seed, loopback=True)


def footprint(spec: Mm2sSpec) -> tuple[int, int]:
    """(descriptor bytes, buffer bytes) the spec takes in memory."""
    return (2 * rm.DESC_SIZE * len(spec.lengths),
            sum(spec.lengths) + len(spec.lengths) * (GAP + 256))


# ------------------------------------------------------------------------------ scoreboard
class StreamScoreboard:
    """m_axis_mm2s transfers against the expected bytes and packet ends, sampled at each clock
    edge (the way the sink model samples).  ``arm`` gives one lap of bytes, the packet ends in it
    (offsets just after a TXEOF buffer's last byte), the buffer starts (for messages), whether
    the lap repeats (cyclic) and how many bytes may come at most (tail mode: the lap)."""

    def __init__(self, tb: TB):
        self.tb, self.dut, self.db = tb, tb.dut, tb.bytes_per_beat
        self.armed = False
        self.failure: Optional[str] = None
        self.pos = self.beats = self.tlasts = 0
        self.lap = b""
        self.ends: list[int] = []
        self.starts: list[int] = []
        self.cyclic = False
        cocotb.start_soon(self._run())

    def arm(self, lap: bytes, ends: list[int], starts: list[int], cyclic: bool) -> None:
        if cyclic and not lap:
            raise ValueError("a cyclic lap of no bytes")
        self.lap, self.ends, self.starts, self.cyclic = lap, sorted(ends), starts, cyclic
        self.pos = self.beats = self.tlasts = 0
        self.failure = None
        self.armed = True

    def disarm(self) -> None:
        self.armed = False

    def _fail(self, msg: str) -> None:
        if self.failure is None:
            lap, off = divmod(self.pos, len(self.lap)) if self.lap else (0, self.pos)
            i = max(0, bisect.bisect_right(self.starts, off) - 1)
            where = f"descriptor {i}" + (f" lap {lap}" if self.cyclic else "")
            self.failure = (f"mm2s scoreboard: cycle {self.tb.cycle}, stream byte {self.pos} ({where}): {msg}")

    def _next_end(self, pos: int) -> int:
        """The first packet end after stream position ``pos`` (math.inf if none)."""
        if not self.cyclic:
            k = bisect.bisect_right(self.ends, pos)
            return self.ends[k] if k < len(self.ends) else math.inf
        if not self.ends:
            return math.inf
        n = len(self.lap)
        lap, off = divmod(pos, n)
        k = bisect.bisect_right(self.ends, off)
        return lap * n + (self.ends[k] if k < len(self.ends) else n + self.ends[0])

    def _expected(self, pos: int, n: int) -> bytes:
        if not self.cyclic:
            return self.lap[pos:pos + n]
        m = len(self.lap)
        return bytes(self.lap[(pos + i) % m] for i in range(n))

    async def _run(self) -> None:
        d = self.dut
        while True:
            await RisingEdge(d.axi_aclk)
            try:
                if int(d.axi_resetn.value) != 1 or int(d.m_axis_mm2s_tvalid.value) != 1 \
                        or int(d.m_axis_mm2s_tready.value) != 1:
                    continue
                data, keep, last = (int(d.m_axis_mm2s_tdata.value), int(d.m_axis_mm2s_tkeep.value),
                                    int(d.m_axis_mm2s_tlast.value))
            except ValueError:
                self._fail("X/Z on m_axis_mm2s during a transfer")
                continue
            self._beat(data, keep, bool(last))

    def _beat(self, data: int, keep: int, last: bool) -> None:
        self.beats += 1
        self.tlasts += last
        n = keep.bit_length()        # lanes 0..n-1 (contiguity is the protocol checker's rule)
        if not self.armed:
            self._fail(f"a beat ({n} bytes) with no MM2S transfer expected")
            return
        got = data.to_bytes(self.db, "little")[:n]
        if not self.cyclic and self.pos + n > len(self.lap):
            self._fail(f"{self.pos + n - len(self.lap)} bytes more than the {len(self.lap)} the channel may send")
            self.pos += n
            return
        want = self._expected(self.pos, n)
        if got != want:
            k = next(i for i in range(n) if got[i] != want[i])
            self._fail(f"byte {self.pos + k}: expected {want[k]:#04x}, actual {got[k]:#04x}")
        end = self._next_end(self.pos)
        if end < self.pos + n:
            self._fail(f"the packet ends at byte {end}, inside a beat of bytes {self.pos}..{self.pos + n - 1}")
        elif last != (end == self.pos + n):
            self._fail(f"TLAST={int(last)} on the beat ending at byte {self.pos + n}; "
                       f"the next packet end is at {end}")
        self.pos += n


# ------------------------------------------------------------------------------ one run
@dataclass
class Mm2sResult:
    descriptors: int = 0              # write-backs checked
    bytes: int = 0                    # stream bytes checked
    mismatches: int = 0
    hangs: int = 0
    problems: list[str] = field(default_factory=list)

    def fail(self, msg: str) -> None:
        self.mismatches += 1
        if len(self.problems) < 8:
            self.problems.append(msg)


class Mm2sRun:
    """One MM2S chain of ``spec`` at memory offsets ``desc_base`` / ``buf_base`` (the engine
    sees them at ``bus`` plus the offset)."""

    def __init__(self, tb: TB, spec: Mm2sSpec, sb: StreamScoreboard, desc_base: int, buf_base: int,
                 bus: int = 0, watchdog: int = 300_000, s2mm_idle: bool = False,
                 contents: Optional[bytes] = None):
        self.tb, self.spec, self.sb, self.bus = tb, spec, sb, bus
        self.desc_base, self.buf_base, self.watchdog = desc_base, buf_base, watchdog
        self.res = Mm2sResult()
        self.s2mm_idle = s2mm_idle         # S2MM has no traffic: its DMASR and interrupt must stay clear
        self.contents = contents           # the buffers' bytes in order (default: random)
        if contents is not None and len(contents) != sum(spec.lengths):
            raise ValueError(f"{len(contents)} bytes of contents for buffers of {sum(spec.lengths)}")
        self.finished = False
        self.hits: list[int] = []          # faulted accesses
        self.len_width = int(tb.dut.LEN_WIDTH.value)

    # ---------------------------------------------------------------- set-up
    def setup(self) -> None:
        tb, s = self.tb, self.spec
        tb.tx_descs.clear()
        tb.mm2s_writebacks.clear()
        self.bufs = place_buffers(s.lengths, s.offsets, self.buf_base, GAP)
        rng = np.random.default_rng(s.data_seed)
        at = 0
        for addr, n in self.bufs:
            if self.contents is None:
                tb.mem[addr:addr + n] = rng.integers(0, 256, n, dtype=np.uint8).tobytes()
            else:
                tb.mem[addr:addr + n] = self.contents[at:at + n]
                at += n
        chain = [(a, 0 if (s.fault == "zero_len" and i == s.fault_desc) else n)
                 for i, (a, n) in enumerate(self.bufs)]
        self.stride = rm.DESC_SIZE * (2 if s.fault == "nxt_misaligned" else 1)
        self.descs = tb.write_tx_chain(self.desc_base, chain, s.frames, cyclic=s.cyclic, bus_base=self.bus,
                                       stride=self.stride)
        self._malform()
        self._expectations()
        self._install_fault()
        set_pause(tb.sink, pause_gen(s.data_seed + 1, s.sink_duty) if s.sink_duty else None)
        set_pause(tb.mm2s_rd.ar_channel, pause_gen(s.data_seed + 2, s.ar_duty) if s.ar_duty else None)
        set_pause(tb.mm2s_rd.r_channel, pause_gen(s.data_seed + 3, s.r_duty) if s.r_duty else None)
        tb.mm2s_rd.latency = s.latency
        tb.sink.clear()
        self.sb.arm(self.lap, self.ends, self.starts, s.cyclic and not s.halts)   # a fault ends the first lap

    def _word(self, addr: int, value: Optional[int] = None) -> int:
        if value is not None:
            self.tb.mem[addr:addr + 4] = (value & 0xFFFFFFFF).to_bytes(4, "little")
        return int.from_bytes(self.tb.mem[addr:addr + 4], "little")

    def _malform(self) -> None:
        s, k = self.spec, self.spec.fault_desc
        if s.fault == "sg_int":
            self._word(self.descs[k] + STATUS_OFF, ST.CMPLT.put(1))
        elif s.fault == "len_wrap":
            # bits of CONTROL.LENGTH above LEN_WIDTH set: the engine takes the low LEN_WIDTH bits
            if self.len_width >= ST.LENGTH.width:
                raise ValueError(f"len_wrap needs a build with LEN_WIDTH below {ST.LENGTH.width}, "
                                 f"this one has {self.len_width}")
            ctrl = self._word(self.descs[k] + CONTROL_OFF)
            high = ((1 << ST.LENGTH.width) - 1) & ~((1 << self.len_width) - 1)
            self._word(self.descs[k] + CONTROL_OFF, ctrl | high)
        elif s.fault == "nxt_misaligned":
            # every NXTDESC points a little past the next descriptor (low six bits set); a
            # decoy descriptor (its buffer one byte into buffer 0) sits in the gap the stride
            # leaves, where rounding up would lead, so a wrong rounding streams the wrong bytes
            for i, d in enumerate(self.descs):
                nxt = self._word(d + NXT_OFF)
                self._word(d + NXT_OFF, nxt + 1 + (i * 7) % 63)
                decoy = d + rm.DESC_SIZE
                self.tb.mem[decoy:decoy + rm.DESC_SIZE] = self.tb.mem[d:d + rm.DESC_SIZE]
                self._word(decoy + rm.DESC_OFFSETS["buffer_address"], self.bus + self.bufs[0][0] + 1)

    def _expectations(self) -> None:
        """The bytes the stream must carry (one lap), the packet ends, the STATUS write-backs."""
        s, tb = self.spec, self.tb
        n = len(self.bufs)
        k = s.fault_desc if s.halts else n
        last_bytes = 0
        if s.fault in ("data_slv", "data_dec"):
            addr, ln = self.bufs[k]
            target = addr + int(s.fault_pos * (ln - 1))
            self.target = self.bus + target
            word = target - target % tb.bytes_per_beat
            last_bytes = max(0, word - addr)     # sent before the failed beat
        lap, ends, starts, wbs = bytearray(), [], [], []
        for i, ((addr, ln), (_, eof)) in enumerate(zip(self.bufs, s.frames)):
            if i > k or (i == k and s.fault not in ("data_slv", "data_dec")):
                break
            starts.append(len(lap))
            if i == k:
                lap += tb.mem[addr:addr + last_bytes]
                bit = ST.DMA_SLV_ERR if s.fault == "data_slv" else ST.DMA_DEC_ERR
                wbs.append((self.descs[i], bit.put(1) | ST.LENGTH.put(last_bytes)))
                break
            lap += tb.mem[addr:addr + ln]
            if eof:
                ends.append(len(lap))
            wbs.append((self.descs[i], ST.CMPLT.put(1) | ST.LENGTH.put(ln)))
        if s.fault == "zero_len":
            wbs.append((self.descs[k], ST.DMA_INT_ERR.put(1)))
        # A packet left open by the error (no TXEOF yet) is sent up to its last full stream beat:
        # the bytes of a partial beat wait in the engine for the packet's next bytes (a partial
        # beat goes out only with TLAST) and are cleared when the channel halts.
        open_at = ends[-1] if ends else 0
        if len(lap) > open_at:
            db = tb.bytes_per_beat
            lap = lap[:open_at + (len(lap) - open_at) // db * db]
        self.lap, self.ends, self.starts, self.writebacks = bytes(lap), ends, starts, wbs
        # the final STATUS word of every descriptor in memory
        self.final = [self._word(d + STATUS_OFF) for d in self.descs]
        for d, st in wbs:
            self.final[self.descs.index(d)] = st

    def _install_fault(self) -> None:
        s, tb = self.spec, self.tb
        tb.mm2s_rd.fault = None
        if s.fault is None or s.fault in BENIGN + ("zero_len", "sg_int"):
            return
        resp = rm.RESP_SLVERR if s.fault.endswith("slv") else rm.RESP_DECERR
        hits = self.hits
        if s.fault.startswith("data"):
            target = self.target
            tb.mm2s_rd.fault = lambda a, n, w: (hits.append(a) or resp) if a <= target < a + n else 0
            return
        sgb = len(tb.dut.m_axi_sg_rdata) // 8
        beats = 32 // sgb
        word = self.bus + self.descs[s.fault_desc] + sgb * min(beats - 1, int(s.fault_pos * beats))
        other = tb.sg_rd.fault        # an S2MM fault of the same seed stays armed

        def fetch(a, n, w):
            if not w and a <= word < a + n:
                hits.append(a)
                return resp
            return other(a, n, w) if other is not None else 0
        tb.sg_rd.fault = fetch

    # ---------------------------------------------------------------- run
    async def start(self) -> None:
        s = self.spec
        if s.start_delay:
            await ClockCycles(self.tb.dut.axi_aclk, s.start_delay)
        first = self.bus + self.descs[0]
        tail = self.bus + (self.desc_base + 0x100000 if s.cyclic else self.descs[-1])
        self.irq0 = self.tb.mm2s_irq_count
        await self.tb.mm2s_start(first, tail, cyclic=s.cyclic, threshold=s.threshold, delay=s.delay)

    def _done(self) -> bool:
        s, tb = self.spec, self.tb
        wb = len(tb.mm2s_writebacks)
        if s.cyclic and not s.halts:
            return wb >= s.laps * len(self.descs)
        if s.halts:
            return False            # Halted, read from DMASR
        return wb >= len(self.writebacks) and self.sb.pos >= len(self.lap)

    async def run(self) -> Mm2sResult:
        """Start, wait until done (or the watchdog), check; sets ``finished``."""
        tb, s = self.tb, self.spec
        try:
            await self.start()
            last, quiet_since = (-1, -1), tb.cycle
            while True:
                await ClockCycles(tb.dut.axi_aclk, 100)
                if s.halts:
                    sr = await tb.read_reg("MM2S_DMASR")
                    if SR.HALTED.get(sr):
                        break
                elif self._done():
                    break
                now = (self.sb.pos, len(tb.mm2s_writebacks))
                if now != last:
                    last, quiet_since = now, tb.cycle
                if tb.cycle - quiet_since > self.watchdog:
                    self.res.hangs += 1
                    self.res.problems.append(await self._hang_state())
                    return self.res
            if s.cyclic and not s.halts:
                await self._stop()
            await ClockCycles(tb.dut.axi_aclk, 20)
            await self.check()
            return self.res
        finally:
            self.finished = True

    async def _stop(self) -> None:
        """Cyclic mode: RS=0 with TREADY held high (no beat can wait when the channel stops)."""
        tb = self.tb
        set_pause(tb.sink, None)
        await ClockCycles(tb.dut.axi_aclk, 2)
        await tb.write_reg("MM2S_DMACR", CR.IRQ_THRESHOLD.put(self.spec.threshold))
        await tb.mm2s_wait_halted(timeout_cycles=self.watchdog)

    async def wait_finished(self) -> None:
        while not self.finished:
            await ClockCycles(self.tb.dut.axi_aclk, 50)

    async def _hang_state(self) -> str:
        tb = self.tb
        return (f"mm2s hang: DMASR {await tb.read_reg('MM2S_DMASR'):#x} CURDESC "
                f"{await tb.read_reg('MM2S_CURDESC'):#x}, {self.sb.pos} of {len(self.lap)} bytes, "
                f"{len(tb.mm2s_writebacks)} write-backs of {len(self.writebacks)}, "
                f"tvalid {tb.dut.m_axis_mm2s_tvalid.value} tready {tb.dut.m_axis_mm2s_tready.value}")

    # ---------------------------------------------------------------- checks
    async def check(self) -> None:
        tb, s, r = self.tb, self.spec, self.res
        sr = await tb.read_reg("MM2S_DMASR")
        errs = [f.name for f in rm.DMASR_ERROR_BITS if f.get(sr)]
        want = [ERROR_BITS[s.fault].name] if s.halts else []
        if errs != want:
            r.fail(f"MM2S_DMASR {sr:#010x}: error bits {errs}, expected {want}")
        introut = int(tb.dut.mm2s_introut.value)
        cr = await tb.read_reg("MM2S_DMACR")
        cur = await tb.read_reg("MM2S_CURDESC")
        if s.halts:
            if not (SR.HALTED.get(sr) and SR.ERR_IRQ.get(sr) and introut):
                r.fail(f"MM2S_DMASR {sr:#010x}, mm2s_introut {introut}: expected Halted and Err_Irq, interrupt high")
            if CR.RS.get(cr):
                r.fail(f"MM2S_DMACR {cr:#010x}: RS must clear on an error")
            want_cur = (self.bus + self.descs[s.fault_desc]) & 0xFFFFFFFF
            if cur != want_cur:
                r.fail(f"MM2S_CURDESC {cur:#x}, expected the faulting descriptor {want_cur:#x}")
            if s.fault not in ("zero_len", "sg_int") and not self.hits:
                r.fail(f"the {s.fault} fault was never hit")
        elif not s.cyclic:
            if not SR.IDLE.get(sr) or SR.HALTED.get(sr):
                r.fail(f"MM2S_DMASR {sr:#010x}: expected Idle (not Halted) at the tail")
            want_cur = (self.bus + self.descs[-1]) & 0xFFFFFFFF
            if cur != want_cur:
                r.fail(f"MM2S_CURDESC {cur:#x} at the tail, expected {want_cur:#x}")
            # IOC_Irq once the threshold is reached; with IRQDelay the delay timer may expire
            # first between completions (Dly_Irq), and each expiry reloads the threshold counter
            ioc = len(self.descs) >= max(1, s.threshold)
            if ioc and not s.delay and not (SR.IOC_IRQ.get(sr) and introut):
                r.fail(f"MM2S_DMASR {sr:#010x}, mm2s_introut {introut}: {len(self.descs)} completions, "
                       f"threshold {s.threshold}: expected IOC_Irq and the interrupt")
            if ioc and s.delay and not ((SR.IOC_IRQ.get(sr) or SR.DLY_IRQ.get(sr)) and introut):
                r.fail(f"MM2S_DMASR {sr:#010x}, mm2s_introut {introut}: {len(self.descs)} completions, "
                       f"threshold {s.threshold}, delay {s.delay}: expected IOC_Irq or Dly_Irq and the interrupt")
            if not (ioc or s.delay) and (SR.IOC_IRQ.get(sr) or SR.DLY_IRQ.get(sr) or introut):
                r.fail(f"MM2S_DMASR {sr:#010x}, mm2s_introut {introut}: an interrupt without its cause")
        else:
            if not SR.HALTED.get(sr):
                r.fail(f"MM2S_DMASR {sr:#010x}: not halted after RS=0")
        if self.s2mm_idle:
            s2 = await tb.read_reg("S2MM_DMASR")
            if any(f.get(s2) for f in rm.DMASR_ERROR_BITS) or int(tb.dut.s2mm_introut.value):
                r.fail(f"S2MM_DMASR {s2:#010x}, s2mm_introut {tb.dut.s2mm_introut.value}: MM2S traffic showed on S2MM")
        self._check_writebacks()
        self._check_stream()

    def _check_writebacks(self) -> None:
        tb, s, r = self.tb, self.spec, self.res
        got = tb.mm2s_writebacks
        for a, data in got:
            if (a - self.bus) % rm.DESC_SIZE != STATUS_OFF or len(data) != 4:
                r.fail(f"MM2S descriptor write at {a:#x} of {len(data)} bytes: only the STATUS word may be written")
                return
        seq = [(a - self.bus - STATUS_OFF, int.from_bytes(d, "little")) for a, d in got]
        if s.cyclic and not s.halts:
            n = len(self.writebacks)
            want = [self.writebacks[i % n] for i in range(len(seq))]
            if len(seq) < s.laps * n:
                r.fail(f"{len(seq)} MM2S write-backs, expected at least {s.laps * n}")
        else:
            want = self.writebacks
            if len(seq) != len(want):
                r.fail(f"{len(seq)} MM2S STATUS write-backs, expected {len(want)}")
        for i, (g, w) in enumerate(zip(seq, want)):
            if g != w:
                r.fail(f"MM2S write-back {i}: descriptor {g[0]:#x} STATUS {g[1]:#010x}, "
                       f"expected descriptor {w[0]:#x} STATUS {w[1]:#010x}")
                break
        r.descriptors += min(len(seq), len(want))
        if not (s.cyclic and not s.halts):
            for i, d in enumerate(self.descs):
                st = self._word(d + STATUS_OFF)
                if st != self.final[i]:
                    r.fail(f"MM2S descriptor {i} ({d:#x}): STATUS {st:#010x} in memory, expected {self.final[i]:#010x}")
                    break

    def _check_stream(self) -> None:
        s, r, sb = self.spec, self.res, self.sb
        if sb.failure is not None:
            r.fail(sb.failure)
        if s.cyclic and not s.halts:
            done = len(self.tb.mm2s_writebacks)
            lap_n = len(self.descs)
            need = (done // lap_n) * len(self.lap) + sum(self.spec.lengths[:done % lap_n])
            if sb.pos < need:
                r.fail(f"{sb.pos} stream bytes for {done} write-backs, which need {need}")
        elif sb.pos != len(self.lap):
            r.fail(f"{sb.pos} bytes on m_axis_mm2s, expected {len(self.lap)}")
        r.bytes += sb.pos
        sb.disarm()


def spec_for_fault(n: int, fault: Optional[str], desc: int, pos: float, cyclic: bool, backpressure: bool,
                   seed: int, lengths: Optional[list[int]] = None) -> Mm2sSpec:
    """A fault-campaign spec: ``n`` buffers of mixed lengths in packets of one to three buffers."""
    rng = np.random.default_rng([seed, 77])
    lengths = lengths or [int(x) for x in rng.integers(200, 1500, n)]
    frames, i = [], 0
    while i < n:
        k = min(n - i, int(rng.integers(1, 4)))
        frames += [(j == 0, j == k - 1) for j in range(k)]
        i += k
    bp = 0.3 if backpressure else 0.0
    return Mm2sSpec(lengths=lengths, offsets=[int(x) for x in rng.integers(0, 64, n)], frames=frames,
                    cyclic=cyclic, laps=2 if cyclic else 1, sink_duty=bp, ar_duty=bp / 2, r_duty=bp,
                    latency=8 if backpressure else 0, threshold=int(rng.integers(1, 4)), fault=fault,
                    fault_desc=desc, fault_pos=pos, data_seed=seed)


