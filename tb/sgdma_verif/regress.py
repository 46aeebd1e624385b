"""`make regress`: the constrained-random regression (tb/test_regress.py) over many seeds.

    python -m sgdma_verif.regress --seeds 200 --seed 1 --jobs 2 --sim verilator

Seeds SEED .. SEED+SEEDS-1 are split over --jobs simulator processes running in parallel
(one shared build).  Writes build/regress/results.jsonl (one line per seed, with its scenario)
and build/regress/summary.json {"seeds", "descriptors", "bytes", "mismatches",
"protocol_violations", "hangs", "out_of_bounds_writes"} plus the functional-coverage bins the
seeds hit; exits non-zero if any count is not zero.  Reproduce one seed with --seeds 1 --seed N.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from pathlib import Path
from typing import NoReturn

from . import toolchain
from .runconfig import RunConfig

COUNTS = ("mismatches", "protocol_violations", "hangs", "out_of_bounds_writes")


class _Parser(argparse.ArgumentParser):
    """Errors in one line, ``prog: error: argument --x: value ...`` (exit 2)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _args(argv: list[str] | None) -> argparse.Namespace:
    ap = _Parser(prog="python -m sgdma_verif.regress", description=__doc__.splitlines()[0])
    ap.add_argument("--seeds", type=int, default=200, metavar="N", help="how many seeds, >= 1 (default: %(default)s)")
    ap.add_argument("--seed", type=int, default=1, metavar="N", help="first seed, >= 0 (default: %(default)s)")
    ap.add_argument("--jobs", type=int, default=2, metavar="N",
                    help="simulator processes in parallel, >= 1 (default: %(default)s)")
    ap.add_argument("--sim", default="verilator", choices=toolchain.SIMULATORS, help="simulator (default: %(default)s)")
    ap.add_argument("--out", type=Path, default=Path("build/regress"), metavar="DIR",
                    help="directory for results.jsonl, summary.json and the logs (default: %(default)s)")
    args = ap.parse_args(argv)
    for name, lowest in (("seeds", 1), ("seed", 0), ("jobs", 1)):
        value = getattr(args, name)
        if value < lowest:
            ap.error(f"argument --{name}: {value} is {'negative' if value < 0 else 'too small'}: "
                     f"must be >= {lowest}")
    if args.out.exists() and not args.out.is_dir():
        ap.error(f"argument --out: {args.out} is not a directory")
    return args


def _run_jobs(sim: str, out: Path, chunks: list[list[int]], parts: list[Path], total: int, t0: float) -> list[str]:
    """Builds once, then runs one simulator process per chunk of seeds side by side, printing
    progress; returns the jobs' errors."""
    errors: list[str] = []

    def work(i: int) -> None:
        try:
            toolchain.build_and_test("test_regress", sim, {}, test_dir=out / f"job{i}",
                                     log_file=out / f"job{i}.log",
                                     config=RunConfig(seeds=chunks[i], results=parts[i]))
        except BaseException as e:  # noqa: BLE001 - a failing seed makes the runner exit
            errors.append(f"job {i}: {e!r}")

    toolchain.build_and_test("test_regress", sim, {}, test_dir=out / "build_check",
                             log_file=out / "build_check.log", config=RunConfig(seeds=[]))
    threads = [threading.Thread(target=work, args=(i,)) for i in range(len(chunks))]
    for th in threads:
        th.start()
    done = 0
    while any(th.is_alive() for th in threads):
        time.sleep(5)
        now = sum(len(p.read_text().splitlines()) for p in parts if p.exists())
        if now != done:
            done = now
            print(f"regress: {done}/{total} seeds ({time.time() - t0:.0f} s)", flush=True)
    return errors


def _summary(rows: list[dict], seeds: list[int], sim: str, t0: float) -> dict:
    return {
        "seeds": len(rows),
        "descriptors": sum(r["descriptors"] for r in rows),
        "bytes": sum(r["bytes"] for r in rows),
        **{k: sum(r[k] for r in rows) for k in COUNTS},
        "failing_seeds": [r["seed"] for r in rows if any(r[k] for k in COUNTS)],
        "missing_seeds": sorted(set(seeds) - {r["seed"] for r in rows}),
        "scenarios": {k: sum(1 for r in rows if r["scenario"].get(k)) for k in
                      ("cyclic", "packets", "soft_reset", "overflow", "drop")} |
                     {"errors": sum(1 for r in rows if r["scenario"].get("error"))},
        "functional_bins_hit": sorted({"|".join(b) for r in rows for b in r.get("fcov", [])}),
        "simulator": sim,
        "wall_s": round(time.time() - t0, 1),
    }


def main(argv: list[str] | None = None) -> int:
    args = _args(argv)
    out = args.out.resolve()
    out.mkdir(parents=True, exist_ok=True)
    seeds = list(range(args.seed, args.seed + args.seeds))
    chunks = [seeds[i::args.jobs] for i in range(args.jobs) if seeds[i::args.jobs]]
    parts = [out / f"part{i}.jsonl" for i in range(len(chunks))]
    for p in parts:
        p.unlink(missing_ok=True)
    t0 = time.time()
    errors = _run_jobs(args.sim, out, chunks, parts, len(seeds), t0)
    rows = [json.loads(x) for p in parts if p.exists() for x in p.read_text().splitlines()]
    rows.sort(key=lambda r: r["seed"])
    (out / "results.jsonl").write_text("".join(json.dumps(r) + "\n" for r in rows))
    summary = _summary(rows, seeds, args.sim, t0)
    (out / "summary.json").write_text(json.dumps(summary, indent=2))
    print(json.dumps({k: v for k, v in summary.items() if k != "functional_bins_hit"}, indent=2))
    ok = not errors and not summary["failing_seeds"] and not summary["missing_seeds"]
    if errors:
        print("\n".join(errors), file=sys.stderr)
    return 0 if ok else 1


if __name__ == "__main__":
    raise SystemExit(main())
