"""The example C driver (examples/c/s2mm_ring.c, unmodified) on rtl/sgdma.v under each
simulator: it must pass and agree with the fast model on every byte it received, the
engine's counters, the interrupts and what the driver counted; a broken driver (a forgotten
cache invalidate) and a crash must fail with their cause on the RTL as on the model.

Each case is one `sgdma-sim c-driver` run (its own simulator process, see
sgdma_verif.cdriver_tb); the fast-model reference runs in this process."""
from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest

from sgdma_sim.cdriver import CDriverConfig
from sgdma_sim.cdriver_cli import run
from sgdma_verif.toolchain import selected_simulators

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = [str(REPO / "examples" / "c" / "s2mm_ring.c"), str(REPO / "examples" / "c" / "s2mm_ring_test.c")]
C = REPO / "tests" / "c"
STREAM = 25088
SAME = ("bytes", "bytes_received", "data_errors", "rx_sha256", "completed", "bytes_written", "dropped_bytes",
        "interrupts", "results", "entry_rc", "outcome")

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def _run(tmp: Path, backend: str, sim: str = "icarus", sources=EXAMPLE, cflags=()) -> dict:
    cfg = CDriverConfig(sources=list(sources), backend=backend, sim=sim, stream_bytes=STREAM, cflags=list(cflags))
    cfg.check()
    return run(cfg, tmp)


@pytest.fixture(scope="module")
def model_report(tmp_path_factory) -> dict:
    rep = _run(tmp_path_factory.mktemp("model"), "model")
    assert rep["ok"], rep["problems"]
    return rep


@pytest.mark.parametrize("sim", selected_simulators())
def test_c_driver_example(sim, tmp_path, model_report):
    rep = _run(tmp_path, "rtl", sim)
    assert rep["ok"], rep["problems"]
    assert rep["simulator"] == sim and rep["backend"] == "rtl"
    diff = {k: (rep[k], model_report[k]) for k in SAME if rep[k] != model_report[k]}
    assert not diff, f"{sim} and the fast model disagree: {diff}"


@pytest.mark.parametrize("sim", selected_simulators())
def test_c_driver_uio_flow(sim, tmp_path):
    """The user-space UIO flow: registers through the mapped struct, interrupts through read."""
    cfg = CDriverConfig(sources=[str(C / "uio_test.c"), str(REPO / "examples" / "c" / "sgdma_ring.c")],
                        include=[str(REPO / "examples" / "c")], backend="rtl", sim=sim, stream_bytes=40960)
    rep = run(cfg, tmp_path)
    assert rep["ok"], rep["problems"]
    assert rep["bytes_received"] == 40960 and rep["completed"] == 10
    assert rep["results"]["uio_count"] == rep["interrupts"] >= 2


@pytest.mark.parametrize("sim", selected_simulators())
def test_c_driver_broken_and_crashing(sim, tmp_path):
    rep = _run(tmp_path / "bug", "rtl", sim, cflags=["-include", str(C / "bug_no_invalidate.h")])
    assert not rep["ok"] and rep["data_errors"] == 0
    assert rep["problems"][0].startswith("forgotten invalidate: the driver handed over 2048 bytes at 0x80010000")
    rep = _run(tmp_path / "crash", "rtl", sim, sources=[str(C / "crash_test.c")])
    assert rep["outcome"] == "crashed"
    assert re.match(r"the C code crashed: SIGSEGV, write to 0x10 \(a NULL pointer \+ 0x10\) in run_test\+0x[0-9a-f]+ "
                    r"\(.*crash_test\.c:10\)", rep["problems"][0]), rep["problems"][0]
