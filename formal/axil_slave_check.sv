// axil_slave_check: AXI4-Lite slave-side rules for the register port, with the master side
// as assumptions.
//
// Assumed of the master: VALID held until READY, address/data stable while stalled, no VALID
// in the clock after a reset clock.
// Asserted on the slave (enabled by ASSERT):
//   - BVALID held until BREADY, BRESP stable; RVALID held until RREADY, RDATA/RRESP stable
//   - BVALID only for a write whose AW and W have both been accepted and not yet answered;
//     RVALID only for an accepted read not yet answered
//   - no response in the clock after a reset clock
//   - with HOLD_ONE (a slave that holds one address and one data word): at most one AW, one
//     W and one AR waiting for their response, and the holding registers are what READY
//     shows (AWREADY low = an address held, and so on).  These are the auxiliary invariants
//     that make the proof inductive from the port (with the register file's own assertion,
//     under FORMAL, that a held read and its answer are never both in its registers).
`default_nettype none
module axil_slave_check #(
    parameter ADDR_WIDTH = 10,
    parameter HOLD_ONE   = 1,
    parameter ASSERT     = 1
) (
    input wire                  clk,
    input wire                  resetn,
    input wire [ADDR_WIDTH-1:0] awaddr,
    input wire                  awvalid,
    input wire                  awready,
    input wire [31:0]           wdata,
    input wire                  wvalid,
    input wire                  wready,
    input wire [1:0]            bresp,
    input wire                  bvalid,
    input wire                  bready,
    input wire [ADDR_WIDTH-1:0] araddr,
    input wire                  arvalid,
    input wire                  arready,
    input wire [31:0]           rdata,
    input wire [1:0]            rresp,
    input wire                  rvalid,
    input wire                  rready
);
    reg f_past = 1'b0;
    always @(posedge clk) f_past <= 1'b1;
    always @(*) if (!f_past) assume (!resetn);

    wire aw_hs = awvalid && awready;
    wire w_hs  = wvalid && wready;
    wire b_hs  = bvalid && bready;
    wire ar_hs = arvalid && arready;
    wire r_hs  = rvalid && rready;

    // requests accepted and not yet answered
    reg [2:0] aw_pend, w_pend, ar_pend;
    always @(posedge clk) begin
        if (!resetn) begin
            aw_pend <= 3'd0; w_pend <= 3'd0; ar_pend <= 3'd0;
        end else begin
            aw_pend <= aw_pend + {2'd0, aw_hs} - {2'd0, b_hs};
            w_pend  <= w_pend + {2'd0, w_hs} - {2'd0, b_hs};
            ar_pend <= ar_pend + {2'd0, ar_hs} - {2'd0, r_hs};
        end
    end

    // ---------------------------------------------------------------- master assumptions
    always @(posedge clk) begin
        if (f_past && $past(!resetn)) begin
            assume (!awvalid);
            assume (!wvalid);
            assume (!arvalid);
        end
        if (f_past && $past(resetn) && resetn) begin
            if ($past(awvalid && !awready))
                assume (awvalid && awaddr == $past(awaddr));
            if ($past(wvalid && !wready))
                assume (wvalid && wdata == $past(wdata));
            if ($past(arvalid && !arready))
                assume (arvalid && araddr == $past(araddr));
        end
    end

    // ---------------------------------------------------------------- slave rules
    generate if (ASSERT) begin : g_assert
        always @(posedge clk) begin
            if (f_past && $past(!resetn)) begin
                assert (!bvalid);
                assert (!rvalid);
            end
            if (f_past && $past(resetn)) begin
                if ($past(bvalid && !bready))
                    assert (bvalid && bresp == $past(bresp));
                if ($past(rvalid && !rready))
                    assert (rvalid && rdata == $past(rdata) && rresp == $past(rresp));
            end
        end
        always @(*) begin
            if (resetn) begin
                if (bvalid) begin
                    assert (aw_pend != 3'd0);
                    assert (w_pend != 3'd0);
                end
                if (rvalid)
                    assert (ar_pend != 3'd0);
                if (HOLD_ONE) begin
                    assert (aw_pend == {2'd0, !awready} + {2'd0, bvalid});
                    assert (w_pend == {2'd0, !wready} + {2'd0, bvalid});
                    assert (ar_pend == {2'd0, !arready});
                    if (rvalid)
                        assert (!arready);
                end
            end
        end
    end endgenerate
endmodule
`default_nettype wire
