"""C driver co-simulation on the fast model (no simulator): the example driver end to end,
the platform's promises, and each broken driver, crash and build failure reported with the
cause.  tb/test_c_driver_rtl.py runs the example on the RTL and compares."""
from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from sgdma_sim import cli
from sgdma_sim.cdriver import CDriverConfig, CompileError
from sgdma_sim.cdriver_cli import run

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = [str(REPO / "examples" / "c" / "s2mm_ring.c"), str(REPO / "examples" / "c" / "s2mm_ring_test.c")]
C = REPO / "tests" / "c"
STREAM = 25088          # 12 full 2 KiB buffers and a quarter: both IRQThreshold and IRQDelay interrupts

pytestmark = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def example(tmp_path: Path, cflags: list[str] | None = None, **kw) -> dict:
    cfg = CDriverConfig(sources=EXAMPLE, backend="model", stream_bytes=STREAM, cflags=cflags or [], **kw)
    cfg.check()
    return run(cfg, tmp_path)


def platform(tmp_path: Path, entry: str, **kw) -> dict:
    kw.setdefault("stream_bytes", 0)
    cfg = CDriverConfig(sources=[str(C / "platform_test.c")], entry=entry, backend="model", **kw)
    cfg.check()
    return run(cfg, tmp_path)


def test_example_driver_on_the_model(tmp_path):
    rep = example(tmp_path)
    assert rep["ok"], rep["problems"]
    assert rep["outcome"] == "returned" and rep["entry_rc"] == 0
    assert rep["bytes_received"] == rep["bytes"] == STREAM and rep["data_errors"] == 0
    assert rep["completed"] == 13 and rep["bytes_written"] == STREAM and rep["dropped_bytes"] == 0
    assert rep["results"]["reaped"] == 13
    # coalesced: fewer interrupts than buffers, each one seen by the handler
    assert 1 < rep["interrupts"] < 13 and rep["results"]["handler_calls"] == rep["interrupts"]
    assert json.loads((tmp_path / "report.json").read_text())["rx_sha256"] == rep["rx_sha256"]


def test_every_byte_is_checked(tmp_path):
    """A driver that hands over the wrong bytes (one buffer late) fails with the first bad byte."""
    rep = example(tmp_path, ["-DRX_BUFFER_BASE=(XPAR_SGDMA_SIM_MEM_BASEADDR+0x10000)", "-include",
                             str(C / "bug_wrong_buffer.h")])
    assert not rep["ok"]
    assert rep["data_errors"] > 0
    assert any(re.search(r"received bytes differ from the stream; first: stream byte \d+", p) for p in rep["problems"])


def test_forgotten_invalidate_is_named(tmp_path):
    rep = example(tmp_path, ["-include", str(C / "bug_no_invalidate.h")])
    assert not rep["ok"] and rep["data_errors"] == 0        # zero copy: the bytes were right
    first = rep["problems"][0]
    assert first.startswith("forgotten invalidate: the driver handed over 2048 bytes at 0x80010000")
    assert "Xil_DCacheInvalidateRange" in first
    assert rep["finding_counts"]["forgotten invalidate"] == 13


def test_forgotten_flush_is_named(tmp_path):
    rep = example(tmp_path, ["-include", str(C / "bug_no_flush.h")])
    assert not rep["ok"]
    assert rep["problems"][0].startswith("forgotten flush: the engine read 32 bytes at bus 0x80000000 (a descriptor)")
    assert "never flushed" in rep["problems"][0] and "Xil_DCacheFlushRange" in rep["problems"][0]


def test_wrong_descriptor_alignment_is_named(tmp_path):
    rep = example(tmp_path, ["-include", str(C / "bug_desc_stride.h")])
    assert not rep["ok"]
    assert any(p.startswith("descriptor alignment: S2MM_TAILDESC written with 0x800000e0") and
               "must be 64-byte aligned" in p for p in rep["problems"])
    assert any(p.startswith("descriptor alignment: the descriptor at bus 0x80000000 links to NXTDESC 0x80000020")
               for p in rep["problems"])


def test_dma_outside_the_memory_is_refused_and_named(tmp_path):
    rep = example(tmp_path, ["-DRX_BUFFER_BASE=0x90000000"])
    assert not rep["ok"] and rep["bytes_received"] == 0
    assert rep["entry_rc"] == 4          # the driver saw the engine's error
    assert any(p.startswith("outside memory: the engine wrote") and "0x90000000" in p and "SLVERR" in p
               for p in rep["problems"])


def test_crash_reports_the_faulting_access(tmp_path):
    cfg = CDriverConfig(sources=[str(C / "crash_test.c")], backend="model")
    rep = run(cfg, tmp_path)
    assert rep["outcome"] == "crashed" and not rep["ok"]
    assert re.fullmatch(r"the C code crashed: SIGSEGV, write to 0x10 \(a NULL pointer \+ 0x10\) in run_test\+0x[0-9a-f]+ "
                        r"\(.*crash_test\.c:10\)", rep["problems"][0]), rep["problems"][0]
    # the process is intact: another run works
    assert platform(tmp_path / "again", "run_time")["ok"]


def test_compile_error_shows_gcc_output(tmp_path, capsys):
    cfg = CDriverConfig(sources=[str(C / "syntax_error.c")], backend="model")
    with pytest.raises(CompileError) as e:
        run(cfg, tmp_path)
    assert re.search(r"syntax_error\.c:4:12: error: .undeclared_variable. undeclared", e.value.output)
    assert cli.main(["c-driver", "--sources", str(C / "syntax_error.c"), "--backend", "model",
                     "--out", str(tmp_path)]) == 1
    err = capsys.readouterr().err
    assert "syntax_error.c:4:12: error:" in err and "sgdma-sim c-driver: error: gcc failed (exit 1)" in err


@pytest.mark.parametrize("entry", ["run_time", "run_regs_and_memory"])
def test_platform_promises(tmp_path, entry):
    rep = platform(tmp_path, entry)
    assert rep["entry_rc"] == 0, f"{entry} check {rep['entry_rc']} failed"
    assert rep["outcome"] == "returned" and rep["ok"], rep["problems"]


def test_usleep_is_simulated_time(tmp_path):
    rep = platform(tmp_path, "run_time", clock_mhz=100)
    assert rep["entry_rc"] == 0 and 1000 <= rep["results"]["usleep10_cycles"] <= 1008


@pytest.mark.parametrize("entry, outcome, message", [
    ("run_assert", "aborted", r"Xil_Assert: assertion failed at .*platform_test\.c:\d+"),
    ("run_stray", "aborted", r"Xil_Out32\(0x1000\): 4-byte access outside the register window \[0x40400000, "
                             r"0x40410000\) and the DMA memory \[0x80000000, 0x81000000\)"),
    ("run_forever", "aborted", r"simulated time passed --max-cycles 20000"),
])
def test_misuse_stops_the_driver_with_the_cause(tmp_path, entry, outcome, message):
    rep = platform(tmp_path, entry, max_cycles=20000)
    assert rep["outcome"] == outcome and not rep["ok"]
    assert re.search(message, rep["problems"][0]), rep["problems"][0]


UIO = [str(C / "uio_test.c"), str(REPO / "examples" / "c" / "sgdma_ring.c")]


def uio(tmp_path: Path, cflags=()) -> dict:
    cfg = CDriverConfig(sources=UIO, include=[str(REPO / "examples" / "c")], backend="model", stream_bytes=40960,
                        cflags=list(cflags))
    cfg.check()
    return run(cfg, tmp_path)


def test_uio_flow(tmp_path):
    """open/mmap/poll/read/write on /dev/uio0, registers through the mapped struct."""
    rep = uio(tmp_path)
    assert rep["ok"], rep["problems"]
    assert rep["bytes_received"] == 40960 and rep["completed"] == 10
    # every interrupt read once, the count is the kernel's running total
    assert rep["results"]["interrupts_read"] == rep["results"]["uio_count"] == rep["interrupts"] >= 2


def test_uio_cached_mapping_needs_cache_maintenance(tmp_path):
    """Without O_SYNC the DMA memory is cached: the driver's missing flush and invalidate are found."""
    rep = uio(tmp_path, ["-DUIO_OPEN_FLAGS=O_RDWR"])
    assert not rep["ok"]
    assert rep["problems"][0].startswith("forgotten flush: the engine read 32 bytes at bus 0x80000000")
    assert rep["finding_counts"]["forgotten invalidate"] == 10


def test_spin_without_platform_calls_is_stopped_where_it_is(tmp_path):
    rep = platform(tmp_path, "run_spin", wall_timeout=0.5)
    assert rep["outcome"] == "stuck" and not rep["ok"]
    assert re.search(r"ran 0.5 s of wall time without a platform call and was stopped in run_spin\+0x[0-9a-f]+ "
                     r"\(.*platform_test\.c:\d+\)", rep["problems"][0]), rep["problems"][0]


def test_exit_code(tmp_path):
    rep = platform(tmp_path, "run_exit")
    assert rep["outcome"] == "exited" and rep["entry_rc"] == 7
    assert "run_exit() returned 7" in rep["problems"]


def test_cli_runs_and_reports(tmp_path, capsys):
    rc = cli.main(["c-driver", "--sources", *EXAMPLE, "--backend", "model", "--stream-bytes", str(STREAM),
                   "--out", str(tmp_path)])
    out = capsys.readouterr().out
    assert rc == 0, out
    assert "C driver on fast-model (model backend): PASS" in out
    assert f"received and checked {STREAM:,}" in out
    rc = cli.main(["c-driver", "--sources", *EXAMPLE, "--backend", "model", "--stream-bytes", str(STREAM),
                   "--cflags", f"-include {C / 'bug_no_invalidate.h'}", "--out", str(tmp_path)])
    assert rc == 1 and "problem: forgotten invalidate" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["--mem-base", "0x1234"], "argument --mem-base: 0x1234 must be a non-zero multiple of 4096"),
    (["--stream-bytes", "100"], "argument --stream-bytes: 100 is not 0 (no stream) or a positive multiple of 16"),
    (["--reg-base", "0x80000000"], "argument --reg-base: 0x80000000 must be a multiple of 0x10000"),
    (["--entry", "not-a-name"], "argument --entry: not-a-name is not a C identifier"),
    (["--rate", "0"], "argument --rate: 0.0 is outside (0, 1]"),
    (["--backend", "model", "--waves"], "argument --waves: needs --backend rtl"),
    (["--mem-size", "zero"], "argument --mem-size: 'zero' is not an integer"),
])
def test_bad_options_name_option_and_value(tmp_path, capsys, argv, message):
    with pytest.raises(SystemExit) as e:
        cli.main(["c-driver", "--sources", *EXAMPLE, "--out", str(tmp_path), *argv])
    assert e.value.code == 2
    assert message in capsys.readouterr().err


def test_missing_source_is_named(tmp_path, capsys):
    with pytest.raises(SystemExit):
        cli.main(["c-driver", "--sources", str(tmp_path / "nope.c"), "--out", str(tmp_path)])
    assert f"argument --sources: {tmp_path / 'nope.c'} is not a file" in capsys.readouterr().err


def test_help_documents_every_option(capsys):
    with pytest.raises(SystemExit):
        cli.main(["c-driver", "--help"])
    text = capsys.readouterr().out
    parser = cli.build_parser()
    # private: argparse offers no public list of a parser's sub-commands and actions
    sub = parser._subparsers._group_actions[0].choices["c-driver"]  # private: as above
    for action in sub._actions:  # private: as above
        for opt in action.option_strings:
            assert opt in text, f"{opt} missing from --help"
        assert action.help, f"{action.option_strings} has no help text"


def test_c_sources_compile_cleanly(tmp_path):
    """The example driver builds as strict ISO C99 with every warning an error (a bare-metal
    toolchain's flags), the platform with -Wall -Wextra -Werror."""
    import subprocess

    inc = [f"-I{REPO / d}" for d in ("sim/c", "sim/c/bsp", "sw/include", "examples/c")]
    strict = ["-std=c99", "-pedantic", "-Wall", "-Wextra", "-Werror", "-O2"]
    platform_flags = ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-O2", "-fPIC"]
    files = [(p, strict) for p in EXAMPLE] + [(str(REPO / "sim" / "c" / f), platform_flags)
                                               for f in ("sgdma_platform.c", "sgdma_uio.c", "bsp/xil_bsp.c")]
    for src, flags in files:
        proc = subprocess.run(["gcc", *flags, *inc, "-c", src, "-o", str(tmp_path / "x.o")],
                              capture_output=True, text=True)
        assert proc.returncode == 0 and not proc.stderr, f"{src}:\n{proc.stderr}"
