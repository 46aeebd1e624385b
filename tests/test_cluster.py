"""sgdma_sim.cluster: jobs on Dask, one journal line each, retried once, resumed; the sweep's
table does not depend on the number of workers."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from sgdma_sim import cluster
from sgdma_sim.cli import main as cli_main


def square(x: int) -> int:
    return x * x


def always_fails(x: int) -> int:
    raise ValueError(f"job {x} cannot work")


def fails_once(marker: str) -> str:
    """Raises on its first call (leaving ``marker``), works on the second."""
    path = Path(marker)
    if not path.exists():
        path.write_text("tried")
        raise RuntimeError("first attempt fails")
    return "second attempt"


@pytest.fixture(scope="module")
def client():
    with cluster.connect(workers=2, processes=False) as c:   # threads: quick, and see this module
        yield c


def test_every_job_has_one_line_and_failures_are_reported(client, tmp_path):
    jobs = [cluster.Job(f"sq{i}", square, (i,)) for i in range(5)]
    jobs += [cluster.Job("bad", always_fails, (7,)), cluster.Job("flaky", fails_once, (str(tmp_path / "m"),))]
    seen = []
    s = cluster.run_jobs(client, jobs, tmp_path / "j.jsonl", progress=False, on_record=seen.append)
    lines = [json.loads(x) for x in (tmp_path / "j.jsonl").read_text().splitlines()]
    assert sorted(r["key"] for r in lines) == sorted(j.key for j in jobs) and len(seen) == len(jobs)
    by = {r["key"]: r for r in lines}
    assert [by[f"sq{i}"]["result"] for i in range(5)] == [0, 1, 4, 9, 16]
    assert by["bad"]["status"] == "failed" and "job 7 cannot work" in by["bad"]["error"]
    assert by["bad"]["attempts"] == 2, "retried once, then reported"
    assert by["flaky"]["status"] == "done" and by["flaky"]["result"] == "second attempt"
    assert by["flaky"]["attempts"] == 2
    assert (s.requested, s.done, s.failed, s.retried) == (7, 6, 1, 2)
    assert set(s.failed_jobs) == {"bad"} and "://" in s.scheduler and s.workers == 2


def test_resume_runs_only_what_is_not_done(client, tmp_path):
    journal = tmp_path / "j.jsonl"
    # done before (a result this run could not give: proves it is kept, not recomputed),
    # failed before (run again), and a line cut short by a crash
    journal.write_text(json.dumps({"key": "sq1", "status": "done", "result": -1}) + "\n"
                       + json.dumps({"key": "sq2", "status": "failed", "error": "x"}) + "\n" + '{"key": "sq3", "st')
    jobs = [cluster.Job(f"sq{i}", square, (i,)) for i in range(4)]
    s = cluster.run_jobs(client, jobs, journal, resume=True, progress=False)
    assert (s.requested, s.skipped, s.done, s.failed) == (4, 1, 4, 0)
    assert cluster.done_results(journal) == {"sq0": 0, "sq1": -1, "sq2": 4, "sq3": 9}
    s = cluster.run_jobs(client, jobs, journal, resume=False, progress=False)   # no --resume: start over
    assert s.skipped == 0 and cluster.done_results(journal)["sq1"] == 1


def test_job_keys_must_be_unique(client, tmp_path):
    with pytest.raises(ValueError, match="sq1 repeated"):
        cluster.run_jobs(client, [cluster.Job("sq1", square, (1,))] * 2, tmp_path / "j.jsonl", progress=False)


@pytest.mark.parametrize("workers,scheduler,env,message", [
    (0, None, None, "--workers: 0 is too small"),
    (-2, None, None, "--workers: -2 is negative"),
    (None, "localhost:8786", None, "--scheduler: 'localhost:8786' is not a scheduler address"),
    (None, None, "nonsense", "$DASK_SCHEDULER_ADDRESS: 'nonsense' is not a scheduler address"),
])
def test_bad_cluster_options_are_named(workers, scheduler, env, message, monkeypatch):
    monkeypatch.delenv(cluster.SCHEDULER_ENV, raising=False)
    if env:
        monkeypatch.setenv(cluster.SCHEDULER_ENV, env)
    problem = cluster.check_cluster_args(workers, scheduler)
    assert problem is not None and message in "argument {}: {} {}".format(*problem)
    monkeypatch.delenv(cluster.SCHEDULER_ENV, raising=False)
    assert cluster.check_cluster_args(2, "tcp://10.0.0.5:8786") is None


def test_a_scheduler_that_does_not_answer_is_a_clear_error():
    with pytest.raises(cluster.ClusterError, match="no Dask scheduler answers at tcp://127.0.0.1:9"):
        with cluster.connect("tcp://127.0.0.1:9", timeout="2s"):
            pass


def test_sweep_table_is_the_same_on_one_worker_and_on_two(tmp_path, capsys):
    argv = ["sweep", "--param", "buffers=2,4,8", "--param", "irq_latency=0,20000,2000000", "--buf-size", "8192",
            "--laps", "3", "--mode", "owned"]
    docs, csvs = [], []
    for n in (1, 2):
        out = tmp_path / f"w{n}"
        rc = cli_main(argv + ["--workers", str(n), "--out", str(out)])
        assert rc == 1, "the 2,000,000-clock latency points fail (and are reported, not dropped)"
        doc = json.loads((out / "sweep.json").read_text())
        assert doc["jobs"]["workers"] == n and doc["jobs"]["done"] == 9
        docs.append(doc["rows"])
        csvs.append((out / "sweep.csv").read_text())
    assert docs[0] == docs[1] and csvs[0] == csvs[1]
    assert [(r["buffers"], r["irq_latency"]) for r in docs[0]] == [(b, i) for b in (2, 4, 8) for i in (0, 20000, 2000000)]
    assert any(r["ok"] for r in docs[0]) and not all(r["ok"] for r in docs[0])
    printed = capsys.readouterr()
    assert "dashboard http" in printed.err
