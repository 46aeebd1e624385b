"""Testbench environment around rtl/sgdma_mm2s_mover.v on its own (the MM2S data mover).

The descriptor queue is driven from Python; m_axi_mm2s has a read RAM (cocotbext-axi, with the
project's fault injection) with an optional read latency and random R stalls; m_axis_mm2s has
an AxiStreamSink (random TREADY) and a monitor that records every beat with its TKEEP and
TLAST.  A protocol checker watches both ports every clock.  The references (the reads a
buffer list must cause, the stream beats it must give) and the completion-entry decoder, with
field offsets from the register map's CPL_ENTRY, live here too.
"""
from __future__ import annotations

import ast
import logging
import random
from collections import deque
from dataclasses import dataclass
from typing import Callable, Iterable

import cocotb
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, Event, RisingEdge
from cocotbext.axi import AxiReadBus, AxiStreamBus, AxiStreamSink

from .env import CLK_NS, FaultyRamRead, OffsetPort, pause_gen, set_pause
from sgdma_driver import regmap as rm


class MoverError(AssertionError):
    pass


# ----------------------------------------------------------------------------- entry layouts
def _width(expr: str, params: dict[str, int]) -> int:
    """A field width from the register map ("3", "LEN_WIDTH", "ADDR_WIDTH-6") for these params."""
    def ev(node: ast.AST) -> int:
        if isinstance(node, ast.Constant) and isinstance(node.value, int):
            return node.value
        if isinstance(node, ast.Name) and node.id in params:
            return params[node.id]
        if isinstance(node, ast.BinOp) and isinstance(node.op, (ast.Add, ast.Sub)):
            a, b = ev(node.left), ev(node.right)
            return a + b if isinstance(node.op, ast.Add) else a - b
        raise ValueError(f"field width {expr!r}: cannot evaluate with {params}")
    return ev(ast.parse(expr, mode="eval").body)


def layout(fields: tuple[tuple[str, str], ...], params: dict[str, int]) -> dict[str, tuple[int, int]]:
    """name -> (lsb, width) of a bus record (the last field at bit 0, as the Verilog macros)."""
    out, lsb = {}, 0
    for name, width in reversed(fields):
        w = _width(width, params)
        out[name] = (lsb, w)
        lsb += w
    return out


@dataclass(frozen=True)
class Entry:
    """One completion entry as the mover pushed it."""

    kind: int
    seq: int
    sof: int
    eof: int
    length: int
    desc: int
    pos: int


def decode_entry(value: int, cpl: dict[str, tuple[int, int]]) -> Entry:
    get = {n: (value >> lsb) & ((1 << w) - 1) for n, (lsb, w) in cpl.items()}
    return Entry(kind=get["KIND"], seq=get["SEQ"], sof=get["SOF"], eof=get["EOF"], length=get["LEN"],
                 desc=get["DESC"] << 6, pos=get["POS"])


# ----------------------------------------------------------------------------- references
@dataclass(frozen=True)
class Desc:
    """One queue entry: the descriptor's address, its buffer, TXSOF/TXEOF, the fetch error."""

    addr: int
    buf: int
    length: int
    sof: bool = True
    eof: bool = True
    err: int = 0


def expected_reads(descs: Iterable[Desc], db: int, max_burst: int) -> list[tuple[int, int]]:
    """(address, beats) of every read the descriptors must cause: INCR bursts over the beats
    each buffer touches, split at max_burst-beat boundaries."""
    out = []
    for d in descs:
        if d.err or d.length == 0:
            break
        beat, last = d.buf // db, (d.buf + d.length - 1) // db
        while beat <= last:
            end = min(last, (beat // max_burst + 1) * max_burst - 1)
            out.append((beat * db, end - beat + 1))
            beat = end + 1
    return out


def expected_packets(descs: Iterable[Desc], mem_read) -> list[bytes]:
    """The packets the stream must carry: each buffer's bytes, a packet ending at TXEOF."""
    out, cur = [], bytearray()
    for d in descs:
        if d.err or d.length == 0:
            break
        cur += mem_read(d.buf, d.length)
        if d.eof:
            out.append(bytes(cur))
            cur = bytearray()
    if cur:
        out.append(bytes(cur))   # open at the end: no TLAST expected
    return out


# ----------------------------------------------------------------------------- bus models
class LatencyRamRead(FaultyRamRead):
    """Read RAM whose read data starts ``latency`` clocks after the AR was accepted (reads are
    pipelined: several ARs age at once)."""

    def __init__(self, *args, latency: int = 0, **kwargs):
        super().__init__(*args, **kwargs)
        self.latency = latency
        self.cycle = 0
        self.ars: list[tuple[int, int]] = []        # (address, beats) in acceptance order
        recv = self.ar_channel.recv
        aged: deque = deque()
        ready = Event()

        async def take():
            while True:
                ar = await recv()
                self.ars.append((int(ar.araddr), int(ar.arlen) + 1))
                aged.append((self.cycle + self.latency, ar))
                ready.set()

        async def delayed_recv():
            while not aged:
                ready.clear()
                await ready.wait()
            due, ar = aged[0]
            while self.cycle < due:
                await RisingEdge(self.clock)
            aged.popleft()
            return ar

        async def count():
            while True:
                await RisingEdge(self.clock)
                self.cycle += 1

        self.ar_channel.recv = delayed_recv
        cocotb.start_soon(count())
        cocotb.start_soon(take())


@dataclass
class Beat:
    data: bytes
    keep: int
    last: bool
    cycle: int


class StreamMonitor:
    """Every m_axis_mm2s transfer, with the rules of a packed stream: TKEEP contiguous from
    lane 0, all lanes but on a packet's last beat, payload stable while TVALID waits."""

    def __init__(self, dut, db: int):
        self.dut, self.db = dut, db
        self.beats: list[Beat] = []
        self.packets: list[bytes] = []
        self.open = bytearray()
        self.errors: list[str] = []
        self.cycle = 0
        self.idle_in_packet = 0   # clocks inside a packet with TREADY high and no beat
        cocotb.start_soon(self._run())

    def restart(self) -> None:
        """After a reset of the mover: a packet left open is abandoned."""
        self.open = bytearray()
        self.beats.clear()
        self.packets.clear()
        self.idle_in_packet = 0

    def received(self) -> bytes:
        """Every byte the stream carried, packets in order, the open one last."""
        return b"".join(self.packets) + bytes(self.open)

    def _fail(self, msg: str) -> None:
        self.errors.append(f"cycle {self.cycle}: m_axis_mm2s: {msg}")

    async def _run(self) -> None:
        dut, pending = self.dut, None
        while True:
            await RisingEdge(dut.clk)
            self.cycle += 1
            if int(dut.rst.value):
                pending = None
                continue
            valid, ready = int(dut.m_axis_mm2s_tvalid.value), int(dut.m_axis_mm2s_tready.value)
            if not valid:
                if pending is not None:
                    self._fail("TVALID dropped before TREADY")
                pending = None
                if ready and self.open:
                    self.idle_in_packet += 1
                continue
            now = (int(dut.m_axis_mm2s_tdata.value), int(dut.m_axis_mm2s_tkeep.value),
                   int(dut.m_axis_mm2s_tlast.value))
            if pending is not None and now != pending:
                self._fail("payload changed while TVALID waited for TREADY")
            pending = None if ready else now
            if ready:
                self._beat(*now)

    def _beat(self, data: int, keep: int, last: int) -> None:
        n = bin(keep).count("1")
        if keep != (1 << n) - 1 or n == 0:
            self._fail(f"TKEEP {keep:#x} not contiguous from lane 0")
        if not last and n != self.db:
            self._fail(f"TKEEP {keep:#x} on a beat that is not a packet's last")
        raw = data.to_bytes(self.db, "little")
        self.beats.append(Beat(raw, keep, bool(last), self.cycle))
        self.open += raw[:n]
        if last:
            self.packets.append(bytes(self.open))
            self.open = bytearray()


class ReadChecker:
    """m_axi_mm2s rules: AR payload stable while waiting, INCR full-width bursts within
    MAX_BURST_LEN and a 4 KiB page; no R beat without a read outstanding, every beat taken."""

    def __init__(self, dut, db: int, max_burst: int):
        self.dut, self.db, self.max_burst = dut, db, max_burst
        self.errors: list[str] = []
        self.outstanding: deque[int] = deque()
        self.cycle = 0
        cocotb.start_soon(self._run())

    def _fail(self, msg: str) -> None:
        self.errors.append(f"cycle {self.cycle}: m_axi_mm2s: {msg}")

    async def _run(self) -> None:
        dut, pending = self.dut, None
        while True:
            await RisingEdge(dut.clk)
            self.cycle += 1
            if int(dut.rst.value):
                pending = None
                self.outstanding.clear()
                continue
            if int(dut.m_axi_mm2s_arvalid.value):
                ar = (int(dut.m_axi_mm2s_araddr.value), int(dut.m_axi_mm2s_arlen.value),
                      int(dut.m_axi_mm2s_arsize.value), int(dut.m_axi_mm2s_arburst.value))
                if pending is not None and ar != pending:
                    self._fail("AR payload changed while ARVALID waited for ARREADY")
                pending = None if int(dut.m_axi_mm2s_arready.value) else ar
                if int(dut.m_axi_mm2s_arready.value):
                    self._ar(*ar)
            elif pending is not None:
                self._fail("ARVALID dropped before ARREADY")
                pending = None
            if int(dut.m_axi_mm2s_rvalid.value):
                if not int(dut.m_axi_mm2s_rready.value):
                    self._fail("RREADY low with read data waiting (room is reserved)")
                else:
                    self._r(int(dut.m_axi_mm2s_rlast.value))

    def _ar(self, addr: int, arlen: int, size: int, burst: int) -> None:
        beats = arlen + 1
        if burst != 1 or 1 << size != self.db:
            self._fail(f"burst type {burst} size {1 << size}, expected INCR of {self.db} bytes")
        if addr % self.db:
            self._fail(f"address {addr:#x} not beat aligned")
        if beats > self.max_burst:
            self._fail(f"burst of {beats} beats > MAX_BURST_LEN {self.max_burst}")
        if (addr & 0xFFF) + beats * self.db > 0x1000:
            self._fail(f"burst at {addr:#x} of {beats} beats crosses a 4 KiB boundary")
        self.outstanding.append(beats)

    def _r(self, last: int) -> None:
        if not self.outstanding:
            self._fail("R beat with no read outstanding")
            return
        self.outstanding[0] -= 1
        if self.outstanding[0] == 0:
            self.outstanding.popleft()


# ----------------------------------------------------------------------------- environment
class MoverTB:
    """The mover, its queue (driven from Python), the read RAM, the stream sink, monitors."""

    def __init__(self, dut, latency: int = 0, mem_size: int = 1 << 20, base: int = 0):
        self.dut = dut
        self.log = logging.getLogger("cocotb.mm2s.tb")
        self.db = len(dut.m_axis_mm2s_tdata) // 8
        self.addr_width = len(dut.m_axi_mm2s_araddr)
        self.len_width = len(dut.q_len)
        self.max_burst = int(dut.MAX_BURST_LEN.value)
        self.cpl = layout(rm.CPL_ENTRY, {"ADDR_WIDTH": self.addr_width, "LEN_WIDTH": self.len_width})
        self.mem = bytearray(mem_size)
        self.base = base
        cocotb.start_soon(Clock(dut.clk, CLK_NS, unit="ns").start())
        port = OffsetPort(self.mem, base) if base else None
        self.ram = LatencyRamRead(AxiReadBus.from_prefix(dut, "m_axi_mm2s"), dut.clk, dut.rst,
                                  reset_active_level=True, size=1 << 64 if port else mem_size,
                                  mem=bytearray(4096) if port else self.mem, port=port, latency=latency)
        self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis_mm2s"), dut.clk, dut.rst,
                                  reset_active_level=True)
        for model in (self.ram, self.sink):
            model.log.setLevel(logging.WARNING)
        self.stream = StreamMonitor(dut, self.db)
        self.reads = ReadChecker(dut, self.db, self.max_burst)
        self.queue: deque[Desc] = deque()
        self.popped: list[Desc] = []
        self.entries: list[Entry] = []
        self.entry_event = Event()
        self.cycle = 0
        for name, value in (("run", 0), ("stop", 0), ("cache", 3), ("q_valid", 0), ("cpl_count", 0)):
            getattr(dut, name).value = value
        self._drive_head()
        cocotb.start_soon(self._clocked())

    def mem_read(self, addr: int, n: int) -> bytes:
        off = addr - self.base
        return bytes(self.mem[off:off + n])

    def fill_random(self, seed: int) -> None:
        self.mem[:] = random.Random(seed).randbytes(len(self.mem))

    async def reset(self) -> None:
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, 4)
        self.dut.rst.value = 0
        await ClockCycles(self.dut.clk, 2)

    def set_stalls(self, ready_duty: float = 0.0, r_duty: float = 0.0, seed: int = 1) -> None:
        """Random not-ready clocks on the stream and random gaps in the read data."""
        set_pause(self.sink, pause_gen(seed, ready_duty) if ready_duty else None)
        set_pause(self.ram.r_channel, pause_gen(seed + 1, r_duty) if r_duty else None)
        set_pause(self.ram.ar_channel, pause_gen(seed + 2, r_duty / 2) if r_duty else None)

    def push(self, descs: Iterable[Desc]) -> None:
        self.queue.extend(descs)
        self._drive_head()

    def _drive_head(self) -> None:
        dut = self.dut
        dut.q_valid.value = 1 if self.queue else 0
        d = self.queue[0] if self.queue else Desc(0, 0, 0)
        dut.q_desc.value, dut.q_buf.value, dut.q_len.value = d.addr, d.buf, d.length
        dut.q_err.value, dut.q_sof.value, dut.q_eof.value = d.err, int(d.sof), int(d.eof)

    async def _clocked(self) -> None:
        """The queue's pops and the completion entries, sampled at each clock edge."""
        dut = self.dut
        while True:
            await RisingEdge(dut.clk)
            self.cycle += 1
            if int(dut.rst.value):
                continue
            if self.queue and int(dut.q_pop.value):
                self.popped.append(self.queue.popleft())
                self._drive_head()
            if int(dut.cpl_push.value):
                self.entries.append(decode_entry(int(dut.cpl_din.value), self.cpl))
                self.entry_event.set()

    async def wait_for(self, cond: Callable[[], bool], what: str, timeout: int = 200_000) -> None:
        for _ in range(timeout):
            if cond():
                return
            await RisingEdge(self.dut.clk)
        raise MoverError(f"timeout after {timeout} clocks waiting for {what}")

    async def wait_entries(self, n: int, timeout: int = 200_000) -> None:
        await self.wait_for(lambda: len(self.entries) >= n, f"{n} completion entries "
                            f"(have {len(self.entries)})", timeout)

    async def wait_quiet(self, timeout: int = 50_000) -> None:
        await self.wait_for(lambda: int(self.dut.quiet.value) == 1, "quiet", timeout)

    def check_protocol(self) -> None:
        errors = self.stream.errors + self.reads.errors
        if errors:
            raise MoverError(f"{len(errors)} protocol violations, first: {errors[:3]}")

    def check_reads(self, descs: list[Desc], prefix: bool = False) -> None:
        """The ARs are exactly (or, with prefix, a prefix of) the reads the buffers need."""
        want = expected_reads(descs, self.db, self.max_burst)
        got = self.ram.ars
        ok = got == want[:len(got)] if prefix else got == want
        if not ok:
            i = next((k for k, (a, b) in enumerate(zip(got, want)) if a != b), min(len(got), len(want)))
            raise MoverError(f"read {i}: got {got[i:i + 3]}, expected {want[i:i + 3]} "
                             f"({len(got)} reads, {len(want)} expected)")


@dataclass(frozen=True)
class Efficiency:
    """Stream beats over the clocks from the first beat to the last (both included)."""

    beats: int
    clocks: int

    @property
    def ratio(self) -> float:
        return self.beats / self.clocks if self.clocks else 0.0


def efficiency(beats: list[Beat]) -> Efficiency:
    if not beats:
        return Efficiency(0, 0)
    return Efficiency(len(beats), beats[-1].cycle - beats[0].cycle + 1)
