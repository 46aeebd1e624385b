"""Human summary and timeline plot of an acquisition report."""
from __future__ import annotations

from pathlib import Path

CLOCK_MHZ = 250.0   # the engine clock the cycle counts are converted with


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
        f"  throughput          {mbps:>14,.1f} MB/s read; bus efficiency {rep['efficiency']:.4f}",
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


def plot_timeline(rep: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    tl = rep["timeline"]
    t = np.array(tl["cycle"], dtype=float) / CLOCK_MHZ
    if len(t):
        t -= t[0]
    mib = 1024 * 1024
    ring = tl["ring_size"]
    fig, axes = plt.subplots(3, 1, figsize=(10, 8.5), sharex=True)
    ax = axes[0]
    ax.plot(t, np.array(tl["produced"]) / mib, label="producer (engine, completed buffers)")
    ax.plot(t, np.array(tl["consumed"]) / mib, label="consumer (application, released)")
    ax.set_ylabel("bytes through the ring [MiB]")
    ax.legend(loc="upper left")
    ax.set_title(f"sgdma acquisition ({rep['backend']}): {rep['scenario']['buffers']} x "
                 f"{rep['scenario']['buf_size'] // 1024} KiB ring, mode {rep['scenario']['mode']}, "
                 f"policy {rep['scenario']['policy']}, {rep['scenario']['consumer']} consumer")
    ax = axes[1]
    occ = 100.0 * np.array(tl["occupancy"]) / ring
    ax.plot(t, occ, color="tab:green")
    ax.axhline(100, color="tab:red", lw=0.8, ls="--", label="ring full")
    ax.set_ylabel("ring occupancy [% of ring]")
    ax.set_ylim(0, 110)
    ax.legend(loc="upper left")
    ax = axes[2]
    irq = np.sort(np.array(tl["irq_cycle"], dtype=float)) / CLOCK_MHZ
    if len(tl["cycle"]):
        irq -= tl["cycle"][0] / CLOCK_MHZ
    ax.step(np.concatenate([[0.0], irq, [t[-1] if len(t) else 0.0]]),
            np.concatenate([[0], np.arange(1, len(irq) + 1), [len(irq)]]), where="post", color="tab:purple",
            label=f"{len(irq)} interrupts for {rep['descriptors']} buffers (IRQThreshold "
                  f"{rep['scenario']['irq_threshold']}, IRQDelay {rep['scenario']['irq_delay']})")
    ax.set_ylabel("interrupts so far [count]")
    ax.set_xlabel(f"simulated time [us] (engine clock {CLOCK_MHZ:.0f} MHz)")
    ax.legend(loc="upper left")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
