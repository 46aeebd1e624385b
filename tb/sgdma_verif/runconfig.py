"""The configuration of one cocotb run, handed from the runner side to the simulator side.

``toolchain.build_and_test`` writes a ``RunConfig`` as JSON into the test's run directory
(``run_config.json``) and points $SGDMA_RUN_CONFIG at it; the cocotb module reads it back with
``load_run_config``.  One object carries everything a run needs besides the RTL parameters:
the simulator's name, the acquisition scenario or the agreement cells, the regression seeds
and the files the run writes its report, progress and results to.

The file is strict: every field must be present with the right type, and no other field may
appear, so that a file written by another version fails with a message naming the field
rather than running with a default.  Without $SGDMA_RUN_CONFIG (a cocotb module run by hand)
the defaults below apply.
"""
from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any, Callable

from sgdma_sim.acquisition import Scenario

#: The one environment variable of the hand-off: the path of the JSON file.
CONFIG_ENV = "SGDMA_RUN_CONFIG"
#: The file's name inside the run directory.
CONFIG_FILE = "run_config.json"
#: Regression seeds when no configuration names any (a quick run by hand).
DEFAULT_SEEDS = (1, 2, 3)


class RunConfigError(ValueError):
    """A run configuration file that is missing, unreadable, or has a bad or missing field."""


@dataclass
class RunConfig:
    """What the cocotb side of one run needs to know (see the module docstring)."""

    sim: str = "rtl"                      # simulator name, as the reports show it
    scenario: Scenario | None = None      # acquisition_tb: the acquisition to run
    cells: list[Scenario] = field(default_factory=list)    # calibration_tb agree: the cells
    seeds: list[int] = field(default_factory=lambda: list(DEFAULT_SEEDS))   # test_regress
    report: Path | None = None            # acquisition_tb: the report (JSON)
    progress: Path | None = None          # acquisition_tb: bytes read so far (JSON)
    results: Path | None = None           # JSON lines the tests append (cases, cells, seeds, figures)
    cdriver: dict | None = None           # cdriver_tb: the C driver's settings (sgdma_sim.cdriver.CDriverConfig)

    def to_json(self) -> dict[str, Any]:
        doc = asdict(self)
        for name in ("report", "progress", "results"):
            doc[name] = None if doc[name] is None else str(doc[name])
        return doc

    def write(self, run_dir: Path) -> Path:
        """Writes the file into ``run_dir``; its path (for $SGDMA_RUN_CONFIG)."""
        path = Path(run_dir) / CONFIG_FILE
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(self.to_json(), indent=2) + "\n")
        return path

    def need(self, name: str) -> Any:
        """The value of field ``name``; RunConfigError when the run was given none."""
        value = getattr(self, name)
        if value is None:
            raise RunConfigError(f"run configuration field {name!r} is not set, and this test needs it")
        return value

    def append_result(self, record: dict, required: bool = False) -> None:
        """Appends ``record`` as one JSON line to ``results``; without that file, nothing, or
        with ``required`` a RunConfigError."""
        path = self.need("results") if required else self.results
        if path is not None:
            with open(path, "a") as fh:
                fh.write(json.dumps(record) + "\n")


# ------------------------------------------------------------------ reading, field by field
def _scenario(value: Any, name: str) -> Scenario:
    if not isinstance(value, dict):
        raise RunConfigError(f"field {name!r}: expected an object of Scenario fields, got {value!r}")
    known = {f.name for f in fields(Scenario)}
    unknown = sorted(set(value) - known)
    if unknown:
        raise RunConfigError(f"field {name!r}: unknown Scenario field(s) {', '.join(unknown)}")
    return Scenario(**value)


def _opt_scenario(value: Any, name: str) -> Scenario | None:
    return None if value is None else _scenario(value, name)


def _cells(value: Any, name: str) -> list[Scenario]:
    if not isinstance(value, list):
        raise RunConfigError(f"field {name!r}: expected a list of scenarios, got {value!r}")
    return [_scenario(v, f"{name}[{i}]") for i, v in enumerate(value)]


def _seeds(value: Any, name: str) -> list[int]:
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise RunConfigError(f"field {name!r}: expected a list of integers, got {value!r}")
    return list(value)


def _str(value: Any, name: str) -> str:
    if not isinstance(value, str) or not value:
        raise RunConfigError(f"field {name!r}: expected a non-empty string, got {value!r}")
    return value


def _opt_dict(value: Any, name: str) -> dict | None:
    if value is not None and not isinstance(value, dict):
        raise RunConfigError(f"field {name!r}: expected an object or null, got {value!r}")
    return value


def _opt_path(value: Any, name: str) -> Path | None:
    if value is None:
        return None
    return Path(_str(value, name))


_READERS: dict[str, Callable[[Any, str], Any]] = {
    "sim": _str, "scenario": _opt_scenario, "cells": _cells, "seeds": _seeds,
    "report": _opt_path, "progress": _opt_path, "results": _opt_path, "cdriver": _opt_dict,
}
assert set(_READERS) == {f.name for f in fields(RunConfig)}, "every RunConfig field needs a reader"


def from_json(doc: Any) -> RunConfig:
    """A RunConfig from its JSON form; RunConfigError naming a missing, unknown or bad field."""
    if not isinstance(doc, dict):
        raise RunConfigError(f"expected a JSON object, got {type(doc).__name__}")
    missing = [n for n in _READERS if n not in doc]
    if missing:
        raise RunConfigError(f"missing field(s) {', '.join(missing)}")
    unknown = sorted(set(doc) - set(_READERS))
    if unknown:
        raise RunConfigError(f"unknown field(s) {', '.join(unknown)} (fields: {', '.join(_READERS)})")
    return RunConfig(**{n: read(doc[n], n) for n, read in _READERS.items()})


def read_run_config(path: Path) -> RunConfig:
    """The RunConfig in the file ``path``; RunConfigError naming the file and the problem."""
    try:
        doc = json.loads(Path(path).read_text())
    except OSError as e:
        raise RunConfigError(f"run configuration {path}: cannot read it ({e.strerror})") from e
    except ValueError as e:
        raise RunConfigError(f"run configuration {path}: not JSON ({e})") from e
    try:
        return from_json(doc)
    except RunConfigError as e:
        raise RunConfigError(f"run configuration {path}: {e}") from e


def load_run_config() -> RunConfig:
    """The configuration of this run (cocotb side): the file $SGDMA_RUN_CONFIG names, or the
    defaults when it names none."""
    path = os.environ.get(CONFIG_ENV)
    return read_run_config(Path(path)) if path else RunConfig()
