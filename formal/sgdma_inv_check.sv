// sgdma_inv_check: invariants that tie the port checkers' bookkeeping to the engine's own
// state, so that k-induction on the AXI4 masters converges (see docs/formal.md, "Inductive
// invariants").  The engine's internal nets reach this module through probe inputs that the
// formal flow connects after elaboration (yosys `connect -set`, see sgdma_verif/formal.py):
// no RTL file refers to the checker.
//
// Groups (parameters, each on for the jobs that need it):
//   CTRL   channel state machine: the flush only ever comes in Halted, and a halted channel's
//          data path is idle
//   FETCH  descriptor fetcher against the m_axi_sg read bookkeeping
//   STAT   status writer against the m_axi_sg write bookkeeping
`default_nettype none
module sgdma_inv_check #(
    parameter CTRL  = 0,
    parameter FETCH = 0,
    parameter STAT  = 0
) (
    input wire        clk,
    input wire        resetn,
    // channel control
    input wire [1:0]  p_state,
    input wire        p_flush,
    // descriptor fetcher (m_axi_sg AR/R)
    input wire [1:0]  p_f_inflight,
    input wire        p_f_issue_d,
    input wire        p_f_rlast,
    input wire [2:0]  p_f_inbeat,
    input wire [5:0]  p_f_next_lo,
    input wire [5:0]  p_curdesc_lo,
    input wire [5:0]  p_desc_lo,      // OR of the mover's and status writer's descriptor addresses
    input wire        arvalid,
    input wire [5:0]  araddr_lo,
    input wire [4:0]  r_wait,
    input wire [8:0]  rbeat,
    input wire [7:0]  rcur_len,
    input wire [7:0]  rnext_len,
    // status writer (m_axi_sg AW/W/B)
    input wire [2:0]  p_s_fl_count,
    input wire        p_s_w2_pend,
    input wire        p_s_in_valid,
    input wire        p_s_hd_valid,
    input wire        p_s_q_empty,
    input wire        sg_awvalid,
    input wire [5:0]  sg_awaddr_lo,
    input wire [7:0]  sg_awlen,
    input wire        sg_wvalid,
    input wire        sg_wlast,
    input wire [4:0]  sg_aw_wait,
    input wire [4:0]  sg_b_wait,
    input wire [8:0]  sg_wbeat,
    input wire [7:0]  sg_cur_len
);
    localparam [1:0] ST_HALTED = 2'd0, ST_RUN = 2'd1, ST_DRAIN = 2'd2;
    wire halted = (p_state == ST_HALTED);
    wire quiet_halt = halted && !p_flush;     // halted, and the flush is over

    generate if (CTRL) begin : g_ctrl
        always @(*) if (resetn) begin
            assert (p_state != 2'd3);
            assert (!p_flush || halted);
        end
    end endgenerate

    generate if (FETCH) begin : g_fetch
        always @(*) if (resetn) begin
            // reads in flight: the fetcher counts a read from the clock after its issue
            // (issue_d) until the clock after its last beat (r_last)
            assert (p_f_inflight != 2'd3);
            assert ({1'b0, p_f_inflight} + {2'b0, p_f_issue_d} ==
                    r_wait[2:0] + {2'b0, arvalid} + {2'b0, p_f_rlast});
            assert (!p_f_issue_d || arvalid);
            assert (r_wait <= 5'd2);
            // its beat count is the checker's
            assert ({6'd0, p_f_inbeat} == rbeat);
            assert (r_wait == 0 || rcur_len == 8'd3);
            assert (r_wait < 5'd2 || rnext_len == 8'd3);
            // descriptor addresses are 64-byte aligned
            assert (p_f_next_lo == 6'd0);
            assert (p_curdesc_lo == 6'd0);
            assert (p_desc_lo == 6'd0);     // what CURDESC is loaded from
            assert (araddr_lo == 6'd0);
            // a halted channel has no read in flight
            if (halted)
                assert (!arvalid && p_f_inflight == 2'd0 && !p_f_issue_d && !p_f_rlast);
        end
    end endgenerate

    generate if (STAT) begin : g_stat
        always @(*) if (resetn) begin
            // write-backs in flight: AW waiting, AW taken with W beats to go, B to come
            assert (p_s_fl_count <= 3'd4);
            assert ({2'b0, p_s_fl_count} == {4'b0, sg_awvalid} + sg_aw_wait + sg_b_wait);
            // one write-back at a time on AW/W
            assert (!sg_awvalid || sg_aw_wait == 5'd0);
            assert (sg_aw_wait <= 5'd1);
            assert (sg_wvalid == (sg_awvalid || sg_aw_wait != 5'd0));
            assert (sg_awlen <= 8'd1);
            assert (!p_s_w2_pend || (sg_wvalid && !sg_wlast && sg_awlen == 8'd1));
            assert (!sg_wvalid || p_s_w2_pend || sg_wlast);
            // the W beat on the bus is the second exactly when a two-beat write-back's
            // second beat is no longer pending (W is never taken before its AW)
            if (sg_awvalid || sg_aw_wait != 5'd0)
                assert (sg_wbeat == ((sg_awlen == 8'd1 && !p_s_w2_pend) ? 9'd1 : 9'd0));
            if (sg_aw_wait != 5'd0)
                assert (sg_cur_len == sg_awlen);
            assert (!sg_awvalid || sg_awaddr_lo == 6'h18);
            if (halted)
                assert (!sg_awvalid && !sg_wvalid && !p_s_w2_pend && p_s_fl_count == 3'd0);
            if (quiet_halt)
                assert (!p_s_in_valid && !p_s_hd_valid && p_s_q_empty);
        end
    end endgenerate
endmodule
`default_nettype wire
