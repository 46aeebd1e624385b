"""Functional coverage of the engine, with cocotb-coverage coverpoints and crosses.

Four covergroups, sampled by the testbenches with one call each:

- ``sgdma.buffer``: every completed buffer of the regression, by length class x start
  alignment (to the stream beat) x backpressure x mode; the cross has 5 x 2 x 2 x 2 = 40 bins.
- ``sgdma.error``: every injected error (regression and fault campaign), by error kind x
  backpressure x mode; the cross has 6 x 2 x 2 = 24 bins.
- ``sgdma.mm2s.buffer``: every completed MM2S buffer (regression and MM2S fault campaign), by
  length class x its place in the packet (a packet of one buffer, or the first, a middle or the
  last buffer of a packet spanning several: TXSOF/TXEOF) x mode; the cross has 5 x 4 x 2 = 40
  bins.  Coverpoints of their own (not crossed): start alignment, and backpressure
  (none, TREADY only, read channel only, both).
- ``sgdma.mm2s.error``: every MM2S fault (regression and MM2S fault campaign): SLVERR/DECERR
  on a data read or a descriptor fetch, a zero-length descriptor, Cmplt set at the fetch, and
  the malformed descriptors the engine takes as they are (length bits above LEN_WIDTH,
  NXTDESC not 64-byte aligned), by kind x backpressure; 8 x 2 = 16 bins.  Coverpoint of its
  own: mode.

In a simulation the database is exported when the simulator process ends, as
``functional_coverage.xml`` in the process's working directory (the cocotb test directory),
with every bin, hit or not.  ``make coverage`` merges those files across tests and seeds with
cocotb-coverage's ``merge_coverage`` (see sgdma_verif.coverage) and counts the cross bins of
the merged database.
"""
from __future__ import annotations

import atexit
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

import cocotb
from cocotb_coverage.coverage import CoverCross, CoverPoint, coverage_db, merge_coverage

from sgdma_driver import regmap as rm

LENGTHS = ("1B", "sub_beat", "sub_256B", "sub_4KiB", "up_to_64KiB")
ALIGNMENTS = ("aligned", "unaligned")
BACKPRESSURE = ("backpressure", "smooth")
MODES = ("tail", "cyclic")
ERRORS = ("data_slv", "data_dec", "fetch_slv", "fetch_dec", "status_slv", "status_dec")
ROLES = ("single", "first", "middle", "last")
MM2S_BACKPRESSURE = ("none", "tready", "read", "both")
MM2S_ERRORS = ("data_slv", "data_dec", "fetch_slv", "fetch_dec", "zero_len", "sg_int", "len_wrap", "nxt_misaligned")
EXPORT_NAME = "functional_coverage.xml"
CROSSES = ("sgdma.buffer.cross", "sgdma.error.cross", "sgdma.mm2s.buffer.cross", "sgdma.mm2s.error.cross")


def length_class(n: int, beat_bytes: int) -> str:
    """The length bin of an ``n``-byte buffer on a stream of ``beat_bytes`` bytes per beat."""
    if n < 1:
        raise ValueError(f"buffer length {n} is not a positive number of bytes")
    if n == 1:
        return "1B"
    if n < beat_bytes:
        return "sub_beat"
    if n < 256:
        return "sub_256B"
    if n < 4096:
        return "sub_4KiB"
    return "up_to_64KiB"


def _bp(backpressure: bool) -> str:
    return "backpressure" if backpressure else "smooth"


def _mode(cyclic: bool) -> str:
    return "cyclic" if cyclic else "tail"


@CoverPoint("sgdma.buffer.length", xf=lambda n, addr, db, bp, cyc: length_class(n, db), bins=list(LENGTHS))
@CoverPoint("sgdma.buffer.alignment", xf=lambda n, addr, db, bp, cyc: ALIGNMENTS[addr % db != 0],
            bins=list(ALIGNMENTS))
@CoverPoint("sgdma.buffer.backpressure", xf=lambda n, addr, db, bp, cyc: _bp(bp), bins=list(BACKPRESSURE))
@CoverPoint("sgdma.buffer.mode", xf=lambda n, addr, db, bp, cyc: _mode(cyc), bins=list(MODES))
@CoverCross("sgdma.buffer.cross", items=["sgdma.buffer.length", "sgdma.buffer.alignment",
                                         "sgdma.buffer.backpressure", "sgdma.buffer.mode"])
def _buffer(n: int, addr: int, db: int, bp: bool, cyc: bool) -> None:
    pass


@CoverPoint("sgdma.error.kind", xf=lambda kind, bp, cyc: kind, bins=list(ERRORS))
@CoverPoint("sgdma.error.backpressure", xf=lambda kind, bp, cyc: _bp(bp), bins=list(BACKPRESSURE))
@CoverPoint("sgdma.error.mode", xf=lambda kind, bp, cyc: _mode(cyc), bins=list(MODES))
@CoverCross("sgdma.error.cross", items=["sgdma.error.kind", "sgdma.error.backpressure", "sgdma.error.mode"])
def _error(kind: str, bp: bool, cyc: bool) -> None:
    pass


@CoverPoint("sgdma.mm2s.buffer.length", xf=lambda n, addr, db, role, bp, cyc: length_class(n, db), bins=list(LENGTHS))
@CoverPoint("sgdma.mm2s.buffer.role", xf=lambda n, addr, db, role, bp, cyc: role, bins=list(ROLES))
@CoverPoint("sgdma.mm2s.buffer.mode", xf=lambda n, addr, db, role, bp, cyc: _mode(cyc), bins=list(MODES))
@CoverPoint("sgdma.mm2s.buffer.alignment", xf=lambda n, addr, db, role, bp, cyc: ALIGNMENTS[addr % db != 0],
            bins=list(ALIGNMENTS))
@CoverPoint("sgdma.mm2s.buffer.backpressure", xf=lambda n, addr, db, role, bp, cyc: bp, bins=list(MM2S_BACKPRESSURE))
@CoverCross("sgdma.mm2s.buffer.cross", items=["sgdma.mm2s.buffer.length", "sgdma.mm2s.buffer.role",
                                              "sgdma.mm2s.buffer.mode"])
def _mm2s_buffer(n: int, addr: int, db: int, role: str, bp: str, cyc: bool) -> None:
    pass


@CoverPoint("sgdma.mm2s.error.kind", xf=lambda kind, bp, cyc: kind, bins=list(MM2S_ERRORS))
@CoverPoint("sgdma.mm2s.error.backpressure", xf=lambda kind, bp, cyc: _bp(bp), bins=list(BACKPRESSURE))
@CoverPoint("sgdma.mm2s.error.mode", xf=lambda kind, bp, cyc: _mode(cyc), bins=list(MODES))
@CoverCross("sgdma.mm2s.error.cross", items=["sgdma.mm2s.error.kind", "sgdma.mm2s.error.backpressure"])
def _mm2s_error(kind: str, bp: bool, cyc: bool) -> None:
    pass


def role(sof_prev_eof: bool, eof: bool) -> str:
    """A buffer's place in its packet: ``sof_prev_eof`` = the buffer before it ended a packet
    (or there is none), ``eof`` = it has TXEOF."""
    return {(True, True): "single", (True, False): "first", (False, False): "middle", (False, True): "last"}[
        (sof_prev_eof, eof)]


def mm2s_backpressure(tready: bool, read: bool) -> str:
    return MM2S_BACKPRESSURE[int(tready) + 2 * int(read)]


def sample_mm2s_buffer(length: int, addr: int, beat_bytes: int, place: str, backpressure: str,
                       cyclic: bool) -> list[str]:
    """Sample one completed MM2S buffer; returns its bin as ["mm2s", length class, place, mode,
    alignment, backpressure]."""
    if place not in ROLES or backpressure not in MM2S_BACKPRESSURE:
        raise ValueError(f"MM2S buffer place {place!r} / backpressure {backpressure!r} not in {ROLES} / "
                         f"{MM2S_BACKPRESSURE}")
    _mm2s_buffer(length, addr, beat_bytes, place, backpressure, cyclic)
    return ["mm2s", length_class(length, beat_bytes), place, _mode(cyclic), ALIGNMENTS[addr % beat_bytes != 0],
            backpressure]


def sample_mm2s_error(kind: str, backpressure: bool, cyclic: bool) -> list[str]:
    """Sample one MM2S fault of ``kind`` (one of MM2S_ERRORS); returns ["mm2s_error", kind,
    backpressure, mode]."""
    if kind not in MM2S_ERRORS:
        raise ValueError(f"MM2S fault kind {kind!r} is not one of {MM2S_ERRORS}")
    _mm2s_error(kind, backpressure, cyclic)
    return ["mm2s_error", kind, _bp(backpressure), _mode(cyclic)]


def sample_mm2s(run) -> list[list[str]]:
    """Sample a finished MM2S run (sgdma_verif.mm2s_traffic.Mm2sRun): each buffer it completed
    (its first lap in cyclic mode) and its fault; the bins, as the sample functions return them."""
    s, out = run.spec, []
    db = run.tb.bytes_per_beat
    done = min(len(run.tb.mm2s_writebacks), len(run.descs))
    bp = mm2s_backpressure(s.sink_duty > 0, s.ar_duty > 0 or s.r_duty > 0 or s.latency > 0)
    prev_eof = True
    for i in range(len(run.descs)):
        eof = s.frames[i][1]
        if i < done and i < len(run.writebacks) and rm.STATUS.CMPLT.get(run.writebacks[i][1]):
            out.append(sample_mm2s_buffer(s.lengths[i], run.bus + run.bufs[i][0], db, role(prev_eof, eof), bp,
                                          s.cyclic))
        prev_eof = eof
    if s.fault is not None:
        out.append(sample_mm2s_error(s.fault, s.backpressure, s.cyclic))
    return out


def sample_buffer(length: int, addr: int, beat_bytes: int, backpressure: bool, cyclic: bool) -> list[str]:
    """Sample one completed buffer (``length`` bytes at bus address ``addr``); returns its bin
    as [length class, alignment, backpressure, mode, "none"]."""
    _buffer(length, addr, beat_bytes, backpressure, cyclic)
    return [length_class(length, beat_bytes), ALIGNMENTS[addr % beat_bytes != 0], _bp(backpressure),
            _mode(cyclic), "none"]


def sample_error(kind: str, backpressure: bool, cyclic: bool) -> list[str]:
    """Sample one injected error of ``kind`` (one of ERRORS); returns its bin as
    ["-", "-", backpressure, mode, kind]."""
    if kind not in ERRORS:
        raise ValueError(f"error kind {kind!r} is not one of {ERRORS}")
    _error(kind, backpressure, cyclic)
    return ["-", "-", _bp(backpressure), _mode(cyclic), kind]


def export(directory: Path | None = None) -> Path:
    """Write the coverage database (every bin, hit or not) to ``directory``/EXPORT_NAME
    (default: the working directory); returns the path."""
    path = (directory or Path.cwd()) / EXPORT_NAME
    coverage_db.export_to_xml(filename=str(path))
    return path


@dataclass
class BinReport:
    """The cross bins of one (merged) database: how many, how many hit, which not."""
    total: int
    hit: int
    missed: list[str]


def merge(files: list[Path], out: Path) -> BinReport:
    """Merge exported databases ``files`` into ``out`` (cocotb-coverage's merge_coverage) and
    count the bins of the crosses in the result."""
    if not files:
        raise ValueError(f"no {EXPORT_NAME} files to merge into {out}")
    merge_coverage(lambda _msg: None, str(out), *[str(f) for f in files])
    return report(out)


def report(path: Path) -> BinReport:
    """Count the cross bins (CROSSES) of an exported or merged XML database at ``path``."""
    root = ElementTree.parse(path).getroot()
    total, hit, missed = 0, 0, []
    by_name = {e.attrib.get("abs_name"): e for e in root.iter()}
    for name in CROSSES:
        cross = by_name.get(f"top.{name}")
        if cross is None:
            raise ValueError(f"{path}: no cross {name} in the coverage database")
        at_least = int(cross.attrib.get("at_least", 1))
        for b in cross:
            total += 1
            if int(b.attrib["hits"]) >= at_least:
                hit += 1
            else:
                missed.append(f"{name} {b.attrib['bin']}")
    return BinReport(total=total, hit=hit, missed=missed)


if cocotb.is_simulation:
    atexit.register(export)
