"""The ``rtl-fast`` backend: the driver model on rtl/sgdma.v with the clock and the bus models in C++.

The same ``HwInterface`` as the cocotb backend (``cosim.py``) and the fast model, so the same
driver code and the one ISR run on it unchanged.  The driver's coroutines run on a small
scheduler whose time is the RTL's clock: the verilated engine (``fast_rtl.FastRtl``) runs, in
C++, from one Python event to the next: the next timer due, the end of a register access, the
interrupt line rising, the stream running dry.  No Python runs in the clocks between.  The
engine's masters reach the driver model's physical memory in place (a numpy array over its
memfd) through the IOMMU's translations, re-read whenever the page table changes; a refused
access is answered SLVERR and recorded as an IOMMU fault, as on the cocotb backend.
``sgdma-sim run --backend rtl-fast`` finds ``run_fast`` through the ``sgdma_sim.backends``
entry point.
"""
from __future__ import annotations

import heapq
import time
from pathlib import Path
from typing import Any, Awaitable, Coroutine

import numpy as np

from sgdma_driver.iommu import DeviceMemoryPort, DmaDirection, Fault
from sgdma_sim.acquisition import Acquisition, Scenario
from sgdma_sim.options import progress_bar

from .fast_rtl import STOP_IRQ, STOP_LITE, STOP_STREAM_EMPTY, FastRtl

_PERM = {DmaDirection.BIDIRECTIONAL: 3, DmaDirection.TO_DEVICE: 1, DmaDirection.FROM_DEVICE: 2}
CHUNK = 8 << 20           # stream bytes handed to the harness at a time
_IDLE_RUN = 1 << 22       # clocks run at a time while only the RTL can make progress
#: (B latency of m_axi_s2mm, of m_axi_sg, R latency): the response times of the cocotb
#: testbench's memory models (a response leaves a clock after the request it answers).
LATENCY = (1, 1, 2)


class _Req:
    """What a task awaits: (kind, argument); the loop sends the result back."""

    __slots__ = ("kind", "arg")

    def __init__(self, kind: str, arg: Any = None):
        self.kind, self.arg = kind, arg

    def __await__(self):
        return (yield self)


class _Task:
    __slots__ = ("coro", "done", "exc", "result", "value")

    def __init__(self, coro: Coroutine):
        self.coro, self.done, self.exc, self.result, self.value = coro, False, None, None, None


class RtlScheduler:
    """Coroutines in engine clocks, the RTL run between their events."""

    def __init__(self, rtl: FastRtl, sync):
        self.rtl = rtl
        self.sync = sync                      # called before the RTL runs (page table)
        self.heap: list[tuple[int, int, _Task]] = []
        self.seq = 0
        self.irq_waiters: list[_Task] = []
        self.stream_waiters: list[_Task] = []
        self.reads: list[tuple[_Task, int]] = []     # queued register reads, the first in flight
        self.writes: list[tuple[_Task, int, int]] = []
        self.failed: list[_Task] = []

    def now(self) -> int:
        return int(self.rtl.counters[0])

    def _ready(self, task: _Task, when: int, value: Any = None) -> None:
        task.value = value
        self.seq += 1
        heapq.heappush(self.heap, (when, self.seq, task))

    def spawn(self, coro: Coroutine) -> _Task:
        t = _Task(coro)
        self._ready(t, self.now())
        return t

    def _step(self, task: _Task) -> None:
        try:
            req = task.coro.send(task.value)
        except StopIteration as stop:
            task.done, task.result = True, stop.value
            return
        except BaseException as e:  # noqa: BLE001 - raised by run()
            task.done, task.exc = True, e
            self.failed.append(task)
            return
        kind, rtl = req.kind, self.rtl
        if kind == "sleep":
            self._ready(task, self.now() + req.arg)
        elif kind == "irq":
            if rtl.irq:
                self._ready(task, self.now())
            else:
                self.irq_waiters.append(task)
        elif kind == "read":
            self.reads.append((task, req.arg))
            if len(self.reads) == 1:
                rtl.start_read(req.arg)
        elif kind == "write":
            self.writes.append((task, *req.arg))
            if len(self.writes) == 1:
                rtl.start_write(*req.arg)
        elif kind == "stream":
            if rtl.stream_busy():
                self.stream_waiters.append(task)
            else:
                self._ready(task, self.now())
        else:  # pragma: no cover
            raise RuntimeError(f"unknown request {kind}")

    def _advance(self, target: int | None) -> None:
        """Runs the RTL up to clock ``target`` (None: until something happens), stopping at
        the first event a task waits for, and wakes the tasks it concerns."""
        rtl = self.rtl
        mask = (STOP_LITE if self.reads or self.writes else 0) | (STOP_IRQ if self.irq_waiters else 0) | \
               (STOP_STREAM_EMPTY if self.stream_waiters else 0)
        if target is None:
            if not mask:
                raise RuntimeError(f"deadlock at cycle {self.now()}: nothing left to run")
            clocks = _IDLE_RUN
        else:
            clocks = target - self.now()
        self.sync()
        why = rtl.run(clocks, mask)
        now = self.now()
        if why & STOP_LITE:
            self._lite_done(now)
        if why & STOP_IRQ and self.irq_waiters:
            for t in self.irq_waiters:
                self._ready(t, now)
            self.irq_waiters.clear()
        if why & STOP_STREAM_EMPTY and self.stream_waiters:
            for t in self.stream_waiters:
                self._ready(t, now)
            self.stream_waiters.clear()

    def _lite_done(self, now: int) -> None:
        rtl = self.rtl
        if self.reads:
            got = rtl.read_done()
            if got is not None:
                task, _ = self.reads.pop(0)
                self._ready(task, now, got[0])
                if self.reads:
                    rtl.start_read(self.reads[0][1])
        if self.writes:
            if rtl.write_done() is not None:
                task, _, _ = self.writes.pop(0)
                self._ready(task, now)
                if self.writes:
                    rtl.start_write(*self.writes[0][1:])

    def run(self, main: Coroutine, max_cycles: int | None = None) -> Any:
        top = self.spawn(main)
        heap, pop = self.heap, heapq.heappop
        limit = None if max_cycles is None else self.now() + max_cycles
        while not top.done:
            if self.failed:
                raise self.failed[0].exc
            if heap and heap[0][0] <= self.now():
                self._step(pop(heap)[2])
                continue
            target = heap[0][0] if heap else None
            if limit is not None and (target is None or target > limit):
                if self.now() >= limit:
                    raise TimeoutError(f"simulation passed {max_cycles} cycles")
                target = limit
            self._advance(target)
        if top.exc is not None:
            raise top.exc
        return top.result


class FastHw:
    """HwInterface on the fast RTL: register accesses are AXI-Lite transactions in C++."""

    def __init__(self, sched: RtlScheduler):
        self.s = sched

    async def read_reg(self, offset: int) -> int:
        return await _Req("read", offset)

    async def write_reg(self, offset: int, value: int) -> None:
        await _Req("write", (offset, int(value)))

    async def wait_irq(self) -> None:
        await _Req("irq")

    async def sleep(self, cycles: int) -> None:
        await _Req("sleep", max(1, int(cycles)))

    def now(self) -> int:
        return int(self.s.rtl.counters[0])


class FastRtlBackend:
    """rtl/sgdma.v in the C++ harness as an acquisition backend (sgdma_sim.acquisition.Backend)."""

    name = "rtl-fast"
    simulator = "verilator-cpp"

    def __init__(self, parameters: dict | None = None, checker: bool = True, trace: str | Path | None = None,
                 lite_delay: int = 1, latency: tuple[int, int, int] = LATENCY):
        self.parameters, self.checker, self.trace, self.lite_delay = dict(parameters or {}), checker, trace, lite_delay
        self.latency = latency
        self.rtl: FastRtl | None = None
        self.sched: RtlScheduler | None = None
        self.hw: FastHw | None = None
        self.data_width = 8 * 8
        self._sent = False
        self._port: DeviceMemoryPort | None = None
        self._generation = -1

    def attach_memory(self, port: DeviceMemoryPort) -> None:
        mem = port.mem
        self._port = port
        self.rtl = FastRtl(self.parameters, memory=mem.array, phys_base=mem.base, trace=self.trace,
                           checker=self.checker, lite_delay=self.lite_delay)
        self.rtl.set_latency(*self.latency)
        self.data_width = 8 * self.rtl.data_bytes
        self.sched = RtlScheduler(self.rtl, self._sync)
        self.hw = FastHw(self.sched)
        self._sync()
        self.rtl.reset()

    def _sync(self) -> None:
        """The IOMMU's page table into the harness (when it changed), refused accesses into
        the IOMMU's fault log."""
        iommu = self._port.iommu
        if iommu.generation != self._generation:
            self._generation = iommu.generation
            if iommu.passthrough:
                self.rtl.set_page_table(None)
            else:
                pt = iommu.snapshot()[0]
                if pt:
                    lo, hi = min(pt), max(pt)
                    table = np.zeros(hi - lo + 1, dtype=np.int64)
                    keys = np.fromiter(pt.keys(), dtype=np.int64, count=len(pt))
                    vals = np.fromiter(((p << 2) | _PERM[d] for p, d in pt.values()), dtype=np.int64, count=len(pt))
                    table[keys - lo] = vals
                    self.rtl.set_page_table(table, lo)
                else:
                    self.rtl.set_page_table(np.zeros(1, dtype=np.int64), 0)
        if self.rtl.counters[11]:      # refused
            for addr, is_write in self.rtl.take_refused():
                iommu.faults.append(Fault(addr, 0, is_write, f"bus address {addr:#x} refused by the IOMMU"))

    def spawn(self, coro: Awaitable[Any]) -> Any:
        return self.sched.spawn(coro)

    async def send_stream(self, data, rate: float) -> None:
        await self.send_packets([data], rate)

    async def send_packets(self, packets: list, rate: float, idle: bool = False) -> None:
        """Each element with tlast; ``idle`` adds random idle clocks (30 %) instead of pacing."""
        rtl = self.rtl
        rtl.set_rate(1.0, 0.3) if idle else rtl.set_rate(rate)
        db = self.data_width // 8
        for p in packets:
            n = len(p)
            piece = getattr(p, "slice", None)
            for pos in range(0, max(n, 1), CHUNK):
                k = min(CHUNK, n - pos)
                chunk = piece(pos, k) if piece is not None else memoryview(p)[pos:pos + k]
                while rtl.counter("stream_queued") > CHUNK:   # keep at most two chunks queued
                    await self.hw.sleep(max(64, int(rtl.counter("stream_queued") / db / rate / 2)))
                rtl.push_stream(chunk, last=pos + k >= n)
        await _Req("stream")
        self._sent = True

    def stream_done(self) -> bool:
        return self._sent

    def probe(self) -> dict[str, int]:
        """What the harness's port monitor counted so far (no bus access)."""
        c = self.rtl.snapshot()
        return {"sent": c["sent_beats"] * (self.data_width // 8), "written": c["w_bytes"],
                "dropped": c["dropped_bytes"], "w_beats": c["w_beats"], "waiting_cycles": c["waiting_cycles"]}

    def probe_point(self) -> tuple[int, int, int]:
        c = self.rtl.counters
        return int(c[1]) * (self.data_width // 8), int(c[3]), int(c[16])

    def run(self, coro, max_cycles: int | None = None):
        try:
            return self.sched.run(coro, max_cycles)
        finally:
            self._sync()
            self.rtl.check()

    def close(self) -> None:
        if self.rtl is not None:
            self.rtl.close()


def run_scenario(sc: Scenario, progress=None, waves: str | Path | None = None, checker: bool = True) -> dict:
    """One acquisition on the fast RTL backend; the report as JSON-ready dict."""
    be = FastRtlBackend(trace=waves, checker=checker)
    acq = Acquisition(sc, be, progress=progress)
    try:
        t0 = time.perf_counter()
        rep = be.run(acq.run())
        rep.wall_s = round(time.perf_counter() - t0, 3)
        rep.cycles_per_s = round(rep.cycles / rep.wall_s) if rep.wall_s else 0
        out = rep.to_json()
        out["rtl_counters"] = be.rtl.snapshot()
        return out
    finally:
        vma = getattr(acq, "vma", None)
        if vma is not None:
            vma.munmap()
        be.close()
        acq.mem.close()


def run_fast(sc: Scenario, sim: str, out: Path, waves: bool) -> dict:
    """The ``rtl-fast`` runner of ``sgdma-sim run``: ``sim`` is not used (always the C++
    harness on Verilator); with ``waves`` the FST goes to out/sgdma_rtl_fast.fst."""
    trace = out / "sgdma_rtl_fast.fst" if waves else None
    bar = progress_bar(sc.total_bytes, "rtl-fast acquisition")

    def progress(done, total):
        bar.update(min(done, bar.total) - bar.n)
    try:
        rep = run_scenario(sc, progress=progress, waves=trace)
    finally:
        bar.close()
    if trace is not None:
        rep["waves"] = [str(trace)]
    return rep
