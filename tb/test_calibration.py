"""Calibration of the fast model: the calibration program of sgdma_sim.calibration on the RTL.

Each cocotb test runs one case and appends its observable result to $SGDMA_CAL_OUT; the pytest
entry then runs the same cases on the fast model and requires identical memory, STATUS words,
interrupt counts and DMASR, and total clocks within 2 %.
"""
from __future__ import annotations

import json
import os

import cocotb
import pytest

from cosim import CocotbBackend
from sgdma_sim.calibration import CASES, compare, cycle_error, fault_for, run_case, run_on_model, setup_memory

CASE_BY_NAME = {c.name: c for c in CASES}


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


# ------------------------------------------------------------------------------ pytest entry
from sgdma_sim.toolchain import BUILD_DIR, build_and_test, selected_simulators  # noqa: E402

WIDTHS = [64, 32] + ([128] if os.environ.get("SGDMA_FULL") else [])


def rtl_results(sim: str, width: int) -> list[dict]:
    out = BUILD_DIR / "calibration" / f"rtl_{sim}_dw{width}.jsonl"
    out.parent.mkdir(parents=True, exist_ok=True)
    out.unlink(missing_ok=True)
    build_and_test("test_calibration", sim, {"DATA_WIDTH": width}, extra_env={"SGDMA_CAL_OUT": str(out)})
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
