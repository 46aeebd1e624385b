"""``sgdma-sim c-driver``: the options of a C driver run, their checks, and the command.

    sgdma-sim c-driver --sources examples/c/s2mm_ring.c examples/c/s2mm_ring_test.c \\
                       --entry run_test --backend rtl --sim verilator

The RTL runner lives in the verification package and is found through the entry point
``rtl-c-driver`` of the group ``sgdma_sim.backends``, as ``run --backend rtl`` finds its own.
"""
from __future__ import annotations

import argparse
import json
import shlex
import sys
import time
from pathlib import Path
from typing import Any, Callable

from .cdriver import (CDriverConfig, CompileError, SettingError, compile_driver, run_on_model, summary)
from .errors import SimulationError
from .options import OptionError, check_out

ENTRY_POINT = "rtl-c-driver"


def _int(text: str) -> int:
    """An integer in any C-style base (0x40400000, 1048576)."""
    try:
        return int(text, 0)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not an integer") from None


def add_c_driver_parser(sub, common: argparse.ArgumentParser) -> argparse.ArgumentParser:
    d = CDriverConfig()
    p = sub.add_parser("c-driver", parents=[common], help="run a C driver, unmodified, against the engine",
                       description="Compile C driver sources with gcc (with the platform of sim/c: "
                                   "sgdma_platform.h and the standalone BSP names), run the entry function "
                                   "against rtl/sgdma.v or the fast model, stream the scenario's bytes, check every "
                                   "byte the driver hands back and the cache contract; prints a summary, writes "
                                   "report.json to --out; exit 1 if anything is wrong.")
    p.add_argument("--sources", nargs="+", required=True, metavar="FILE", help="the C files of the driver and its test")
    p.add_argument("--entry", default=d.entry, metavar="NAME",
                   help="the function to run, int NAME(void), 0 = success (default: %(default)s)")
    p.add_argument("--backend", choices=["rtl", "model"], default="rtl",
                   help="rtl/sgdma.v under a simulator, or the fast model (default: %(default)s)")
    p.add_argument("--sim", choices=["icarus", "verilator"], default=d.sim,
                   help="simulator of the rtl backend (default: %(default)s)")
    p.add_argument("-I", "--include", action="append", default=[], metavar="DIR",
                   help="an include directory for the driver's sources (repeatable; default: none)")
    p.add_argument("--cflags", default="", metavar="FLAGS",
                   help="more gcc flags, one string, e.g. \"-DRING_N=4 -O2\" (default: none)")
    p.add_argument("--stream-bytes", type=_int, default=d.stream_bytes, metavar="BYTES",
                   help="bytes the device streams from the first DMACR.RS write, a multiple of 16; 0: no "
                        "stream (default: %(default)s)")
    p.add_argument("--packet-bytes", type=_int, default=d.packet_bytes, metavar="BYTES",
                   help="tlast every BYTES (a multiple of 16), 0: one packet (default: %(default)s)")
    p.add_argument("--rate", type=float, default=d.rate, metavar="FRACTION",
                   help="device rate in bus beats per clock, in (0, 1] (default: %(default)s)")
    p.add_argument("--mem-base", type=_int, default=d.mem_base, metavar="ADDR",
                   help=f"bus (and CPU) address of the DMA memory, 4 KiB aligned (default: {d.mem_base:#x})")
    p.add_argument("--mem-size", type=_int, default=d.mem_size, metavar="BYTES",
                   help=f"size of the DMA memory, a multiple of 4096 up to 1 GiB (default: {d.mem_size:#x})")
    p.add_argument("--reg-base", type=_int, default=d.reg_base, metavar="ADDR",
                   help=f"CPU address of the 64 KiB register window, for Xil_In32/Xil_Out32 (default: {d.reg_base:#x})")
    p.add_argument("--clock-mhz", type=int, default=d.clock_mhz, metavar="MHZ",
                   help="engine clock, converts usleep and timeouts to clocks (default: %(default)s)")
    p.add_argument("--cache-cycles", type=int, default=d.cache_cycles, metavar="CLOCKS",
                   help="simulated time one cache flush or invalidate takes, >= 0 (default: %(default)s)")
    p.add_argument("--max-cycles", type=int, default=d.max_cycles, metavar="CLOCKS",
                   help="stop the driver when simulated time passes this, >= 1000 (default: %(default)s)")
    p.add_argument("--wall-timeout", type=float, default=d.wall_timeout, metavar="SECONDS",
                   help="stop C code that runs this long without a platform call (a loop in which no "
                        "simulated time passes) and report where it is (default: %(default)s)")
    p.add_argument("--waves", action="store_true", help="record an FST waveform (rtl backend; default: off)")
    p.add_argument("--out", default="build/c-driver", metavar="DIR",
                   help="directory for the library, the report and logs (default: %(default)s)")
    p.set_defaults(func=cmd_c_driver, parser=p)
    return p


_OPTION = {"sources": "--sources", "entry": "--entry", "stream_bytes": "--stream-bytes",
           "packet_bytes": "--packet-bytes", "rate": "--rate", "mem_base": "--mem-base", "mem_size": "--mem-size",
           "reg_base": "--reg-base", "clock_mhz": "--clock-mhz", "cache_cycles": "--cache-cycles",
           "max_cycles": "--max-cycles", "wall_timeout": "--wall-timeout"}


def config_from_args(args) -> CDriverConfig:
    """The run's settings from the options; OptionError naming the option and the value."""
    if args.waves and args.backend != "rtl":
        raise OptionError("--waves", "", "needs --backend rtl: the fast model records no waveform")
    try:
        cflags = shlex.split(args.cflags)
    except ValueError as e:
        raise OptionError("--cflags", repr(args.cflags), f"cannot be split into words: {e}") from None
    for inc in args.include:
        if not Path(inc).is_dir():
            raise OptionError("--include", inc, "is not a directory")
    cfg = CDriverConfig(sources=list(args.sources), entry=args.entry, backend=args.backend, sim=args.sim,
                        cflags=cflags, include=list(args.include), stream_bytes=args.stream_bytes,
                        packet_bytes=args.packet_bytes, rate=args.rate, mem_base=args.mem_base,
                        mem_size=args.mem_size, reg_base=args.reg_base, clock_mhz=args.clock_mhz,
                        cache_cycles=args.cache_cycles, max_cycles=args.max_cycles, wall_timeout=args.wall_timeout)
    try:
        cfg.check()
    except SettingError as e:
        raise OptionError(_OPTION.get(e.name, e.name), e.value, e.reason) from None
    return cfg


def rtl_runner() -> Callable[[CDriverConfig, Path, bool], dict[str, Any]]:
    """The RTL backend's C driver runner, found through its entry point."""
    from importlib import metadata

    from .cli import BACKEND_GROUP

    found = [ep for ep in metadata.entry_points(group=BACKEND_GROUP) if ep.name == ENTRY_POINT]
    if not found:
        raise SimulationError(f"--backend rtl: no package registers a {ENTRY_POINT!r} entry point in "
                              f"{BACKEND_GROUP!r}; install the project (pip install -e .)")
    return found[0].load()


def run(cfg: CDriverConfig, out: Path, waves: bool = False) -> dict[str, Any]:
    """Compile, run on the configured backend; the report (also written to out/report.json)."""
    compile_driver(cfg, out / "lib")
    t0 = time.time()
    rep = rtl_runner()(cfg, out, waves) if cfg.backend == "rtl" else run_on_model(cfg)
    rep["wall_s"] = round(time.time() - t0, 2)
    rep["config"] = cfg.to_json()
    (out / "report.json").write_text(json.dumps(rep, indent=2))
    return rep


def cmd_c_driver(args) -> int:
    cfg = config_from_args(args)
    out = check_out(args.out)
    try:
        rep = run(cfg, out, args.waves)
    except CompileError as e:
        sys.stderr.write(e.output if e.output.endswith("\n") or not e.output else e.output + "\n")
        raise
    print(summary(rep))
    print(f"  wrote {out / 'report.json'}")
    return 0 if rep["ok"] else 1
