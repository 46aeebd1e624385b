"""The one definition of the engine's register map and descriptor layout.

Everything that needs an offset, a bit position or the descriptor layout takes it from here:
the driver model, the fast model, the cocotb testbenches, the generated Verilog header
``rtl/sgdma_defs.vh`` and the generated tables in ``docs/registers.md``.  A test checks that
both generated files are up to date (``python -m sgdma_driver.regmap --write`` rewrites them).

PG021 (AXI DMA, scatter-gather mode) fixes the S2MM registers and the descriptor; everything
from 0x80 up is this project's extension.
"""
from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import numpy as np


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


def _ctrl_fields() -> tuple[Field, ...]:
    return (
        Field("RS", 0, doc="Run/stop. 1 runs the channel; 0 halts it once outstanding bursts finish."),
        Field("RESET", 2, access="sc", doc="Soft reset of the whole engine; reads 1 until the reset is done."),
        Field("KEYHOLE", 3, access="ro", doc="Keyhole writes: not supported by S2MM here, reads 0."),
        Field("CYCLIC_BD_EN", 4, doc="Cyclic mode: follow NXTDESC forever, ignore TAILDESC and Cmplt."),
        Field("IOC_IRQ_EN", 12, doc="Enable the completion (threshold) interrupt."),
        Field("DLY_IRQ_EN", 13, doc="Enable the delay-timer interrupt."),
        Field("ERR_IRQ_EN", 14, doc="Enable the error interrupt."),
        Field("IRQ_THRESHOLD", 16, 8, reset=1, doc="Completions per IOC interrupt (0 is taken as 1)."),
        Field("IRQ_DELAY", 24, 8, doc="Delay-timer timeout in units of DELAY_UNIT clocks (0 = off)."),
    )


def _stat_fields() -> tuple[Field, ...]:
    return (
        Field("HALTED", 0, access="ro", reset=1, doc="Channel halted (after reset, RS=0 or an error)."),
        Field("IDLE", 1, access="ro", doc="Running, TAILDESC reached, nothing in flight (tail mode)."),
        Field("SG_INCLD", 3, access="ro", reset=1, doc="Scatter-gather engine built in (always 1)."),
        Field("DMA_INT_ERR", 4, access="ro", doc="Internal error: zero-length descriptor."),
        Field("DMA_SLV_ERR", 5, access="ro", doc="SLVERR on a data write."),
        Field("DMA_DEC_ERR", 6, access="ro", doc="DECERR on a data write."),
        Field("SG_INT_ERR", 8, access="ro", doc="Descriptor fetched with Cmplt already set (not cyclic)."),
        Field("SG_SLV_ERR", 9, access="ro", doc="SLVERR on descriptor fetch or status write-back."),
        Field("SG_DEC_ERR", 10, access="ro", doc="DECERR on descriptor fetch or status write-back."),
        Field("IOC_IRQ", 12, access="w1c", doc="IRQ_THRESHOLD completions since the last IOC interrupt."),
        Field("DLY_IRQ", 13, access="w1c", doc="Delay timer expired with completions pending."),
        Field("ERR_IRQ", 14, access="w1c", doc="An error halted the channel."),
        Field("IRQ_THRESHOLD_STS", 16, 8, access="ro", reset=1, doc="Live coalescing counter (completions still needed)."),
        Field("IRQ_DELAY_STS", 24, 8, access="ro", doc="Live delay counter, in DELAY_UNIT clocks."),
    )


def _lohi(name: str, offset: int, doc: str) -> tuple[Register, Register]:
    return (
        Register(f"{name}_LO", offset, "ro", doc + " Bits 31:0; reading this word latches the high word.",
                 (Field("VALUE", 0, 32, access="ro"),)),
        Register(f"{name}_HI", offset + 4, "ro", doc + " Bits 63:32, as latched by the last read of the low word.",
                 (Field("VALUE", 0, 32, access="ro"),)),
    )


REGISTERS: tuple[Register, ...] = (
    Register("MM2S_DMACR", 0x00, "ro", "MM2S control: channel not built, reads 0."),
    Register("MM2S_DMASR", 0x04, "ro", "MM2S status: channel not built, reads 0."),
    Register("MM2S_CURDESC", 0x08, "ro", "MM2S: not built, reads 0."),
    Register("MM2S_CURDESC_MSB", 0x0C, "ro", "MM2S: not built, reads 0."),
    Register("MM2S_TAILDESC", 0x10, "ro", "MM2S: not built, reads 0."),
    Register("MM2S_TAILDESC_MSB", 0x14, "ro", "MM2S: not built, reads 0."),
    Register("SG_CTL", 0x2C, "rw", "Cache and user signals for the m_axi_sg port.", (
        Field("SG_CACHE", 0, 4, reset=0b0011, doc="Drives m_axi_sg_arcache and m_axi_sg_awcache."),
        Field("SG_USER", 8, 4, doc="Stored; the port has no user signals."),
    )),
    Register("S2MM_DMACR", 0x30, "rw", "S2MM channel control.", _ctrl_fields()),
    Register("S2MM_DMASR", 0x34, "rw", "S2MM channel status.", _stat_fields()),
    Register("S2MM_CURDESC", 0x38, "rw",
             "First descriptor (write while halted); reads the descriptor in progress or the one that faulted.",
             (Field("ADDR", 0, 32, doc="Descriptor address bits 31:0; bits 5:0 read 0."),)),
    Register("S2MM_CURDESC_MSB", 0x3C, "rw", "CURDESC bits 63:32 (reads 0 with 32-bit addresses).",
             (Field("ADDR", 0, 32),)),
    Register("S2MM_TAILDESC", 0x40, "rw",
             "Last descriptor to process. With 32-bit addresses writing it is the doorbell (starts or resumes "
             "fetching); with 64-bit addresses the write only latches bits 31:0.",
             (Field("ADDR", 0, 32, doc="Descriptor address bits 31:0; bits 5:0 read 0."),)),
    Register("S2MM_TAILDESC_MSB", 0x44, "rw",
             "TAILDESC bits 63:32; with 64-bit addresses write it after TAILDESC: this write is the doorbell. "
             "Reads 0 and rings nothing with 32-bit addresses.",
             (Field("ADDR", 0, 32),)),
    Register("SGDMA_ID", 0x80, "ro", "Extension: identification.", (
        Field("MINOR", 0, 8, access="ro", reset=0),
        Field("MAJOR", 8, 8, access="ro", reset=1),
        Field("MAGIC", 16, 16, access="ro", reset=0x5347, doc="0x5347, 'SG'."),
    )),
    Register("SGDMA_CONFIG", 0x84, "ro", "Extension: build parameters (reset value depends on them).", (
        Field("DATA_BYTES_LOG2", 0, 3, access="ro", doc="log2 of the data-bus width in bytes."),
        Field("ADDR64", 3, 1, access="ro", doc="1 when ADDR_WIDTH is 64."),
        Field("MAX_BURST_LEN", 4, 9, access="ro", doc="Longest write burst in beats (1-256)."),
        Field("MAX_OUTSTANDING", 13, 5, access="ro", doc="Data write bursts in flight (1-16)."),
        Field("LEN_WIDTH", 18, 5, access="ro", doc="Width of the descriptor length field (8-26)."),
        Field("MM2S", 23, 1, access="ro", doc="MM2S channel built (0)."),
    )),
    Register("SGDMA_XCTRL", 0x88, "rw", "Extension: ring-full policy and ownership check.", (
        Field("POLICY_DROP", 0, doc="Ring full: 0 = STALL (tready low), 1 = DROP (discard and count)."),
        Field("OWNERSHIP", 1, doc="Cyclic mode: a fetched descriptor with Cmplt=1 is still owned by software; wait for it."),
        Field("OVR_IRQ_EN", 2, doc="Enable the overrun interrupt."),
        Field("POS_WRITEBACK", 3, doc="At write-back also write APP0 = stream position of the buffer's first byte "
                                      "(bytes received before it, written or dropped; low 32 bits)."),
    )),
    Register("SGDMA_XSTATUS", 0x8C, "rw", "Extension: ring-full and overrun status.", (
        Field("OVR_IRQ", 0, access="w1c", doc="An overrun began (first dropped beat since a descriptor was last taken)."),
        Field("RING_FULL", 1, access="ro", doc="Live: the engine has no descriptor it may use."),
        Field("DROPPING", 2, access="ro", doc="Live: incoming data is being discarded."),
    )),
    *_lohi("COMPLETED", 0x90, "Extension: descriptors completed (free-running)."),
    *_lohi("BYTES_WRITTEN", 0x98, "Extension: bytes written to completed descriptors (free-running)."),
    *_lohi("DROPPED_BYTES", 0xA0, "Extension: stream bytes discarded under the DROP policy (free-running)."),
    *_lohi("DROPPED_PACKETS", 0xA8, "Extension: packets with at least one discarded byte (free-running)."),
)

REG: dict[str, Register] = {r.name: r for r in REGISTERS}

# Convenience names for the registers the driver uses most.
S2MM_DMACR = REG["S2MM_DMACR"]
S2MM_DMASR = REG["S2MM_DMASR"]
SGDMA_CONFIG = REG["SGDMA_CONFIG"]
SGDMA_XCTRL = REG["SGDMA_XCTRL"]
SGDMA_XSTATUS = REG["SGDMA_XSTATUS"]

DMASR_ERROR_BITS: tuple[Field, ...] = tuple(
    f for f in S2MM_DMASR.fields if f.name.endswith("_ERR")
)
DMASR_IRQ_BITS: tuple[Field, ...] = (S2MM_DMASR.IOC_IRQ, S2MM_DMASR.DLY_IRQ, S2MM_DMASR.ERR_IRQ)

#: Clocks per IRQ_DELAY unit (PG034 gives the delay period as 125 x value x SG clocks).
DELAY_UNIT = 125

#: The free-running 64-bit counters (each a _LO/_HI register pair) and their word offsets.
COUNTERS: tuple[str, ...] = ("COMPLETED", "BYTES_WRITTEN", "DROPPED_BYTES", "DROPPED_PACKETS")
COUNTER_OFFSETS: dict[str, tuple[int, int]] = {n: (REG[n + "_LO"].offset, REG[n + "_HI"].offset) for n in COUNTERS}

# ---------------------------------------------------------------------------------------------
# The buffer descriptor (64-byte aligned, 64 bytes)
# ---------------------------------------------------------------------------------------------
DESC_ALIGN = 64
DESC_SIZE = 64

DESC_DTYPE = np.dtype([
    ("nxtdesc", "<u4"),
    ("nxtdesc_msb", "<u4"),
    ("buffer_address", "<u4"),
    ("buffer_address_msb", "<u4"),
    ("reserved", "<u4", (2,)),
    ("control", "<u4"),
    ("status", "<u4"),
    ("app", "<u4", (5,)),
    ("pad", "<u4", (3,)),
])
assert DESC_DTYPE.itemsize == DESC_SIZE

DESC_OFFSETS: dict[str, int] = {name: DESC_DTYPE.fields[name][1] for name in DESC_DTYPE.names}

CONTROL_FIELDS: tuple[Field, ...] = (
    Field("LENGTH", 0, 26, doc="Buffer length in bytes (only LEN_WIDTH low bits are used)."),
    Field("TXEOF", 26, doc="MM2S end of frame (ignored by S2MM)."),
    Field("TXSOF", 27, doc="MM2S start of frame (ignored by S2MM)."),
)
STATUS_FIELDS: tuple[Field, ...] = (
    Field("LENGTH", 0, 26, doc="Bytes written to this buffer."),
    Field("RXEOF", 26, doc="The packet (tlast) ended in this buffer."),
    Field("RXSOF", 27, doc="A packet started at this buffer's first byte."),
    Field("DMA_INT_ERR", 28, doc="Internal error (zero length)."),
    Field("DMA_SLV_ERR", 29, doc="SLVERR writing this buffer."),
    Field("DMA_DEC_ERR", 30, doc="DECERR writing this buffer."),
    Field("CMPLT", 31, doc="Completed. Software clears it to hand the descriptor back."),
)


class _Word:
    def __init__(self, fields: tuple[Field, ...]):
        self.fields = fields
        for f in fields:
            setattr(self, f.name, f)


CONTROL = _Word(CONTROL_FIELDS)
STATUS = _Word(STATUS_FIELDS)


def descriptors(buffers: Sequence[tuple[int, int]], next_addrs: Sequence[int]) -> np.ndarray:
    """The descriptor records (DESC_DTYPE) for ``buffers``, (buffer address, length) pairs as
    the engine sees them, each linked to its entry of ``next_addrs``; STATUS and APP words 0.
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
    return recs
STATUS_ERROR_BITS = (STATUS.DMA_INT_ERR, STATUS.DMA_SLV_ERR, STATUS.DMA_DEC_ERR)

#: AXI response codes.
RESP_OKAY, RESP_EXOKAY, RESP_SLVERR, RESP_DECERR = 0, 1, 2, 3

# ---------------------------------------------------------------------------------------------
# Generators for the RTL header and the docs tables
# ---------------------------------------------------------------------------------------------
# ---------------------------------------------------------------- buses between the RTL blocks
# Layouts of the entries one block of rtl/ hands another, most significant field first.  A
# width is a number or an expression of the RTL parameters LEN_WIDTH and ADDR_WIDTH; the
# generated header gives each field's _LSB and _W and the entry's _WIDTH.

#: Descriptor queue entry, fetcher -> mover
QUEUE_ENTRY: tuple[tuple[str, str], ...] = (
    ("ERR", "2"),                  # FETCH_ERRORS
    ("LEN", "LEN_WIDTH"),          # CONTROL.LENGTH
    ("BUF", "ADDR_WIDTH"),         # BUFFER_ADDRESS
    ("DESC", "ADDR_WIDTH-6"),      # the descriptor's address, bits ADDR_WIDTH-1:6
)
#: Completion entry, mover -> status writer
CPL_ENTRY: tuple[tuple[str, str], ...] = (
    ("KIND", "3"),                 # CPL_KINDS
    ("SEQ", "8"),                  # number of the descriptor's last data burst (mod 256)
    ("SOF", "1"),                  # STATUS.RXSOF
    ("EOF", "1"),                  # STATUS.RXEOF
    ("LEN", "LEN_WIDTH"),          # bytes transferred
    ("DESC", "ADDR_WIDTH-6"),      # the descriptor's address, bits ADDR_WIDTH-1:6
    ("POS", "32"),                 # stream position of the buffer's first byte (APP0)
)
#: What a fetch found (QUEUE_ENTRY.ERR)
FETCH_ERRORS = {"NONE": 0, "SGINT": 1, "SGSLV": 2, "SGDEC": 3}
#: What a completion entry reports (CPL_ENTRY.KIND): written back (NORMAL, INT: a zero-length
#: descriptor), dropped (PARTIAL: abandoned by a halt), or raised (the fetch errors)
CPL_KINDS = {"NORMAL": 0, "PARTIAL": 1, "INT": 2, "SGINT": 3, "SGSLV": 4, "SGDEC": 5}


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


_GEN_NOTE = "Generated by `python -m sgdma_driver.regmap --write` from driver-model/sgdma_driver/regmap.py; do not edit."


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
        if r.name in ("S2MM_DMACR", "S2MM_DMASR", "SG_CTL", "SGDMA_ID"):
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
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--write", action="store_true", help="rewrite rtl/sgdma_defs.vh and docs/registers.md tables")
    args = ap.parse_args(argv)
    if not args.write:
        sys.stdout.write(verilog_header())
        return 0
    HEADER_PATH.write_text(verilog_header())
    DOC_PATH.write_text(doc_with_tables(DOC_PATH.read_text()))
    print(f"wrote {HEADER_PATH} and {DOC_PATH}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
