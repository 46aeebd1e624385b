"""The options every `sgdma-sim` command shares: the scenario's options, their checks (all
in one place, before any simulator starts) and the progress bar.

Each Scenario field is an option of the same name (``buf_size`` is ``--buf-size``) whose
default is the field's default, so the scenario's defaults are decided in one place, the
Scenario dataclass.  A bad value raises OptionError naming the option and the value.
"""
from __future__ import annotations

import argparse
import os
import sys
from dataclasses import fields
from pathlib import Path
from typing import Callable

from sgdma_driver.regmap import DELAY_UNIT
from .acquisition import Scenario, ScenarioError


class OptionError(ValueError):
    """A bad option value, found before anything runs (reported argparse-style, exit 2)."""

    def __init__(self, option: str, value: object, reason: str):
        self.option, self.value, self.reason = option, value, reason
        super().__init__(f"argument {option}: {value} {reason}" if value != "" else f"argument {option}: {reason}")


def option_name(name: str) -> str:
    """The option of a Scenario field (``buf_size`` -> ``--buf-size``)."""
    return "--" + name.replace("_", "-")


def add_scenario_args(ap: argparse.ArgumentParser) -> None:
    from sgdma_driver.regmap import S2MM_DMACR

    d = Scenario()
    thr, dly = S2MM_DMACR.IRQ_THRESHOLD, S2MM_DMACR.IRQ_DELAY
    ap.add_argument("--buffers", type=int, default=d.buffers, metavar="N",
                    help="ring buffers, at least 2 (default: %(default)s)")
    ap.add_argument("--buf-size", type=int, default=d.buf_size, metavar="BYTES",
                    help="bytes per buffer, a positive multiple of 4096 (default: %(default)s)")
    ap.add_argument("--laps", type=float, default=d.laps, metavar="X",
                    help="how many times the stream fills the ring, > 0, fractions allowed (default: %(default)s)")
    ap.add_argument("--rate", type=float, default=d.rate, metavar="FRACTION",
                    help="device rate in bus beats per clock, in (0, 1]; 1.0 is the full bus (default: %(default)s)")
    ap.add_argument("--consumer", choices=["fast", "slow"], default=d.consumer,
                    help="application reader; slow reads 4x slower than the stream (default: %(default)s)")
    ap.add_argument("--policy", choices=["stall", "drop"], default=d.policy,
                    help="ring full: the engine stalls the stream, or drops and counts (default: %(default)s)")
    ap.add_argument("--mode", choices=["owned", "cyclic", "tail"], default=d.mode,
                    help="driver mode: cyclic with the ownership check, plain cyclic, or TAILDESC (default: %(default)s)")
    ap.add_argument("--irq-threshold", type=int, default=d.irq_threshold, metavar="N",
                    help=f"completed buffers per interrupt, {max(1, thr.reset)}..{thr.max} (default: %(default)s)")
    ap.add_argument("--irq-delay", type=int, default=d.irq_delay, metavar="UNITS",
                    help=f"interrupt delay timeout in units of {DELAY_UNIT} clocks, 0..{dly.max}; 0 = off "
                         "(default: %(default)s)")
    ap.add_argument("--strategy", choices=["eager", "lazy"], default=d.strategy,
                    help="user mapping: eager remap_pfn_range, or lazy fault-driven (default: %(default)s)")
    ap.add_argument("--kernel", default=d.kernel, metavar="VERSION",
                    help="kernel version whose mmap API the driver model uses, 2.6.32 or newer "
                         "(default: %(default)s)")
    ap.add_argument("--seed", type=int, default=d.seed, metavar="N",
                    help="allocator placement and interrupt jitter, >= 0 (default: %(default)s)")
    ap.add_argument("--irq-latency", type=int, default=d.irq_latency, metavar="CLOCKS",
                    help="clocks from the interrupt to the driver's service (mean), >= 0 (default: %(default)s)")
    ap.add_argument("--irq-jitter", choices=["fixed", "exp"], default=d.irq_jitter,
                    help="interrupt latency: always --irq-latency, or exponentially distributed around it "
                         "(default: %(default)s)")


def scenario_from_args(args) -> Scenario:
    sc = Scenario(buffers=args.buffers, buf_size=args.buf_size, laps=args.laps, rate=args.rate,
                  consumer=args.consumer, policy=args.policy, mode=args.mode,
                  irq_threshold=args.irq_threshold, irq_delay=args.irq_delay, strategy=args.strategy,
                  kernel=args.kernel, seed=args.seed, irq_latency=args.irq_latency,
                  irq_jitter=args.irq_jitter)
    check_scenario(sc, materialised=getattr(args, "backend", "model") == "rtl")
    return sc


def _fmt_bytes(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB"):
        if n < 1024 or unit == "TiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return ""  # unreachable


def _host_memory() -> int:
    return os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")


# A fast-model run streams at most this much (1 TiB: some 20 minutes of wall time at the model's
# speed); a larger figure is almost always a typing slip in --laps or --buf-size.
MAX_MODEL_STREAM = 1 << 40


def check_scenario(sc: Scenario, option: Callable[[str], str] = option_name,
                   materialised: bool = False) -> None:
    """Every constraint on a scenario, checked before anything runs; raises OptionError naming
    the option (``option(field)``) and the value.  The one place ``run`` and ``sweep`` validate.
    ``materialised``: the backend needs the whole stream as bytes (the RTL backend does; the
    fast model generates it buffer by buffer)."""
    def bad(name: str, reason: str) -> OptionError:
        return OptionError(option(name), getattr(sc, name), reason)

    try:
        sc.validate()
    except ScenarioError as e:
        raise bad(e.field, e.reason) from None
    _check_sizes(sc, bad, materialised)


def _check_sizes(sc: Scenario, bad: Callable[[str, str], OptionError], materialised: bool) -> None:
    from sgdma_driver.iommu import Iommu
    from sgdma_driver.regmap import DESC_SIZE

    # The ring and its descriptors must fit the 32-bit engine's DMA window behind the IOMMU
    # (every mapping is followed by one guard page; buffers longer than the 26-bit length field
    # take several descriptors, 64 per descriptor page).
    page = 4096
    window = (1 << 32) - next(f.default for f in fields(Iommu) if f.name == "iova_base")
    ring = sc.buffers * sc.buf_size
    descs = sc.buffers * -(-sc.buf_size // ((1 << 26) - 1))
    need = ring + sc.buffers * page + 2 * page * -(-descs * DESC_SIZE // page)
    if need > window:
        d = Scenario()
        name = "buffers" if sc.buffers != d.buffers and sc.buf_size == d.buf_size else "buf_size"
        raise bad(name, f"is too large: a ring of {sc.buffers} x {sc.buf_size} bytes ({_fmt_bytes(ring)}) does "
                        f"not fit the 32-bit engine's {_fmt_bytes(window)} DMA window")
    if sc.total_bytes < 16:
        raise bad("laps", f"is too small: {sc.laps} x {_fmt_bytes(ring)} is less than one 16-byte beat")
    # The ring lives in host memory; the RTL backend also holds the device's whole stream as
    # bytes (twice, while it converts), the fast model generates it buffer by buffer.
    too_large = "laps" if sc.laps > 1 else "buf_size"
    if not materialised and sc.total_bytes > MAX_MODEL_STREAM:
        raise bad(too_large, f"is too large: {sc.laps:g} laps of a {_fmt_bytes(ring)} ring stream "
                             f"{_fmt_bytes(sc.total_bytes)}; one run streams at most {_fmt_bytes(MAX_MODEL_STREAM)}")
    host = _host_memory()
    need_host = ring + (2 * sc.total_bytes if materialised else 0)
    if need_host > host:
        raise bad(too_large, f"is too large: {sc.laps:g} laps of a {_fmt_bytes(ring)} ring need about "
                             f"{_fmt_bytes(need_host)} of host memory, this machine has {_fmt_bytes(host)}")


def check_out(value: str) -> Path:
    """--out: create the directory now, so that a bad path fails before any simulation."""
    out = Path(value).expanduser().resolve()
    for parent in [out, *out.parents]:
        if parent.exists() and not parent.is_dir():
            raise OptionError("--out", value, f"is not a directory: {parent} is a file")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise OptionError("--out", value, f"cannot be created: {e.strerror or e}") from None
    if not os.access(out, os.W_OK | os.X_OK):
        raise OptionError("--out", value, "is not writable")
    return out


def progress_bar(total: int, desc: str):
    from tqdm import tqdm

    return tqdm(total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024,
                file=sys.stderr, dynamic_ncols=True)
