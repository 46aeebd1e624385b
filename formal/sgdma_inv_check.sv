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
    parameter STAT  = 0,
    parameter MOVER = 0,
    parameter BYTES = 0,
    parameter MODES = 0,      // cover the operating modes
    parameter BUFFER = 0,
    parameter MBL   = 4,      // the engine's MAX_BURST_LEN (a power of two)
    parameter MOUT  = 2       // the engine's MAX_OUTSTANDING
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
    input wire [7:0]  sg_cur_len,
    // data mover (m_axi_s2mm AW/W/B)
    input wire        dm_awvalid,
    input wire [31:0] dm_awaddr,
    input wire [7:0]  dm_awlen,
    input wire        dm_wvalid,
    input wire        dm_wlast,
    input wire [4:0]  dm_aw_wait,
    input wire [4:0]  dm_b_wait,
    input wire [8:0]  dm_wbeat,
    input wire [7:0]  dm_cur_len,
    input wire [7:0]  dm_next_len,
    // the fetcher's descriptor queue (4 entries of {zlen, err, len, buf, desc[31:6]})
    input wire [68:0] p_q_w0, p_q_w1, p_q_w2, p_q_w3,
    input wire [2:0]  p_q_rp, p_q_wp, p_q_cnt,
    input wire        p_q_empty, p_q_full,
    // the mover's segment skid: {beat, bytes, ends packet, ends buffer, wraps, overflows}
    input wire        p_g_ov, p_g_tv, p_g_rdy,
    // operating modes (covers): completion entries, ring full, drops, recorded errors
    input wire        p_c_cpl_push, p_c_ring_full, p_c_policy_drop, p_c_drop_fire,
    input wire [78:0] p_c_cpl_din,               // {kind, seq, sof, eof, len, desc, pos}
    input wire [5:0]  p_c_err_bits,
    // byte accounting
    input wire        p_b_drop_fire, p_b_abort, p_b_in_rdy,
    input wire [3:0]  p_b_out_strb,              // lanes of the placer's beat in assembly
    // buffer bounds
    input wire [7:0]  p_u_p_done,                // bytes of the placer's buffer placed
    input wire        p_u_load_desc, p_u_p_load, // a descriptor enters the cutter / the placer
    input wire        p_u_beat_fire,             // a beat enters the W register
    input wire [3:0]  p_u_w_strb_in,             // with these strobes
    input wire        tvalid, tready,
    input wire [3:0]  tkeep,
    input wire        dm_wready,
    input wire [3:0]  dm_wstrb,
    input wire [2:0]  p_m_ib_avail, p_m_sk_nb,   // bytes in the holding and skid registers
    input wire        p_m_ib_valid, p_m_sk_valid,
    input wire        p_m_ib_full, p_m_sk_full,  // the registers hold a whole beat
    input wire [8:0]  p_m_c_remm, p_m_nd_lenm,   // c_rem - 5 and nd_len - 5 (precomputed)
    input wire        p_m_b_err,                 // a data write was refused (the mover stops)
    input wire [7:0]  p_m_c_rem,                 // bytes of the cutter's buffer not yet cut
    input wire [1:0]  p_m_c_lane,                // memory lane of the cutter's next byte
    input wire [7:0]  p_m_nd_len,
    input wire [38:0] p_g_od, p_g_td,
    input wire [4:0] p_m_out_cnt,
    input wire        p_m_out_full,
    input wire        p_m_out_zero,
    input wire        p_m_in_burst,
    input wire [8:0] p_m_burst_rem,
    input wire        p_m_br_is1,
    input wire        p_m_pad_mode,
    input wire        p_m_p_valid,
    input wire [31:0] p_m_p_addr,
    input wire [9:0] p_m_bl,
    input wire        p_m_bl_gt_mb,
    input wire [8:0] p_m_pl_len,
    input wire        p_m_flush_pend,
    input wire        p_m_pn_valid,
    input wire        p_m_pn_bad,
    input wire [31:0] p_m_pn_addr,
    input wire [9:0] p_m_pn_bl,
    input wire        p_m_pn_bl_gt_mb,
    input wire [8:0] p_m_pn_pl_len,
    input wire        p_m_nd_valid,
    input wire        p_m_nd_bad,
    input wire [31:0] p_m_nd_buf,
    input wire [9:0] p_m_nd_bl,
    input wire [8:0] p_m_nd_al,
    input wire        p_m_c_valid
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
    // ------------------------------------------------------------------ data mover
    localparam MBW = $clog2(MBL);
    localparam LBW = 2;                                    // log2 of the data bytes (32 bits)
    wire [9:0] mb10 = MBL;
    // beats from an address to the next MAX_BURST_LEN boundary
    function [9:0] to_bound(input [31:0] a);
        to_bound = mb10 - {{(10-MBW){1'b0}}, a[LBW +: MBW]};
    endfunction
    function [9:0] min10(input [9:0] a, input [9:0] b);
        min10 = (a < b) ? a : b;
    endfunction
    // bursts whose W beats are not all in: at most one (a burst opens with its first W beat,
    // and only once the previous burst's last beat has left or leaves the W register)
    wire [4:0] dm_wopen = {4'b0, dm_awvalid} + dm_aw_wait;
    wire [7:0] dm_len   = dm_awvalid ? dm_awlen : dm_cur_len;   // that burst's AWLEN
    // a queued descriptor's zero-length flag is its length's
    wire [68:0] q_w [0:3];
    assign q_w[0] = p_q_w0; assign q_w[1] = p_q_w1; assign q_w[2] = p_q_w2; assign q_w[3] = p_q_w3;
    integer qi;
    // Byte accounting between the cutter and the placer.  The segment skid holds up to two
    // segments (g0 older, g1 younger).  They belong to the placer's descriptor P until P's
    // last segment (end bit), and to the descriptor in the next-descriptor register N after
    // it.  The cutter works on P while N is empty, else on N.
    wire [2:0] g0_nb = p_g_od[6:4], g1_nb = p_g_td[6:4];
    wire       g0_end = p_g_od[2], g1_end = p_g_td[2];
    wire       p_open = p_m_p_valid && !p_m_flush_pend;   // P still takes segments
    wire       g0_p = p_g_ov && p_open;
    wire       g1_p = p_g_tv && p_open && !g0_end;
    wire       g0_n = p_g_ov && !g0_p;
    wire       g1_n = p_g_tv && !g1_p;
    wire       c_p  = p_m_c_valid && !p_m_pn_valid;
    wire       c_n  = p_m_c_valid && p_m_pn_valid;
    wire [11:0] lane_p = {10'd0, p_m_p_addr[1:0]}, lane_n = {10'd0, p_m_pn_addr[1:0]};
    wire [11:0] gp0 = g0_p ? {9'd0, g0_nb} : 12'd0, gp1 = g1_p ? {9'd0, g1_nb} : 12'd0;
    wire [11:0] gn0 = g0_n ? {9'd0, g0_nb} : 12'd0, gn1 = g1_n ? {9'd0, g1_nb} : 12'd0;
    wire [11:0] bytes_p = gp0 + gp1 + (c_p ? {4'd0, p_m_c_rem} : 12'd0);
    wire [11:0] bytes_n = gn0 + gn1 + (c_n ? {4'd0, p_m_c_rem} : 12'd0);
    // a segment's wrap and overflow bits against the lane it is placed at
    function seg_ok(input [38:0] g, input [11:0] lane);
        seg_ok = (g[1] == (lane[1:0] + {9'd0, g[6:4]} >= 12'd4)) &&
                 (g[0] == (lane[1:0] + {9'd0, g[6:4]} > 12'd4));
    endfunction
    generate if (MOVER) begin : g_mover
        // (while the mover runs: a stop freezes the cutter and the placer until the flush)
        always @(*) if (resetn && p_state == ST_RUN && !p_m_b_err) begin
            if (g0_n || g1_n)
                assert (p_m_pn_valid && !p_m_pn_bad);
            // an error entry is taken only while the cutter has no buffer, and blocks the next
            if (p_m_pn_valid && p_m_pn_bad)
                assert (!p_m_c_valid);
            if ((g0_p && g0_end) || (g1_p && g1_end))
                assert (!c_p);
            if (p_m_c_valid)
                assert (p_m_pn_valid || p_open);
            if (g0_n && g0_end)
                assert (!p_g_tv && !p_m_c_valid);
            if (g1_n && g1_end)
                assert (!p_m_c_valid);
            // a descriptor the cutter has left has its last segment in the skid, or placed
            if (p_open)
                assert (c_p || (g0_p && g0_end) || (g1_p && g1_end));
            if (p_m_pn_valid && !p_m_pn_bad)
                assert (c_n || (g0_n && g0_end) || (g1_n && g1_end));
            if (p_open) begin
                assert (lane_p + bytes_p <= {p_m_bl, 2'b00});
                if (g0_p) assert (seg_ok(p_g_od, lane_p));
                if (g1_p) assert (seg_ok(p_g_td, lane_p + gp0));
                if (c_p)  assert (p_m_c_lane == lane_p[1:0] + gp0[1:0] + gp1[1:0]);
            end
            if (p_m_pn_valid && !p_m_pn_bad) begin
                assert (lane_n + bytes_n <= {p_m_pn_bl, 2'b00});
                if (g0_n) assert (seg_ok(p_g_od, lane_n));
                if (g1_n) assert (seg_ok(p_g_td, lane_n + gn0));
                if (c_n)  assert (p_m_c_lane == lane_n[1:0] + gn0[1:0] + gn1[1:0]);
            end
            if (p_m_nd_valid && !p_m_nd_bad)
                assert (p_m_nd_len != 8'd0 &&
                        {4'd0, p_m_nd_len} + {10'd0, p_m_nd_buf[1:0]} <= {p_m_nd_bl, 2'b00});
        end
        always @(*) if (resetn) begin
            assert (p_q_cnt == p_q_wp - p_q_rp && p_q_cnt <= 3'd4);
            // the fetcher issues a read only when the queue has room for its entry
            assert ({1'b0, p_q_cnt} + {2'b0, p_f_inflight} + {3'b0, p_f_issue_d} <= 4'd4);
            assert (p_q_empty == (p_q_cnt == 3'd0) && p_q_full == (p_q_cnt == 3'd4));
            for (qi = 0; qi < 4; qi = qi + 1)
                if (((qi[1:0] - p_q_rp[1:0]) & 2'd3) < p_q_cnt[1:0] || p_q_cnt == 3'd4)
                    assert (q_w[qi][68] == (q_w[qi][65:58] == 8'd0));
            // bursts opened and not acknowledged
            // a segment that spills into the next memory beat fills the current one; a
            // packet's end is its buffer's end; at most a beat of bytes
            assert (p_m_ib_avail <= 3'd4 && p_m_sk_nb <= 3'd4);
            assert (!p_m_ib_valid || p_m_ib_avail != 3'd0);
            assert (!p_m_sk_valid || p_m_sk_nb != 3'd0);
            assert (p_m_ib_full == (p_m_ib_avail == 3'd4) && p_m_sk_full == (p_m_sk_nb == 3'd4));
            if (p_m_c_valid)  assert (p_m_c_rem != 8'd0 && p_m_c_remm == {1'b0, p_m_c_rem} - 9'd5);
            if (p_m_nd_valid) assert (p_m_nd_lenm == {1'b0, p_m_nd_len} - 9'd5);
            if (p_g_ov)
                assert ((!p_g_od[0] || p_g_od[1]) && (!p_g_od[3] || p_g_od[2]) &&
                        g0_nb != 3'd0 && g0_nb <= 3'd4);
            if (p_g_tv)
                assert (g1_nb != 3'd0 && g1_nb <= 3'd4);
            assert (p_g_rdy == !p_g_tv);
            if (p_g_tv)
                assert (p_g_ov && (!p_g_td[0] || p_g_td[1]) && (!p_g_td[3] || p_g_td[2]));
            if (dm_aw_wait != 5'd0)
                assert (dm_cur_len < MBL);
            if (dm_aw_wait >= 5'd2)
                assert (dm_next_len < MBL);
            assert (p_m_burst_rem < MBL);
            assert (p_m_out_cnt == dm_wopen + dm_b_wait);
            assert (p_m_out_cnt <= MOUT);
            assert (p_m_out_full == (p_m_out_cnt == MOUT));
            assert (p_m_out_zero == (p_m_out_cnt == 5'd0));
            assert (dm_wopen <= 5'd1);
            // the open burst's beats: sent (taken by the slave or in the W register) plus
            // the beats still to come make its length
            assert (p_m_in_burst == (p_m_burst_rem != 9'd0));
            assert (p_m_br_is1 == (p_m_burst_rem == 9'd1));
            if (p_m_in_burst)
                assert (dm_wopen == 5'd1 &&
                        dm_wbeat + {8'd0, dm_wvalid} + p_m_burst_rem == {1'b0, dm_len} + 9'd1);
            if (dm_wopen == 5'd1 && !p_m_in_burst)
                assert (dm_wvalid && dm_wlast && dm_wbeat == {1'b0, dm_len});
            if (dm_wvalid)
                assert (dm_wopen == 5'd1 && dm_wlast == (dm_wbeat == {1'b0, dm_len}));
            if (dm_wopen == 5'd0)
                assert (!p_m_in_burst && !dm_wvalid);
            assert (!p_m_pad_mode || p_m_in_burst);
            assert (!p_m_flush_pend || p_m_p_valid);
            // an open burst belongs to the placer's descriptor, or is being padded out
            assert (!p_m_in_burst || p_m_p_valid || p_m_pad_mode);
            // AW: aligned, inside one MAX_BURST_LEN-aligned block
            if (dm_awvalid)
                assert (dm_awaddr[LBW-1:0] == 0 &&
                        {2'b0, dm_awlen} < to_bound(dm_awaddr));
            // the burst plan: a burst opening at the current beat ends at the block boundary
            // or at the buffer's last beat
            if (p_m_p_valid) begin
                assert (p_m_bl != 10'd0);
                assert (p_m_bl_gt_mb == (p_m_bl > mb10));
                // (a burst that opened here ends where the plan says: the plan counts down
                // with the beats, and so does the burst)
                assert ({1'b0, p_m_pl_len} == min10(p_m_bl, to_bound(p_m_p_addr)));
                if (p_m_in_burst && !p_m_pad_mode)
                    assert (p_m_pl_len == p_m_burst_rem);
            end
            if (p_m_pn_valid && !p_m_pn_bad) begin
                assert (p_m_pn_bl != 10'd0);
                assert (p_m_pn_bl_gt_mb == (p_m_pn_bl > mb10));
                assert ({1'b0, p_m_pn_pl_len} == min10(p_m_pn_bl, to_bound(p_m_pn_addr)));
            end
            if (p_m_nd_valid && !p_m_nd_bad)
                assert (p_m_nd_bl != 10'd0 && {1'b0, p_m_nd_al} == to_bound(p_m_nd_buf));
            if (halted)
                assert (!dm_awvalid && !dm_wvalid && p_m_out_cnt == 5'd0 && !p_m_in_burst);
            if (quiet_halt)
                assert (!p_m_p_valid && !p_m_pn_valid && !p_m_nd_valid && !p_m_c_valid &&
                        !p_g_ov && !p_g_tv && !p_m_b_err && !p_m_pad_mode && !p_m_flush_pend);
        end
    end endgenerate
    // ------------------------------------------------------------------ byte conservation
    // Every byte taken from s_axis_s2mm is, at every clock, written (a W beat's strobe taken
    // on m_axi_s2mm), counted as dropped (DROP policy: the engine's drop counter), discarded
    // by a stop or a flush of the data path (the bytes held then), or held in the pipeline
    // (holding and skid registers, segment skid, the beat in assembly, the W register).
    // (counters modulo 2**8: the equation is checked at every clock, where the terms change
    // by a few bytes at a time, so a byte lost or counted twice shows at once)
    function [7:0] pop4(input [3:0] v);
        pop4 = {7'd0, v[0]} + {7'd0, v[1]} + {7'd0, v[2]} + {7'd0, v[3]};
    endfunction
    wire [7:0] held_b = (p_m_ib_valid ? {5'd0, p_m_ib_avail} : 8'd0) +
                        (p_m_sk_valid ? {5'd0, p_m_sk_nb} : 8'd0) +
                        (p_g_ov ? {5'd0, g0_nb} : 8'd0) + (p_g_tv ? {5'd0, g1_nb} : 8'd0) +
                        pop4(p_b_out_strb) + (dm_wvalid ? pop4(dm_wstrb) : 8'd0);
    // balance = taken - written - dropped - discarded, kept as one counter
    reg [7:0] n_balance;
    always @(posedge clk) begin
        if (!resetn)
            n_balance <= 8'd0;
        else
            n_balance <= n_balance + ((tvalid && tready) ? pop4(tkeep) : 8'd0)
                         - ((dm_wvalid && dm_wready) ? pop4(dm_wstrb) : 8'd0)
                         - (p_b_drop_fire ? {5'd0, p_m_ib_avail} : 8'd0)
                         // a flush clears everything held (and whatever arrives with it); a
                         // stop clears the beat in assembly
                         - (p_flush ? held_b + ((tvalid && tready) ? pop4(tkeep) : 8'd0)
                                    : (p_b_abort ? pop4(p_b_out_strb) : 8'd0));
    end
    generate if (BYTES) begin : g_bytes
        always @(*) if (resetn) begin
            assert (n_balance == held_b);
            // the skid register is empty while the input is ready
            assert (!p_b_in_rdy || !p_m_sk_valid);
            // the lanes of the beat in assembly lie below the placer's lane (none without a
            // descriptor)
            assert (p_m_p_valid || p_b_out_strb == 4'd0);
            assert ((p_b_out_strb & ~((4'd1 << p_m_p_addr[1:0]) - 4'd1)) == 4'd0 ||
                    (p_m_flush_pend && p_m_p_valid));
        end
    end endgenerate
    // ------------------------------------------------------------------ buffer bounds
    // The buffer of each descriptor, as the fetcher queued it (address, length), follows the
    // descriptor into the next-descriptor register and into the placer, in shadow registers
    // of this checker.  Every byte a beat entering the W register enables (strobe set, pad
    // beats have none) lies inside the buffer of the placer's descriptor:
    // (byte address - buffer address) mod 2**32 < buffer length.
    reg [7:0]  s_pn_len, s_p_len;
    reg [31:0] s_p_lo;
    always @(posedge clk) begin
        if (p_u_load_desc) s_pn_len <= p_m_nd_len;
        if (p_u_p_load) begin
            s_p_lo  <= p_m_pn_addr;
            s_p_len <= s_pn_len;
        end
    end
    wire [31:0] beat_base = {p_m_p_addr[31:2], 2'b00};
    wire [11:0] lane_pw = {10'd0, p_m_p_addr[1:0]};
    integer bj;
    generate if (BUFFER) begin : g_buffer
        always @(*) if (resetn) begin
            if (p_u_beat_fire && !p_m_pad_mode)
                for (bj = 0; bj < 4; bj = bj + 1)
                    if (p_u_w_strb_in[bj])
                        assert ((beat_base + bj) - s_p_lo < {24'd0, s_p_len});
            // the placer's address is the buffer's plus the bytes placed; what is still to
            // come for the buffer fits in it; the lanes of the beat in assembly hold bytes of
            // this buffer (below the placer's lane, at most the bytes placed)
            if (p_m_p_valid) begin
                assert (p_m_p_addr == s_p_lo + {24'd0, p_u_p_done});
                assert ({4'd0, p_u_p_done} + (p_open ? bytes_p : 12'd0) <= {4'd0, s_p_len});
                for (bj = 0; bj < 4; bj = bj + 1)
                    if (p_b_out_strb[bj])
                        assert (bj < lane_pw && lane_pw - bj <= {4'd0, p_u_p_done});
            end
            if (p_m_pn_valid && !p_m_pn_bad && p_state == ST_RUN && !p_m_b_err)
                assert (bytes_n <= {4'd0, s_pn_len});
            if (!p_m_p_valid)
                assert (p_b_out_strb == 4'd0);
        end
    end endgenerate
    // ------------------------------------------------------------------ operating modes
    wire [2:0] c_kind = p_c_cpl_din[78:76];
    wire       c_sof = p_c_cpl_din[67], c_eof = p_c_cpl_din[66];
    wire       c_normal = p_c_cpl_push && c_kind == 3'd0;     // a buffer filled (no error)
    reg        seen_cpl;
    always @(posedge clk)
        seen_cpl <= resetn && (seen_cpl || c_normal);
    generate if (MODES) begin : g_modes
        always @(posedge clk) if (resetn) begin
            cover (c_normal && c_sof && c_eof);                    // a packet in one buffer
            cover (c_normal && !c_sof && c_eof);                   // a packet's last buffer, not its first
            cover (halted && p_c_err_bits != 6'd0);                // halted on an error
            cover (seen_cpl && p_c_ring_full && !p_c_policy_drop && tvalid && !tready);
            cover (seen_cpl && p_c_drop_fire);                     // ring full, DROP
        end
    end endgenerate
endmodule
`default_nettype wire
