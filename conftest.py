"""Progress lines for the cocotb testbenches in `make test`.

A testbench (a test under tb/) builds the RTL and runs a simulation for seconds to minutes, so
pytest's dots say nothing for long stretches.  Each testbench gets a line when it starts and one
when it ends, with its outcome and duration; unit tests keep the dots.  Under pytest-xdist the
lines come from the controlling process (the workers' reports carry their names), so they stay
readable with `-n 2`.

Options: ``--sims "icarus verilator"`` (the simulators the testbenches run on, default both)
and ``--full`` (every data width x address width); `make test` and `make test-full` pass them.
"""
from __future__ import annotations

import re

import pytest

from sgdma_verif import toolchain

TESTBENCH_DIR = "tb/"


class TestbenchProgress:
    """Writes the start and end lines (registered on the process that owns the terminal).

    pytest writes a dot (or F, s, ...) after each test report; ``dots_pending`` remembers that
    the terminal's cursor is after such a row, so a line of ours starts on a fresh line."""

    def __init__(self, config: pytest.Config):
        self.config = config
        self.dots_pending = False

    def _write(self, line: str) -> None:
        reporter = self.config.pluginmanager.get_plugin("terminalreporter")
        if reporter is not None:
            if self.dots_pending:
                reporter.write("\n")
            reporter.write_line(line)
            self.dots_pending = False

    @staticmethod
    def is_testbench(nodeid: str) -> bool:
        return nodeid.replace("\\", "/").startswith(TESTBENCH_DIR)

    def pytest_runtest_logstart(self, nodeid: str, location: tuple) -> None:
        if self.is_testbench(nodeid):
            self._write(f"testbench started  {nodeid}")

    @pytest.hookimpl(tryfirst=True)      # before the terminal reporter writes this report's dot
    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        # one end line: after the test body, or after a setup that failed or skipped it
        ends = report.when == "call" or (report.when == "setup" and not report.passed)
        if ends and self.is_testbench(report.nodeid):
            gateway = getattr(getattr(report, "node", None), "gateway", None)   # pytest-xdist
            worker = f" on {gateway.id}" if gateway is not None else ""
            self._write(f"testbench {report.outcome:8s} {report.nodeid} in {report.duration:.1f} s{worker}")
        if ends or not report.passed:
            self.dots_pending = True     # the terminal reporter writes a letter for this report


def pytest_addoption(parser: pytest.Parser) -> None:
    group = parser.getgroup("sgdma", "sgdma testbenches")
    group.addoption("--sims", default=" ".join(toolchain.SIMULATORS), metavar="NAMES",
                    help="simulators the testbenches run on, space or comma separated (default: %(default)s)")
    group.addoption("--full", action="store_true",
                    help="every data width x address width, not the representative subset")


def pytest_configure(config: pytest.Config) -> None:
    sims = [n for n in re.split(r"[\s,]+", config.getoption("--sims")) if n]
    try:
        toolchain.select_suite(sims, config.getoption("--full"))
    except ValueError as e:
        raise pytest.UsageError(str(e)) from None
    if not hasattr(config, "workerinput"):      # not inside a pytest-xdist worker
        config.pluginmanager.register(TestbenchProgress(config), "sgdma-testbench-progress")
