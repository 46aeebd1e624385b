// sgdma_formal_top: the engine with small parameters and a rule checker on every port.
// The environment side of every port is assumed legal (each checker's assumptions are always
// on); the engine side is asserted on the ports the job selects:
//   CHECK_LITE  s_axi_lite     CHECK_SG    m_axi_sg (CHECK_SG_R / CHECK_SG_W: its read or
//   write channels only)       CHECK_S2MM  m_axi_s2mm
//   CHECK_AXIS  s_axis_s2mm
// COVER_BUS covers a whole read and write on m_axi_sg and a write burst on m_axi_s2mm.
// STALL (define, clocks) bounds how long a slave may hold READY low on the AXI4 ports
// (0: no bound).
`default_nettype none
`ifndef STALL
`define STALL 0
`endif
module sgdma_formal_top (
    input wire clk,
    input wire resetn,
    input wire [9:0]  s_axi_lite_awaddr,
    input wire        s_axi_lite_awvalid,
    input wire [31:0] s_axi_lite_wdata,
    input wire        s_axi_lite_wvalid,
    input wire        s_axi_lite_bready,
    input wire [9:0]  s_axi_lite_araddr,
    input wire        s_axi_lite_arvalid,
    input wire        s_axi_lite_rready,
    input wire        m_axi_sg_awready,
    input wire        m_axi_sg_wready,
    input wire [1:0]  m_axi_sg_bresp,
    input wire        m_axi_sg_bvalid,
    input wire        m_axi_sg_arready,
    input wire [63:0] m_axi_sg_rdata,
    input wire [1:0]  m_axi_sg_rresp,
    input wire        m_axi_sg_rlast,
    input wire        m_axi_sg_rvalid,
    input wire        m_axi_s2mm_awready,
    input wire        m_axi_s2mm_wready,
    input wire [1:0]  m_axi_s2mm_bresp,
    input wire        m_axi_s2mm_bvalid,
    input wire [31:0] s_axis_s2mm_tdata,
    input wire [3:0]  s_axis_s2mm_tkeep,
    input wire        s_axis_s2mm_tlast,
    input wire        s_axis_s2mm_tvalid
);
    // Small parameters: 32-bit stream and data port, 64-bit descriptor port (4-beat fetch),
    // 4-beat bursts, two bursts in flight, 8-bit buffer lengths.
    localparam DW = 32, AW = 32, SGW = 64, MBL = 4, MOUT = 2, LENW = 8;

`ifdef COVER_BUS
    localparam C_BUS = 1;
`else
    localparam C_BUS = 0;
`endif
`ifdef CHECK_LITE
    localparam A_LITE = 1;
`else
    localparam A_LITE = 0;
`endif
`ifdef CHECK_SG
    localparam A_SG_W = 1, A_SG_R = 1;
`elsif CHECK_SG_R
    localparam A_SG_W = 0, A_SG_R = 1;
`elsif CHECK_SG_W
    localparam A_SG_W = 1, A_SG_R = 0;
`else
    localparam A_SG_W = 0, A_SG_R = 0;
`endif
`ifdef CHECK_S2MM
    localparam A_S2MM = 1;
`else
    localparam A_S2MM = 0;
`endif
`ifdef INV_CTRL
    localparam I_CTRL = 1;
`else
    localparam I_CTRL = 0;
`endif
`ifdef INV_FETCH
    localparam I_FETCH = 1;
`else
    localparam I_FETCH = 0;
`endif
`ifdef INV_STAT
    localparam I_STAT = 1;
`else
    localparam I_STAT = 0;
`endif
`ifdef INV_MOVER
    localparam I_MOVER = 1;
`else
    localparam I_MOVER = 0;
`endif
`ifdef INV_BYTES
    localparam I_BYTES = 1;
`else
    localparam I_BYTES = 0;
`endif
`ifdef INV_BUFFER
    localparam I_BUFFER = 1;
`else
    localparam I_BUFFER = 0;
`endif
`ifdef COVER_MODES
    localparam C_MODES = 1;
`else
    localparam C_MODES = 0;
`endif
`ifdef CHECK_AXIS
    localparam A_AXIS = 1;
`else
    localparam A_AXIS = 0;
`endif

    wire        s_axi_lite_awready, s_axi_lite_wready, s_axi_lite_bvalid;
    wire        s_axi_lite_arready, s_axi_lite_rvalid;
    wire [1:0]  s_axi_lite_bresp, s_axi_lite_rresp;
    wire [31:0] s_axi_lite_rdata;

    wire [0:0]    m_axi_sg_awid, m_axi_sg_arid;
    wire [AW-1:0] m_axi_sg_awaddr, m_axi_sg_araddr;
    wire [7:0]    m_axi_sg_awlen, m_axi_sg_arlen;
    wire [2:0]    m_axi_sg_awsize, m_axi_sg_arsize, m_axi_sg_awprot, m_axi_sg_arprot;
    wire [1:0]    m_axi_sg_awburst, m_axi_sg_arburst;
    wire [3:0]    m_axi_sg_awcache, m_axi_sg_arcache;
    wire          m_axi_sg_awvalid, m_axi_sg_wvalid, m_axi_sg_wlast, m_axi_sg_bready;
    wire          m_axi_sg_arvalid, m_axi_sg_rready;
    wire [SGW-1:0]   m_axi_sg_wdata;
    wire [SGW/8-1:0] m_axi_sg_wstrb;

    wire [0:0]    m_axi_s2mm_awid;
    wire [AW-1:0] m_axi_s2mm_awaddr;
    wire [7:0]    m_axi_s2mm_awlen;
    wire [2:0]    m_axi_s2mm_awsize, m_axi_s2mm_awprot;
    wire [1:0]    m_axi_s2mm_awburst;
    wire [3:0]    m_axi_s2mm_awcache;
    wire          m_axi_s2mm_awvalid, m_axi_s2mm_wvalid, m_axi_s2mm_wlast, m_axi_s2mm_bready;
    wire [DW-1:0]   m_axi_s2mm_wdata;
    wire [DW/8-1:0] m_axi_s2mm_wstrb;
    wire          s_axis_s2mm_tready, s2mm_introut;

    sgdma #(
        .DATA_WIDTH(DW), .ADDR_WIDTH(AW), .SG_DATA_WIDTH(SGW), .MAX_BURST_LEN(MBL),
        .MAX_OUTSTANDING(MOUT), .LEN_WIDTH(LENW), .DELAY_UNIT(1)
    ) dut (
        .axi_aclk(clk), .axi_resetn(resetn),
        .s_axi_lite_awaddr(s_axi_lite_awaddr), .s_axi_lite_awvalid(s_axi_lite_awvalid),
        .s_axi_lite_awready(s_axi_lite_awready), .s_axi_lite_wdata(s_axi_lite_wdata),
        .s_axi_lite_wvalid(s_axi_lite_wvalid), .s_axi_lite_wready(s_axi_lite_wready),
        .s_axi_lite_bresp(s_axi_lite_bresp), .s_axi_lite_bvalid(s_axi_lite_bvalid),
        .s_axi_lite_bready(s_axi_lite_bready), .s_axi_lite_araddr(s_axi_lite_araddr),
        .s_axi_lite_arvalid(s_axi_lite_arvalid), .s_axi_lite_arready(s_axi_lite_arready),
        .s_axi_lite_rdata(s_axi_lite_rdata), .s_axi_lite_rresp(s_axi_lite_rresp),
        .s_axi_lite_rvalid(s_axi_lite_rvalid), .s_axi_lite_rready(s_axi_lite_rready),
        .m_axi_sg_awid(m_axi_sg_awid), .m_axi_sg_awaddr(m_axi_sg_awaddr),
        .m_axi_sg_awlen(m_axi_sg_awlen), .m_axi_sg_awsize(m_axi_sg_awsize),
        .m_axi_sg_awburst(m_axi_sg_awburst), .m_axi_sg_awcache(m_axi_sg_awcache),
        .m_axi_sg_awprot(m_axi_sg_awprot), .m_axi_sg_awvalid(m_axi_sg_awvalid),
        .m_axi_sg_awready(m_axi_sg_awready), .m_axi_sg_wdata(m_axi_sg_wdata),
        .m_axi_sg_wstrb(m_axi_sg_wstrb), .m_axi_sg_wlast(m_axi_sg_wlast),
        .m_axi_sg_wvalid(m_axi_sg_wvalid), .m_axi_sg_wready(m_axi_sg_wready),
        .m_axi_sg_bid(1'b0), .m_axi_sg_bresp(m_axi_sg_bresp), .m_axi_sg_bvalid(m_axi_sg_bvalid),
        .m_axi_sg_bready(m_axi_sg_bready), .m_axi_sg_arid(m_axi_sg_arid),
        .m_axi_sg_araddr(m_axi_sg_araddr), .m_axi_sg_arlen(m_axi_sg_arlen),
        .m_axi_sg_arsize(m_axi_sg_arsize), .m_axi_sg_arburst(m_axi_sg_arburst),
        .m_axi_sg_arcache(m_axi_sg_arcache), .m_axi_sg_arprot(m_axi_sg_arprot),
        .m_axi_sg_arvalid(m_axi_sg_arvalid), .m_axi_sg_arready(m_axi_sg_arready),
        .m_axi_sg_rid(1'b0), .m_axi_sg_rdata(m_axi_sg_rdata), .m_axi_sg_rresp(m_axi_sg_rresp),
        .m_axi_sg_rlast(m_axi_sg_rlast), .m_axi_sg_rvalid(m_axi_sg_rvalid),
        .m_axi_sg_rready(m_axi_sg_rready),
        .m_axi_s2mm_awid(m_axi_s2mm_awid), .m_axi_s2mm_awaddr(m_axi_s2mm_awaddr),
        .m_axi_s2mm_awlen(m_axi_s2mm_awlen), .m_axi_s2mm_awsize(m_axi_s2mm_awsize),
        .m_axi_s2mm_awburst(m_axi_s2mm_awburst), .m_axi_s2mm_awcache(m_axi_s2mm_awcache),
        .m_axi_s2mm_awprot(m_axi_s2mm_awprot), .m_axi_s2mm_awvalid(m_axi_s2mm_awvalid),
        .m_axi_s2mm_awready(m_axi_s2mm_awready), .m_axi_s2mm_wdata(m_axi_s2mm_wdata),
        .m_axi_s2mm_wstrb(m_axi_s2mm_wstrb), .m_axi_s2mm_wlast(m_axi_s2mm_wlast),
        .m_axi_s2mm_wvalid(m_axi_s2mm_wvalid), .m_axi_s2mm_wready(m_axi_s2mm_wready),
        .m_axi_s2mm_bid(1'b0), .m_axi_s2mm_bresp(m_axi_s2mm_bresp),
        .m_axi_s2mm_bvalid(m_axi_s2mm_bvalid), .m_axi_s2mm_bready(m_axi_s2mm_bready),
        .s_axis_s2mm_tdata(s_axis_s2mm_tdata), .s_axis_s2mm_tkeep(s_axis_s2mm_tkeep),
        .s_axis_s2mm_tlast(s_axis_s2mm_tlast), .s_axis_s2mm_tvalid(s_axis_s2mm_tvalid),
        .s_axis_s2mm_tready(s_axis_s2mm_tready), .s2mm_introut(s2mm_introut)
    );

    // the port checkers' bookkeeping (for the invariants of sgdma_inv_check)
    wire [4:0] sg_aw_wait, sg_b_wait, sg_r_wait, dm_aw_wait, dm_b_wait, dm_r_wait_unused;
    wire [8:0] sg_wbeat, sg_rbeat, dm_wbeat, dm_rbeat_unused;
    wire [7:0] sg_cur_len, sg_next_len, sg_rcur_len, sg_rnext_len;
    wire [7:0] dm_cur_len, dm_next_len, dm_rcur_len_unused, dm_rnext_len_unused;

    axil_slave_check #(.ADDR_WIDTH(10), .ASSERT(A_LITE)) chk_lite (
        .clk(clk), .resetn(resetn),
        .awaddr(s_axi_lite_awaddr), .awvalid(s_axi_lite_awvalid), .awready(s_axi_lite_awready),
        .wdata(s_axi_lite_wdata), .wvalid(s_axi_lite_wvalid), .wready(s_axi_lite_wready),
        .bresp(s_axi_lite_bresp), .bvalid(s_axi_lite_bvalid), .bready(s_axi_lite_bready),
        .araddr(s_axi_lite_araddr), .arvalid(s_axi_lite_arvalid), .arready(s_axi_lite_arready),
        .rdata(s_axi_lite_rdata), .rresp(s_axi_lite_rresp), .rvalid(s_axi_lite_rvalid),
        .rready(s_axi_lite_rready)
    );

    // descriptor port: 4 write-backs in flight (status writer), 2 fetches in flight
    axi4_master_check #(
        .ADDR_WIDTH(AW), .DATA_WIDTH(SGW), .MAX_LEN(256), .MAX_OUT(4), .STALL(`STALL),
        .WRITE(1), .READ(1), .ASSERT(A_SG_W || A_SG_R), .ASSERT_W(A_SG_W), .ASSERT_R(A_SG_R),
        .COVER(C_BUS), .BOOK_W(I_STAT), .BOOK_R(I_FETCH)
    ) chk_sg (
        .clk(clk), .resetn(resetn),
        .awaddr(m_axi_sg_awaddr), .awlen(m_axi_sg_awlen), .awsize(m_axi_sg_awsize),
        .awburst(m_axi_sg_awburst), .awvalid(m_axi_sg_awvalid), .awready(m_axi_sg_awready),
        .wdata(m_axi_sg_wdata), .wstrb(m_axi_sg_wstrb), .wlast(m_axi_sg_wlast),
        .wvalid(m_axi_sg_wvalid), .wready(m_axi_sg_wready),
        .bresp(m_axi_sg_bresp), .bvalid(m_axi_sg_bvalid), .bready(m_axi_sg_bready),
        .araddr(m_axi_sg_araddr), .arlen(m_axi_sg_arlen), .arsize(m_axi_sg_arsize),
        .arburst(m_axi_sg_arburst), .arvalid(m_axi_sg_arvalid), .arready(m_axi_sg_arready),
        .rdata(m_axi_sg_rdata), .rresp(m_axi_sg_rresp), .rlast(m_axi_sg_rlast),
        .rvalid(m_axi_sg_rvalid), .rready(m_axi_sg_rready),
        .o_aw_wait(sg_aw_wait), .o_b_wait(sg_b_wait), .o_wbeat(sg_wbeat), .o_cur_len(sg_cur_len),
        .o_next_len(sg_next_len), .o_r_wait(sg_r_wait), .o_rbeat(sg_rbeat),
        .o_rcur_len(sg_rcur_len), .o_rnext_len(sg_rnext_len)
    );

    axi4_master_check #(
        .ADDR_WIDTH(AW), .DATA_WIDTH(DW), .MAX_LEN(MBL), .MAX_OUT(MOUT), .STALL(`STALL),
        .WRITE(1), .READ(0), .ASSERT(A_S2MM), .COVER(C_BUS), .BOOK_W(I_MOVER)
    ) chk_s2mm (
        .clk(clk), .resetn(resetn),
        .awaddr(m_axi_s2mm_awaddr), .awlen(m_axi_s2mm_awlen), .awsize(m_axi_s2mm_awsize),
        .awburst(m_axi_s2mm_awburst), .awvalid(m_axi_s2mm_awvalid), .awready(m_axi_s2mm_awready),
        .wdata(m_axi_s2mm_wdata), .wstrb(m_axi_s2mm_wstrb), .wlast(m_axi_s2mm_wlast),
        .wvalid(m_axi_s2mm_wvalid), .wready(m_axi_s2mm_wready),
        .bresp(m_axi_s2mm_bresp), .bvalid(m_axi_s2mm_bvalid), .bready(m_axi_s2mm_bready),
        .araddr({AW{1'b0}}), .arlen(8'd0), .arsize(3'd0), .arburst(2'd0), .arvalid(1'b0),
        .arready(1'b0), .rdata({DW{1'b0}}), .rresp(2'd0), .rlast(1'b0), .rvalid(1'b0),
        .rready(1'b0),
        .o_aw_wait(dm_aw_wait), .o_b_wait(dm_b_wait), .o_wbeat(dm_wbeat), .o_cur_len(dm_cur_len),
        .o_next_len(dm_next_len), .o_r_wait(dm_r_wait_unused), .o_rbeat(dm_rbeat_unused),
        .o_rcur_len(dm_rcur_len_unused), .o_rnext_len(dm_rnext_len_unused)
    );

    axis_sink_check #(.DATA_WIDTH(DW), .ASSERT(A_AXIS)) chk_axis (
        .clk(clk), .resetn(resetn),
        .tdata(s_axis_s2mm_tdata), .tkeep(s_axis_s2mm_tkeep), .tlast(s_axis_s2mm_tlast),
        .tvalid(s_axis_s2mm_tvalid), .tready(s_axis_s2mm_tready)
    );

    // Probes: internal nets of the engine.  They are declared here and left undriven; the
    // formal flow connects each to the engine net of the same role after flattening
    // (sgdma_verif.formal.PROBES), so nothing in rtl/ refers to the properties.
    wire [1:0]  p_state;
    wire        p_flush;
    wire [1:0]  p_f_inflight;
    wire        p_f_issue_d, p_f_rlast;
    wire [2:0]  p_f_inbeat;
    wire [AW-1:0] p_f_next_addr, p_curdesc, p_nd_desc, p_pn_desc, p_err_desc,
                  p_f0_addr, p_f1_addr;
    wire [2:0]  p_s_fl_count;
    wire        p_s_w2_pend, p_s_in_valid, p_s_hd_valid, p_s_q_empty;

    wire [4:0] p_m_out_cnt;
    wire        p_m_out_full;
    wire        p_m_out_zero;
    wire        p_m_in_burst;
    wire [8:0] p_m_burst_rem;
    wire        p_m_br_is1;
    wire        p_m_pad_mode;
    wire        p_m_p_valid;
    wire [31:0] p_m_p_addr;
    wire [9:0] p_m_bl;
    wire        p_m_bl_gt_mb;
    wire [8:0] p_m_pl_len;
    wire        p_m_flush_pend;
    wire        p_m_pn_valid;
    wire        p_m_pn_bad;
    wire [31:0] p_m_pn_addr;
    wire [9:0] p_m_pn_bl;
    wire        p_m_pn_bl_gt_mb;
    wire [8:0] p_m_pn_pl_len;
    wire        p_m_nd_valid;
    wire        p_m_nd_bad;
    wire [31:0] p_m_nd_buf;
    wire [9:0] p_m_nd_bl;
    wire [8:0] p_m_nd_al;
    wire        p_m_c_valid;

    wire [68:0] p_q_w0, p_q_w1, p_q_w2, p_q_w3;   // the fetcher's descriptor queue
    wire [2:0]  p_q_rp, p_q_wp, p_q_cnt;
    wire        p_q_empty, p_q_full;
    wire        p_g_ov, p_g_tv, p_g_rdy;          // the mover's segment skid
    wire [38:0] p_g_od, p_g_td;
    wire [2:0]  p_m_ib_avail, p_m_sk_nb;
    wire [7:0]  p_m_c_rem, p_m_nd_len;
    wire [1:0]  p_m_c_lane;
    wire        p_m_b_err, p_m_ib_full, p_m_sk_full, p_m_ib_valid, p_m_sk_valid;
    wire [8:0]  p_m_c_remm, p_m_nd_lenm;

    wire        p_b_drop_fire, p_b_abort, p_b_in_rdy;
    wire [3:0]  p_b_out_strb;
    wire [7:0]  p_u_p_done;
    wire        p_c_cpl_push, p_c_ring_full, p_c_policy_drop, p_c_drop_fire;
    wire [78:0] p_c_cpl_din;
    wire [5:0]  p_c_err_bits;
    wire        p_u_load_desc, p_u_p_load, p_u_beat_fire;
    wire [3:0]  p_u_w_strb_in;

    sgdma_inv_check #(.MODES(C_MODES), .BYTES(I_BYTES), .BUFFER(I_BUFFER), .CTRL(I_CTRL), .FETCH(I_FETCH), .STAT(I_STAT), .MOVER(I_MOVER),
                      .MBL(MBL), .MOUT(MOUT)) chk_inv (
        .clk(clk), .resetn(resetn),
        .p_state(p_state), .p_flush(p_flush),
        .p_f_inflight(p_f_inflight), .p_f_issue_d(p_f_issue_d), .p_f_rlast(p_f_rlast),
        .p_f_inbeat(p_f_inbeat), .p_f_next_lo(p_f_next_addr[5:0]), .p_curdesc_lo(p_curdesc[5:0]),
        .p_desc_lo(p_nd_desc[5:0] | p_pn_desc[5:0] | p_err_desc[5:0] | p_f0_addr[5:0] |
                   p_f1_addr[5:0]),
        .arvalid(m_axi_sg_arvalid), .araddr_lo(m_axi_sg_araddr[5:0]),
        .r_wait(sg_r_wait), .rbeat(sg_rbeat), .rcur_len(sg_rcur_len), .rnext_len(sg_rnext_len),
        .p_s_fl_count(p_s_fl_count), .p_s_w2_pend(p_s_w2_pend), .p_s_in_valid(p_s_in_valid),
        .p_s_hd_valid(p_s_hd_valid), .p_s_q_empty(p_s_q_empty),
        .sg_awvalid(m_axi_sg_awvalid), .sg_awaddr_lo(m_axi_sg_awaddr[5:0]),
        .sg_awlen(m_axi_sg_awlen), .sg_wvalid(m_axi_sg_wvalid), .sg_wlast(m_axi_sg_wlast),
        .sg_aw_wait(sg_aw_wait), .sg_b_wait(sg_b_wait), .sg_wbeat(sg_wbeat),
        .sg_cur_len(sg_cur_len),
        .dm_awvalid(m_axi_s2mm_awvalid), .dm_awaddr(m_axi_s2mm_awaddr), .dm_awlen(m_axi_s2mm_awlen),
        .dm_wvalid(m_axi_s2mm_wvalid), .dm_wlast(m_axi_s2mm_wlast),
        .dm_aw_wait(dm_aw_wait), .dm_b_wait(dm_b_wait), .dm_wbeat(dm_wbeat),
        .dm_cur_len(dm_cur_len), .dm_next_len(dm_next_len),
        .p_q_w0(p_q_w0), .p_q_w1(p_q_w1), .p_q_w2(p_q_w2), .p_q_w3(p_q_w3), .p_q_rp(p_q_rp),
        .p_m_b_err(p_m_b_err), .p_m_ib_full(p_m_ib_full), .p_m_ib_valid(p_m_ib_valid), .p_m_sk_valid(p_m_sk_valid), .p_m_sk_full(p_m_sk_full),
        .p_m_c_remm(p_m_c_remm), .p_m_nd_lenm(p_m_nd_lenm), .p_m_c_rem(p_m_c_rem), .p_m_c_lane(p_m_c_lane), .p_m_nd_len(p_m_nd_len),
        .p_m_ib_avail(p_m_ib_avail), .p_m_sk_nb(p_m_sk_nb), .p_g_ov(p_g_ov),
        .p_c_cpl_push(p_c_cpl_push), .p_c_cpl_din(p_c_cpl_din), .p_c_ring_full(p_c_ring_full),
        .p_c_policy_drop(p_c_policy_drop), .p_c_drop_fire(p_c_drop_fire),
        .p_c_err_bits(p_c_err_bits),
        .p_b_drop_fire(p_b_drop_fire), .p_b_abort(p_b_abort), .p_b_in_rdy(p_b_in_rdy),
        .p_b_out_strb(p_b_out_strb),
        .p_u_p_done(p_u_p_done), .p_u_load_desc(p_u_load_desc), .p_u_p_load(p_u_p_load),
        .p_u_beat_fire(p_u_beat_fire), .p_u_w_strb_in(p_u_w_strb_in),
        .tvalid(s_axis_s2mm_tvalid), .tready(s_axis_s2mm_tready), .tkeep(s_axis_s2mm_tkeep),
        .dm_wready(m_axi_s2mm_wready), .dm_wstrb(m_axi_s2mm_wstrb), .p_g_rdy(p_g_rdy), .p_g_od(p_g_od), .p_g_tv(p_g_tv), .p_g_td(p_g_td),
        .p_q_wp(p_q_wp), .p_q_cnt(p_q_cnt), .p_q_empty(p_q_empty), .p_q_full(p_q_full),
        .p_m_out_cnt(p_m_out_cnt), .p_m_out_full(p_m_out_full), .p_m_out_zero(p_m_out_zero), .p_m_in_burst(p_m_in_burst), .p_m_burst_rem(p_m_burst_rem), .p_m_br_is1(p_m_br_is1), .p_m_pad_mode(p_m_pad_mode), .p_m_p_valid(p_m_p_valid), .p_m_p_addr(p_m_p_addr), .p_m_bl(p_m_bl), .p_m_bl_gt_mb(p_m_bl_gt_mb), .p_m_pl_len(p_m_pl_len), .p_m_flush_pend(p_m_flush_pend), .p_m_pn_valid(p_m_pn_valid), .p_m_pn_bad(p_m_pn_bad), .p_m_pn_addr(p_m_pn_addr), .p_m_pn_bl(p_m_pn_bl), .p_m_pn_bl_gt_mb(p_m_pn_bl_gt_mb), .p_m_pn_pl_len(p_m_pn_pl_len), .p_m_nd_valid(p_m_nd_valid), .p_m_nd_bad(p_m_nd_bad), .p_m_nd_buf(p_m_nd_buf), .p_m_nd_bl(p_m_nd_bl), .p_m_nd_al(p_m_nd_al), .p_m_c_valid(p_m_c_valid)
    );
endmodule
`default_nettype wire
