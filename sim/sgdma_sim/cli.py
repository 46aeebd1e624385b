"""sgdma-sim: run an acquisition (``run``) or sweep parameters (``sweep``).

    sgdma-sim run --backend rtl --sim icarus --buffers 8 --buf-size 65536 --laps 3
    sgdma-sim run --backend model --buffers 16 --buf-size 4194304 --laps 4
    sgdma-sim run --backend rtl-fast --buffers 16 --buf-size 4194304 --laps 4 --rate 0.5
    sgdma-sim sweep --param buffers=4,8,16 --param irq_latency=...   (fast model)
    sgdma-sim c-driver --sources drv.c test.c --entry run_test --backend rtl|model

``run`` prints a summary, writes report.json, timeline.json and timeline.png to --out, and
exits non-zero if any byte is wrong or unaccounted for.
"""
from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path
from typing import Callable, NoReturn

from .acquisition import Scenario
from .report import plot_timeline, summary
from .errors import SimulationError
from .options import OptionError, add_scenario_args, check_out, progress_bar, scenario_from_args
from .sweep import add_sweep_parser, validate_sweep
from .cdriver_cli import add_c_driver_parser, config_from_args

REPORT_KEYS = ("bytes", "bytes_read", "cycles", "stream_utilisation", "engine_efficiency", "w_beats",
               "waiting_cycles", "interrupts", "descriptors", "overruns",
               "irq_latency_p50", "irq_latency_p90", "irq_latency_p99",
               "lost_bytes", "engine_dropped_bytes", "engine_dropped_packets", "error_lost_bytes",
               "ring_overrun_bytes", "data_errors", "accounting_errors", "simulator", "backend", "wall_s",
               "cycles_per_s", "ok", "scenario")


def validate(args: argparse.Namespace) -> None:
    """Checks every option of ``run`` or ``sweep`` (raises OptionError); runs nothing."""
    if args.cmd == "run":
        if args.waves and args.backend == "model":
            raise OptionError("--waves", "", "needs --backend rtl or rtl-fast: the fast model records no waveform")
        scenario_from_args(args)
    elif args.cmd == "sweep":
        validate_sweep(args)
    elif args.cmd == "c-driver":
        config_from_args(args)
    check_out(args.out)


BACKEND_GROUP = "sgdma_sim.backends"


def rtl_runner(name: str = "rtl") -> Callable[[Scenario, str, Path, bool], dict]:
    """An RTL backend's runner, ``run(scenario, simulator, out_dir, waves) -> report``
    (``name``: ``rtl``, the cocotb flow, or ``rtl-fast``, the C++ harness).

    The fast model lives in this package; the RTL backends live in the verification package,
    which depends on this one, so they are found through the entry points it registers (group
    ``sgdma_sim.backends``) instead of being imported from here."""
    from importlib import metadata

    found = [ep for ep in metadata.entry_points(group=BACKEND_GROUP) if ep.name == name]
    if not found:
        raise SimulationError(f"--backend {name}: no package registers an {name!r} entry point in {BACKEND_GROUP!r}; "
                              "install the project (pip install -e .)")
    return found[0].load()


def run_model(sc: Scenario) -> dict:
    from .model import run_scenario

    bar = progress_bar(sc.total_bytes, "model acquisition")

    def progress(done, total):
        bar.update(min(done, bar.total) - bar.n)
    rep = run_scenario(sc, progress=progress)
    bar.update(bar.total - bar.n)
    bar.close()
    return rep


def cmd_run(args) -> int:
    sc = scenario_from_args(args)
    out = check_out(args.out)
    t0 = time.time()
    rep = run_model(sc) if args.backend == "model" else rtl_runner(args.backend)(sc, args.sim, out, args.waves)
    rep["wall_s"] = round(time.time() - t0, 2) if args.backend == "rtl" else rep["wall_s"]
    (out / "report.json").write_text(json.dumps({k: rep[k] for k in REPORT_KEYS if k in rep} |
                                                ({"waves": rep["waves"]} if "waves" in rep else {}), indent=2))
    (out / "timeline.json").write_text(json.dumps(rep["timeline"]))
    plot_timeline(rep, out / "timeline.png")
    print(summary(rep))
    print(f"  wrote {out / 'report.json'}, {out / 'timeline.png'}" +
          (f", waves: {', '.join(rep.get('waves', [])) or 'none found'}" if args.waves else ""))
    return 0 if rep["ok"] else 1


def _version() -> str:
    from importlib import metadata

    try:
        return metadata.version("sgdma")
    except metadata.PackageNotFoundError:
        return "unknown (not installed; run make bootstrap)"


class _Parser(argparse.ArgumentParser):
    """argparse with one-line errors (``prog: error: message``, exit 2); sub-commands get the
    same class."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"{self.prog}: error: {message}\n")


def _project_errors() -> tuple[type[BaseException], ...]:
    """The driver model's and the simulator's own error classes: reported in one line, exit 1."""
    from sgdma_driver.allocator import OutOfMemoryError
    from sgdma_driver.dma_api import DmaApiError
    from sgdma_driver.driver import DriverError
    from sgdma_driver.iommu import IommuFault
    from sgdma_driver.vma import KernelBug, MmapError

    from .cluster import ClusterError

    return (SimulationError, DriverError, DmaApiError, OutOfMemoryError, IommuFault, KernelBug, MmapError, OSError,
            ClusterError)


def build_parser() -> argparse.ArgumentParser:
    ap = _Parser(prog="sgdma-sim", description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--version", action="version", version=f"%(prog)s {_version()}")
    ap.add_argument("--debug", action="store_true", help="show the Python traceback of an error")
    common = argparse.ArgumentParser(add_help=False)
    common.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                        help="show the Python traceback of an error")
    sub = ap.add_subparsers(dest="cmd", required=True, metavar="{run,sweep,c-driver}", parser_class=_Parser)
    r = sub.add_parser("run", parents=[common], help="one acquisition, every byte checked",
                       description="One acquisition on the RTL or the fast model: prints a summary, writes "
                                   "report.json, timeline.json and timeline.png to --out; exit 1 if any byte "
                                   "is wrong or unaccounted for.")
    r.add_argument("--backend", choices=["rtl", "rtl-fast", "model"], default="rtl",
                   help="rtl/sgdma.v under a simulator (cocotb), rtl/sgdma.v in the C++ harness (rtl-fast), "
                        "or the fast model (default: %(default)s)")
    r.add_argument("--sim", choices=["icarus", "verilator"], default="icarus",
                   help="simulator of the rtl backend (default: %(default)s)")
    r.add_argument("--waves", action="store_true",
                   help="record an FST waveform (rtl and rtl-fast backends; default: off)")
    r.add_argument("--out", default="build/sim", metavar="DIR",
                   help="directory for the report, timeline and logs (default: %(default)s)")
    add_scenario_args(r)
    r.set_defaults(func=cmd_run, parser=r)

    add_sweep_parser(sub)
    add_c_driver_parser(sub, common)
    sp = sub.choices["sweep"]
    sp.set_defaults(parser=sp)
    sp.add_argument("--debug", action="store_true", default=argparse.SUPPRESS,
                    help="show the Python traceback of an error")
    return ap


def main(argv: list[str] | None = None) -> int:
    """The ``sgdma-sim`` command: options are checked before anything runs (exit 2 with a
    one-line message); the project's own errors end in a one-line message and exit 1, with the
    traceback only under --debug."""
    args = build_parser().parse_args(argv)
    try:
        validate(args)
    except OptionError as e:
        args.parser.error(str(e))
    try:
        return args.func(args)
    except KeyboardInterrupt:
        print(f"sgdma-sim {args.cmd}: interrupted", file=sys.stderr)
        return 130
    except Exception as e:  # noqa: BLE001 - the top-level handler
        if args.debug:
            raise
        # coroutines of an aborted simulation are never awaited: not news to the user
        warnings.filterwarnings("ignore", message="coroutine .* was never awaited", category=RuntimeWarning)
        text = " ".join(str(e).split()) or type(e).__name__
        if isinstance(e, OptionError):
            args.parser.error(str(e))
        if not isinstance(e, _project_errors()):
            text = f"internal error: {type(e).__name__}: {text} (--debug shows the traceback)"
        print(f"sgdma-sim {args.cmd}: error: {text}", file=sys.stderr)
        return 1
    except SimulationError as e:
        if args.debug:
            raise
        print(f"sgdma-sim {args.cmd}: error: {' '.join(str(e).split())}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    raise SystemExit(main())
