"""The engine's register map and descriptor layout, as Python objects.

The one source is the SystemRDL file ``rtl/sgdma.rdl``; ``make regmap`` (``python -m
sgdma_driver.regmap_gen --write``) compiles it into ``regmap_data.py``, which this module
turns into the objects the driver model, the fast model and the cocotb testbenches use, and
from which it generates ``rtl/sgdma_defs.vh`` and the tables in ``docs/registers.md``.  A test
checks that every generated file is up to date.

PG021 (AXI DMA, scatter-gather mode) fixes the S2MM registers and the descriptor; everything
from 0x80 up is this project's extension.
"""
from __future__ import annotations

import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np

from . import regmap_data


@dataclass(frozen=True)
class Field:
    """A bit field of a register or a descriptor word."""

    name: str
    lsb: int
    width: int = 1
    access: str = "rw"  # rw, ro, w1c (write 1 to clear), sc (self-clearing), rsv
    reset: int = 0
    doc: str = ""

    @property
    def mask(self) -> int:
        return ((1 << self.width) - 1) << self.lsb

    @property
    def max(self) -> int:
        return (1 << self.width) - 1

    def get(self, word: int) -> int:
        return (word >> self.lsb) & self.max

    def put(self, value: int) -> int:
        """The word with this field set to ``value`` and every other bit zero."""
        if not 0 <= value <= self.max:
            raise ValueError(f"{self.name}: value {value} does not fit in {self.width} bits")
        return value << self.lsb

    def set(self, word: int, value: int) -> int:
        return (word & ~self.mask) | self.put(value)


@dataclass(frozen=True)
class Register:
    """A 32-bit register of the AXI4-Lite slave."""

    name: str
    offset: int
    access: str
    doc: str
    fields: tuple[Field, ...] = field(default_factory=tuple)

    @property
    def reset(self) -> int:
        value = 0
        for f in self.fields:
            value |= f.reset << f.lsb
        return value

    def __getattr__(self, item: str) -> Field:
        for f in self.fields:
            if f.name == item:
                return f
        raise AttributeError(f"register {self.name} has no field {item!r}")


def load(data: dict) -> None:
    """Build this module's register-map objects from ``data`` (the generated ``DATA``)."""
    g = globals()
    g["DATA"] = data
    regs = tuple(
        Register(name, offset, access, doc,
                 tuple(Field(n, lsb, w, access=a, reset=rst, doc=d) for n, lsb, w, a, rst, d in fields))
        for name, offset, access, doc, fields in data["registers"])
    g["REGISTERS"] = regs
    g["REG"] = reg = {r.name: r for r in regs}
    # Convenience names for the registers the driver uses most.
    for name in ("S2MM_DMACR", "S2MM_DMASR", "MM2S_DMACR", "MM2S_DMASR", "SGDMA_CONFIG",
                 "SGDMA_XCTRL", "SGDMA_XSTATUS"):
        g[name] = reg[name]
    # The channel each PG021 channel register belongs to ("mm2s" / "s2mm"); a build without the
    # channel reads those registers as 0.
    g["REG_CHANNEL"] = dict(data["reg_channels"])
    dmasr = reg["S2MM_DMASR"]
    g["DMASR_ERROR_BITS"] = tuple(f for f in dmasr.fields if f.name.endswith("_ERR"))
    g["DMASR_IRQ_BITS"] = (dmasr.IOC_IRQ, dmasr.DLY_IRQ, dmasr.ERR_IRQ)
    g["DELAY_UNIT"] = data["delay_unit"]
    # The free-running 64-bit counters (each a _LO/_HI register pair) and their word offsets.
    g["COUNTERS"] = counters = tuple(r.name[:-3] for r in regs if r.name.endswith("_LO"))
    g["COUNTER_OFFSETS"] = {n: (reg[n + "_LO"].offset, reg[n + "_HI"].offset) for n in counters}

    # The buffer descriptor (64-byte aligned, 64 bytes: PG021 aligns descriptors on their size)
    g["DESC_SIZE"] = g["DESC_ALIGN"] = data["desc_size"]
    dtype = np.dtype([(w, "<u4") if n == 1 else (w, "<u4", (n,)) for w, _, n in data["desc_words"]])
    g["DESC_DTYPE"] = dtype
    g["DESC_OFFSETS"] = offsets = {name: dtype.fields[name][1] for name in dtype.names}
    if dtype.itemsize != data["desc_size"] or any(offsets[w] != off for w, off, _ in data["desc_words"]):
        raise ValueError("descriptor words in rtl/sgdma.rdl are not contiguous 32-bit words")
    word = {k: tuple(Field(n, lsb, w, doc=d) for n, lsb, w, d in v) for k, v in data["desc_fields"].items()}
    g["CONTROL_FIELDS"], g["STATUS_FIELDS"] = word["CONTROL"], word["STATUS"]
    g["CONTROL"], g["STATUS"] = _Word(word["CONTROL"]), _Word(word["STATUS"])
    g["STATUS_ERROR_BITS"] = (g["STATUS"].DMA_INT_ERR, g["STATUS"].DMA_SLV_ERR, g["STATUS"].DMA_DEC_ERR)

    # Layouts of the entries one block of rtl/ hands another, most significant field first (a
    # width is a number or an expression of the RTL parameters LEN_WIDTH and ADDR_WIDTH), and
    # the codes they carry: what a fetch found (QUEUE_ENTRY.ERR) and what a completion entry
    # reports (CPL_ENTRY.KIND).
    g["QUEUE_ENTRY"] = tuple(tuple(x) for x in data["queue_entry"])
    g["CPL_ENTRY"] = tuple(tuple(x) for x in data["cpl_entry"])
    g["FETCH_ERRORS"] = dict(data["fetch_errors"])
    g["CPL_KINDS"] = dict(data["cpl_kinds"])


def reset_values(mm2s: bool = False, s2mm: bool = True) -> dict[str, int]:
    """Every register's reset value in a build with these channels (a register of a channel not
    built reads 0; SGDMA_CONFIG, which depends on the build, is given as its field resets)."""
    built = {"mm2s": mm2s, "s2mm": s2mm}
    return {r.name: (r.reset if built.get(REG_CHANNEL.get(r.name, ""), True) else 0) for r in REGISTERS}


class _Word:
    def __init__(self, fields: tuple[Field, ...]):
        self.fields = fields
        for f in fields:
            setattr(self, f.name, f)


load(regmap_data.DATA)


def descriptors(buffers: Sequence[tuple[int, int]], next_addrs: Sequence[int],
                frames: Sequence[tuple[bool, bool]] | None = None) -> np.ndarray:
    """The descriptor records (DESC_DTYPE) for ``buffers``, (buffer address, length) pairs as
    the engine sees them, each linked to its entry of ``next_addrs``; STATUS and APP words 0.
    ``frames`` gives each descriptor's (TXSOF, TXEOF) for the MM2S channel (default: neither).
    The one place a descriptor chain's words are composed: the driver model, the testbenches
    and the calibration program all write these records."""
    if len(buffers) != len(next_addrs):
        raise ValueError(f"{len(buffers)} buffers but {len(next_addrs)} next-descriptor addresses")
    recs = np.zeros(len(buffers), dtype=DESC_DTYPE)
    if not len(buffers):
        return recs
    addr = np.array([b for b, _ in buffers], dtype=np.uint64)
    length = np.array([n for _, n in buffers], dtype=np.uint64)
    nxt = np.array(next_addrs, dtype=np.uint64)
    lf = CONTROL.LENGTH
    if int(length.max()) > lf.max:
        raise ValueError(f"buffer length {int(length.max())} does not fit CONTROL.LENGTH ({lf.width} bits)")
    recs["nxtdesc"], recs["nxtdesc_msb"] = nxt & 0xFFFFFFFF, nxt >> np.uint64(32)
    recs["buffer_address"], recs["buffer_address_msb"] = addr & 0xFFFFFFFF, addr >> np.uint64(32)
    recs["control"] = length << np.uint64(lf.lsb)
    if frames is not None:
        if len(frames) != len(buffers):
            raise ValueError(f"{len(buffers)} buffers but {len(frames)} (TXSOF, TXEOF) pairs")
        flags = np.array([CONTROL.TXSOF.put(int(bool(sof))) | CONTROL.TXEOF.put(int(bool(eof)))
                          for sof, eof in frames], dtype=np.uint64)
        recs["control"] |= flags
    return recs


#: AXI response codes.
RESP_OKAY, RESP_EXOKAY, RESP_SLVERR, RESP_DECERR = 0, 1, 2, 3

# ---------------------------------------------------------------------------------------------
# Generators for the RTL header and the docs tables
# ---------------------------------------------------------------------------------------------
def _bus_macros(prefix: str, fields: tuple[tuple[str, str], ...]) -> list[str]:
    out, const, terms = [], 0, []

    def total() -> str:
        parts = terms + ([str(const)] if const or not terms else [])
        return parts[0] if len(parts) == 1 else "(" + " + ".join(parts) + ")"

    for name, width in reversed(fields):
        w = width if width.isdigit() else f"({width})"
        out.append(f"`define SGDMA_{prefix}_{name}_LSB {total()}")
        out.append(f"`define SGDMA_{prefix}_{name}_W {w}")
        if width.isdigit():
            const += int(width)
        else:
            terms.append(w)
    out.append(f"`define SGDMA_{prefix}_WIDTH {total()}")
    return out


_GEN_NOTE = "Generated by `make regmap` from rtl/sgdma.rdl; do not edit."


def verilog_header() -> str:
    out = [f"// {_GEN_NOTE}", "`ifndef SGDMA_DEFS_VH", "`define SGDMA_DEFS_VH", ""]
    out.append("// Register byte offsets (8-bit)")
    for r in REGISTERS:
        out.append(f"`define SGDMA_REG_{r.name} 8'h{r.offset:02X}")
    out.append("")
    out.append("// Register bit fields: _LSB and, for multi-bit fields, _W")
    for r in REGISTERS:
        for f in r.fields:
            if f.width == 32:
                continue
            out.append(f"`define SGDMA_{r.name}_{f.name} {f.lsb}")
            if f.width > 1:
                out.append(f"`define SGDMA_{r.name}_{f.name}_W {f.width}")
    out.append("")
    out.append("// Reset values")
    for r in REGISTERS:
        if r.name in ("S2MM_DMACR", "S2MM_DMASR", "MM2S_DMACR", "MM2S_DMASR", "SG_CTL", "SGDMA_ID"):
            out.append(f"`define SGDMA_RESET_{r.name} 32'h{r.reset:08X}")
    out.append(f"`define SGDMA_DELAY_UNIT {DELAY_UNIT}")
    out.append("")
    out.append("// Descriptor word offsets (bytes) and bits")
    for name, off in DESC_OFFSETS.items():
        out.append(f"`define SGDMA_DESC_{name.upper()} 8'h{off:02X}")
    for prefix, fields in (("CONTROL", CONTROL_FIELDS), ("STATUS", STATUS_FIELDS)):
        for f in fields:
            out.append(f"`define SGDMA_{prefix}_{f.name} {f.lsb}")
    out.append("")
    out.append("// Buses between the RTL blocks: field _LSB, _W and the entry's _WIDTH (in terms of the")
    out.append("// including module's LEN_WIDTH and ADDR_WIDTH parameters), and the codes they carry")
    out += _bus_macros("QUEUE", QUEUE_ENTRY) + _bus_macros("CPL", CPL_ENTRY)
    out += [f"`define SGDMA_FETCH_{k} 2'd{v}" for k, v in FETCH_ERRORS.items()]
    out += [f"`define SGDMA_KIND_{k} 3'd{v}" for k, v in CPL_KINDS.items()]
    out += ["", "`endif", ""]
    return "\n".join(out)


def markdown_tables() -> str:
    out = [f"<!-- {_GEN_NOTE} -->", "", "### Register map", "",
           "| offset | name | access | reset | description |", "|---|---|---|---|---|"]
    for r in REGISTERS:
        out.append(f"| 0x{r.offset:02X} | {r.name} | {r.access} | 0x{r.reset:08X} | {r.doc} |")
    for r in REGISTERS:
        if not r.fields or (len(r.fields) == 1 and r.fields[0].width == 32):
            continue
        out += ["", f"### {r.name} (0x{r.offset:02X}) fields", "",
                "| bits | field | access | reset | description |", "|---|---|---|---|---|"]
        for f in r.fields:
            bits = str(f.lsb) if f.width == 1 else f"{f.lsb + f.width - 1}:{f.lsb}"
            out.append(f"| {bits} | {f.name} | {f.access} | {f.reset:#x} | {f.doc} |")
    out += ["", "### Descriptor layout (64 bytes, 64-byte aligned)", "",
            "| offset | word |", "|---|---|"]
    for name, off in DESC_OFFSETS.items():
        out.append(f"| 0x{off:02X} | {name} |")
    for title, fields in (("CONTROL (0x18)", CONTROL_FIELDS), ("STATUS (0x1C)", STATUS_FIELDS)):
        out += ["", f"### Descriptor {title}", "", "| bits | field | description |", "|---|---|---|"]
        for f in fields:
            bits = str(f.lsb) if f.width == 1 else f"{f.lsb + f.width - 1}:{f.lsb}"
            out.append(f"| {bits} | {f.name} | {f.doc} |")
    out.append("")
    return "\n".join(out)


REPO = Path(__file__).resolve().parents[2]
HEADER_PATH = REPO / "rtl" / "sgdma_defs.vh"
DOC_PATH = REPO / "docs" / "registers.md"
DOC_BEGIN = "<!-- BEGIN GENERATED TABLES -->"
DOC_END = "<!-- END GENERATED TABLES -->"


def doc_with_tables(doc: str) -> str:
    """``doc`` with the text between the generated-table markers replaced by fresh tables."""
    head, sep1, rest = doc.partition(DOC_BEGIN)
    _, sep2, tail = rest.partition(DOC_END)
    if not (sep1 and sep2):
        raise ValueError(f"{DOC_PATH} lacks the markers {DOC_BEGIN} / {DOC_END}")
    return f"{head}{DOC_BEGIN}\n{markdown_tables()}{DOC_END}{tail}"


def main(argv: list[str] | None = None) -> int:
    """``--write`` regenerates every file from rtl/sgdma.rdl; without it print the header."""
    if argv is None:
        argv = sys.argv[1:]
    if "--write" in argv:
        from . import regmap_gen
        return regmap_gen.main(argv)
    sys.stdout.write(verilog_header())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
