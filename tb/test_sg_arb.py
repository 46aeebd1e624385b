"""The descriptor-port arbiter (rtl/sgdma_sg_arb.v) on its own: two AXI4 masters (the S2MM and
MM2S channels' descriptor fetch and STATUS write-back) share one RAM through it.  Random
concurrent writes and read-backs from both sources under random backpressure on every
channel, every byte compared; the shared port watched every clock for stable VALID/payload
until READY and for W beats following the AW order; round-robin checked on every address
granted while both sources were asking."""
from __future__ import annotations

import logging
import random

import cocotb
import pytest
from cocotb.clock import Clock
from cocotb.triggers import ClockCycles, ReadOnly, RisingEdge
from cocotbext.axi import AxiBus, AxiMaster, AxiRam

from sgdma_verif.env import pause_gen, set_pause

REGION = 0x1_0000          # each source works in its own 64 KiB region of the RAM


class ArbTB:
    def __init__(self, dut, seed: int):
        self.dut = dut
        cocotb.start_soon(Clock(dut.clk, 10, unit="ns").start())
        self.ram = AxiRam(AxiBus.from_prefix(dut, "m_axi_sg"), dut.clk, dut.rst, size=4 * REGION)
        self.src = [AxiMaster(AxiBus.from_prefix(dut, f"s{i}_axi"), dut.clk, dut.rst) for i in (0, 1)]
        self.errors: list[str] = []
        self.grants = {"ar": [], "aw": []}     # (source, both asking) per granted address
        self.aw_order: list[int] = []          # source of each accepted AW on the shared port
        self.w_done: list[int] = []            # source of each WLAST beat on the shared port
        self.seed = seed

    def backpressure(self, duty: float) -> None:
        s = self.seed
        for i, m in enumerate(self.src):
            for ch in (m.write_if.aw_channel, m.write_if.w_channel, m.write_if.b_channel,
                       m.read_if.ar_channel, m.read_if.r_channel):
                s += 1
                set_pause(ch, pause_gen(s, duty))
        for ch in (self.ram.write_if.aw_channel, self.ram.write_if.w_channel, self.ram.write_if.b_channel,
                   self.ram.read_if.ar_channel, self.ram.read_if.r_channel):
            s += 1
            set_pause(ch, pause_gen(s, duty))

    async def reset(self) -> None:
        self.dut.rst.value = 1
        await ClockCycles(self.dut.clk, 5)
        self.dut.rst.value = 0
        await ClockCycles(self.dut.clk, 2)
        cocotb.start_soon(self._monitor())

    async def _monitor(self) -> None:
        d = self.dut
        held = {}
        decided = {}
        w_owner: list[int] = []
        while True:
            await RisingEdge(d.clk)
            await ReadOnly()
            for ch, pay in (("ar", ("araddr", "arlen", "arsize", "arburst", "arid")),
                            ("aw", ("awaddr", "awlen", "awsize", "awburst", "awid"))):
                valid = int(getattr(d, f"m_axi_sg_{ch}valid").value)
                ready = int(getattr(d, f"m_axi_sg_{ch}ready").value)
                now = tuple(int(getattr(d, f"m_axi_sg_{p}").value) for p in pay) if valid else None
                was_held = ch in held
                if was_held and (not valid or held[ch] != now):
                    self.errors.append(f"m_axi_sg {ch}: VALID or payload changed before READY")
                held.pop(ch, None)
                if valid and not was_held:
                    # the grant is decided in the first clock the address is offered
                    decided[ch] = bool(int(getattr(d, f"s0_axi_{ch}valid").value)
                                       and int(getattr(d, f"s1_axi_{ch}valid").value))
                if valid and not ready:
                    held[ch] = now
                if valid and ready:
                    s0 = int(getattr(d, f"s0_axi_{ch}ready").value)
                    s1 = int(getattr(d, f"s1_axi_{ch}ready").value)
                    if s0 + s1 != 1:
                        self.errors.append(f"{ch}: {s0 + s1} sources told READY for one address")
                    src = 1 if s1 else 0
                    self.grants[ch].append((src, decided[ch]))
                    if ch == "aw":
                        self.aw_order.append(src)
                        w_owner.append(src)
            if int(d.m_axi_sg_wvalid.value) and int(d.m_axi_sg_wready.value):
                s0, s1 = int(d.s0_axi_wready.value), int(d.s1_axi_wready.value)
                src = 1 if s1 else 0
                if s0 + s1 != 1 or not w_owner or w_owner[0] != src:
                    self.errors.append(f"W beat from source {src} out of AW order ({w_owner[:2]})")
                if int(d.m_axi_sg_wlast.value):
                    self.w_done.append(src)
                    if w_owner:
                        w_owner.pop(0)


async def worker(tb: ArbTB, src: int, rng: random.Random, ops: int, shadow: bytearray) -> None:
    """Random writes into this source's region, each read back at once and compared with the
    shadow copy; every fourth operation reads a random span instead."""
    m = tb.src[src]
    base = src * REGION
    for _ in range(ops):
        n = rng.choice([4, 8, 16, 32, 64, rng.randint(1, 300)])
        off = rng.randrange(0, REGION - n)
        if rng.random() < 0.25:
            got = (await m.read(base + off, n, arid=0)).data
            want = bytes(shadow[base + off: base + off + n])
        else:
            data = bytes(rng.getrandbits(8) for _ in range(n))
            await m.write(base + off, data, awid=0)
            shadow[base + off: base + off + n] = data
            got = (await m.read(base + off, n, arid=0)).data
            want = data
        assert got == want, f"source {src} at 0x{base + off:x}+{n}: read {got.hex()} want {want.hex()}"


def check_round_robin(tb: ArbTB) -> int:
    """Whenever both sources asked in the clock a grant was decided, it went to the one not
    granted the time before."""
    contested = 0
    for ch, seq in tb.grants.items():
        for i in range(1, len(seq)):
            src, both = seq[i]
            if both:
                contested += 1
                assert src != seq[i - 1][0], f"{ch} grant {i}: source {src} granted twice running while both asked"
    return contested


@cocotb.test()
@cocotb.parametrize(duty=[0.0, 0.3])
async def random_traffic(dut, duty):
    """Both sources, several operations in flight each, random backpressure everywhere."""
    if True:
        tb = ArbTB(dut, seed=7 if duty else 3)
        rng = random.Random(11 + int(duty * 10))
        init = bytes(rng.getrandbits(8) for _ in range(2 * REGION))
        tb.ram.write(0, init)
        shadow = bytearray(init)
        if duty:
            tb.backpressure(duty)
        await tb.reset()
        tasks = [cocotb.start_soon(worker(tb, src, random.Random(rng.getrandbits(32)), 40, shadow))
                 for src in (0, 1) for _ in range(3)]
        for t in tasks:
            await t
        await ClockCycles(dut.clk, 10)
        assert not tb.errors, tb.errors[:5]
        assert tb.w_done == tb.aw_order, "every AW got its W burst, in AW order"
        contested = check_round_robin(tb)
        logging.getLogger("cocotb.sgdma.test").info(
            "duty %.1f: %d AR, %d AW granted, %d of them contested", duty,
            len(tb.grants["ar"]), len(tb.grants["aw"]), contested)
        assert contested > 20, "the test must make both sources ask at once"
        assert {s for s, _ in tb.grants["ar"]} == {0, 1} and {s for s, _ in tb.grants["aw"]} == {0, 1}


@cocotb.test()
async def lone_source_full_rate(dut):
    """One source alone is granted in the clock it asks (no idle clock from the arbiter): back
    to back single-beat reads from source 1 take as many AR handshakes as clocks."""
    tb = ArbTB(dut, seed=5)
    await tb.reset()
    m = tb.src[1]
    tasks = [cocotb.start_soon(m.read(REGION + 8 * i, 8, arid=0)) for i in range(8)]
    for t in tasks:
        await t
    assert {s for s, _ in tb.grants["ar"]} == {1}
    assert not any(b for _, b in tb.grants["ar"])
    assert len(tb.grants["ar"]) == 8
    assert not tb.errors, tb.errors[:5]


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import RTL_DIR, build_and_test, param_id, selected_simulators  # noqa: E402

SOURCES = [RTL_DIR / "sgdma_sg_arb.v", RTL_DIR / "sgdma_fifo.v"]
ARB_PARAMS = [{}, {"ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32, "DEPTH_LOG2": 1}]


@pytest.mark.parametrize("params", ARB_PARAMS, ids=param_id)
@pytest.mark.parametrize("sim", selected_simulators())
def test_sg_arb(sim, params):
    build_and_test("test_sg_arb", sim, params, toplevel="sgdma_sg_arb", sources=SOURCES)
