"""`make regress`: the constrained-random regression (tb/test_regress.py) over many seeds.

    python -m sgdma_verif.regress --seeds 200 --seed 1 --jobs 2 --sim verilator
    python -m sgdma_verif.regress --seeds 5000 --scheduler tcp://head:8786 --resume
    python -m sgdma_verif.regress --seeds 50 --build s2mm      # the S2MM-only build

The build has both channels (INCLUDE_MM2S=1: most seeds also run MM2S traffic, see
tb/test_regress.py) unless --build s2mm selects the S2MM-only build (the same seeds, S2MM
traffic only).

Seeds SEED .. SEED+SEEDS-1 run on Dask (sgdma_sim.cluster), one job per seed: by default a
local cluster of --jobs worker processes (default one per core), or the cluster of --scheduler
(or $DASK_SCHEDULER_ADDRESS).  Each worker builds the simulation into its own directory and
reuses it.  Each seed's line is appended to build/regress/journal.jsonl as soon as it finishes;
--resume keeps the seeds done there and runs the others.  At the end build/regress/results.jsonl
has one line per seed (with its scenario), in seed order, and build/regress/summary.json
{"seeds", "descriptors", "bytes", "mismatches", "protocol_violations", "hangs",
"out_of_bounds_writes", "mm2s_seeds", "mm2s_descriptors", "mm2s_bytes", ...} plus the functional-coverage bins the seeds hit, the jobs requested,
done, failed and retried, the scheduler address and the worker count; exits non-zero if any
count is not zero or any seed has no result.  Reproduce one seed with --seeds 1 --seed N.
"""
from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import time
from pathlib import Path
from typing import NoReturn

from sgdma_sim import cluster

from . import toolchain
from .runconfig import RunConfig

COUNTS = ("mismatches", "protocol_violations", "hangs", "out_of_bounds_writes")
#: --build: the RTL parameters of each regression build.
BUILDS = {"mm2s": {"INCLUDE_MM2S": 1}, "s2mm": {}}
JOURNAL = "journal.jsonl"


class _Parser(argparse.ArgumentParser):
    """Errors in one line, ``prog: error: argument --x: value ...`` (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = _Parser(prog="python -m sgdma_verif.regress", description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=200, metavar="N", help="how many seeds, >= 1 (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=1, metavar="N", help="first seed, >= 0 (default: %(default)s)")
    ap.add_argument("--sim", default="verilator", choices=toolchain.SIMULATORS, help="simulator (default: %(default)s)")
    ap.add_argument("--build", default="mm2s", choices=list(BUILDS),
                    help="mm2s: both channels (INCLUDE_MM2S=1), s2mm: the S2MM-only build (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=Path("build/regress"), metavar="DIR",
                    help="directory for journal.jsonl, results.jsonl, summary.json and the logs (default: %(default)s)")
    ap.add_argument("--no-progress", dest="progress", action="store_false",
                    help="no progress bar (default: a bar on stderr)")
    cluster.add_cluster_args(ap, workers_flags=("--jobs", "--workers"))
    args = ap.parse_args(argv)
    for name, lowest in (("seeds", 1), ("seed", 0)):
        value = getattr(args, name)
        if value < lowest:
            ap.error(f"argument --{name}: {value} is {'negative' if value < 0 else 'too small'}: "
                     f"must be >= {lowest}")
    problem = cluster.check_cluster_args(args.workers, args.scheduler, workers_flag="--jobs")
    if problem:
        ap.error("argument {}: {} {}".format(*problem))
    if args.out.exists() and not args.out.is_dir():
        ap.error(f"argument --out: {args.out} is not a directory")
    return args


def run_seed(seed: int, sim: str, out: str, build: str = "mm2s") -> dict:
    """One seed, on a Dask worker: the simulation of this worker's own build runs test_regress
    on ``seed``; its result line (a failing seed is a result too, with its counts).  Raises when
    the simulation gave no line (a crash: the job is retried)."""
    slot = cluster.worker_slot()
    # per process: a simulator left running by a killed worker never writes into a new one's run
    scratch = toolchain.BUILD_DIR / "regress_runs" / f"{slot}-pid{os.getpid()}"
    scratch.mkdir(parents=True, exist_ok=True)
    results = scratch / "seed.jsonl"
    results.unlink(missing_ok=True)
    logs = Path(out) / "logs"
    try:
        logs.mkdir(parents=True, exist_ok=True)
    except OSError:              # --out not reachable from this worker: its logs stay local
        logs = scratch
    log = logs / f"seed{seed}.log"
    error = None
    try:
        toolchain.build_and_test("test_regress", sim, BUILDS[build], test_dir=scratch / "run", log_file=log,
                                 config=RunConfig(seeds=[seed], results=results),
                                 build_root=toolchain.worker_build_root())
    except BaseException as e:  # noqa: BLE001 - a failing seed ends its simulator with an error
        error = e
    rows = [json.loads(x) for x in results.read_text().splitlines()] if results.exists() else []
    if len(rows) != 1 or rows[0].get("seed") != seed:
        cause = "; ".join(toolchain.log_errors(log)) or (repr(error) if error else "no result line")
        raise RuntimeError(f"seed {seed} gave no result on {slot} ({cause}; log {log})")
    shutil.rmtree(scratch, ignore_errors=True)
    return rows[0]


def _summary(rows: list[dict], seeds: list[int], sim: str, t0: float, build: str = "mm2s") -> dict:
    mm2s = [r["scenario"]["mm2s"] for r in rows if r["scenario"].get("mm2s")]
    return {
        "seeds": len(rows),
        "descriptors": sum(r["descriptors"] for r in rows),
        "bytes": sum(r["bytes"] for r in rows),
        "mm2s_seeds": len(mm2s),
        "mm2s_descriptors": sum(r.get("mm2s_descriptors", 0) for r in rows),
        "mm2s_bytes": sum(r.get("mm2s_bytes", 0) for r in rows),
        **{k: sum(r[k] for r in rows) for k in COUNTS},
        "failing_seeds": [r["seed"] for r in rows if any(r[k] for k in COUNTS)],
        "missing_seeds": sorted(set(seeds) - {r["seed"] for r in rows}),
        "scenarios": {k: sum(1 for r in rows if r["scenario"].get(k)) for k in
                      ("cyclic", "packets", "soft_reset", "overflow", "drop")} |
                     {"errors": sum(1 for r in rows if r["scenario"].get("error")),
                      "mm2s_cyclic": sum(1 for m in mm2s if m["cyclic"]),
                      "mm2s_faults": sum(1 for m in mm2s if m["fault"])},
        "functional_bins_hit": sorted({"|".join(b) for r in rows for b in r.get("fcov", [])}),
        "simulator": sim,
        "build": build,
        "wall_s": round(time.time() - t0, 1),
    }


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    seeds = list(range(args.seed, args.seed + args.seeds))
    jobs = [cluster.Job(f"seed{s}", run_seed, (s, args.sim, str(out), args.build)) for s in seeds]
    t0 = time.time()
    try:
        with cluster.connect(args.scheduler, args.workers) as client:
            run = cluster.run_jobs(client, jobs, out / JOURNAL, resume=args.resume, label="regress",
                                   progress=args.progress)
    except cluster.ClusterError as e:
        print(f"regress: error: {e}", file=sys.stderr)
        return 1
    done = cluster.done_results(out / JOURNAL)
    rows = sorted((done[j.key] for j in jobs if j.key in done), key=lambda r: r["seed"])
    (out / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    # the seeds' figures, then the jobs': requested, done, failed, retried, skipped, scheduler, workers
    summary = _summary(rows, seeds, args.sim, t0, args.build) | {k: v for k, v in run.to_json().items() if k != "wall_s"} | {
        "jobs_wall_s": run.wall_s}
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "functional_bins_hit"}, indent=2))
    ok = not run.failed and not summary["failing_seeds"] and not summary["missing_seeds"]
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
