"""Streaming scoreboard for rtl/sgdma.v: checks every write and interrupt as it happens.

Three monitors feed it while the simulation runs (``TB`` in env.py connects them):

- ``on_data_write``: every byte run the engine writes on m_axi_s2mm (address and data of the
  lanes whose WSTRB is set, as they go into memory, refused writes included);
- ``on_sg_write``: every write on m_axi_sg (the descriptor STATUS write-backs, and APP0);
- ``on_irq``: every rising edge of s2mm_introut; ``on_dmacr`` follows the DMACR writes
  (IRQThreshold, IRQDelay, soft reset) so that interrupts can be explained.

The test states what it expects with ``expect``: the descriptors in the order the engine uses
them (lap after lap in a cyclic ring), the stream bytes that will be written (packets, with or
without tlast) and, for an error scenario, where the error is.  The expected bytes and STATUS
words come from ``reference.s2mm_fill`` (the one implementation of the S2MM rules).

The first wrong byte, wrong or unexpected STATUS word, write outside the expected buffers, byte
left unwritten (strobe 0) or unexplained interrupt fails the test at that simulated time with a
``ScoreboardError`` naming the time, the descriptor (index in engine order and address), the
address and the expected and actual values.  With ``raise_on_error=False`` the first failure is
only recorded in ``failure`` (the regression reports it per seed and moves on).
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Optional, Sequence

import cocotb
import numpy as np
from cocotb.triggers import Event
from cocotb.utils import get_sim_time

from sgdma_driver import regmap as rm
from .reference import s2mm_fill

_STATUS_OFF = rm.DESC_OFFSETS["status"]
_APP0_OFF = rm.DESC_OFFSETS["app"]
_ALL = 0xFFFFFFFF
#: STATUS bits an error scenario checks on the faulting descriptor by default.
ERROR_STATUS_MASK = (rm.STATUS.CMPLT.mask | rm.STATUS.DMA_INT_ERR.mask | rm.STATUS.DMA_SLV_ERR.mask
                     | rm.STATUS.DMA_DEC_ERR.mask)


@dataclass(frozen=True)
class ChainEntry:
    """One descriptor as the engine uses it (bus addresses)."""

    desc: int
    buf: int
    length: int


@dataclass(frozen=True)
class ErrorAt:
    """An error scenario: the descriptors before ``index`` (engine order) complete normally;
    the faulting one gets ``status`` (compared under ``mask``) written back, or nothing when
    ``status`` is None (errors on the SG bus); no STATUS is written after it, unless ``later``:
    then the following descriptors' write-backs may still come (in order, each correct), as
    those already issued when an error on a write-back comes back do.  With ``status`` None no
    data may be written into it either; otherwise the data mover may run ahead into the
    following buffers, so their bytes are still checked, in order."""

    index: int
    status: Optional[int] = None
    mask: int = _ALL
    later: bool = False


@dataclass(frozen=True)
class Failure:
    """The first thing the scoreboard found wrong."""

    time_ns: float
    kind: str               # "data", "status" or "interrupt"
    descriptor: Optional[int]
    address: Optional[int]
    expected: str
    actual: str
    message: str


class ScoreboardError(AssertionError):
    """Raised at the simulated time of the first failure (``failure``; ``raised_ns`` is when)."""

    def __init__(self, failure: Failure, raised_ns: float):
        super().__init__(failure.message)
        self.failure = failure
        self.raised_ns = raised_ns


def chain_of(descs: Sequence[int], bufs: Sequence[tuple[int, int]], laps: int = 1,
             bus_base: int = 0) -> list[ChainEntry]:
    """Engine order of a chain written by ``TB.write_chain``: the descriptors ``laps`` times,
    every address shifted by ``bus_base`` (see env.OffsetPort)."""
    one = [ChainEntry(bus_base + d, bus_base + b, n) for d, (b, n) in zip(descs, bufs)]
    return one * laps


class _IrqModel:
    """Upper bound on the interrupts the engine may raise, from docs/registers.md: an IOC
    event needs IRQThreshold STATUS write-backs since the threshold counter was last reloaded
    (DMACR write; reset leaves the counter at 1), a delay event needs one write-back made while
    IRQDelay is not 0, an error or an overrun one each.  Each rise of s2mm_introut needs one
    event of its own (the line is the OR of the enabled status bits, registered)."""

    def __init__(self) -> None:
        self.threshold = 1
        self.count = 1
        self.delay = 0
        self.clear()

    def clear(self) -> None:
        self.writebacks = self.ioc = self.dly = self.rises = 0

    def dmacr(self, value: int) -> None:
        cr = rm.S2MM_DMACR
        if cr.RESET.get(value):
            self.threshold, self.count, self.delay = 1, 1, 0
            return
        self.threshold = max(1, cr.IRQ_THRESHOLD.get(value))
        self.count = self.threshold
        self.delay = cr.IRQ_DELAY.get(value)

    def writeback(self) -> None:
        self.writebacks += 1
        if self.delay:
            self.dly += 1
        if self.count <= 1:
            self.ioc += 1
            self.count = self.threshold
        else:
            self.count -= 1


class Scoreboard:
    """See the module docstring.  Idle (checks nothing) until ``expect`` is called."""

    def __init__(self, raise_on_error: bool = True):
        self.raise_on_error = raise_on_error
        self.failure: Optional[Failure] = None
        self.active = False
        self.irq = _IrqModel()
        self._failed = Event()
        self._chain: list[ChainEntry] = []
        cocotb.start_soon(self._raise_on_failure())

    # ------------------------------------------------------------------ expectation
    def expect(self, chain: Sequence[ChainEntry], packets: Sequence[bytes], tlast: bool = True,
               error: Optional[ErrorAt] = None, overruns: int = 0) -> None:
        """Start checking a run: ``chain`` in engine order, ``packets`` the stream bytes that
        will be written (dropped bytes left out), ``overruns`` the overrun interrupts allowed."""
        if error is not None and not 0 <= error.index < len(chain):
            raise ValueError(f"error index {error.index} outside the chain of {len(chain)} descriptors")
        self._chain = list(chain)
        done, partial = s2mm_fill(list(packets), [c.length for c in chain], tlast)
        self._data = [c.data for c in done] + ([partial] if partial else [])
        self._status = [(c.status, _ALL) for c in done]
        self._errors = 0
        if error is not None:
            after = self._status[error.index + 1:] if error.later else []
            self._status = self._status[:error.index]
            if error.status is not None:
                self._status += [(error.status & error.mask, error.mask)] + after
            else:
                self._data = self._data[:error.index]
            self._errors = 1
        self._buffers = sorted(set((c.buf, c.length) for c in self._chain))
        self._desc_index = {c.desc: i for i, c in reversed(list(enumerate(self._chain)))}
        self._di = self._off = self._si = 0
        self._overruns = overruns
        self.irq.clear()
        self.failure = None
        self.active = True

    def stop(self) -> None:
        """Stop checking (e.g. before a part of a test the expectation does not cover)."""
        self.active = False

    @property
    def writebacks(self) -> int:
        """STATUS write-backs checked in this run."""
        return self._si

    # ------------------------------------------------------------------ monitors
    def on_data_write(self, addr: int, data: bytes) -> None:
        if not self.active or self.failure is not None:
            return
        pos, n = 0, len(data)
        while pos < n:
            self._skip_filled()
            if self._di >= len(self._data):
                self._stray(addr + pos, data[pos], "no further data expected")
                return
            exp, entry = self._data[self._di], self._chain[self._di]
            if addr + pos != entry.buf + self._off:
                self._misplaced(addr + pos, data[pos])
                return
            take = min(n - pos, len(exp) - self._off)
            chunk, want = data[pos:pos + take], exp[self._off:self._off + take]
            if chunk != want:
                k = int(np.argmax(np.frombuffer(chunk, np.uint8) != np.frombuffer(want, np.uint8)))
                self._fail("data", self._di, addr + pos + k, f"{want[k]:#04x}", f"{chunk[k]:#04x}",
                           f"byte {self._off + k} of the buffer")
                return
            self._off += take
            pos += take

    def on_sg_write(self, addr: int, data: bytes) -> None:
        if not self.active or self.failure is not None:
            return
        base = addr - addr % rm.DESC_SIZE
        off, end = addr - base, addr - base + len(data)
        idx = self._desc_index.get(base)
        if idx is None:
            self._fail("status", None, addr, "no write", data.hex(), "m_axi_sg write outside the chain")
            return
        if off <= _STATUS_OFF < end:
            if off != _STATUS_OFF or end < _STATUS_OFF + 4 or end > _APP0_OFF + 4:
                self._fail("status", idx, addr, "the 4 STATUS bytes", f"{len(data)} bytes at offset {off:#x}",
                           "partial descriptor write")
                return
            self._writeback(base, int.from_bytes(data[:4], "little"))
        elif not (off >= _APP0_OFF and end <= _APP0_OFF + 4):
            self._fail("status", idx, addr, "STATUS or APP0 only", data.hex(),
                       f"write to descriptor offset {off:#x}")

    def on_dmacr(self, value: int) -> None:
        self.irq.dmacr(value)

    def on_irq(self) -> None:
        if not self.active or self.failure is not None:
            return
        m = self.irq
        m.rises += 1
        allowed = m.ioc + m.dly + self._errors + self._overruns
        if m.rises > allowed:
            last = self._si - 1 if self._si else None
            self._fail("interrupt", last, self._chain[last].desc + _STATUS_OFF if last is not None else None,
                       f"at most {allowed} interrupt(s)", f"interrupt {m.rises}",
                       f"unexpected interrupt ({m.writebacks} STATUS write-backs: {m.ioc} threshold "
                       f"events at IRQThreshold {m.threshold}, {m.dly} delay events, "
                       f"{self._errors} error(s), {self._overruns} overrun(s) allowed)")

    # ------------------------------------------------------------------ checks
    def _writeback(self, base: int, value: int) -> None:
        si = self._si
        if si >= len(self._status):
            idx = self._desc_index[base]
            self._fail("status", idx, base + _STATUS_OFF, "no STATUS write-back", f"{value:#010x}",
                       "STATUS written after the last expected write-back")
            return
        entry = self._chain[si]
        if base != entry.desc:
            self._fail("status", si, base + _STATUS_OFF, f"STATUS of {entry.desc:#x}", f"{value:#010x}",
                       f"write-back to descriptor {base:#x} out of order")
            return
        want, mask = self._status[si]
        if value & mask != want:
            shown = f"{want:#010x}" if mask == _ALL else f"{want:#010x} under mask {mask:#010x}"
            self._fail("status", si, base + _STATUS_OFF, shown, f"{value:#010x}", "STATUS")
            return
        if mask == _ALL and not self._filled_through(si):
            k, off = self._di, self._off
            self._fail("data", k, self._chain[k].buf + off, f"{self._data[k][off]:#04x}", "not written",
                       f"STATUS of descriptor {si} written back before this byte (strobe 0 or missing)")
            return
        self._si += 1
        self.irq.writeback()

    def _skip_filled(self) -> None:
        while self._di < len(self._data) and self._off == len(self._data[self._di]):
            self._di += 1
            self._off = 0

    def _filled_through(self, si: int) -> bool:
        self._skip_filled()
        return self._di > si

    def _misplaced(self, addr: int, value: int) -> None:
        di, entry = self._di, self._chain[self._di]
        nxt = entry.buf + self._off
        want = f"{self._data[di][self._off]:#04x}"
        if nxt < addr < entry.buf + entry.length:
            self._fail("data", di, nxt, want, "not written",
                       f"byte skipped (strobe 0); the next write went to {addr:#x}")
        else:
            self._fail("data", di, addr, f"{want} at {nxt:#x}", f"{value:#04x} written at {addr:#x}",
                       self._where(addr))

    def _stray(self, addr: int, value: int, why: str) -> None:
        last = len(self._data) - 1 if self._data else None
        self._fail("data", last, addr, "no write", f"{value:#04x}", f"{why}; {self._where(addr)}")

    def _where(self, addr: int) -> str:
        for buf, length in self._buffers:
            if buf <= addr < buf + length:
                return f"write into another descriptor's buffer ({buf:#x})"
        return "write outside every buffer"

    def _fail(self, kind: str, desc: Optional[int], addr: Optional[int], expected: str, actual: str,
              what: str) -> None:
        if self.failure is not None:
            return
        t = get_sim_time("ns")
        if desc is None:
            who = "no descriptor"
        else:
            entry, unique = self._chain[desc], len(self._desc_index)
            lap = f", lap {desc // unique}" if len(self._chain) > unique else ""
            who = f"descriptor {desc} ({entry.desc:#x}{lap})"
        where = f"address {addr:#x}" if addr is not None else "no address"
        msg = (f"scoreboard: {kind} error at {t:.0f} ns, {who}, {where}: {what}: "
               f"expected {expected}, actual {actual}")
        self.failure = Failure(t, kind, desc, addr, expected, actual, msg)
        self.active = False
        if self.raise_on_error:
            self._failed.set()

    async def _raise_on_failure(self) -> None:
        await self._failed.wait()
        raise ScoreboardError(self.failure, get_sim_time("ns"))
