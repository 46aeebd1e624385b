"""sgdma-sim sweep: vary one or two scenario parameters on the fast model.

    sgdma-sim sweep --param buffers=4,8,16 --param irq_latency=0,20000,80000 \\
        --metric lost_fraction --mode owned --policy drop --buf-size 65536 --laps 4

writes sweep.json, sweep.csv and sweep.png (a line per value of the second parameter) to --out
and prints the table.  Answers questions like "how many buffers, at what interrupt latency,
before data is lost?".  A point whose run fails (data errors, bytes not accounted for, the
acquisition not finishing, or an exception) has no metric value: it is marked FAILED with the
reason in the table, the CSV and the JSON (``ok`` false, ``error``), and drawn as a red cross
on the plot's bottom edge, never as a value.
"""
from __future__ import annotations

import csv
import itertools
import json
import sys
from dataclasses import fields, replace
from pathlib import Path
from typing import Callable

from .acquisition import Scenario
from .cluster import Summary, add_cluster_args, check_cluster_args, connect
from .options import OptionError, add_scenario_args, check_scenario, option_name, scenario_from_args

METRICS = ("lost_fraction", "lost_bytes", "engine_dropped_bytes", "ring_overrun_bytes", "overruns", "interrupts",
           "stream_utilisation", "engine_efficiency", "throughput_bytes_per_cycle", "irq_latency_p99", "data_errors")


def parse_param(text: str) -> tuple[str, list]:
    name, _, values = text.partition("=")
    names = {f.name: f.type for f in fields(Scenario)}
    if name not in names or not values:
        raise ValueError(f"--param {text!r}: use NAME=v1,v2,... with NAME one of {', '.join(names)}")
    default = getattr(Scenario(), name)
    conv = type(default) if not isinstance(default, bool) else (lambda v: v.lower() in ("1", "true", "yes"))
    return name, [conv(v) for v in values.split(",")]


def _failure(rep: dict) -> str:
    """Why a run's figures cannot be trusted ('' when they can)."""
    if rep["ok"]:
        return ""
    why = list(rep["accounting_errors"])
    if rep["data_errors"]:
        why.insert(0, f"{rep['data_errors']} data errors")
    return "; ".join(why) or "the run failed"


def sweep_points(base: Scenario, params: list[tuple[str, list]]) -> list[tuple[dict, Scenario]]:
    """Every combination of the swept values, with its scenario; every point is checked before
    the first one runs (ValueError naming the point)."""
    names = [n for n, _ in params]
    points = []
    for combo in (dict(zip(names, c)) for c in itertools.product(*[v for _, v in params])):
        sc = replace(base, **combo)
        try:
            sc.validate()
        except ValueError as e:
            raise ValueError(f"sweep point {combo}: {e}") from None
        points.append((combo, sc))
    return points


def run_point(combo: dict, sc: Scenario) -> dict:
    """One sweep point on the fast model: the row with its parameters, every metric, ``ok`` and
    ``error`` (a failed run's metrics are None: it has no trustworthy value).  A Dask job."""
    from .model import run_scenario

    row = dict(combo)
    try:
        rep = run_scenario(sc)
    except Exception as e:  # noqa: BLE001 - a failed point is reported, the sweep goes on
        rep, error = None, f"{type(e).__name__}: {e}"
    else:
        rep["lost_fraction"] = round(rep["lost_bytes"] / rep["bytes"], 5) if rep["bytes"] else 0.0
        error = _failure(rep)
    row.update({m: (None if error else rep[m]) for m in METRICS})
    row["ok"], row["error"] = not error, error
    return row


def point_key(combo: dict) -> str:
    """The point's name in the sweep's journal: ``buffers=4,irq_latency=0``."""
    return ",".join(f"{k}={v}" for k, v in combo.items())


def run_sweep(base: Scenario, params: list[tuple[str, list]], metric: str,
              progress: Callable[[dict], None] | None = None) -> list[dict]:
    """One fast-model run per combination, in this process, in order (``run_point`` rows)."""
    rows = []
    for combo, sc in sweep_points(base, params):
        rows.append(run_point(combo, sc))
        if progress:
            progress(rows[-1])
    return rows


def run_sweep_on(client, base: Scenario, params: list[tuple[str, list]], journal: Path, resume: bool = False,
                 progress: Callable[[dict], None] | None = None, bar: bool = True) -> tuple[list[dict], "Summary"]:
    """The sweep's points as Dask jobs on ``client``'s cluster (sgdma_sim.cluster; ``journal``
    gets a line per point as it finishes, ``resume`` keeps the points done there): the rows in
    the order of the combinations, whatever order they finished in, and the jobs' summary.
    A point whose job failed twice is a failed row."""
    from .cluster import Job, done_results, read_journal, run_jobs

    points = sweep_points(base, params)
    jobs = [Job(point_key(combo), run_point, (combo, sc)) for combo, sc in points]

    def shown(rec):
        if progress and rec["status"] == "done":
            progress(rec["result"])
    summary = run_jobs(client, jobs, journal, resume=resume, label="sweep", progress=bar, on_record=shown)
    done, records = done_results(journal), read_journal(journal)
    rows = []
    for (combo, _), job in zip(points, jobs):
        if job.key in done:
            rows.append(done[job.key])
        else:
            why = records.get(job.key, {}).get("error", "no result")
            rows.append(dict(combo) | {m: None for m in METRICS} | {"ok": False, "error": f"job failed: {why}"})
    return rows, summary


def cell(row: dict, metric: str) -> str:
    """The table's text for a point's metric: its value, or FAILED."""
    return str(row[metric]) if row["ok"] else "FAILED"


def plot(rows: list[dict], params: list[tuple[str, list]], metric: str, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig = figure(rows, params, metric)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def figure(rows: list[dict], params: list[tuple[str, list]], metric: str):
    """The sweep plot: a line per value of the second parameter through the points that ran;
    a failed point breaks its line and is a red cross on the bottom edge."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(9, 5), layout="constrained")
    x_name, xs = params[0]
    groups = [(None, rows)] if len(params) == 1 else [
        (y, [r for r in rows if r[params[1][0]] == y]) for y in params[1][1]]
    failed = [r for r in rows if not r["ok"]]
    for y, group in groups:
        vals = [float("nan") if not r["ok"] else r[metric] for r in group]
        ax.plot([r[x_name] for r in group], vals, marker="o",
                label=None if y is None else f"{params[1][0]} = {y}")
    if failed:
        ax.plot([r[x_name] for r in failed], [0.0] * len(failed), "x", color="tab:red", ms=10, mew=2, clip_on=False,
                transform=ax.get_xaxis_transform(), label=f"failed run, no value ({len(failed)})")
        at: dict = {}
        for r in failed:
            at.setdefault(r[x_name], []).append(r)
        for x, group in at.items():
            text = "FAILED" + (f": {params[1][0]} = " + ", ".join(str(r[params[1][0]]) for r in group)
                               if len(params) > 1 else "")
            ax.annotate(text, (x, 0.0), xycoords=("data", "axes fraction"), xytext=(0, 9),
                        textcoords="offset points", ha="center", fontsize=7, color="tab:red")
    if len(params) > 1 or failed:
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=8)
    unit = {"lost_fraction": "fraction of bytes sent", "lost_bytes": "bytes", "engine_dropped_bytes": "bytes", "ring_overrun_bytes": "bytes",
            "irq_latency_p99": "clocks", "stream_utilisation": "W beats per clock",
            "engine_efficiency": "W beats per clock with data waiting", "throughput_bytes_per_cycle": "bytes/clock"}
    ax.set_xlabel(x_name + (" [clocks]" if "latency" in x_name else " [bytes]" if "size" in x_name
                            else " [fraction of bus]" if x_name == "rate" else " [count]"))
    ax.set_ylabel(f"{metric} [{unit.get(metric, 'count')}]")
    ax.set_title(f"fast model sweep: {metric}" + (f" ({len(failed)} of {len(rows)} points failed)" if failed else ""))
    ax.grid(True, alpha=0.3)
    return fig


def cmd_sweep(args) -> int:
    params = [parse_param(p) for p in args.param]
    if not 1 <= len(params) <= 2:
        raise ValueError("give one or two --param")
    if args.metric not in METRICS:
        raise ValueError(f"--metric {args.metric!r}: choose from {', '.join(METRICS)}")
    base = scenario_from_args(args)
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    names = [n for n, _ in params]
    print("  ".join(f"{n:>14}" for n in names) + f"  {args.metric:>16}  ok")

    def show(row):
        print("  ".join(f"{row[n]!s:>14}" for n in names) + f"  {cell(row, args.metric):>16}  {row['ok']}"
              + (f"  ({row['error']})" if row["error"] else ""))
        sys.stdout.flush()
    with connect(args.scheduler, args.workers) as client:
        rows, jobs = run_sweep_on(client, base, params, out / "journal.jsonl", resume=args.resume,
                                  progress=show, bar=False)
    (out / "sweep.json").write_text(json.dumps({"metric": args.metric, "params": names, "rows": rows,
                                                "jobs": jobs.to_json()}, indent=2))
    with open(out / "sweep.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    plot(rows, params, args.metric, out / "sweep.png")
    failed = sum(not r["ok"] for r in rows)
    if failed:
        print(f"{failed} of {len(rows)} points FAILED (no value; red crosses on the plot)")
    print(f"wrote {out / 'sweep.json'}, {out / 'sweep.csv'}, {out / 'sweep.png'}")
    return 0 if all(r["ok"] for r in rows) else 1


def add_sweep_parser(sub) -> None:
    sp = sub.add_parser("sweep", help="sweep one or two parameters on the fast model")
    sp.add_argument("--param", action="append", required=True, metavar="NAME=v1,v2,...",
                    help="a scenario field and its values, given once or twice; values in the field's "
                         "unit (bytes, clocks, fraction of the bus); required")
    sp.add_argument("--metric", default="lost_fraction", choices=METRICS,
                    help="what to tabulate and plot (default: %(default)s)")
    sp.add_argument("--out", default="build/sweep", metavar="DIR",
                    help="directory for sweep.json, sweep.csv, sweep.png and journal.jsonl (default: %(default)s)")
    add_cluster_args(sp)
    add_scenario_args(sp)
    sp.set_defaults(func=cmd_sweep)


def validate_sweep(args) -> None:
    """Checks the sweep's options, every swept value included (raises OptionError)."""
    base = scenario_from_args(args)
    names = [f.name for f in fields(Scenario)]
    params = []
    for text in args.param:
        name, _, values = text.partition("=")
        if name not in names or not values:
            raise OptionError("--param", text, f"is not NAME=v1,v2,... with NAME one of {', '.join(names)}")
        try:
            params.append(parse_param(text))
        except ValueError:
            kind = {bool: "true or false", int: "an integer", float: "a number"}.get(
                type(getattr(base, name)), "a string")
            raise OptionError("--param", text, f"has a value that is not {kind}") from None
    if not 1 <= len(params) <= 2:
        raise OptionError("--param", f"given {len(params)} times", "(give one or two)")
    problem = check_cluster_args(args.workers, args.scheduler)
    if problem:
        raise OptionError(*problem)
    for name, values in params:
        for v in values:
            check_scenario(replace(base, **{name: v}), option=lambda n, name=name: (
                f"--param {name}" if n == name else option_name(n)))
