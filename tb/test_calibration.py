"""Calibration of the fast model against the RTL.

``test_model_calibration`` runs every case of sgdma_verif.calibration on the RTL (the cocotb
tests in sgdma_verif.calibration_tb) and on the fast model, and requires identical memory,
STATUS words, interrupt counts and DMASR, and total clocks within 2 %.
``test_model_agrees_with_rtl_acquisitions`` does the same for whole acquisitions: every driver
mode x ring-full policy x reader speed, with identical memory, descriptor STATUS/APP0 words,
counters and interrupt counts required, plus one longer DROP cell whose first overrun episode
starts from the engine's own data (the ring filling behind a reader) and ends at the reader's
release: its lost bytes count the clocks from one to the other, so they come out right only
if every register access of the reader and the interrupt service costs the clocks it costs on
the RTL.  ``test_model_register_timing`` compares those clocks directly.
"""
from __future__ import annotations

import pytest

from sgdma_sim.acquisition import Scenario
from sgdma_verif.calibration import (AGREE_IRQ, CASES, agree_matrix, cell_name, compare, compare_acquisition,
                                     cycle_error, lite_timing_on_model, rtl_acquisitions, rtl_lite_timing,
                                     rtl_results, run_cell_on_model, run_on_model)
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
# The ring fills while the engine streams without a pause (8 x 8 KiB, a reader 4x slower than
# the stream): the first overrun episode begins at the end of the engine's own data, not at a
# doorbell, so a clock lost or gained per register access moves its lost bytes by a beat.
OVERRUN_CELLS = [Scenario(mode="owned", policy="drop", consumer="slow", buffers=8, buf_size=8192, laps=2, **AGREE_IRQ)]


def test_model_register_timing():
    sim = selected_simulators()[-1]
    rtl, model = rtl_lite_timing(sim), lite_timing_on_model()
    assert model == rtl, f"register access timing: rtl {rtl} model {model}"


def test_model_agrees_with_rtl_acquisitions():
    sim = selected_simulators()[-1]
    cells = SMALL_MATRIX + OVERRUN_CELLS
    rtl = rtl_acquisitions(sim, cells, BUILD_DIR / "calibration" / f"agree_{sim}.jsonl")
    assert len(rtl) == len(cells), f"RTL ran {len(rtl)} of {len(cells)} cells"
    problems = []
    for cell, r in zip(cells, rtl):
        problems += [f"{cell_name(cell)}: {d}" for d in compare_acquisition(r, run_cell_on_model(cell))]
    assert not problems, "\n".join(problems)
