"""The application's side of the ring: free-running counters, acquire/release, overruns.

Positions are absolute byte counts since start (Python ints: never wrap).  ``produced`` is
where the last completed descriptor ends; ``consumed`` is what the application released.
``acquire`` hands out the oldest unread bytes as numpy views of the user mapping (no copy);
``check`` re-reads the producer after the application copied them out, because in plain cyclic
mode the engine may have lapped the reader meanwhile (the data is torn and counted as lost);
``release`` gives whole buffers back to the driver (and so to the engine in tail and owned
modes).  Statistics follow UHD's letters: 'O' overrun events, 'D' bytes the engine dropped.
"""
from __future__ import annotations

import bisect
from dataclasses import dataclass, field

import numpy as np

from .driver import Mode, SgdmaDriver
from .physmem import check_int
from .vma import Vma


@dataclass(slots=True)
class Span:
    start: int                      # absolute position of the first byte
    length: int
    pieces: list[np.ndarray] = field(default_factory=list)

    @property
    def end(self) -> int:
        return self.start + self.length

    @property
    def array(self) -> np.ndarray:
        """The span as one contiguous view (always available with the double mapping)."""
        if len(self.pieces) != 1:
            raise ValueError(f"span [{self.start}, {self.end}) wraps; map the ring twice "
                             "(double mapping) for one contiguous view, or use .pieces")
        return self.pieces[0]


@dataclass
class RingStats:
    overruns: int = 0        # 'O': the reader was lapped (plain cyclic mode)
    lost_bytes: int = 0      # bytes overwritten before they were read
    torn_reads: int = 0      # spans found overwritten by check()

    def letters(self, dropped_bytes: int) -> str:
        return "O" * self.overruns + ("D" if dropped_bytes else "")


class UserRing:
    def __init__(self, driver: SgdmaDriver, vma: Vma):
        self.driver = driver
        self.vma = vma
        self.size = driver.ring_size
        if vma.length not in (self.size, 2 * self.size):
            raise ValueError(f"mapping of {vma.length} bytes does not fit a {self.size}-byte ring")
        self.double = vma.length == 2 * self.size
        self.view = vma.array
        self.consumed = 0
        self._acquired = 0
        self.stats = RingStats()
        self._layout_of = None
        self._starts: list[int] = []
        self._ends: list[int] = []
        self._guard = 0
        self._lay: tuple[list[int], list[int], int] = ([], [], 0)

    # -- positions ----------------------------------------------------------------------------
    @property
    def acquired(self) -> int:
        """Bytes handed to the reader and not yet released."""
        return self._acquired

    def _layout(self) -> tuple[list[int], list[int], int]:
        """(ring offset where each descriptor starts, where each ends, the guard), computed
        once per chain: positions are O(1) and completions_before O(log n), whatever the ring."""
        chain = self.driver.chain
        lay = self._lay
        if self._layout_of is chain and len(lay[0]) == len(chain.descs):
            return lay
        descs = chain.descs
        starts = getattr(descs, "ring_offsets", None)     # a DescTable's columns
        if starts is not None:
            lengths = descs.lengths
        else:
            starts, lengths = [d.ring_offset for d in descs], [d.length for d in descs]
        self._starts = list(starts)
        self._ends = [a + n for a, n in zip(starts, lengths)]
        self._guard = 2 * max(lengths)
        self._layout_of = chain
        self._lay = (self._starts, self._ends, self._guard)
        return self._lay

    def position_of(self, seq: int) -> int:
        """Absolute position where the first ``seq`` completions end."""
        seq = check_int("position_of: completion count", seq, lo=0)
        starts = self._layout()[0]
        lap, k = divmod(seq, len(starts))
        return lap * self.size + starts[k]

    def completions_before(self, pos: int) -> int:
        """How many completions end at or before absolute position ``pos``."""
        pos = check_int("completions_before: position", pos, lo=0)
        ends = self._layout()[1]
        lap, within = divmod(pos, self.size)
        # descriptor ends increase along the ring: the count is a binary search
        return lap * len(ends) + bisect.bisect_right(ends, within)

    def pieces(self, start: int, end: int) -> list[tuple[int, int, int]]:
        """(completion number, where its buffer starts, where it ends) for every buffer that
        overlaps absolute positions [start, end), in order."""
        start = check_int("pieces: start", start, lo=0)
        end = check_int("pieces: end", end, lo=start)
        starts, ends, _ = self._layout()
        n, size = len(starts), self.size
        lap, within = divmod(start, size)           # completions_before(start), inline
        seq = lap * n + bisect.bisect_right(ends, within)
        out = []
        lap, k = divmod(seq, n)
        base = lap * size
        while True:
            a = base + starts[k]
            if a >= end and out:
                break
            out.append((seq, a, base + (starts[k + 1] if k + 1 < n else size)))
            if out[-1][2] >= end:
                break
            seq, k = seq + 1, k + 1
            if k == n:
                k, base = 0, base + size
        return out

    @property
    def produced(self) -> int:
        """Where the driver's completions end (``position_of(driver.completed)``, without
        checking a count that is the driver's own)."""
        starts = self._layout()[0]
        lap, k = divmod(self.driver.completed, len(starts))
        return lap * self.size + starts[k]

    @property
    def guard(self) -> int:
        """Bytes ahead of `produced` the engine may already be writing (plain cyclic mode): the
        descriptor being filled and one awaiting write-back."""
        if self.driver.mode is not Mode.CYCLIC:
            return 0
        return self._layout()[2]

    def available(self) -> int:
        return self.produced - self.consumed - self._acquired

    # -- acquire / check / release ---------------------------------------------------------------
    def acquire(self, max_bytes: int | None = None) -> Span | None:
        if max_bytes is not None and (max_bytes.__class__ is not int or max_bytes <= 0):
            if isinstance(max_bytes, bool) or not isinstance(max_bytes, int) or max_bytes <= 0:
                raise ValueError(f"acquire of {max_bytes!r} bytes: give a positive byte count")
        start = self.consumed + self._acquired
        starts, _, guard = self._layout()            # produced and guard, from one look-up
        lap, k = divmod(self.driver.completed, len(starts))
        produced = lap * self.size + starts[k]
        limit = self.size - (guard if self.driver.mode is Mode.CYCLIC else 0)
        if produced - start > limit:
            lost = produced - start - limit
            if self._acquired:
                raise ValueError("the reader was lapped while holding a span; release it first")
            self.stats.overruns += 1
            self.stats.lost_bytes += lost
            self.consumed += lost
            start += lost
        n = produced - start
        if max_bytes is not None:
            n = min(n, max_bytes)
        if n <= 0:
            return None
        off = start % self.size
        if self.vma.fault is not None:          # lazily mapped: the access faults pages in
            self.vma.touch(off, min(n, self.vma.length - off))
            if off + n > self.size and not self.double:
                self.vma.touch(0, off + n - self.size)
        if self.double or off + n <= self.size:
            pieces = [self.view[off:off + n]]
        else:
            pieces = [self.view[off:self.size], self.view[0:off + n - self.size]]
        self._acquired += n
        return Span(start, n, pieces)

    def check(self, span: Span) -> bool:
        """After reading a span: False (and the bytes counted as lost) if the engine may have
        overwritten part of it while it was being read."""
        starts, _, guard = self._layout()            # produced + guard, from one look-up
        lap, k = divmod(self.driver.completed, len(starts))
        reach = lap * self.size + starts[k] + (guard if self.driver.mode is Mode.CYCLIC else 0)
        if reach <= span.start + self.size:
            return True
        self.stats.torn_reads += 1
        return False

    async def release(self, what: Span | int) -> None:
        n = what.length if isinstance(what, Span) else what
        if isinstance(n, bool) or not isinstance(n, int) or n <= 0:
            raise ValueError(f"release of {n!r} bytes: give a positive byte count or a Span")
        if n > self._acquired:
            raise ValueError(f"release of {n} bytes but only {self._acquired} are acquired")
        if isinstance(what, Span) and what.start != self.consumed:
            raise ValueError(f"release of span at {what.start} out of order: next to release is {self.consumed}")
        self._acquired -= n
        self.consumed += n
        await self.driver.release(self.completions_before(self.consumed))
