"""Logic levels of every path of a synthesized ECP5 netlist (yosys ``synth_ecp5`` JSON).

nextpnr reports one critical path per run, and which one it is changes with the placement
seed.  This counts the levels of every register-to-register, port-to-register and
register-to-port path of the netlist itself, with the rule the pnr benchmark uses along
nextpnr's path: a LUT4 is one level; a slice mux (PFUMX, L6MUX21) fed by its LUTs adds none (a
LUT with its muxes is one level) but one entered by its select is a level; a carry chain
(CCU2C) is one level wherever it is entered, and continuing along the chain (CIN) adds none; the
read port of a LUT RAM is a level.  Flip-flops, block RAMs, multipliers and ports are where
paths start and end.
"""
from __future__ import annotations

import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

#: cell type -> {input pin group: levels added}; a cell type not listed is a path boundary
RULES: dict[str, tuple[tuple[tuple[str, ...], int], ...]] = {
    "LUT4": ((("A", "B", "C", "D"), 1),),
    "PFUMX": ((("ALUT", "BLUT"), 0), (("C0",), 1)),
    "L6MUX21": ((("D0", "D1"), 0), (("SD",), 1)),
    "CCU2C": ((("A0", "B0", "C0", "D0", "A1", "B1", "C1", "D1"), 1), (("CIN",), 0)),
    "TRELLIS_DPR16X4": ((("RAD",), 1),),
}
#: endpoint pins of the boundary cells
ENDPOINT_PINS = {"TRELLIS_FF": ("DI", "CE", "LSR", "M"), "TRELLIS_DPR16X4": ("DI", "WAD", "WRE")}


@dataclass(frozen=True)
class Endpoint:
    """Where paths end: a register (by the name of the signal it holds) and its pin, or a port."""
    name: str
    pin: str
    levels: int


def _names(module: dict) -> dict[int, str]:
    """bit -> the most readable net name holding it (fewest generated parts)."""
    best: dict[int, str] = {}
    for name, net in module["netnames"].items():
        for bit in net["bits"]:
            if isinstance(bit, int) and (bit not in best or name.count("$") < best[bit].count("$")
                                         or (name.count("$") == best[bit].count("$") and len(name) < len(best[bit]))):
                best[bit] = name
    return best


class Levels:
    """The levels of every bit of one module of a yosys JSON netlist."""

    def __init__(self, netlist: dict, top: str):
        if top not in netlist.get("modules", {}):
            raise ValueError(f"module {top!r} is not in the netlist")
        self.module = netlist["modules"][top]
        self.cells = self.module["cells"]
        self.driver: dict[int, str] = {}
        for name, cell in self.cells.items():
            for pin, direction in cell["port_directions"].items():
                if direction == "output":
                    for bit in cell["connections"][pin]:
                        if isinstance(bit, int):
                            self.driver[bit] = name
        self.memo: dict[int, int] = {}

    def of(self, bit: int | str) -> int:
        """Levels of logic between the nearest path starts and `bit` (iterative depth-first)."""
        if not isinstance(bit, int):
            return 0
        stack = [bit]
        while stack:
            b = stack[-1]
            if b in self.memo:
                stack.pop()
                continue
            cell = self.cells.get(self.driver.get(b, ""))
            rules = RULES.get(cell["type"]) if cell else None
            if rules is None:
                self.memo[b] = 0
                stack.pop()
                continue
            pending = [i for pins, _ in rules for p in pins for i in cell["connections"].get(p, [])
                       if isinstance(i, int) and i not in self.memo]
            if pending:
                stack.extend(pending)
                continue
            self.memo[b] = max((self.memo[i] + add if isinstance(i, int) else add)
                               for pins, add in rules for p in pins for i in cell["connections"].get(p, []))
            stack.pop()
        return self.memo[bit]


def _register_name(cell_name: str, q_name: str) -> str:
    name = q_name if not q_name.startswith("$") else cell_name
    return re.sub(r"(_TRELLIS_FF_Q(_\d+)?|\[\d+\])$", "", name)


def endpoints(netlist: dict, top: str) -> list[Endpoint]:
    """Every endpoint pin of the module with the levels of its deepest path, deepest first."""
    lv = Levels(netlist, top)
    names = _names(lv.module)
    found: list[Endpoint] = []
    for cname, cell in lv.cells.items():
        pins = ENDPOINT_PINS.get(cell["type"], ())
        q = cell["connections"].get("Q", [None])[0]
        reg = _register_name(cname, names.get(q, cname) if isinstance(q, int) else cname)
        for pin in pins:
            bits = cell["connections"].get(pin, [])
            if bits:
                found.append(Endpoint(reg, pin, max(lv.of(b) for b in bits)))
    for pname, port in lv.module["ports"].items():
        if port["direction"] == "output":
            found.append(Endpoint(pname, "port", max((lv.of(b) for b in port["bits"]), default=0)))
    return sorted(found, key=lambda e: (-e.levels, e.name, e.pin))


def summary(netlist_path: Path, top: str, worst: int = 8) -> dict:
    """The deepest path's levels, how many endpoint pins have each depth, and the deepest
    endpoints by register (each register once)."""
    ends = endpoints(json.loads(netlist_path.read_text()), top)
    hist = Counter(e.levels for e in ends)
    seen: dict[str, Endpoint] = {}
    for e in ends:
        seen.setdefault(e.name, e)
    deepest = sorted(seen.values(), key=lambda e: (-e.levels, e.name))[:worst]
    return {"max": ends[0].levels if ends else 0,
            "endpoints_by_levels": {str(k): hist[k] for k in sorted(hist)},
            "deepest": [{"register": e.name, "pin": e.pin, "levels": e.levels} for e in deepest]}
