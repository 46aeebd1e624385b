"""Equivalence of the rtl-fast backend with the cocotb backend: the same acquisitions on both.

``CELLS`` are the scenarios (every driver mode x ring-full policy, at small size); ``observe``
is what one run leaves behind, taken the same way on either backend after the acquisition:
the report's counts and clocks, the engine's four 64-bit counters read over AXI-Lite, the
STATUS word of every descriptor of the ring, and digests of the ring's buffers and of the
whole physical memory.  ``compare`` says how two observations differ (nothing, when the
backends agree): everything must be identical except the clock counts, which may differ by a
few clocks per interrupt (``CLOCKS_PER_IRQ``: the bus models' response times are not the same
clock for clock).
"""
from __future__ import annotations

import hashlib

from sgdma_driver import regmap as rm
from sgdma_driver.driver import read_counter
from sgdma_sim.acquisition import Acquisition, Scenario

MODES = ("owned", "cyclic", "tail")
POLICIES = ("stall", "drop")
# Under DROP the reader is slow, so that the ring fills and the engine drops (and counts) bytes.
CELLS = [Scenario(buffers=4, buf_size=4096, laps=2.5, mode=m, policy=p, irq_threshold=2, irq_delay=4,
                  consumer="slow" if p == "drop" else "fast", timeline_points=16) for m in MODES for p in POLICIES]
#: Exact fields of the report.
REPORT_FIELDS = ("bytes", "bytes_read", "interrupts", "descriptors", "overruns", "lost_bytes",
                 "engine_dropped_bytes", "engine_dropped_packets", "ring_overrun_bytes", "data_errors",
                 "w_beats", "ok")
#: Clock counts may differ by this many clocks per interrupt (and once more for the set-up).
CLOCKS_PER_IRQ = 24


async def observe(acq: Acquisition) -> dict:
    """Runs the acquisition, then observes what it left (register reads after the run)."""
    rep = await acq.run()
    hw = acq.backend.hw
    counters = {n: await read_counter(hw, n) for n in rm.COUNTERS}
    mem = acq.mem
    chain = acq.driver.chain
    statuses = [int(chain.record(i)["status"][0]) for i in range(len(chain))]
    data = hashlib.sha256()
    per_buffer, heads = [], []
    for buf, _ in acq.driver.buffers:
        data.update(mem.view(buf.phys, acq.sc.buf_size).tobytes())
        per_buffer.append(hashlib.sha256(mem.view(buf.phys, acq.sc.buf_size).tobytes()).hexdigest()[:16])
        heads.append(mem.view(buf.phys, 4096).tobytes().hex())
    out = {k: getattr(rep, k) for k in REPORT_FIELDS}
    out.update(cycles=rep.cycles, counters=counters, statuses=statuses, data_digest=data.hexdigest(), buffer_digests=per_buffer, heads=heads,
               memory_digest=hashlib.sha256(mem.array).hexdigest(), mode=acq.sc.mode, policy=acq.sc.policy)
    return out


def compare(ref: dict, got: dict) -> list[str]:
    """The differences between two observations (empty: equivalent)."""
    bad = [f"{k}: {ref[k]!r} != {got[k]!r}" for k in (*REPORT_FIELDS, "counters", "statuses", "data_digest",
                                                        "memory_digest") if ref[k] != got[k]]
    slack = CLOCKS_PER_IRQ * (ref["interrupts"] + 1)
    if abs(ref["cycles"] - got["cycles"]) > slack:
        bad.append(f"cycles: {ref['cycles']} and {got['cycles']} differ by more than {slack}")
    return bad
