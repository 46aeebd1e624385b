"""Test environment for rtl/sgdma.v: clock, reset and every bus model, built once per test.

- ``AxiLiteMaster`` on s_axi_lite (registers by name, from sgdma_driver.regmap);
- one backing store shared by an AXI RAM on m_axi_sg (descriptors) and an AXI write RAM on
  m_axi_s2mm (data), so what the engine writes lands where the descriptors point;
- an ``AxiStreamSource`` as the device (with tlast for packets, or tlast tied low for a
  continuous stream);
- fault hooks: a callable decides the response of each data or descriptor access, another
  may corrupt a write on its way into memory;
- the streaming scoreboard (scoreboard.py) on the data writes, the descriptor write-backs and
  the interrupt line, idle until a test calls ``expect``;
- optional idle cycles at the source, backpressure on every AXI channel and a fixed
  write-response latency;
- in builds with the MM2S channel (INCLUDE_MM2S=1): a read RAM on m_axi_mm2s over the same
  memory, an ``AxiStreamSink`` on m_axis_mm2s (optional random TREADY), a counter of
  mm2s_introut rises, and the MM2S register helpers (``mm2s_start``, ``mm2s_wait_halted``);
  write-backs to the MM2S chain's descriptors are kept out of the S2MM scoreboard.
"""
from __future__ import annotations

import logging
import random
from collections import deque
from typing import Callable, Iterable, Optional

import cocotb
import numpy as np
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, Event, RisingEdge
from cocotbext.axi import (AxiBus, AxiLiteBus, AxiLiteMaster, AxiRamRead, AxiRamWrite,
                           AxiReadBus, AxiStreamBus, AxiStreamFrame, AxiStreamSink,
                           AxiStreamSource, AxiWriteBus)
from cocotbext.axi.constants import AxiResp

from .axi_checker import AxiChecker
from .scoreboard import ChainEntry, ErrorAt, Scoreboard, chain_of
from sgdma_driver import regmap as rm

#: fault(address, length, is_write) -> AXI response (0 OKAY, 2 SLVERR, 3 DECERR)
FaultHook = Callable[[int, int, bool], int]
#: corrupt(address, data) -> the bytes that go into memory instead
CorruptHook = Callable[[int, bytes], bytes]
#: monitor(address, data): every write as it goes into memory (refused ones included)
WriteMonitor = Callable[[int, bytes], None]

CLK_NS = 4  # 250 MHz


class _NoLastStreamBus(AxiStreamBus):
    _optional_signals = ["tvalid", "tready", "tkeep"]


class _ResponseMixin:
    """Lets a hook choose SLVERR/DECERR per access; a refused write leaves memory untouched."""

    fault: Optional[FaultHook] = None

    def _install_resp_patch(self, channel, field: str) -> None:
        # The response is chosen when the model sends it (right after the access it answers);
        # anything that delays responses goes below, in self._send_resp.
        self._pending_resp = AxiResp.OKAY
        self._send_resp = channel.send

        async def send(obj):
            if self._pending_resp != AxiResp.OKAY:
                setattr(obj, field, self._pending_resp)
                self._pending_resp = AxiResp.OKAY
            await self._send_resp(obj)

        channel.send = send

    def _check(self, address: int, length: int, is_write: bool) -> bool:
        if self.fault is None:
            return True
        resp = self.fault(address, length, is_write)
        if resp:
            self._pending_resp = max(self._pending_resp, AxiResp(resp))
            self.refused.append((address, length, is_write, resp))
            return False
        return True


class FaultyRamWrite(AxiRamWrite, _ResponseMixin):
    """AXI write RAM with per-access fault injection and an optional B latency (cycles).
    With ``port`` every access goes to ``port.write`` (e.g. the driver model's IOMMU), and an
    exception there becomes SLVERR.  ``corrupt`` may change a write's bytes on their way into
    memory; ``monitor`` sees each write (the byte run of one beat whose strobes are set) as it
    goes into memory, refused ones included."""

    corrupt: Optional[CorruptHook] = None
    monitor: Optional[WriteMonitor] = None

    def __init__(self, *args, b_latency: int = 0, port=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.port = port
        self.refused: list = []
        self.writes: list[tuple[int, int]] = []
        self._install_resp_patch(self.b_channel, "bresp")
        self.b_latency = 0
        if b_latency:
            self.set_b_latency(b_latency)

    def set_b_latency(self, cycles: int) -> None:
        """From now on each B response leaves `cycles` clocks after its last W beat (once)."""
        if cycles <= 0:
            raise ValueError(f"B latency must be a positive number of clocks, not {cycles!r}")
        if self.b_latency:
            raise ValueError(f"B latency is already {self.b_latency} clocks")
        self.b_latency = cycles
        self._delay_b(cycles)

    def _delay_b(self, cycles: int) -> None:
        """Each B response leaves `cycles` clocks after its last W beat, pipelined (its response
        code chosen before the delay, so a refusal stays with its own write)."""
        send = self._send_resp
        queue: deque = deque()
        event = Event()
        clock = self.clock

        async def delayed(obj):
            queue.append((self._cycle + cycles, obj))
            event.set()

        async def pump():
            while True:
                if not queue:
                    event.clear()
                    await event.wait()
                due, obj = queue[0]
                while self._cycle < due:
                    await RisingEdge(clock)
                queue.popleft()
                await send(obj)

        async def count():
            self._cycle = 0
            while True:
                await RisingEdge(clock)
                self._cycle += 1

        self._send_resp = delayed
        cocotb.start_soon(count())
        cocotb.start_soon(pump())

    async def _write(self, address, data):
        if self.corrupt is not None:
            data = self.corrupt(address, data)
        if self.monitor is not None:
            self.monitor(address, data)
        if self._check(address, len(data), True):
            self.writes.append((address, len(data)))
            if self.port is not None:
                await self.port.write(address, data)
            else:
                await super()._write(address, data)


class FaultyRamRead(AxiRamRead, _ResponseMixin):
    def __init__(self, *args, port=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.port = port
        self.refused: list = []
        self._install_resp_patch(self.r_channel, "rresp")

    async def _read(self, address, length):
        if self._check(address, length, False):
            if self.port is not None:
                return await self.port.read(address, length)
            return await super()._read(address, length)
        return bytes(length)


class OffsetPort:
    """Bus address -> test memory offset (bus address minus ``base``): lets a small memory sit
    anywhere in the engine's address space, so high address bits are exercised too."""

    def __init__(self, mem, base: int):
        self.mem, self.base = mem, base

    def _off(self, addr: int, n: int) -> int:
        off = addr - self.base
        if off < 0 or off + n > len(self.mem):
            raise ValueError(f"bus address {addr:#x} outside the test memory at {self.base:#x}")
        return off

    async def write(self, addr: int, data: bytes) -> None:
        off = self._off(addr, len(data))
        self.mem[off:off + len(data)] = data

    async def read(self, addr: int, n: int) -> bytes:
        off = self._off(addr, n)
        return bytes(self.mem[off:off + n])


def set_pause(channel, generator) -> None:
    """Set or remove a channel's pause generator. Removing one leaves cocotbext's pause flag as
    it last was (possibly paused for good), so it is cleared explicitly."""
    channel.set_pause_generator(generator)
    if generator is None:
        channel.pause = False


def pause_gen(seed: int, duty: float) -> Iterable[int]:
    rng = random.Random(seed)
    while True:
        yield 1 if rng.random() < duty else 0


class StreamLoopback:
    """m_axis_mm2s looped back into s_axis_s2mm through a small FIFO, beat by beat, with random
    backpressure on each side: TREADY to MM2S low on a random share of clocks (and while the FIFO
    is full), and a random share of clocks on which no new beat is offered to S2MM (a beat
    offered stays offered, unchanged, until S2MM takes it).  Handshakes are sampled at the
    clock edge, the way the cocotbext-axi models do."""

    def __init__(self, dut, seed: int = 7, mm2s_stall: float = 0.0, s2mm_stall: float = 0.0,
                 depth: int = 4):
        for name, v in (("mm2s_stall", mm2s_stall), ("s2mm_stall", s2mm_stall)):
            if not 0.0 <= v < 1.0:
                raise ValueError(f"{name} must be in [0, 1), got {v!r}")
        if depth < 1:
            raise ValueError(f"FIFO depth must be at least 1, got {depth!r}")
        self.dut, self.depth = dut, depth
        self.mm2s_stall, self.s2mm_stall = mm2s_stall, s2mm_stall
        self.rng = random.Random(seed)
        self.beats = 0           # beats taken from MM2S
        self.packets = 0         # TLASTs taken from MM2S
        dut.m_axis_mm2s_tready.value = 0
        dut.s_axis_s2mm_tvalid.value = 0
        dut.s_axis_s2mm_tdata.value = 0
        dut.s_axis_s2mm_tkeep.value = 0
        dut.s_axis_s2mm_tlast.value = 0
        cocotb.start_soon(self._run())

    async def _run(self) -> None:
        d = self.dut
        fifo: deque = deque()
        offered = None
        ready = 0
        while True:
            await RisingEdge(d.axi_aclk)
            if _val(d.axi_resetn) != 1:
                fifo.clear()
                offered, ready = None, 0
            else:
                if offered is not None and _val(d.s_axis_s2mm_tready) == 1:
                    offered = None
                if ready and _val(d.m_axis_mm2s_tvalid) == 1:
                    beat = (int(d.m_axis_mm2s_tdata.value), int(d.m_axis_mm2s_tkeep.value),
                            int(d.m_axis_mm2s_tlast.value))
                    fifo.append(beat)
                    self.beats += 1
                    self.packets += beat[2]
                if offered is None and fifo and self.rng.random() >= self.s2mm_stall:
                    offered = fifo.popleft()
                ready = int(len(fifo) < self.depth and self.rng.random() >= self.mm2s_stall)
            d.m_axis_mm2s_tready.value = ready
            if offered is None:
                d.s_axis_s2mm_tvalid.value = 0
            else:
                d.s_axis_s2mm_tdata.value, d.s_axis_s2mm_tkeep.value, d.s_axis_s2mm_tlast.value = offered
                d.s_axis_s2mm_tvalid.value = 1


def _val(handle) -> int:
    try:
        return int(handle.value)
    except ValueError:
        return -1


class TB:
    """Environment around one sgdma instance."""

    def __init__(self, dut, mem=None, mem_size: int = 1 << 20, tlast: bool = True,
                 b_latency: int = 0, port=None, checker: bool = True,
                 loopback: Optional[dict] = None, r_latency: int = 0):
        self.dut = dut
        self.log = logging.getLogger("cocotb.sgdma.tb")
        self.data_width = len(dut.s_axis_s2mm_tdata)
        self.bytes_per_beat = self.data_width // 8
        self.addr_width = len(dut.m_axi_s2mm_awaddr)
        self.mem = mem if mem is not None else bytearray(mem_size if port is None else 4096)
        size = len(self.mem) if port is None else 1 << 64
        clk, rst = dut.axi_aclk, dut.axi_resetn
        cocotb.start_soon(Clock(clk, CLK_NS, unit="ns").start())
        self.lite = AxiLiteMaster(AxiLiteBus.from_prefix(dut, "s_axi_lite"), clk, rst,
                                  reset_active_level=False)
        sg_bus = AxiBus.from_prefix(dut, "m_axi_sg")
        self.sg_wr = FaultyRamWrite(sg_bus.write, clk, rst, reset_active_level=False, size=size,
                                    mem=self.mem, port=port)
        self.sg_rd = FaultyRamRead(sg_bus.read, clk, rst, reset_active_level=False, size=size,
                                   mem=self.mem, port=port)
        self.data_wr = FaultyRamWrite(AxiWriteBus.from_prefix(dut, "m_axi_s2mm"), clk, rst,
                                      reset_active_level=False, size=size, mem=self.mem,
                                      b_latency=b_latency, port=port)
        self.tlast = tlast
        # loopback (MM2S builds): m_axis_mm2s feeds s_axis_s2mm (StreamLoopback's keyword
        # arguments); there is then no stream source or sink of the testbench's own
        self.loop: Optional[StreamLoopback] = None
        self.source = None
        if loopback is None:
            if tlast:
                bus = AxiStreamBus.from_prefix(dut, "s_axis_s2mm")
            else:
                bus = _NoLastStreamBus.from_prefix(dut, "s_axis_s2mm")
                dut.s_axis_s2mm_tlast.value = 0
            self.source = AxiStreamSource(bus, clk, rst, reset_active_level=False)
        for model in (self.lite.write_if, self.lite.read_if, self.sg_wr, self.sg_rd, self.data_wr,
                      self.source):
            if model is not None:
                model.log.setLevel(logging.WARNING)
        # Every test runs with the AXI protocol checker on every port (off only for the speed
        # runs of `make sim` and `make bench`).
        self.checker = AxiChecker(dut) if checker else None
        self.scoreboard = Scoreboard()
        self.data_wr.monitor = self.scoreboard.on_data_write
        self.sg_wr.monitor = self._on_sg_write
        self.irq_count = 0
        self.irq_event = Event()
        self.cycle = 0
        cocotb.start_soon(self._count_cycles())
        cocotb.start_soon(self._watch_irq())
        self._init_mm2s(loopback, r_latency, size, port)

    def _init_mm2s(self, loopback: Optional[dict], r_latency: int, size: int, port) -> None:
        """The MM2S channel's bus models, in builds that have it."""
        dut = self.dut
        clk, rst = dut.axi_aclk, dut.axi_resetn
        self.mm2s = hasattr(dut, "INCLUDE_MM2S") and int(dut.INCLUDE_MM2S.value) == 1
        self.tx_descs: set[int] = set()        # descriptor addresses (bus) of MM2S chains
        self.mm2s_writebacks: list[tuple[int, bytes]] = []
        self.mm2s_irq_count = 0
        if loopback is not None and not self.mm2s:
            raise ValueError("loopback needs a build with the MM2S channel (INCLUDE_MM2S=1)")
        self.sink = None
        if self.mm2s:
            if r_latency < 0:
                raise ValueError(f"read latency must be 0 or more clocks, got {r_latency!r}")
            from .mm2s_tb import LatencyRamRead   # (mm2s_tb builds on this module)
            self.mm2s_rd = LatencyRamRead(AxiReadBus.from_prefix(dut, "m_axi_mm2s"), clk, rst,
                                          reset_active_level=False, size=size, mem=self.mem, port=port,
                                          latency=r_latency)
            self.mm2s_rd.log.setLevel(logging.WARNING)
            if loopback is None:
                self.sink = AxiStreamSink(AxiStreamBus.from_prefix(dut, "m_axis_mm2s"), clk, rst,
                                          reset_active_level=False)
                self.sink.log.setLevel(logging.WARNING)
            else:
                self.loop = StreamLoopback(dut, **loopback)
            cocotb.start_soon(self._watch_mm2s_irq())

    # -------------------------------------------------------------- basics
    async def _count_cycles(self):
        while True:
            await RisingEdge(self.dut.axi_aclk)
            self.cycle += 1

    async def _watch_irq(self):
        while True:
            await RisingEdge(self.dut.s2mm_introut)
            self.irq_count += 1
            self.scoreboard.on_irq()
            self.irq_event.set()

    def _on_sg_write(self, addr: int, data: bytes) -> None:
        if addr - addr % rm.DESC_SIZE in self.tx_descs:
            self.mm2s_writebacks.append((addr, bytes(data)))
        else:
            self.scoreboard.on_sg_write(addr, data)

    async def _watch_mm2s_irq(self):
        while True:
            await RisingEdge(self.dut.mm2s_introut)
            self.mm2s_irq_count += 1

    async def reset(self) -> None:
        self.dut.axi_resetn.value = 0
        await ClockCycles(self.dut.axi_aclk, 5)
        self.dut.axi_resetn.value = 1
        await ClockCycles(self.dut.axi_aclk, 3)

    def set_idle(self, enable: bool, seed: int = 1) -> None:
        """Random idle cycles at the stream source."""
        set_pause(self.source, pause_gen(seed, 0.3) if enable else None)

    def set_backpressure(self, enable: bool, seed: int = 2) -> None:
        """Random not-ready cycles on every AXI channel the engine drives."""
        chans = [self.data_wr.aw_channel, self.data_wr.w_channel, self.data_wr.b_channel,
                 self.sg_wr.aw_channel, self.sg_wr.w_channel, self.sg_wr.b_channel,
                 self.sg_rd.ar_channel, self.sg_rd.r_channel]
        if self.mm2s:
            chans += [self.mm2s_rd.ar_channel, self.mm2s_rd.r_channel]
        for i, ch in enumerate(chans):
            set_pause(ch, pause_gen(seed * 31 + i, 0.3) if enable else None)

    def reset_source(self) -> None:
        """Reset the device model: drop queued and half-sent data, tvalid low."""
        self.source.clear()
        self.source.assert_reset()       # asserted and released: tvalid low, the frame in flight dropped
        if self.checker:
            self.checker.stream_reset()

    async def read_reg(self, name: str) -> int:
        return int.from_bytes(await self.lite.read(rm.REG[name].offset, 4), "little")

    async def write_reg(self, name: str, value: int) -> None:
        if name == "S2MM_DMACR":
            self.scoreboard.on_dmacr(value)
        await self.lite.write(rm.REG[name].offset, int(value).to_bytes(4, "little"))

    async def read_counter(self, name: str) -> int:
        lo = await self.read_reg(f"{name}_LO")
        hi = await self.read_reg(f"{name}_HI")
        return (hi << 32) | lo

    async def write_addr(self, name: str, addr: int) -> None:
        """A descriptor address register, low word first, then _MSB (the order of Linux
        lo_hi_writeq and xaxidma; with 64-bit addresses the TAILDESC_MSB write is the doorbell)."""
        await self.write_reg(name, addr & 0xFFFFFFFF)
        if self.addr_width > 32:
            await self.write_reg(f"{name}_MSB", addr >> 32)

    # -------------------------------------------------------------- memory helpers
    def fill(self, start: int, length: int, value: int = 0xA5) -> None:
        self.mem[start:start + length] = bytes([value]) * length

    def write_chain(self, desc_base: int, buffers: list[tuple[int, int]], cyclic: bool = False,
                    stride: int = rm.DESC_SIZE, bus_base: int = 0) -> list[int]:
        """Writes a descriptor chain for (buffer address, length) pairs; returns descriptor
        addresses (memory offsets). With ``bus_base`` the engine sees every address shifted by
        it (see OffsetPort)."""
        addrs = [desc_base + i * stride for i in range(len(buffers))]
        nxt = addrs[1:] + [addrs[0] if cyclic else addrs[-1] + stride]
        recs = rm.descriptors([(buf + bus_base, n) for buf, n in buffers], [a + bus_base for a in nxt])
        for a, rec in zip(addrs, recs):
            self.mem[a:a + rm.DESC_SIZE] = rec.tobytes()
        return addrs

    def status(self, desc_addr: int) -> int:
        off = desc_addr + rm.DESC_OFFSETS["status"]
        return int.from_bytes(self.mem[off:off + 4], "little")

    def clear_status(self, desc_addr: int) -> None:
        off = desc_addr + rm.DESC_OFFSETS["status"]
        self.mem[off:off + 4] = bytes(4)

    def expect(self, descs: list[int], bufs: list[tuple[int, int]], packets: list[bytes],
               laps: int = 1, bus_base: int = 0, error: Optional[ErrorAt] = None,
               overruns: int = 0, chain: Optional[list[ChainEntry]] = None) -> None:
        """Arm the streaming scoreboard for a run over this chain (engine order: ``laps``
        times round, or ``chain`` when given) and the stream bytes that will be written."""
        chain = chain if chain is not None else chain_of(descs, bufs, laps, bus_base)
        self.scoreboard.expect(chain, packets, tlast=self.tlast, error=error, overruns=overruns)

    # -------------------------------------------------------------- engine control
    async def start(self, first: int, tail: int, cyclic: bool = False, threshold: int = 1,
                    delay: int = 0, irq: bool = True) -> None:
        await self._start_channel("S2MM", first, tail, cyclic, threshold, delay, irq)

    async def _start_channel(self, ch: str, first: int, tail: int, cyclic: bool, threshold: int,
                             delay: int, irq: bool) -> None:
        """CURDESC, DMACR (RS, cyclic, coalescing, interrupt enables), then the TAILDESC doorbell
        of channel `ch` ("S2MM" or "MM2S")."""
        cr = rm.REG[f"{ch}_DMACR"]
        await self.write_addr(f"{ch}_CURDESC", first)
        ctrl = (cr.RS.put(1) | cr.CYCLIC_BD_EN.put(int(cyclic)) | cr.IRQ_THRESHOLD.put(threshold)
                | cr.IRQ_DELAY.put(delay))
        if irq:
            ctrl |= cr.IOC_IRQ_EN.put(1) | cr.DLY_IRQ_EN.put(1) | cr.ERR_IRQ_EN.put(1)
        await self.write_reg(f"{ch}_DMACR", ctrl)
        await self.write_addr(f"{ch}_TAILDESC", tail)

    async def send(self, data: bytes, last: bool = True) -> None:
        """Queue stream bytes (one packet when tlast is connected)."""
        await self.source.send(AxiStreamFrame(data))

    async def wait_for(self, cond: Callable[[], bool], timeout_cycles: int = 200_000,
                       what: str = "condition") -> None:
        for _ in range(timeout_cycles):
            if cond():
                return
            await RisingEdge(self.dut.axi_aclk)
        raise AssertionError(f"timeout after {timeout_cycles} cycles waiting for {what}")

    async def wait_status(self, desc_addr: int, timeout_cycles: int = 200_000) -> int:
        await self.wait_for(lambda: self.status(desc_addr) & rm.STATUS.CMPLT.mask, timeout_cycles,
                            f"Cmplt of descriptor {desc_addr:#x}")
        return self.status(desc_addr)

    async def wait_halted(self, timeout_cycles: int = 50_000) -> int:
        for _ in range(timeout_cycles // 20):
            sr = await self.read_reg("S2MM_DMASR")
            if rm.S2MM_DMASR.HALTED.get(sr):
                return sr
            await ClockCycles(self.dut.axi_aclk, 20)
        raise AssertionError("engine did not halt")

    # -------------------------------------------------------------- MM2S channel
    def _need_mm2s(self) -> None:
        if not self.mm2s:
            raise ValueError("this build has no MM2S channel (INCLUDE_MM2S=0)")

    def write_tx_chain(self, desc_base: int, buffers: list[tuple[int, int]],
                       frames: list[tuple[bool, bool]], cyclic: bool = False,
                       stride: int = rm.DESC_SIZE, bus_base: int = 0) -> list[int]:
        """An MM2S descriptor chain: (buffer address, length) pairs with their (TXSOF, TXEOF);
        returns the descriptor addresses (memory offsets)."""
        self._need_mm2s()
        addrs = [desc_base + i * stride for i in range(len(buffers))]
        nxt = addrs[1:] + [addrs[0] if cyclic else addrs[-1] + stride]
        recs = rm.descriptors([(buf + bus_base, n) for buf, n in buffers], [a + bus_base for a in nxt],
                              frames)
        for a, rec in zip(addrs, recs):
            self.mem[a:a + rm.DESC_SIZE] = rec.tobytes()
            self.tx_descs.add(a + bus_base)
        return addrs

    def set_sink_backpressure(self, enable: bool, seed: int = 3, duty: float = 0.3) -> None:
        """Random TREADY low cycles at the MM2S stream sink."""
        self._need_mm2s()
        set_pause(self.sink, pause_gen(seed, duty) if enable else None)

    def reset_sink(self) -> None:
        """Reset the MM2S stream sink: drop received packets and a half-received one."""
        self._need_mm2s()
        self.sink.assert_reset()
        self.sink.clear()

    async def mm2s_start(self, first: int, tail: int, cyclic: bool = False, threshold: int = 1,
                         delay: int = 0, irq: bool = True) -> None:
        self._need_mm2s()
        await self._start_channel("MM2S", first, tail, cyclic, threshold, delay, irq)

    async def mm2s_wait_halted(self, timeout_cycles: int = 50_000) -> int:
        for _ in range(timeout_cycles // 20):
            sr = await self.read_reg("MM2S_DMASR")
            if rm.MM2S_DMASR.HALTED.get(sr):
                return sr
            await ClockCycles(self.dut.axi_aclk, 20)
        raise AssertionError("MM2S channel did not halt")

    async def recv_packets(self, n: int, timeout_cycles: int = 500_000) -> list[bytes]:
        """The next ``n`` packets (TLAST-delimited) from m_axis_mm2s."""
        self._need_mm2s()
        out: list[bytes] = []
        for _ in range(timeout_cycles):
            while not self.sink.empty() and len(out) < n:
                out.append(bytes(self.sink.recv_nowait().tdata))
            if len(out) >= n:
                return out
            await RisingEdge(self.dut.axi_aclk)
        raise AssertionError(f"timeout after {timeout_cycles} cycles: {len(out)} of {n} MM2S packets")

    async def soft_reset(self) -> None:
        await self.write_reg("S2MM_DMACR", rm.S2MM_DMACR.RESET.put(1))
        for _ in range(1000):
            if not rm.S2MM_DMACR.RESET.get(await self.read_reg("S2MM_DMACR")):
                return
        raise AssertionError("soft reset did not complete")


def pattern(n: int, seed: int = 0) -> bytes:
    """Deterministic pseudo-random bytes."""
    return np.random.default_rng(seed).integers(0, 256, n, dtype=np.uint8).tobytes()


def counter_pattern(n: int, start: int = 0) -> bytes:
    return bytes((start + i) & 0xFF for i in range(n))
