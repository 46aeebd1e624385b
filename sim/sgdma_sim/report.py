"""Human summary and timeline plot of an acquisition report."""
from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

CLOCK_MHZ = 250.0   # the engine clock the cycle counts are converted with
PLOT_BINS = 1500    # points kept per plotted series (min/max preserving)


def _fmt_bytes(n: float) -> str:
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{n:.0f} {unit}" if unit == "B" else f"{n:.2f} {unit}"
        n /= 1024
    return str(n)


def summary(rep: dict) -> str:
    sc = rep["scenario"]
    us = rep["cycles"] / CLOCK_MHZ
    mbps = rep["bytes_read"] / us if us else 0.0
    lines = [
        f"sgdma acquisition: backend={rep['backend']} simulator={rep['simulator']} "
        f"{sc['buffers']} x {_fmt_bytes(sc['buf_size'])} buffers, mode={sc['mode']}, policy={sc['policy']}, "
        f"consumer={sc['consumer']}, rate={sc['rate']}",
        f"  bytes sent          {rep['bytes']:>14,}  ({_fmt_bytes(rep['bytes'])})",
        f"  bytes read+verified {rep['bytes_read']:>14,}",
        f"  lost bytes          {rep['lost_bytes']:>14,}  (engine dropped {rep['engine_dropped_bytes']:,}, "
        f"errors {rep['error_lost_bytes']:,}, overwritten before read {rep['ring_overrun_bytes']:,})",
        f"  data errors         {rep['data_errors']:>14,}",
        f"  simulated time      {us:>14,.1f} us  ({rep['cycles']:,} cycles at {CLOCK_MHZ:.0f} MHz)",
        f"  throughput          {mbps:>14,.1f} MB/s read",
        f"  stream utilisation  {rep['stream_utilisation']:>14.4f}  of the bus (W data beats per clock over "
        f"the run; the device rate is {sc['rate']})",
    ]
    if rep.get("waiting_cycles"):
        lines.append(f"  engine efficiency   {rep['engine_efficiency']:>14.4f}  ({rep['w_beats']:,} W data beats in "
                     f"{rep['waiting_cycles']:,} clocks with stream data waiting, ring not full)")
    else:
        lines.append("  engine efficiency   not measured (the backend has no port monitor)")
    lines += [
        f"  interrupts          {rep['interrupts']:>14,}  for {rep['descriptors']:,} descriptors",
        f"  interrupt latency   p50 {rep['irq_latency_p50']:,.0f} / p90 {rep['irq_latency_p90']:,.0f} / "
        f"p99 {rep['irq_latency_p99']:,.0f} clocks (line rising to driver service)",
        f"  overruns            {rep['overruns']:>14,}",
        f"  wall time           {rep['wall_s']:>14,.2f} s  ({rep['cycles_per_s']:,.0f} simulated cycles/s)",
    ]
    if rep["accounting_errors"]:
        lines.append("  ACCOUNTING ERRORS: " + "; ".join(rep["accounting_errors"]))
    lines.append("  result: " + ("OK, every byte accounted for" if rep["ok"] else "FAILED"))
    return "\n".join(lines)


def minmax_decimate(x: np.ndarray, y: np.ndarray, bins: int = PLOT_BINS) -> tuple[np.ndarray, np.ndarray]:
    """At most about 4 x `bins` points: per bin of consecutive samples the first, the last, the
    minimum and the maximum, in time order, so no peak or dip is lost to the decimation."""
    x, y = np.asarray(x), np.asarray(y)
    n = len(x)
    if bins < 1:
        raise ValueError(f"bins={bins}: must be at least 1")
    if n <= 4 * bins:
        return x, y
    edges = np.linspace(0, n, bins + 1).astype(int)
    keep = [np.array([0, n - 1])]
    for a, b in zip(edges[:-1], edges[1:]):
        seg = y[a:b]
        keep.append(np.array([a, b - 1, a + int(np.argmin(seg)), a + int(np.argmax(seg))]))
    idx = np.unique(np.concatenate(keep))
    return x[idx], y[idx]


def timeline_arrays(rep: dict) -> dict[str, np.ndarray]:
    """The timeline as arrays: time in us from the start of the acquisition, bytes per series,
    the ring occupancy (bytes written and not yet released, and what the driver has seen of
    them) in % of the ring, the bytes lost so far, and the interrupt times in us."""
    tl = rep["timeline"]
    c0 = tl.get("start_cycle", tl["cycle"][0] if tl["cycle"] else 0)
    cyc = np.asarray(tl["cycle"], dtype=float)
    order = np.argsort(cyc, kind="stable")
    out = {k: np.asarray(tl[k], dtype=float)[order] for k in
           ("sent", "written", "produced", "consumed", "dropped", "overwritten")}
    out["t"] = (cyc[order] - c0) / CLOCK_MHZ
    ring = float(tl["ring_size"])
    out["occupancy"] = np.clip(100.0 * (out["written"] - out["consumed"]) / ring, 0.0, 100.0)
    out["seen_occupancy"] = np.clip(100.0 * (out["produced"] - out["consumed"]) / ring, 0.0, 100.0)
    out["lost"] = out["dropped"] + out["overwritten"]
    out["read"] = out["consumed"] - out["overwritten"]   # released after reading (not skipped or torn)
    out["irq"] = (np.sort(np.asarray(tl["irq_cycle"], dtype=float)) - c0) / CLOCK_MHZ
    out["t_end"] = np.array([(tl.get("end_cycle", cyc.max() if len(cyc) else c0) - c0) / CLOCK_MHZ])
    return out


def _legend(ax: Any) -> None:
    """The legend to the right of the plot area, never over the data."""
    ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, fontsize=8, frameon=False)


def _plot_line(ax: Any, t: np.ndarray, y: np.ndarray, label: str, scale: float = 1.0, step: bool = False,
               **kw: Any) -> None:
    x, v = minmax_decimate(t, y / scale)
    if step:
        ax.step(x, v, where="post", label=label, **kw)
    else:
        ax.plot(x, v, label=label, **kw)


def _title(rep: dict) -> str:
    sc = rep["scenario"]
    verdict = "every byte accounted for" if rep["ok"] else "FAILED"
    return (f"sgdma acquisition on the {rep['backend']} backend ({rep['simulator']}): {sc['buffers']} x "
            f"{_fmt_bytes(sc['buf_size'])} ring, mode {sc['mode']}, policy {sc['policy']}, {sc['consumer']} "
            f"consumer, rate {sc['rate']}\n{_fmt_bytes(rep['bytes'])} sent, {_fmt_bytes(rep['bytes_read'])} read "
            f"and verified, {_fmt_bytes(rep['lost_bytes'])} lost (dropped {_fmt_bytes(rep['engine_dropped_bytes'])}, "
            f"overwritten {_fmt_bytes(rep['ring_overrun_bytes'])}, errors {_fmt_bytes(rep['error_lost_bytes'])}): "
            f"{verdict}")


def _panel_bytes(ax: Any, a: dict, rep: dict, end: dict) -> None:
    t, mib = a["t"], 1024.0 * 1024.0
    _plot_line(ax, t, a["sent"], f"device sent ({_fmt_bytes(end['sent'])})", mib, color="0.55", ls="--", lw=1.2)
    _plot_line(ax, t, a["written"], f"engine wrote to memory ({_fmt_bytes(end['written'])})", mib,
               color="tab:blue", lw=1.6)
    _plot_line(ax, t, a["produced"], f"driver saw, completions serviced ({_fmt_bytes(end['produced'])})", mib,
               step=True, color="tab:orange", lw=1.2)
    _plot_line(ax, t, a["read"], f"reader read and released ({_fmt_bytes(end['read'])}, "
                                 f"{_fmt_bytes(rep['bytes_read'])} verified)", mib, step=True, color="tab:green", lw=1.2)
    _plot_line(ax, t, a["lost"], f"lost ({_fmt_bytes(end['lost'])})", mib, step=True, color="tab:red", lw=1.6)
    ax.set_ylabel("bytes so far [MiB]")
    ax.set_ylim(bottom=0)


def _panel_occupancy(ax: Any, a: dict) -> None:
    _plot_line(ax, a["t"], a["occupancy"], "written, not yet released", color="tab:blue", lw=1.2)
    _plot_line(ax, a["t"], a["seen_occupancy"], "seen by the driver, not yet released", step=True,
               color="tab:orange", lw=1.0, ls="--")
    ax.axhline(100, color="tab:red", lw=0.8, ls=":", label="ring full")
    ax.set_ylabel("ring occupancy\n[% of ring]")
    ax.set_ylim(0, 105)


def _panel_lost(ax: Any, a: dict, end: dict) -> None:
    t, mib = a["t"], 1024.0 * 1024.0
    unit, scale = ("MiB", mib) if end["lost"] >= mib else ("KiB", 1024.0)
    _plot_line(ax, t, a["dropped"], f"dropped by the engine, DROPPED_BYTES "
                                    f"({_fmt_bytes(a['dropped'][-1] if len(t) else 0)})",
               scale, step=True, color="tab:red", lw=1.4)
    _plot_line(ax, t, a["overwritten"], f"overwritten before read ({_fmt_bytes(a['overwritten'][-1] if len(t) else 0)})",
               scale, step=True, color="tab:brown", lw=1.4, ls="--")
    ax.set_ylabel(f"lost so far\n[{unit}]")
    ax.set_ylim(bottom=0, top=max(1.0, 1.1 * end["lost"] / scale))


def _panel_interrupts(ax: Any, a: dict, rep: dict) -> None:
    sc, irq, t_end = rep["scenario"], a["irq"], float(a["t_end"][0])
    ax.step(np.concatenate([[0.0], irq, [t_end]]), np.concatenate([[0], np.arange(1, len(irq) + 1), [len(irq)]]),
            where="post", color="tab:purple",
            label=f"{len(irq)} interrupts for {rep['descriptors']} buffers\n(IRQThreshold {sc['irq_threshold']}, "
                  f"IRQDelay {sc['irq_delay']})")
    if len(irq):
        ax.plot(irq, np.zeros_like(irq), "|", color="tab:purple", ms=8, label="interrupt line rises")
    ax.set_ylabel("interrupts so far\n[count]")
    ax.set_ylim(bottom=-0.05 * max(1, len(irq)))
    ax.set_xlabel(f"simulated time since the start of the acquisition [us] (engine clock {CLOCK_MHZ:.0f} MHz)")
    ax.set_xlim(0, t_end * 1.01 if t_end > 0 else 1.0)


def timeline_figure(rep: dict) -> Any:
    """The timeline plot as a matplotlib figure (see plot_timeline): bytes so far, ring
    occupancy, bytes lost, interrupts, one panel each over the same time axis."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    a = timeline_arrays(rep)
    fig, axes = plt.subplots(4, 1, figsize=(12, 10.5), sharex=True, layout="constrained",
                             gridspec_kw={"height_ratios": [3, 2, 1.5, 1.5]})
    end = {k: a[k][-1] if len(a[k]) else 0.0 for k in ("sent", "written", "produced", "read", "lost")}
    _panel_bytes(axes[0], a, rep, end)
    fig.suptitle(_title(rep), fontsize=10)
    _panel_occupancy(axes[1], a)
    _panel_lost(axes[2], a, end)
    _panel_interrupts(axes[3], a, rep)
    for ax in axes:
        _legend(ax)
        ax.grid(True, alpha=0.25)
    return fig


def plot_timeline(rep: dict, path: Path) -> None:
    """build/sim/timeline.png: bytes the device sent, the engine wrote, the driver saw and the
    reader released; ring occupancy; bytes lost (dropped, overwritten); interrupts; from the
    start of the acquisition to its end."""
    import matplotlib.pyplot as plt

    fig = timeline_figure(rep)
    fig.savefig(path, dpi=110)
    plt.close(fig)
