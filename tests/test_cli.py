"""sgdma-sim and the regression runner never show a traceback for a user's mistake.

Every bad value ends before any simulator starts, with exit status 2 and one line naming the
option and the value (argparse's ``prog: error: argument --x: ...``); the project's own errors
at run time end with exit status 1 and one line; --debug shows the traceback.
"""
from __future__ import annotations

import json
import subprocess
import sys
from importlib import metadata
from pathlib import Path

import pytest

from sgdma_driver.driver import DriverError
from sgdma_sim import cli
from sgdma_verif import regress, toolchain

REPO = Path(__file__).resolve().parent.parent


def run_cli(argv: list[str], capsys, main=cli.main) -> tuple[int, str]:
    """(exit status, stderr+stdout) of ``main(argv)``; an exception escaping is a failure."""
    try:
        code = main(argv)
    except SystemExit as e:
        code = e.code
    out = capsys.readouterr()
    return code, out.err + out.out


def assert_one_line(text: str, *needles: str) -> str:
    lines = [x for x in text.splitlines() if x.strip()]
    assert len(lines) == 1, f"expected one line, got:\n{text}"
    assert "Traceback" not in text
    for n in needles:
        assert n in lines[0], f"{n!r} not in {lines[0]!r}"
    return lines[0]


BAD_RUN = [
    (["--irq-threshold", "0"], "--irq-threshold", "0"),
    (["--irq-threshold", "256"], "--irq-threshold", "256"),
    (["--irq-delay", "300"], "--irq-delay", "300"),
    (["--irq-delay", "-1"], "--irq-delay", "-1"),
    (["--laps", "inf"], "--laps", "inf"),
    (["--laps", "nan"], "--laps", "nan"),
    (["--laps", "0"], "--laps", "0"),
    (["--laps", "-2"], "--laps", "-2"),
    (["--laps", "1e-9"], "--laps", "1e-09"),
    (["--laps", "1e9"], "--laps", "1000000000"),
    (["--seed", "-1"], "--seed", "-1"),
    (["--buf-size", str(1 << 32)], "--buf-size", str(1 << 32)),
    (["--buf-size", str(1 << 40)], "--buf-size", str(1 << 40)),
    (["--buf-size", "1000"], "--buf-size", "1000"),
    (["--buf-size", "0"], "--buf-size", "0"),
    (["--buffers", "1"], "--buffers", "1"),
    (["--buffers", "1000000"], "--buffers", "1000000"),
    (["--rate", "0"], "--rate", "0"),
    (["--rate", "1.5"], "--rate", "1.5"),
    (["--rate", "nan"], "--rate", "nan"),
    (["--irq-latency", "-5"], "--irq-latency", "-5"),
    (["--kernel", "2.4"], "--kernel", "2.4"),
    (["--kernel", "2.6.31"], "--kernel", "2.6.31"),
    (["--kernel", "six"], "--kernel", "six"),
    (["--irq-threshold", "x"], "--irq-threshold", "x"),
    (["--consumer", "medium"], "--consumer", "medium"),
    (["--waves"], "--waves", "--backend rtl"),
]


RUN_CASES = [(backend, *case) for backend in ("model", "rtl") for case in BAD_RUN
             if not (backend == "rtl" and case[0] == ["--waves"])]   # --waves is valid on the RTL


@pytest.mark.parametrize("backend,args,option,value", RUN_CASES,
                         ids=[f"{b} {' '.join(a)}" for b, a, _, _ in RUN_CASES])
def test_run_rejects_bad_values_before_running(backend, args, option, value, tmp_path, capsys):
    out = tmp_path / "out"
    code, text = run_cli(["run", "--backend", backend, "--out", str(out), *args], capsys)
    assert code == 2, text
    line = assert_one_line(text, "sgdma-sim run: error: argument " + option, value)
    assert "see the log" not in line
    assert not (out / "rtl_icarus").exists(), "a simulator was started"
    assert not (out / "report.json").exists()


def test_out_below_a_regular_file(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("keep me")
    code, text = run_cli(["run", "--backend", "model", "--out", str(f / "sub")], capsys)
    assert code == 2
    assert_one_line(text, "argument --out", str(f / "sub"), "is a file")
    assert f.read_text() == "keep me"


BAD_SWEEP = [
    (["--param", "buffers=1,4"], "--param buffers", "1"),
    (["--param", "irq_delay=0,300"], "--param irq_delay", "300"),
    (["--param", "laps=inf"], "--param laps", "inf"),
    (["--param", "kernel=2.4"], "--param kernel", "2.4"),
    (["--param", "nosuch=1,2"], "--param", "nosuch=1,2"),
    (["--param", "buffers=a"], "--param", "buffers=a"),
    (["--param", "buffers=2", "--param", "laps=1", "--param", "rate=1"], "--param", "3 times"),
    (["--param", "buffers=2,4", "--irq-threshold", "0"], "--irq-threshold", "0"),
    (["--param", "buffers=2,4", "--metric", "speed"], "--metric", "speed"),
]


@pytest.mark.parametrize("args,option,value", BAD_SWEEP, ids=[" ".join(a) for a, _, _ in BAD_SWEEP])
def test_sweep_rejects_bad_values_before_running(args, option, value, tmp_path, capsys):
    code, text = run_cli(["sweep", "--out", str(tmp_path / "sw"), *args], capsys)
    assert code == 2, text
    assert_one_line(text, "sgdma-sim sweep: error: argument " + option, value)
    assert not (tmp_path / "sw" / "sweep.json").exists()


@pytest.mark.parametrize("args,option,value", [
    (["--seed", "-5"], "--seed", "-5"),
    (["--seed", "-1"], "--seed", "-1"),
    (["--seeds", "0"], "--seeds", "0"),
    (["--jobs", "0"], "--jobs", "0"),
    (["--jobs", "two"], "--jobs", "two"),
])
def test_regress_rejects_bad_values(args, option, value, tmp_path, capsys, monkeypatch):
    def no_simulation(*a, **k):
        raise AssertionError("the regression started a simulator")
    monkeypatch.setattr(toolchain, "build_and_test", no_simulation)
    code, text = run_cli([*args, "--out", str(tmp_path / "r")], capsys, main=regress.main)
    assert code == 2, text
    assert_one_line(text, "error: argument " + option, value)


def test_project_error_at_run_time_is_one_line_exit_1(tmp_path, capsys, monkeypatch):
    def fails(sc):
        raise DriverError("S2MM_CURDESC 0x880008000 does not fit a 32-bit engine")
    monkeypatch.setattr(cli, "run_model", fails)
    argv = ["run", "--backend", "model", "--out", str(tmp_path)]
    code, text = run_cli(argv, capsys)
    assert code == 1
    assert_one_line(text, "sgdma-sim run: error:", "0x880008000 does not fit")
    with pytest.raises(DriverError):       # --debug: the traceback, after the sub-command or before it
        cli.main(argv + ["--debug"])
    with pytest.raises(DriverError):
        cli.main(["--debug"] + argv)


def test_unexpected_error_is_one_line_and_says_internal(tmp_path, capsys, monkeypatch):
    def fails(sc):
        raise KeyError("timeline")
    monkeypatch.setattr(cli, "run_model", fails)
    code, text = run_cli(["run", "--backend", "model", "--out", str(tmp_path)], capsys)
    assert code == 1
    assert_one_line(text, "internal error: KeyError", "--debug")


def _fake_rtl(monkeypatch, report: dict | None, log_text: str):
    """build_and_test as if the simulation ran: writes its log and (optionally) its report."""
    def fake(test_module, sim, parameters=None, config=None, test_dir=None, log_file=None, **kw):
        Path(log_file).write_text(log_text)
        if report is not None:
            config.report.write_text(json.dumps(report))
        raise RuntimeError("Command failed with return code: 1")
    monkeypatch.setattr(toolchain, "build_and_test", fake)


def test_rtl_failure_shows_the_reported_cause(tmp_path, capsys, monkeypatch):
    _fake_rtl(monkeypatch, {"error": "DriverError: irq_threshold 0 outside 1..255"}, "lots of INFO\n")
    code, text = run_cli(["run", "--backend", "rtl", "--out", str(tmp_path)], capsys)
    assert code == 1
    last = text.strip().splitlines()[-1]
    assert last.startswith("sgdma-sim run: error: the RTL acquisition failed: DriverError: irq_threshold 0 outside 1..255")
    assert "sim.log" in last and "Traceback" not in text


def test_rtl_failure_without_report_shows_the_log_errors(tmp_path, capsys, monkeypatch):
    log = ("     0.00ns INFO     cocotb.regression   running sim_main.acquisition (1/1)\n"
           "Traceback (most recent call last):\n"
           '  File "x.py", line 3, in acquisition\n'
           "ValueError: physical range 0x1000+0x10 is outside RAM [0x0, 0x400)\n"
           "     1.00ns INFO     cocotb.regression   sim_main.acquisition failed\n")
    _fake_rtl(monkeypatch, None, log)
    code, text = run_cli(["run", "--backend", "rtl", "--out", str(tmp_path)], capsys)
    assert code == 1
    last = text.strip().splitlines()[-1]
    assert last.startswith("sgdma-sim run: error: the RTL simulation")
    assert "ValueError: physical range 0x1000+0x10 is outside RAM" in last
    assert "Traceback" not in text


def test_version_comes_from_the_package_metadata(capsys):
    code, text = run_cli(["--version"], capsys)
    assert code == 0
    assert text.strip() == f"sgdma-sim {metadata.version('sgdma')}"


@pytest.mark.parametrize("command", ["run", "sweep", "c-driver"])
def test_every_option_has_help_with_its_default(command):
    parser = cli.build_parser()
    # private: argparse offers no public list of a parser's sub-commands and actions
    p = parser._subparsers._group_actions[0].choices[command]  # private: as above
    for action in p._actions:  # private: as above
        if not action.option_strings or action.dest in ("help", "debug"):
            continue
        assert action.help, f"{command} {action.option_strings[0]} has no help"
        assert "default" in action.help or action.required, f"{command} {action.option_strings[0]}: {action.help}"


def test_command_line_end_to_end_has_no_traceback(tmp_path):
    """The installed entry points, as a user runs them."""
    for argv, needle in ((["-m", "sgdma_sim.cli", "run", "--irq-threshold", "0", "--out", str(tmp_path)],
                          "argument --irq-threshold: 0 is outside 1..255"),
                         (["-m", "sgdma_verif.regress", "--seed", "-5", "--out", str(tmp_path)],
                          "argument --seed: -5")):
        proc = subprocess.run([sys.executable, *argv], capture_output=True, text=True, cwd=REPO, timeout=120)
        assert proc.returncode == 2, proc.stderr
        assert_one_line(proc.stderr + proc.stdout, needle)
