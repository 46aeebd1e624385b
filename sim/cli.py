"""sgdma-sim: run an acquisition (``run``) or sweep parameters (``sweep``).

    sgdma-sim run --backend rtl --sim icarus --buffers 8 --buf-size 65536 --laps 3
    sgdma-sim run --backend model --buffers 16 --buf-size 4194304 --laps 4
    sgdma-sim sweep --param buffers=4,8,16 --param irq_latency=...   (fast model)

``run`` prints a summary, writes report.json, timeline.json and timeline.png to --out, and
exits non-zero if any byte is wrong or unaccounted for.
"""
from __future__ import annotations

import argparse
import json
import sys
import threading
import time
from dataclasses import asdict
from pathlib import Path

from sgdma_sim.acquisition import Scenario
from sgdma_sim.report import plot_timeline, summary

REPORT_KEYS = ("bytes", "bytes_read", "cycles", "stream_utilisation", "engine_efficiency", "w_beats",
               "waiting_cycles", "interrupts", "descriptors", "overruns",
               "irq_latency_p50", "irq_latency_p90", "irq_latency_p99",
               "lost_bytes", "engine_dropped_bytes", "engine_dropped_packets", "error_lost_bytes",
               "ring_overrun_bytes", "data_errors", "accounting_errors", "simulator", "backend", "wall_s",
               "cycles_per_s", "ok", "scenario")


def _scenario_args(ap: argparse.ArgumentParser) -> None:
    d = Scenario()
    ap.add_argument("--buffers", type=int, default=d.buffers)
    ap.add_argument("--buf-size", type=int, default=d.buf_size, help="bytes per buffer (multiple of 4096)")
    ap.add_argument("--laps", type=float, default=d.laps)
    ap.add_argument("--rate", type=float, default=d.rate, help="device rate, fraction of one bus beat per clock")
    ap.add_argument("--consumer", choices=["fast", "slow"], default=d.consumer)
    ap.add_argument("--policy", choices=["stall", "drop"], default=d.policy)
    ap.add_argument("--mode", choices=["owned", "cyclic", "tail"], default=d.mode)
    ap.add_argument("--irq-threshold", type=int, default=d.irq_threshold)
    ap.add_argument("--irq-delay", type=int, default=d.irq_delay)
    ap.add_argument("--strategy", choices=["eager", "lazy"], default=d.strategy)
    ap.add_argument("--kernel", default=d.kernel)
    ap.add_argument("--seed", type=int, default=d.seed)
    ap.add_argument("--irq-latency", type=int, default=d.irq_latency, help="clocks from interrupt to service (mean)")
    ap.add_argument("--irq-jitter", choices=["fixed", "exp"], default=d.irq_jitter)


def _scenario(args) -> Scenario:
    sc = Scenario(buffers=args.buffers, buf_size=args.buf_size, laps=args.laps, rate=args.rate,
                  consumer=args.consumer, policy=args.policy, mode=args.mode,
                  irq_threshold=args.irq_threshold, irq_delay=args.irq_delay, strategy=args.strategy,
                  kernel=args.kernel, seed=args.seed, irq_latency=args.irq_latency,
                  irq_jitter=args.irq_jitter)
    sc.validate()
    return sc


def _progress_bar(total: int, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                file=sys.stderr, dynamic_ncols=True)


def run_rtl(sc: Scenario, sim: str, out: Path, waves: bool) -> dict:
    from cocotb_tools.runner import get_results

    from sgdma_sim import toolchain

    report_path, progress_path = out / "rtl_report.json", out / "progress.json"
    for p in (report_path, progress_path):
        p.unlink(missing_ok=True)
    env = {"SGDMA_SCENARIO": json.dumps(asdict(sc)), "SGDMA_REPORT": str(report_path),
           "SGDMA_PROGRESS": str(progress_path), "SGDMA_SIM_NAME": sim}
    result: dict = {}

    def work():
        try:
            result["xml"] = toolchain.build_and_test("sim_main", sim, {}, waves=waves, extra_env=env,
                                                     test_dir=out / f"rtl_{sim}",
                                                     log_file=out / f"rtl_{sim}" / "sim.log")
        except BaseException as e:  # noqa: BLE001 - reported below
            result["error"] = e

    (out / f"rtl_{sim}").mkdir(parents=True, exist_ok=True)
    print(f"building rtl/sgdma.v for {sim} and running the acquisition (log: {out}/rtl_{sim}/sim.log)",
          file=sys.stderr)
    th = threading.Thread(target=work)
    th.start()
    bar = _progress_bar(sc.total_bytes, f"{sim} acquisition")
    while th.is_alive():
        th.join(0.5)
        try:
            done = json.loads(progress_path.read_text())["done"]
            bar.update(min(done, bar.total) - bar.n)
        except (OSError, ValueError, KeyError):
            pass
    if "error" in result:
        bar.close()
        raise SystemExit(f"RTL simulation failed to run: {result['error']}")
    if report_path.exists():
        bar.update(bar.total - bar.n)
    bar.close()
    if not report_path.exists():
        raise SystemExit(f"the simulation wrote no report; see the log in {out}/rtl_{sim}/")
    rep = json.loads(report_path.read_text())
    tests, failed = get_results(result["xml"])
    if failed and rep.get("ok"):
        rep["ok"] = False
        rep["accounting_errors"].append("the cocotb acquisition test failed")
    if waves:
        import shutil
        found = sorted((out / f"rtl_{sim}").glob("*.fst")) + sorted(
            (toolchain.BUILD_DIR / "sim_build" / sim).glob("*_waves/*.fst"))
        if not found:
            raise SystemExit(f"WAVES=1 but the simulation left no FST file (see {out}/rtl_{sim}/sim.log)")
        newest = max(found, key=lambda p: p.stat().st_mtime)
        dest = out / f"sgdma_{sim}.fst"
        shutil.copyfile(newest, dest)
        rep["waves"] = [str(dest)]
    return rep


def run_model(sc: Scenario) -> dict:
    from sgdma_sim.model import run_scenario

    bar = _progress_bar(sc.total_bytes, "model acquisition")

    def progress(done, total):
        bar.update(min(done, bar.total) - bar.n)
    rep = run_scenario(sc, progress=progress)
    bar.update(bar.total - bar.n)
    bar.close()
    return rep


def cmd_run(args) -> int:
    sc = _scenario(args)
    out = Path(args.out).resolve()
    out.mkdir(parents=True, exist_ok=True)
    t0 = time.time()
    rep = run_rtl(sc, args.sim, out, args.waves) if args.backend == "rtl" else run_model(sc)
    rep["wall_s"] = round(time.time() - t0, 2) if args.backend == "rtl" else rep["wall_s"]
    (out / "report.json").write_text(json.dumps({k: rep[k] for k in REPORT_KEYS if k in rep} |
                                                ({"waves": rep["waves"]} if "waves" in rep else {}), indent=2))
    (out / "timeline.json").write_text(json.dumps(rep["timeline"]))
    plot_timeline(rep, out / "timeline.png")
    print(summary(rep))
    print(f"  wrote {out / 'report.json'}, {out / 'timeline.png'}" +
          (f", waves: {', '.join(rep.get('waves', [])) or 'none found'}" if args.waves else ""))
    return 0 if rep["ok"] else 1


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="sgdma-sim", description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    r = sub.add_parser("run", help="one acquisition")
    r.add_argument("--backend", choices=["rtl", "model"], default="rtl")
    r.add_argument("--sim", choices=["icarus", "verilator"], default="icarus")
    r.add_argument("--waves", action="store_true", help="record an FST waveform (RTL backend)")
    r.add_argument("--out", default="build/sim")
    _scenario_args(r)
    r.set_defaults(func=cmd_run)
    try:
        from sgdma_sim.sweep import add_sweep_parser
        add_sweep_parser(sub)
    except ImportError:
        pass
    args = ap.parse_args(argv)
    try:
        return args.func(args)
    except ValueError as e:
        print(f"sgdma-sim: {e}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
