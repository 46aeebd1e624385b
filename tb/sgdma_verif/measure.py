"""How the benchmarks measure: repeated samples summarised as median and min/max, and
interleaved rounds, so a change in machine load affects every side of a comparison alike."""
from __future__ import annotations

import statistics
import time
from typing import Callable


def spread(samples: list[float], digits: int = 3) -> dict:
    """Median, min and max of repeated measurements, with the samples in measurement order."""
    if not samples:
        raise ValueError("spread of no samples")
    return {"median": round(statistics.median(samples), digits), "min": round(min(samples), digits),
            "max": round(max(samples), digits), "n": len(samples), "samples": [round(x, digits) for x in samples]}


def fmt_spread(s: dict, unit: str = "", digits: int = 2) -> str:
    """'1.02x (0.95..1.10, 15 runs)' from a spread."""
    return f"{s['median']:.{digits}f}{unit} ({s['min']:.{digits}f}..{s['max']:.{digits}f}{unit}, {s['n']} runs)"


def interleaved(fns: dict[str, Callable[[], object]], rounds: int) -> dict[str, list[float]]:
    """Wall time of each function, `rounds` times, the functions taking turns (the starting one
    rotates every round, so none always runs first)."""
    if rounds < 1:
        raise ValueError(f"rounds={rounds}: need at least one round")
    names = list(fns)
    times: dict[str, list[float]] = {n: [] for n in names}
    for r in range(rounds):
        k = r % len(names)
        for n in names[k:] + names[:k]:
            t0 = time.perf_counter()
            fns[n]()
            times[n].append(time.perf_counter() - t0)
    return times
