"""Calibration of the fast model against the RTL.

``test_model_calibration`` runs every case of sgdma_verif.calibration on the RTL (the cocotb
tests in sgdma_verif.calibration_tb) and on the fast model, and requires identical memory,
STATUS words, interrupt counts and DMASR, and total clocks within 2 %.
``test_model_agrees_with_rtl_acquisitions`` does the same for whole acquisitions: every driver
mode x ring-full policy x reader speed, with identical memory, descriptor STATUS/APP0 words,
counters and interrupt counts required.
"""
from __future__ import annotations

import pytest

from sgdma_verif.calibration import (CASES, agree_matrix, cell_name, compare, compare_acquisition, cycle_error,
                                     rtl_acquisitions, rtl_results, run_cell_on_model, run_on_model)
from sgdma_verif.toolchain import BUILD_DIR, full_matrix, selected_simulators

WIDTHS = [64, 32] + ([128] if full_matrix() else [])


@pytest.mark.parametrize("width", WIDTHS)
def test_model_calibration(width):
    sim = selected_simulators()[-1]
    rtl = {r["case"]: r for r in rtl_results(sim, width)}
    assert set(rtl) == {c.name for c in CASES}, f"RTL ran {sorted(rtl)}"
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
