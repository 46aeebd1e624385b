"""Benchmarks of the fast model's scaling and of its agreement with the RTL (`make bench`).

- scale: wall and CPU time of one acquisition on the model (driver model, ring, reader and the
  check of every byte included) for 1 k, 4 k, 16 k and 64 k buffers of 4 KiB, and for the seed
  scenario (16 x 4 MiB, 4 laps, rate 0.5: 256 MiB); median and min/max over repeated runs,
  the runs of different sizes interleaved -> scale.json.  The two cases with a target (64 k
  buffers, the seed scenario) are also timed each in a fresh process, as a user's first run
  is (``run_scenario`` timed inside it; interleaved rounds), with whether the median meets it
- agree: every driver mode x ring-full policy x reader speed on the RTL and on the model, at a
  larger size than `make test` runs; what must be identical, and the clock deviation -> agree.json
"""
from __future__ import annotations

import gc
import json
import os
import subprocess
import sys
import time
from pathlib import Path

SCALE_BUFFERS = (1024, 4096, 16384, 65536)
SEED = dict(buffers=16, buf_size=4 << 20, laps=4, rate=0.5, mode="cyclic", consumer="fast")
SEED_TARGET_S = 0.27        # the hardware's own time for the seed scenario's 256 MiB
SCALE_TARGET_S = 2.0        # 65,536 buffers
AGREE_SIZE = dict(buffers=8, buf_size=16384, laps=4)
FRESH_ROUNDS = 3            # fresh-process runs of each targeted case

# One acquisition timed in a new interpreter (imports done first, outside the timing).
_FRESH = """
import json, sys, time
from sgdma_sim.acquisition import Scenario
from sgdma_sim.model import run_scenario
sc = Scenario(**json.loads(sys.argv[1]))
t0, c0 = time.perf_counter(), time.process_time()
rep = run_scenario(sc)
print(json.dumps({"wall_s": time.perf_counter() - t0, "cpu_s": time.process_time() - c0, "ok": rep["ok"]}))
"""


def _fresh(scenario: dict) -> tuple[float, float]:
    out = subprocess.run([sys.executable, "-c", _FRESH, json.dumps(scenario)], capture_output=True, text=True,
                         check=False)
    try:
        res = json.loads(out.stdout.strip().splitlines()[-1])
    except (IndexError, ValueError):
        raise SystemExit(f"fresh-process model run {scenario} failed: {out.stderr.strip()[-400:]}") from None
    if not res["ok"]:
        raise SystemExit(f"fresh-process model run {scenario} failed its checks")
    return res["wall_s"], res["cpu_s"]


def bench_fresh(rounds: int = FRESH_ROUNDS) -> list[dict]:
    """The targeted cases, each run in a new process, the cases taking turns."""
    cases = {f"{SCALE_BUFFERS[-1]}x4KiB": (dict(buffers=SCALE_BUFFERS[-1], buf_size=4096, laps=1), SCALE_TARGET_S),
             "seed_16x4MiB": (SEED, SEED_TARGET_S)}
    wall: dict[str, list[float]] = {k: [] for k in cases}
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    for _ in range(rounds):
        for name, (sc, _) in cases.items():
            w, c = _fresh(sc)
            wall[name].append(w)
            cpu[name].append(c)
    rows = []
    for name, (_, target) in cases.items():
        w = _spread(wall[name])
        rows.append({"case": name, "wall_s": w, "cpu_s": _spread(cpu[name]), "target_s": target,
                     "meets_target": w["median"] <= target})
    return rows


def _spread(xs: list[float]) -> dict:
    from .measure import spread
    return spread(xs, digits=4)


def _timed(scenario: dict) -> tuple[float, float, dict]:
    from sgdma_sim.acquisition import Scenario
    from sgdma_sim.model import run_scenario

    gc.collect()                     # the previous run's garbage is not charged to this one
    t0, c0 = time.perf_counter(), time.process_time()
    rep = run_scenario(Scenario(**scenario))
    if not rep["ok"]:
        raise SystemExit(f"model run {scenario} failed: {rep['data_errors']} data errors, {rep['accounting_errors']}")
    return time.perf_counter() - t0, time.process_time() - c0, rep


def _load() -> float | None:
    """The 1-minute load average (None where the system does not give one)."""
    try:
        return round(os.getloadavg()[0], 2)
    except (AttributeError, OSError):
        return None


def bench_scale(out: Path, repeat: int = 5) -> dict:
    cases = {f"{n}x4KiB": dict(buffers=n, buf_size=4096, laps=1) for n in SCALE_BUFFERS}
    cases["seed_16x4MiB"] = SEED
    wall: dict[str, list[float]] = {k: [] for k in cases}
    cpu: dict[str, list[float]] = {k: [] for k in cases}
    info: dict[str, dict] = {}
    load = [_load()]                 # the machine's load average before and after (other work slows wall time)
    for _ in range(repeat):          # interleaved: load changes hit every size alike
        for name, sc in cases.items():
            w, c, rep = _timed(sc)
            wall[name].append(w)
            cpu[name].append(c)
            info[name] = {"buffers": sc["buffers"], "buf_size": sc["buf_size"], "bytes": rep["bytes"],
                          "cycles": rep["cycles"], "descriptors": rep["descriptors"]}
    rows = [{"case": k, **info[k], "wall_s": _spread(wall[k]), "cpu_s": _spread(cpu[k])} for k in cases]
    fresh = bench_fresh()
    load.append(_load())
    doc = {"rows": rows, "seed_target_s": SEED_TARGET_S, "scale_target_s": SCALE_TARGET_S,
           "machine": {"cpus": os.cpu_count(), "load_avg_1min": load},
           "seed_scenario": SEED, "method": f"{repeat} rounds in one process, the cases interleaved; "
           f"fresh_process: {FRESH_ROUNDS} rounds of a new process per run, interleaved",
           "fresh_process": fresh}
    (out / "scale.json").write_text(json.dumps(doc, indent=2))
    print(f"{'case':>14} {'descriptors':>11} {'wall median (min-max) s':>26} {'cpu median s':>12}")
    for r in rows:
        w = r["wall_s"]
        print(f"{r['case']:>14} {r['descriptors']:>11} {w['median']:>12.3f} ({w['min']:.3f}-{w['max']:.3f}) "
              f"{r['cpu_s']['median']:>12.3f}")
    print("in a fresh process each (the targets' measure):")
    for r in fresh:
        w = r["wall_s"]
        print(f"{r['case']:>14} {'':>11} {w['median']:>12.3f} ({w['min']:.3f}-{w['max']:.3f}) "
              f"{r['cpu_s']['median']:>12.3f}  target {r['target_s']} s: {'met' if r['meets_target'] else 'NOT met'}")
    print(f"targets: seed scenario <= {SEED_TARGET_S} s, 65536 buffers <= {SCALE_TARGET_S} s (wall); "
          f"load average {load[0]} before, {load[-1]} after, {os.cpu_count()} CPUs")
    return doc


def bench_agree(out: Path, sim: str) -> dict:
    from .calibration import agree_matrix, cell_name, compare_acquisition, cycle_error, rtl_acquisitions, run_cell_on_model

    cells = agree_matrix(**AGREE_SIZE)
    rtl = rtl_acquisitions(sim, cells, out / "agree_rtl.jsonl", test_dir=out / "agree_rtl")
    rows = []
    for cell, r in zip(cells, rtl):
        m = run_cell_on_model(cell)
        diffs = compare_acquisition(r, m)
        rows.append({"cell": cell_name(cell), "rtl_cycles": r["cycles"], "model_cycles": m["cycles"],
                     "cycle_error": round(cycle_error(r, m), 5), "interrupts": r["interrupts"],
                     "dropped_bytes": r["counters"]["DROPPED_BYTES"], "identical": not diffs, "diffs": diffs})
    doc = {"simulator": sim, "size": AGREE_SIZE, "rows": rows,
           "max_cycle_error": max(x["cycle_error"] for x in rows), "all_identical": all(x["identical"] for x in rows)}
    (out / "agree.json").write_text(json.dumps(doc, indent=2))
    print(f"{'cell':>34} {'rtl cycles':>10} {'model':>10} {'error':>7} {'irqs':>5} {'dropped':>8} identical")
    for x in rows:
        print(f"{x['cell']:>34} {x['rtl_cycles']:>10} {x['model_cycles']:>10} {x['cycle_error']:>7.2%} "
              f"{x['interrupts']:>5} {x['dropped_bytes']:>8} {x['identical']}")
    print(f"model vs RTL ({sim}): max cycle error {doc['max_cycle_error']:.2%} (target <= 2 %), "
          f"all observables identical: {doc['all_identical']}")
    return doc


def bench(out: Path, sim: str) -> dict:
    return {"scale": bench_scale(out), "agree": bench_agree(out, sim)}
