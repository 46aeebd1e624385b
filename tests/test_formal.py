"""The formal flow (sgdma_verif.formal): job files, log reading, seeded-bug patches, and one
real proof and one real seeded bug on the register slave (a few seconds each).

The long bounded checks and the other seeded bugs run in `make formal`.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest

from sgdma_verif import formal

LOG_INDUCTION_FAIL = """\
SBY  6:02:38 [s2mm] summary: engine_0 (smtbmc yices) returned pass for basecase
SBY  6:02:38 [s2mm] summary: engine_0 (smtbmc yices) returned FAIL for induction
SBY  6:02:38 [s2mm] summary: counterexample trace [induction]: s2mm/engine_0/trace_induct.vcd
SBY  6:02:38 [s2mm] summary:   failed assertion top.chk._witness_.a1 at axi4_master_check.sv:192.21-192.48
SBY  6:02:38 [s2mm] DONE (UNKNOWN, rc=4)
"""
LOG_BMC_FAIL = """\
SBY  6:10:01 [bug] summary: engine_0 (smtbmc yices) returned FAIL
SBY  6:10:01 [bug] summary: counterexample trace: bug/engine_0/trace.vcd
SBY  6:10:01 [bug] summary:   failed assertion top.chk._witness_.a2 at axil_slave_check.sv:90.21-90.60
SBY  6:10:01 [bug] DONE (FAIL, rc=2)
"""


def test_parse_log_reads_verdict_property_and_trace() -> None:
    verdict, failed, trace = formal.parse_log(LOG_BMC_FAIL)
    assert verdict == "FAIL"
    assert failed == ["axil_slave_check.sv:90.21-90.60 (top.chk._witness_.a2)"]
    assert trace == "bug/engine_0/trace.vcd"
    assert formal.parse_log("no summary at all")[0] == "ERROR"


def test_induction_counterexample_is_unknown_not_fail() -> None:
    verdict, failed, _ = formal.parse_log(LOG_INDUCTION_FAIL)
    assert formal.classify("prove", verdict, failed, LOG_INDUCTION_FAIL)[0] == "unknown"
    assert formal.classify("bmc", "FAIL", failed, LOG_BMC_FAIL) == ("fail", "counterexample")
    assert formal.classify("prove", "PASS", [], "") == ("pass", "k-induction")
    assert formal.classify("bmc", "PASS", [], "") == ("unknown", "unknown/bmc")
    assert formal.classify("cover", "PASS", [], "") == ("pass", "covered")
    # a run without a verdict, or a failure naming no property, is an error, never a catch
    assert formal.classify("bmc", "ERROR", [], "Traceback") == ("fail", "error")
    assert formal.classify("bmc", "FAIL", [], "") == ("fail", "error")
    res = formal.Result("b", "bmc", "fail", formal.ENGINE, 4, 0.1, [], "error")
    assert not formal.caught(res)


def test_sby_text_names_every_rtl_and_property_file() -> None:
    job = formal.job_by_name("s2mm")
    text = formal.sby_text(job, formal.RTL_DIR)
    for path in formal.RTL_DIR.glob("*.v"):
        assert f"rtl/{path.name}" in text
    for path in formal.FORMAL_DIR.glob("*.sv"):
        assert path.name in text
    assert "-DCHECK_S2MM" in text and f"prep -top {formal.TOP}" in text
    assert "mode bmc" in formal.sby_text(job, formal.RTL_DIR, mode="bmc", depth=3)


def test_probes_are_connected_only_where_read_and_name_rtl_nets() -> None:
    """The invariant jobs connect the probes their groups read (after flattening, before any
    undriven net is made free); port-only jobs connect none.  Every probe's net names a
    signal that exists in rtl/ (a renamed net would otherwise fail only at run time)."""
    s2mm = formal.sby_text(formal.job_by_name("s2mm"), formal.RTL_DIR)
    lite = formal.sby_text(formal.job_by_name("lite"), formal.RTL_DIR)
    assert "connect -nounset -set p_m_out_cnt dut.u_mover.out_cnt" in s2mm
    assert "memory_map" in s2mm and "memory_map" not in lite
    assert "connect" not in lite
    lines = s2mm.splitlines()
    assert lines.index("flatten") < min(i for i, l in enumerate(lines) if l.startswith("connect"))
    rtl = " ".join(p.read_text() for p in formal.RTL_DIR.glob("*.v"))
    idents = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", rtl))
    for probe, net, groups in formal.PROBES:
        assert groups and all(g.startswith(("INV_", "COVER_")) for g in groups), probe
        name = net.split(".")[-1].split("[")[0]
        assert name in idents, f"probe {probe}: {net} names no signal of rtl/"


def test_at_least_six_proofs_cover_every_port() -> None:
    proofs = [j for j in formal.JOBS if j.mode == "prove"]
    assert len(proofs) >= 6
    assert {"s_axi_lite", "s_axis_s2mm", "m_axi_sg", "m_axi_s2mm"} <= \
        {p for j in proofs for p in j.interfaces}
    assert {"bytes", "buffer"} <= {j.name for j in proofs}


def test_every_job_and_interface_is_named() -> None:
    ports = {p for j in formal.JOBS for p in j.interfaces}
    assert {"s_axi_lite", "s_axis_s2mm", "m_axi_sg", "m_axi_s2mm"} <= ports
    assert {b.job for b in formal.BUGS} <= {j.name for j in formal.JOBS}
    with pytest.raises(ValueError, match="'proof'"):
        formal.Job("x", "proof", 4, (), (), "")
    with pytest.raises(KeyError, match="nosuch"):
        formal.job_by_name("nosuch")


@pytest.mark.parametrize("bug", formal.BUGS, ids=lambda b: b.name)
def test_seeded_bug_patch_applies_once(bug: formal.Bug, tmp_path: Path) -> None:
    rtl = formal.patch_rtl(bug, tmp_path)
    patched = (rtl / bug.file).read_text()
    original = (formal.RTL_DIR / bug.file).read_text()
    assert patched != original and bug.new in patched


def test_seeded_bug_patch_that_does_not_match_is_refused(tmp_path: Path) -> None:
    bad = formal.Bug("stale", "lite", "sgdma_regs.v", "no such text", "x", "stale", 4)
    with pytest.raises(ValueError, match="stale.*occurs 0 times"):
        formal.patch_rtl(bad, tmp_path)


def test_register_slave_proves_and_its_seeded_bug_fails(tmp_path: Path) -> None:
    good = formal.run_job(formal.job_by_name("lite"), tmp_path)
    assert (good.status, good.proof) == ("pass", "k-induction"), good.log
    bug = next(b for b in formal.BUGS if b.name == "lite_bvalid_dropped")
    bad = formal.run_bug(bug, tmp_path)
    assert bad.status == "fail" and formal.caught(bad), bad.log
    assert any("axil_slave_check.sv" in f for f in bad.failed)
    assert Path(bad.trace).is_file()
