"""Functional coverage of the engine, with cocotb-coverage coverpoints and crosses.

Two covergroups, sampled by the testbenches with one call each:

- ``sgdma.buffer``: every completed buffer of the regression, by length class x start
  alignment (to the stream beat) x backpressure x mode; the cross has 5 x 2 x 2 x 2 = 40 bins.
- ``sgdma.error``: every injected error (regression and fault campaign), by error kind x
  backpressure x mode; the cross has 6 x 2 x 2 = 24 bins.

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

LENGTHS = ("1B", "sub_beat", "sub_256B", "sub_4KiB", "up_to_64KiB")
ALIGNMENTS = ("aligned", "unaligned")
BACKPRESSURE = ("backpressure", "smooth")
MODES = ("tail", "cyclic")
ERRORS = ("data_slv", "data_dec", "fetch_slv", "fetch_dec", "status_slv", "status_dec")
EXPORT_NAME = "functional_coverage.xml"
CROSSES = ("sgdma.buffer.cross", "sgdma.error.cross")


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
