"""The acquisition report, its timeline and plot, the sweep's failed points, benchmark spread."""
from __future__ import annotations

import json

import numpy as np
import pytest

from sgdma_sim.acquisition import Scenario
from sgdma_verif.measure import interleaved, spread
from sgdma_sim.cli import main as cli_main
from sgdma_sim.model import ModelParams, run_scenario
from sgdma_sim.report import minmax_decimate, summary, timeline_arrays, timeline_figure
from sgdma_sim.sweep import cell, figure, run_sweep

KiB = 1024


@pytest.fixture(scope="module")
def default_run() -> dict:
    """`make sim`'s default scenario on the model: 8 x 64 KiB, 3 laps, fast reader."""
    return run_scenario(Scenario())


@pytest.fixture(scope="module")
def drop_run() -> dict:
    """A slow reader under DROP: about half the stream is dropped by the engine."""
    return run_scenario(Scenario(buffers=4, buf_size=16 * KiB, laps=6, consumer="slow", policy="drop"))


# ---------------------------------------------------------------- timeline
def test_timeline_reaches_the_end_of_the_run(default_run):
    rep = default_run
    tl = rep["timeline"]
    assert rep["ok"]
    assert tl["consumed"][-1] == rep["bytes"] == rep["bytes_read"], "the last release is on the plot"
    assert tl["written"][-1] == tl["sent"][-1] == rep["bytes"]
    assert tl["cycle"][-1] == tl["end_cycle"] == tl["start_cycle"] + rep["cycles"]
    a = timeline_arrays(rep)
    assert a["t"][-1] == pytest.approx(a["t_end"][0])


def test_timeline_engine_writes_continuously_and_occupancy_is_real(default_run):
    """The engine's bytes come from its write monitor, not from the driver's interrupt-time
    view: no step larger than a fraction of a buffer, and the ring holds data most of the time."""
    rep = default_run
    tl = rep["timeline"]
    written = np.asarray(tl["written"])
    assert np.all(np.diff(written) >= 0)
    assert np.max(np.diff(written)) <= rep["scenario"]["buf_size"] // 4
    # what the driver saw moves in steps of whole coalesced batches (IRQThreshold 4)
    assert np.max(np.diff(tl["produced"])) >= 4 * rep["scenario"]["buf_size"]
    a = timeline_arrays(rep)
    assert np.median(a["occupancy"]) > 10.0, "the ring is not empty most of the time at full rate"
    assert a["occupancy"].max() <= 100.0


def test_timeline_shows_the_lost_bytes(drop_run):
    rep = drop_run
    tl = rep["timeline"]
    assert rep["ok"] and rep["engine_dropped_bytes"] > rep["bytes"] // 4
    assert tl["dropped"][-1] == rep["engine_dropped_bytes"]
    assert tl["sent"][-1] == rep["bytes"]
    assert tl["written"][-1] == rep["bytes"] - rep["engine_dropped_bytes"]
    a = timeline_arrays(rep)
    assert a["lost"][-1] == rep["lost_bytes"]
    assert a["read"][-1] == rep["bytes_read"]
    # drops start while the run is going, not only at its end
    first_drop = a["t"][np.argmax(a["dropped"] > 0)]
    assert 0 < first_drop < 0.75 * a["t_end"][0]


def test_timeline_shows_bytes_overwritten_before_read():
    rep = run_scenario(Scenario(buffers=8, buf_size=8 * KiB, laps=6, mode="cyclic", consumer="slow", irq_threshold=2))
    a = timeline_arrays(rep)
    assert rep["ring_overrun_bytes"] > 0
    assert a["overwritten"][-1] == rep["ring_overrun_bytes"] == a["lost"][-1]
    assert a["read"][-1] == rep["bytes_read"]


def test_plot_legends_do_not_cover_the_data(drop_run):
    fig = timeline_figure(drop_run)
    fig.canvas.draw()
    axes = [ax for ax in fig.axes if ax.get_legend() is not None]
    assert len(axes) == 4
    for ax in axes:
        box, leg = ax.get_window_extent(), ax.get_legend().get_window_extent()
        assert not box.overlaps(leg), f"legend over the data of '{ax.get_ylabel()}'"
    # the x axis reaches the end of the run
    assert fig.axes[0].get_xlim()[1] >= timeline_arrays(drop_run)["t_end"][0]
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_minmax_decimation_keeps_every_spike():
    """Isolated one-sample spikes survive; taking every k-th sample would alias them away."""
    n = 200_000
    y = np.zeros(n)
    y[500::1009] = 1.0
    y[700::1013] = -1.0
    x = np.arange(n, dtype=float)
    xd, yd = minmax_decimate(x, y, bins=1500)
    assert len(xd) <= 4 * 1500 + 2 and np.all(np.diff(xd) > 0)
    assert np.count_nonzero(yd == 1.0) == np.count_nonzero(y == 1.0)
    assert np.count_nonzero(yd == -1.0) == np.count_nonzero(y == -1.0)
    assert xd[0] == 0 and xd[-1] == n - 1
    assert np.count_nonzero(y[:: n // 400] != 0) < np.count_nonzero(y) // 10   # what 400-point striding kept
    with pytest.raises(ValueError, match="bins=0"):
        minmax_decimate(x, y, bins=0)


# ---------------------------------------------------------------- engine efficiency vs stream utilisation
def test_half_rate_stream_is_not_an_inefficient_engine():
    rep = run_scenario(Scenario(rate=0.5))
    assert 0.45 < rep["stream_utilisation"] <= 0.5
    assert rep["engine_efficiency"] >= 0.99
    assert rep["w_beats"] == rep["bytes"] // 8 and rep["waiting_cycles"] >= rep["w_beats"]
    text = summary(rep)
    assert "stream utilisation" in text and "engine efficiency" in text and "bus efficiency" not in text


def test_engine_efficiency_shows_a_slow_write_channel():
    """Memory accepting only half the W beats: the engine, not the stream, is the bottleneck."""
    rep = run_scenario(Scenario(), params=ModelParams(w_accept=0.5))
    assert rep["engine_efficiency"] == pytest.approx(0.5, abs=0.02)


def test_ring_full_time_is_not_counted_against_the_engine(drop_run):
    assert drop_run["stream_utilisation"] < 0.5
    assert drop_run["engine_efficiency"] >= 0.98


def test_report_json_has_both_figures(tmp_path, capsys):
    out = tmp_path / "sim"
    rc = cli_main(["run", "--backend", "model", "--buffers", "4", "--buf-size", "8192", "--laps", "2",
                   "--rate", "0.5", "--out", str(out)])
    assert rc == 0
    rep = json.loads((out / "report.json").read_text())
    assert rep["engine_efficiency"] >= 0.98 and 0.3 < rep["stream_utilisation"] <= 0.5
    assert "efficiency" not in rep
    assert (out / "timeline.png").stat().st_size > 10_000
    assert "engine efficiency" in capsys.readouterr().out


# ---------------------------------------------------------------- sweep
STUCK = dict(buffers=2, buf_size=8 * KiB, laps=4, mode="owned")   # 2 M clocks of IRQ latency: never finishes


def test_sweep_marks_a_failed_point():
    rows = run_sweep(Scenario(**STUCK), [("irq_latency", [0, 2_000_000])], "lost_fraction")
    good, bad = rows
    assert good["ok"] and good["lost_fraction"] == 0.0 and good["error"] == ""
    assert not bad["ok"] and bad["lost_fraction"] is None, "a failed point has no value (not 0)"
    assert "did not finish" in bad["error"]
    assert cell(bad, "lost_fraction") == "FAILED" and cell(good, "lost_fraction") == "0.0"
    fig = figure(rows, [("irq_latency", [0, 2_000_000])], "lost_fraction")
    ax = fig.axes[0]
    data_line = ax.lines[0]
    assert np.isnan(np.asarray(data_line.get_ydata(), dtype=float)[1]), "the line does not run through a failure"
    crosses = [ln for ln in ax.lines if ln.get_marker() == "x"]
    assert len(crosses) == 1 and list(crosses[0].get_xdata()) == [2_000_000]
    assert "FAILED" in " ".join(t.get_text() for t in ax.texts)
    import matplotlib.pyplot as plt
    plt.close(fig)


def test_sweep_checks_every_point_before_running_any():
    ran = []
    with pytest.raises(ValueError, match=r"sweep point \{'buffers': 1\}.*buffers=1"):
        run_sweep(Scenario(buf_size=8 * KiB, laps=1), [("buffers", [4, 1])], "lost_fraction", progress=ran.append)
    assert ran == []


def test_sweep_cli_table_and_csv_mark_failures(tmp_path, capsys):
    rc = cli_main(["sweep", "--param", "irq_latency=0,2000000", "--buffers", "2", "--buf-size", "8192",
                   "--laps", "4", "--mode", "owned", "--out", str(tmp_path)])
    assert rc == 1
    out = capsys.readouterr().out
    assert "FAILED" in out and "1 of 2 points FAILED" in out
    csv_rows = (tmp_path / "sweep.csv").read_text().splitlines()
    assert csv_rows[2].startswith("2000000,,") and "did not finish" in csv_rows[2]
    doc = json.loads((tmp_path / "sweep.json").read_text())
    assert doc["rows"][1]["lost_fraction"] is None and doc["rows"][1]["ok"] is False


# ---------------------------------------------------------------- benchmark spread
def test_spread_records_median_min_max():
    s = spread([3.0, 1.0, 2.0, 10.0])
    assert s == {"median": 2.5, "min": 1.0, "max": 10.0, "n": 4, "samples": [3.0, 1.0, 2.0, 10.0]}
    with pytest.raises(ValueError):
        spread([])


def test_interleaved_runs_take_turns():
    order = []
    times = interleaved({"a": lambda: order.append("a"), "b": lambda: order.append("b"),
                         "c": lambda: order.append("c")}, rounds=3)
    assert order == ["a", "b", "c", "b", "c", "a", "c", "a", "b"]
    assert {k: len(v) for k, v in times.items()} == {"a": 3, "b": 3, "c": 3}
    with pytest.raises(ValueError, match="rounds=0"):
        interleaved({"a": lambda: None}, rounds=0)
