"""`make scale`: regression seeds per minute on 1 and on 2 Dask workers of this machine.

    python -m sgdma_verif.scale_out --sim verilator --seeds 8 --out build/bench

A warm-up run on 2 workers first builds (or reuses) each worker's simulation, so that the timed
runs measure seeds, not compilation; then the same seeds run on a local cluster of 1 worker and
of 2 (sgdma_verif.regress, one job per seed), each timed from the first job submitted to the
last result in.  Writes scale_out.json {"sim", "seeds", "cores", "runs": [{"workers",
"seeds_per_minute", "wall_s", ...}], "speedup"} and prints the table.
"""
from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

from sgdma_sim import cluster

from . import regress, toolchain

FIRST_SEED = 5000
WORKERS = (1, 2)


def measure(sim: str, seeds: int, workers: int, out: Path) -> dict:
    """One timed regression of ``seeds`` seeds on ``workers`` local workers, with the machine's
    load average just before it (other jobs on the machine slow the run down)."""
    run = out / f"w{workers}"
    load = round(os.getloadavg()[0], 2)
    rc = regress.main(["--seeds", str(seeds), "--seed", str(FIRST_SEED), "--jobs", str(workers), "--sim", sim,
                       "--out", str(run), "--no-progress"])
    s = json.loads((run / "summary.json").read_text())
    if s["done"] != seeds or s["failed"]:
        raise SystemExit(f"scale: the {workers}-worker run finished {s['done']} of {seeds} seeds "
                         f"({s['failed']} failed); see {run}")
    per_seed = [r["wall_s"] for r in cluster.read_journal(run / regress.JOURNAL).values() if "wall_s" in r]
    return {"workers": s["workers"], "seeds": s["done"], "wall_s": s["jobs_wall_s"],
            "seeds_per_minute": round(60.0 * s["done"] / s["jobs_wall_s"], 2), "exit_code": rc,
            "retried": s["retried"], "load_before": load,
            "seed_wall_s_mean": round(sum(per_seed) / len(per_seed), 2) if per_seed else None}


def best_of(runs: list[dict]) -> dict:
    """The round of the median speed (the faster of two)."""
    ranked = sorted(runs, key=lambda r: r["seeds_per_minute"])
    return ranked[len(ranked) // 2]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sgdma_verif.scale_out", description=__doc__.splitlines()[0])
    ap.add_argument("--sim", default="verilator", choices=toolchain.SIMULATORS, help="simulator (default: %(default)s)")
    ap.add_argument("--seeds", type=int, default=8, help="seeds per timed run, >= 2 (default: %(default)s)")
    ap.add_argument("--rounds", type=int, default=2, help="interleaved rounds of 1 and 2 workers, >= 1 (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=Path("build/bench"), help="directory for scale_out.json (default: %(default)s)")
    args = ap.parse_args(argv)
    if args.seeds < 2:
        ap.error(f"argument --seeds: {args.seeds} is too small: must be >= 2")
    if args.rounds < 1:
        ap.error(f"argument --rounds: {args.rounds} is too small: must be >= 1")
    out = args.out.resolve()
    work = out / "scale_out"
    print("scale: warm-up (each worker builds or reuses its simulation)", file=sys.stderr, flush=True)
    regress.main(["--seeds", "2", "--seed", str(FIRST_SEED), "--jobs", "2", "--sim", args.sim,
                  "--out", str(work / "warmup"), "--no-progress"])
    rounds = [[measure(args.sim, args.seeds, n, work) for n in WORKERS] for _ in range(args.rounds)]
    runs = [best_of([r[i] for r in rounds]) for i in range(len(WORKERS))]
    doc = {"sim": args.sim, "seeds": args.seeds, "first_seed": FIRST_SEED, "cores": os.cpu_count(),
           "runs": runs, "speedup": round(runs[-1]["seeds_per_minute"] / runs[0]["seeds_per_minute"], 2),
           "rounds": rounds,
           "method": "regression seeds on a Dask LocalCluster of 1 and 2 worker processes (one thread each), "
                     "warm per-worker builds, timed from the first job submitted to the last result; "
                     "1 and 2 workers in interleaved rounds, the median round of each (load_before: the "
                     "machine's 1-minute load average before the run)"}
    out.mkdir(parents=True, exist_ok=True)
    (out / "scale_out.json").write_text(json.dumps(doc, indent=2) + "\n")
    print(f"\nregression on {args.sim}, {args.seeds} seeds, {doc['cores']} cores")
    print(f"{'workers':>8} {'seeds/min':>10} {'wall s':>8} {'s/seed':>7} {'load':>6}")
    for r in runs:
        print(f"{r['workers']:>8} {r['seeds_per_minute']:>10} {r['wall_s']:>8} {r['seed_wall_s_mean']!s:>7} "
              f"{r['load_before']:>6}")
    print(f"speed-up with {runs[-1]['workers']} workers: {doc['speedup']}x; wrote {out / 'scale_out.json'}")
    return 0 if all(r["exit_code"] == 0 for rr in rounds for r in rr) else 1


if __name__ == "__main__":
    raise SystemExit(main())
