"""make coverage's pieces without a simulator: the cocotb-coverage databases of two runs merge
into one with the union of their bins, the toggle figures with and without the per-signal
exclusions, and the checks on the exclusion list."""
from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from sgdma_verif import coverage, fcov


def _export(tmp: Path, name: str, calls: str) -> Path:
    """Sample in a fresh interpreter (the database is a per-process singleton) and export."""
    out = tmp / name
    out.mkdir()
    code = textwrap.dedent(f"""
        from pathlib import Path
        from sgdma_verif import fcov
        {calls}
        fcov.export(Path({str(out)!r}))
    """)
    subprocess.run([sys.executable, "-c", code], check=True)
    return out / fcov.EXPORT_NAME


def test_two_exported_databases_merge_into_the_union_of_their_bins(tmp_path):
    a = _export(tmp_path, "a", "fcov.sample_buffer(1, 0, 8, True, False); fcov.sample_error('data_slv', True, True)")
    b = _export(tmp_path, "b", "fcov.sample_buffer(1, 0, 8, True, False); fcov.sample_buffer(5000, 3, 8, False, True)")
    assert fcov.report(a).hit == 2 and fcov.report(b).hit == 2
    merged = fcov.merge([a, b], tmp_path / "functional.xml")
    assert (merged.total, merged.hit) == (120, 3)
    assert "sgdma.buffer.cross ('1B', 'aligned', 'backpressure', 'tail')" not in merged.missed
    assert "sgdma.buffer.cross ('up_to_64KiB', 'unaligned', 'smooth', 'cyclic')" not in merged.missed
    assert "sgdma.error.cross ('data_slv', 'backpressure', 'cyclic')" not in merged.missed
    text = (tmp_path / "functional.xml").read_text()
    assert "bin=\"('1B', 'aligned', 'backpressure', 'tail')\" hits=\"2\"" in text


def test_mm2s_bins():
    assert fcov.role(True, True) == "single" and fcov.role(True, False) == "first"
    assert fcov.role(False, False) == "middle" and fcov.role(False, True) == "last"
    assert fcov.mm2s_backpressure(True, False) == "tready" and fcov.mm2s_backpressure(True, True) == "both"
    assert fcov.sample_mm2s_buffer(1, 3, 8, "middle", "read", True) == ["mm2s", "1B", "middle", "cyclic", "unaligned",
                                                                         "read"]
    assert fcov.sample_mm2s_error("len_wrap", False, False) == ["mm2s_error", "len_wrap", "smooth", "tail"]
    with pytest.raises(ValueError, match="status_slv"):
        fcov.sample_mm2s_error("status_slv", True, False)
    with pytest.raises(ValueError, match="spanning"):
        fcov.sample_mm2s_buffer(10, 0, 8, "spanning", "none", False)


def test_merging_nothing_is_an_error(tmp_path):
    with pytest.raises(ValueError, match="no functional_coverage.xml"):
        fcov.merge([], tmp_path / "functional.xml")


def test_bins_of_a_sample():
    assert fcov.length_class(1, 8) == "1B" and fcov.length_class(7, 8) == "sub_beat"
    assert fcov.length_class(8, 8) == "sub_256B" and fcov.length_class(4095, 8) == "sub_4KiB"
    assert fcov.length_class(4096, 8) == "up_to_64KiB"
    assert fcov.sample_buffer(300, 12, 8, False, True) == ["sub_4KiB", "unaligned", "smooth", "cyclic", "none"]
    assert fcov.sample_error("fetch_dec", True, False) == ["-", "-", "backpressure", "tail", "fetch_dec"]
    with pytest.raises(ValueError, match="'fetch_bad'"):
        fcov.sample_error("fetch_bad", True, False)
    with pytest.raises(ValueError, match="buffer length 0"):
        fcov.length_class(0, 8)


def _key(**f: str) -> str:
    return "".join(f"\x01{k}\x02{v}" for k, v in f.items())


def _dat(tmp: Path) -> Path:
    pts = []
    for bit, hit in ((0, 3), (1, 0)):                 # cnt: one of two bits toggles
        for edge in ("0->1", "1->0"):
            pts.append((_key(f="/x/rtl/a.v", l="5", page="v_toggle/top", o=f"cnt[{bit}]:{edge}", h="top.u"), hit))
    for edge in ("0->1", "1->0"):                       # prot: constant
        pts.append((_key(f="/x/rtl/a.v", l="6", page="v_toggle/top", o=f"prot[0]:{edge}", h="top"), 0))
    pts.append((_key(f="/x/rtl/a.v", l="9", page="v_line/top", o="block", h="top"), 4))
    pts.append((_key(f="/x/rtl/a.v", l="10", page="v_line/top", o="else", h="top"), 0))
    pts.append((_key(f="/x/tb/t.v", l="1", page="v_toggle/t", o="clk:0->1", h="t"), 0))   # not rtl/: ignored
    path = tmp / "coverage.dat"
    path.write_text("# SystemC::Coverage-3\n" + "".join(f"C '{k}' {c}\n" for k, c in pts))
    return path


def test_toggle_figures_count_every_signal_and_report_exclusions_apart(tmp_path):
    cov = coverage.CodeCoverage()
    for k, v in coverage.parse_dat(_dat(tmp_path)).items():
        cov.add(k, v)
    assert set(cov.signals) == {"top.u.cnt", "top.prot"}
    s = coverage.summarize(cov, {"prot": "constant"})
    assert (s["toggle_points"], s["toggle_hit"], s["toggle_raw_pct"]) == (6, 2, 33.33)
    assert (s["toggle_pct"], s["excluded_toggle_points"]) == (50.0, 2)
    assert (s["line_points"], s["line_hit"], s["line_pct"]) == (2, 1, 50.0)
    assert s["untoggled_by_signal"] == {"top.prot": "2/2", "top.u.cnt": "2/4"}
    assert s["exclusions"] == {"prot": {"reason": "constant", "points": 2, "hit": 0}}


def test_the_exclusion_list_must_name_partly_untoggled_signals_with_a_reason():
    signals = {"top.prot": coverage.Signal(points=2, hit=0), "top.u.cnt": coverage.Signal(points=4, hit=4)}
    assert coverage.check_exclusions(signals, {"prot": "constant 0"}) == []
    problems = coverage.check_exclusions(signals, {"cnt": "wide", "gone": "old", "prot": " "})
    assert any("'cnt' toggles fully" in p for p in problems)
    assert any("'gone' is not a signal" in p for p in problems)
    assert any("'prot' has no reason" in p for p in problems)


def test_signal_name_of_a_toggle_point():
    assert coverage.signal_name("cnt_bytes[12]:0->1") == "cnt_bytes"
    assert coverage.signal_name("mem[3][7]:1->0") == "mem"
    assert coverage.signal_name("valid:0->1") == "valid"


def test_points_of_builds_with_other_parameters_share_their_key():
    a = "C '\x01f\x02/r/rtl/s.v\x01l\x0271\x01page\x02v_toggle/sgdma_status_wr__A40_CB81\x01o\x02w[1]:0->1\x01h\x02top' 3"
    b = "C '\x01f\x02/r/rtl/s.v\x01l\x0271\x01page\x02v_toggle/sgdma_status_wr\x01o\x02w[1]:0->1\x01h\x02top' 0"
    assert coverage.same_page(a) == a.replace("__A40_CB81", "").replace("' 3", "' 3")
    assert coverage.same_page(b) == b
    assert coverage.same_page(a).rsplit(" ", 1)[0] == b.rsplit(" ", 1)[0]
