"""Errors of the simulation layer that a command reports in one line."""
from __future__ import annotations


class SimulationError(SystemExit):
    """A simulation that failed to build, run or report, with its cause (one line).

    A SystemExit, so that a script calling the runners ends with the message, not a traceback;
    ``sgdma-sim`` reports it in one line with exit status 1."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message

    def __str__(self) -> str:
        return self.message
