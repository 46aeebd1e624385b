// sgdma: scatter-gather DMA engine, stream to memory (S2MM), register- and descriptor-
// compatible with AMD/Xilinx AXI DMA (PG021) in scatter-gather mode.
//
//   s_axi_lite ──► sgdma_regs ──► control (this file: run / drain / halt / soft reset)
//   m_axi_sg AR/R ◄── sgdma_desc_fetch ──► descriptor queue
//   s_axis_s2mm ──► sgdma_s2mm_mover (realigner, burst planner) ──► m_axi_s2mm AW/W/B
//                        └─► completion queue ──► sgdma_status_wr ──► m_axi_sg AW/W/B
//   completions, errors, overruns ──► sgdma_irq ──► s2mm_introut
//
// Extensions over PG021 (registers from 0x80, see docs/registers.md): ring-full policy STALL or
// DROP with exact dropped byte/packet counters, an ownership check in cyclic mode, free-running
// 64-bit completion and byte counters, and an ID/configuration register.
`default_nettype none
`include "sgdma_defs.vh"
module sgdma #(
    parameter DATA_WIDTH      = 64,   // stream and m_axi_s2mm data width: 32, 64 or 128
    parameter ADDR_WIDTH      = 32,   // 32 or 64
    parameter SG_DATA_WIDTH   = 64,   // m_axi_sg data width: 32 or 64
    parameter MAX_BURST_LEN   = 16,   // longest data write burst in beats: 1-256, a power of 2
    parameter MAX_OUTSTANDING = 4,    // data write bursts in flight: 1-16
    parameter LEN_WIDTH       = 26,   // descriptor buffer-length field width: 8-26
    parameter DELAY_UNIT      = 125   // clocks per IRQDelay unit
) (
    // Clock and active-low reset
    (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 axi_aclk CLK" *) (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF S_AXI_LITE:M_AXI_SG:M_AXI_S2MM:S_AXIS_S2MM, ASSOCIATED_RESET axi_resetn" *)
    input  wire                    axi_aclk,
    (* X_INTERFACE_INFO = "xilinx.com:signal:reset:1.0 axi_resetn RST" *) (* X_INTERFACE_PARAMETER = "POLARITY ACTIVE_LOW" *)
    input  wire                    axi_resetn,

    // AXI4-Lite register slave
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE AWADDR" *) (* X_INTERFACE_PARAMETER = "PROTOCOL AXI4LITE, DATA_WIDTH 32, ADDR_WIDTH 10" *)
    input  wire [9:0]              s_axi_lite_awaddr,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE AWVALID" *)
    input  wire                    s_axi_lite_awvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE AWREADY" *)
    output wire                    s_axi_lite_awready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE WDATA" *)
    input  wire [31:0]             s_axi_lite_wdata,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE WVALID" *)
    input  wire                    s_axi_lite_wvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE WREADY" *)
    output wire                    s_axi_lite_wready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE BRESP" *)
    output wire [1:0]              s_axi_lite_bresp,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE BVALID" *)
    output wire                    s_axi_lite_bvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE BREADY" *)
    input  wire                    s_axi_lite_bready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE ARADDR" *)
    input  wire [9:0]              s_axi_lite_araddr,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE ARVALID" *)
    input  wire                    s_axi_lite_arvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE ARREADY" *)
    output wire                    s_axi_lite_arready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE RDATA" *)
    output wire [31:0]             s_axi_lite_rdata,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE RRESP" *)
    output wire [1:0]              s_axi_lite_rresp,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE RVALID" *)
    output wire                    s_axi_lite_rvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 S_AXI_LITE RREADY" *)
    input  wire                    s_axi_lite_rready,

    // AXI4 master: descriptor fetch (AR/R) and status write-back (AW/W/B)
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG AWID" *) (* X_INTERFACE_PARAMETER = "PROTOCOL AXI4, HAS_LOCK 0, HAS_QOS 0, HAS_REGION 0, SUPPORTS_NARROW_BURST 0" *)
    output wire [0:0]              m_axi_sg_awid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG AWADDR" *)
    output wire [ADDR_WIDTH-1:0]   m_axi_sg_awaddr,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG AWLEN" *)
    output wire [7:0]              m_axi_sg_awlen,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG AWSIZE" *)
    output wire [2:0]              m_axi_sg_awsize,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG AWBURST" *)
    output wire [1:0]              m_axi_sg_awburst,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG AWCACHE" *)
    output wire [3:0]              m_axi_sg_awcache,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG AWPROT" *)
    output wire [2:0]              m_axi_sg_awprot,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG AWVALID" *)
    output wire                    m_axi_sg_awvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG AWREADY" *)
    input  wire                    m_axi_sg_awready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG WDATA" *)
    output wire [SG_DATA_WIDTH-1:0] m_axi_sg_wdata,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG WSTRB" *)
    output wire [SG_DATA_WIDTH/8-1:0] m_axi_sg_wstrb,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG WLAST" *)
    output wire                    m_axi_sg_wlast,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG WVALID" *)
    output wire                    m_axi_sg_wvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG WREADY" *)
    input  wire                    m_axi_sg_wready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG BID" *)
    input  wire [0:0]              m_axi_sg_bid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG BRESP" *)
    input  wire [1:0]              m_axi_sg_bresp,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG BVALID" *)
    input  wire                    m_axi_sg_bvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG BREADY" *)
    output wire                    m_axi_sg_bready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG ARID" *)
    output wire [0:0]              m_axi_sg_arid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG ARADDR" *)
    output wire [ADDR_WIDTH-1:0]   m_axi_sg_araddr,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG ARLEN" *)
    output wire [7:0]              m_axi_sg_arlen,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG ARSIZE" *)
    output wire [2:0]              m_axi_sg_arsize,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG ARBURST" *)
    output wire [1:0]              m_axi_sg_arburst,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG ARCACHE" *)
    output wire [3:0]              m_axi_sg_arcache,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG ARPROT" *)
    output wire [2:0]              m_axi_sg_arprot,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG ARVALID" *)
    output wire                    m_axi_sg_arvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG ARREADY" *)
    input  wire                    m_axi_sg_arready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG RID" *)
    input  wire [0:0]              m_axi_sg_rid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG RDATA" *)
    input  wire [SG_DATA_WIDTH-1:0] m_axi_sg_rdata,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG RRESP" *)
    input  wire [1:0]              m_axi_sg_rresp,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG RLAST" *)
    input  wire                    m_axi_sg_rlast,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG RVALID" *)
    input  wire                    m_axi_sg_rvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_SG RREADY" *)
    output wire                    m_axi_sg_rready,

    // AXI4 master: stream data to memory (write channels only)
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM AWID" *) (* X_INTERFACE_PARAMETER = "PROTOCOL AXI4, READ_WRITE_MODE WRITE_ONLY, HAS_LOCK 0, HAS_QOS 0, HAS_REGION 0, SUPPORTS_NARROW_BURST 0" *)
    output wire [0:0]              m_axi_s2mm_awid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM AWADDR" *)
    output wire [ADDR_WIDTH-1:0]   m_axi_s2mm_awaddr,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM AWLEN" *)
    output wire [7:0]              m_axi_s2mm_awlen,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM AWSIZE" *)
    output wire [2:0]              m_axi_s2mm_awsize,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM AWBURST" *)
    output wire [1:0]              m_axi_s2mm_awburst,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM AWCACHE" *)
    output wire [3:0]              m_axi_s2mm_awcache,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM AWPROT" *)
    output wire [2:0]              m_axi_s2mm_awprot,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM AWVALID" *)
    output wire                    m_axi_s2mm_awvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM AWREADY" *)
    input  wire                    m_axi_s2mm_awready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM WDATA" *)
    output wire [DATA_WIDTH-1:0]   m_axi_s2mm_wdata,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM WSTRB" *)
    output wire [DATA_WIDTH/8-1:0] m_axi_s2mm_wstrb,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM WLAST" *)
    output wire                    m_axi_s2mm_wlast,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM WVALID" *)
    output wire                    m_axi_s2mm_wvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM WREADY" *)
    input  wire                    m_axi_s2mm_wready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM BID" *)
    input  wire [0:0]              m_axi_s2mm_bid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM BRESP" *)
    input  wire [1:0]              m_axi_s2mm_bresp,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM BVALID" *)
    input  wire                    m_axi_s2mm_bvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_S2MM BREADY" *)
    output wire                    m_axi_s2mm_bready,

    // AXI4-Stream input from the device
    (* X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 S_AXIS_S2MM TDATA" *) (* X_INTERFACE_PARAMETER = "HAS_TKEEP 1, HAS_TLAST 1, HAS_TSTRB 0, HAS_TREADY 1" *)
    input  wire [DATA_WIDTH-1:0]   s_axis_s2mm_tdata,
    (* X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 S_AXIS_S2MM TKEEP" *)
    input  wire [DATA_WIDTH/8-1:0] s_axis_s2mm_tkeep,
    (* X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 S_AXIS_S2MM TLAST" *)
    input  wire                    s_axis_s2mm_tlast,
    (* X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 S_AXIS_S2MM TVALID" *)
    input  wire                    s_axis_s2mm_tvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 S_AXIS_S2MM TREADY" *)
    output wire                    s_axis_s2mm_tready,

    // Interrupt (level, active high)
    (* X_INTERFACE_INFO = "xilinx.com:signal:interrupt:1.0 s2mm_introut INTERRUPT" *) (* X_INTERFACE_PARAMETER = "SENSITIVITY LEVEL_HIGH" *)
    output wire                    s2mm_introut
);
    // ------------------------------------------------------------------ parameter checks
    // An unsupported combination stops elaboration ($error; Icarus 11 lacks elaboration tasks,
    // so there it stops the simulation at time 0 with the same message).
`ifdef __ICARUS__
`define SGDMA_PARAM_ERROR(msg, val) initial begin $display(msg, val); $fatal(1); end
`else
`define SGDMA_PARAM_ERROR(msg, val) $error(msg, val);
`endif
    generate
        if (DATA_WIDTH != 32 && DATA_WIDTH != 64 && DATA_WIDTH != 128) begin : g_bad_data_width
            `SGDMA_PARAM_ERROR("sgdma: DATA_WIDTH must be 32, 64 or 128, got %0d", DATA_WIDTH)
        end
        if (ADDR_WIDTH != 32 && ADDR_WIDTH != 64) begin : g_bad_addr_width
            `SGDMA_PARAM_ERROR("sgdma: ADDR_WIDTH must be 32 or 64, got %0d", ADDR_WIDTH)
        end
        if (SG_DATA_WIDTH != 32 && SG_DATA_WIDTH != 64) begin : g_bad_sg_width
            `SGDMA_PARAM_ERROR("sgdma: SG_DATA_WIDTH must be 32 or 64, got %0d", SG_DATA_WIDTH)
        end
        if (MAX_BURST_LEN < 1 || MAX_BURST_LEN > 256 || (MAX_BURST_LEN & (MAX_BURST_LEN - 1)) != 0) begin : g_bad_burst
            `SGDMA_PARAM_ERROR("sgdma: MAX_BURST_LEN must be a power of 2 from 1 to 256, got %0d", MAX_BURST_LEN)
        end
        if (MAX_OUTSTANDING < 1 || MAX_OUTSTANDING > 16) begin : g_bad_outstanding
            `SGDMA_PARAM_ERROR("sgdma: MAX_OUTSTANDING must be 1 to 16, got %0d", MAX_OUTSTANDING)
        end
        if (LEN_WIDTH < 8 || LEN_WIDTH > 26) begin : g_bad_len_width
            `SGDMA_PARAM_ERROR("sgdma: LEN_WIDTH must be 8 to 26, got %0d", LEN_WIDTH)
        end
        if (DELAY_UNIT < 1 || DELAY_UNIT > 65535) begin : g_bad_delay_unit
            `SGDMA_PARAM_ERROR("sgdma: DELAY_UNIT must be 1 to 65535, got %0d", DELAY_UNIT)
        end
    endgenerate

    localparam DB   = DATA_WIDTH / 8;
    localparam LB   = $clog2(DB);
    localparam CPL_LOG2  = 4;
    localparam CPL_WIDTH = `SGDMA_CPL_WIDTH;

    localparam [31:0] CONFIG_WORD =
        (LB << `SGDMA_SGDMA_CONFIG_DATA_BYTES_LOG2) |
        ((ADDR_WIDTH == 64 ? 1 : 0) << `SGDMA_SGDMA_CONFIG_ADDR64) |
        (MAX_BURST_LEN << `SGDMA_SGDMA_CONFIG_MAX_BURST_LEN) |
        (MAX_OUTSTANDING << `SGDMA_SGDMA_CONFIG_MAX_OUTSTANDING) |
        (LEN_WIDTH << `SGDMA_SGDMA_CONFIG_LEN_WIDTH);

    // Single-ID masters: every transaction uses ID 0 and responses come back in order.
    assign m_axi_sg_awid   = 1'b0;
    assign m_axi_sg_arid   = 1'b0;
    assign m_axi_s2mm_awid = 1'b0;
    wire unused_ids = &{1'b0, m_axi_sg_bid, m_axi_sg_rid, m_axi_s2mm_bid};

    wire clk = axi_aclk;
    // Synchronous reset, sampled directly, so every VALID is low from the first clock edge
    // of a reset (AXI: masters drive VALID low during reset).
    wire rst = !axi_resetn;

    // ------------------------------------------------------------------ wires between blocks
    wire                  rs, reset_req, cyclic, ioc_en, dly_en, err_en, dmacr_wr, tail_wr;
    wire [7:0]            irq_threshold, irq_delay;
    wire [ADDR_WIDTH-1:0] curdesc, taildesc;
    wire [3:0]            sg_cache;
    wire                  policy_drop, ownership, ovr_en, pos_wb;
    wire                  ioc_clr, dly_clr, err_clr, ovr_clr;
    wire                  ioc_irq, dly_irq, err_irq, ovr_irq;
    wire [7:0]            irq_count, irq_delay_count;

    wire                  q_valid, q_pop, fetch_busy, starved;
    wire [ADDR_WIDTH-1:0] q_desc, q_buf;
    wire [LEN_WIDTH-1:0]  q_len;
    wire [1:0]            q_err;
    wire                  q_zlen;

    wire                  cpl_push;
    wire [CPL_WIDTH-1:0]  cpl_din;
    wire [CPL_LOG2:0]     cpl_count;
    wire [7:0]            b_seq_nx, b_err_seq_nx;
    wire                  b_err_valid, b_err_nx;
    wire [1:0]            b_err_resp;
    wire                  mv_cur_upd, mv_quiet, mv_has_desc, drop_fire, drop_pkt, ovr_event;
    wire [ADDR_WIDTH-1:0] mv_cur_desc;
    wire [LB:0]           drop_bytes;

    wire                  done, sw_err, sw_quiet, sw_retire;
    wire [LEN_WIDTH-1:0]  done_len;
    wire [5:0]            sw_err_bits;
    wire [ADDR_WIDTH-1:0] sw_err_desc;

    // ------------------------------------------------------------------ channel control
    localparam [1:0] ST_HALTED = 2'd0, ST_RUN = 2'd1, ST_DRAIN = 2'd2;
    reg [1:0] state;
    reg       resetting;
    reg [5:0] err_bits;
    reg       flush;                   // clears the data path (fetcher, mover, status writer)
    reg       soft_rst;                // clears the registers (end of a soft reset)

    wire running = (state == ST_RUN);
    wire quiet   = mv_quiet && !fetch_busy && sw_quiet;

    always @(posedge clk) begin
        if (rst) begin
            state     <= ST_HALTED;
            resetting <= 1'b0;
            err_bits  <= 6'd0;
            flush     <= 1'b1;
            soft_rst  <= 1'b0;
        end else begin
            flush    <= 1'b0;
            soft_rst <= 1'b0;
            if (sw_err)
                err_bits <= err_bits | sw_err_bits;
            case (state)
                ST_HALTED: begin
                    if (reset_req) begin
                        flush    <= 1'b1;
                        soft_rst <= 1'b1;
                        err_bits <= 6'd0;
                    end else if (rs && err_bits == 6'd0) begin
                        state <= ST_RUN;
                    end
                end
                ST_RUN: begin
                    if (reset_req) begin
                        resetting <= 1'b1;
                        state     <= ST_DRAIN;
                    end else if (sw_err || !rs) begin
                        state <= ST_DRAIN;
                    end
                end
                default: begin // ST_DRAIN
                    if (reset_req)
                        resetting <= 1'b1;
                    if (quiet && !flush) begin
                        state <= ST_HALTED;
                        flush <= 1'b1;
                        if (resetting || reset_req) begin
                            resetting <= 1'b0;
                            soft_rst  <= 1'b1;
                            err_bits  <= 6'd0;
                        end
                    end
                end
            endcase
        end
    end

    wire dp_rst = rst || flush;

    // The coalescer reloads from the threshold the DMACR write has just stored.
    reg dmacr_wr_d;
    always @(posedge clk) dmacr_wr_d <= dmacr_wr && !rst;
    wire halted = (state == ST_HALTED);
    wire idle   = running && !cyclic && starved && !q_valid && !mv_has_desc && mv_quiet && sw_quiet;
    wire ring_full = running && starved && !q_valid && !mv_has_desc;

    // ------------------------------------------------------------------ counters
    reg [63:0] cnt_completed, cnt_bytes, cnt_drop_bytes, cnt_drop_pkts;
    always @(posedge clk) begin
        if (rst) begin
            cnt_completed  <= 64'd0;
            cnt_bytes      <= 64'd0;
            cnt_drop_bytes <= 64'd0;
            cnt_drop_pkts  <= 64'd0;
        end else begin
            if (done) begin
                cnt_completed <= cnt_completed + 64'd1;
                cnt_bytes     <= cnt_bytes + {{(64-LEN_WIDTH){1'b0}}, done_len};
            end
            if (drop_fire)
                cnt_drop_bytes <= cnt_drop_bytes + {{(63-LB){1'b0}}, drop_bytes};
            if (drop_pkt)
                cnt_drop_pkts <= cnt_drop_pkts + 64'd1;
        end
    end

    // ------------------------------------------------------------------ blocks
    sgdma_regs #(.ADDR_WIDTH(ADDR_WIDTH), .CONFIG_WORD(CONFIG_WORD)) u_regs (
        .clk(clk), .rst(rst), .soft_rst(soft_rst),
        .s_axi_lite_awaddr(s_axi_lite_awaddr), .s_axi_lite_awvalid(s_axi_lite_awvalid),
        .s_axi_lite_awready(s_axi_lite_awready), .s_axi_lite_wdata(s_axi_lite_wdata),
        .s_axi_lite_wvalid(s_axi_lite_wvalid), .s_axi_lite_wready(s_axi_lite_wready),
        .s_axi_lite_bresp(s_axi_lite_bresp), .s_axi_lite_bvalid(s_axi_lite_bvalid),
        .s_axi_lite_bready(s_axi_lite_bready), .s_axi_lite_araddr(s_axi_lite_araddr),
        .s_axi_lite_arvalid(s_axi_lite_arvalid), .s_axi_lite_arready(s_axi_lite_arready),
        .s_axi_lite_rdata(s_axi_lite_rdata), .s_axi_lite_rresp(s_axi_lite_rresp),
        .s_axi_lite_rvalid(s_axi_lite_rvalid), .s_axi_lite_rready(s_axi_lite_rready),
        .rs(rs), .reset_req(reset_req), .cyclic(cyclic), .ioc_irq_en(ioc_en),
        .dly_irq_en(dly_en), .err_irq_en(err_en), .irq_threshold(irq_threshold),
        .irq_delay(irq_delay), .dmacr_wr(dmacr_wr), .curdesc(curdesc), .taildesc(taildesc),
        .tail_wr(tail_wr), .sg_cache(sg_cache), .policy_drop(policy_drop), .ownership(ownership),
        .ovr_irq_en(ovr_en), .pos_wb(pos_wb), .ioc_clr(ioc_clr), .dly_clr(dly_clr), .err_clr(err_clr), .ovr_clr(ovr_clr),
        .st_halted(halted), .st_idle(idle), .st_resetting(resetting),
        .st_err({1'b0, err_bits}), .st_ioc_irq(ioc_irq), .st_dly_irq(dly_irq), .st_err_irq(err_irq),
        .st_thresh(irq_count), .st_delay(irq_delay_count), .st_ovr_irq(ovr_irq),
        .st_ring_full(ring_full), .st_dropping(drop_fire),
        .rs_clr(sw_err), .cur_upd(sw_err || mv_cur_upd), .cur_val(sw_err ? sw_err_desc : mv_cur_desc),
        .cnt_completed(cnt_completed), .cnt_bytes(cnt_bytes),
        .cnt_drop_bytes(cnt_drop_bytes), .cnt_drop_pkts(cnt_drop_pkts)
    );

    sgdma_desc_fetch #(
        .ADDR_WIDTH(ADDR_WIDTH), .SG_DATA_WIDTH(SG_DATA_WIDTH), .LEN_WIDTH(LEN_WIDTH)
    ) u_fetch (
        .clk(clk), .rst(dp_rst), .enable(running), .doorbell(tail_wr && running), .idle(idle),
        .curdesc(curdesc), .taildesc(taildesc), .cyclic(cyclic), .ownership(ownership),
        .cache(sg_cache), .retire(sw_retire),
        .m_axi_sg_araddr(m_axi_sg_araddr), .m_axi_sg_arlen(m_axi_sg_arlen),
        .m_axi_sg_arsize(m_axi_sg_arsize), .m_axi_sg_arburst(m_axi_sg_arburst),
        .m_axi_sg_arcache(m_axi_sg_arcache), .m_axi_sg_arprot(m_axi_sg_arprot),
        .m_axi_sg_arvalid(m_axi_sg_arvalid), .m_axi_sg_arready(m_axi_sg_arready),
        .m_axi_sg_rdata(m_axi_sg_rdata), .m_axi_sg_rresp(m_axi_sg_rresp),
        .m_axi_sg_rlast(m_axi_sg_rlast), .m_axi_sg_rvalid(m_axi_sg_rvalid),
        .m_axi_sg_rready(m_axi_sg_rready),
        .q_valid(q_valid), .q_desc(q_desc), .q_buf(q_buf), .q_len(q_len), .q_err(q_err),
        .q_zlen(q_zlen), .q_pop(q_pop), .busy(fetch_busy), .starved(starved)
    );

    sgdma_s2mm_mover #(
        .DATA_WIDTH(DATA_WIDTH), .ADDR_WIDTH(ADDR_WIDTH), .LEN_WIDTH(LEN_WIDTH),
        .MAX_BURST_LEN(MAX_BURST_LEN), .MAX_OUTSTANDING(MAX_OUTSTANDING),
        .CPL_LOG2(CPL_LOG2), .CPL_WIDTH(CPL_WIDTH)
    ) u_mover (
        .clk(clk), .rst(dp_rst), .hard_rst(rst), .run(running), .stop(!running || b_err_valid),
        .policy_drop(policy_drop), .starved(starved), .cache(4'b0011),
        .q_valid(q_valid), .q_desc(q_desc), .q_buf(q_buf), .q_len(q_len), .q_err(q_err), .q_zlen(q_zlen), .q_pop(q_pop),
        .s_axis_s2mm_tdata(s_axis_s2mm_tdata), .s_axis_s2mm_tkeep(s_axis_s2mm_tkeep),
        .s_axis_s2mm_tlast(s_axis_s2mm_tlast), .s_axis_s2mm_tvalid(s_axis_s2mm_tvalid),
        .s_axis_s2mm_tready(s_axis_s2mm_tready),
        .m_axi_s2mm_awaddr(m_axi_s2mm_awaddr), .m_axi_s2mm_awlen(m_axi_s2mm_awlen),
        .m_axi_s2mm_awsize(m_axi_s2mm_awsize), .m_axi_s2mm_awburst(m_axi_s2mm_awburst),
        .m_axi_s2mm_awcache(m_axi_s2mm_awcache), .m_axi_s2mm_awprot(m_axi_s2mm_awprot),
        .m_axi_s2mm_awvalid(m_axi_s2mm_awvalid), .m_axi_s2mm_awready(m_axi_s2mm_awready),
        .m_axi_s2mm_wdata(m_axi_s2mm_wdata), .m_axi_s2mm_wstrb(m_axi_s2mm_wstrb),
        .m_axi_s2mm_wlast(m_axi_s2mm_wlast), .m_axi_s2mm_wvalid(m_axi_s2mm_wvalid),
        .m_axi_s2mm_wready(m_axi_s2mm_wready), .m_axi_s2mm_bresp(m_axi_s2mm_bresp),
        .m_axi_s2mm_bvalid(m_axi_s2mm_bvalid), .m_axi_s2mm_bready(m_axi_s2mm_bready),
        .cpl_push(cpl_push), .cpl_din(cpl_din), .cpl_count(cpl_count),
        .b_err_valid(b_err_valid), .b_err_resp(b_err_resp),
        .b_seq_nx(b_seq_nx), .b_err_nx(b_err_nx), .b_err_seq_nx(b_err_seq_nx),
        .cur_upd(mv_cur_upd), .cur_desc(mv_cur_desc), .quiet(mv_quiet), .has_desc(mv_has_desc),
        .drop_fire(drop_fire), .drop_bytes(drop_bytes), .drop_pkt(drop_pkt), .ovr_event(ovr_event)
    );

    sgdma_status_wr #(
        .ADDR_WIDTH(ADDR_WIDTH), .SG_DATA_WIDTH(SG_DATA_WIDTH), .LEN_WIDTH(LEN_WIDTH),
        .CPL_LOG2(CPL_LOG2), .CPL_WIDTH(CPL_WIDTH)
    ) u_status (
        .clk(clk), .rst(dp_rst), .cache(sg_cache), .pos_wb(pos_wb),
        .cpl_push(cpl_push), .cpl_din(cpl_din), .cpl_count(cpl_count),
        .b_seq_nx(b_seq_nx), .b_err_nx(b_err_nx), .b_err_seq_nx(b_err_seq_nx), .b_err_resp(b_err_resp),
        .m_axi_sg_awaddr(m_axi_sg_awaddr), .m_axi_sg_awlen(m_axi_sg_awlen),
        .m_axi_sg_awsize(m_axi_sg_awsize), .m_axi_sg_awburst(m_axi_sg_awburst),
        .m_axi_sg_awcache(m_axi_sg_awcache), .m_axi_sg_awprot(m_axi_sg_awprot),
        .m_axi_sg_awvalid(m_axi_sg_awvalid), .m_axi_sg_awready(m_axi_sg_awready),
        .m_axi_sg_wdata(m_axi_sg_wdata), .m_axi_sg_wstrb(m_axi_sg_wstrb),
        .m_axi_sg_wlast(m_axi_sg_wlast), .m_axi_sg_wvalid(m_axi_sg_wvalid),
        .m_axi_sg_wready(m_axi_sg_wready), .m_axi_sg_bresp(m_axi_sg_bresp),
        .m_axi_sg_bvalid(m_axi_sg_bvalid), .m_axi_sg_bready(m_axi_sg_bready),
        .done(done), .done_len(done_len), .err(sw_err), .err_bits(sw_err_bits),
        .err_desc(sw_err_desc), .retire(sw_retire), .quiet(sw_quiet)
    );

    sgdma_irq #(.DELAY_UNIT(DELAY_UNIT)) u_irq (
        .clk(clk), .rst(rst || soft_rst), .reload(dmacr_wr_d), .completion(done), .error(sw_err),
        .overrun(ovr_event), .threshold(irq_threshold), .delay(irq_delay),
        .ioc_en(ioc_en), .dly_en(dly_en), .err_en(err_en), .ovr_en(ovr_en),
        .ioc_clr(ioc_clr), .dly_clr(dly_clr), .err_clr(err_clr), .ovr_clr(ovr_clr),
        .ioc_irq(ioc_irq), .dly_irq(dly_irq), .err_irq(err_irq), .ovr_irq(ovr_irq),
        .count(irq_count), .delay_count(irq_delay_count), .introut(s2mm_introut)
    );
endmodule
`default_nettype wire
