"""Calibration of the fast model: the calibration program of sgdma_sim.calibration on the RTL.

Each cocotb test runs one case and appends its observable result to $SGDMA_CAL_OUT; the pytest
entry then runs the same cases on the fast model and requires identical memory, STATUS words,
interrupt counts and DMASR, and total clocks within 2 %.

``agree`` does the same for whole acquisitions (the cells, as JSON, in $SGDMA_AGREE; results
to $SGDMA_AGREE_OUT): every driver mode x ring-full policy x reader speed, with identical
memory, descriptor STATUS/APP0 words, counters and interrupt counts required.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict

import cocotb
import pytest

from cosim import CocotbBackend
from sgdma_sim.acquisition import Acquisition, Scenario
from sgdma_sim.calibration import (CASES, agree_matrix, cell_name, compare, compare_acquisition, cycle_error,
                                   fault_for, observe, run_case, run_cell_on_model, run_on_model, setup_memory)

CASE_BY_NAME = {c.name: c for c in CASES}
AGREE_CELLS = [Scenario(**c) for c in json.loads(os.environ.get("SGDMA_AGREE", "[]"))]


@cocotb.test()
@cocotb.parametrize(name=[c.name for c in CASES])
async def calibrate(dut, name):
    case = CASE_BY_NAME[name]
    mem, port, descs, _ = setup_memory(case)
    be = CocotbBackend(dut, "rtl")
    be.attach_memory(port)
    be.tb.set_backpressure(case.backpressure)
    be.tb.sg_rd.fault = fault_for(case, descs)
    await be.reset()
    result = await run_case(be, case, mem, port, descs)
    with open(os.environ["SGDMA_CAL_OUT"], "a") as fh:
        fh.write(json.dumps(result.to_json()) + "\n")


@cocotb.test()
@cocotb.parametrize(index=list(range(max(1, len(AGREE_CELLS)))))
async def agree(dut, index):
    if not AGREE_CELLS:
        return
    cell = AGREE_CELLS[index]
    be = CocotbBackend(dut, os.environ.get("SGDMA_SIM_NAME", "rtl"), checker=False)
    acq = Acquisition(cell, be)
    await be.reset()
    obs = await observe(acq, await acq.run())
    with open(os.environ["SGDMA_AGREE_OUT"], "a") as fh:
        fh.write(json.dumps(obs) + "\n")


# ------------------------------------------------------------------------------ pytest entry
from sgdma_sim.toolchain import BUILD_DIR, build_and_test, selected_simulators  # noqa: E402

WIDTHS = [64, 32] + ([128] if os.environ.get("SGDMA_FULL") else [])


def rtl_results(sim: str, width: int) -> list[dict]:
    out = BUILD_DIR / "calibration" / f"rtl_{sim}_dw{width}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    build_and_test("test_calibration", sim, {"DATA_WIDTH": width},
                   extra_env={"SGDMA_CAL_OUT": str(out), "COCOTB_TEST_FILTER": "calibrate"})
    return [json.loads(line) for line in out.read_text().splitlines()]


def rtl_acquisitions(sim: str, cells: list[Scenario], out, test_dir=None) -> list[dict]:
    """Runs `cells` as acquisitions on the RTL; their observations, in order."""
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    build_and_test("test_calibration", sim, {}, test_dir=test_dir,
                   extra_env={"SGDMA_AGREE": json.dumps([asdict(c) for c in cells]), "SGDMA_AGREE_OUT": str(out),
                              "SGDMA_SIM_NAME": sim, "COCOTB_TEST_FILTER": "agree"})
    return [json.loads(line) for line in out.read_text().splitlines()]


@pytest.mark.parametrize("width", WIDTHS)
def test_model_calibration(width):
    sim = selected_simulators()[-1]
    rtl = {r["case"]: r for r in rtl_results(sim, width)}
    assert set(rtl) == set(CASE_BY_NAME), f"RTL ran {sorted(rtl)}"
    problems, errors = [], {}
    for case in CASES:
        model = run_on_model(case, width)
        errors[case.name] = round(cycle_error(rtl[case.name], model), 4)
        problems += [f"{case.name}: {d}" for d in compare(rtl[case.name], model)]
    print(f"cycle error per case (dw{width}): {errors}")
    assert not problems, "\n".join(problems)


# Every mode x policy x consumer, small: 4 x 4 KiB buffers, 3 laps (about 6,000 to 26,000 clocks
# per cell). On one simulator: the model is compared with the RTL, not the simulators with each
# other (test_cosim runs the acquisitions on both).
SMALL_MATRIX = agree_matrix(buffers=4, buf_size=4096, laps=3)


def test_model_agrees_with_rtl_acquisitions():
    sim = selected_simulators()[-1]
    rtl = rtl_acquisitions(sim, SMALL_MATRIX, BUILD_DIR / "calibration" / f"agree_{sim}.jsonl")
    assert len(rtl) == len(SMALL_MATRIX), f"RTL ran {len(rtl)} of {len(SMALL_MATRIX)} cells"
    problems = []
    for cell, r in zip(SMALL_MATRIX, rtl):
        problems += [f"{cell_name(cell)}: {d}" for d in compare_acquisition(r, run_cell_on_model(cell))]
    assert not problems, "\n".join(problems)
