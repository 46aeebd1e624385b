// axis_sink_check: AXI4-Stream rules for the engine's stream input (the engine is the sink).
//
// Assumed of the source: TVALID low in the clock after a reset clock, TVALID held until
// TREADY, TDATA/TKEEP/TLAST stable while stalled, TKEEP all ones on beats before TLAST and
// contiguous from lane 0 (at least one byte) on the TLAST beat.
// Asserted on the sink (enabled by ASSERT):
//   - TREADY low in the clock after a reset clock (no beat taken before the engine runs)
// AXI4-Stream asks nothing more of a sink; what happens to the bytes taken is an engine
// invariant, not a stream rule.
`default_nettype none
module axis_sink_check #(
    parameter DATA_WIDTH = 32,
    parameter ASSERT     = 1
) (
    input wire                    clk,
    input wire                    resetn,
    input wire [DATA_WIDTH-1:0]   tdata,
    input wire [DATA_WIDTH/8-1:0] tkeep,
    input wire                    tlast,
    input wire                    tvalid,
    input wire                    tready
);
    localparam KB = DATA_WIDTH / 8;
    reg f_past = 1'b0;
    always @(posedge clk) f_past <= 1'b1;
    always @(*) if (!f_past) assume (!resetn);

    // tkeep contiguous from lane 0: tkeep + 1 is a power of two
    wire [KB:0] keep_p1 = {1'b0, tkeep} + 1'b1;
    always @(*) begin
        if (tvalid) begin
            if (!tlast)
                assume (tkeep == {KB{1'b1}});
            else
                assume (tkeep != 0 && (keep_p1 & (keep_p1 - 1'b1)) == 0);
        end
    end
    always @(posedge clk) begin
        if (f_past && $past(!resetn))
            assume (!tvalid);
        if (f_past && $past(resetn) && resetn && $past(tvalid && !tready))
            assume (tvalid && tdata == $past(tdata) && tkeep == $past(tkeep) &&
                    tlast == $past(tlast));
    end

    generate if (ASSERT) begin : g_assert
        always @(posedge clk)
            if (f_past && $past(!resetn))
                assert (!tready);
    end endgenerate
endmodule
`default_nettype wire
