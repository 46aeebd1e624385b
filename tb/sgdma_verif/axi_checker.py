"""AXI protocol checker for every port of rtl/sgdma.v, sampled every clock.

Rules (each violation names the port, the rule and the cycle):
- handshake: once VALID is high it stays high until READY, with the payload unchanged
  (every AXI4, AXI4-Lite and AXI4-Stream channel, whichever side drives it);
- reset: VALID outputs of the engine are low while axi_resetn is low;
- bursts: INCR, full-width beats, IDs 0, never across a 4 KiB boundary, at most
  MAX_BURST_LEN beats on m_axi_s2mm, the descriptor-sized bursts on m_axi_sg;
- write data: WLAST on exactly the last beat of each burst, in AW order;
- responses: no B before its burst's last W beat, no R beyond the requested beats, RLAST on
  the last beat of each read; on the AXI-Lite slave, no BVALID/RVALID without a request;
- MM2S (builds with INCLUDE_MM2S): m_axi_mm2s reads as the bursts above (at most MAX_BURST_LEN
  beats), R beats and RLAST counted against them, and on m_axis_mm2s TKEEP contiguous from
  lane 0 with a partial beat only where TLAST is set (the stream is packed).
"""
from __future__ import annotations

from collections import deque

import cocotb
from cocotb.triggers import ReadOnly, RisingEdge


class ProtocolError(AssertionError):
    pass


class _Chan:
    def __init__(self, dut, port: str, name: str, payload: list[str], by_dut: bool):
        self.port, self.name, self.by_dut = port, name, by_dut
        self.valid = getattr(dut, f"{port}_{name}valid")
        self.ready = getattr(dut, f"{port}_{name}ready")
        self.payload = [getattr(dut, f"{port}_{s}") for s in payload]
        self.names = payload
        self.pending: tuple | None = None   # payload of a VALID not yet accepted

    def sample(self) -> tuple:
        return tuple(_int(h) for h in self.payload)


def _int(handle) -> int:
    """The value as an int; an unknown (X/Z) value reads as -1."""
    try:
        return int(handle.value)
    except ValueError:
        return -1


class AxiChecker:
    def __init__(self, dut, raise_on_violation: bool = True):
        self.dut = dut
        self.raise_on_violation = raise_on_violation
        self.violations: list[str] = []
        self.cycle = 0
        self.db = len(dut.m_axi_s2mm_wdata) // 8
        self.sgb = len(dut.m_axi_sg_wdata) // 8
        self.max_burst = int(dut.MAX_BURST_LEN.value)
        mk = lambda *a: _Chan(dut, *a)  # noqa: E731
        self.s2mm_aw = mk("m_axi_s2mm", "aw", ["awaddr", "awlen", "awsize", "awburst", "awid"], True)
        self.s2mm_w = mk("m_axi_s2mm", "w", ["wdata", "wstrb", "wlast"], True)
        self.s2mm_b = mk("m_axi_s2mm", "b", ["bresp", "bid"], False)
        self.sg_aw = mk("m_axi_sg", "aw", ["awaddr", "awlen", "awsize", "awburst", "awid"], True)
        self.sg_w = mk("m_axi_sg", "w", ["wdata", "wstrb", "wlast"], True)
        self.sg_b = mk("m_axi_sg", "b", ["bresp", "bid"], False)
        self.sg_ar = mk("m_axi_sg", "ar", ["araddr", "arlen", "arsize", "arburst", "arid"], True)
        self.sg_r = mk("m_axi_sg", "r", ["rdata", "rresp", "rlast", "rid"], False)
        self.lite_aw = mk("s_axi_lite", "aw", ["awaddr"], False)
        self.lite_w = mk("s_axi_lite", "w", ["wdata"], False)
        self.lite_b = mk("s_axi_lite", "b", ["bresp"], True)
        self.lite_ar = mk("s_axi_lite", "ar", ["araddr"], False)
        self.lite_r = mk("s_axi_lite", "r", ["rdata", "rresp"], True)
        self.axis = _Chan(dut, "s_axis_s2mm", "t", ["tdata", "tkeep", "tlast"], False)
        self.axis.valid, self.axis.ready = dut.s_axis_s2mm_tvalid, dut.s_axis_s2mm_tready
        self.chans = [self.s2mm_aw, self.s2mm_w, self.s2mm_b, self.sg_aw, self.sg_w, self.sg_b, self.sg_ar,
                      self.sg_r, self.lite_aw, self.lite_w, self.lite_b, self.lite_ar, self.lite_r, self.axis]
        self.mm2s = hasattr(dut, "INCLUDE_MM2S") and int(dut.INCLUDE_MM2S.value) == 1
        self.mm2s_ar = self.mm2s_r = self.mm2s_axis = None
        self._mm2s_reads: deque[int] = deque()
        if self.mm2s:
            self.mm2s_ar = mk("m_axi_mm2s", "ar", ["araddr", "arlen", "arsize", "arburst", "arid"], True)
            self.mm2s_r = mk("m_axi_mm2s", "r", ["rdata", "rresp", "rlast", "rid"], False)
            self.mm2s_axis = _Chan(dut, "m_axis_mm2s", "t", ["tdata", "tkeep", "tlast"], True)
            self.chans += [self.mm2s_ar, self.mm2s_r, self.mm2s_axis]
        self._bursts = {"m_axi_s2mm": _WriteTracker(), "m_axi_sg": _WriteTracker()}
        self._reads: deque[int] = deque()      # beats outstanding per AR, in order
        self._lite_wr = self._lite_rd = 0       # requests minus responses on the AXI-Lite slave
        self._lite_aw_pending = self._lite_w_pending = 0
        cocotb.start_soon(self._run())

    def violation(self, chan_or_port, rule: str) -> None:
        where = chan_or_port if isinstance(chan_or_port, str) else f"{chan_or_port.port}.{chan_or_port.name}"
        msg = f"AXI protocol violation at cycle {self.cycle}: {where}: {rule}"
        self.violations.append(msg)
        if self.raise_on_violation:
            raise ProtocolError(msg)

    async def _run(self) -> None:
        clk, rst = self.dut.axi_aclk, self.dut.axi_resetn
        seen_reset = False
        reset_cycles = 0
        while True:
            await RisingEdge(clk)
            await ReadOnly()
            self.cycle += 1
            in_reset = _int(rst) != 1
            seen_reset |= in_reset
            reset_cycles = reset_cycles + 1 if in_reset else 0
            if not seen_reset:
                continue   # before the first reset the engine's outputs are undefined
            if in_reset:
                for c in self.chans:
                    c.pending = None
                    # from the first clock edge that samples reset low, VALIDs must be low
                    if c.by_dut and reset_cycles >= 2 and _int(c.valid) == 1:
                        self.violation(c, "VALID high during reset")
                self._bursts = {"m_axi_s2mm": _WriteTracker(), "m_axi_sg": _WriteTracker()}
                self._reads.clear()
                self._mm2s_reads.clear()
                self._lite_wr = self._lite_rd = self._lite_aw_pending = self._lite_w_pending = 0
                continue
            for c in self.chans:
                self._step(c)

    def _step(self, c: _Chan) -> None:
        v = _int(c.valid)
        if v < 0:
            if c.by_dut:
                self.violation(c, "VALID is X/Z out of reset")
            return
        if c.pending is not None:
            if not v:
                self.violation(c, "VALID dropped before READY")
                c.pending = None
                return
            now = c.sample()
            if now != c.pending:
                changed = [n for n, a, b in zip(c.names, c.pending, now) if a != b]
                self.violation(c, f"payload changed while VALID waited for READY ({', '.join(changed)})")
        if not v:
            return
        payload = c.sample() if c.pending is None else c.pending
        if _int(c.ready) == 1:
            c.pending = None
            self._handshake(c, payload)
        else:
            c.pending = payload

    # -- what each accepted transfer must satisfy ------------------------------------------------
    def _handshake(self, c: _Chan, p: tuple) -> None:
        if self.mm2s and c in (self.mm2s_r, self.mm2s_axis):
            self._mm2s_handshake(c, p)
        elif c in (self.s2mm_aw, self.sg_aw, self.sg_ar) or (self.mm2s and c is self.mm2s_ar):
            addr, length, size, burst, ident = p
            beats = length + 1
            lanes = self.db if c in (self.s2mm_aw, self.mm2s_ar) else self.sgb
            if burst != 1:
                self.violation(c, f"burst type {burst}, expected INCR")
            if 1 << size != lanes:
                self.violation(c, f"size {1 << size} bytes on a {lanes}-byte bus")
            if ident != 0:
                self.violation(c, f"ID {ident}, the engine uses ID 0")
            if (addr & 0xFFF) + beats * lanes > 0x1000:
                self.violation(c, f"burst at {addr:#x} of {beats} beats crosses a 4 KiB boundary")
            if c in (self.s2mm_aw, self.mm2s_ar) and beats > self.max_burst:
                self.violation(c, f"burst of {beats} beats > MAX_BURST_LEN {self.max_burst}")
            if c is self.mm2s_ar:
                self._mm2s_reads.append(beats)
                return
            if c is self.sg_ar:
                if beats != 32 // lanes:
                    self.violation(c, f"descriptor read of {beats} beats, expected {32 // lanes}")
                self._reads.append(beats)
            elif c is self.sg_aw and beats not in (1, 2):
                self.violation(c, f"status write-back of {beats} beats")
            if c is not self.sg_ar:
                self._bursts[c.port].aw(beats, self, c)
        elif c in (self.s2mm_w, self.sg_w):
            self._bursts[c.port].w(bool(p[2]), self, c)
        elif c in (self.s2mm_b, self.sg_b):
            if p[1] != 0:
                self.violation(c, f"BID {p[1]}")
            self._bursts[c.port].b(self, c)
        elif c is self.sg_r:
            if not self._reads:
                self.violation(c, "R beat with no read outstanding")
                return
            self._reads[0] -= 1
            last = self._reads[0] == 0
            if bool(p[2]) != last:
                self.violation(c, f"RLAST={p[2]} but {'this is' if last else 'this is not'} the last beat")
            if last:
                self._reads.popleft()
        elif c is self.lite_aw:
            self._lite_aw_pending += 1
        elif c is self.lite_w:
            self._lite_w_pending += 1
        elif c is self.lite_b:
            if min(self._lite_aw_pending, self._lite_w_pending) <= 0:
                self.violation(c, "BVALID without a write request")
            self._lite_aw_pending -= 1
            self._lite_w_pending -= 1
        elif c is self.lite_ar:
            self._lite_rd += 1
        elif c is self.lite_r:
            if self._lite_rd <= 0:
                self.violation(c, "RVALID without a read request")
            self._lite_rd -= 1

    def _mm2s_handshake(self, c: _Chan, p: tuple) -> None:
        """An R beat on m_axi_mm2s or a beat on m_axis_mm2s."""
        if c is self.mm2s_r:
            if p[3] != 0:
                self.violation(c, f"RID {p[3]}")
            if not self._mm2s_reads:
                self.violation(c, "R beat with no read outstanding")
                return
            self._mm2s_reads[0] -= 1
            last = self._mm2s_reads[0] == 0
            if bool(p[2]) != last:
                self.violation(c, f"RLAST={p[2]} but {'this is' if last else 'this is not'} the last beat")
            if last:
                self._mm2s_reads.popleft()
            return
        keep, tlast = p[1], p[2]
        full = (1 << self.db) - 1
        if keep == 0 or keep & (keep + 1):
            self.violation(c, f"TKEEP {keep:#x} is not contiguous from lane 0")
        elif keep != full and not tlast:
            self.violation(c, f"partial beat (TKEEP {keep:#x}) without TLAST: the stream must be packed")

    def stream_reset(self) -> None:
        """The device side of s_axis was reset (a link reset): a held beat may be withdrawn."""
        self.axis.pending = None

    def check_quiet(self) -> None:
        """At the end of a test: nothing half-done on the AXI ports."""
        for port, t in self._bursts.items():
            if t.w_beats:
                self.violation(port, f"{t.w_beats} W beats of an unfinished burst")


class _WriteTracker:
    """AW lengths and W bursts in order: WLAST must close each burst on its last beat."""

    def __init__(self):
        self.aw_lens: deque[int] = deque()
        self.w_beats = 0           # beats of the current W burst so far
        self.done_bursts = 0       # W bursts finished (WLAST) and waiting for their B
        self.w_closed: deque[int] = deque()   # lengths of W bursts closed before their AW

    def aw(self, beats: int, chk: AxiChecker, c) -> None:
        if self.w_closed:
            got = self.w_closed.popleft()
            if got != beats:
                chk.violation(c, f"WLAST after {got} beats of a {beats}-beat burst")
            self.done_bursts += 1
        else:
            self.aw_lens.append(beats)

    def w(self, last: bool, chk: AxiChecker, c) -> None:
        self.w_beats += 1
        if self.aw_lens:
            expect = self.aw_lens[0]
            if last != (self.w_beats == expect):
                chk.violation(c, f"WLAST={int(last)} on beat {self.w_beats} of a {expect}-beat burst")
            if last or self.w_beats >= expect:
                self.aw_lens.popleft()
                self.w_beats = 0
                self.done_bursts += 1
        elif last:   # W ran ahead of its AW (legal); checked when the AW arrives
            self.w_closed.append(self.w_beats)
            self.w_beats = 0

    def b(self, chk: AxiChecker, c) -> None:
        if self.done_bursts <= 0:
            chk.violation(c, "B response before the last W beat of its burst")
            return
        self.done_bursts -= 1
