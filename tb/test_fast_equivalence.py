"""rtl-fast against the cocotb backend, on each simulator of the suite.  S2MM: the same
acquisitions, every driver mode x ring-full policy at small size; memory contents, STATUS
words, the engine's counters, the report's counts and the interrupt count must be identical,
the clock counts within a few clocks per interrupt (sgdma_verif.equivalence).  MM2S: the same
transmit programs (chains of packets over misaligned buffers, interrupt coalescing) on the
two-channel build; the packets received, STATUS words, interrupt count, final DMASR and
CURDESC identical, the clocks within a few per interrupt (sgdma_verif.mm2s_equivalence)."""
from __future__ import annotations

import json

import pytest

from sgdma_sim.acquisition import Acquisition
from sgdma_verif import mm2s_equivalence as tx
from sgdma_verif import toolchain
from sgdma_verif.equivalence import CELLS, compare, observe
from sgdma_verif.fast_backend import FastRtlBackend
from sgdma_verif.runconfig import RunConfig


def fast_observation(cell) -> dict:
    be = FastRtlBackend()
    acq = Acquisition(cell, be)
    try:
        return be.run(observe(acq))
    finally:
        acq.vma.munmap()
        be.close()
        acq.mem.close()


@pytest.fixture(scope="module")
def fast():
    return [fast_observation(c) for c in CELLS]


@pytest.mark.parametrize("sim", toolchain.selected_simulators())
def test_rtl_fast_matches_cocotb(sim, fast, tmp_path):
    results = tmp_path / "results.jsonl"
    toolchain.build_and_test("sgdma_verif.equivalence_tb", sim, {}, config=RunConfig(cells=CELLS, results=results),
                             test_dir=tmp_path / "run")
    ref = {r["index"]: r for r in map(json.loads, results.read_text().splitlines())}
    assert sorted(ref) == list(range(len(CELLS)))
    problems = []
    for i, cell in enumerate(CELLS):
        assert fast[i]["ok"] and ref[i]["ok"], f"{cell.mode}/{cell.policy}: an acquisition failed"
        assert fast[i]["interrupts"] > 0 and fast[i]["descriptors"] > 0
        diff = compare(ref[i], fast[i])
        if diff:
            problems.append(f"{cell.mode}/{cell.policy}: " + "; ".join(diff))
    assert not problems, "\n".join(problems)


def test_compare_sees_a_difference(fast):
    """The comparison is not vacuous: a changed STATUS word, digest or clock count is reported."""
    a = fast[0]
    assert compare(a, a) == []
    assert any(d.startswith("statuses") for d in compare(a, dict(a, statuses=[s ^ 1 for s in a["statuses"]])))
    assert any(d.startswith("memory_digest") for d in compare(a, dict(a, memory_digest="0")))
    assert any(d.startswith("cycles") for d in compare(a, dict(a, cycles=a["cycles"] + 10_000)))


@pytest.fixture(scope="module")
def fast_tx():
    return [tx.run_fast(c) for c in tx.CELLS]


@pytest.mark.parametrize("sim", toolchain.selected_simulators())
def test_rtl_fast_matches_cocotb_mm2s(sim, fast_tx, tmp_path):
    results = tmp_path / "results.jsonl"
    toolchain.build_and_test("sgdma_verif.mm2s_equivalence_tb", sim, tx.PARAMS, config=RunConfig(results=results),
                             test_dir=tmp_path / "run")
    ref = {r["index"]: r for r in map(json.loads, results.read_text().splitlines())}
    assert sorted(ref) == list(range(len(tx.CELLS)))
    problems = []
    for i, cell in enumerate(tx.CELLS):
        assert fast_tx[i]["ok"] and ref[i]["ok"], f"cell {cell}: the packets received are not the buffers' bytes"
        assert fast_tx[i]["interrupts"] > 0
        print(f"MM2S cell {i} on {sim}: {ref[i]['interrupts']} interrupts, clocks cocotb {ref[i]['cycles']} "
              f"rtl-fast {fast_tx[i]['cycles']}")
        diff = tx.compare(ref[i], fast_tx[i])
        if diff:
            problems.append(f"cell {i}: " + "; ".join(diff))
    assert not problems, "\n".join(problems)


def test_mm2s_compare_sees_a_difference(fast_tx):
    a = fast_tx[0]
    assert tx.compare(a, a) == []
    assert any(d.startswith("statuses") for d in tx.compare(a, dict(a, statuses=[s ^ 1 for s in a["statuses"]])))
    assert any(d.startswith("packets") for d in tx.compare(a, dict(a, packets=a["packets"][::-1] + ["x"])))
    assert any(d.startswith("cycles") for d in tx.compare(a, dict(a, cycles=a["cycles"] + 10_000)))
