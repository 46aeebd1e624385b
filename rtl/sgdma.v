// sgdma: scatter-gather DMA engine, stream to memory (S2MM) and, with INCLUDE_MM2S, memory to
// stream (MM2S), register- and descriptor-compatible with AMD/Xilinx AXI DMA (PG021) in
// scatter-gather mode.
//
//   s_axi_lite ──► sgdma_regs ──► control (this file: run / drain / halt / soft reset)
//   m_axi_sg AR/R ◄── sgdma_desc_fetch ──► descriptor queue
//   s_axis_s2mm ──► sgdma_s2mm_mover (realigner, burst planner) ──► m_axi_s2mm AW/W/B
//                        └─► completion queue ──► sgdma_status_wr ──► m_axi_sg AW/W/B
//   completions, errors, overruns ──► sgdma_irq ──► s2mm_introut
// MM2S (INCLUDE_MM2S, everything in the g_mm2s generate block):
//   m_axi_sg AR/R ◄── second sgdma_desc_fetch (with TXSOF/TXEOF) ──► descriptor queue
//   m_axi_mm2s AR/R ◄── sgdma_mm2s_mover ──► m_axis_mm2s
//                        └─► completion queue ──► second sgdma_status_wr ──► m_axi_sg AW/W/B
//   completions, errors ──► second sgdma_irq ──► mm2s_introut
// With both channels, sgdma_sg_arb shares m_axi_sg between them (round-robin).  A soft reset
// (DMACR.Reset of either channel) drains and resets the whole engine.
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
    parameter DELAY_UNIT      = 125,  // clocks per IRQDelay unit
    parameter INCLUDE_S2MM    = 1,    // build the S2MM channel: 1 (a build without it is not available yet)
    parameter INCLUDE_MM2S    = 0     // build the MM2S channel: 0 or 1
) (
    // Clock and active-low reset
    (* X_INTERFACE_INFO = "xilinx.com:signal:clock:1.0 axi_aclk CLK" *) (* X_INTERFACE_PARAMETER = "ASSOCIATED_BUSIF S_AXI_LITE:M_AXI_SG:M_AXI_S2MM:S_AXIS_S2MM:M_AXI_MM2S:M_AXIS_MM2S, ASSOCIATED_RESET axi_resetn" *)
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
    output wire                    s2mm_introut,

    // AXI4 master: memory data to the stream (read channels only; INCLUDE_MM2S, else tied off)
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S ARID" *) (* X_INTERFACE_PARAMETER = "PROTOCOL AXI4, READ_WRITE_MODE READ_ONLY, HAS_LOCK 0, HAS_QOS 0, HAS_REGION 0, SUPPORTS_NARROW_BURST 0" *)
    output wire [0:0]              m_axi_mm2s_arid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S ARADDR" *)
    output wire [ADDR_WIDTH-1:0]   m_axi_mm2s_araddr,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S ARLEN" *)
    output wire [7:0]              m_axi_mm2s_arlen,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S ARSIZE" *)
    output wire [2:0]              m_axi_mm2s_arsize,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S ARBURST" *)
    output wire [1:0]              m_axi_mm2s_arburst,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S ARCACHE" *)
    output wire [3:0]              m_axi_mm2s_arcache,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S ARPROT" *)
    output wire [2:0]              m_axi_mm2s_arprot,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S ARVALID" *)
    output wire                    m_axi_mm2s_arvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S ARREADY" *)
    input  wire                    m_axi_mm2s_arready,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S RID" *)
    input  wire [0:0]              m_axi_mm2s_rid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S RDATA" *)
    input  wire [DATA_WIDTH-1:0]   m_axi_mm2s_rdata,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S RRESP" *)
    input  wire [1:0]              m_axi_mm2s_rresp,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S RLAST" *)
    input  wire                    m_axi_mm2s_rlast,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S RVALID" *)
    input  wire                    m_axi_mm2s_rvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:aximm:1.0 M_AXI_MM2S RREADY" *)
    output wire                    m_axi_mm2s_rready,

    // AXI4-Stream output to the device (INCLUDE_MM2S, else tvalid low)
    (* X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 M_AXIS_MM2S TDATA" *) (* X_INTERFACE_PARAMETER = "HAS_TKEEP 1, HAS_TLAST 1, HAS_TSTRB 0, HAS_TREADY 1" *)
    output wire [DATA_WIDTH-1:0]   m_axis_mm2s_tdata,
    (* X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 M_AXIS_MM2S TKEEP" *)
    output wire [DATA_WIDTH/8-1:0] m_axis_mm2s_tkeep,
    (* X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 M_AXIS_MM2S TLAST" *)
    output wire                    m_axis_mm2s_tlast,
    (* X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 M_AXIS_MM2S TVALID" *)
    output wire                    m_axis_mm2s_tvalid,
    (* X_INTERFACE_INFO = "xilinx.com:interface:axis:1.0 M_AXIS_MM2S TREADY" *)
    input  wire                    m_axis_mm2s_tready,

    // MM2S interrupt (level, active high; INCLUDE_MM2S, else low)
    (* X_INTERFACE_INFO = "xilinx.com:signal:interrupt:1.0 mm2s_introut INTERRUPT" *) (* X_INTERFACE_PARAMETER = "SENSITIVITY LEVEL_HIGH" *)
    output wire                    mm2s_introut
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
        if (INCLUDE_S2MM != 1) begin : g_bad_include_s2mm
            `SGDMA_PARAM_ERROR("sgdma: INCLUDE_S2MM must be 1 (a build without S2MM is not available yet), got %0d", INCLUDE_S2MM)
        end
        if (INCLUDE_MM2S != 0 && INCLUDE_MM2S != 1) begin : g_bad_include_mm2s
            `SGDMA_PARAM_ERROR("sgdma: INCLUDE_MM2S must be 0 or 1, got %0d", INCLUDE_MM2S)
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
        (LEN_WIDTH << `SGDMA_SGDMA_CONFIG_LEN_WIDTH) |
        ((INCLUDE_MM2S != 0 ? 1 : 0) << `SGDMA_SGDMA_CONFIG_MM2S) |
        ((INCLUDE_S2MM != 0 ? 1 : 0) << `SGDMA_SGDMA_CONFIG_S2MM);

    // Single-ID masters: every transaction uses ID 0 and responses come back in order.
    assign m_axi_s2mm_awid = 1'b0;
    wire unused_ids = &{1'b0, m_axi_s2mm_bid, q_sof_unused, q_eof_unused};

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
    wire                  q_sof_unused, q_eof_unused;   // TXSOF/TXEOF: not carried for S2MM (0)

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

    // The S2MM channel's descriptor-port master (to m_axi_sg itself, or to the arbiter)
    wire [ADDR_WIDTH-1:0]      s_sg_araddr, s_sg_awaddr;
    wire [7:0]                 s_sg_arlen, s_sg_awlen;
    wire [2:0]                 s_sg_arsize, s_sg_arprot, s_sg_awsize, s_sg_awprot;
    wire [1:0]                 s_sg_arburst, s_sg_awburst, s_sg_rresp, s_sg_bresp;
    wire [3:0]                 s_sg_arcache, s_sg_awcache;
    wire                       s_sg_arvalid, s_sg_arready, s_sg_rlast, s_sg_rvalid, s_sg_rready;
    wire                       s_sg_awvalid, s_sg_awready, s_sg_wlast, s_sg_wvalid, s_sg_wready;
    wire                       s_sg_bvalid, s_sg_bready;
    wire [SG_DATA_WIDTH-1:0]   s_sg_rdata, s_sg_wdata;
    wire [SG_DATA_WIDTH/8-1:0] s_sg_wstrb;

    // Between the channels: the soft reset is the whole engine's
    wire                  m_reset_req;     // MM2S DMACR.Reset written (0 without MM2S)
    wire                  reset_any = reset_req || m_reset_req;
    wire                  soft_rst;        // end of a soft reset: both channels drained
    wire                  hold_run;        // a soft reset is under way: do not start running
    wire                  resetting_any;   // DMACR.Reset reads 1

    // The MM2S channel's registers and status (constants without MM2S)
    wire                  m_rs, m_cyclic, m_ioc_en, m_dly_en, m_err_en, m_dmacr_wr, m_tail_wr;
    wire [7:0]            m_irq_threshold, m_irq_delay, m_irq_count, m_irq_delay_count;
    wire [ADDR_WIDTH-1:0] m_curdesc, m_taildesc, m_cur_val;
    wire                  m_ioc_clr, m_dly_clr, m_err_clr, m_ioc_irq, m_dly_irq, m_err_irq;
    wire                  m_halted, m_idle, m_rs_clr, m_cur_upd;
    wire [5:0]            m_err_bits;

    // ------------------------------------------------------------------ channel control
    wire       running, halted, flush, resetting, s_soft_rst, stop_dp, stop_nx;
    wire [5:0] err_bits;
    wire       quiet = mv_quiet && !fetch_busy && sw_quiet;
    sgdma_chan_ctrl u_ctrl (
        .clk(clk), .rst(rst), .rs(rs), .reset_req(reset_any), .hold_run(hold_run),
        .sw_err(sw_err), .sw_err_bits(sw_err_bits), .quiet(quiet),
        .running(running), .halted(halted), .flush(flush), .resetting(resetting),
        .soft_rst_done(s_soft_rst), .err_bits(err_bits), .stop_dp(stop_dp), .stop_nx(stop_nx)
    );

    wire dp_rst = rst || flush;

    // The S2MM mover's stop (the channel is not running, or a data write was refused) in one
    // flip-flop: stop_dp || b_err_valid, from both flip-flops' next values, so the movers'
    // many enables start from a register rather than from a gate.
    reg mv_stop;
    always @(posedge clk)
        mv_stop <= stop_nx || (!dp_rst && b_err_nx);
    wire unused_stop = &{1'b0, stop_dp, b_err_valid};   // both are in mv_stop

    // The coalescer reloads from the threshold the DMACR write has just stored.
    reg dmacr_wr_d;
    always @(posedge clk) dmacr_wr_d <= dmacr_wr && !rst;
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
    sgdma_regs #(.ADDR_WIDTH(ADDR_WIDTH), .CONFIG_WORD(CONFIG_WORD), .INCLUDE_MM2S(INCLUDE_MM2S)) u_regs (
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
        .st_halted(halted), .st_idle(idle), .st_resetting(resetting_any),
        .st_err({1'b0, err_bits}), .st_ioc_irq(ioc_irq), .st_dly_irq(dly_irq), .st_err_irq(err_irq),
        .st_thresh(irq_count), .st_delay(irq_delay_count), .st_ovr_irq(ovr_irq),
        .st_ring_full(ring_full), .st_dropping(drop_fire),
        .rs_clr(sw_err), .cur_upd(sw_err || mv_cur_upd), .cur_val(sw_err ? sw_err_desc : mv_cur_desc),
        .cnt_completed(cnt_completed), .cnt_bytes(cnt_bytes),
        .cnt_drop_bytes(cnt_drop_bytes), .cnt_drop_pkts(cnt_drop_pkts),
        .m_rs(m_rs), .m_reset_req(m_reset_req), .m_cyclic(m_cyclic), .m_ioc_irq_en(m_ioc_en),
        .m_dly_irq_en(m_dly_en), .m_err_irq_en(m_err_en), .m_irq_threshold(m_irq_threshold),
        .m_irq_delay(m_irq_delay), .m_dmacr_wr(m_dmacr_wr), .m_curdesc(m_curdesc),
        .m_taildesc(m_taildesc), .m_tail_wr(m_tail_wr), .m_ioc_clr(m_ioc_clr),
        .m_dly_clr(m_dly_clr), .m_err_clr(m_err_clr),
        .m_st_halted(m_halted), .m_st_idle(m_idle), .m_st_err(m_err_bits),
        .m_st_ioc_irq(m_ioc_irq), .m_st_dly_irq(m_dly_irq), .m_st_err_irq(m_err_irq),
        .m_st_thresh(m_irq_count), .m_st_delay(m_irq_delay_count),
        .m_rs_clr(m_rs_clr), .m_cur_upd(m_cur_upd), .m_cur_val(m_cur_val)
    );

    sgdma_desc_fetch #(
        .ADDR_WIDTH(ADDR_WIDTH), .SG_DATA_WIDTH(SG_DATA_WIDTH), .LEN_WIDTH(LEN_WIDTH)
    ) u_fetch (
        .clk(clk), .rst(dp_rst), .enable(running), .doorbell(tail_wr && running), .idle(idle),
        .curdesc(curdesc), .taildesc(taildesc), .cyclic(cyclic), .ownership(ownership),
        .cache(sg_cache), .retire(sw_retire),
        .m_axi_sg_araddr(s_sg_araddr), .m_axi_sg_arlen(s_sg_arlen),
        .m_axi_sg_arsize(s_sg_arsize), .m_axi_sg_arburst(s_sg_arburst),
        .m_axi_sg_arcache(s_sg_arcache), .m_axi_sg_arprot(s_sg_arprot),
        .m_axi_sg_arvalid(s_sg_arvalid), .m_axi_sg_arready(s_sg_arready),
        .m_axi_sg_rdata(s_sg_rdata), .m_axi_sg_rresp(s_sg_rresp),
        .m_axi_sg_rlast(s_sg_rlast), .m_axi_sg_rvalid(s_sg_rvalid),
        .m_axi_sg_rready(s_sg_rready),
        .q_valid(q_valid), .q_desc(q_desc), .q_buf(q_buf), .q_len(q_len), .q_err(q_err),
        .q_zlen(q_zlen), .q_sof(q_sof_unused), .q_eof(q_eof_unused), .q_pop(q_pop), .busy(fetch_busy), .starved(starved)
    );

    sgdma_s2mm_mover #(
        .DATA_WIDTH(DATA_WIDTH), .ADDR_WIDTH(ADDR_WIDTH), .LEN_WIDTH(LEN_WIDTH),
        .MAX_BURST_LEN(MAX_BURST_LEN), .MAX_OUTSTANDING(MAX_OUTSTANDING),
        .CPL_LOG2(CPL_LOG2), .CPL_WIDTH(CPL_WIDTH)
    ) u_mover (
        .clk(clk), .rst(dp_rst), .hard_rst(rst), .run(!mv_stop), .stop(mv_stop),
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
        .m_axi_sg_awaddr(s_sg_awaddr), .m_axi_sg_awlen(s_sg_awlen),
        .m_axi_sg_awsize(s_sg_awsize), .m_axi_sg_awburst(s_sg_awburst),
        .m_axi_sg_awcache(s_sg_awcache), .m_axi_sg_awprot(s_sg_awprot),
        .m_axi_sg_awvalid(s_sg_awvalid), .m_axi_sg_awready(s_sg_awready),
        .m_axi_sg_wdata(s_sg_wdata), .m_axi_sg_wstrb(s_sg_wstrb),
        .m_axi_sg_wlast(s_sg_wlast), .m_axi_sg_wvalid(s_sg_wvalid),
        .m_axi_sg_wready(s_sg_wready), .m_axi_sg_bresp(s_sg_bresp),
        .m_axi_sg_bvalid(s_sg_bvalid), .m_axi_sg_bready(s_sg_bready),
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
    // ------------------------------------------------------------------ MM2S channel
    generate
        if (INCLUDE_MM2S) begin : g_mm2s
            // The MM2S channel's descriptor-port master (to the arbiter)
            wire [ADDR_WIDTH-1:0]      m_sg_araddr, m_sg_awaddr;
            wire [7:0]                 m_sg_arlen, m_sg_awlen;
            wire [2:0]                 m_sg_arsize, m_sg_arprot, m_sg_awsize, m_sg_awprot;
            wire [1:0]                 m_sg_arburst, m_sg_awburst, m_sg_rresp, m_sg_bresp;
            wire [3:0]                 m_sg_arcache, m_sg_awcache;
            wire                       m_sg_arvalid, m_sg_arready, m_sg_rlast, m_sg_rvalid, m_sg_rready;
            wire                       m_sg_awvalid, m_sg_awready, m_sg_wlast, m_sg_wvalid, m_sg_wready;
            wire                       m_sg_bvalid, m_sg_bready;
            wire [SG_DATA_WIDTH-1:0]   m_sg_rdata, m_sg_wdata;
            wire [SG_DATA_WIDTH/8-1:0] m_sg_wstrb;
            wire [0:0]                 unused_s_rid, unused_s_bid, unused_m_rid, unused_m_bid;

            // Channel control: the same state machine as S2MM's, for this channel
            wire      mrunning, mresetting, mflush, m_soft_rst, mstop_dp, mstop_nx_unused;
            wire [5:0] merr;
            wire      mq_valid, mq_pop, mfetch_busy, mstarved, mq_zlen, mq_sof, mq_eof;
            wire [ADDR_WIDTH-1:0] mq_desc, mq_buf;
            wire [LEN_WIDTH-1:0]  mq_len;
            wire [1:0]            mq_err;
            wire                  mcpl_push;
            wire [CPL_WIDTH-1:0]  mcpl_din;
            wire [CPL_LOG2:0]     mcpl_count;
            wire [7:0]            mr_seq_nx, mr_err_seq_nx;
            wire                  mr_err_valid, mr_err_nx;
            wire [1:0]            mr_err_resp;
            wire                  mmv_quiet, mmv_has_desc;
            wire                  mdone, msw_err, msw_quiet, msw_retire;
            wire [LEN_WIDTH-1:0]  mdone_len;
            wire [5:0]            msw_err_bits;
            wire [ADDR_WIDTH-1:0] msw_err_desc, mmv_cur_desc;
            wire                  mmv_cur_upd;
            wire mquiet   = mmv_quiet && !mfetch_busy && msw_quiet;
            sgdma_chan_ctrl u_mm2s_ctrl (
                .clk(clk), .rst(rst), .rs(m_rs), .reset_req(reset_any), .hold_run(hold_run),
                .sw_err(msw_err), .sw_err_bits(msw_err_bits), .quiet(mquiet),
                .running(mrunning), .halted(m_halted), .flush(mflush), .resetting(mresetting),
                .soft_rst_done(m_soft_rst), .err_bits(merr), .stop_dp(mstop_dp), .stop_nx(mstop_nx_unused)
            );
            // The soft reset ends (registers to their defaults, coalescers cleared) once both
            // channels have drained; until then a halted channel does not start again.
            reg s_rdone, m_rdone;
            wire s_done_now = s_rdone || s_soft_rst;
            wire m_done_now = m_rdone || m_soft_rst;
            assign soft_rst = s_done_now && m_done_now;
            always @(posedge clk) begin
                if (rst || soft_rst) begin
                    s_rdone <= 1'b0;
                    m_rdone <= 1'b0;
                end else begin
                    s_rdone <= s_done_now;
                    m_rdone <= m_done_now;
                end
            end
            assign hold_run      = s_rdone || m_rdone;
            assign resetting_any = resetting || mresetting || s_rdone || m_rdone;

            wire mdp_rst = rst || mflush;
            reg  mdmacr_wr_d;
            always @(posedge clk) mdmacr_wr_d <= m_dmacr_wr && !rst;
            assign m_idle     = mrunning && !m_cyclic && mstarved && !mq_valid && !mmv_has_desc && mmv_quiet && msw_quiet;
            assign m_err_bits = merr;
            assign m_rs_clr   = msw_err;
            assign m_cur_upd  = msw_err || mmv_cur_upd;
            assign m_cur_val  = msw_err ? msw_err_desc : mmv_cur_desc;

            sgdma_desc_fetch #(
                .ADDR_WIDTH(ADDR_WIDTH), .SG_DATA_WIDTH(SG_DATA_WIDTH), .LEN_WIDTH(LEN_WIDTH),
                .FRAME_FLAGS(1)
            ) u_mm2s_fetch (
                .clk(clk), .rst(mdp_rst), .enable(mrunning), .doorbell(m_tail_wr && mrunning), .idle(m_idle),
                .curdesc(m_curdesc), .taildesc(m_taildesc), .cyclic(m_cyclic), .ownership(ownership),
                .cache(sg_cache), .retire(msw_retire),
                .m_axi_sg_araddr(m_sg_araddr), .m_axi_sg_arlen(m_sg_arlen),
                .m_axi_sg_arsize(m_sg_arsize), .m_axi_sg_arburst(m_sg_arburst),
                .m_axi_sg_arcache(m_sg_arcache), .m_axi_sg_arprot(m_sg_arprot),
                .m_axi_sg_arvalid(m_sg_arvalid), .m_axi_sg_arready(m_sg_arready),
                .m_axi_sg_rdata(m_sg_rdata), .m_axi_sg_rresp(m_sg_rresp),
                .m_axi_sg_rlast(m_sg_rlast), .m_axi_sg_rvalid(m_sg_rvalid),
                .m_axi_sg_rready(m_sg_rready),
                .q_valid(mq_valid), .q_desc(mq_desc), .q_buf(mq_buf), .q_len(mq_len), .q_err(mq_err),
                .q_zlen(mq_zlen), .q_sof(mq_sof), .q_eof(mq_eof), .q_pop(mq_pop),
                .busy(mfetch_busy), .starved(mstarved)
            );

            sgdma_mm2s_mover #(
                .DATA_WIDTH(DATA_WIDTH), .ADDR_WIDTH(ADDR_WIDTH), .LEN_WIDTH(LEN_WIDTH),
                .MAX_BURST_LEN(MAX_BURST_LEN), .MAX_OUTSTANDING(MAX_OUTSTANDING),
                .CPL_LOG2(CPL_LOG2), .CPL_WIDTH(CPL_WIDTH)
            ) u_mm2s_mover (
                .clk(clk), .rst(mdp_rst), .run(!mstop_dp), .stop(mstop_dp), .cache(4'b0011),
                .q_valid(mq_valid), .q_desc(mq_desc), .q_buf(mq_buf), .q_len(mq_len), .q_err(mq_err),
                .q_sof(mq_sof), .q_eof(mq_eof), .q_pop(mq_pop),
                .m_axi_mm2s_arid(m_axi_mm2s_arid), .m_axi_mm2s_araddr(m_axi_mm2s_araddr),
                .m_axi_mm2s_arlen(m_axi_mm2s_arlen), .m_axi_mm2s_arsize(m_axi_mm2s_arsize),
                .m_axi_mm2s_arburst(m_axi_mm2s_arburst), .m_axi_mm2s_arcache(m_axi_mm2s_arcache),
                .m_axi_mm2s_arprot(m_axi_mm2s_arprot), .m_axi_mm2s_arvalid(m_axi_mm2s_arvalid),
                .m_axi_mm2s_arready(m_axi_mm2s_arready), .m_axi_mm2s_rid(m_axi_mm2s_rid),
                .m_axi_mm2s_rdata(m_axi_mm2s_rdata), .m_axi_mm2s_rresp(m_axi_mm2s_rresp),
                .m_axi_mm2s_rlast(m_axi_mm2s_rlast), .m_axi_mm2s_rvalid(m_axi_mm2s_rvalid),
                .m_axi_mm2s_rready(m_axi_mm2s_rready),
                .m_axis_mm2s_tdata(m_axis_mm2s_tdata), .m_axis_mm2s_tkeep(m_axis_mm2s_tkeep),
                .m_axis_mm2s_tlast(m_axis_mm2s_tlast), .m_axis_mm2s_tvalid(m_axis_mm2s_tvalid),
                .m_axis_mm2s_tready(m_axis_mm2s_tready),
                .cpl_push(mcpl_push), .cpl_din(mcpl_din), .cpl_count(mcpl_count),
                .r_err_valid(mr_err_valid), .r_err_resp(mr_err_resp), .r_seq_nx(mr_seq_nx),
                .r_err_nx(mr_err_nx), .r_err_seq_nx(mr_err_seq_nx),
                .cur_upd(mmv_cur_upd), .cur_desc(mmv_cur_desc), .quiet(mmv_quiet), .has_desc(mmv_has_desc)
            );
            wire unused_mm2s = &{1'b0, mr_err_valid, mq_zlen, mstop_nx_unused};

            sgdma_status_wr #(
                .ADDR_WIDTH(ADDR_WIDTH), .SG_DATA_WIDTH(SG_DATA_WIDTH), .LEN_WIDTH(LEN_WIDTH),
                .CPL_LOG2(CPL_LOG2), .CPL_WIDTH(CPL_WIDTH)
            ) u_mm2s_status (
                .clk(clk), .rst(mdp_rst), .cache(sg_cache), .pos_wb(1'b0),
                .cpl_push(mcpl_push), .cpl_din(mcpl_din), .cpl_count(mcpl_count),
                .b_seq_nx(mr_seq_nx), .b_err_nx(mr_err_nx), .b_err_seq_nx(mr_err_seq_nx), .b_err_resp(mr_err_resp),
                .m_axi_sg_awaddr(m_sg_awaddr), .m_axi_sg_awlen(m_sg_awlen),
                .m_axi_sg_awsize(m_sg_awsize), .m_axi_sg_awburst(m_sg_awburst),
                .m_axi_sg_awcache(m_sg_awcache), .m_axi_sg_awprot(m_sg_awprot),
                .m_axi_sg_awvalid(m_sg_awvalid), .m_axi_sg_awready(m_sg_awready),
                .m_axi_sg_wdata(m_sg_wdata), .m_axi_sg_wstrb(m_sg_wstrb),
                .m_axi_sg_wlast(m_sg_wlast), .m_axi_sg_wvalid(m_sg_wvalid),
                .m_axi_sg_wready(m_sg_wready), .m_axi_sg_bresp(m_sg_bresp),
                .m_axi_sg_bvalid(m_sg_bvalid), .m_axi_sg_bready(m_sg_bready),
                .done(mdone), .done_len(mdone_len), .err(msw_err), .err_bits(msw_err_bits),
                .err_desc(msw_err_desc), .retire(msw_retire), .quiet(msw_quiet)
            );
            wire movr_unused;
            wire unused_done_len = &{1'b0, mdone_len, movr_unused};

            sgdma_irq #(.DELAY_UNIT(DELAY_UNIT)) u_mm2s_irq (
                .clk(clk), .rst(rst || soft_rst), .reload(mdmacr_wr_d), .completion(mdone), .error(msw_err),
                .overrun(1'b0), .threshold(m_irq_threshold), .delay(m_irq_delay),
                .ioc_en(m_ioc_en), .dly_en(m_dly_en), .err_en(m_err_en), .ovr_en(1'b0),
                .ioc_clr(m_ioc_clr), .dly_clr(m_dly_clr), .err_clr(m_err_clr), .ovr_clr(1'b0),
                .ioc_irq(m_ioc_irq), .dly_irq(m_dly_irq), .err_irq(m_err_irq), .ovr_irq(movr_unused),
                .count(m_irq_count), .delay_count(m_irq_delay_count), .introut(mm2s_introut)
            );

            sgdma_sg_arb #(.ADDR_WIDTH(ADDR_WIDTH), .SG_DATA_WIDTH(SG_DATA_WIDTH)) u_sg_arb (
                .clk(clk), .rst(rst),
                .s0_axi_arid(1'b0), .s0_axi_araddr(s_sg_araddr), .s0_axi_arlen(s_sg_arlen),
                .s0_axi_arsize(s_sg_arsize), .s0_axi_arburst(s_sg_arburst), .s0_axi_arcache(s_sg_arcache),
                .s0_axi_arprot(s_sg_arprot), .s0_axi_arvalid(s_sg_arvalid), .s0_axi_arready(s_sg_arready),
                .s0_axi_rid(unused_s_rid), .s0_axi_rdata(s_sg_rdata), .s0_axi_rresp(s_sg_rresp),
                .s0_axi_rlast(s_sg_rlast), .s0_axi_rvalid(s_sg_rvalid), .s0_axi_rready(s_sg_rready),
                .s0_axi_awid(1'b0), .s0_axi_awaddr(s_sg_awaddr), .s0_axi_awlen(s_sg_awlen),
                .s0_axi_awsize(s_sg_awsize), .s0_axi_awburst(s_sg_awburst), .s0_axi_awcache(s_sg_awcache),
                .s0_axi_awprot(s_sg_awprot), .s0_axi_awvalid(s_sg_awvalid), .s0_axi_awready(s_sg_awready),
                .s0_axi_wdata(s_sg_wdata), .s0_axi_wstrb(s_sg_wstrb), .s0_axi_wlast(s_sg_wlast),
                .s0_axi_wvalid(s_sg_wvalid), .s0_axi_wready(s_sg_wready),
                .s0_axi_bid(unused_s_bid), .s0_axi_bresp(s_sg_bresp), .s0_axi_bvalid(s_sg_bvalid),
                .s0_axi_bready(s_sg_bready),
                .s1_axi_arid(1'b0), .s1_axi_araddr(m_sg_araddr), .s1_axi_arlen(m_sg_arlen),
                .s1_axi_arsize(m_sg_arsize), .s1_axi_arburst(m_sg_arburst), .s1_axi_arcache(m_sg_arcache),
                .s1_axi_arprot(m_sg_arprot), .s1_axi_arvalid(m_sg_arvalid), .s1_axi_arready(m_sg_arready),
                .s1_axi_rid(unused_m_rid), .s1_axi_rdata(m_sg_rdata), .s1_axi_rresp(m_sg_rresp),
                .s1_axi_rlast(m_sg_rlast), .s1_axi_rvalid(m_sg_rvalid), .s1_axi_rready(m_sg_rready),
                .s1_axi_awid(1'b0), .s1_axi_awaddr(m_sg_awaddr), .s1_axi_awlen(m_sg_awlen),
                .s1_axi_awsize(m_sg_awsize), .s1_axi_awburst(m_sg_awburst), .s1_axi_awcache(m_sg_awcache),
                .s1_axi_awprot(m_sg_awprot), .s1_axi_awvalid(m_sg_awvalid), .s1_axi_awready(m_sg_awready),
                .s1_axi_wdata(m_sg_wdata), .s1_axi_wstrb(m_sg_wstrb), .s1_axi_wlast(m_sg_wlast),
                .s1_axi_wvalid(m_sg_wvalid), .s1_axi_wready(m_sg_wready),
                .s1_axi_bid(unused_m_bid), .s1_axi_bresp(m_sg_bresp), .s1_axi_bvalid(m_sg_bvalid),
                .s1_axi_bready(m_sg_bready),
                .m_axi_sg_arid(m_axi_sg_arid), .m_axi_sg_araddr(m_axi_sg_araddr), .m_axi_sg_arlen(m_axi_sg_arlen),
                .m_axi_sg_arsize(m_axi_sg_arsize), .m_axi_sg_arburst(m_axi_sg_arburst),
                .m_axi_sg_arcache(m_axi_sg_arcache), .m_axi_sg_arprot(m_axi_sg_arprot),
                .m_axi_sg_arvalid(m_axi_sg_arvalid), .m_axi_sg_arready(m_axi_sg_arready),
                .m_axi_sg_rid(m_axi_sg_rid), .m_axi_sg_rdata(m_axi_sg_rdata), .m_axi_sg_rresp(m_axi_sg_rresp),
                .m_axi_sg_rlast(m_axi_sg_rlast), .m_axi_sg_rvalid(m_axi_sg_rvalid), .m_axi_sg_rready(m_axi_sg_rready),
                .m_axi_sg_awid(m_axi_sg_awid), .m_axi_sg_awaddr(m_axi_sg_awaddr), .m_axi_sg_awlen(m_axi_sg_awlen),
                .m_axi_sg_awsize(m_axi_sg_awsize), .m_axi_sg_awburst(m_axi_sg_awburst),
                .m_axi_sg_awcache(m_axi_sg_awcache), .m_axi_sg_awprot(m_axi_sg_awprot),
                .m_axi_sg_awvalid(m_axi_sg_awvalid), .m_axi_sg_awready(m_axi_sg_awready),
                .m_axi_sg_wdata(m_axi_sg_wdata), .m_axi_sg_wstrb(m_axi_sg_wstrb), .m_axi_sg_wlast(m_axi_sg_wlast),
                .m_axi_sg_wvalid(m_axi_sg_wvalid), .m_axi_sg_wready(m_axi_sg_wready),
                .m_axi_sg_bid(m_axi_sg_bid), .m_axi_sg_bresp(m_axi_sg_bresp), .m_axi_sg_bvalid(m_axi_sg_bvalid),
                .m_axi_sg_bready(m_axi_sg_bready)
            );
            wire unused_arb = &{1'b0, unused_s_rid, unused_s_bid, unused_m_rid, unused_m_bid};
        end else begin : g_no_mm2s
            // S2MM alone: its descriptor master is the m_axi_sg port; the soft reset is its own
            assign soft_rst      = s_soft_rst;
            assign hold_run      = 1'b0;
            assign resetting_any = resetting;
            assign m_axi_sg_arid    = 1'b0;
            assign m_axi_sg_awid    = 1'b0;
            assign m_axi_sg_araddr  = s_sg_araddr;
            assign m_axi_sg_arlen   = s_sg_arlen;
            assign m_axi_sg_arsize  = s_sg_arsize;
            assign m_axi_sg_arburst = s_sg_arburst;
            assign m_axi_sg_arcache = s_sg_arcache;
            assign m_axi_sg_arprot  = s_sg_arprot;
            assign m_axi_sg_arvalid = s_sg_arvalid;
            assign s_sg_arready     = m_axi_sg_arready;
            assign s_sg_rdata       = m_axi_sg_rdata;
            assign s_sg_rresp       = m_axi_sg_rresp;
            assign s_sg_rlast       = m_axi_sg_rlast;
            assign s_sg_rvalid      = m_axi_sg_rvalid;
            assign m_axi_sg_rready  = s_sg_rready;
            assign m_axi_sg_awaddr  = s_sg_awaddr;
            assign m_axi_sg_awlen   = s_sg_awlen;
            assign m_axi_sg_awsize  = s_sg_awsize;
            assign m_axi_sg_awburst = s_sg_awburst;
            assign m_axi_sg_awcache = s_sg_awcache;
            assign m_axi_sg_awprot  = s_sg_awprot;
            assign m_axi_sg_awvalid = s_sg_awvalid;
            assign s_sg_awready     = m_axi_sg_awready;
            assign m_axi_sg_wdata   = s_sg_wdata;
            assign m_axi_sg_wstrb   = s_sg_wstrb;
            assign m_axi_sg_wlast   = s_sg_wlast;
            assign m_axi_sg_wvalid  = s_sg_wvalid;
            assign s_sg_wready      = m_axi_sg_wready;
            assign s_sg_bresp       = m_axi_sg_bresp;
            assign s_sg_bvalid      = m_axi_sg_bvalid;
            assign m_axi_sg_bready  = s_sg_bready;
            // the MM2S ports tied off, its registers read 0
            assign m_axi_mm2s_arid    = 1'b0;
            assign m_axi_mm2s_araddr  = {ADDR_WIDTH{1'b0}};
            assign m_axi_mm2s_arlen   = 8'd0;
            assign m_axi_mm2s_arsize  = 3'd0;
            assign m_axi_mm2s_arburst = 2'b01;
            assign m_axi_mm2s_arcache = 4'd0;
            assign m_axi_mm2s_arprot  = 3'd0;
            assign m_axi_mm2s_arvalid = 1'b0;
            assign m_axi_mm2s_rready  = 1'b0;
            assign m_axis_mm2s_tdata  = {DATA_WIDTH{1'b0}};
            assign m_axis_mm2s_tkeep  = {DB{1'b0}};
            assign m_axis_mm2s_tlast  = 1'b0;
            assign m_axis_mm2s_tvalid = 1'b0;
            assign mm2s_introut       = 1'b0;
            assign m_halted   = 1'b1;
            assign m_idle     = 1'b0;
            assign m_err_bits = 6'd0;
            assign m_rs_clr   = 1'b0;
            assign m_cur_upd  = 1'b0;
            assign m_cur_val  = {ADDR_WIDTH{1'b0}};
            assign m_ioc_irq  = 1'b0;
            assign m_dly_irq  = 1'b0;
            assign m_err_irq  = 1'b0;
            assign m_irq_count       = 8'd0;
            assign m_irq_delay_count = 8'd0;
            wire unused_mm2s = &{1'b0, m_axi_mm2s_arready, m_axi_mm2s_rid, m_axi_mm2s_rdata,
                                 m_axi_mm2s_rresp, m_axi_mm2s_rlast, m_axi_mm2s_rvalid,
                                 m_axis_mm2s_tready, m_axi_sg_bid, m_axi_sg_rid, m_rs, m_cyclic,
                                 m_ioc_en, m_dly_en, m_err_en, m_dmacr_wr, m_tail_wr,
                                 m_irq_threshold, m_irq_delay, m_curdesc, m_taildesc,
                                 m_ioc_clr, m_dly_clr, m_err_clr};
        end
    endgenerate
endmodule
`default_nettype wire
