"""The regression on Dask (sgdma_verif.regress): a worker killed in the middle of a seed loses
nothing, and --resume runs only the seeds not yet done."""
from __future__ import annotations

import json
import os
import signal
import threading
import time

import pytest

from sgdma_verif import regress
from sgdma_verif.toolchain import selected_simulators


def _lines(path):
    return [json.loads(x) for x in path.read_text().splitlines() if x.strip()] if path.exists() else []


def _kill_first_worker(journal, killed: list, stop: threading.Event) -> None:
    """When the first seed is in, waits a second (its worker has started its next seed) and
    kills that worker's process."""
    while not stop.is_set():
        done = [r for r in _lines(journal) if r.get("status") == "done"]
        if done:
            time.sleep(1.0)
            os.kill(done[0]["pid"], signal.SIGKILL)
            killed.append(done[0]["pid"])
            return
        time.sleep(0.1)


@pytest.mark.parametrize("sim", selected_simulators())
def test_a_killed_worker_loses_no_seed(sim, tmp_path):
    out = tmp_path / "regress"
    killed: list[int] = []
    stop = threading.Event()
    watcher = threading.Thread(target=_kill_first_worker, args=(out / regress.JOURNAL, killed, stop))
    watcher.start()
    try:
        rc = regress.main(["--seeds", "5", "--seed", "900", "--jobs", "2", "--sim", sim, "--out", str(out),
                           "--no-progress"])
    finally:
        stop.set()
        watcher.join()
    assert killed, "no worker was killed"
    journal = _lines(out / regress.JOURNAL)
    assert sorted(r["key"] for r in journal) == [f"seed{s}" for s in range(900, 905)], "one line per seed"
    assert all(r["status"] == "done" for r in journal)
    retried = [r for r in journal if r["attempts"] > 1]
    assert retried, "the seed the killed worker was running was not retried"
    assert all(r["pid"] != killed[0] for r in retried), "a retried seed finished on the dead worker"
    rows = _lines(out / "results.jsonl")
    assert [r["seed"] for r in rows] == list(range(900, 905)), "every seed exactly once, in order"
    summary = json.loads((out / "summary.json").read_text())
    assert (summary["requested"], summary["done"], summary["failed"]) == (5, 5, 0)
    assert summary["retried"] == len(retried) >= 1 and summary["workers"] == 2
    assert summary["scheduler"].startswith("tcp://") and summary["missing_seeds"] == []
    assert rc == 0 and summary["seeds"] == 5 and summary["descriptors"] >= 5 * 40


@pytest.mark.parametrize("sim", selected_simulators()[:1])
def test_resume_skips_the_seeds_already_done(sim, tmp_path):
    out = tmp_path / "regress"
    out.mkdir()
    # seeds 900 and 901 as an earlier run left them (a mark no simulation writes shows they are kept)
    earlier = [{"seed": s, "descriptors": 50, "bytes": 1000, "mismatches": 0, "protocol_violations": 0,
                "hangs": 0, "out_of_bounds_writes": 0, "scenario": {}, "fcov": [], "kept": True}
               for s in (900, 901)]
    (out / regress.JOURNAL).write_text("".join(json.dumps({"key": f"seed{r['seed']}", "status": "done",
                                                           "result": r}) + "\n" for r in earlier))
    rc = regress.main(["--seeds", "3", "--seed", "900", "--jobs", "1", "--sim", sim, "--out", str(out),
                       "--resume", "--no-progress"])
    summary = json.loads((out / "summary.json").read_text())
    assert rc == 0 and (summary["requested"], summary["skipped"], summary["done"]) == (3, 2, 3)
    rows = _lines(out / "results.jsonl")
    assert [r["seed"] for r in rows] == [900, 901, 902]
    assert [r.get("kept", False) for r in rows] == [True, True, False], "a done seed was run again"
    assert rows[2]["descriptors"] >= 40 and "pid" in _lines(out / regress.JOURNAL)[-1]
