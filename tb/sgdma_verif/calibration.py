"""Calibration of the fast model against the RTL: one program, two backends.

Each case programs a descriptor chain (sizes, alignments), streams data (continuous or in
packets, at a rate, with or without idle cycles and backpressure), services interrupts with a
coalescing setting, and optionally injects an error.  It records what software can observe:
memory contents (buffers and the guard bytes around them), every descriptor's STATUS word,
the number of interrupts, the final DMASR, and the clocks from the TAILDESC write to the last
status write-back.  The RTL (sgdma_verif.calibration_tb) and the model must agree exactly on all
but the clocks, which must be within 2 %.
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import asdict, dataclass, field
from pathlib import Path

import numpy as np

from sgdma_driver import regmap as rm
from sgdma_driver.driver import read_counter
from sgdma_driver.iommu import DeviceMemoryPort, Iommu
from sgdma_driver.isr import IRQ_BITS, InterruptService, acknowledge
from sgdma_driver.physmem import PhysicalMemory
from sgdma_sim.acquisition import Scenario
from . import toolchain
from .reference import place_buffers
from .runconfig import RunConfig

MEM_SIZE = 8 << 20
DESC_BASE = 0x1000
BUF_BASE = 0x20000
GUARD = 0xA5
MAX_CYCLE_ERROR = 0.02


@dataclass(frozen=True)
class CalCase:
    name: str
    lengths: tuple[int, ...]
    offsets: tuple[int, ...]
    packets: tuple[int, ...] | None = None     # packet sizes (tlast), None = one stream to the end
    threshold: int = 1
    delay: int = 0
    rate: float = 1.0
    idle: bool = False            # random idle cycles at the source (30 %)
    backpressure: bool = False    # random not-ready cycles on the AXI channels (30 %)
    error_desc: int | None = None  # SLVERR when fetching this descriptor

    @property
    def total(self) -> int:
        return sum(self.packets) if self.packets else sum(self.lengths)


def _spread(n: int, lo: int, hi: int, seed: int) -> tuple[int, ...]:
    rng = np.random.default_rng(seed)
    return tuple(int(x) for x in rng.integers(lo, hi, n))


CASES: tuple[CalCase, ...] = (
    CalCase("small_64B", (64,) * 32, (0,) * 32),
    CalCase("mixed_aligned", (1024, 4096, 10000, 3000, 65536, 1024), (0, 0, 0, 0, 0, 0), threshold=2, delay=4),
    CalCase("misaligned", tuple(_spread(16, 100, 6000, 1)), tuple(_spread(16, 0, 16, 2)), threshold=3, delay=2),
    CalCase("packets", (2048,) * 10, (3,) * 10, packets=(1000, 2048, 5000, 300, 700, 4096, 1), threshold=2),
    CalCase("rate_0.5", (8192,) * 8, (0,) * 8, rate=0.5, threshold=4, delay=20),
    CalCase("idle", (8192,) * 8, (5,) * 8, idle=True, threshold=2),
    CalCase("backpressure", (8192,) * 8, (0,) * 8, backpressure=True, threshold=2),
    CalCase("fetch_error", (4096,) * 6, (0,) * 6, error_desc=4),
)


@dataclass
class CalResult:
    case: str
    data_width: int
    cycles: int
    statuses: list[int]
    interrupts: int
    dmasr: int
    mem_sha: str
    completed: int
    extra: dict = field(default_factory=dict)

    def to_json(self) -> dict:
        return asdict(self)


class TimedPort(DeviceMemoryPort):
    """The device's memory port, noting when each descriptor STATUS word is written."""

    def __init__(self, iommu: Iommu, status_addrs: set[int]):
        super().__init__(iommu)
        self.status_addrs = status_addrs
        self.clock = lambda: 0
        self.last_status_write = 0

    def write_sync(self, iova: int, data: bytes) -> None:
        if iova in self.status_addrs:
            self.last_status_write = self.clock()
        super().write_sync(iova, data)


def layout(case: CalCase) -> list[tuple[int, int]]:
    return place_buffers(list(case.lengths), list(case.offsets), BUF_BASE, 128)


def stream_bytes(case: CalCase) -> bytes:
    return np.random.default_rng(7).integers(0, 256, case.total, dtype=np.uint8).tobytes()


def setup_memory(case: CalCase) -> tuple[PhysicalMemory, TimedPort, list[int], list[tuple[int, int]]]:
    mem = PhysicalMemory(MEM_SIZE)
    bufs = layout(case)
    end = bufs[-1][0] + bufs[-1][1] + 256
    mem.view(BUF_BASE, end - BUF_BASE)[:] = GUARD
    descs = [DESC_BASE + rm.DESC_SIZE * i for i in range(len(bufs))]
    mem.write(DESC_BASE, rm.descriptors(bufs, descs[1:] + descs[-1:]).tobytes())
    status_addrs = {a + rm.DESC_OFFSETS["status"] for a in descs}
    port = TimedPort(Iommu(mem, passthrough=True), status_addrs)
    return mem, port, descs, bufs


async def run_case(backend, case: CalCase, mem: PhysicalMemory, port: TimedPort, descs) -> CalResult:
    """The calibration program; `backend` has hw, spawn and send_packets (after attach_memory)."""
    hw = backend.hw
    port.clock = hw.now
    cr = rm.S2MM_DMACR
    await hw.write_reg(cr.offset, cr.RESET.put(1))
    await hw.sleep(10)
    irqs = [0]

    async def count() -> None:
        if await acknowledge(hw) & IRQ_BITS:
            irqs[0] += 1       # a real interrupt (not the level line still falling after the W1C)
        else:
            await hw.sleep(2)
    backend.spawn(InterruptService(hw, count).run())
    await hw.write_reg(rm.REG["S2MM_CURDESC"].offset, descs[0])
    await hw.write_reg(cr.offset, cr.RS.put(1) | cr.IOC_IRQ_EN.put(1) | cr.DLY_IRQ_EN.put(1) | cr.ERR_IRQ_EN.put(1)
                       | cr.IRQ_THRESHOLD.put(case.threshold) | cr.IRQ_DELAY.put(case.delay))
    t0 = hw.now()
    await hw.write_reg(rm.REG["S2MM_TAILDESC"].offset, descs[-1])
    data = stream_bytes(case)
    pkts = []
    if case.packets:
        pos = 0
        for n in case.packets:
            pkts.append(data[pos:pos + n])
            pos += n
    else:
        pkts = [data]
    backend.spawn(backend.send_packets(pkts, case.rate, case.idle))
    expect = len(descs) if case.error_desc is None else case.error_desc
    for _ in range(100_000):
        await hw.sleep(64)
        done = await read_counter(hw, "COMPLETED")
        sr = await hw.read_reg(rm.S2MM_DMASR.offset)
        if done >= expect and (case.error_desc is None or rm.S2MM_DMASR.HALTED.get(sr)):
            break
    await hw.sleep(2000 + 125 * case.delay)   # let the last interrupts come
    sr = await hw.read_reg(rm.S2MM_DMASR.offset)
    bufs = layout(case)
    end = bufs[-1][0] + bufs[-1][1] + 256
    statuses = [int.from_bytes(mem.read(d + rm.DESC_OFFSETS["status"], 4), "little") for d in descs]
    return CalResult(case.name, backend.data_width, port.last_status_write - t0, statuses, irqs[0],
                     sr & ~(rm.S2MM_DMASR.IRQ_THRESHOLD_STS.mask | rm.S2MM_DMASR.IRQ_DELAY_STS.mask),
                     hashlib.sha256(mem.read(BUF_BASE, end - BUF_BASE)).hexdigest(), done)



def fault_for(case: CalCase, descs):
    if case.error_desc is None:
        return None
    bad = descs[case.error_desc]
    return lambda addr, n, is_write: rm.RESP_SLVERR if (not is_write and bad <= addr < bad + 32) else 0


def run_on_model(case: CalCase, data_width: int) -> CalResult:
    from sgdma_sim.model import ModelBackend, ModelParams

    mem, port, descs, _ = setup_memory(case)
    params = ModelParams(data_width=data_width, w_accept=0.7 if case.backpressure else 1.0)
    be = ModelBackend(params)
    be.attach_memory(port)
    be.engine.fault = fault_for(case, descs)
    return be.run(run_case(be, case, mem, port, descs))


def compare(rtl: dict, model: CalResult) -> list[str]:
    """Differences between an RTL result and the model's (empty when calibrated)."""
    diffs = []
    for key in ("statuses", "interrupts", "dmasr", "mem_sha", "completed"):
        if rtl[key] != getattr(model, key):
            diffs.append(f"{key}: rtl {rtl[key]!r} model {getattr(model, key)!r}")
    err = abs(model.cycles - rtl["cycles"]) / max(1, rtl["cycles"])
    if err > MAX_CYCLE_ERROR:
        diffs.append(f"cycles: rtl {rtl['cycles']} model {model.cycles} ({err:.2%} > {MAX_CYCLE_ERROR:.0%})")
    return diffs


def cycle_error(rtl: dict, model: CalResult | dict) -> float:
    cycles = model["cycles"] if isinstance(model, dict) else model.cycles
    return abs(cycles - rtl["cycles"]) / max(1, rtl["cycles"])


# ------------------------------------------------------------------------------ register timing
# What software sees of the AXI-Lite slave, clock for clock: how long a read and a write take,
# back to back and mixed, and from which clock a write is seen by a read issued alongside it.
# A clock more or less per access shifts the driver against the engine a clock per interrupt or
# release, which decides, under DROP, how many beats an overrun episode loses.

LITE_PROBE_LAGS = tuple(range(5))     # clocks between a write's request and a read's


async def lite_timing(backend) -> dict:
    """Register-access timing as the driver sees it (``backend`` after attach_memory)."""
    hw, cr = backend.hw, rm.S2MM_DMACR
    await hw.write_reg(cr.offset, cr.RESET.put(1))
    await hw.sleep(10)

    async def timed(*accesses) -> int:
        t0 = hw.now()
        for kind, value in accesses:
            if kind == "r":
                await hw.read_reg(cr.offset)
            else:
                await hw.write_reg(cr.offset, cr.IRQ_THRESHOLD.put(value))
        return hw.now() - t0
    doc = {"read": await timed(("r", 0)), "write": await timed(("w", 1)),
           "read_read": await timed(("r", 0), ("r", 0)), "write_write": await timed(("w", 2), ("w", 3)),
           "write_read": await timed(("w", 4), ("r", 0)), "read_write": await timed(("r", 0), ("w", 5))}
    seen = []
    for lag in LITE_PROBE_LAGS:
        await hw.write_reg(cr.offset, cr.IRQ_THRESHOLD.put(1))
        await hw.sleep(8)
        backend.spawn(hw.write_reg(cr.offset, cr.IRQ_THRESHOLD.put(7)))
        if lag:
            await hw.sleep(lag)
        seen.append(cr.IRQ_THRESHOLD.get(await hw.read_reg(cr.offset)))
        await hw.sleep(8)
    doc["threshold_seen_by_read_at_lag"] = seen
    return doc


def lite_timing_on_model() -> dict:
    from sgdma_sim.model import ModelBackend

    be = ModelBackend()
    be.attach_memory(DeviceMemoryPort(Iommu(PhysicalMemory(1 << 20), passthrough=True)))
    return be.run(lite_timing(be))


def rtl_lite_timing(sim: str, test_dir: Path | None = None) -> dict:
    """The register-access timing of the RTL (the cocotb test ``lite`` of TB_MODULE)."""
    out = toolchain.BUILD_DIR / "calibration" / f"lite_{sim}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    toolchain.build_and_test(TB_MODULE, sim, {}, test_dir=test_dir, config=RunConfig(results=out),
                             extra_env={"COCOTB_TEST_FILTER": "lite"})
    return json.loads(out.read_text().splitlines()[0])


# ------------------------------------------------------------------------------ acquisitions
# The same agreement, one level up: a whole acquisition (driver model, ring, reader, every
# byte checked) on both backends, for every driver mode x ring-full policy x reader speed.
# What must be identical: the ring's memory (every buffer), each descriptor's STATUS and APP0
# words, the engine's COMPLETED / DROPPED_BYTES / DROPPED_PACKETS counters and the number of
# interrupts the driver serviced; the clocks of the run within MAX_CYCLE_ERROR.

AGREE_COUNTERS = ("COMPLETED", "DROPPED_BYTES", "DROPPED_PACKETS")
AGREE_EXACT = ("mem_sha", "statuses", "app0", "counters", "interrupts", "data_errors", "ok")


# The cells are plain scenarios; the interrupt settings make coalescing and the delay timer
# both take part in a small ring.
AGREE_IRQ = dict(irq_threshold=2, irq_delay=8)


def cell_name(sc: Scenario) -> str:
    return f"{sc.mode}-{sc.policy}-{sc.consumer}-{sc.buffers}x{sc.buf_size}"


def agree_matrix(**size) -> list[Scenario]:
    """Every mode x policy x consumer, at one size (Scenario fields as keywords)."""
    return [Scenario(mode=m, policy=p, consumer=c, **{**AGREE_IRQ, **size})
            for m in ("owned", "cyclic", "tail") for p in ("stall", "drop") for c in ("fast", "slow")]


async def observe(acq, report) -> dict:
    """What software can see once an acquisition has stopped (and the engine has drained)."""
    hw, drv = acq.backend.hw, acq.driver
    await hw.sleep(500)
    counters = {n: await drv.read_counter(n) for n in AGREE_COUNTERS}
    sha = hashlib.sha256()
    for buf, _ in drv.buffers:
        sha.update(buf.view().tobytes())
    chain = drv.chain
    return {
        "scenario": asdict(acq.sc), "backend": report.backend, "cycles": report.cycles,
        "interrupts": report.interrupts, "counters": counters, "mem_sha": sha.hexdigest(),
        "statuses": [chain.status(i) for i in range(len(chain))],
        "app0": [chain.app0(i) for i in range(len(chain))],
        "data_errors": report.data_errors, "ok": report.ok, "bytes_read": report.bytes_read,
        "lost_bytes": report.lost_bytes, "accounting_errors": report.accounting_errors,
    }


def run_cell_on_model(cell: Scenario) -> dict:
    """One acquisition of `cell` on the fast model, observed as on the RTL."""
    from sgdma_sim.acquisition import Acquisition
    from sgdma_sim.model import ModelBackend

    be = ModelBackend()
    acq = Acquisition(cell, be)

    async def main():
        return await observe(acq, await acq.run())
    return be.run(main())


def compare_acquisition(rtl: dict, model: dict) -> list[str]:
    """Differences between the RTL's and the model's observation of one acquisition."""
    diffs = [f"{k}: rtl {rtl[k]!r} model {model[k]!r}" for k in AGREE_EXACT if rtl[k] != model[k]]
    for who, obs in (("rtl", rtl), ("model", model)):
        if not obs["ok"]:
            diffs.append(f"{who} acquisition failed: {obs['data_errors']} data errors, {obs['accounting_errors']}")
    err = cycle_error(rtl, model)
    if err > MAX_CYCLE_ERROR:
        diffs.append(f"cycles: rtl {rtl['cycles']} model {model['cycles']} ({err:.2%} > {MAX_CYCLE_ERROR:.0%})")
    return diffs


# ------------------------------------------------------------------------------ on the RTL
TB_MODULE = "sgdma_verif.calibration_tb"     # the cocotb tests that run the program on the RTL


def rtl_results(sim: str, width: int, test_dir: Path | None = None) -> list[dict]:
    """Runs every calibration case on the RTL at ``width``; their results, in order."""
    out = toolchain.BUILD_DIR / "calibration" / f"rtl_{sim}_dw{width}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    toolchain.build_and_test(TB_MODULE, sim, {"DATA_WIDTH": width}, test_dir=test_dir,
                             config=RunConfig(results=out), extra_env={"COCOTB_TEST_FILTER": "calibrate"})
    return [json.loads(line) for line in out.read_text().splitlines()]


def rtl_acquisitions(sim: str, cells: list[Scenario], out: Path, test_dir: Path | None = None) -> list[dict]:
    """Runs `cells` as acquisitions on the RTL; their observations, in order."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    toolchain.build_and_test(TB_MODULE, sim, {}, test_dir=test_dir, config=RunConfig(cells=list(cells), results=out),
                             extra_env={"COCOTB_TEST_FILTER": "agree"})
    return [json.loads(line) for line in out.read_text().splitlines()]
