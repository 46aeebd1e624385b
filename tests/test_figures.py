"""The measured figures quoted in README.md and docs/ match the recorded JSON, and the generator
turns fresh benchmark and coverage records into those blocks."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from sgdma_verif import figures

REPO = Path(__file__).resolve().parent.parent


def test_every_block_matches_the_recorded_figures():
    recorded = figures.load_record(REPO / figures.RECORD)
    assert set(recorded) == set(figures.SOURCES), "docs/figures.json records every source"
    seen = set()
    for doc in figures.documents(REPO):
        text = doc.read_text()
        assert figures.stale_blocks(text, recorded) == [], f"{doc}: run make figures"
        seen |= {m.group("name") for m in figures.BLOCK.finditer(text)}
    assert seen == set(figures.TEMPLATES), "every generated block appears in the documents"
    readme = (REPO / "README.md").read_text()
    cov, syn = recorded["coverage"], recorded["synth"]
    flat = " ".join(readme.split())
    assert f"{cov['line_pct']:.1f} % line coverage" in flat and f"{syn['lut']:,} LUTs" in flat


def test_check_mode_passes_on_the_repository(capsys):
    assert figures.main(["--check", "--root", str(REPO)]) == 0


def _spread(median, lo, hi, n=5):
    return {"median": median, "min": lo, "max": hi, "n": n, "samples": [lo, median, hi]}


def _fresh_build(build: Path) -> None:
    """Benchmark and coverage records with made-up values, in the formats make bench and make
    coverage write."""
    (build / "bench").mkdir(parents=True)
    (build / "coverage").mkdir()
    rows = [{"data_width": dw, "desc_bytes": size, "b_latency": lat, "efficiency": eff,
             "w_efficiency": round(eff + 0.001, 4), "tail_to_fetch_cycles": 1,
             "tvalid_to_awvalid_cycles": 3, "gap_cycles": 0.0, "gap_max_cycles": 2 if size >= 1024 else 9}
            for dw in (32, 64) for size, lat, eff in ((64, 0, 0.9111), (1024, 0, 0.9922), (10000, 0, 0.9933),
                                                      (10000, 32, 0.9944), (64, 32, 0.7666), (65536, 0, 0.9955))]
    (build / "bench" / "rtl_throughput.json").write_text(json.dumps({"simulator": "verilator", "results": rows}))
    (build / "bench" / "synth.json").write_text(json.dumps(
        {"lut": 1234, "ff": 2345, "target_lut": 1800, "flow": "yosys synth_xilinx -flatten -abc9 -family xc7"}))
    (build / "bench" / "ring.json").write_text(json.dumps(
        {"view_vs_plain_ratio": _spread(0.93, 0.71, 1.12, 15), "wrap_view_vs_plain_ratio": _spread(0.88, 0.8, 0.97, 15),
         "map_16x4MiB_ms": _spread(1.31, 1.2, 2.5, 9)}))
    (build / "bench" / "model.json").write_text(json.dumps(
        {"seed_scenario_wall_s": _spread(0.41, 0.39, 0.52), "seed_scenario_bytes": 256 << 20,
         "speedup": _spread(3210.0, 2900.0, 3333.0, 3), "rtl_simulator": "verilator",
         "calibration_cycle_errors": {"dw64/small_64B": 0.004, "dw32/backpressure": 0.0173, "dw64/idle": 0.008}}))
    rows = [{"case": f"{n}x4KiB", "buffers": n, "buf_size": 4096, "bytes": n * 4096, "cycles": n * 512,
             "descriptors": n, "wall_s": _spread(w, w * 0.9, w * 1.2), "cpu_s": _spread(w, w, w)}
            for n, w in ((1024, 0.031), (4096, 0.125), (16384, 0.5), (65536, 1.875))]
    rows.append({"case": "seed_16x4MiB", "buffers": 16, "buf_size": 4 << 20, "bytes": 256 << 20, "cycles": 67_000_000,
                 "descriptors": 64, "wall_s": _spread(0.25, 0.2, 0.5), "cpu_s": _spread(0.25, 0.2, 0.5)})
    (build / "bench" / "scale.json").write_text(json.dumps(
        {"rows": rows, "seed_target_s": 0.27, "scale_target_s": 2.0}))
    rows = [{"data_width": dw, "fmax_mhz": _spread(f, f - 1.5, f + 2.25, 3), "lut4": lut, "ff": 1400 + dw,
             "ccu2c": 300, "ebr": 0, "dsp": 0, "logic_levels_by_seed": {"1": lv, "2": lv + 1, "3": lv},
             "worst_path": {"levels": lv, "start_signal": "u_mover.cd_rem", "end_signal": "u_mover.pad_mode (LSR)"},
             "netlist_levels": {"max": lv + 2, "endpoints_by_levels": {"0": 100, str(lv + 2): 3},
                                "deepest": [{"register": "u_fetch.restart", "pin": "LSR", "levels": lv + 2}]}}
            for dw, f, lut, lv in ((32, 61.25, 1500, 9), (64, 57.5, 1671, 11), (128, 50.0, 2100, 12))]
    rows.append({**rows[1], "channels": "s2mm+mm2s", "fmax_mhz": _spread(52.5, 51.0, 54.0, 3), "lut4": 3456})
    (build / "bench" / "pnr.json").write_text(json.dumps(
        {"device": "LFE5U-85F-6", "target_mhz": 125.0, "seeds": [1, 2, 3], "rows": rows,
         "comb_port_paths": [{"src": "m_axi_s2mm_wready", "dst": "s_axis_s2mm_tready"},
                             {"src": "s_axi_lite_wvalid", "dst": "s_axi_lite_wready"}]}))
    (build / "coverage" / "summary.json").write_text(json.dumps(
        {"line_pct": 98.11, "toggle_raw_pct": 91.37, "toggle_pct": 95.69, "excluded_signals": 7,
         "excluded_toggle_points": 4686, "functional_bins_hit": 63, "functional_bins_total": 64}))


@pytest.fixture
def checkout(tmp_path) -> Path:
    """A copy of the documents (no record yet), to run the generator on."""
    root = tmp_path / "repo"
    (root / "docs").mkdir(parents=True)
    shutil.copy(REPO / "README.md", root / "README.md")
    for p in (REPO / "docs").glob("*.md"):
        shutil.copy(p, root / "docs" / p.name)
    return root


def test_generator_writes_fresh_figures_into_the_blocks(tmp_path, checkout, capsys):
    build = tmp_path / "build"
    _fresh_build(build)
    assert figures.main(["--build", str(build), "--root", str(checkout)]) == 0
    readme = (checkout / "README.md").read_text()
    flat = " ".join(readme.split())
    for text in ("1,234 LUTs and 2,345 flip-flops", "efficiency 0.9933 for 10,000-byte buffers", "0.9944 with a 32", "latency 0.7676 while",
                 "0.93x (0.71-1.12x over 15 interleaved rounds)", "1.31 ms (1.20-2.50 ms, 9 runs)",
                 "0.25 s (0.20-0.50 s, 5 runs; the hardware needs 0.27 s)",
                 "65,536 buffers of 4 KiB in 1.88 s (1.69-2.25 s)", "3,210x (2,900-3,333x, 3 interleaved rounds)",
                 "1.73 % (32-bit, backpressure", "98.1 % line coverage", "91.4 % toggle coverage counting every signal",
                 "95.7 % without the 7 signals, 4,686 toggle points, excluded",
                 "63 of 64 functional bins", "at most 2 idle W clocks", "first AW 3 clocks",
                 "64-bit data 57.5 MHz (56.0-59.8 MHz), 1,671 LUT4, 1,464 FF, 11 logic levels",
                 "`u_mover.cd_rem` to `u_mover.pad_mode (LSR)`", "128-bit data 50.0 MHz (48.5-52.2 MHz), 2,100 LUT4",
                 "64-bit data with both channels 52.5 MHz (51.0-54.0 MHz), 3,456 LUT4",
                 "2 combinational input-to-output port paths (`m_axi_s2mm_wready -> s_axis_s2mm_tready`"):
        assert text in flat, text
    fast = (checkout / "docs" / "fast-model.md").read_text()
    flat_fast = " ".join(fast.split())
    assert "3,210x (2,900-3,333x over 3 interleaved rounds)" in flat_fast
    assert "takes 0.250 s (0.200-0.500 s; CPU time 0.250 s), 268 million simulated clocks per second" in flat_fast
    for line in ("| 1,024 | 1,024 | 0.03 | 0.03-0.04 | 0.03 |", "| 65,536 | 65,536 | 1.88 | 1.69-2.25 | 1.88 |"):
        assert line in fast.splitlines(), line
    arch = (checkout / "docs" / "architecture.md").read_text().splitlines()
    assert ("| 64 | S2MM | 57.5 | 56.0-59.8 | 1,671 | 1,464 | 300 | 0 | 0 | 11 (12) | 13 | `u_mover.cd_rem` | "
            "`u_mover.pad_mode (LSR)` |") in arch
    assert ("| 64 | S2MM, MM2S | 52.5 | 51.0-54.0 | 3,456 | 1,464 | 300 | 0 | 0 | 11 (12) | 13 | `u_mover.cd_rem` | "
            "`u_mover.pad_mode (LSR)` |") in arch
    assert any(x.startswith("Combinational input-to-output port paths (2): `m_axi_s2mm_wready -> s_axis_s2mm_tready`")
               for x in arch)
    assert "0.93x (0.71-1.12x)" in " ".join((checkout / "docs" / "driver-model.md").read_text().split())
    record = json.loads((checkout / figures.RECORD).read_text())
    assert record["synth"]["lut"] == 1234 and record["synth"]["file"] == "build/bench/synth.json"
    assert record["coverage"]["line_pct"] == 98.11
    assert figures.main(["--check", "--root", str(checkout)]) == 0
    # a figure typed by hand into a block is caught
    assert "1,234 LUTs" in readme
    (checkout / "README.md").write_text(readme.replace("1,234 LUTs", "1,721 LUTs"))
    capsys.readouterr()
    assert figures.main(["--check", "--root", str(checkout)]) == 1
    assert "README.md: readme" in capsys.readouterr().err


def test_fresh_process_timings_of_the_targets_are_quoted(tmp_path, checkout):
    build = tmp_path / "build"
    _fresh_build(build)
    path = build / "bench" / "scale.json"
    doc = json.loads(path.read_text())
    doc["fresh_process"] = [
        {"case": "65536x4KiB", "wall_s": _spread(2.5, 2.25, 3.0, 3), "cpu_s": _spread(2.4, 2.2, 2.9, 3),
         "target_s": 2.0, "meets_target": False},
        {"case": "seed_16x4MiB", "wall_s": _spread(0.21, 0.2, 0.23, 3), "cpu_s": _spread(0.2, 0.19, 0.22, 3),
         "target_s": 0.27, "meets_target": True}]
    doc["machine"] = {"cpus": 2, "load_avg_1min": [0.25, 1.5]}
    path.write_text(json.dumps(doc))
    assert figures.main(["--build", str(build), "--root", str(checkout)]) == 0
    flat = " ".join((checkout / "docs" / "fast-model.md").read_text().split())
    assert ("median and range of 3 interleaved rounds): 65,536 buffers of 4 KiB 2.500 s (2.250-3.000 s; CPU "
            "2.400 s), target 2.0 s not met; the seed scenario 0.210 s (0.200-0.230 s; CPU 0.200 s), target 0.27 s "
            "met. The machine's "
            "load average was 0.25 before the runs and 1.5 after, on 2 CPUs") in flat
    assert figures.main(["--check", "--root", str(checkout)]) == 0


def test_a_source_not_measured_keeps_its_recorded_figures(tmp_path, checkout, capsys):
    build = tmp_path / "build"
    _fresh_build(build)
    assert figures.main(["--build", str(build), "--root", str(checkout)]) == 0
    before = json.loads((checkout / figures.RECORD).read_text())["coverage"]
    (build / "coverage" / "summary.json").unlink()
    (build / "bench" / "synth.json").write_text(json.dumps({"lut": 1500, "ff": 2000, "target_lut": 1800, "flow": "y"}))
    capsys.readouterr()
    assert figures.main(["--build", str(build), "--root", str(checkout)]) == 0
    out = capsys.readouterr().out
    assert "coverage: " in out and "not found, kept the recorded figures (make coverage refreshes them)" in out
    after = json.loads((checkout / figures.RECORD).read_text())
    assert after["coverage"] == before and after["synth"]["lut"] == 1500
    flat = " ".join((checkout / "README.md").read_text().split())
    assert "1,500 LUTs" in flat and "98.1 % line coverage" in flat
    # with neither a record nor the file, the generator says what to run
    (checkout / figures.RECORD).unlink()
    assert figures.main(["--build", str(build), "--root", str(checkout)]) == 1
    assert "run make coverage first" in capsys.readouterr().err


def test_bad_records_name_the_file(tmp_path, checkout, capsys):
    build = tmp_path / "build"
    _fresh_build(build)
    assert figures.main(["--build", str(build), "--root", str(checkout)]) == 0
    (build / "bench" / "synth.json").write_text("{not json")
    assert figures.main(["--build", str(build), "--root", str(checkout)]) == 1
    assert "synth.json" in capsys.readouterr().err
    _spreadless = {"view_vs_plain_ratio": 0.92, "wrap_view_vs_plain_ratio": 0.9, "map_16x4MiB_ms": 1.3}
    (build / "bench" / "synth.json").write_text(json.dumps({"lut": 1, "ff": 1, "target_lut": 1, "flow": "x"}))
    (build / "bench" / "ring.json").write_text(json.dumps(_spreadless))
    assert figures.main(["--build", str(build), "--root", str(checkout)]) == 1
    assert "view_vs_plain_ratio: expected a measured spread" in capsys.readouterr().err
    # nothing was written on failure
    assert figures.main(["--check", "--root", str(checkout)]) == 0


def test_unmatched_markers_are_an_error(tmp_path, checkout, capsys):
    build = tmp_path / "build"
    _fresh_build(build)
    assert figures.main(["--build", str(build), "--root", str(checkout)]) == 0
    (checkout / "docs" / "fast-model.md").write_text("<!-- figures:begin fast-model -->\nno end\n")
    assert figures.main(["--check", "--root", str(checkout)]) == 1
    assert "unmatched figures markers" in capsys.readouterr().err


def test_a_scale_record_without_a_spread_is_refused(tmp_path, checkout, capsys):
    """scale.json as an older bench wrote it (runs, no n): the generator names the file."""
    build = tmp_path / "build"
    _fresh_build(build)
    doc = json.loads((build / "bench" / "scale.json").read_text())
    for r in doc["rows"]:
        r["wall_s"] = {"median": 1.0, "min": 1.0, "max": 1.0, "runs": 3}
    (build / "bench" / "scale.json").write_text(json.dumps(doc))
    assert figures.main(["--build", str(build), "--root", str(checkout)]) == 1
    err = capsys.readouterr().err
    assert "scale.json: cannot read the scale figures" in err and "wall_s" in err
