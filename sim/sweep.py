"""sgdma-sim sweep: vary one or two scenario parameters on the fast model.

    sgdma-sim sweep --param buffers=4,8,16 --param irq_latency=0,20000,80000 \\
        --metric lost_fraction --mode owned --policy drop --buf-size 65536 --laps 4

writes sweep.json, sweep.csv and sweep.png (a line per value of the second parameter) to --out
and prints the table.  Answers questions like "how many buffers, at what interrupt latency,
before data is lost?".
"""
from __future__ import annotations

import csv
import itertools
import json
import sys
from dataclasses import fields, replace
from pathlib import Path

from sgdma_sim.acquisition import Scenario

METRICS = ("lost_fraction", "lost_bytes", "engine_dropped_bytes", "ring_overrun_bytes", "overruns", "interrupts",
           "efficiency", "throughput_bytes_per_cycle", "irq_latency_p99", "data_errors")


def _parse_param(text: str) -> tuple[str, list]:
    name, _, values = text.partition("=")
    names = {f.name: f.type for f in fields(Scenario)}
    if name not in names or not values:
        raise ValueError(f"--param {text!r}: use NAME=v1,v2,... with NAME one of {', '.join(names)}")
    default = getattr(Scenario(), name)
    conv = type(default) if not isinstance(default, bool) else (lambda v: v.lower() in ("1", "true", "yes"))
    return name, [conv(v) for v in values.split(",")]


def run_sweep(base: Scenario, params: list[tuple[str, list]], metric: str, progress=None) -> list[dict]:
    from sgdma_sim.model import run_scenario

    rows = []
    names = [n for n, _ in params]
    for combo in itertools.product(*[v for _, v in params]):
        sc = replace(base, **dict(zip(names, combo)))
        sc.validate()
        rep = run_scenario(sc)
        row = dict(zip(names, combo))
        rep["lost_fraction"] = round(rep["lost_bytes"] / rep["bytes"], 5) if rep["bytes"] else 0.0
        row.update({m: rep[m] for m in METRICS})
        row["ok"] = rep["ok"]
        rows.append(row)
        if progress:
            progress(row)
    return rows


def plot(rows: list[dict], params: list[tuple[str, list]], metric: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(8, 5))
    x_name, xs = params[0]
    if len(params) == 1:
        ax.plot(xs, [r[metric] for r in rows], marker="o")
    else:
        y_name, ys = params[1]
        for y in ys:
            ax.plot(xs, [r[metric] for r in rows if r[y_name] == y], marker="o", label=f"{y_name} = {y}")
        ax.legend()
    unit = {"lost_fraction": "fraction of bytes sent", "lost_bytes": "bytes", "engine_dropped_bytes": "bytes", "ring_overrun_bytes": "bytes",
            "irq_latency_p99": "clocks", "efficiency": "fraction of bus", "throughput_bytes_per_cycle": "bytes/clock"}
    ax.set_xlabel(x_name + (" [clocks]" if "latency" in x_name else " [bytes]" if "size" in x_name
                            else " [fraction of bus]" if x_name == "rate" else " [count]"))
    ax.set_ylabel(f"{metric} [{unit.get(metric, 'count')}]")
    ax.set_title(f"fast model sweep: {metric}")
    ax.grid(True, alpha=0.3)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def cmd_sweep(args) -> int:
    from sgdma_sim.cli import _scenario

    params = [_parse_param(p) for p in args.param]
    if not 1 <= len(params) <= 2:
        raise ValueError("give one or two --param")
    if args.metric not in METRICS:
        raise ValueError(f"--metric {args.metric!r}: choose from {', '.join(METRICS)}")
    base = _scenario(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = [n for n, _ in params]
    print("  ".join(f"{n:>14}" for n in names) + f"  {args.metric:>16}  ok")

    def show(row):
        print("  ".join(f"{row[n]!s:>14}" for n in names) + f"  {row[args.metric]!s:>16}  {row['ok']}")
        sys.stdout.flush()
    rows = run_sweep(base, params, args.metric, progress=show)
    (out / "sweep.json").write_text(json.dumps({"metric": args.metric, "params": names, "rows": rows}, indent=2))
    with open(out / "sweep.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    plot(rows, params, args.metric, out / "sweep.png")
    print(f"wrote {out / 'sweep.json'}, {out / 'sweep.csv'}, {out / 'sweep.png'}")
    return 0 if all(r["ok"] for r in rows) else 1


def add_sweep_parser(sub) -> None:
    from sgdma_sim.cli import _scenario_args

    sp = sub.add_parser("sweep", help="sweep one or two parameters on the fast model")
    sp.add_argument("--param", action="append", required=True, metavar="NAME=v1,v2,...",
                    help="a scenario field and its values, given once or twice; values in the field's "
                         "unit (bytes, clocks, fraction of the bus); required")
    sp.add_argument("--metric", default="lost_fraction", choices=METRICS,
                    help="what to tabulate and plot (default: %(default)s)")
    sp.add_argument("--out", default="build/sweep", metavar="DIR",
                    help="directory for sweep.json, sweep.csv and sweep.png (default: %(default)s)")
    _scenario_args(sp)
    sp.set_defaults(func=cmd_sweep)
