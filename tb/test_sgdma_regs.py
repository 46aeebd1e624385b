"""Register file of rtl/sgdma.v: PG021 offsets, reset values, read/write behaviour.

The cocotb tests run inside the simulator; ``test_sgdma_regs`` (bottom) is the pytest entry
that builds the RTL for each simulator and parameter set and runs them.
"""
from __future__ import annotations

import cocotb
import pytest

from sgdma_driver import regmap as rm

from sgdma_verif.env import TB


def _config_word(dut) -> int:
    c = rm.SGDMA_CONFIG
    db = len(dut.s_axis_s2mm_tdata) // 8
    return (c.DATA_BYTES_LOG2.put(db.bit_length() - 1)
            | c.ADDR64.put(int(len(dut.m_axi_s2mm_awaddr) == 64))
            | c.MAX_BURST_LEN.put(int(dut.MAX_BURST_LEN.value))
            | c.MAX_OUTSTANDING.put(int(dut.MAX_OUTSTANDING.value))
            | c.LEN_WIDTH.put(int(dut.LEN_WIDTH.value))
            | c.MM2S.put(_mm2s_built(dut)) | c.S2MM.put(1))


def _mm2s_built(dut) -> int:
    return int(dut.INCLUDE_MM2S.value)


@cocotb.test()
async def reset_values(dut):
    """Every register reads its documented reset value (a channel's registers 0 in a build
    without it); the S2MM channel is halted."""
    tb = TB(dut)
    await tb.reset()
    expected = rm.reset_values(mm2s=bool(_mm2s_built(dut)))
    expected["SGDMA_CONFIG"] = _config_word(dut)
    for reg in rm.REGISTERS:
        got = await tb.read_reg(reg.name)
        assert got == expected[reg.name], f"{reg.name}: read {got:#010x}, expected {expected[reg.name]:#010x}"
    sr = await tb.read_reg("S2MM_DMASR")
    assert rm.S2MM_DMASR.HALTED.get(sr) == 1


@cocotb.test()
async def write_read_back(dut):
    """Writable fields hold what was written; read-only and MM2S space ignore writes."""
    tb = TB(dut)
    await tb.reset()
    cr = rm.S2MM_DMACR
    ctrl = (cr.IOC_IRQ_EN.put(1) | cr.ERR_IRQ_EN.put(1) | cr.CYCLIC_BD_EN.put(1)
            | cr.IRQ_THRESHOLD.put(0x5A) | cr.IRQ_DELAY.put(0xC3))
    await tb.write_reg("S2MM_DMACR", ctrl)
    assert await tb.read_reg("S2MM_DMACR") == ctrl
    await tb.write_reg("S2MM_DMACR", cr.reset)

    await tb.write_reg("S2MM_CURDESC", 0x12345678)
    assert await tb.read_reg("S2MM_CURDESC") == 0x12345640, "CURDESC low 6 bits must read 0"
    await tb.write_reg("S2MM_TAILDESC", 0x0000ABFF)
    assert await tb.read_reg("S2MM_TAILDESC") == 0x0000ABC0
    await tb.write_reg("S2MM_CURDESC_MSB", 0xDEADBEEF)
    msb = await tb.read_reg("S2MM_CURDESC_MSB")
    assert msb == (0xDEADBEEF if tb.addr_width == 64 else 0)

    xc = rm.SGDMA_XCTRL
    await tb.write_reg("SGDMA_XCTRL", xc.POLICY_DROP.put(1) | xc.OWNERSHIP.put(1))
    assert await tb.read_reg("SGDMA_XCTRL") == xc.POLICY_DROP.put(1) | xc.OWNERSHIP.put(1)
    await tb.write_reg("SG_CTL", 0xF0F)
    assert await tb.read_reg("SG_CTL") == 0x00F, "SG_USER is stored nowhere; SG_CACHE is"

    ignored = ("SGDMA_ID", "COMPLETED_LO") + (() if _mm2s_built(dut) else ("MM2S_DMACR", "MM2S_CURDESC"))
    for name in ignored:
        before = await tb.read_reg(name)
        await tb.write_reg(name, 0xFFFFFFFF)
        assert await tb.read_reg(name) == before, f"{name} must ignore writes"

    # Write-1-to-clear bits that are clear stay clear; RO status bits do not move.
    await tb.write_reg("S2MM_DMASR", 0xFFFFFFFF)
    assert await tb.read_reg("S2MM_DMASR") == rm.S2MM_DMASR.reset


@cocotb.test()
async def soft_reset_restores_defaults(dut):
    """DMACR.Reset returns every register to its reset value and self-clears."""
    tb = TB(dut)
    await tb.reset()
    await tb.write_reg("S2MM_DMACR", rm.S2MM_DMACR.IRQ_THRESHOLD.put(9) | rm.S2MM_DMACR.CYCLIC_BD_EN.put(1))
    await tb.write_reg("S2MM_CURDESC", 0x1000)
    await tb.write_reg("SGDMA_XCTRL", 1)
    await tb.soft_reset()
    assert await tb.read_reg("S2MM_DMACR") == rm.S2MM_DMACR.reset
    assert await tb.read_reg("S2MM_CURDESC") == 0
    assert await tb.read_reg("SGDMA_XCTRL") == 0
    assert await tb.read_reg("S2MM_DMASR") == rm.S2MM_DMASR.reset


@cocotb.test()
async def run_stop_halted_bit(dut):
    """RS=1 clears Halted; RS=0 sets it again."""
    tb = TB(dut)
    await tb.reset()
    await tb.write_reg("S2MM_DMACR", rm.S2MM_DMACR.RS.put(1))
    sr = await tb.read_reg("S2MM_DMASR")
    assert rm.S2MM_DMASR.HALTED.get(sr) == 0, f"DMASR {sr:#x} still halted with RS=1"
    await tb.write_reg("S2MM_DMACR", 0)
    sr = await tb.wait_halted()
    assert rm.S2MM_DMASR.HALTED.get(sr) == 1


# ------------------------------------------------------------------------------ pytest entry
from sgdma_verif.toolchain import selected_simulators, build_and_test  # noqa: E402

REG_PARAMS = [
    pytest.param({}, id="dw64_aw32"),
    pytest.param({"DATA_WIDTH": 32, "ADDR_WIDTH": 64}, id="dw32_aw64"),
    pytest.param({"INCLUDE_MM2S": 1}, id="dw64_aw32_mm2s"),
]


@pytest.mark.parametrize("params", REG_PARAMS)
@pytest.mark.parametrize("sim", selected_simulators())
def test_sgdma_regs(sim, params):
    build_and_test("test_sgdma_regs", sim, params)
