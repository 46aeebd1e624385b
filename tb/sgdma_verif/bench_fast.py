"""`make bench` part ``fast``: the rtl-fast backend's speed -> build/bench/rtl_fast.json.

- build: a fresh build of the harness library (verilate + compile), timed on its own;
- free-running: the C++ loop alone (a cyclic ring, a continuous stream, no Python between
  clocks), clocks per second of wall time and of process CPU time;
- driver in the loop: the default ``make sim`` scenario on rtl-fast (the driver model, the
  ISR, the reader, every byte checked), simulated clocks per second of the acquisition's wall
  time and CPU time, and its share of the free-running figure of the same run (interleaved
  rounds); the same scenario once on cocotb-Icarus, cocotb-Verilator and the fast model;
- seed scenario (BUFFERS=16 BUF_SIZE=4194304 LAPS=4 RATE=0.5) on rtl-fast once: wall time,
  every byte checked.
The machine's load average is recorded with the figures (the cores are shared).
"""
from __future__ import annotations

import json
import os
import shutil
import time
from pathlib import Path

import numpy as np

from sgdma_driver import regmap as rm
from sgdma_sim.acquisition import Scenario

from . import fast_rtl
from .measure import fmt_spread, spread

ROUNDS = 3
FREE_CLOCKS = 2_000_000
SEED_SCENARIO = dict(buffers=16, buf_size=4 << 20, laps=4.0, rate=0.5)
TARGET_CLOCKS_PER_S = 1_000_000
TARGET_SEED_S = 60.0


def free_running(clocks: int = FREE_CLOCKS) -> dict:
    """The harness alone: 16 x 1 MiB cyclic ring, continuous stream, no interrupt service."""
    mem = np.zeros(20 << 20, dtype=np.uint8)
    f = fast_rtl.FastRtl(memory=mem)
    try:
        f.reset()
        n, size = 16, 1 << 20
        descs = [0x1000 + i * rm.DESC_SIZE for i in range(n)]
        recs = rm.descriptors([(0x100000 + i * size, size) for i in range(n)], descs[1:] + [descs[0]])
        for a, r in zip(descs, recs):
            mem[a:a + rm.DESC_SIZE] = np.frombuffer(r.tobytes(), np.uint8)
        cr = rm.S2MM_DMACR
        f.write_reg(rm.REG["S2MM_CURDESC"].offset, descs[0])
        f.write_reg(cr.offset, cr.RS.put(1) | cr.CYCLIC_BD_EN.put(1))
        f.write_reg(rm.REG["S2MM_TAILDESC"].offset, descs[-1])
        f.push_stream(np.zeros(clocks * f.data_bytes + 4096, np.uint8), last=False)
        c0, b0 = f.clock, f.counter("w_beats")
        t0, p0 = time.perf_counter(), time.process_time()
        f.run(clocks)
        wall, cpu = time.perf_counter() - t0, time.process_time() - p0
        beats = f.counter("w_beats") - b0
        assert f.clock - c0 == clocks and beats > 0.95 * clocks, "the free-running ring did not stream"
        return {"clocks": clocks, "beats": beats, "wall_s": wall, "cpu_s": cpu,
                "clocks_per_s": clocks / wall, "clocks_per_cpu_s": clocks / cpu, "beats_per_s": beats / wall}
    finally:
        f.close()


def driver_in_loop(sc: Scenario) -> dict:
    from .fast_backend import run_scenario

    t0, p0 = time.perf_counter(), time.process_time()
    rep = run_scenario(sc)
    wall, cpu = time.perf_counter() - t0, time.process_time() - p0
    if not rep["ok"]:
        raise SystemExit(f"rtl-fast acquisition failed: {rep['data_errors']} data errors, {rep['accounting_errors']}")
    return {"cycles": rep["cycles"], "wall_s": rep["wall_s"], "cpu_s": cpu, "total_wall_s": wall,
            "clocks_per_s": rep["cycles"] / rep["wall_s"], "clocks_per_cpu_s": rep["cycles"] / cpu,
            "beats_per_s": rep["w_beats"] / rep["wall_s"], "interrupts": rep["interrupts"], "bytes": rep["bytes"]}


def _build_time(out: Path) -> float:
    root = out / "rtl_fast_build"
    shutil.rmtree(root, ignore_errors=True)
    built = fast_rtl.build(root=root)
    shutil.rmtree(root, ignore_errors=True)
    return round(built.seconds, 1)


def _others(out: Path, sc: Scenario) -> dict:
    """The default scenario once on each of the other backends (clocks per second)."""
    from sgdma_sim.model import run_scenario as run_model

    from .rtl_backend import run_rtl

    rows = {}
    for sim in ("icarus", "verilator"):
        rep = run_rtl(sc, sim, out / f"fast_vs_{sim}", waves=False)
        rows[f"cocotb-{sim}"] = {"cycles": rep["cycles"], "wall_s": rep["wall_s"],
                                 "clocks_per_s": rep["cycles_per_s"], "ok": rep["ok"]}
    rep = run_model(sc)
    rows["model"] = {"cycles": rep["cycles"], "wall_s": rep["wall_s"], "clocks_per_s": rep["cycles_per_s"], "ok": rep["ok"]}
    return rows


def bench(out: Path, sim: str, others: bool = True, seed: bool = True) -> dict:
    fast_rtl.build()          # the cached library for the runs (its build is timed separately)
    build_s = _build_time(out)
    sc = Scenario()
    free, loop = [], []
    for _ in range(ROUNDS):   # interleaved: free-running, driver in the loop, ...
        free.append(free_running())
        loop.append(driver_in_loop(sc))
    share = [lp["clocks_per_s"] / fr["clocks_per_s"] for fr, lp in zip(free, loop)]
    doc = {
        "build_s": build_s,
        "load_average": os.getloadavg(),
        "free_running": {"clocks": FREE_CLOCKS, "clocks_per_s": spread([r["clocks_per_s"] for r in free], 0),
                         "clocks_per_cpu_s": spread([r["clocks_per_cpu_s"] for r in free], 0),
                         "beats_per_s": spread([r["beats_per_s"] for r in free], 0)},
        "driver_in_loop": {"scenario": "make sim default", "cycles": loop[0]["cycles"], "interrupts": loop[0]["interrupts"],
                           "clocks_per_s": spread([r["clocks_per_s"] for r in loop], 0),
                           "clocks_per_cpu_s": spread([r["clocks_per_cpu_s"] for r in loop], 0),
                           "beats_per_s": spread([r["beats_per_s"] for r in loop], 0),
                           "share_of_free_running": spread(share, 3)},
        "targets": {"driver_in_loop_clocks_per_s": TARGET_CLOCKS_PER_S, "share_of_free_running": 0.5,
                    "seed_scenario_s": TARGET_SEED_S},
        "rounds": ROUNDS, "method": "interleaved rounds free-running / driver in the loop, share taken per round",
    }
    if seed:
        s = driver_in_loop(Scenario(**SEED_SCENARIO))
        doc["seed_scenario"] = dict(SEED_SCENARIO, cycles=s["cycles"], wall_s=s["wall_s"], cpu_s=round(s["cpu_s"], 2),
                                    clocks_per_s=round(s["clocks_per_s"]), bytes=s["bytes"])
    if others:
        doc["default_scenario_by_backend"] = dict(_others(out, sc), **{"rtl-fast": {
            "cycles": loop[0]["cycles"], "wall_s": loop[0]["wall_s"], "clocks_per_s": doc["driver_in_loop"]["clocks_per_s"]["median"]}})
    (out / "rtl_fast.json").write_text(json.dumps(doc, indent=2))
    print(f"rtl-fast: build {build_s:.1f} s; free-running {fmt_spread(doc['free_running']['clocks_per_s'], ' clocks/s', 0)} "
          f"({fmt_spread(doc['free_running']['clocks_per_cpu_s'], ' per CPU s', 0)})")
    d = doc["driver_in_loop"]
    print(f"rtl-fast: driver in the loop (make sim default) {fmt_spread(d['clocks_per_s'], ' clocks/s', 0)} "
          f"({fmt_spread(d['clocks_per_cpu_s'], ' per CPU s', 0)}; target >= {TARGET_CLOCKS_PER_S:,}), "
          f"{fmt_spread(d['share_of_free_running'], '', 3)} of free-running (target >= 0.5); "
          f"load average {doc['load_average'][0]:.1f}")
    if seed:
        s = doc["seed_scenario"]
        print(f"rtl-fast: seed scenario (256 MiB, {s['cycles']:,} clocks) {s['wall_s']:.1f} s wall, {s['cpu_s']:.1f} s CPU "
              f"(target < {TARGET_SEED_S:.0f} s), every byte checked")
    for name, row in doc.get("default_scenario_by_backend", {}).items():
        print(f"  default scenario on {name:17s} {row['clocks_per_s']:>12,.0f} clocks/s ({row['cycles']:,} clocks)")
    return doc
