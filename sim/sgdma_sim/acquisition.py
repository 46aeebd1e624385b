"""One acquisition, end to end, on any backend (the RTL under cocotb, or the fast model).

A device streams 16-bit ADC samples (a 12-bit sine and a 4-bit sequence number, both a pure
function of the sample index, so every byte is verifiable) into the engine; the driver model
allocates discontiguous buffers behind an IOMMU, builds the SG ring and services coalesced
interrupts; the application reads one contiguous (double-mapped) ring through ``UserRing``,
checks every byte against the stream position the engine wrote back for each buffer (APP0),
and releases what it read.  At the end every byte the device sent is accounted for: read and
verified, dropped by the engine (DROPPED_BYTES, located exactly by APP0), or overwritten
before it was read (plain cyclic mode: the ring's overrun count).
"""
from __future__ import annotations

import ctypes
import math
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Awaitable, Callable, Protocol

import numpy as np

from sgdma_driver.allocator import BuddyAllocator
from sgdma_driver.dma_api import Device
from sgdma_driver.driver import Mode, Policy, SgdmaDriver
from sgdma_driver.hw import HwInterface
from sgdma_driver.iommu import DeviceMemoryPort, Iommu
from sgdma_driver.mapping import RingFile, Strategy
from sgdma_driver.physmem import PhysicalMemory
from sgdma_driver.ring import UserRing
from sgdma_driver.vma import AddressSpace, KernelProfile

SINE_PERIOD = 65537   # samples, a prime: with the 4-bit counter the pattern repeats every 2 MiB + 32 B
_PERIOD = SINE_PERIOD * 16
_PERIOD_BYTES = 2 * _PERIOD   # one period of the stream, in bytes (16-bit samples)
_BYTES_COMPARE = 64 << 10   # spans up to this size are compared as bytes
_TABLE: np.ndarray | None = None
_SAMPLES_AHEAD = 4096          # most periodic timeline points taken in one step (sample_ahead)
_TABLE_MAX_WINDOW = 16 << 20   # windows up to this size are views of the table (it grows on demand)


def _find_memcmp() -> Callable[[int, int, int], int] | None:
    """The C library's memcmp (bytes equal in one pass, no temporary), where it can be found."""
    try:
        libc = ctypes.CDLL(None)
        fn = libc.memcmp
    except (OSError, AttributeError, TypeError):
        return None
    fn.restype = ctypes.c_int
    fn.argtypes = (ctypes.c_void_p, ctypes.c_void_p, ctypes.c_size_t)
    a, b = np.arange(16, dtype=np.uint8), np.arange(16, dtype=np.uint8)
    b[9] = 0
    if fn(a.ctypes.data, a.ctypes.data, 16) != 0 or fn(a.ctypes.data, b.ctypes.data, 16) == 0:
        return None        # (not a memcmp after all)
    return fn


_MEMCMP = _find_memcmp()


def _table(window: int = _PERIOD_BYTES) -> np.ndarray:
    """Whole periods of the stream as bytes, computed once and grown on demand, so that any
    window of up to ``window`` bytes (one period at least) is a view, no copy: the table
    holds one period more than the longest window it serves."""
    global _TABLE
    need = (-(-window // _PERIOD_BYTES) + 1) * _PERIOD_BYTES
    if _TABLE is None or len(_TABLE) < need:
        if _TABLE is None:
            one = _one_period()
        else:
            one = _TABLE[:_PERIOD_BYTES]
        _TABLE = np.tile(one, need // _PERIOD_BYTES)
    return _TABLE


def _one_period() -> np.ndarray:
    """One period of the stream as bytes.  Sample k is ``sine(k mod SINE_PERIOD) << 4 | (k & 0xF)``:
    the sine is computed for one sine period and repeated 16 times (the counter's period), not
    evaluated for every sample of the period (``adc_sample_direct`` is the formula sample by
    sample; tests/test_model.py checks the two agree)."""
    j = np.arange(SINE_PERIOD, dtype=np.float64)
    sine = (np.rint(2047 * np.sin(2 * np.pi * j / SINE_PERIOD)) + 2048).astype(np.uint16) << 4
    counter = np.arange(16, dtype=np.uint16)
    return (np.tile(sine, 16) | np.tile(counter, SINE_PERIOD)).astype("<u2").view(np.uint8)


def adc_sample_direct(k: np.ndarray) -> np.ndarray:
    """Samples at indices ``k`` (int64), each computed from its own index: the definition
    the cached table is checked against."""
    sine = np.rint(2047 * np.sin(2 * np.pi * k / SINE_PERIOD)).astype(np.int64) + 2048
    return ((sine << 4) | (k & 0xF)).astype("<u2")


def adc_samples(first: int, count: int) -> np.ndarray:
    """Samples ``first .. first+count-1`` of the device's stream, as little-endian uint16."""
    return adc_bytes(2 * first, 2 * count).view("<u2")


def adc_bytes(pos: int, n: int) -> np.ndarray:
    """Stream bytes [pos, pos+n): a 12-bit sine (period SINE_PERIOD samples) in the high bits
    and a 4-bit sample counter in the low bits of each little-endian 16-bit sample.  A view
    of a cached table for up to 16 MiB (the table grows to the longest window asked for), a
    new array beyond."""
    tab = _TABLE
    period = _PERIOD_BYTES
    if tab is None or n > len(tab) - period:
        tab = _table(min(max(n, period), _TABLE_MAX_WINDOW))
    start = pos % period
    if n <= len(tab) - period:
        return tab[start:start + n]
    return np.concatenate([tab[start:start + period]] * (n // period) + [tab[start:start + n % period]])


def count_mismatches(data: np.ndarray, pos: int) -> int:
    """Bytes of `data` that differ from the stream at position `pos` (compared a period at a
    time against views of the table, so nothing of the size of `data` is generated)."""
    tab = _table()
    period = _PERIOD_BYTES
    bad, off, n = 0, 0, len(data)
    small = _BYTES_COMPARE if data.dtype == np.uint8 else 0
    window = len(tab) - period           # the longest window the table holds as a view
    while off < n:
        k = min(window, n - off)
        start = (pos + off) % period
        expect = tab[start:start + k]
        got = data[off:off + k]
        # equal bytes compare fastest as bytes (one copy each, then memcmp) up to a few pages,
        # larger runs in place with the C library's memcmp where there is one, else as 64-bit
        # words (a byte differs if and only if its word does)
        if k <= small:
            same = got.tobytes() == expect.tobytes()
        elif small and _MEMCMP is not None and got.flags.c_contiguous:
            same = _MEMCMP(got.ctypes.data, expect.ctypes.data, k) == 0
        elif small and not k & 7 and got.flags.c_contiguous:
            same = np.array_equal(got.view(np.uint64), expect.view(np.uint64))
        else:
            same = np.array_equal(got, expect)
        if not same:
            bad += int(np.count_nonzero(got != expect))
        off += k
    return bad


def percentile(ordered: list[float], q: float) -> float:
    """The ``q``-th percentile of the ascending ``ordered`` values, as ``numpy.percentile``
    computes it by default (linear interpolation between the two nearest ranks, the same
    floating-point operations), without the import of numpy's masked arrays it brings."""
    n = len(ordered)
    if not n:
        raise ValueError("percentile of no values")
    v = (n - 1) * (q / 100)
    if v >= n - 1:
        return ordered[-1]
    if v < 0:
        return ordered[0]
    lo = math.floor(v)
    a, b, g = ordered[lo], ordered[lo + 1], v - lo
    d = b - a
    return b - d * (1 - g) if g >= 0.5 else a + d * g


class AdcStream:
    """The device's stream [0, length) without materialising it: ``slice(pos, n)`` gives the
    bytes at stream position ``pos`` as a numpy view where possible; ``bytes()`` all of it."""

    def __init__(self, length: int):
        self.length = length

    def __len__(self) -> int:
        return self.length

    def slice(self, pos: int, n: int) -> np.ndarray:
        if pos < 0 or n < 0 or pos + n > self.length:
            raise ValueError(f"stream slice [{pos}, {pos + n}) outside [0, {self.length})")
        tab = _TABLE
        if tab is not None and n <= len(tab) - _PERIOD_BYTES:      # adc_bytes' view, inline
            start = pos % _PERIOD_BYTES
            return tab[start:start + n]
        return adc_bytes(pos, n)

    def __bytes__(self) -> bytes:
        return adc_bytes(0, self.length).tobytes()


class ScenarioError(ValueError):
    """A scenario field with a value the acquisition cannot run (the message names both)."""

    def __init__(self, field: str, value: object, reason: str):
        self.field, self.value, self.reason = field, value, reason
        super().__init__(f"{field}={value!r} {reason}")


def _is_int(v: object) -> bool:
    return isinstance(v, int) and not isinstance(v, bool)


@dataclass
class Scenario:
    buffers: int = 8
    buf_size: int = 64 * 1024
    laps: float = 3.0
    rate: float = 1.0              # device rate as a fraction of one bus beat per clock
    consumer: str = "fast"         # fast | slow
    policy: str = "stall"          # stall | drop
    mode: str = "owned"            # owned | cyclic | tail
    irq_threshold: int = 4
    irq_delay: int = 100           # x 125 clocks: longer than one buffer, so IRQThreshold coalesces
    strategy: str = "eager"        # eager | lazy
    double_map: bool = True
    kernel: str = "6.6"
    seed: int = 1
    streaming: bool = False        # streaming DMA mappings (with syncs) instead of coherent
    slow_cycles_per_kib: int = 0   # consumer cost; 0 = derived from `consumer`
    irq_latency: int = 0           # clocks from the interrupt to the driver's service (mean)
    irq_jitter: str = "fixed"      # fixed | exp (exponentially distributed latency)
    timeline_points: int = 4000    # periodic timeline samples over the stream's duration (plus one per event)

    def validate(self) -> None:
        """Every rule a scenario obeys by itself, the one place they are checked (the CLI adds
        only what depends on the machine and the backend); raises ScenarioError naming the
        field and its value."""
        def bad(name: str, reason: str) -> ScenarioError:
            return ScenarioError(name, getattr(self, name), reason)
        _check_types(self, bad)
        _check_ranges(self, bad)

    @property
    def total_bytes(self) -> int:
        return int(self.laps * self.buffers * self.buf_size) // 16 * 16


def _check_types(sc: Scenario, bad: Callable[[str, str], ScenarioError]) -> None:
    for name in ("buffers", "buf_size", "irq_threshold", "irq_delay", "seed", "irq_latency",
                 "slow_cycles_per_kib", "timeline_points"):
        if not _is_int(getattr(sc, name)):
            raise bad(name, "is not an integer")
    for name in ("laps", "rate"):
        v = getattr(sc, name)
        if not isinstance(v, (int, float)) or isinstance(v, bool) or not math.isfinite(v):
            raise bad(name, "is not a finite number")
    for name, allowed in (("consumer", ("fast", "slow")), ("policy", ("stall", "drop")),
                          ("mode", ("owned", "cyclic", "tail")), ("strategy", ("eager", "lazy")),
                          ("irq_jitter", ("fixed", "exp"))):
        if getattr(sc, name) not in allowed:
            raise bad(name, f"is not one of {', '.join(allowed)}")
    for name in ("double_map", "streaming"):
        if not isinstance(getattr(sc, name), bool):
            raise bad(name, "is not true or false")


def _check_ranges(sc: Scenario, bad: Callable[[str, str], ScenarioError]) -> None:
    from sgdma_driver.regmap import S2MM_DMACR
    from sgdma_driver.vma import KernelProfile

    if sc.buffers < 2:
        raise bad("buffers", "is too few: a ring needs at least 2 buffers")
    if sc.buf_size <= 0 or sc.buf_size % 4096:
        raise bad("buf_size", "is not a positive multiple of 4096 bytes")
    if sc.laps <= 0:
        raise bad("laps", "is not positive")
    if not 0 < sc.rate <= 1:
        raise bad("rate", "is outside (0, 1] (a fraction of one bus beat per clock)")
    thr, dly = S2MM_DMACR.IRQ_THRESHOLD, S2MM_DMACR.IRQ_DELAY
    if not 1 <= sc.irq_threshold <= thr.max:
        raise bad("irq_threshold", f"is outside 1..{thr.max}")
    if not 0 <= sc.irq_delay <= dly.max:
        raise bad("irq_delay", f"is outside 0..{dly.max}")
    for name, reason in (("seed", "is negative: seeds are integers >= 0"),
                         ("irq_latency", "is negative: the latency is in clocks, >= 0"),
                         ("slow_cycles_per_kib", "is negative")):
        if getattr(sc, name) < 0:
            raise bad(name, reason)
    if sc.timeline_points < 2:
        raise bad("timeline_points", "is too few: the timeline needs at least 2 points")
    try:
        KernelProfile(sc.kernel)
    except (ValueError, TypeError) as e:
        raise bad("kernel", f"is not accepted: {e}") from None


# Timeline series, one value per point (bytes, cumulative): device sent (incl. dropped), engine
# wrote to memory, driver saw (completions serviced), reader released, dropped by the engine,
# overwritten before it was read.
TIMELINE_SERIES = ("cycle", "sent", "written", "produced", "consumed", "dropped", "overwritten")


class Backend(Protocol):
    """What an engine backend gives the acquisition."""

    hw: HwInterface
    data_width: int
    simulator: str
    name: str

    def attach_memory(self, port: DeviceMemoryPort) -> None: ...
    def spawn(self, coro: Awaitable[Any]) -> Any: ...
    async def send_stream(self, data: bytes, rate: float) -> None: ...
    def stream_done(self) -> bool: ...
    # optional: probe() -> {"sent", "written", "dropped", "w_beats", "waiting_cycles"} so far,
    # counted at the engine's ports without a bus access (None when no monitor runs), and
    # probe_point() -> (sent, written, dropped), the same three figures, for timeline points


@dataclass
class Report:
    backend: str
    simulator: str
    scenario: dict
    bytes: int = 0                 # stream bytes the device sent
    bytes_read: int = 0            # verified by the application
    cycles: int = 0
    stream_utilisation: float = 0.0   # W data beats per clock over the whole run (the stream's share of the bus)
    engine_efficiency: float = 0.0    # W data beats per clock while stream data waited for an engine with a buffer
    w_beats: int = 0                  # W data beats (WSTRB not 0) the engine issued
    waiting_cycles: int = 0           # clocks the stream offered data and the engine was not ring-full
    throughput_bytes_per_cycle: float = 0.0
    interrupts: int = 0
    descriptors: int = 0
    overruns: int = 0
    lost_bytes: int = 0
    engine_dropped_bytes: int = 0
    engine_dropped_packets: int = 0
    error_lost_bytes: int = 0      # lost to engine errors and recoveries (located by APP0)
    engine_errors: int = 0
    ring_overrun_bytes: int = 0
    data_errors: int = 0
    accounting_errors: list[str] = field(default_factory=list)
    dma_api_violations: int = 0
    iommu_faults: int = 0
    irq_latency_p50: float = 0.0   # clocks from the interrupt line rising to the service
    irq_latency_p90: float = 0.0
    irq_latency_p99: float = 0.0
    wall_s: float = 0.0
    cycles_per_s: float = 0.0
    ok: bool = False
    timeline: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        # the timeline's long lists of numbers are copied as lists, not element by element
        # through asdict's deep copy (same result)
        tl, self.timeline = self.timeline, {}
        try:
            out = asdict(self)
        finally:
            self.timeline = tl
        out["timeline"] = {k: list(v) if isinstance(v, list) else v for k, v in tl.items()}
        return out


class Acquisition:
    def __init__(self, scenario: Scenario, backend: Backend,
                 progress: Callable[[int, int], None] | None = None):
        scenario.validate()
        self.sc = scenario
        self.backend = backend
        self.progress = progress
        ring = scenario.buffers * scenario.buf_size
        self.mem = PhysicalMemory(max(64 << 20, 1 << (3 * ring - 1).bit_length()))
        alloc = BuddyAllocator(self.mem, max_order=max(11, (scenario.buf_size // 4096 - 1).bit_length()),
                               seed=scenario.seed)
        alloc.fragment(seed=scenario.seed, fraction=0.1)
        self.dev = Device(self.mem, alloc, Iommu(self.mem))
        backend.attach_memory(DeviceMemoryPort(self.dev.iommu))
        self.driver = SgdmaDriver(backend.hw, self.dev, mode=Mode(scenario.mode),
                                  policy=Policy.DROP if scenario.policy == "drop" else Policy.STALL,
                                  irq_threshold=scenario.irq_threshold, irq_delay=scenario.irq_delay,
                                  streaming=scenario.streaming)
        self.driver.completion_hook = self._record_completions
        self.stream_pos: dict[int, int] = {}    # completion number -> stream position of its first byte
        self._last_seq = -1                     # latest completion number (completions come in order)
        self.lengths: dict[int, int] = {}
        self.torn_bytes = 0
        self.irq_latencies: list[int] = []
        self.tl: dict[str, list] = {"irq_cycle": []}     # interrupt clocks (the ISR appends)
        self._points: list[tuple[int, ...]] = []         # timeline points, TIMELINE_SERIES in order
        self._probe = getattr(backend, "probe", None)
        self._probe_point = getattr(backend, "probe_point", None)   # (sent, written, dropped), if offered
        self._now = backend.hw.now
        self._user_progress = progress
        self._ring: UserRing | None = None
        self.progress = self._released

    # ------------------------------------------------------------------ driver side
    def _record_completions(self, new) -> None:
        """Keep each completion's stream position (from the driver's APP0 tracking)."""
        for c in new:
            self.stream_pos[c.seq] = c.stream_pos
            self.lengths[c.seq] = c.length
        self._last_seq = new[-1].seq
        self.driver.completions.clear()
        if self._ring is not None:
            self._sample(self._ring)            # the driver's view changed: an exact timeline point

    def _service_latency(self) -> Callable[[], int] | None:
        """The scenario's interrupt latency: fixed, or exponentially distributed (seeded)."""
        sc = self.sc
        if not sc.irq_latency:
            return None
        if sc.irq_jitter == "fixed":
            return lambda: max(1, int(sc.irq_latency))
        rng = np.random.default_rng(sc.seed)
        return lambda: max(1, int(rng.exponential(sc.irq_latency)))

    async def _irq_loop(self) -> None:
        isr = self.driver.interrupt_service(self._service_latency(), self.tl["irq_cycle"].append)
        self.irq_latencies = isr.latencies
        await isr.run(lambda: self.driver.running)

    # ------------------------------------------------------------------ application side
    async def _consumer(self, ring: UserRing, report: Report, total: int, deadline: int) -> None:
        sc, hw = self.sc, self.backend.hw
        db = self.backend.data_width // 8
        # A slow consumer needs 4x the stream's time per byte.
        cost = sc.slow_cycles_per_kib or (0 if sc.consumer == "fast" else int(4 * 1024 / db / sc.rate))
        # With nothing to read, look again after an eighth of a buffer's fill time (a reader
        # woken by a timer, not spinning).
        idle = max(64, int(sc.buf_size / db / sc.rate / 8))
        drv, be = self.driver, self.backend
        sleep_while = getattr(hw, "sleep_while", None)
        most = max(4096, ring.size // 4)
        while True:
            if hw.now() > deadline:
                report.accounting_errors.append(f"acquisition did not finish by cycle {deadline}")
                return
            span = ring.acquire(max_bytes=most)
            if span is None:
                if self._finished(ring, total):
                    return
                if be.stream_done():
                    # nothing arrives any more: poll the counters (an overrun interrupts once per
                    # episode, so drops after it are only seen by polling, NAPI-style)
                    await drv.poll()
                    if self._finished(ring, total):
                        return
                await hw.sleep(idle)
                # Until the driver sees a new completion (or the device finishes), another look
                # finds nothing either: wake on the same timer, without asking the ring again.
                seen = drv.completed

                def nothing_new() -> bool:
                    return drv.completed == seen and not be.stream_done()
                if sleep_while is not None:
                    await sleep_while(idle, nothing_new, deadline)
                else:
                    while nothing_new() and hw.now() <= deadline:
                        await hw.sleep(idle)
                continue
            if cost:
                await hw.sleep(cost * max(1, span.length // 1024))
            # Read (and check) the bytes, then ask the ring whether the engine may have
            # overwritten them meanwhile; nothing runs in between, so checking the bytes in
            # place is the same as checking a copy taken at that moment.
            data = span.array if len(span.pieces) == 1 else np.concatenate(span.pieces)
            errors, n_read = self._verify(ring, span, data)
            if self.driver.mode is Mode.CYCLIC:
                # plain cyclic: the engine may have lapped the reader, and the driver's count
                # of completions lags the engine's (coalesced interrupts): re-read the engine's
                # COMPLETED counter after reading, before trusting what was read (seqlock style)
                await self.driver.poll()
            if ring.check(span):
                report.data_errors += errors
                report.bytes_read += n_read
            else:
                self.torn_bytes += self._valid_bytes(ring, span)
            await ring.release(span)
            if self.progress:
                self.progress(ring.consumed, total)

    def _finished(self, ring: UserRing, total: int) -> bool:
        if not self.backend.stream_done() or not self.stream_pos:
            return False
        last = self._last_seq
        end = self.stream_pos[last] + self.lengths[last]
        return end + self._tail_drops() >= total and ring.consumed >= ring.produced

    def _tail_drops(self) -> int:
        """Drops after the last completed buffer (counted by the engine, not located by APP0)."""
        st = self.driver.stats
        return max(0, st.engine_dropped_bytes - st.gap_bytes)

    def _pieces(self, ring: UserRing, span):
        """(completion number, offset in span, valid bytes) for each buffer a span covers."""
        lengths = self.lengths
        for seq, start, end in ring.pieces(span.start, span.end):
            pos = max(start, span.start)
            valid = lengths.get(seq, end - start)
            n_valid = max(0, min(min(end, span.end) - pos, start + valid - pos))
            yield seq, pos - span.start, pos - start, n_valid

    def _valid_bytes(self, ring: UserRing, span) -> int:
        return sum(n for _, _, _, n in self._pieces(ring, span))

    def _verify(self, ring: UserRing, span, data: np.ndarray) -> tuple[int, int]:
        """(bytes that differ from the stream, bytes checked) for a span, buffer by buffer at
        the stream position the engine wrote back for each (the pieces ``_pieces`` gives).
        Buffers that continue each other in the span and in the stream are compared in one run."""
        errors = checked = 0
        run_lo = run_pos = run_n = 0
        stream_pos, lengths = self.stream_pos, self.lengths
        s0, s1 = span.start, span.end
        for seq, start, end in ring.pieces(s0, s1):
            at = start if start > s0 else s0
            n = min(end, s1, start + lengths.get(seq, end - start)) - at
            if n <= 0:
                continue
            lo, pos = at - s0, stream_pos[seq] + at - start
            checked += n
            if run_n and lo == run_lo + run_n and pos == run_pos + run_n:
                run_n += n
                continue
            if run_n:
                errors += count_mismatches(data[run_lo:run_lo + run_n], run_pos)
            run_lo, run_pos, run_n = lo, pos, n
        if run_n:
            errors += count_mismatches(data[run_lo:run_lo + run_n], run_pos)
        return errors, checked

    async def _device(self, total: int) -> None:
        await self.backend.send_stream(AdcStream(total), self.sc.rate)

    def _released(self, done: int, total: int) -> None:
        """After each release by the reader: an exact timeline point, then the caller's progress."""
        if self._ring is not None:
            self._sample(self._ring)
        if self._user_progress:
            self._user_progress(done, total)

    def _sample(self, ring: UserRing) -> None:
        """One timeline point: what the device sent and the engine wrote (from the backend's
        monitor), what the driver saw, what the reader released, and the bytes lost so far
        (kept as one tuple per point; ``_timeline`` turns them into the series)."""
        produced = ring.produced
        point = self._probe_point
        if point is not None:
            sent, written, dropped = point()
            self._points.append((self._now(), sent, written, produced, ring.consumed, dropped,
                                 ring.stats.lost_bytes + self.torn_bytes))
            return
        probe = self._probe
        mon = probe() if probe else None
        dropped = mon["dropped"] if mon else self.driver.stats.engine_dropped_bytes
        self._points.append((self._now(), mon["sent"] if mon else produced + dropped,
                             mon["written"] if mon else produced, produced, ring.consumed, dropped,
                             ring.stats.lost_bytes + self.torn_bytes))

    def _timeline(self) -> dict[str, list]:
        """The timeline series (TIMELINE_SERIES and the interrupt clocks) from the points so far."""
        cols = list(zip(*self._points)) if self._points else [()] * len(TIMELINE_SERIES)
        tl = {k: list(col) for k, col in zip(TIMELINE_SERIES, cols)}
        tl["irq_cycle"] = self.tl["irq_cycle"]
        return tl

    async def _sampler(self, ring: UserRing, every: int) -> None:
        """Timeline points at fixed intervals between the events (releases, driver services)."""
        hw = self.backend.hw
        # a backend that can tell which of the next wake-ups nothing else would precede takes
        # their points at once (the model: ModelBackend.sample_ahead); only the clock and the
        # bytes written differ between them, the rest is what the last sample read
        ahead = getattr(self.backend, "sample_ahead", None) if self._probe_point is not None else None
        while not self._done:
            self._sample(ring)
            if ahead is not None:
                more = ahead(every, _SAMPLES_AHEAD)
                if more:
                    last = self._points[-1]
                    produced, consumed, lost = last[3], last[4], last[6]
                    self._points.extend((t, sent, written, produced, consumed, dropped, lost)
                                        for t, sent, written, dropped in more)
            await hw.sleep(every)

    # ------------------------------------------------------------------ the run
    async def run(self) -> Report:
        sc, be = self.sc, self.backend
        report = Report(backend=be.name, simulator=be.simulator, scenario=asdict(sc))
        t0 = time.perf_counter()
        drv = self.driver
        ring = await self._set_up()
        c0 = be.hw.now()
        total = sc.total_bytes
        report.bytes = total
        be.spawn(self._irq_loop())
        be.spawn(self._device(total))
        db = be.data_width // 8
        deadline = c0 + int(total / db / sc.rate) * (40 if sc.consumer == "slow" else 8) + 200_000
        self._done = False
        self._ring = ring
        be.spawn(self._sampler(ring, max(64, int(total / db / sc.rate / sc.timeline_points))))
        await self._consumer(ring, report, total, deadline)
        self._done = True
        await drv.stop()
        self._sample(ring)                      # the end of the run, after the last release
        cycles = be.hw.now() - c0
        self._account(report, ring)
        self._measure(report, cycles)
        report.wall_s = round(time.perf_counter() - t0, 3)
        report.cycles_per_s = round(cycles / report.wall_s) if report.wall_s else 0.0
        report.timeline = dict(self._timeline(), buf_size=sc.buf_size, ring_size=drv.ring_size, bytes=total,
                               start_cycle=c0, end_cycle=be.hw.now())
        report.ok = report.data_errors == 0 and not report.accounting_errors
        return report

    async def _set_up(self) -> UserRing:
        """Probe, ring, the application's mapping of it, start: the reader's view of the ring."""
        sc, drv = self.sc, self.driver
        await drv.probe()
        drv.setup_ring(sc.buffers, sc.buf_size, owner=self)
        space = AddressSpace(self.mem, KernelProfile(sc.kernel))
        f = RingFile(drv, Strategy(sc.strategy), prefault=True)
        self.vma = space.mmap(f, drv.ring_size * (2 if sc.double_map else 1))
        ring = UserRing(drv, self.vma)
        await drv.start()
        return ring

    def _account(self, report: Report, ring: UserRing) -> None:
        """Where every byte the device sent went: read, dropped, overwritten or lost to errors."""
        st, total = self.driver.stats, report.bytes
        report.interrupts = st.interrupts
        report.descriptors = st.completions
        report.engine_dropped_bytes = st.engine_dropped_bytes
        report.engine_dropped_packets = st.engine_dropped_packets
        report.ring_overrun_bytes = ring.stats.lost_bytes + self.torn_bytes
        report.overruns = ring.stats.overruns + ring.stats.torn_reads + (1 if st.engine_dropped_bytes else 0)
        # Gaps between consecutive buffers' stream positions are drops (DROPPED_BYTES) or bytes
        # lost to an engine error and its recovery; after the last buffer only drops can happen.
        gaps = st.gap_bytes + self._tail_drops()
        report.engine_errors = len(st.errors)
        report.error_lost_bytes = gaps - st.engine_dropped_bytes
        report.lost_bytes = gaps + report.ring_overrun_bytes
        if report.error_lost_bytes < 0 or (report.error_lost_bytes and not st.errors):
            report.accounting_errors.append(
                f"stream gaps located by APP0 ({gaps}) disagree with DROPPED_BYTES ({st.engine_dropped_bytes}) "
                f"and {len(st.errors)} engine errors")
        accounted = report.bytes_read + report.lost_bytes
        if accounted != total:
            report.accounting_errors.append(
                f"read {report.bytes_read} + lost {report.lost_bytes} = {accounted} != sent {total}")
        report.dma_api_violations = len(self.dev.violations)
        report.iommu_faults = len(self.dev.iommu.faults)

    def _measure(self, report: Report, cycles: int) -> None:
        """Bus efficiency and utilisation, throughput and interrupt latency percentiles."""
        be, st = self.backend, self.driver.stats
        report.cycles = cycles
        mon = be.probe() if hasattr(be, "probe") else None
        if mon:
            report.w_beats, report.waiting_cycles = mon["w_beats"], mon["waiting_cycles"]
            report.engine_efficiency = round(mon["w_beats"] / mon["waiting_cycles"], 4) if mon["waiting_cycles"] else 0.0
        beats = report.w_beats or (report.bytes - st.engine_dropped_bytes) / (be.data_width // 8)
        report.stream_utilisation = round(beats / cycles, 4) if cycles else 0.0
        report.throughput_bytes_per_cycle = round(report.bytes_read / cycles, 3) if cycles else 0.0
        if self.irq_latencies:
            lat = sorted(map(float, self.irq_latencies))
            report.irq_latency_p50, report.irq_latency_p90, report.irq_latency_p99 = (
                round(percentile(lat, q), 1) for q in (50, 90, 99))
