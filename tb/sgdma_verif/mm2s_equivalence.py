"""The MM2S direction of the rtl-fast equivalence: one transmit program on either backend.

A cell is a chain of MM2S descriptors over buffers of random lengths and alignments, grouped
into packets (TXSOF/TXEOF), in tail-pointer mode with interrupt coalescing.  ``program`` runs
it over a small register/interrupt interface (``Hw``): CURDESC, DMACR, the TAILDESC doorbell,
then an interrupt service (read MM2S_DMASR, write its interrupt bits back, counting an
interrupt only when a bit was set) until every
descriptor's STATUS says Cmplt and every packet has arrived.  The cocotb side
(``mm2s_equivalence_tb``) and the C++ harness (``run_fast``) run the same program;
``observe`` is what a run leaves: the packets received on m_axis_mm2s, the STATUS words, the
interrupt count, the final MM2S_DMASR and MM2S_CURDESC, the clocks from reset to the end.
``compare`` says how two observations differ: everything must be identical but the clocks,
which may differ by a few per interrupt (the bus models' response times are not the same
clock for clock).
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import Awaitable, Callable, Protocol

import numpy as np

from sgdma_driver import regmap as rm

CR, SR = rm.MM2S_DMACR, rm.MM2S_DMASR
MEM_SIZE = 1 << 20
DESC_BASE = 0x2000
BUF_BASE = 0x10000
#: The two-channel build both backends run.
PARAMS = {"INCLUDE_MM2S": 1}
#: Clock counts may differ by this many clocks per interrupt (and once more for the set-up).
CLOCKS_PER_IRQ = 24
MAX_CLOCKS = 400_000


@dataclass(frozen=True)
class Cell:
    """One transmit run: ``packets`` packets of random size cut into buffers of at most
    ``max_chunk`` bytes, at random alignments; coalescing ``threshold`` and ``delay``."""
    seed: int
    packets: int
    max_chunk: int
    threshold: int
    delay: int = 0


CELLS = (Cell(seed=1, packets=6, max_chunk=700, threshold=1),
         Cell(seed=2, packets=10, max_chunk=300, threshold=4, delay=3),
         Cell(seed=3, packets=4, max_chunk=3000, threshold=2))


@dataclass(frozen=True)
class Plan:
    buffers: list[tuple[int, int]]        # (address, length)
    frames: list[tuple[bool, bool]]       # (TXSOF, TXEOF)
    descs: list[int]
    contents: list[bytes]

    def packets(self) -> list[bytes]:
        out, cur = [], b""
        for data, (_, eof) in zip(self.contents, self.frames):
            cur += data
            if eof:
                out.append(cur)
                cur = b""
        return out


def plan(cell: Cell, data_bytes: int) -> Plan:
    """The buffers, descriptors and bytes of ``cell`` (deterministic in its seed)."""
    rng = np.random.default_rng(cell.seed)
    lengths, frames = [], []
    for _ in range(cell.packets):
        left, first = int(rng.integers(1, 3 * cell.max_chunk)), True
        while left:
            n = min(left, int(rng.integers(1, cell.max_chunk + 1)))
            left -= n
            lengths.append(n)
            frames.append((first, left == 0))
            first = False
    buffers, addr = [], BUF_BASE
    for n in lengths:
        addr += int(rng.integers(0, data_bytes))
        buffers.append((addr, n))
        addr = (addr + n + 64) & ~(data_bytes - 1)
    if addr > MEM_SIZE:
        raise ValueError(f"cell {cell}: buffers end at {addr:#x}, beyond the {MEM_SIZE:#x}-byte memory")
    descs = [DESC_BASE + i * rm.DESC_SIZE for i in range(len(buffers))]
    contents = [rng.integers(0, 256, n, dtype=np.uint8).tobytes() for n in lengths]
    return Plan(buffers, frames, descs, contents)


def load(mem, p: Plan) -> None:
    """Writes the plan's descriptors and buffer contents into ``mem`` (bytes-like, writable)."""
    def put(a: int, data: bytes) -> None:
        mem[a:a + len(data)] = np.frombuffer(data, np.uint8) if isinstance(mem, np.ndarray) else data

    recs = rm.descriptors(p.buffers, p.descs[1:] + [p.descs[-1] + rm.DESC_SIZE], p.frames)
    for a, rec in zip(p.descs, recs):
        put(a, rec.tobytes())
    for (a, _), data in zip(p.buffers, p.contents):
        put(a, data)


def status(mem, desc: int) -> int:
    off = desc + rm.DESC_OFFSETS["status"]
    return int.from_bytes(bytes(mem[off:off + 4]), "little")


class Hw(Protocol):
    """What the program needs of a backend."""
    mem: object

    async def write_reg(self, name: str, value: int) -> None: ...
    async def read_reg(self, name: str) -> int: ...
    async def wait_irq(self, max_clocks: int) -> bool: ...
    def clock(self) -> int: ...
    def packets(self) -> list[bytes]: ...


async def program(hw: Hw, cell: Cell, p: Plan) -> dict:
    """Runs ``cell`` on ``hw`` (engine just out of reset, memory loaded); the observation."""
    t0 = hw.clock()
    await hw.write_reg("MM2S_CURDESC", p.descs[0])
    await hw.write_reg("MM2S_DMACR", CR.RS.put(1) | CR.IRQ_THRESHOLD.put(cell.threshold) | CR.IRQ_DELAY.put(cell.delay)
                       | CR.IOC_IRQ_EN.put(1) | CR.DLY_IRQ_EN.put(1) | CR.ERR_IRQ_EN.put(1))
    await hw.write_reg("MM2S_TAILDESC", p.descs[-1])
    want = len(p.packets())
    irqs = 0
    irq_bits = SR.IOC_IRQ.put(1) | SR.DLY_IRQ.put(1) | SR.ERR_IRQ.put(1)
    while True:
        done = all(rm.STATUS.CMPLT.get(status(hw.mem, d)) for d in p.descs) and len(hw.packets()) >= want
        if done:
            break
        if hw.clock() - t0 > MAX_CLOCKS:
            raise TimeoutError(f"cell {cell}: not finished after {MAX_CLOCKS} clocks "
                               f"({len(hw.packets())} of {want} packets, {irqs} interrupts)")
        if await hw.wait_irq(2_000):
            # the line falls a clock or two after the write that clears it: an interrupt is
            # one only while DMASR still has a bit of it
            sr = await hw.read_reg("MM2S_DMASR")
            if sr & irq_bits:
                await hw.write_reg("MM2S_DMASR", sr & irq_bits)
                irqs += 1
    got = hw.packets()
    return {"packets": [hashlib.sha256(x).hexdigest()[:16] for x in got], "packet_sizes": [len(x) for x in got],
            "statuses": [status(hw.mem, d) for d in p.descs], "interrupts": irqs,
            "dmasr": await hw.read_reg("MM2S_DMASR"), "curdesc": await hw.read_reg("MM2S_CURDESC"),
            "cycles": hw.clock() - t0, "ok": got == p.packets()}


def compare(ref: dict, got: dict) -> list[str]:
    """The differences between two observations (empty: equivalent)."""
    bad = [f"{k}: {ref[k]!r} != {got[k]!r}" for k in ("packets", "packet_sizes", "statuses", "interrupts",
                                                        "dmasr", "curdesc", "ok") if ref[k] != got[k]]
    slack = CLOCKS_PER_IRQ * (ref["interrupts"] + 1)
    if abs(ref["cycles"] - got["cycles"]) > slack:
        bad.append(f"cycles: {ref['cycles']} and {got['cycles']} differ by more than {slack}")
    return bad


# ------------------------------------------------------------------------ the C++ harness
class FastHw:
    """``Hw`` over a FastRtl (every call runs the clock in C++ until it is done)."""

    def __init__(self, fast, mem: np.ndarray):
        self.f, self.mem = fast, mem

    async def write_reg(self, name: str, value: int) -> None:
        self.f.write_reg(rm.REG[name].offset, value)

    async def read_reg(self, name: str) -> int:
        return self.f.read_reg(rm.REG[name].offset)

    async def wait_irq(self, max_clocks: int) -> bool:
        return self.f.run_until_mm2s_irq(max_clocks)

    def clock(self) -> int:
        return self.f.clock

    def packets(self) -> list[bytes]:
        return self.f.packets()


def drive(coro: Awaitable):
    """Runs a coroutine that never suspends (FastHw's calls are all synchronous)."""
    try:
        coro.send(None)
    except StopIteration as stop:
        return stop.value
    raise RuntimeError("the program suspended on a synchronous backend")


def run_fast(cell: Cell, make: Callable[[np.ndarray], object] | None = None) -> dict:
    """``cell`` on the C++ harness (a two-channel build); the observation."""
    from .fast_rtl import FastRtl
    mem = np.zeros(MEM_SIZE, dtype=np.uint8)
    f = make(mem) if make else FastRtl(PARAMS, memory=mem)
    try:
        p = plan(cell, f.data_bytes)
        load(mem, p)
        f.reset()
        obs = drive(program(FastHw(f, mem), cell, p))
        f.check()
        return obs
    finally:
        f.close()
