"""The fast model's TAILDESC doorbell follows the RTL's rule (tb/test_sgdma_doorbell.py):
with 64-bit addresses the TAILDESC_MSB write is the doorbell and the low word only latches;
a doorbell that repeats TAILDESC while the channel is busy fetches nothing more, one that
repeats it while Idle restarts fetching (one more lap of the ring, as PG021 specifies)."""
from __future__ import annotations

from sgdma_driver import regmap as rm
from sgdma_sim.events import Scheduler
from sgdma_sim.model import EngineModel, ModelHw, ModelParams

REG = rm.REG
SR = rm.S2MM_DMASR


class WindowPort:
    """A small memory at bus address `base`."""

    def __init__(self, base: int, size: int):
        self.base, self.mem = base, bytearray(size)

    def read_sync(self, addr: int, n: int) -> bytes:
        off = addr - self.base
        if off < 0 or off + n > len(self.mem):
            raise ValueError(f"bus address {addr:#x} outside the memory at {self.base:#x}")
        return bytes(self.mem[off:off + n])

    def write_sync(self, addr: int, data: bytes) -> None:
        off = addr - self.base
        if off < 0 or off + len(data) > len(self.mem):
            raise ValueError(f"bus address {addr:#x} outside the memory at {self.base:#x}")
        self.mem[off:off + len(data)] = data


def make(addr_width: int, base: int, desc_off: int, n: int, length: int = 128):
    """Engine, hw, port and the bus addresses of a ring of n descriptors at desc_off."""
    sched = Scheduler()
    port = WindowPort(base, 0x20000)
    eng = EngineModel(sched, ModelParams(addr_width=addr_width), port)
    hw = ModelHw(sched, eng)
    descs = [base + desc_off + i * rm.DESC_SIZE for i in range(n)]
    recs = rm.descriptors([(base + 0x2000 + i * 0x200, length) for i in range(n)], descs[1:] + descs[:1])
    port.mem[desc_off:desc_off + n * rm.DESC_SIZE] = recs.tobytes()
    for _ in range(n):
        eng.source.push(bytes(range(length)), last=True)
    return sched, eng, hw, port, descs


def done(port: WindowPort, descs: list[int]) -> list[bool]:
    out = []
    for bus in descs:
        off = bus - port.base + rm.DESC_OFFSETS["status"]
        out.append(bool(rm.STATUS.CMPLT.get(int.from_bytes(port.mem[off:off + 4], "little"))))
    return out


async def start(hw: ModelHw, first: int) -> None:
    await hw.write_reg(REG["S2MM_CURDESC"].offset, first & 0xFFFFFFFF)
    await hw.write_reg(REG["S2MM_CURDESC_MSB"].offset, first >> 32)
    await hw.write_reg(rm.S2MM_DMACR.offset, rm.S2MM_DMACR.RS.put(1))


def test_msb_write_is_the_doorbell_across_4gib():
    base = (1 << 32) - 0x10000
    sched, eng, hw, port, descs = make(64, base, 0x10000 - 2 * rm.DESC_SIZE, 6)
    assert descs[1] < 1 << 32 <= descs[2]
    seen = {}

    async def main():
        await start(hw, descs[0])
        await hw.write_reg(REG["S2MM_TAILDESC"].offset, descs[0] & 0xFFFFFFFF)
        await hw.write_reg(REG["S2MM_TAILDESC_MSB"].offset, descs[0] >> 32)
        await hw.sleep(2000)
        seen["first"] = done(port, descs)
        await hw.write_reg(REG["S2MM_TAILDESC"].offset, descs[4] & 0xFFFFFFFF)   # low word alone
        await hw.sleep(2000)
        seen["low"] = done(port, descs)
        seen["low_readback"] = await hw.read_reg(REG["S2MM_TAILDESC"].offset)
        await hw.write_reg(REG["S2MM_TAILDESC_MSB"].offset, descs[4] >> 32)      # the doorbell
        await hw.sleep(2000)
        seen["msb"] = done(port, descs)
        seen["sr"] = await hw.read_reg(SR.offset)

    sched.run(main(), 100_000)
    assert seen["first"] == [True] + [False] * 5, seen["first"]
    assert seen["low"] == [True] + [False] * 5, "the low-word write alone must start nothing"
    assert seen["low_readback"] == descs[4] & 0xFFFFFFFF
    assert seen["msb"] == [True] * 5 + [False], seen["msb"]
    assert SR.IDLE.get(seen["sr"]) and not SR.HALTED.get(seen["sr"]), hex(seen["sr"])


def test_low_word_is_the_doorbell_in_32bit_builds():
    sched, eng, hw, port, descs = make(32, 0x4000_0000, 0x1000, 4)
    seen = {}

    async def main():
        await start(hw, descs[0])
        await hw.write_reg(REG["S2MM_TAILDESC"].offset, descs[1])
        await hw.sleep(2000)
        seen["low"] = done(port, descs)
        await hw.write_reg(REG["S2MM_TAILDESC_MSB"].offset, 0)
        await hw.sleep(2000)
        seen["msb"] = done(port, descs)
        seen["msb_read"] = await hw.read_reg(REG["S2MM_TAILDESC_MSB"].offset)

    sched.run(main(), 100_000)
    assert seen["low"] == [True, True, False, False], seen["low"]
    assert seen["msb"] == [True, True, False, False], seen["msb"]
    assert seen["msb_read"] == 0


def test_repeated_doorbell_while_busy_does_not_pass_the_tail():
    sched, eng, hw, port, descs = make(32, 0, 0x1000, 4)
    seen = {}

    async def main():
        await start(hw, descs[0])
        await hw.write_reg(REG["S2MM_TAILDESC"].offset, descs[1])
        seen["busy"] = not SR.IDLE.get(await hw.read_reg(SR.offset))
        await hw.write_reg(REG["S2MM_TAILDESC"].offset, descs[1])   # the same tail, engine busy
        await hw.sleep(2000)
        seen["again"] = done(port, descs)
        seen["sr"] = await hw.read_reg(SR.offset)

    sched.run(main(), 100_000)
    assert seen["busy"], "the repeated doorbell must land while the channel is busy"
    assert seen["again"] == [True, True, False, False], seen["again"]
    assert SR.IDLE.get(seen["sr"]), hex(seen["sr"])


def test_repeated_doorbell_while_idle_runs_one_more_lap():
    """PG021: a TAILDESC write while Idle restarts fetching. Software that handed the whole
    ring back writes the same tail again and gets exactly one more lap."""
    n = 4
    sched, eng, hw, port, descs = make(32, 0, 0x1000, n)
    seen = {}

    async def main():
        await start(hw, descs[0])
        await hw.write_reg(REG["S2MM_TAILDESC"].offset, descs[n - 1])
        await hw.sleep(2000)
        seen["lap0"] = done(port, descs)
        seen["idle0"] = SR.IDLE.get(await hw.read_reg(SR.offset))
        for bus in descs:                       # software processes and clears every BD
            off = bus - port.base + rm.DESC_OFFSETS["status"]
            port.mem[off:off + 4] = bytes(4)
        for _ in range(n):
            eng.source.push(bytes(range(128)), last=True)
        await hw.write_reg(REG["S2MM_TAILDESC"].offset, descs[n - 1])   # the same value
        await hw.sleep(2000)
        seen["lap1"] = done(port, descs)
        seen["completed"] = await hw.read_reg(REG["COMPLETED_LO"].offset)
        seen["sr"] = await hw.read_reg(SR.offset)

    sched.run(main(), 100_000)
    assert seen["lap0"] == [True] * n and seen["idle0"]
    assert seen["lap1"] == [True] * n, f"no second lap: {seen['lap1']}"
    assert seen["completed"] == 2 * n, seen["completed"]
    assert SR.IDLE.get(seen["sr"]) and not SR.HALTED.get(seen["sr"]), hex(seen["sr"])
