"""The run configuration (sgdma_verif.runconfig) and the budget of SGDMA_* environment variables.

A run's configuration goes from the runner side to the cocotb side as one JSON file; it must
come back equal, and a file with a missing, unknown or badly typed field must fail with a
message naming that field.  Apart from that file's path, at most a few environment variables
may carry anything between the two sides: the budget test counts the SGDMA_* names that the
project's Python files, Makefile, pyproject.toml and scripts (scripts/, .ci/) use (register
and macro names from regmap excluded) and fails above ENV_BUDGET.
"""
from __future__ import annotations

import json
import re
from dataclasses import fields
from pathlib import Path

import pytest

from sgdma_driver import regmap
from sgdma_sim.acquisition import Scenario
from sgdma_verif import toolchain
from sgdma_verif.runconfig import (CONFIG_ENV, CONFIG_FILE, RunConfig, RunConfigError, from_json,
                                   load_run_config, read_run_config)

REPO = Path(__file__).resolve().parents[1]
ENV_BUDGET = 4
SKIP_DIRS = {".venv", "build", "sim_build", ".git", "__pycache__", "node_modules"}
_NAME = re.compile(r"\bSGDMA_[A-Z0-9_]*[A-Z0-9]\b")


def full_config() -> RunConfig:
    return RunConfig(sim="verilator", scenario=Scenario(buffers=4, buf_size=8192, mode="tail"),
                     cells=[Scenario(seed=3), Scenario(policy="drop", consumer="slow")], seeds=[7, 9],
                     report=Path("/tmp/r.json"), progress=Path("/tmp/p.json"), results=Path("/tmp/x.jsonl"))


# ------------------------------------------------------------------------------ round trip
def test_round_trip_through_the_file(tmp_path, monkeypatch):
    cfg = full_config()
    path = cfg.write(tmp_path)
    assert path == tmp_path / CONFIG_FILE
    assert read_run_config(path) == cfg
    monkeypatch.setenv(CONFIG_ENV, str(path))
    assert load_run_config() == cfg


def test_defaults_round_trip_and_apply_without_a_file(tmp_path, monkeypatch):
    assert read_run_config(RunConfig().write(tmp_path)) == RunConfig()
    monkeypatch.delenv(CONFIG_ENV, raising=False)
    assert load_run_config() == RunConfig()
    assert RunConfig().seeds == [1, 2, 3] and RunConfig().results is None


def test_build_and_test_writes_the_config_with_its_simulator(tmp_path, monkeypatch):
    """The runner side: the file lands in the run directory, the cocotb side gets its path."""
    import cocotb_tools.runner

    calls = []

    class Runner:
        def build(self, **kw):
            pass

        def test(self, **kw):
            calls.append(kw)
            return Path(kw["test_dir"]) / "results.xml"

    monkeypatch.setattr(cocotb_tools.runner, "get_runner", lambda sim: Runner())
    monkeypatch.setattr(toolchain, "BUILD_DIR", tmp_path / "build")
    monkeypatch.delenv("SGDMA_LOG_DIR", raising=False)
    toolchain.build_and_test("x", "icarus", {}, test_dir=tmp_path / "run", config=RunConfig(seeds=[5]))
    path = Path(calls[-1]["extra_env"][CONFIG_ENV])
    assert path == tmp_path / "run" / CONFIG_FILE
    assert read_run_config(path) == RunConfig(sim="icarus", seeds=[5])


# ------------------------------------------------------------------------------ bad files
def doc(**change) -> dict:
    d = full_config().to_json()
    d.update(change)
    return d


@pytest.mark.parametrize("bad,words", [
    (doc(seeds="1,2"), ["'seeds'", "list of integers", "'1,2'"]),
    (doc(seeds=[1, True]), ["'seeds'", "list of integers"]),
    (doc(sim=""), ["'sim'", "non-empty string"]),
    (doc(report=5), ["'report'", "5"]),
    (doc(scenario=[1]), ["'scenario'", "Scenario"]),
    (doc(cells=[{"buffers": 4}, {"bufers": 4}]), ["'cells[1]'", "bufers"]),
    (doc(speed=3), ["unknown field", "speed"]),
    ({k: v for k, v in doc().items() if k != "results"}, ["missing field", "results"]),
    ([1, 2], ["JSON object", "list"]),
])
def test_bad_or_missing_field_is_named(bad, words, tmp_path):
    with pytest.raises(RunConfigError) as e:
        from_json(bad)
    for w in words:
        assert w in str(e.value), (w, str(e.value))
    path = tmp_path / CONFIG_FILE
    path.write_text(json.dumps(bad))
    with pytest.raises(RunConfigError, match=re.escape(str(path))):     # the file is named too
        read_run_config(path)


def test_missing_or_broken_file_is_named(tmp_path, monkeypatch):
    monkeypatch.setenv(CONFIG_ENV, str(tmp_path / "nowhere.json"))
    with pytest.raises(RunConfigError, match="nowhere.json.*cannot read"):
        load_run_config()
    (tmp_path / "broken.json").write_text("{")
    with pytest.raises(RunConfigError, match="broken.json.*not JSON"):
        read_run_config(tmp_path / "broken.json")


def test_a_field_the_test_needs_is_named(tmp_path):
    with pytest.raises(RunConfigError, match="'report'"):
        RunConfig().need("report")
    with pytest.raises(RunConfigError, match="'results'"):
        RunConfig().append_result({"a": 1}, required=True)
    RunConfig().append_result({"a": 1})        # optional: nothing written, no error
    out = tmp_path / "r.jsonl"
    cfg = RunConfig(results=out)
    cfg.append_result({"a": 1})
    cfg.append_result({"b": 2}, required=True)
    assert [json.loads(x) for x in out.read_text().splitlines()] == [{"a": 1}, {"b": 2}]


def test_every_field_is_written():
    assert set(RunConfig().to_json()) == {f.name for f in fields(RunConfig)}


# ------------------------------------------------------------------------------ env budget
def regmap_names() -> set[str]:
    """SGDMA_* names that are registers or generated macros, not environment variables."""
    return set(_NAME.findall(regmap.verilog_header())) | {n for n in regmap.REG if n.startswith("SGDMA_")}


def env_names(text: str) -> set[str]:
    """The SGDMA_* names in ``text`` that can be environment variables."""
    return set(_NAME.findall(text)) - regmap_names()


def budget_problem(text: str, budget: int = ENV_BUDGET) -> str | None:
    names = env_names(text)
    if len(names) <= budget:
        return None
    return f"{len(names)} SGDMA_* environment variables, more than {budget}: {', '.join(sorted(names))}"


def project_files() -> list[Path]:
    out = []
    for p in REPO.rglob("*"):
        if any(part in SKIP_DIRS or part.endswith(".egg-info") for part in p.relative_to(REPO).parts):
            continue
        if p.is_file() and (p.suffix in (".py", ".sh", ".toml") or p.name == "Makefile"
                            or p.parent.name in ("scripts", ".ci")):
            out.append(p)
    return out


def project_text() -> str:
    return "\n".join(p.read_text(errors="replace") for p in project_files())


def test_at_most_four_sgdma_environment_variables():
    text = project_text()
    assert {"Makefile", "bootstrap.sh", "run", "conftest.py"} <= {p.name for p in project_files()}
    assert CONFIG_ENV in env_names(text)              # the scan sees the project's own names
    assert budget_problem(text) is None, budget_problem(text)


def test_the_budget_check_counts_a_planted_name():
    text = project_text()
    base = env_names(text)
    planted = "SGDMA" + "_PLANTED_OUT"                 # spelt in two parts: not a name of this file
    extra = f'\nout = os.environ.get("{planted}")\n'
    assert env_names(text + extra) == base | {planted}
    assert env_names(text + '\nos.environ.get("SGDMA_XSTATUS")\n') == base   # a register: not counted
    many = "".join(f'os.environ["{planted}{i}"]\n' for i in range(ENV_BUDGET + 1))
    problem = budget_problem(text + many)
    assert problem is not None and planted + "0" in problem
