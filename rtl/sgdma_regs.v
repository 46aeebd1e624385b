// sgdma_regs: AXI4-Lite register file of the sgdma engine.
// PG021 S2MM registers at their PG021 offsets, the MM2S block (0x00-0x14) with the same
// semantics when INCLUDE_MM2S is set (else it reads as zero and ignores writes), and the
// extension registers from 0x80 up.  Offsets and bit positions come from sgdma_defs.vh,
// which is generated from the project's one register definition (driver-model/sgdma_driver/regmap.py).
// Writes are whole 32-bit words; AW and W are held until both have arrived.
`default_nettype none
`include "sgdma_defs.vh"
module sgdma_regs #(
    parameter ADDR_WIDTH  = 32,
    parameter [31:0] CONFIG_WORD = 32'd0,
    parameter INCLUDE_MM2S = 0
) (
    input  wire                  clk,
    input  wire                  rst,          // hard reset (active high, synchronous)
    input  wire                  soft_rst,     // end of a soft reset: registers back to defaults

    // AXI4-Lite slave
    input  wire [9:0]            s_axi_lite_awaddr,
    input  wire                  s_axi_lite_awvalid,
    output wire                  s_axi_lite_awready,
    input  wire [31:0]           s_axi_lite_wdata,
    input  wire                  s_axi_lite_wvalid,
    output wire                  s_axi_lite_wready,
    output wire [1:0]            s_axi_lite_bresp,
    output reg                   s_axi_lite_bvalid,
    input  wire                  s_axi_lite_bready,
    input  wire [9:0]            s_axi_lite_araddr,
    input  wire                  s_axi_lite_arvalid,
    output wire                  s_axi_lite_arready,
    output reg  [31:0]           s_axi_lite_rdata,
    output wire [1:0]            s_axi_lite_rresp,
    output reg                   s_axi_lite_rvalid,
    input  wire                  s_axi_lite_rready,

    // Control outputs
    output reg                   rs,
    output reg                   reset_req,    // pulse: DMACR.Reset written with 1
    output reg                   cyclic,
    output reg                   ioc_irq_en,
    output reg                   dly_irq_en,
    output reg                   err_irq_en,
    output reg  [7:0]            irq_threshold,
    output reg  [7:0]            irq_delay,
    output wire                  dmacr_wr,     // pulse: DMACR written (reloads the coalescer)
    output wire [ADDR_WIDTH-1:0] curdesc,
    output wire [ADDR_WIDTH-1:0] taildesc,
    output reg                   tail_wr,      // pulse: doorbell (TAILDESC, or TAILDESC_MSB in 64-bit builds)
    output reg  [3:0]            sg_cache,
    output reg                   policy_drop,
    output reg                   ownership,
    output reg                   ovr_irq_en,
    output reg                   pos_wb,
    output wire                  ioc_clr,
    output wire                  dly_clr,
    output wire                  err_clr,
    output wire                  ovr_clr,

    // Status inputs
    input  wire                  st_halted,
    input  wire                  st_idle,
    input  wire                  st_resetting,
    input  wire [6:0]            st_err,       // {sg_dec, sg_slv, sg_int, dma_dec, dma_slv, dma_int} + spare
    input  wire                  st_ioc_irq,
    input  wire                  st_dly_irq,
    input  wire                  st_err_irq,
    input  wire [7:0]            st_thresh,
    input  wire [7:0]            st_delay,
    input  wire                  st_ovr_irq,
    input  wire                  st_ring_full,
    input  wire                  st_dropping,
    input  wire                  rs_clr,       // engine clears RS (error)
    input  wire                  cur_upd,      // engine updates CURDESC
    input  wire [ADDR_WIDTH-1:0] cur_val,
    input  wire [63:0]           cnt_completed,
    input  wire [63:0]           cnt_bytes,
    input  wire [63:0]           cnt_drop_bytes,
    input  wire [63:0]           cnt_drop_pkts,

    // MM2S channel (INCLUDE_MM2S; the same meaning as the S2MM ports above)
    output wire                  m_rs,
    output wire                  m_reset_req,
    output wire                  m_cyclic,
    output wire                  m_ioc_irq_en,
    output wire                  m_dly_irq_en,
    output wire                  m_err_irq_en,
    output wire [7:0]            m_irq_threshold,
    output wire [7:0]            m_irq_delay,
    output wire                  m_dmacr_wr,
    output wire [ADDR_WIDTH-1:0] m_curdesc,
    output wire [ADDR_WIDTH-1:0] m_taildesc,
    output wire                  m_tail_wr,
    output wire                  m_ioc_clr,
    output wire                  m_dly_clr,
    output wire                  m_err_clr,
    input  wire                  m_st_halted,
    input  wire                  m_st_idle,
    input  wire [5:0]            m_st_err,
    input  wire                  m_st_ioc_irq,
    input  wire                  m_st_dly_irq,
    input  wire                  m_st_err_irq,
    input  wire [7:0]            m_st_thresh,
    input  wire [7:0]            m_st_delay,
    input  wire                  m_rs_clr,
    input  wire                  m_cur_upd,
    input  wire [ADDR_WIDTH-1:0] m_cur_val
);
    reg [63:0] cur_r;
    reg [63:0] tail_r;     // the tail the engine works to: changes only with the doorbell write
    reg [31:6] tail_lo;    // TAILDESC bits 31:6 as last written (read back as written)
    assign curdesc  = cur_r[ADDR_WIDTH-1:0];
    assign taildesc = tail_r[ADDR_WIDTH-1:0];

    wire [63:0] cur_val64;
    generate
        if (ADDR_WIDTH < 64) begin : g_ext
            assign cur_val64 = {{(64-ADDR_WIDTH){1'b0}}, cur_val};
        end else begin : g_full
            assign cur_val64 = cur_val;
        end
    endgenerate

    // ---------------------------------------------------------------- write channel
    // AW and W are each taken into a holding register (AWREADY/WREADY are flip-flops, so no
    // input reaches an output in the same clock); the write happens once both are held and
    // the previous response has been taken.  The address is decoded as it is taken: each
    // writable register has a select flip-flop, so a write enable is one gate of flip-flops.
    reg        aw_full, w_full;
    reg [31:0] wd;
    wire       wr_fire = aw_full && w_full && !s_axi_lite_bvalid;
    localparam [7:0] REG_DOORBELL = (ADDR_WIDTH > 32) ? `SGDMA_REG_S2MM_TAILDESC_MSB
                                                      : `SGDMA_REG_S2MM_TAILDESC;
    localparam NWS = 9;
    localparam [NWS*8-1:0] WS_ADDR = {REG_DOORBELL, `SGDMA_REG_SGDMA_XCTRL, `SGDMA_REG_SG_CTL,
        `SGDMA_REG_S2MM_TAILDESC, `SGDMA_REG_S2MM_CURDESC_MSB, `SGDMA_REG_S2MM_CURDESC,
        `SGDMA_REG_SGDMA_XSTATUS, `SGDMA_REG_S2MM_DMASR, `SGDMA_REG_S2MM_DMACR};
    localparam WS_DMACR = 0, WS_DMASR = 1, WS_XSTATUS = 2, WS_CUR = 3, WS_CUR_MSB = 4, WS_TAIL = 5,
               WS_SGCTL = 6, WS_XCTRL = 7, WS_DOORBELL = 8;
    reg [NWS-1:0] ws;           // the held write address, decoded
    integer k;

    assign s_axi_lite_awready = !aw_full;
    assign s_axi_lite_wready  = !w_full;
    assign s_axi_lite_bresp   = 2'b00;

    always @(posedge clk) begin
        if (rst) begin
            aw_full <= 1'b0;
            w_full  <= 1'b0;
            ws      <= {NWS{1'b0}};
            wd      <= 32'd0;
        end else begin
            if (wr_fire) begin
                aw_full <= 1'b0;
                w_full  <= 1'b0;
            end
            if (s_axi_lite_awvalid && !aw_full) begin
                aw_full <= 1'b1;
                for (k = 0; k < NWS; k = k + 1)
                    ws[k] <= (s_axi_lite_awaddr[7:2] == WS_ADDR[k*8+2 +: 6]);
            end
            if (s_axi_lite_wvalid && !w_full) begin
                w_full <= 1'b1;
                wd     <= s_axi_lite_wdata;
            end
        end
    end

    wire wr_dmacr   = wr_fire && ws[WS_DMACR];
    wire wr_dmasr   = wr_fire && ws[WS_DMASR];
    wire wr_xstatus = wr_fire && ws[WS_XSTATUS];

    wire reset_now = wr_dmacr && wd[`SGDMA_S2MM_DMACR_RESET];
    // The doorbell is the write that completes the tail address: TAILDESC in 32-bit builds,
    // TAILDESC_MSB in 64-bit builds (the low word only latches there, so software that writes
    // the low word first, as Linux lo_hi_writeq and xaxidma do, never exposes a half-written
    // tail).  The whole new tail enters tail_r at the doorbell's own clock edge.
    wire tail_now  = wr_fire && ws[WS_DOORBELL];
    assign ioc_clr   = wr_dmasr && wd[`SGDMA_S2MM_DMASR_IOC_IRQ];
    assign dly_clr   = wr_dmasr && wd[`SGDMA_S2MM_DMASR_DLY_IRQ];
    assign err_clr   = wr_dmasr && wd[`SGDMA_S2MM_DMASR_ERR_IRQ];
    assign ovr_clr   = wr_xstatus && wd[`SGDMA_SGDMA_XSTATUS_OVR_IRQ];
    assign dmacr_wr = wr_dmacr;
    // The doorbell and the soft-reset request leave from flip-flops, one clock after the write
    // (TAILDESC has its new value by then); they fan out into the fetcher and the channel
    // control.
    always @(posedge clk) begin
        if (rst) begin
            reset_req <= 1'b0;
            tail_wr   <= 1'b0;
        end else begin
            reset_req <= reset_now;
            tail_wr   <= tail_now;
        end
    end

    always @(posedge clk) begin
        if (rst)
            s_axi_lite_bvalid <= 1'b0;
        else if (wr_fire)
            s_axi_lite_bvalid <= 1'b1;
        else if (s_axi_lite_bready)
            s_axi_lite_bvalid <= 1'b0;
    end

    localparam [31:0] DMACR_RST = `SGDMA_RESET_S2MM_DMACR;
    localparam [31:0] SGCTL_RST = `SGDMA_RESET_SG_CTL;

    always @(posedge clk) begin
        if (rst || soft_rst) begin
            rs            <= 1'b0;
            cyclic        <= 1'b0;
            ioc_irq_en    <= 1'b0;
            dly_irq_en    <= 1'b0;
            err_irq_en    <= 1'b0;
            irq_threshold <= DMACR_RST[`SGDMA_S2MM_DMACR_IRQ_THRESHOLD +: 8];
            irq_delay     <= DMACR_RST[`SGDMA_S2MM_DMACR_IRQ_DELAY +: 8];
            cur_r         <= 64'd0;
            tail_r        <= 64'd0;
            tail_lo       <= 26'd0;
            sg_cache      <= SGCTL_RST[`SGDMA_SG_CTL_SG_CACHE +: 4];
            policy_drop   <= 1'b0;
            ownership     <= 1'b0;
            ovr_irq_en    <= 1'b0;
            pos_wb        <= 1'b0;
        end else begin
            if (wr_dmacr) begin
                rs            <= wd[`SGDMA_S2MM_DMACR_RS];
                cyclic        <= wd[`SGDMA_S2MM_DMACR_CYCLIC_BD_EN];
                ioc_irq_en    <= wd[`SGDMA_S2MM_DMACR_IOC_IRQ_EN];
                dly_irq_en    <= wd[`SGDMA_S2MM_DMACR_DLY_IRQ_EN];
                err_irq_en    <= wd[`SGDMA_S2MM_DMACR_ERR_IRQ_EN];
                irq_threshold <= wd[`SGDMA_S2MM_DMACR_IRQ_THRESHOLD +: 8];
                irq_delay     <= wd[`SGDMA_S2MM_DMACR_IRQ_DELAY +: 8];
            end else if (rs_clr) begin
                rs <= 1'b0;
            end
            if (cur_upd)
                cur_r <= cur_val64;
            else if (wr_fire && st_halted && ws[WS_CUR])
                cur_r[31:0] <= {wd[31:6], 6'b0};
            else if (wr_fire && st_halted && ws[WS_CUR_MSB] && ADDR_WIDTH > 32)
                cur_r[63:32] <= wd;
            if (wr_fire && ws[WS_TAIL])
                tail_lo <= wd[31:6];
            if (tail_now)
                tail_r <= (ADDR_WIDTH > 32) ? {wd, tail_lo, 6'b0} : {32'd0, wd[31:6], 6'b0};
            if (wr_fire && ws[WS_SGCTL])
                sg_cache <= wd[`SGDMA_SG_CTL_SG_CACHE +: 4];
            if (wr_fire && ws[WS_XCTRL]) begin
                policy_drop <= wd[`SGDMA_SGDMA_XCTRL_POLICY_DROP];
                ownership   <= wd[`SGDMA_SGDMA_XCTRL_OWNERSHIP];
                ovr_irq_en  <= wd[`SGDMA_SGDMA_XCTRL_OVR_IRQ_EN];
                pos_wb      <= wd[`SGDMA_SGDMA_XCTRL_POS_WRITEBACK];
            end
        end
    end

    // ---------------------------------------------------------------- read channel
    wire [5:0] ra      = s_axi_lite_araddr[7:2];
    reg        ar_full;            // an accepted read waits for its data
    wire       rd_fire = s_axi_lite_arvalid && !ar_full && !s_axi_lite_rvalid;

    assign s_axi_lite_arready = !ar_full && !s_axi_lite_rvalid;
    assign s_axi_lite_rresp   = 2'b00;

    // The status inputs that are not flip-flops of the engine (Halted, Idle, ring full, dropping) are
    // sampled into flip-flops every clock, so that the read data is a plain multiplexer of
    // flip-flops: those bits read as they stood a clock before the others.
    reg        q_halted, q_idle, q_full, q_dropping;
    always @(posedge clk) begin
        q_halted   <= st_halted;
        q_idle     <= st_idle;
        q_full     <= st_ring_full;
        q_dropping <= st_dropping;
    end

    // The high words of the 64-bit counters, latched when the low word is read.
    reg [31:0] hi_completed, hi_bytes, hi_drop_bytes, hi_drop_pkts;

    reg [31:0] dmacr_rd, dmasr_rd, sgctl_rd, xctrl_rd, xstat_rd;
    always @* begin
        dmacr_rd = 32'd0;
        dmacr_rd[`SGDMA_S2MM_DMACR_RS]           = rs;
        dmacr_rd[`SGDMA_S2MM_DMACR_RESET]        = st_resetting;
        dmacr_rd[`SGDMA_S2MM_DMACR_CYCLIC_BD_EN] = cyclic;
        dmacr_rd[`SGDMA_S2MM_DMACR_IOC_IRQ_EN]   = ioc_irq_en;
        dmacr_rd[`SGDMA_S2MM_DMACR_DLY_IRQ_EN]   = dly_irq_en;
        dmacr_rd[`SGDMA_S2MM_DMACR_ERR_IRQ_EN]   = err_irq_en;
        dmacr_rd[`SGDMA_S2MM_DMACR_IRQ_THRESHOLD +: 8] = irq_threshold;
        dmacr_rd[`SGDMA_S2MM_DMACR_IRQ_DELAY +: 8]     = irq_delay;

        dmasr_rd = 32'd0;
        dmasr_rd[`SGDMA_S2MM_DMASR_HALTED]      = q_halted;
        dmasr_rd[`SGDMA_S2MM_DMASR_IDLE]        = q_idle;
        dmasr_rd[`SGDMA_S2MM_DMASR_SG_INCLD]    = 1'b1;
        dmasr_rd[`SGDMA_S2MM_DMASR_DMA_INT_ERR] = st_err[0];
        dmasr_rd[`SGDMA_S2MM_DMASR_DMA_SLV_ERR] = st_err[1];
        dmasr_rd[`SGDMA_S2MM_DMASR_DMA_DEC_ERR] = st_err[2];
        dmasr_rd[`SGDMA_S2MM_DMASR_SG_INT_ERR]  = st_err[3];
        dmasr_rd[`SGDMA_S2MM_DMASR_SG_SLV_ERR]  = st_err[4];
        dmasr_rd[`SGDMA_S2MM_DMASR_SG_DEC_ERR]  = st_err[5];
        dmasr_rd[`SGDMA_S2MM_DMASR_IOC_IRQ]     = st_ioc_irq;
        dmasr_rd[`SGDMA_S2MM_DMASR_DLY_IRQ]     = st_dly_irq;
        dmasr_rd[`SGDMA_S2MM_DMASR_ERR_IRQ]     = st_err_irq;
        dmasr_rd[`SGDMA_S2MM_DMASR_IRQ_THRESHOLD_STS +: 8] = st_thresh;
        dmasr_rd[`SGDMA_S2MM_DMASR_IRQ_DELAY_STS +: 8]     = st_delay;

        sgctl_rd = 32'd0;
        sgctl_rd[`SGDMA_SG_CTL_SG_CACHE +: 4] = sg_cache;

        xctrl_rd = 32'd0;
        xctrl_rd[`SGDMA_SGDMA_XCTRL_POLICY_DROP] = policy_drop;
        xctrl_rd[`SGDMA_SGDMA_XCTRL_OWNERSHIP]   = ownership;
        xctrl_rd[`SGDMA_SGDMA_XCTRL_OVR_IRQ_EN]  = ovr_irq_en;
        xctrl_rd[`SGDMA_SGDMA_XCTRL_POS_WRITEBACK] = pos_wb;

        xstat_rd = 32'd0;
        xstat_rd[`SGDMA_SGDMA_XSTATUS_OVR_IRQ]   = st_ovr_irq;
        xstat_rd[`SGDMA_SGDMA_XSTATUS_RING_FULL] = q_full;
        xstat_rd[`SGDMA_SGDMA_XSTATUS_DROPPING]  = q_dropping;
    end

    // The read address is taken into a holding register and decoded there (one select
    // flip-flop per readable register); the data is an AND-OR of flip-flops one clock later.
    localparam NRS = 19;
    localparam [NRS*8-1:0] RS_ADDR = {`SGDMA_REG_DROPPED_PACKETS_HI, `SGDMA_REG_DROPPED_PACKETS_LO,
        `SGDMA_REG_DROPPED_BYTES_HI, `SGDMA_REG_DROPPED_BYTES_LO, `SGDMA_REG_BYTES_WRITTEN_HI,
        `SGDMA_REG_BYTES_WRITTEN_LO, `SGDMA_REG_COMPLETED_HI, `SGDMA_REG_COMPLETED_LO,
        `SGDMA_REG_SGDMA_XSTATUS, `SGDMA_REG_SGDMA_XCTRL, `SGDMA_REG_SGDMA_CONFIG, `SGDMA_REG_SGDMA_ID,
        `SGDMA_REG_S2MM_TAILDESC_MSB, `SGDMA_REG_S2MM_TAILDESC, `SGDMA_REG_S2MM_CURDESC_MSB,
        `SGDMA_REG_S2MM_CURDESC, `SGDMA_REG_S2MM_DMASR, `SGDMA_REG_S2MM_DMACR, `SGDMA_REG_SG_CTL};
    localparam RS_CPL_LO = 11, RS_BYT_LO = 13, RS_DRB_LO = 15, RS_DRP_LO = 17;
    wire [63:0] cur64  = cur_r;
    wire [63:0] tail64 = tail_r;
    wire [NRS*32-1:0] rv = {hi_drop_pkts, cnt_drop_pkts[31:0], hi_drop_bytes, cnt_drop_bytes[31:0],
        hi_bytes, cnt_bytes[31:0], hi_completed, cnt_completed[31:0], xstat_rd, xctrl_rd, CONFIG_WORD,
        `SGDMA_RESET_SGDMA_ID, tail64[63:32], {tail_lo, 6'b0}, cur64[63:32], cur64[31:0], dmasr_rd,
        dmacr_rd, sgctl_rd};
    reg [NRS-1:0] rsel;
    reg [31:0]    rd_word;
    always @* begin
        rd_word = 32'd0;
        for (k = 0; k < NRS; k = k + 1)
            rd_word = rd_word | (rv[k*32 +: 32] & {32{rsel[k]}});
    end

    always @(posedge clk) begin
        if (rst) begin
            ar_full           <= 1'b0;
            rsel              <= {NRS{1'b0}};
            s_axi_lite_rvalid <= 1'b0;
            s_axi_lite_rdata  <= 32'd0;
            hi_completed  <= 32'd0;
            hi_bytes      <= 32'd0;
            hi_drop_bytes <= 32'd0;
            hi_drop_pkts  <= 32'd0;
        end else begin
            if (rd_fire) begin
                ar_full <= 1'b1;
                for (k = 0; k < NRS; k = k + 1)
                    rsel[k] <= (ra == RS_ADDR[k*8+2 +: 6]);
            end
            if (ar_full && !s_axi_lite_rvalid) begin
                ar_full           <= 1'b0;
                s_axi_lite_rvalid <= 1'b1;
                s_axi_lite_rdata  <= rd_word | m_rd_word;
                if (rsel[RS_CPL_LO]) hi_completed  <= cnt_completed[63:32];
                if (rsel[RS_BYT_LO]) hi_bytes      <= cnt_bytes[63:32];
                if (rsel[RS_DRB_LO]) hi_drop_bytes <= cnt_drop_bytes[63:32];
                if (rsel[RS_DRP_LO]) hi_drop_pkts  <= cnt_drop_pkts[63:32];
            end else if (s_axi_lite_rready) begin
                s_axi_lite_rvalid <= 1'b0;
            end
        end
    end

    // ---------------------------------------------------------------- MM2S channel registers
    // The same structure as the S2MM ones: select flip-flops decoded as AW/AR are taken, the
    // doorbell and the reset request leave from flip-flops, the read word is an AND-OR of
    // flip-flops (Halted and Idle sampled a clock earlier).
    wire [31:0] m_rd_word;
    generate
        if (INCLUDE_MM2S) begin : g_mm2s
            localparam [7:0] M_DOORBELL = (ADDR_WIDTH > 32) ? `SGDMA_REG_MM2S_TAILDESC_MSB
                                                            : `SGDMA_REG_MM2S_TAILDESC;
            localparam MNW = 6;
            localparam [MNW*8-1:0] MW_ADDR = {M_DOORBELL, `SGDMA_REG_MM2S_TAILDESC,
                `SGDMA_REG_MM2S_CURDESC_MSB, `SGDMA_REG_MM2S_CURDESC, `SGDMA_REG_MM2S_DMASR,
                `SGDMA_REG_MM2S_DMACR};
            localparam MW_DMACR = 0, MW_DMASR = 1, MW_CUR = 2, MW_CUR_MSB = 3, MW_TAIL = 4, MW_DOORBELL = 5;
            localparam MNR = 6;
            localparam [MNR*8-1:0] MR_ADDR = {`SGDMA_REG_MM2S_TAILDESC_MSB, `SGDMA_REG_MM2S_TAILDESC,
                `SGDMA_REG_MM2S_CURDESC_MSB, `SGDMA_REG_MM2S_CURDESC, `SGDMA_REG_MM2S_DMASR,
                `SGDMA_REG_MM2S_DMACR};
            localparam [31:0] M_DMACR_RST = `SGDMA_RESET_MM2S_DMACR;
            reg [MNW-1:0] mws;
            reg [MNR-1:0] mrs;
            integer j;
            wire [63:0] m_cur64;
            if (ADDR_WIDTH < 64) begin : g_mext
                assign m_cur64 = {{(64-ADDR_WIDTH){1'b0}}, m_cur_val};
            end else begin : g_mfull
                assign m_cur64 = m_cur_val;
            end
            always @(posedge clk) begin
                if (rst) begin
                    mws <= {MNW{1'b0}};
                    mrs <= {MNR{1'b0}};
                end else begin
                    if (s_axi_lite_awvalid && !aw_full)
                        for (j = 0; j < MNW; j = j + 1)
                            mws[j] <= (s_axi_lite_awaddr[7:2] == MW_ADDR[j*8+2 +: 6]);
                    if (rd_fire)
                        for (j = 0; j < MNR; j = j + 1)
                            mrs[j] <= (ra == MR_ADDR[j*8+2 +: 6]);
                end
            end
            wire w_cr   = wr_fire && mws[MW_DMACR];
            wire w_sr   = wr_fire && mws[MW_DMASR];
            wire w_bell = wr_fire && mws[MW_DOORBELL];
            reg        r_rs, r_cyclic, r_ioc, r_dly, r_err, r_reset_req, r_tail_wr;
            reg [7:0]  r_thr, r_dl;
            reg [63:0] r_cur, r_tail;
            reg [31:6] r_tail_lo;
            always @(posedge clk) begin
                if (rst) begin
                    r_reset_req <= 1'b0;
                    r_tail_wr   <= 1'b0;
                end else begin
                    r_reset_req <= w_cr && wd[`SGDMA_MM2S_DMACR_RESET];
                    r_tail_wr   <= w_bell;
                end
            end
            always @(posedge clk) begin
                if (rst || soft_rst) begin
                    r_rs      <= 1'b0;
                    r_cyclic  <= 1'b0;
                    r_ioc     <= 1'b0;
                    r_dly     <= 1'b0;
                    r_err     <= 1'b0;
                    r_thr     <= M_DMACR_RST[`SGDMA_MM2S_DMACR_IRQ_THRESHOLD +: 8];
                    r_dl      <= M_DMACR_RST[`SGDMA_MM2S_DMACR_IRQ_DELAY +: 8];
                    r_cur     <= 64'd0;
                    r_tail    <= 64'd0;
                    r_tail_lo <= 26'd0;
                end else begin
                    if (w_cr) begin
                        r_rs     <= wd[`SGDMA_MM2S_DMACR_RS];
                        r_cyclic <= wd[`SGDMA_MM2S_DMACR_CYCLIC_BD_EN];
                        r_ioc    <= wd[`SGDMA_MM2S_DMACR_IOC_IRQ_EN];
                        r_dly    <= wd[`SGDMA_MM2S_DMACR_DLY_IRQ_EN];
                        r_err    <= wd[`SGDMA_MM2S_DMACR_ERR_IRQ_EN];
                        r_thr    <= wd[`SGDMA_MM2S_DMACR_IRQ_THRESHOLD +: 8];
                        r_dl     <= wd[`SGDMA_MM2S_DMACR_IRQ_DELAY +: 8];
                    end else if (m_rs_clr) begin
                        r_rs <= 1'b0;
                    end
                    if (m_cur_upd)
                        r_cur <= m_cur64;
                    else if (wr_fire && m_st_halted && mws[MW_CUR])
                        r_cur[31:0] <= {wd[31:6], 6'b0};
                    else if (wr_fire && m_st_halted && mws[MW_CUR_MSB] && ADDR_WIDTH > 32)
                        r_cur[63:32] <= wd;
                    if (wr_fire && mws[MW_TAIL])
                        r_tail_lo <= wd[31:6];
                    if (w_bell)
                        r_tail <= (ADDR_WIDTH > 32) ? {wd, r_tail_lo, 6'b0} : {32'd0, wd[31:6], 6'b0};
                end
            end
            reg q_m_halted, q_m_idle;
            always @(posedge clk) begin
                q_m_halted <= m_st_halted;
                q_m_idle   <= m_st_idle;
            end
            reg [31:0] cr_rd, sr_rd;
            always @* begin
                cr_rd = 32'd0;
                cr_rd[`SGDMA_MM2S_DMACR_RS]           = r_rs;
                cr_rd[`SGDMA_MM2S_DMACR_RESET]        = st_resetting;
                cr_rd[`SGDMA_MM2S_DMACR_CYCLIC_BD_EN] = r_cyclic;
                cr_rd[`SGDMA_MM2S_DMACR_IOC_IRQ_EN]   = r_ioc;
                cr_rd[`SGDMA_MM2S_DMACR_DLY_IRQ_EN]   = r_dly;
                cr_rd[`SGDMA_MM2S_DMACR_ERR_IRQ_EN]   = r_err;
                cr_rd[`SGDMA_MM2S_DMACR_IRQ_THRESHOLD +: 8] = r_thr;
                cr_rd[`SGDMA_MM2S_DMACR_IRQ_DELAY +: 8]     = r_dl;
                sr_rd = 32'd0;
                sr_rd[`SGDMA_MM2S_DMASR_HALTED]      = q_m_halted;
                sr_rd[`SGDMA_MM2S_DMASR_IDLE]        = q_m_idle;
                sr_rd[`SGDMA_MM2S_DMASR_SG_INCLD]    = 1'b1;
                sr_rd[`SGDMA_MM2S_DMASR_DMA_INT_ERR] = m_st_err[0];
                sr_rd[`SGDMA_MM2S_DMASR_DMA_SLV_ERR] = m_st_err[1];
                sr_rd[`SGDMA_MM2S_DMASR_DMA_DEC_ERR] = m_st_err[2];
                sr_rd[`SGDMA_MM2S_DMASR_SG_INT_ERR]  = m_st_err[3];
                sr_rd[`SGDMA_MM2S_DMASR_SG_SLV_ERR]  = m_st_err[4];
                sr_rd[`SGDMA_MM2S_DMASR_SG_DEC_ERR]  = m_st_err[5];
                sr_rd[`SGDMA_MM2S_DMASR_IOC_IRQ]     = m_st_ioc_irq;
                sr_rd[`SGDMA_MM2S_DMASR_DLY_IRQ]     = m_st_dly_irq;
                sr_rd[`SGDMA_MM2S_DMASR_ERR_IRQ]     = m_st_err_irq;
                sr_rd[`SGDMA_MM2S_DMASR_IRQ_THRESHOLD_STS +: 8] = m_st_thresh;
                sr_rd[`SGDMA_MM2S_DMASR_IRQ_DELAY_STS +: 8]     = m_st_delay;
            end
            wire [MNR*32-1:0] mv = {r_tail[63:32], {r_tail_lo, 6'b0}, r_cur[63:32], r_cur[31:0], sr_rd, cr_rd};
            reg [31:0] mw;
            always @* begin
                mw = 32'd0;
                for (j = 0; j < MNR; j = j + 1)
                    mw = mw | (mv[j*32 +: 32] & {32{mrs[j]}});
            end
            assign m_rd_word       = mw;
            assign m_rs            = r_rs;
            assign m_reset_req     = r_reset_req;
            assign m_cyclic        = r_cyclic;
            assign m_ioc_irq_en    = r_ioc;
            assign m_dly_irq_en    = r_dly;
            assign m_err_irq_en    = r_err;
            assign m_irq_threshold = r_thr;
            assign m_irq_delay     = r_dl;
            assign m_dmacr_wr      = w_cr;
            assign m_curdesc       = r_cur[ADDR_WIDTH-1:0];
            assign m_taildesc      = r_tail[ADDR_WIDTH-1:0];
            assign m_tail_wr       = r_tail_wr;
            assign m_ioc_clr       = w_sr && wd[`SGDMA_MM2S_DMASR_IOC_IRQ];
            assign m_dly_clr       = w_sr && wd[`SGDMA_MM2S_DMASR_DLY_IRQ];
            assign m_err_clr       = w_sr && wd[`SGDMA_MM2S_DMASR_ERR_IRQ];
            wire unused_m = &{1'b0, r_tail[31:0]};
        end else begin : g_no_mm2s
            assign m_rd_word       = 32'd0;
            assign m_rs            = 1'b0;
            assign m_reset_req     = 1'b0;
            assign m_cyclic        = 1'b0;
            assign m_ioc_irq_en    = 1'b0;
            assign m_dly_irq_en    = 1'b0;
            assign m_err_irq_en    = 1'b0;
            assign m_irq_threshold = 8'd0;
            assign m_irq_delay     = 8'd0;
            assign m_dmacr_wr      = 1'b0;
            assign m_curdesc       = {ADDR_WIDTH{1'b0}};
            assign m_taildesc      = {ADDR_WIDTH{1'b0}};
            assign m_tail_wr       = 1'b0;
            assign m_ioc_clr       = 1'b0;
            assign m_dly_clr       = 1'b0;
            assign m_err_clr       = 1'b0;
            wire unused_m = &{1'b0, m_st_halted, m_st_idle, m_st_err, m_st_ioc_irq, m_st_dly_irq,
                              m_st_err_irq, m_st_thresh, m_st_delay, m_rs_clr, m_cur_upd, m_cur_val};
        end
    endgenerate

`ifdef FORMAL
    // a read is either waiting for its data or answered, never both
    always @(*)
        if (!rst)
            assert (!(ar_full && s_axi_lite_rvalid));
`endif

    // Address bits outside the decoded window are ignored; TAILDESC's low word reads back from
    // tail_lo (as written, before its doorbell in 64-bit builds).
    wire unused_ok = &{1'b0, s_axi_lite_awaddr[9:8], s_axi_lite_awaddr[1:0],
                       s_axi_lite_araddr[9:8], s_axi_lite_araddr[1:0], st_err[6],
                       tail64[31:0]};
endmodule
`default_nettype wire
