// sgdma_sg_arb: shares the m_axi_sg descriptor port between two channels (S2MM, MM2S).
// Each source has a full AXI4 read and write master (descriptor fetch reads, STATUS
// write-backs).  AR and AW are each granted round-robin: when both sources ask in the same
// clock the one not granted last time wins, a lone request is granted at once (no idle clock).
// A grant is held while the address is offered and not taken (AXI: ARVALID/AWVALID and their
// payload stay still until the handshake).  IDs pass through; the engine drives 0 everywhere, so
// the slave answers in order: an order FIFO per direction records which source each accepted
// address belongs to, R beats go to the source at the head of the read FIFO (popped on RLAST),
// W beats come from the source at the head of the W FIFO (popped on WLAST), B responses go to
// the head of the B FIFO.  W is taken only after its AW (legal for a slave; no master here
// waits for WREADY before AWVALID).  When a FIFO is full no further address is granted.
// Everything from the slave side to the sources is combinational (no added latency); the
// address grant flip-flops are the only state besides the FIFOs.
`default_nettype none
module sgdma_sg_arb #(
    parameter ADDR_WIDTH    = 32,
    parameter SG_DATA_WIDTH = 64,
    parameter DEPTH_LOG2    = 2      // addresses in flight per direction: 2**DEPTH_LOG2
) (
    input  wire                       clk,
    input  wire                       rst,
    // ---------------- source 0 (S2MM)
    input  wire [0:0]                  s0_axi_arid,
    input  wire [ADDR_WIDTH-1:0]       s0_axi_araddr,
    input  wire [7:0]                  s0_axi_arlen,
    input  wire [2:0]                  s0_axi_arsize,
    input  wire [1:0]                  s0_axi_arburst,
    input  wire [3:0]                  s0_axi_arcache,
    input  wire [2:0]                  s0_axi_arprot,
    input  wire                        s0_axi_arvalid,
    output wire                        s0_axi_arready,
    output wire [0:0]                  s0_axi_rid,
    output wire [SG_DATA_WIDTH-1:0]    s0_axi_rdata,
    output wire [1:0]                  s0_axi_rresp,
    output wire                        s0_axi_rlast,
    output wire                        s0_axi_rvalid,
    input  wire                        s0_axi_rready,
    input  wire [0:0]                  s0_axi_awid,
    input  wire [ADDR_WIDTH-1:0]       s0_axi_awaddr,
    input  wire [7:0]                  s0_axi_awlen,
    input  wire [2:0]                  s0_axi_awsize,
    input  wire [1:0]                  s0_axi_awburst,
    input  wire [3:0]                  s0_axi_awcache,
    input  wire [2:0]                  s0_axi_awprot,
    input  wire                        s0_axi_awvalid,
    output wire                        s0_axi_awready,
    input  wire [SG_DATA_WIDTH-1:0]    s0_axi_wdata,
    input  wire [SG_DATA_WIDTH/8-1:0]  s0_axi_wstrb,
    input  wire                        s0_axi_wlast,
    input  wire                        s0_axi_wvalid,
    output wire                        s0_axi_wready,
    output wire [0:0]                  s0_axi_bid,
    output wire [1:0]                  s0_axi_bresp,
    output wire                        s0_axi_bvalid,
    input  wire                        s0_axi_bready,
    // ---------------- source 1 (MM2S)
    input  wire [0:0]                  s1_axi_arid,
    input  wire [ADDR_WIDTH-1:0]       s1_axi_araddr,
    input  wire [7:0]                  s1_axi_arlen,
    input  wire [2:0]                  s1_axi_arsize,
    input  wire [1:0]                  s1_axi_arburst,
    input  wire [3:0]                  s1_axi_arcache,
    input  wire [2:0]                  s1_axi_arprot,
    input  wire                        s1_axi_arvalid,
    output wire                        s1_axi_arready,
    output wire [0:0]                  s1_axi_rid,
    output wire [SG_DATA_WIDTH-1:0]    s1_axi_rdata,
    output wire [1:0]                  s1_axi_rresp,
    output wire                        s1_axi_rlast,
    output wire                        s1_axi_rvalid,
    input  wire                        s1_axi_rready,
    input  wire [0:0]                  s1_axi_awid,
    input  wire [ADDR_WIDTH-1:0]       s1_axi_awaddr,
    input  wire [7:0]                  s1_axi_awlen,
    input  wire [2:0]                  s1_axi_awsize,
    input  wire [1:0]                  s1_axi_awburst,
    input  wire [3:0]                  s1_axi_awcache,
    input  wire [2:0]                  s1_axi_awprot,
    input  wire                        s1_axi_awvalid,
    output wire                        s1_axi_awready,
    input  wire [SG_DATA_WIDTH-1:0]    s1_axi_wdata,
    input  wire [SG_DATA_WIDTH/8-1:0]  s1_axi_wstrb,
    input  wire                        s1_axi_wlast,
    input  wire                        s1_axi_wvalid,
    output wire                        s1_axi_wready,
    output wire [0:0]                  s1_axi_bid,
    output wire [1:0]                  s1_axi_bresp,
    output wire                        s1_axi_bvalid,
    input  wire                        s1_axi_bready,
    // ---------------- the shared port
    output wire [0:0]                 m_axi_sg_arid,
    output wire [ADDR_WIDTH-1:0]      m_axi_sg_araddr,
    output wire [7:0]                 m_axi_sg_arlen,
    output wire [2:0]                 m_axi_sg_arsize,
    output wire [1:0]                 m_axi_sg_arburst,
    output wire [3:0]                 m_axi_sg_arcache,
    output wire [2:0]                 m_axi_sg_arprot,
    output wire                       m_axi_sg_arvalid,
    input  wire                       m_axi_sg_arready,
    input  wire [0:0]                 m_axi_sg_rid,
    input  wire [SG_DATA_WIDTH-1:0]   m_axi_sg_rdata,
    input  wire [1:0]                 m_axi_sg_rresp,
    input  wire                       m_axi_sg_rlast,
    input  wire                       m_axi_sg_rvalid,
    output wire                       m_axi_sg_rready,
    output wire [0:0]                 m_axi_sg_awid,
    output wire [ADDR_WIDTH-1:0]      m_axi_sg_awaddr,
    output wire [7:0]                 m_axi_sg_awlen,
    output wire [2:0]                 m_axi_sg_awsize,
    output wire [1:0]                 m_axi_sg_awburst,
    output wire [3:0]                 m_axi_sg_awcache,
    output wire [2:0]                 m_axi_sg_awprot,
    output wire                       m_axi_sg_awvalid,
    input  wire                       m_axi_sg_awready,
    output wire [SG_DATA_WIDTH-1:0]   m_axi_sg_wdata,
    output wire [SG_DATA_WIDTH/8-1:0] m_axi_sg_wstrb,
    output wire                       m_axi_sg_wlast,
    output wire                       m_axi_sg_wvalid,
    input  wire                       m_axi_sg_wready,
    input  wire [0:0]                 m_axi_sg_bid,
    input  wire [1:0]                 m_axi_sg_bresp,
    input  wire                       m_axi_sg_bvalid,
    output wire                       m_axi_sg_bready
);
    // ---------------------------------------------------------------- read address
    reg  ar_last;              // source granted the last AR (round-robin pointer)
    reg  ar_hold;              // an AR is offered and not yet taken: keep ar_sel
    reg  ar_held_sel;
    wire r_full, r_empty, r_head;
    wire ar_pick = (s0_axi_arvalid && s1_axi_arvalid) ? ~ar_last : s1_axi_arvalid;
    wire ar_sel  = ar_hold ? ar_held_sel : ar_pick;
    wire ar_any  = s0_axi_arvalid || s1_axi_arvalid;
    assign m_axi_sg_arvalid = ar_any && !r_full;
    assign m_axi_sg_araddr  = ar_sel ? s1_axi_araddr : s0_axi_araddr;
    assign m_axi_sg_arlen   = ar_sel ? s1_axi_arlen : s0_axi_arlen;
    assign m_axi_sg_arsize  = ar_sel ? s1_axi_arsize : s0_axi_arsize;
    assign m_axi_sg_arburst = ar_sel ? s1_axi_arburst : s0_axi_arburst;
    assign m_axi_sg_arcache = ar_sel ? s1_axi_arcache : s0_axi_arcache;
    assign m_axi_sg_arid    = ar_sel ? s1_axi_arid : s0_axi_arid;
    assign m_axi_sg_arprot  = ar_sel ? s1_axi_arprot : s0_axi_arprot;
    wire ar_go = m_axi_sg_arvalid && m_axi_sg_arready;
    assign s1_axi_arready = ar_go && ar_sel;
    assign s0_axi_arready = ar_go && !ar_sel;

    always @(posedge clk) begin
        if (rst) begin
            ar_last <= 1'b1;
            ar_hold <= 1'b0;
            ar_held_sel <= 1'b0;
        end else begin
            if (ar_go) ar_last <= ar_sel;
            ar_hold <= m_axi_sg_arvalid && !m_axi_sg_arready;
            ar_held_sel <= ar_sel;
        end
    end

    // ---------------------------------------------------------------- read data
    wire [DEPTH_LOG2:0] unused_r_count;
    sgdma_fifo #(.WIDTH(1), .DEPTH_LOG2(DEPTH_LOG2)) u_r_order (
        .clk(clk), .rst(rst), .wr_en(ar_go), .din(ar_sel),
        .rd_en(m_axi_sg_rvalid && m_axi_sg_rready && m_axi_sg_rlast), .dout(r_head),
        .empty(r_empty), .full(r_full), .count(unused_r_count));
    wire r_route = m_axi_sg_rvalid && !r_empty;
    assign s1_axi_rvalid = r_route && r_head;
    assign s0_axi_rvalid = r_route && !r_head;
    assign s0_axi_rid    = m_axi_sg_rid;
    assign s1_axi_rid    = m_axi_sg_rid;
    assign s0_axi_rdata  = m_axi_sg_rdata;
    assign s1_axi_rdata  = m_axi_sg_rdata;
    assign s0_axi_rresp  = m_axi_sg_rresp;
    assign s1_axi_rresp  = m_axi_sg_rresp;
    assign s0_axi_rlast  = m_axi_sg_rlast;
    assign s1_axi_rlast  = m_axi_sg_rlast;
    assign m_axi_sg_rready = !r_empty && (r_head ? s1_axi_rready : s0_axi_rready);

    // ---------------------------------------------------------------- write address
    reg  aw_last;
    reg  aw_hold;
    reg  aw_held_sel;
    wire w_full, w_empty, w_head, b_full, b_empty, b_head;
    wire aw_pick = (s0_axi_awvalid && s1_axi_awvalid) ? ~aw_last : s1_axi_awvalid;
    wire aw_sel  = aw_hold ? aw_held_sel : aw_pick;
    assign m_axi_sg_awvalid = (s0_axi_awvalid || s1_axi_awvalid) && !w_full && !b_full;
    assign m_axi_sg_awaddr  = aw_sel ? s1_axi_awaddr : s0_axi_awaddr;
    assign m_axi_sg_awlen   = aw_sel ? s1_axi_awlen : s0_axi_awlen;
    assign m_axi_sg_awsize  = aw_sel ? s1_axi_awsize : s0_axi_awsize;
    assign m_axi_sg_awburst = aw_sel ? s1_axi_awburst : s0_axi_awburst;
    assign m_axi_sg_awcache = aw_sel ? s1_axi_awcache : s0_axi_awcache;
    assign m_axi_sg_awid    = aw_sel ? s1_axi_awid : s0_axi_awid;
    assign m_axi_sg_awprot  = aw_sel ? s1_axi_awprot : s0_axi_awprot;
    wire aw_go = m_axi_sg_awvalid && m_axi_sg_awready;
    assign s1_axi_awready = aw_go && aw_sel;
    assign s0_axi_awready = aw_go && !aw_sel;

    always @(posedge clk) begin
        if (rst) begin
            aw_last <= 1'b1;
            aw_hold <= 1'b0;
            aw_held_sel <= 1'b0;
        end else begin
            if (aw_go) aw_last <= aw_sel;
            aw_hold <= m_axi_sg_awvalid && !m_axi_sg_awready;
            aw_held_sel <= aw_sel;
        end
    end

    // ---------------------------------------------------------------- write data
    wire [DEPTH_LOG2:0] unused_w_count, unused_b_count;
    wire w_go = m_axi_sg_wvalid && m_axi_sg_wready;
    sgdma_fifo #(.WIDTH(1), .DEPTH_LOG2(DEPTH_LOG2)) u_w_order (
        .clk(clk), .rst(rst), .wr_en(aw_go), .din(aw_sel),
        .rd_en(w_go && m_axi_sg_wlast), .dout(w_head),
        .empty(w_empty), .full(w_full), .count(unused_w_count));
    assign m_axi_sg_wvalid = !w_empty && (w_head ? s1_axi_wvalid : s0_axi_wvalid);
    assign m_axi_sg_wdata  = w_head ? s1_axi_wdata : s0_axi_wdata;
    assign m_axi_sg_wstrb  = w_head ? s1_axi_wstrb : s0_axi_wstrb;
    assign m_axi_sg_wlast  = w_head ? s1_axi_wlast : s0_axi_wlast;
    assign s1_axi_wready = !w_empty && w_head && m_axi_sg_wready;
    assign s0_axi_wready = !w_empty && !w_head && m_axi_sg_wready;

    // ---------------------------------------------------------------- write response
    sgdma_fifo #(.WIDTH(1), .DEPTH_LOG2(DEPTH_LOG2)) u_b_order (
        .clk(clk), .rst(rst), .wr_en(aw_go), .din(aw_sel),
        .rd_en(m_axi_sg_bvalid && m_axi_sg_bready), .dout(b_head),
        .empty(b_empty), .full(b_full), .count(unused_b_count));
    wire b_route = m_axi_sg_bvalid && !b_empty;
    assign s1_axi_bvalid = b_route && b_head;
    assign s0_axi_bvalid = b_route && !b_head;
    assign s0_axi_bid    = m_axi_sg_bid;
    assign s1_axi_bid    = m_axi_sg_bid;
    assign s0_axi_bresp  = m_axi_sg_bresp;
    assign s1_axi_bresp  = m_axi_sg_bresp;
    assign m_axi_sg_bready = !b_empty && (b_head ? s1_axi_bready : s0_axi_bready);

    wire unused = &{1'b0, unused_r_count, unused_w_count, unused_b_count};
endmodule
`default_nettype wire
