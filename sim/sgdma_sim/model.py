"""Cycle-approximate model of rtl/sgdma.v, at descriptor and burst granularity.

Same registers (from ``regmap``), descriptor semantics, STATUS and APP0 write-back, interrupt
coalescing and delay timer, errors, ring-full policies and counters as the RTL; time advances
from event to event (a descriptor's data, a completion, an interrupt, a register access), never
one Python step per clock.  ``ModelBackend`` gives the driver the same ``HwInterface`` as the
cocotb backend, over the same simulated memory, so the unmodified driver model runs on it.

Timing (all in engine clocks; the constants are calibrated against the RTL by
tests/test_model_calibration.py and tb/test_calibration.py):
- data: one W beat per clock, slowed by the stream rate, by W-channel backpressure, and by the
  write-response latency when MAX_OUTSTANDING bursts cannot cover it;
- a descriptor read costs FETCH_BEATS + READ_LATENCY; the next one is prefetched while the
  current buffer is written, so it only costs time when buffers are short;
- a completion is seen B_LATENCY + STATUS_LATENCY after the buffer's last data beat;
- AXI-Lite register accesses take LITE_READ / LITE_WRITE clocks.
"""
from __future__ import annotations

import bisect
import contextlib
import gc
from functools import partial
import math
import struct
from collections import deque
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Iterator

import numpy as np

from sgdma_driver import regmap as rm
from .events import PHASE_EARLY, PHASE_LATE, PHASE_NORMAL, Scheduler

QUEUE_DEPTH = 4
DROP_LEAD = 2     # clocks between the mover's first drop and the end of its last buffer
DROP_TAIL = 2     # clocks from a releasing doorbell taking effect in which the mover still drops
CR, SR, XC, XS = rm.S2MM_DMACR, rm.S2MM_DMASR, rm.SGDMA_XCTRL, rm.SGDMA_XSTATUS
ST = rm.STATUS
_SR_OFF = SR.offset
_ST_LENGTH, _ST_CMPLT = ST.LENGTH, ST.CMPLT
_ST_LENGTH_LSB, _ST_LENGTH_MAX, _ST_CMPLT_MASK = ST.LENGTH.lsb, ST.LENGTH.max, ST.CMPLT.mask
_ST_RXSOF, _ST_RXEOF = ST.RXSOF.mask, ST.RXEOF.mask
_DESC_WORDS = struct.Struct("<8I")         # the fetched first 32 bytes of a descriptor
_STATUS_APP0 = struct.Struct("<II")        # STATUS and APP0, written back together
_STATUS_OFF = rm.DESC_OFFSETS["status"]
_APP_AFTER_STATUS = rm.DESC_OFFSETS["app"] == _STATUS_OFF + 4 and rm.DESC_ALIGN % 64 == 0
_SR_HALTED, _SR_SG_INCLD, _SR_IDLE = SR.HALTED.mask, SR.SG_INCLD.mask, SR.IDLE.mask
_SR_IOC, _SR_DLY, _SR_ERR = SR.IOC_IRQ.mask, SR.DLY_IRQ.mask, SR.ERR_IRQ.mask
_SR_THRESHOLD_LSB, _SR_THRESHOLD_MAX = SR.IRQ_THRESHOLD_STS.lsb, SR.IRQ_THRESHOLD_STS.max
_XS_OVR, _XS_FULL, _XS_DROPPING = XS.OVR_IRQ.mask, XS.RING_FULL.mask, XS.DROPPING.mask
# register offset -> the bits a read samples a clock before the rest (the register slave
# samples them into flip-flops of its own first)
_LAGGED_BITS = {SR.offset: _SR_HALTED | _SR_IDLE, XS.offset: _XS_FULL | _XS_DROPPING}
_CR_OFF, _XS_OFF, _XC_OFF = CR.offset, XS.offset, XC.offset
_CURDESC_OFF, _CURDESC_MSB_OFF = rm.REG["S2MM_CURDESC"].offset, rm.REG["S2MM_CURDESC_MSB"].offset
_TAILDESC_OFF, _TAILDESC_MSB_OFF = rm.REG["S2MM_TAILDESC"].offset, rm.REG["S2MM_TAILDESC_MSB"].offset
_SG_CTL_OFF = rm.REG["SG_CTL"].offset
_XS_OVR_LSB = XS.OVR_IRQ.lsb
# counter register offset -> (counter, is the high word)
_COUNTER_REGS = {off: (n, high) for n, pair in rm.COUNTER_OFFSETS.items()
                 for high, off in ((False, pair[0]), (True, pair[1]))}


def _word_view(ram: np.ndarray) -> memoryview | np.ndarray:
    """RAM as little-endian 32-bit words with Python-int item access: a native memoryview
    where the host is little-endian (several times quicker per word and per slice than
    numpy's indexing), else a numpy view."""
    n = len(ram) // 4 * 4
    if np.little_endian and struct.calcsize("I") == 4:
        return memoryview(ram[:n]).cast("B").cast("I")
    return ram[:n].view("<u4")


@dataclass
class ModelParams:
    data_width: int = 64
    addr_width: int = 32
    sg_data_width: int = 64
    max_burst_len: int = 16
    max_outstanding: int = 4
    len_width: int = 26
    delay_unit: int = rm.DELAY_UNIT
    # timing of the surroundings
    b_latency: int = 2            # last W beat of a burst -> its B response
    read_latency: int = 3         # AR -> first R beat (descriptor fetch)
    status_issue: int = 2         # data B of a buffer's last burst -> STATUS written to memory
    status_latency: int = 2       # data B of a buffer's last burst -> write-back acknowledged
    w_accept: float = 1.0         # fraction of clocks the memory accepts a W beat
    lite_read: int = 4            # AXI-Lite read, request to data in the driver (the slave
                                  # holds the address a clock, then samples the register; the
                                  # bits it samples into flip-flops of its own first, DMASR
                                  # Halted and Idle and XSTATUS ring full / dropping, a clock
                                  # earlier)
    lite_write: int = 4           # AXI-Lite write, request to done (B seen by the driver)
    lite_effect: int = 2          # AXI-Lite write, request to the clock the register takes it
                                  # (the slave registers AW and W, then decodes)
    lite_repeat: int = 2          # clocks between two AXI-Lite reads (or two writes) back to back
    doorbell_to_fetch: int = 2    # TAILDESC write -> first descriptor read issued
    rearm_to_fetch: int = 2       # TAILDESC write releasing a waiting fetcher (tail reached, or a
                                  # descriptor still owned by software) -> its read issued
    first_data: int = 1           # descriptor queued and data present -> first W beat
    irq_latency: int = 2          # status bit -> s2mm_introut

    @property
    def db(self) -> int:
        return self.data_width // 8


class StreamSource:
    """The device: bytes in packets (tlast at each packet end), at `rate` beats per clock.

    A packet is bytes or a generated sequence (an object with ``len()`` and
    ``slice(pos, n) -> numpy uint8 array``), so a long pattern stream need not exist in memory
    at once; the engine takes it as numpy arrays, one per buffer."""

    def __init__(self, db: int, rate: float = 1.0):
        if not 0 < rate <= 1:
            raise ValueError(f"stream rate {rate} must be in (0, 1]")
        self.db, self.rate = db, rate
        self.chunks: list[Any] = []
        self.chunk_starts: list[int] = []
        self.pkt_ends: list[int] = []     # cumulative byte positions where tlast falls
        self.pos = 0                      # next byte to deliver
        self.pkt_start = 0                # where the current packet began
        self.next_time = 0.0              # earliest clock the next beat can be delivered
        self.total = 0
        self._chunk = 0                   # the chunk the last read began in
        self._chunk_ends: list[int] = []  # where each chunk ends
        self._slicers: list[Any] = []     # each chunk's slice method (None: a numpy array)

    def push(self, data: Any, last: bool = True) -> None:
        if not hasattr(data, "slice"):
            data = np.frombuffer(bytes(data), dtype=np.uint8)
        self.chunk_starts.append(self.total)
        self.chunks.append(data)
        self.total += len(data)
        self._chunk_ends.append(self.total)
        self._slicers.append(getattr(data, "slice", None))
        if last:
            self.pkt_ends.append(self.total)

    def available(self) -> int:
        return self.total - self.pos

    def next_packet_end(self) -> int | None:
        i = bisect.bisect_right(self.pkt_ends, self.pos)
        return self.pkt_ends[i] if i < len(self.pkt_ends) else None

    def packet_start(self) -> bool:
        return self.pos == self.pkt_start

    def beat_offset(self) -> int:
        """Bytes of the current stream beat already taken."""
        return (self.pos - self.pkt_start) % self.db

    def beats_for(self, n: int) -> int:
        """Stream beats that carry the next n bytes (the current beat may be partly used)."""
        used = self.beat_offset()
        return -(-(used + n) // self.db) - (1 if used else 0)

    @staticmethod
    def _piece(chunk: Any, a: int, n: int) -> np.ndarray:
        return chunk.slice(a, n) if hasattr(chunk, "slice") else chunk[a:a + n]

    def _read(self, n: int) -> np.ndarray:
        pos, end = self.pos, self.pos + n
        if n <= 0:
            return np.zeros(0, dtype=np.uint8)
        i = self._chunk
        if not (i < len(self.chunks) and self.chunk_starts[i] <= pos < self.chunk_starts[i] + len(self.chunks[i])):
            i = self._chunk = bisect.bisect_right(self.chunk_starts, pos) - 1
        c, c0 = self.chunks[i], self.chunk_starts[i]
        if end <= c0 + len(c):          # within one chunk (the usual case)
            return c.slice(pos - c0, n) if hasattr(c, "slice") else c[pos - c0:end - c0]
        out = []
        while pos < end:
            c, c0 = self.chunks[i], self.chunk_starts[i]
            k = min(end, c0 + len(c)) - pos
            out.append(self._piece(c, pos - c0, k))
            pos += k
            i += 1
        if len(out) == 1:
            return out[0]
        return np.concatenate(out) if out else np.zeros(0, dtype=np.uint8)

    def take(self, n: int, start: float, beats: int | None = None) -> tuple[np.ndarray, float]:
        """Delivers n bytes to an engine ready from `start`; returns (data, clock of the last).
        `beats`: ``beats_for(n)`` if the caller has it already."""
        if beats is None:
            beats = self.beats_for(n)
        t0 = start if start > self.next_time else self.next_time
        end = t0 + beats / self.rate
        if beats:
            self.next_time = end
        pos = self.pos
        i = self._chunk
        starts = self.chunk_starts
        if n > 0 and i < len(starts) and starts[i] <= pos and pos + n <= self._chunk_ends[i]:
            # within the chunk the last read began in (the usual case)
            sl = self._slicers[i]
            data = sl(pos - starts[i], n) if sl is not None else self.chunks[i][pos - starts[i]:pos - starts[i] + n]
        else:
            data = self._read(n)
        self.pos = pos = pos + n
        ends = self.pkt_ends
        if ends and ends[-1] <= pos:      # (at or past the last packet end: no search)
            last = ends[-1]
        else:
            i = bisect.bisect_right(ends, pos) - 1
            last = ends[i] if i >= 0 else None
        if last is not None and last > self.pkt_start and last <= pos:
            self.pkt_start = last
        return data, end


class EngineModel:
    """The engine's architectural state and behaviour."""

    # A buffer's STATUS write-back and its completion fall in one clock with the default
    # timing: one scheduled call then does both (False: one call each, as when they do not;
    # the reports are the same either way, which tests/test_model_bulk.py checks).
    merge_completion_calls: bool = True

    def __init__(self, sched: Scheduler, params: ModelParams, port):
        self.s, self.p, self.port = sched, params, port
        self.source = StreamSource(params.db)
        self.irq_event = sched.event()
        self.wake = sched.event()
        self.counters = dict.fromkeys(rm.COUNTERS, 0)
        self._hi: dict[str, int] = {}
        self.rx_pos = 0
        self.fault: Callable[[int, int, bool], int] | None = None
        self.statuses: dict[int, int] = {}
        # kept translations: buffer (bus address << 27 | length) -> (IOMMU generation,
        # passthrough, destination views); descriptor page (bus page << 1 | is write) ->
        # (generation, passthrough, index of the page's first word in the RAM word view)
        self._xlate: dict[int, tuple[int, bool, list]] = {}
        self._page_xlate: dict[int, tuple[int, bool, int]] = {}
        self._iommu = getattr(port, "iommu", None)
        self._ram_words: memoryview | np.ndarray | None = None    # RAM as 32-bit words (descriptor accesses)
        self._ram_words_of: np.ndarray | None = None
        self._epoch = 0
        self._reset_regs()
        self.introut = False
        self._irq_target = False
        self._line: dict[int, bool] = {}            # clock -> level the line takes then
        self._line_prev, self._line_changed_at = False, -1
        self._quiet_at = 0.0
        self._dly_latest = (0, 0, -1)                # the latest delay timer: (expiry, seq, generation)
        self._dly_queued: int | None = None          # sequence number of the call scheduled for it
        self._held_until: dict[int, float] = {}
        self._doorbell_at = 0
        self._failed_writeback: int | None = None   # descriptor whose STATUS write was refused
        # buffers whose write-back and completion are scheduled (see _complete_at)
        self._both_q: deque[tuple[int, int, int, int, int]] = deque()
        self._wb_q: deque[tuple[int, int, int, int, int]] = deque()
        self._done_q: deque[tuple[int, int, int, int, int]] = deque()
        self._both_call, self._wb_call, self._done_call = self._both_next, self._writeback_next, self._done_next
        self._w_rate = self._w_throughput()         # (the parameters are fixed for the engine's life)
        self._pkt_counted = False                   # current packet already counted as dropped
        # write monitor: W data beats, clocks the stream had data for an engine that had a buffer,
        # and each buffer's (first beat, last beat, bytes) to interpolate the bytes written so far
        self.perf = {"w_beats": 0, "waiting_cycles": 0.0}
        self._w_segs: deque[tuple[float, float, int]] = deque(maxlen=16)
        self._w_total = 0
        self._full_end = 0.0
        sched.spawn(self._engine(), "engine")

    def record_write(self, start: float, end: float, nbytes: int) -> None:
        """The mover wrote ``nbytes`` of a buffer between clocks ``start`` and ``end``."""
        self._w_segs.append((start, end, nbytes))
        self._w_total += nbytes

    def bytes_written(self, t: float) -> int:
        """Data bytes the W channel has carried by clock t (buffers interpolated beat by beat)."""
        n = self._w_total
        for start, end, k in reversed(self._w_segs):   # buffers end in order: the latest first
            if t >= end:
                break
            n -= k if t <= start else int(k * (end - t) / (end - start))
        return n

    # ------------------------------------------------------------------ registers
    def _reset_regs(self) -> None:
        self.rs = self.cyclic = False
        self.ioc_en = self.dly_en = self.err_en = False
        self.threshold, self.delay = 1, 0
        self.curdesc = self.taildesc = 0
        self._tail_lo = 0      # TAILDESC low word as written; taken into taildesc by the doorbell
        self.sg_cache = 0b0011
        self.policy_drop = self.ownership = self.ovr_en = self.pos_wb = False
        self.halted, self.err_bits = True, set()
        self.ioc_irq = self.dly_irq = self.err_irq = self.ovr_irq = False
        self.count, self.pending, self._dly_gen = 1, False, 0
        self.started = False
        self.tail_reached = False
        self.owner_wait = False
        self.next_desc = 0
        self.ring_full = False
        self.dropping = False
        self._epoch += 1   # invalidates work scheduled by a flushed run

    def read_reg(self, off: int) -> int:
        if off == _SR_OFF:               # the interrupt service's registers first, bits from regmap
            if self.halted:
                v = _SR_SG_INCLD | _SR_HALTED
            else:                        # (_idle(), inline)
                v = _SR_SG_INCLD | (_SR_IDLE if not self.cyclic and (not self.started or self.tail_reached)
                                    and self.s.now >= self._quiet_at else 0)
            for name in self.err_bits:
                v |= getattr(SR, name).mask
            v |= ((_SR_IOC if self.ioc_irq else 0) | (_SR_DLY if self.dly_irq else 0)
                  | (_SR_ERR if self.err_irq else 0))
            return v | (self.count << _SR_THRESHOLD_LSB if 0 <= self.count <= _SR_THRESHOLD_MAX
                        else SR.IRQ_THRESHOLD_STS.put(self.count))
        counter = _COUNTER_REGS.get(off)
        if counter is not None:
            name, high = counter
            if high:
                return self._hi.get(name, 0)
            self._hi[name] = self.counters[name] >> 32
            return self.counters[name] & 0xFFFFFFFF
        if off == _XS_OFF:
            return ((_XS_OVR if self.ovr_irq else 0) | (_XS_FULL if self.ring_full else 0)
                    | (_XS_DROPPING if self.dropping else 0))
        return self._read_reg_other(off)

    def _read_reg_other(self, off: int) -> int:
        """Every register but DMASR, XSTATUS and the counters (read_reg answers those first)."""
        if off == CR.offset:
            v = (CR.RS.put(int(self.rs)) | CR.CYCLIC_BD_EN.put(int(self.cyclic)) | CR.IOC_IRQ_EN.put(int(self.ioc_en))
                 | CR.DLY_IRQ_EN.put(int(self.dly_en)) | CR.ERR_IRQ_EN.put(int(self.err_en))
                 | CR.IRQ_THRESHOLD.put(self.threshold) | CR.IRQ_DELAY.put(self.delay))
            return v
        regs = rm.REG
        if off == regs["S2MM_CURDESC"].offset:
            return self.curdesc & 0xFFFFFFFF
        if off == regs["S2MM_CURDESC_MSB"].offset:
            return self.curdesc >> 32 if self.p.addr_width > 32 else 0
        if off == regs["S2MM_TAILDESC"].offset:
            return self._tail_lo
        if off == regs["S2MM_TAILDESC_MSB"].offset:
            return self.taildesc >> 32 if self.p.addr_width > 32 else 0
        if off == regs["SG_CTL"].offset:
            return self.sg_cache
        if off == regs["SGDMA_ID"].offset:
            return regs["SGDMA_ID"].reset
        if off == regs["SGDMA_CONFIG"].offset:
            c = rm.SGDMA_CONFIG
            return (c.DATA_BYTES_LOG2.put(self.p.db.bit_length() - 1) | c.ADDR64.put(int(self.p.addr_width == 64))
                    | c.MAX_BURST_LEN.put(self.p.max_burst_len) | c.MAX_OUTSTANDING.put(self.p.max_outstanding)
                    | c.LEN_WIDTH.put(self.p.len_width) | c.S2MM.put(1))
        if off == XC.offset:
            return (XC.POLICY_DROP.put(int(self.policy_drop)) | XC.OWNERSHIP.put(int(self.ownership))
                    | XC.OVR_IRQ_EN.put(int(self.ovr_en)) | XC.POS_WRITEBACK.put(int(self.pos_wb)))
        return 0

    def write_reg(self, off: int, v: int) -> None:
        if off == _TAILDESC_OFF and self.p.addr_width == 32:   # the doorbell first: the usual write
            self._tail_lo = v & 0xFFFFFFC0
            self.taildesc = self._tail_lo
            if not self.halted:
                self._doorbell()
            return
        if off == _CR_OFF:
            if CR.RESET.get(v):
                self._soft_reset()
                return
            self.rs = bool(CR.RS.get(v))
            self.cyclic = bool(CR.CYCLIC_BD_EN.get(v))
            self.ioc_en, self.dly_en, self.err_en = (bool(CR.IOC_IRQ_EN.get(v)), bool(CR.DLY_IRQ_EN.get(v)),
                                                     bool(CR.ERR_IRQ_EN.get(v)))
            self.threshold, self.delay = CR.IRQ_THRESHOLD.get(v), CR.IRQ_DELAY.get(v)
            self.count, self.pending = max(1, self.threshold), False
            self._dly_gen += 1
            if self.rs and self.halted and not self.err_bits:
                self.halted = False
            elif not self.rs and not self.halted:
                self._halt()
            self._update_irq()
        elif off == _SR_OFF:
            if v & _SR_IOC:
                self.ioc_irq = False
            if v & _SR_DLY:
                self.dly_irq = False
            if v & _SR_ERR:
                self.err_irq = False
            self._update_irq()
        elif off == _CURDESC_OFF and self.halted:
            self.curdesc = (self.curdesc & ~0xFFFFFFFF) | (v & ~0x3F)
        elif off == _CURDESC_MSB_OFF and self.halted and self.p.addr_width > 32:
            self.curdesc = (self.curdesc & 0xFFFFFFFF) | (v << 32)
        elif off == _TAILDESC_MSB_OFF and self.p.addr_width > 32:
            # 64-bit builds: the _MSB write is the doorbell and completes the tail address
            self.taildesc = (v << 32) | self._tail_lo
            if not self.halted:
                self._doorbell()
        elif off == _TAILDESC_OFF:
            self._tail_lo = v & 0xFFFFFFC0
            if self.p.addr_width == 32:   # 64-bit builds: the low word only latches
                self.taildesc = self._tail_lo
                if not self.halted:
                    self._doorbell()
        elif off == _SG_CTL_OFF:
            self.sg_cache = v & 0xF
        elif off == _XC_OFF:
            self.policy_drop, self.ownership = bool(XC.POLICY_DROP.get(v)), bool(XC.OWNERSHIP.get(v))
            self.ovr_en, self.pos_wb = bool(XC.OVR_IRQ_EN.get(v)), bool(XC.POS_WRITEBACK.get(v))
            self._update_irq()
        elif off == _XS_OFF and (v >> _XS_OVR_LSB) & 1:
            self.ovr_irq = False
            self._update_irq()

    def _doorbell(self) -> None:
        if not self.started:
            self.started = True
            self.next_desc = self.curdesc
            self._doorbell_time = self.s.now
            self.tail_reached = False
        elif self.tail_reached:
            # as in the RTL (PG021): a doorbell while Idle restarts fetching past the tail, so
            # a repeated TAILDESC is one more lap; while busy it only moves the pause point
            self.tail_reached = not self._idle() and (self.curdesc >> 6) == (self.taildesc >> 6)
        self.owner_wait = False
        self._doorbell_at = self.s.now
        self.wake.set()

    def _idle(self) -> bool:
        return (not self.halted and not self.cyclic and (not self.started or self.tail_reached)
                and self.s.now >= self._quiet_at)

    def _halt(self) -> None:
        self.halted = True
        self.rs = False
        self.started = False
        self._flush()

    def _flush(self) -> None:
        """Data path flushed: the rest of a partly used stream beat counts as consumed."""
        off = self.source.beat_offset()
        if off:
            drop = min(self.p.db - off, self.source.available())
            self.source.pos += drop
            self.rx_pos += drop
        self._epoch += 1
        self.wake.set()

    def _soft_reset(self) -> None:
        if not self.halted:
            self._flush()
        self._reset_regs()
        self._update_irq()

    # ------------------------------------------------------------------ interrupts
    def _update_irq(self) -> None:
        """The registered interrupt line follows the enabled status bits irq_latency later."""
        level = bool((self.ioc_irq and self.ioc_en) or (self.dly_irq and self.dly_en) or
                     (self.err_irq and self.err_en) or (self.ovr_irq and self.ovr_en))
        when = self.s.now + self.p.irq_latency
        if when in self._line:              # changed again in the same clock: no glitch
            self._line[when] = level
            self._irq_target = level
        elif level != self._irq_target:
            self._irq_target = level
            self._line[when] = level
            self.s.call_at(when, lambda: self._apply_line(when))

    def _apply_line(self, when: int) -> None:
        level = self._line.pop(when)
        rising = level and not self.introut
        if level != self.introut:
            self._line_prev, self._line_changed_at = self.introut, self.s.now
        self.introut = level
        if rising:
            self.irq_event.set()
            self.irq_event.clear()

    def line_before_edge(self) -> bool:
        """The interrupt line as software woken by this clock's edge sees it: the level before
        a change made in this very clock (a registered output updates after the edge)."""
        return self._line_prev if self._line_changed_at == self.s.now else self.introut

    def count_completion(self) -> None:
        """One descriptor completed: the interrupt coalescer counts it and restarts its delay timer."""
        self._dly_gen += 1
        if self.count <= 1:
            self.ioc_irq = True
            self.count, self.pending = max(1, self.threshold), False
        else:
            self.count -= 1
            self.pending = True
            if self.delay:
                # A delay timer for the current generation. Every timer armed before the latest
                # one finds its generation outdated when it expires and does nothing, so only
                # the latest is kept: one scheduled call stands for them all, and when it comes
                # due for an outdated timer it moves on to the latest one, in the place among
                # its clock's work that timer's own call would have had (_delay_due).
                s = self.s
                when = s.now + self.delay * self.p.delay_unit
                seq = s.reserve()
                self._dly_latest = (when, seq, self._dly_gen)
                if self._dly_queued is None:
                    self._dly_queued = seq
                    s.call_reserved(when, self._delay_due, seq)
        # _update_irq(), inline for the usual case: the level is already the line's target
        level = bool((self.ioc_irq and self.ioc_en) or (self.dly_irq and self.dly_en) or
                     (self.err_irq and self.err_en) or (self.ovr_irq and self.ovr_en))
        if level != self._irq_target or self._line:
            self._update_irq()

    def _delay_due(self) -> None:
        when, seq, gen = self._dly_latest
        if seq != self._dly_queued:        # an outdated timer: on to the latest
            self._dly_queued = seq
            self.s.call_reserved(when, self._delay_due, seq)
            return
        self._dly_queued = None
        self._delay_expired(gen)

    def _delay_expired(self, gen: int) -> None:
        if gen == self._dly_gen and self.pending:
            self.dly_irq = True
            self.count, self.pending = max(1, self.threshold), False
            self._dly_gen += 1
            self._update_irq()

    def _error(self, bit: str, desc: int) -> None:
        self.err_bits.add(bit)
        self.curdesc = desc
        self.err_irq = True
        self._halt()
        self._update_irq()

    # ------------------------------------------------------------------ memory access
    def _read(self, addr: int, n: int) -> bytes | None:
        if self.fault and self.fault(addr, n, False):
            return None
        try:
            return self.port.read_sync(addr, n)
        except Exception:  # noqa: BLE001 - a refused access is SLVERR
            return None

    def forget_memory(self) -> None:
        """Drops the kept translations and views of RAM (before the RAM is closed, so that no
        view keeps its mapping alive)."""
        self._xlate.clear()
        self._page_xlate.clear()
        if isinstance(self._ram_words, memoryview):
            self._ram_words.release()
        self._ram_words = self._ram_words_of = None

    def _words_at(self, addr: int, n: int, is_write: bool) -> tuple[np.ndarray, int] | bool:
        """Where a device access of ``n`` bytes (within one page, word aligned) lands: (RAM as
        32-bit words, index of the word at bus address ``addr``); False if the IOMMU refused
        it (the fault is recorded, as the port would); True if the caller must take the
        general path (no IOMMU port, a fault hook installed, or an access across pages).

        The IOMMU maps whole pages, so one translation serves every descriptor of a page: it
        is kept per bus page and direction while the IOMMU's page table is unchanged."""
        iommu = getattr(self.port, "iommu", None)
        off = addr & 0xFFF
        if iommu is None or self.fault is not None or addr & 3 or off + n > 0x1000:
            return True
        key = (addr >> 12) << 1 | is_write
        cached = self._page_xlate.get(key)
        if cached is None or cached[0] != iommu.generation or cached[1] != iommu.passthrough:
            try:
                pieces = iommu.translate(addr, n, is_write)
            except Exception:  # noqa: BLE001 - a refused access is SLVERR
                return False
            mem = self.port.mem
            if self._ram_words is None or self._ram_words_of is not mem.array:
                if isinstance(self._ram_words, memoryview):
                    self._ram_words.release()
                self._ram_words_of = mem.array
                self._ram_words = _word_view(mem.array)
            cached = self._page_xlate[key] = (iommu.generation, iommu.passthrough,
                                              (mem.offset(pieces[0][0], n) - off) >> 2)
        return self._ram_words, cached[2] + (off >> 2)

    def write_at(self, when: int, addr: int, data: np.ndarray) -> bool:
        """A buffer's data: whether the write is accepted is known now; the bytes land in
        memory when its first beat is written (`when`), not before, so a reader racing the
        engine sees them no earlier than on the RTL."""
        if self.fault and self.fault(addr, len(data), True):
            return False
        iommu = self._iommu
        if iommu is None:
            # any other memory port (read_sync/write_sync only): check now, write when it lands
            try:
                probe = getattr(self.port, "probe_write", None)   # (a port may check without reading)
                probe(addr, len(data)) if probe is not None else self.port.read_sync(addr, len(data))
            except Exception:  # noqa: BLE001 - a refused access is SLVERR
                return False
            payload = bytes(data)

            def land() -> None:
                self.port.write_sync(addr, payload)
        else:
            # a buffer is written at the same bus address every lap: its translation is kept
            # while the IOMMU's page table is unchanged
            n = len(data)
            key = addr << 27 | n                    # (lengths are below 2**26)
            cached = self._xlate.get(key)
            if cached is not None and cached[0] == iommu.generation and cached[1] == iommu.passthrough:
                dst = cached[2]
            else:
                try:
                    pieces = iommu.translate(addr, n, True)
                except Exception:  # noqa: BLE001 - a refused access is SLVERR
                    return False
                mem = self.port.mem
                if len(pieces) == 1:            # (the IOMMU maps RAM only: no range check)
                    at = pieces[0][0] - mem.base
                    dst = [mem.array[at:at + n]]
                else:
                    dst = [mem.view(phys, k) for phys, k in pieces]   # where each piece lands
                self._xlate[key] = (iommu.generation, iommu.passthrough, dst)

            if len(dst) == 1:
                land = partial(np.copyto, dst[0], data)
            else:
                def land() -> None:
                    pos = 0
                    for view in dst:
                        n = len(view)
                        view[:] = data[pos:pos + n]
                        pos += n
        s = self.s
        if when <= s.now:
            land()
        else:
            s.call_at(when, land)
        return True

    def _write(self, addr: int, data: bytes) -> bool:
        if self.fault and self.fault(addr, len(data), True):
            return False
        try:
            self.port.write_sync(addr, data)
            return True
        except Exception:  # noqa: BLE001
            return False

    # ------------------------------------------------------------------ the engine process

    async def _engine(self) -> None:
        s, p, src = self.s, self.p, self.source
        nbeats = 32 // (p.sg_data_width // 8)
        # (calibrated against the RTL, whose R beats enter a register before the fetcher
        # decodes them)
        fetch_cost = nbeats + p.read_latency + 3        # AR to the descriptor queued
        fetch_interval = max(nbeats, p.read_latency + 2)  # the next read issues once NXTDESC is in
        mover_free = 0.0          # clock the data path can start the next buffer
        fetch_free = 0.0          # clock the fetcher may issue the next read
        starts: deque[float] = deque(maxlen=QUEUE_DEPTH)   # data start of the latest buffers
        last_done = 0.0           # clock of the latest completion
        ceil = math.ceil
        while True:
            if self.halted or not self.started:
                self.wake.clear()
                await self.wake.wait()
                mover_free = float(s.now)
                starts.clear()
                fetch_free = float(s.now) + p.doorbell_to_fetch
                continue
            epoch = self._epoch
            if self.tail_reached or self.owner_wait:
                mover_free = await self._ring_full(mover_free)
                fetch_free = max(fetch_free, self._doorbell_at + p.rearm_to_fetch)
                continue
            addr = self.next_desc
            # the queue (4 descriptors) has room once the one 4 places back was taken
            t_fetch = max(fetch_free, starts[0] if len(starts) == QUEUE_DEPTH else 0.0)
            if self.cyclic and self.ownership and addr in self._held_until:
                # as in the RTL: a descriptor the engine still holds is not read again before its
                # own write-back has landed (it then reads Cmplt=1 and waits for software)
                t_fetch = max(t_fetch, self._held_until[addr])
            if t_fetch > s.now:
                d = ceil(t_fetch) - s.now
                if not s.advance(d):
                    await s.sleep(d)
            if epoch != self._epoch or self.halted:
                continue
            fetch_free = t_fetch + fetch_interval
            t_avail = t_fetch + fetch_cost
            desc = self._parse_descriptor(addr)
            if desc.__class__ is str:
                await self._refuse_descriptor(desc, addr, t_avail, last_done)
                continue
            buf, length = desc
            start = t_avail + p.first_data if mover_free < t_avail else mover_free
            if src.total == src.pos:             # (not src.available())
                start = await self._wait_data(epoch, t_avail, start)
            if epoch != self._epoch or self.halted:
                continue
            end, take, status, pos0, ok = self._move(addr, buf, length, start)
            starts.append(start)
            mover_free = end
            if not ok:
                await self._after(end + p.b_latency)
                self._write_status(addr, status | ST.DMA_SLV_ERR.put(1), pos0)
                self._error("DMA_SLV_ERR", addr)
                continue
            last_done = self._complete_at(epoch, addr, end, last_done, status, pos0, take)

    async def _ring_full(self, mover_free: float) -> float:
        """Ring full: STALL waits; DROP discards what the device sends until released.
        Returns the clock the data path is free again."""
        s = self.s
        self.ring_full = True
        self.wake.clear()
        if self.policy_drop:
            # the mover drops from the clock of its last W beat (the next stream beat
            # is already in its holding register)
            await self._drop_until_wake(max(mover_free - DROP_LEAD, float(s.now)))
        else:
            await self.wake.wait()
        self.ring_full = False
        self._full_end = float(s.now)
        return max(mover_free, float(s.now))

    def _parse_descriptor(self, addr: int) -> tuple[int, int] | str:
        """Reads the descriptor at `addr`: (buffer, length) to use, or why not: SG_SLV_ERR
        (read refused), SG_INT_ERR (Cmplt set, not cyclic), OWNED (Cmplt set, ownership
        mode) or DMA_INT_ERR (length 0)."""
        kept = self._page_xlate.get((addr >> 12) << 1)
        iommu = self._iommu
        if kept is not None and self.fault is None and kept[0] == iommu.generation \
                and kept[1] == iommu.passthrough:
            i = kept[2] + ((addr & 0xFFF) >> 2)        # (descriptors are 64-byte aligned)
            w = self._ram_words[i:i + 8].tolist()
        elif (at := self._words_at(addr, 32, False)) is False:
            return "SG_SLV_ERR"
        elif at is not True:
            words, i = at
            w = words[i:i + 8].tolist()
        else:
            raw = self._read(addr, 32)
            if raw is None:
                return "SG_SLV_ERR"
            w = _DESC_WORDS.unpack_from(raw)
        if w[7] & _ST_CMPLT_MASK:
            if not self.cyclic:
                return "SG_INT_ERR"
            if self.ownership:
                return "OWNED"
        self.next_desc = (w[0] | (w[1] << 32)) & ~0x3F
        length = ((w[6] >> _ST_LENGTH_LSB) & _ST_LENGTH_MAX) & ((1 << self.p.len_width) - 1)
        if length == 0:
            return "DMA_INT_ERR"
        return w[2] | (w[3] << 32), length

    async def _refuse_descriptor(self, why: str, addr: int, t_avail: float, last_done: float) -> None:
        """A descriptor not used (see _parse_descriptor): an error once the descriptor is in
        and earlier completions are done, or (OWNED) a wait for software."""
        if why == "OWNED":
            await self._after(t_avail)
            self.owner_wait = True
            return
        await self._after(max(last_done, t_avail))
        if why == "DMA_INT_ERR":
            self._write_status(addr, ST.DMA_INT_ERR.put(1), None)
        self._error(why, addr)

    async def _wait_data(self, epoch: int, t_avail: float, start: float) -> float:
        """Until the stream has data (or the run is flushed); returns the data start."""
        s, p = self.s, self.p
        while self.source.available() == 0 and epoch == self._epoch:
            await self._after(t_avail)
            if self.source.available():
                break
            self.wake.clear()           # check and clear in one step: no wake-up is lost
            await self.wake.wait()
            start = max(start, float(s.now) + p.first_data)
        return start

    def _move(self, addr: int, buf: int, length: int, start: float) -> tuple[float, int, int, int, bool]:
        """One buffer's data as the stream delivers it, from clock `start`: (clock of its last
        W beat, bytes taken, STATUS without Cmplt, stream position, write accepted)."""
        src, db = self.source, self.p.db
        self.curdesc = addr
        pos0 = self.rx_pos
        spos = src.pos
        sof = spos == src.pkt_start
        ends = src.pkt_ends
        if ends and ends[-1] > spos and (len(ends) == 1 or ends[-2] <= spos):
            pend = ends[-1]               # in the last packet (a single long one, usually)
        else:
            pend = src.next_packet_end()
        take = min(length, src.total - spos)
        eof = pend is not None and spos + take >= pend
        if eof:
            take = pend - spos
        # the stream offers its next beat once paced, and not before the engine took the last one
        segs = self._w_segs
        t_offered = max(src.next_time, self._full_end, segs[-1][1] - 1 if segs else 0.0)
        used = (spos - src.pkt_start) % db          # src.beats_for(take), inline
        sbeats = -(-(used + take) // db) - (1 if used else 0)
        # the holding register accepts each stream beat one clock before the mover uses it
        data, t_src = src.take(take, start - 1, sbeats)
        self.rx_pos = pos0 + take
        dbeats = -(-((buf % db) + take) // db)
        wbeats = dbeats + self._pads(buf, length, take) if eof else dbeats
        w_end = start + wbeats / self._w_rate
        t_last = t_src + 1
        end = w_end if w_end >= t_last else t_last
        perf = self.perf
        perf["w_beats"] += dbeats
        wait = start - 1 - t_offered
        perf["waiting_cycles"] += (wait if wait > 0.0 else 0.0) + (end - start if w_end >= t_last else sbeats)
        segs.append((start, end, take))          # record_write, in place
        self._w_total += take
        if not self.cyclic and (addr >> 6) == (self.taildesc >> 6):   # TAILDESC as it is now
            self.tail_reached = True
        status = ((take << _ST_LENGTH_LSB) if 0 <= take <= _ST_LENGTH_MAX else _ST_LENGTH.put(take)) | \
            (_ST_RXSOF if sof else 0) | (_ST_RXEOF if eof else 0)
        if not take:
            return end, take, status, pos0, True
        when = math.ceil(start)
        iommu = self._iommu
        kept = self._xlate.get(buf << 27 | take) if iommu is not None and self.fault is None else None
        if kept is not None and kept[0] == iommu.generation and kept[1] == iommu.passthrough \
                and len(kept[2]) == 1:
            # write_at's usual case, inline: a kept translation to one piece of RAM
            land = partial(np.copyto, kept[2][0], data)
            s = self.s
            if when <= s.now:
                land()
            else:
                s.call_at(when, land)
            return end, take, status, pos0, True
        return end, take, status, pos0, self.write_at(when, buf, data)

    def _complete_at(self, epoch: int, addr: int, end: float, last_done: float, status: int,
                     pos0: int, take: int) -> float:
        """Schedules a buffer's STATUS write-back and completion; returns the completion clock.

        Completions come in order (each at least one clock after the previous), so the
        scheduled calls find their buffers in first-in first-out queues."""
        p, s = self.p, self.s
        t_done = max(end + p.b_latency + p.status_latency, last_done + 1)
        self._quiet_at = t_done
        t_write = t_done - p.status_latency + p.status_issue
        self._held_until[addr] = t_done
        entry = (epoch, addr, status | _ST_CMPLT_MASK, pos0, take)
        t_write, t_done_clk = math.ceil(t_write), math.ceil(t_done)
        if t_write == t_done_clk and self.merge_completion_calls:
            # queued one after the other for the same clock: nothing can run between the two,
            # so one call does both, in order
            self._both_q.append(entry)
            s.call_at(t_done_clk, self._both_call)
        else:
            self._wb_q.append(entry)
            s.call_at(t_write, self._wb_call)
            self._done_q.append(entry)
            s.call_at(t_done_clk, self._done_call)
        return t_done

    def _writeback_next(self) -> None:
        epoch, addr, status, pos0, _ = self._wb_q.popleft()
        if epoch == self._epoch and not self._write_status(addr, status, pos0):
            self._failed_writeback = addr

    def _done_next(self) -> None:
        epoch, addr, _, _, take = self._done_q.popleft()
        if epoch != self._epoch:
            return
        if self._failed_writeback == addr:
            self._failed_writeback = None
            self._error("SG_SLV_ERR", addr)
            return
        counters = self.counters
        counters["COMPLETED"] += 1
        counters["BYTES_WRITTEN"] += take
        self.count_completion()

    def _both_next(self) -> None:
        epoch, addr, status, pos0, take = self._both_q.popleft()
        if epoch != self._epoch:
            return
        if not self._write_status(addr, status, pos0):
            self._error("SG_SLV_ERR", addr)
            return
        counters = self.counters
        counters["COMPLETED"] += 1
        counters["BYTES_WRITTEN"] += take
        self.count_completion()

    async def _after(self, t: float) -> None:
        if t > self.s.now:
            d = math.ceil(t) - self.s.now
            if not self.s.advance(d):
                await self.s.sleep(d)

    def _write_status(self, addr: int, status: int, pos: int | None) -> bool:
        if self.pos_wb and pos is not None and _APP_AFTER_STATUS:
            kept = self._page_xlate.get((addr >> 12) << 1 | 1)
            iommu = self._iommu
            if kept is not None and self.fault is None and kept[0] == iommu.generation \
                    and kept[1] == iommu.passthrough:
                i = kept[2] + (((addr & 0xFFF) + _STATUS_OFF) >> 2)
                words = self._ram_words
                words[i] = status
                words[i + 1] = pos & 0xFFFFFFFF
                self.statuses[addr] = status
                return True
            at = self._words_at(addr + _STATUS_OFF, 8, True)
            if at is False:
                self.statuses[addr] = status
                return False
            if at is not True:             # one 8-byte write, as below, to a known place
                words, i = at
                words[i] = status
                words[i + 1] = pos & 0xFFFFFFFF
                self.statuses[addr] = status
                return True
        if self.pos_wb and pos is not None and self.fault is None and _APP_AFTER_STATUS:
            # STATUS and APP0 are adjacent words of one 64-byte aligned descriptor (one page):
            # one write, accepted or refused as the two would be
            ok = self._write(addr + _STATUS_OFF, _STATUS_APP0.pack(status, pos & 0xFFFFFFFF))
        else:
            ok = self._write(addr + _STATUS_OFF, status.to_bytes(4, "little"))
            if ok and self.pos_wb and pos is not None:
                ok = self._write(addr + rm.DESC_OFFSETS["app"], (pos & 0xFFFFFFFF).to_bytes(4, "little"))
        self.statuses[addr] = status
        return ok

    def _w_throughput(self) -> float:
        p = self.p
        burst = p.max_burst_len
        cover = p.max_outstanding * burst / (burst + p.b_latency + 2)
        return min(1.0, p.w_accept, cover)

    def _pads(self, buf: int, capacity: int, taken: int) -> int:
        """WSTRB=0 beats that finish the burst a packet ended in."""
        p, db = self.p, self.p.db
        last_beat = (buf + max(taken, 1) - 1) // db * db
        cap_end = (buf + capacity + db - 1) // db * db
        bl = p.max_burst_len * db      # bursts are aligned to MAX_BURST_LEN beats (never past 4 KiB)
        bend = min(last_beat // bl * bl + bl, cap_end)
        return (bend - last_beat) // db - 1

    def _released(self, when: float) -> bool:
        """A doorbell has ended the ring-full state for a beat at clock `when` (the mover still
        drops for DROP_TAIL clocks from the clock the TAILDESC write takes effect, lite_effect
        after its request: the fetcher's "nothing more to fetch" is a flip-flop)."""
        return self.wake.is_set and when >= self._doorbell_at + DROP_TAIL

    async def _drop_until_wake(self, start: float) -> None:
        """DROP: beats the device sends while the ring is full are discarded and counted.

        Drop clocks run DROP_LEAD - 1 ahead of the source's delivery clocks: a beat is dropped
        from the holding register the clock it would have been taken for a buffer."""
        s, src = self.s, self.source
        lead = DROP_LEAD - 1
        t = max(start, src.next_time - lead, float(s.now))
        first = True
        while not self.halted and not (self.wake.is_set and self._released(max(t, float(s.now)))):
            n = src.available()
            if n == 0:
                await s.sleep(64)
                t = max(t, float(s.now))
                continue
            # the source delivers one beat per 1/rate clocks; drop beat by beat up to a packet end
            pend = src.next_packet_end()
            chunk = min(n, (pend - src.pos) if pend else n, self.p.db - src.beat_offset())
            when = max(t, src.next_time - lead)
            if when > s.now:
                await s.sleep(math.ceil(when) - s.now)
            if self.halted or self._released(when):
                break
            pkt_counted = self._pkt_counted
            _, t = src.take(chunk, when + lead)
            t -= lead
            if first:
                self.dropping = True
                self.ovr_irq = True
                self._update_irq()
                first = False
            self.counters["DROPPED_BYTES"] += chunk
            if not pkt_counted:
                self.counters["DROPPED_PACKETS"] += 1
            self._pkt_counted = not (pend and src.pos >= pend)
            self.rx_pos += chunk
        self.dropping = False


class ModelHw:
    """HwInterface on the model: register accesses cost AXI-Lite time."""

    # A read whose clocks have nothing else queued takes them in one step, and a write whose
    # effect is the first thing due runs it at once (False: both through the scheduler's
    # general path; the reports are the same either way, which tests/test_model_bulk.py checks).
    one_step_accesses: bool = True

    def __init__(self, sched: Scheduler, engine: EngineModel):
        self.s, self.e = sched, engine
        # The register slave takes one read (and, independently, one write) every
        # LITE_REPEAT clocks: concurrent accesses (an interrupt handler and a poller) queue.
        self._rd_free = 0
        self._wr_free = 0

    async def read_reg(self, offset: int) -> int:
        # the register is sampled with what the edge a clock after the request left (its
        # lagged bits with what the request's edge left), the data reaches the driver
        # lite_read clocks after the request
        e, s = self.e, self.s
        p = e.p
        now = s.now
        start = self._rd_free - p.lite_read + p.lite_repeat
        if start < now:
            start = now
        end = self._rd_free = start + p.lite_read
        lag_mask = _LAGGED_BITS.get(offset, 0)
        if self.one_step_accesses and s.quiet_through(end):
            # nothing is queued up to the response's clock: the advances below would run
            # nothing and only move the clock, to (start, late), (start + 1, late), (end, late)
            if lag_mask:
                s.jump(start, PHASE_LATE)
                lagged = e.read_reg(offset) & lag_mask
                s.jump(start + 1, PHASE_LATE)
                value = (e.read_reg(offset) & ~lag_mask) | lagged
            else:                                  # (nothing sampled at start: one read)
                s.jump(start + 1, PHASE_LATE)
                value = e.read_reg(offset)
            if s.quiet_through(end):               # (reading queued nothing either)
                s.jump(end, PHASE_LATE)
                return value
        else:
            if not s.advance(start - now, PHASE_LATE):   # (nothing else due first: no await)
                await s.sleep(start - s.now, PHASE_LATE)
            lagged = self.e.read_reg(offset) & lag_mask if lag_mask else 0
            if not s.advance(1, PHASE_LATE):
                await s.sleep(1, PHASE_LATE)
            value = (self.e.read_reg(offset) & ~lag_mask) | lagged
        # the response reaches the caller after what else wakes in that clock (as a bus
        # master's completion does), so a task woken by a plain timer goes first
        if not s.advance(p.lite_read - 1, PHASE_LATE):
            await s.sleep(p.lite_read - 1, PHASE_LATE)
        return value

    async def write_reg(self, offset: int, value: int) -> None:
        # the write takes effect at the next edge, before the engine's own events of that
        # clock (a W1C and a new interrupt in the same clock: the new interrupt stays)
        p, s = self.e.p, self.s
        start = max(s.now, self._wr_free - p.lite_write + p.lite_repeat)
        self._wr_free = start + p.lite_write
        effect = partial(self.e.write_reg, offset, value)
        if self.one_step_accesses:
            done = s.call_then_advance(start + p.lite_effect, effect, PHASE_EARLY, self._wr_free - s.now, PHASE_LATE)
        else:
            s.call_at(start + p.lite_effect, effect, PHASE_EARLY)
            done = s.advance(self._wr_free - s.now, PHASE_LATE)
        if not done:
            await s.sleep(self._wr_free - s.now, PHASE_LATE)

    async def wait_irq(self) -> None:
        # Software woken by a clock edge sees the line as it was before that edge (a
        # registered output updates after the edge); a rise in this clock still wakes it now.
        e = self.e
        if not (e.line_before_edge() or e.introut):
            await e.irq_event.wait()

    async def sleep(self, cycles: int) -> None:
        c = max(1, int(cycles))
        if not self.s.advance(c):
            await self.s.sleep(c)

    async def sleep_while(self, cycles: int, cond: Callable[[], bool], until: int) -> None:
        """``while cond() and now() <= until: await self.sleep(cycles)``, in the same clocks,
        without waking the caller for each look (``cond`` must only read state)."""
        if cond() and self.s.now <= until:
            await self.s.sleep_while(max(1, int(cycles)), cond, until)

    def now(self) -> int:
        return self.s.now


class ModelBackend:
    """The fast model as an acquisition backend (see sgdma_sim.acquisition.Backend)."""

    name = "model"
    simulator = "fast-model"
    # The timeline's periodic points that come before anything else is queued are taken in one
    # step (sample_ahead), not each by a wake-up of the sampler (False: one wake-up each; the
    # reports are the same either way, which tests/test_model_bulk.py checks).
    batch_samples: bool = True

    def __init__(self, params: ModelParams | None = None):
        self.params = params or ModelParams()
        self.data_width = self.params.data_width
        self.sched = Scheduler()
        self.engine: EngineModel | None = None
        self.hw: ModelHw | None = None
        self._sent = False

    def attach_memory(self, port) -> None:
        self.engine = EngineModel(self.sched, self.params, port)
        self.hw = ModelHw(self.sched, self.engine)

    def spawn(self, coro: Awaitable[Any]) -> Any:
        return self.sched.spawn(coro)

    async def send_stream(self, data: bytes, rate: float) -> None:
        await self.send_packets([data], rate)

    async def send_packets(self, packets: list[bytes], rate: float, idle: bool = False) -> None:
        """Each element with tlast; `idle` = 30 % random idle cycles, modelled as rate x 0.7."""
        src = self.engine.source
        src.rate = rate * (0.7 if idle else 1.0)
        src.next_time = max(src.next_time, float(self.sched.now))
        for p in packets:
            src.push(p, last=True)
        self.engine.wake.set()
        # like the RTL backend: return once the device has sent everything
        while src.available():
            await self.sched.sleep(max(64, int(src.available() / self.params.db / src.rate / 4)))
        self._sent = True

    def stream_done(self) -> bool:
        return self._sent

    def probe(self) -> dict[str, int]:
        """What a monitor on the engine's ports would count so far (no bus access)."""
        e = self.engine
        written, dropped = e.bytes_written(self.sched.now), e.counters["DROPPED_BYTES"]
        return {"sent": written + dropped, "written": written, "dropped": dropped,
                "w_beats": e.perf["w_beats"], "waiting_cycles": round(e.perf["waiting_cycles"])}

    def probe_point(self) -> tuple[int, int, int]:
        """(sent, written, dropped) of ``probe()``, for the timeline's points."""
        e = self.engine
        written, dropped = e.bytes_written(self.sched.now), e.counters["DROPPED_BYTES"]
        return written + dropped, written, dropped

    def sample_ahead(self, every: int, most: int) -> list[tuple[int, int, int, int]]:
        """For a task that took its sample and is about to sleep ``every`` clocks at a time:
        (clock, sent, written, dropped) of ``probe_point()`` at each of its next wake-ups (at
        most ``most``) that come before anything else is queued, where nothing but that task
        would run, and the clock moved to the last of them (as its sleeps would have moved it,
        each in one step).  Only the bytes written move between them (the W channel's
        progress through a buffer); nothing else they sample can change with no other work
        run.  Empty where ``batch_samples`` is off or something is due before the first."""
        if not self.batch_samples:
            return []
        s, e = self.sched, self.engine
        c = max(1, int(every))
        due = s.first_due()
        k = most if due is None else min(most, (due - 1 - s.now) // c)
        if k <= 0:
            return []
        t0, dropped, written_at = s.now, e.counters["DROPPED_BYTES"], e.bytes_written
        out = []
        for j in range(1, k + 1):
            t = t0 + j * c
            w = written_at(t)
            out.append((t, w + dropped, w, dropped))
        s.jump(t0 + k * c, PHASE_NORMAL)
        return out

    def run(self, coro, max_cycles: int | None = None):
        try:
            return self.sched.run(coro, max_cycles)
        except BaseException as e:
            # the failed task's error was raised here once; it must not be raised again by the
            # next run, which would then report this call's error instead of its own result
            self.sched.failed[:] = [t for t in self.sched.failed if t.exc is not e]
            raise


_gc_deferred_at: int | None = None   # full collections so far when a run last left its garbage


@contextlib.contextmanager
def _cyclic_gc_paused() -> Iterator[None]:
    """No cyclic garbage collection for the span of one run.

    A run builds hundreds of thousands of long-lived objects (ring, mappings, descriptors)
    and frees little, so the collector's passes during it find nothing and cost a tenth of
    the run.  Afterwards the run's objects are handed to the oldest generation, as if they
    had survived the run's collections: the next full collection frees them, as it did
    before, rather than a young-generation pass at the first allocation after the run.  If
    none has run by the next run, that run collects first, so at most one run's garbage waits."""
    global _gc_deferred_at
    if _gc_deferred_at is not None and gc.get_stats()[2]["collections"] == _gc_deferred_at:
        gc.collect()
    _gc_deferred_at = None
    was = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if gc.get_freeze_count() == 0:     # (objects frozen by the caller stay frozen)
            gc.freeze()
            gc.unfreeze()
            _gc_deferred_at = gc.get_stats()[2]["collections"]
        if was:
            gc.enable()


def run_scenario(scenario, progress=None, params: ModelParams | None = None) -> dict:
    """One acquisition on the fast model (same Acquisition as the RTL backend)."""
    with _cyclic_gc_paused():
        return _run_scenario(scenario, progress, params)


def _run_scenario(scenario, progress, params: ModelParams | None) -> dict:
    from .acquisition import Acquisition

    be = ModelBackend(params or ModelParams())
    acq = Acquisition(scenario, be, progress=progress)
    try:
        t0 = time.perf_counter()
        rep = be.run(acq.run())
        rep.wall_s = round(time.perf_counter() - t0, 3)
        rep.cycles_per_s = round(rep.cycles / rep.wall_s) if rep.wall_s else 0
        return rep.to_json()
    finally:
        # nothing outlives the report: give the user mapping and the simulated RAM back now
        # (a process running many scenarios would otherwise keep every run's memory)
        vma = getattr(acq, "vma", None)
        if vma is not None:
            vma.munmap()
        if be.engine is not None:
            be.engine.forget_memory()
        acq.mem.close()
