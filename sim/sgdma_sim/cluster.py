"""Runs a list of independent jobs on a Dask cluster, and never loses one.

Used by the regression (one job per seed), ``sgdma-sim sweep`` (one job per point) and the
coverage runs (one job per testbench run, the fault campaign among them).

- **Where**: by default a ``LocalCluster`` with one worker process per core and one thread per
  worker; ``--scheduler tcp://HOST:PORT`` (or $DASK_SCHEDULER_ADDRESS) sends the same jobs to
  an existing cluster (docs/scale-out.md).
- **Nothing lost**: each job's outcome is appended to a journal (one JSON line per job, flushed
  when the job completes); ``--resume`` skips the jobs the journal already has as done.  A job
  whose worker dies is run again on another worker, and a job that raises is retried once
  (``retries=1``); a job that fails twice (two exceptions, or two dead workers) is recorded as
  failed, never dropped.
- **Progress**: the dashboard address at the start, a progress bar with done/failed and the
  ETA, and a summary: jobs requested, done, failed, retried, skipped (already done), the
  scheduler address and the worker count.

A job's function must be importable on the workers (a module-level function of an installed
package); its arguments and result must pickle, and the result must be JSON (the journal).
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import re
import socket
import sys
import time
import uuid
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterator, Sequence

#: The environment variable naming an existing scheduler (Dask's own name for it).
SCHEDULER_ENV = "DASK_SCHEDULER_ADDRESS"
#: Retries of a job that raises (Dask ``retries``): a job runs at most twice.
RETRIES = 1
#: A job whose worker died this many times is rescheduled no more (Dask's allowed-failures):
#: with 1, the second death of a worker running it fails it.
ALLOWED_WORKER_DEATHS = 1


@dataclass(frozen=True)
class Job:
    """One unit of work: ``fn(*args)`` on a worker; ``key`` names it in the journal and must
    be unique in the list and the same on a rerun (``--resume`` matches on it)."""

    key: str
    fn: Callable[..., Any]
    args: tuple = ()


@dataclass
class Summary:
    """What a run of jobs did (``to_json`` goes into the callers' summary files)."""

    requested: int = 0
    done: int = 0
    failed: int = 0
    retried: int = 0
    skipped: int = 0          # already done in the journal (--resume): counted in done too
    scheduler: str = ""
    workers: int = 0
    dashboard: str = ""
    failed_jobs: dict[str, str] = field(default_factory=dict)   # key -> the last error
    wall_s: float = 0.0

    def to_json(self) -> dict:
        return asdict(self)


class ClusterError(RuntimeError):
    """No cluster to run on (a scheduler that does not answer, or bad cluster options)."""


# ------------------------------------------------------------------------------ options
def add_cluster_args(ap: argparse.ArgumentParser, workers_flags: Sequence[str] = ("--workers",)) -> None:
    """--scheduler, --workers (or ``workers_flags``; dest ``workers``) and --resume, the same on
    every command that fans out jobs."""
    ap.add_argument("--scheduler", default=None, metavar="tcp://HOST:PORT",
                    help=f"an existing Dask scheduler to send the jobs to (default: ${SCHEDULER_ENV} "
                         "if set, else a local cluster on this machine)")
    ap.add_argument(*workers_flags, dest="workers", type=int, default=None, metavar="N",
                    help="worker processes of the local cluster, >= 1 (default: one per core); "
                         "ignored with --scheduler")
    ap.add_argument("--resume", action="store_true",
                    help="keep the output directory's finished jobs and run only the others "
                         "(default: off, start over)")


_ADDRESS = re.compile(r"^[a-z][a-z0-9+]*://[^\s/:]+(:\d+)?/?$")


def check_cluster_args(workers: int | None, scheduler: str | None,
                       workers_flag: str = "--workers") -> tuple[str, str, str] | None:
    """What is wrong with --workers or --scheduler, as (option, value, reason); None when
    nothing is."""
    if workers is not None and workers < 1:
        return workers_flag, str(workers), f"is {'negative' if workers < 0 else 'too small'}: must be >= 1"
    address = scheduler_address(scheduler)
    if address is not None and not _ADDRESS.match(address):
        return ("--scheduler" if scheduler else f"${SCHEDULER_ENV}"), repr(address), \
            "is not a scheduler address like tcp://HOST:PORT"
    return None


def scheduler_address(given: str | None = None) -> str | None:
    """The scheduler to use: ``given``, else $DASK_SCHEDULER_ADDRESS, else None (local)."""
    return given or os.environ.get(SCHEDULER_ENV) or None


def default_workers() -> int:
    return max(1, len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1))


# ------------------------------------------------------------------------------ the cluster
@contextmanager
def connect(scheduler: str | None = None, workers: int | None = None,
            processes: bool = True, timeout: str = "20s") -> Iterator[Any]:
    """A ``distributed.Client``: on the scheduler at ``scheduler`` (or $DASK_SCHEDULER_ADDRESS),
    else on a new LocalCluster of ``workers`` processes (default one per core), one thread
    each, closed on exit.  ``processes=False`` runs the workers as threads of this process
    (tests that patch functions); ``timeout``: how long to try reaching the scheduler."""
    import dask
    from distributed import Client, LocalCluster

    address = scheduler_address(scheduler)
    settings = {"distributed.scheduler.allowed-failures": ALLOWED_WORKER_DEATHS,
                # one job per worker thread at a time: a dying worker takes only its own job with it
                "distributed.scheduler.worker-saturation": 1.0}
    with dask.config.set(settings):
        if address:
            try:
                client = Client(address, timeout=timeout)
            except (OSError, TimeoutError) as e:
                raise ClusterError(f"no Dask scheduler answers at {address}: {e}") from None
            try:
                yield client
            finally:
                client.close()
            return
        n = workers or default_workers()
        cluster = LocalCluster(n_workers=n, threads_per_worker=1, processes=processes,
                               dashboard_address=":0", silence_logs=logging.ERROR)
        client = Client(cluster)
        try:
            yield client
        finally:
            client.close()
            cluster.close()


def worker_slot() -> str:
    """A name for the worker this runs on, the same while the worker lives and for its restarts
    (the host and the Dask worker name), or this host and process outside a worker: the key of
    the worker's own simulator build directory, never shared by two workers at once."""
    try:
        from distributed import get_worker

        name = f"{socket.gethostname()}-w{get_worker().name}"
    except (ImportError, ValueError):
        name = f"{socket.gethostname()}-pid{os.getpid()}"
    return re.sub(r"[^A-Za-z0-9_.-]+", "_", name)


def _call(fn: Callable[..., Any], args: tuple) -> dict:
    """On the worker: the job, with where and how long it ran."""
    t0 = time.time()
    result = fn(*args)
    return {"result": result, "worker": worker_slot(), "pid": os.getpid(), "wall_s": round(time.time() - t0, 2)}


# ------------------------------------------------------------------------------ the journal
def read_journal(path: Path) -> dict[str, dict]:
    """The last record of each job in a journal (a missing file: none); a line cut short by a
    crash of the writer is ignored."""
    records: dict[str, dict] = {}
    try:
        lines = Path(path).read_text().splitlines()
    except FileNotFoundError:
        return records
    for line in lines:
        try:
            rec = json.loads(line)
        except ValueError:
            continue
        if isinstance(rec, dict) and "key" in rec:
            records[rec["key"]] = rec
    return records


def done_results(path: Path) -> dict[str, Any]:
    """key -> result of every job the journal has as done."""
    return {k: r["result"] for k, r in read_journal(path).items() if r.get("status") == "done"}


def run_jobs(client: Any, jobs: Sequence[Job], journal: Path, resume: bool = False, label: str = "jobs",
             progress: bool = True, on_record: Callable[[dict], None] | None = None) -> Summary:
    """Runs ``jobs`` on ``client``'s cluster, appending one flushed JSON line per finished job to
    ``journal`` ({"key", "status": "done"|"failed", "result"|"error", "attempts", "worker", ...});
    with ``resume`` the jobs already done there are skipped, else the journal starts empty.
    ``on_record`` sees each record as it is written.  Returns the summary."""
    from distributed import as_completed

    todo, summary = _start(client, jobs, Path(journal), resume, label)
    t0 = time.time()
    run = uuid.uuid4().hex[:8]        # Dask keys of this run: reruns never meet an old result
    futures = {client.submit(_call, j.fn, j.args, key=f"{j.key}-{run}", pure=False, retries=RETRIES): j
               for j in todo}
    bar = _bar(len(todo), label, progress)
    with open(journal, "a") as fh:
        for fut in as_completed(list(futures)):
            rec = _record(client, fut, futures[fut], summary)
            fh.write(json.dumps(rec) + "\n")
            fh.flush()
            os.fsync(fh.fileno())
            fut.release()
            if on_record:
                on_record(rec)
            if bar is not None:
                bar.set_postfix(done=summary.done, failed=summary.failed, refresh=False)
                bar.update(1)
    if bar is not None:
        bar.close()
    summary.wall_s = round(time.time() - t0, 1)
    print(f"{label}: {summary.done}/{summary.requested} done ({summary.skipped} from before), "
          f"{summary.failed} failed, {summary.retried} retried, {summary.wall_s} s on {summary.workers} "
          f"worker(s) of {summary.scheduler}", file=sys.stderr, flush=True)
    for key, error in summary.failed_jobs.items():
        print(f"{label}: {key} FAILED twice: {error}", file=sys.stderr, flush=True)
    return summary


def _start(client: Any, jobs: Sequence[Job], journal: Path, resume: bool, label: str) -> tuple[list[Job], Summary]:
    """The jobs still to run and the summary so far; prints the cluster and its dashboard."""
    keys = [j.key for j in jobs]
    if len(set(keys)) != len(keys):
        dup = sorted({k for k in keys if keys.count(k) > 1})
        raise ValueError(f"job keys must be unique: {', '.join(dup[:5])} repeated")
    journal.parent.mkdir(parents=True, exist_ok=True)
    done_before = set(done_results(journal)) if resume else set()
    if not resume:
        journal.write_text("")
    elif journal.exists() and not journal.read_bytes().endswith(b"\n") and journal.stat().st_size:
        with open(journal, "a") as fh:      # a line cut short by a crash: the next starts afresh
            fh.write("\n")
    todo = [j for j in jobs if j.key not in done_before]
    info = client.scheduler_info()
    summary = Summary(requested=len(jobs), skipped=len(jobs) - len(todo), done=len(jobs) - len(todo),
                      scheduler=client.scheduler.address, workers=len(info.get("workers", {})),
                      dashboard=client.dashboard_link or "")
    print(f"{label}: {len(jobs)} requested, {summary.skipped} already done, {len(todo)} to run on "
          f"{summary.workers} worker(s); scheduler {summary.scheduler}; dashboard {summary.dashboard}",
          file=sys.stderr, flush=True)
    if summary.workers == 0:
        print(f"{label}: no worker is connected to {summary.scheduler} yet; the jobs wait for one",
              file=sys.stderr, flush=True)
    return todo, summary


def _record(client: Any, fut: Any, job: Job, summary: Summary) -> dict:
    """The journal record of a finished future (counted in ``summary``)."""
    def attempts(dask_scheduler, keys):   # on the scheduler (pickled by value, needs no package)
        out = {}
        for k in keys:
            ts = dask_scheduler.tasks.get(k)
            out[k] = 1 if ts is None else 1 + int(ts.suspicious) + (RETRIES - int(ts.retries))
        return out

    try:
        tries = client.run_on_scheduler(attempts, keys=[fut.key])[fut.key]
    except Exception:  # noqa: BLE001 - the count is informative; the result is what matters
        tries = 1
    rec: dict[str, Any] = {"key": job.key, "attempts": tries}
    if fut.status == "finished":
        out = fut.result()
        rec.update(status="done", result=out["result"], worker=out["worker"], pid=out["pid"], wall_s=out["wall_s"])
        summary.done += 1
    else:
        try:
            err = fut.exception()
        except Exception as e:  # noqa: BLE001 - a cancelled future (the scheduler went away) has none
            err = e
        rec.update(status="failed", error=f"{type(err).__name__}: {err}")
        summary.failed += 1
        summary.failed_jobs[job.key] = rec["error"]
    summary.retried += tries > 1
    return rec


def _bar(total: int, label: str, enabled: bool):
    if not enabled or total == 0:
        return None
    from tqdm import tqdm

    return tqdm(total=total, desc=label, unit="job", file=sys.stderr, mininterval=1.0, dynamic_ncols=True)
