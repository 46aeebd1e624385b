"""The one register/descriptor definition and the files generated from it."""
from __future__ import annotations

import numpy as np
import pytest

from sgdma_driver import regmap as rm


def test_generated_header_is_current():
    assert rm.HEADER_PATH.read_text() == rm.verilog_header(), "run `make regmap`: rtl/sgdma_defs.vh is stale"


def test_generated_doc_tables_are_current():
    doc = rm.DOC_PATH.read_text()
    assert rm.doc_with_tables(doc) == doc, "run `make regmap`: docs/registers.md tables are stale"


def test_pg021_offsets_and_reset_values():
    assert {r.name: r.offset for r in rm.REGISTERS if r.name.startswith("S2MM")} == {
        "S2MM_DMACR": 0x30, "S2MM_DMASR": 0x34, "S2MM_CURDESC": 0x38, "S2MM_CURDESC_MSB": 0x3C,
        "S2MM_TAILDESC": 0x40, "S2MM_TAILDESC_MSB": 0x44}
    assert rm.S2MM_DMASR.reset == 0x00010009  # Halted, SGIncld, threshold counter 1
    assert rm.S2MM_DMACR.reset == 0x00010000  # IRQThreshold 1
    assert all(r.offset >= 0x80 for r in rm.REGISTERS if r.name.startswith(("SGDMA", "COMPLETED", "BYTES", "DROPPED")))


def test_no_register_or_field_overlaps():
    offsets = [r.offset for r in rm.REGISTERS]
    assert len(offsets) == len(set(offsets))
    for r in rm.REGISTERS:
        used = 0
        for f in r.fields:
            assert f.lsb + f.width <= 32, f"{r.name}.{f.name} past bit 31"
            assert not used & f.mask, f"{r.name}.{f.name} overlaps another field"
            used |= f.mask


def test_descriptor_layout():
    assert rm.DESC_DTYPE.itemsize == 64
    assert rm.DESC_OFFSETS["nxtdesc"] == 0x00 and rm.DESC_OFFSETS["buffer_address"] == 0x08
    assert rm.DESC_OFFSETS["control"] == 0x18 and rm.DESC_OFFSETS["status"] == 0x1C
    assert rm.DESC_OFFSETS["app"] == 0x20
    d = np.zeros(1, rm.DESC_DTYPE)
    d["status"] = rm.STATUS.CMPLT.put(1) | rm.STATUS.LENGTH.put(1234)
    raw = d.tobytes()
    assert int.from_bytes(raw[0x1C:0x20], "little") == 0x80000000 | 1234


def test_field_put_rejects_overflow_with_value_in_message():
    with pytest.raises(ValueError, match="300"):
        rm.S2MM_DMACR.IRQ_THRESHOLD.put(300)
    with pytest.raises(AttributeError, match="NOPE"):
        rm.S2MM_DMACR.NOPE


def test_descriptor_records_put_each_word_where_the_layout_says():
    recs = rm.descriptors([(0x1_2345_6780, 100), (0x40, 1 << 20)], [0x1_0000_0040, 0x80])
    raw = np.frombuffer(recs.tobytes(), dtype="<u4").reshape(2, rm.DESC_SIZE // 4)
    word = {name: off // 4 for name, off in rm.DESC_OFFSETS.items()}
    assert raw[0, word["nxtdesc"]] == 0x0000_0040 and raw[0, word["nxtdesc_msb"]] == 1
    assert raw[0, word["buffer_address"]] == 0x2345_6780 and raw[0, word["buffer_address_msb"]] == 1
    assert rm.CONTROL.LENGTH.get(int(raw[0, word["control"]])) == 100
    assert rm.CONTROL.LENGTH.get(int(raw[1, word["control"]])) == 1 << 20
    assert raw[1, word["nxtdesc"]] == 0x80 and raw[1, word["nxtdesc_msb"]] == 0
    assert not raw[:, word["status"]].any() and not raw[:, word["app"]:word["app"] + 5].any()


def test_descriptor_records_refuse_what_does_not_fit():
    with pytest.raises(ValueError, match="does not fit CONTROL.LENGTH"):
        rm.descriptors([(0, 1 << 26)], [0])
    with pytest.raises(ValueError, match="2 buffers but 1 next-descriptor"):
        rm.descriptors([(0, 1), (64, 1)], [0])


def test_each_counter_is_a_low_then_high_word_pair():
    assert set(rm.COUNTERS) == {n[:-3] for n in rm.REG if n.endswith("_LO")}
    for name, (lo, hi) in rm.COUNTER_OFFSETS.items():
        assert hi == lo + 4 and rm.REG[name + "_LO"].offset == lo, name


def test_reading_an_unknown_counter_names_it():
    import asyncio

    from sgdma_driver.driver import read_counter
    with pytest.raises(ValueError, match="'COMPLETE'"):
        asyncio.run(read_counter(None, "COMPLETE"))


def test_every_file_generated_from_the_rdl_is_current():
    from sgdma_driver import regmap_gen
    assert regmap_gen.stale() == [], "run `make regmap`: files generated from rtl/sgdma.rdl are stale"


def test_rdl_change_makes_the_generated_files_stale(tmp_path):
    from sgdma_driver import regmap_gen
    src = regmap_gen.RDL_PATH.read_text().replace("f_rw IRQ_THRESHOLD[23:16] = 1;", "f_rw IRQ_THRESHOLD[23:16] = 2;")
    (tmp_path / "changed.rdl").write_text(src)
    old = {p.name for p in regmap_gen.stale(tmp_path / "changed.rdl")}
    assert {"regmap_data.py", "sgdma_regs.h", "sgdma.h", "sgdma.xml", "registers.md"} <= old


def test_bad_rdl_gives_the_compiler_message_not_a_traceback(tmp_path):
    import subprocess
    import sys
    bad = tmp_path / "bad.rdl"
    bad.write_text("addrmap sgdma { reg { field { sw = rw; } F[3:0] = 0; } R @ 0x0; R2 @ 0x4; };\n")
    proc = subprocess.run([sys.executable, "-m", "sgdma_driver.regmap_gen", "--rdl", str(bad)],
                          capture_output=True, text=True)
    assert proc.returncode == 1
    assert "Traceback" not in proc.stderr and "R2" in proc.stderr and "error" in proc.stderr.lower(), proc.stderr


def test_ipxact_reimports_with_the_same_registers(tmp_path):
    from peakrdl_ipxact import IPXACTImporter
    from systemrdl import RDLCompiler

    from sgdma_driver import regmap_gen
    rdlc = RDLCompiler()
    IPXACTImporter(rdlc).import_file(str(regmap_gen.IPXACT_PATH))
    from systemrdl.node import RegNode
    regs = [n for n in rdlc.elaborate().top.descendants() if isinstance(n, RegNode)]
    got = {r.inst_name: r.address_offset for r in regs}
    assert got == {r.name: r.offset for r in rm.REGISTERS}
    dmasr = next(r for r in regs if r.inst_name == "S2MM_DMASR")
    assert {f.inst_name: (f.lsb, f.width) for f in dmasr.fields()} == {
        f.name: (f.lsb, f.width) for f in rm.S2MM_DMASR.fields}


def test_ipxact_lists_the_bus_interfaces_and_the_rtl_parameters():
    import re
    import xml.etree.ElementTree as ET

    from sgdma_driver import regmap_gen
    ns = {"ipxact": "http://www.accellera.org/XMLSchema/IPXACT/1685-2014"}
    comp = ET.parse(regmap_gen.IPXACT_PATH).getroot()
    buses = {b.findtext("ipxact:name", namespaces=ns) for b in comp.iterfind("ipxact:busInterfaces/ipxact:busInterface", ns)}
    assert buses == {"S_AXI_LITE", "M_AXI_SG", "M_AXI_S2MM", "S_AXIS_S2MM", "M_AXI_MM2S", "M_AXIS_MM2S"}
    top = regmap_gen.TOP_V.read_text()
    for bus in buses:
        assert f'"xilinx.com:interface:' in top and f" {bus} " in top, f"{bus} not on the top module"
    params = {p.findtext("ipxact:name", namespaces=ns): p.findtext("ipxact:value", namespaces=ns)
              for p in comp.iterfind("ipxact:parameters/ipxact:parameter", ns)}
    rtl = dict(re.findall(r"^\s*parameter\s+(\w+)\s*=\s*(\w+)", regmap_gen.TOP_V.read_text(), re.M))
    assert params == rtl and params["DATA_WIDTH"] == "64"


def test_channel_registers_and_build_reset_values():
    """Every PG021 channel register names its channel; a build without a channel reads its
    registers as 0, with it they read their field resets (MM2S: the same as S2MM)."""
    for r in rm.REGISTERS:
        prefix = r.name.split("_")[0]
        if prefix in ("MM2S", "S2MM"):
            assert rm.REG_CHANNEL[r.name] == prefix.lower(), r.name
        else:
            assert r.name not in rm.REG_CHANNEL, r.name
    for suffix in ("DMACR", "DMASR", "CURDESC", "CURDESC_MSB", "TAILDESC", "TAILDESC_MSB"):
        mm2s, s2mm = rm.REG["MM2S_" + suffix], rm.REG["S2MM_" + suffix]
        assert [(f.name, f.lsb, f.width, f.access, f.reset) for f in mm2s.fields] == \
               [(f.name, f.lsb, f.width, f.access, f.reset) for f in s2mm.fields], suffix
        assert mm2s.offset == s2mm.offset - 0x30
    alone = rm.reset_values(mm2s=False)
    both = rm.reset_values(mm2s=True)
    assert alone["MM2S_DMASR"] == 0 and alone["MM2S_DMACR"] == 0
    assert both["MM2S_DMASR"] == rm.S2MM_DMASR.reset != 0
    assert both["MM2S_DMACR"] == rm.S2MM_DMACR.reset != 0
    assert all(alone[n] == both[n] for n in alone if not n.startswith("MM2S_"))
