// sgdma_status_wr: completion processing and status write-back of the sgdma engine.
// Completion entries from the data mover wait here, in order, until the B response of their
// last burst has come back; then STATUS (Cmplt, RXSOF, RXEOF, error bits, bytes transferred) is
// written to the descriptor over the m_axi_sg write channels.  Several write-backs may be in
// flight, so status writing never holds up the data.  A completion is reported when its
// write-back is acknowledged.  Every error (fetch errors and zero-length descriptors carried in
// the entries, data write errors matched to their descriptor by burst number, write-back
// errors) is raised here, in descriptor order; after an error nothing more is written.
`default_nettype none
`include "sgdma_defs.vh"
module sgdma_status_wr #(
    parameter ADDR_WIDTH    = 32,
    parameter SG_DATA_WIDTH = 64,
    parameter LEN_WIDTH     = 26,
    parameter CPL_LOG2      = 2,
    parameter CPL_WIDTH     = `SGDMA_CPL_WIDTH
) (
    input  wire                    clk,
    input  wire                    rst,
    input  wire [3:0]              cache,
    input  wire                    pos_wb,       // also write APP0 = stream position

    input  wire                    cpl_push,
    input  wire [CPL_WIDTH-1:0]    cpl_din,
    output wire [CPL_LOG2:0]       cpl_count,
    input  wire [7:0]              b_seq_nx,     // data bursts acknowledged, this clock's B included
    input  wire                    b_err_nx,     // a data write was refused, this clock's B included
    input  wire [1:0]              b_err_resp,
    input  wire [7:0]              b_err_seq_nx, // number of the first refused burst

    output reg  [ADDR_WIDTH-1:0]   m_axi_sg_awaddr,
    output reg  [7:0]              m_axi_sg_awlen,
    output wire [2:0]              m_axi_sg_awsize,
    output wire [1:0]              m_axi_sg_awburst,
    output wire [3:0]              m_axi_sg_awcache,
    output wire [2:0]              m_axi_sg_awprot,
    output reg                     m_axi_sg_awvalid,
    input  wire                    m_axi_sg_awready,
    output reg  [SG_DATA_WIDTH-1:0] m_axi_sg_wdata,
    output reg  [SG_DATA_WIDTH/8-1:0] m_axi_sg_wstrb,
    output reg                     m_axi_sg_wlast,
    output reg                     m_axi_sg_wvalid,
    input  wire                    m_axi_sg_wready,
    input  wire [1:0]              m_axi_sg_bresp,
    input  wire                    m_axi_sg_bvalid,
    output wire                    m_axi_sg_bready,

    output reg                     done,         // a descriptor completed (write-back acknowledged), a clock after its B
    output reg  [LEN_WIDTH-1:0]    done_len,
    output reg                     err,          // pulse: an error halts the channel
    output reg  [5:0]              err_bits,     // {sg_dec, sg_slv, sg_int, dma_dec, dma_slv, dma_int}
    output reg  [ADDR_WIDTH-1:0]   err_desc,
    output wire                    retire,       // an entry left: written back, or dropped/raised
    output wire                    quiet         // no entry waiting and no write-back in flight
);
    localparam SGB = SG_DATA_WIDTH / 8;
    localparam [2:0] K_NORMAL = `SGDMA_KIND_NORMAL, K_INT = `SGDMA_KIND_INT,   // (PARTIAL: dropped)
                     K_SGINT = `SGDMA_KIND_SGINT, K_SGSLV = `SGDMA_KIND_SGSLV, K_SGDEC = `SGDMA_KIND_SGDEC;
    localparam FLW = 1 + LEN_WIDTH + 6 + ADDR_WIDTH - 6;  // in-flight: {is_error, len, err_bits, desc}

    assign m_axi_sg_awsize  = (SGB == 4) ? 3'd2 : 3'd3;
    assign m_axi_sg_awburst = 2'b01;
    assign m_axi_sg_awcache = cache;
    assign m_axi_sg_awprot  = 3'b000;
    assign m_axi_sg_bready  = 1'b1;
    // STATUS is word 0x1C: the upper half of the 64-bit word at 0x18 on a 64-bit bus; APP0
    // (0x20, stream position) follows as a second beat when pos_wb is set.
    localparam [SGB-1:0] STRB0 = (SGB == 4) ? {SGB{1'b1}} : {{(SGB/2){1'b1}}, {(SGB/2){1'b0}}};
    localparam [SGB-1:0] STRB1 = (SGB == 4) ? {SGB{1'b1}} : {{(SGB/2){1'b0}}, {(SGB/2){1'b1}}};
    reg                     w2_pend;
    reg [SG_DATA_WIDTH-1:0] w2_data;

    // The queue's head is held in a register (hd), so the decisions below start from flip-flops.
    wire                 q_empty, q_full_unused;
    wire [CPL_WIDTH-1:0] q_head;
    wire [CPL_LOG2:0]    q_count;
    reg                  hd_valid;
    reg  [CPL_WIDTH-1:0] c_head;
    wire                 c_empty = !hd_valid;
    wire q_pop = !q_empty && !hd_valid;   // the head refills in the clock after it is taken
    wire [7:0]           h_seq  = c_head[`SGDMA_CPL_SEQ_LSB +: `SGDMA_CPL_SEQ_W];
    wire                 h_sof  = c_head[`SGDMA_CPL_SOF_LSB];
    wire                 h_eof  = c_head[`SGDMA_CPL_EOF_LSB];
    wire [LEN_WIDTH-1:0] h_len  = c_head[`SGDMA_CPL_LEN_LSB +: `SGDMA_CPL_LEN_W];
    wire [ADDR_WIDTH-1:0] h_desc = {c_head[`SGDMA_CPL_DESC_LSB +: `SGDMA_CPL_DESC_W], 6'b0};
    wire [31:0]          h_pos  = c_head[`SGDMA_CPL_POS_LSB +: `SGDMA_CPL_POS_W];

    reg stopped;                               // an error entry was taken: no further entries
    reg raised;                                // the error has been reported
    // Whether the head's bursts are all acknowledged, and whether one of them failed: compared
    // every clock (for the entry entering the head register, from the queue) against the burst
    // counts as they stand after this clock, and registered, so both are current and agree with
    // each other: a write-back leaves in the clock after its data's last B.
    wire [7:0] e_seq     = hd_valid ? h_seq : q_head[`SGDMA_CPL_SEQ_LSB +: `SGDMA_CPL_SEQ_W];
    wire [7:0] seq_diff  = b_seq_nx - e_seq;      // >= 0 (mod 256) once the entry's bursts are done
    wire [7:0] err_diff  = e_seq - b_err_seq_nx;  // >= 0: the failed burst belongs to this entry
    reg        bursts_in, data_err;
    always @(posedge clk) begin
        bursts_in <= !seq_diff[7];
        data_err  <= b_err_nx && !err_diff[7];
    end

    // In-flight write-backs
    reg  [2:0]  fl_count;
    wire        fl_empty = (fl_count == 3'd0);
    wire        fl_full  = (fl_count == 3'd4);
    wire [FLW-1:0] fl_head;
    wire        fl_unused_full, fl_unused_empty;
    wire [2:0]  fl_unused_count;

    // a write-back starts when the AW and W registers are empty (flip-flops only; at most one
    // write-back every other clock)
    wire out_free = !m_axi_sg_awvalid && !m_axi_sg_wvalid && !w2_pend;
    // The head's kind, decoded when it enters the head register
    reg hk_write, hk_int, hk_sg;
    reg [5:0] hk_sg_bits;
    wire head_ok  = !c_empty && (bursts_in || data_err || hk_sg);

    // What to do with the head entry
    reg        h_write, h_drop, h_raise;
    reg [5:0]  h_bits;
    reg [31:0] h_status;
    always @* begin
        h_write = 1'b0; h_drop = 1'b0; h_raise = 1'b0; h_bits = 6'd0;
        h_status = 32'd0;
        h_status[`SGDMA_STATUS_LENGTH +: LEN_WIDTH] = h_len;
        h_status[`SGDMA_STATUS_RXSOF] = h_sof;
        h_status[`SGDMA_STATUS_RXEOF] = h_eof;
        if (!c_empty && stopped) begin
            h_drop = 1'b1;
        end else if (head_ok) begin
            if (data_err) begin
                h_bits = b_err_resp[0] ? 6'b000100 : 6'b000010;
                h_status[`SGDMA_STATUS_DMA_DEC_ERR] = b_err_resp[0];
                h_status[`SGDMA_STATUS_DMA_SLV_ERR] = !b_err_resp[0];
                h_write = 1'b1;
            end else begin
                // K_NORMAL and K_INT are written back, the fetch errors raised, the rest
                // (K_PARTIAL: an abandoned descriptor) dropped
                h_write = hk_write;
                h_raise = hk_sg;
                h_drop  = !hk_write && !hk_sg;
                h_bits  = hk_sg ? hk_sg_bits : {5'd0, hk_int};
                h_status[`SGDMA_STATUS_CMPLT]       = !hk_int;
                h_status[`SGDMA_STATUS_DMA_INT_ERR] = hk_int;
            end
        end
    end
    wire do_write = h_write && out_free && !fl_full;
    wire c_pop    = h_drop || h_raise || do_write;
    wire fl_push  = do_write;
    wire fl_pop   = m_axi_sg_bvalid;
    wire fl_is_err = fl_head[FLW-1];
    wire [5:0] fl_bits = fl_head[ADDR_WIDTH-6 +: 6];
    wire [ADDR_WIDTH-1:0] fl_desc = {fl_head[ADDR_WIDTH-7:0], 6'b0};
    wire b_bad = m_axi_sg_bvalid && m_axi_sg_bresp[1];

    // Write-backs issued before an error still complete: their STATUS says Cmplt, so they count.
    // registered: the counters and the coalescer see a completion a clock after its B
    always @(posedge clk) begin
        done     <= !rst && m_axi_sg_bvalid && !b_bad && !fl_is_err;
        done_len <= fl_head[ADDR_WIDTH + 6 - 6 +: LEN_WIDTH];
    end

    always @(posedge clk) begin
        if (rst) begin
            stopped          <= 1'b0;
            raised           <= 1'b0;
            fl_count         <= 3'd0;
            err              <= 1'b0;
            err_bits         <= 6'd0;
            err_desc         <= {ADDR_WIDTH{1'b0}};
            m_axi_sg_awvalid <= 1'b0;
            m_axi_sg_awaddr  <= {ADDR_WIDTH{1'b0}};
            m_axi_sg_wvalid  <= 1'b0;
            m_axi_sg_wdata   <= {SG_DATA_WIDTH{1'b0}};
            m_axi_sg_wstrb   <= {SGB{1'b0}};
            m_axi_sg_wlast   <= 1'b0;
            m_axi_sg_awlen   <= 8'd0;
            w2_pend          <= 1'b0;
            w2_data          <= {SG_DATA_WIDTH{1'b0}};
        end else begin
            err <= 1'b0;
            if (m_axi_sg_awready) m_axi_sg_awvalid <= 1'b0;
            if (m_axi_sg_wready) begin
                m_axi_sg_wvalid <= 1'b0;
                if (w2_pend) begin
                    m_axi_sg_wvalid <= 1'b1;
                    m_axi_sg_wdata  <= w2_data;
                    m_axi_sg_wstrb  <= STRB1;
                    m_axi_sg_wlast  <= 1'b1;
                    w2_pend         <= 1'b0;
                end
            end
            if (do_write) begin
                m_axi_sg_awvalid <= 1'b1;
                m_axi_sg_awlen   <= {7'd0, pos_wb};
                m_axi_sg_wvalid  <= 1'b1;
                m_axi_sg_wstrb   <= STRB0;
                m_axi_sg_wlast   <= !pos_wb;
                w2_pend          <= pos_wb;
                w2_data          <= {{(SG_DATA_WIDTH-32){1'b0}}, h_pos};  // APP0: low word at 0x20
                // Descriptors are 64-byte aligned: the STATUS word's address is an OR, not an add.
                m_axi_sg_awaddr  <= {h_desc[ADDR_WIDTH-1:6], (SGB == 4) ? 6'h1C : 6'h18};
                m_axi_sg_wdata   <= (SGB == 4) ? {{(SG_DATA_WIDTH-32){1'b0}}, h_status}
                                               : {h_status, {(SG_DATA_WIDTH-32){1'b0}}};
            end
            fl_count <= fl_count + {2'd0, fl_push} - {2'd0, fl_pop};

            // Taking an error entry (raised now, or written back first) ends the processing:
            // the entries behind it belong to the abandoned part of the chain.
            if (h_raise || (do_write && h_bits != 6'd0))
                stopped <= 1'b1;
            if (!raised) begin
                if (h_raise) begin
                    raised   <= 1'b1;
                    err      <= 1'b1;
                    err_bits <= h_bits;
                    err_desc <= h_desc;
                end else if (b_bad) begin
                    stopped  <= 1'b1;
                    raised   <= 1'b1;
                    err      <= 1'b1;
                    err_bits <= m_axi_sg_bresp[0] ? 6'b100000 : 6'b010000;
                    err_desc <= fl_desc;
                end else if (m_axi_sg_bvalid && fl_is_err) begin
                    raised   <= 1'b1;
                    err      <= 1'b1;
                    err_bits <= fl_bits;
                    err_desc <= fl_desc;
                end
            end
        end
    end

    wire [2:0] q_kind = q_head[`SGDMA_CPL_KIND_LSB +: `SGDMA_CPL_KIND_W];
    always @(posedge clk) begin
        if (rst) begin
            hd_valid   <= 1'b0;
            c_head     <= {CPL_WIDTH{1'b0}};
            hk_write   <= 1'b0;
            hk_int     <= 1'b0;
            hk_sg      <= 1'b0;
            hk_sg_bits <= 6'd0;
        end else if (q_pop) begin
            hd_valid   <= 1'b1;
            c_head     <= q_head;
            hk_write   <= (q_kind == K_NORMAL) || (q_kind == K_INT);
            hk_int     <= (q_kind == K_INT);
            hk_sg      <= (q_kind == K_SGINT) || (q_kind == K_SGSLV) || (q_kind == K_SGDEC);
            hk_sg_bits <= {q_kind == K_SGDEC, q_kind == K_SGSLV, q_kind == K_SGINT, 3'b000};
        end else if (c_pop) begin
            hd_valid <= 1'b0;
        end
    end

    // Entries from the mover are registered before they enter the queue.
    reg                 in_valid;
    reg [CPL_WIDTH-1:0] in_entry;
    always @(posedge clk) begin
        in_valid <= cpl_push && !rst;
        in_entry <= cpl_din;
    end

    sgdma_fifo #(.WIDTH(CPL_WIDTH), .DEPTH_LOG2(CPL_LOG2)) u_cpl (
        .clk(clk), .rst(rst),
        .wr_en(in_valid), .din(in_entry),
        .rd_en(q_pop), .dout(q_head),
        .empty(q_empty), .full(q_full_unused), .count(q_count)
    );
    // entries held: the input register, the queue and its head register (at most 2**CPL_LOG2:
    // the mover checks)
    assign cpl_count = q_count + {{CPL_LOG2{1'b0}}, hd_valid} + {{CPL_LOG2{1'b0}}, in_valid};

    sgdma_fifo #(.WIDTH(FLW), .DEPTH_LOG2(2)) u_inflight (
        .clk(clk), .rst(rst),
        .wr_en(fl_push), .din({h_bits != 6'd0, h_len, h_bits, h_desc[ADDR_WIDTH-1:6]}),
        .rd_en(fl_pop), .dout(fl_head),
        .empty(fl_unused_empty), .full(fl_unused_full), .count(fl_unused_count)
    );

    assign retire = fl_pop || (c_pop && !do_write);
    assign quiet = !in_valid && c_empty && fl_empty && !m_axi_sg_awvalid && !m_axi_sg_wvalid && !w2_pend;

    wire unused_ok = &{1'b0, b_err_resp[1], seq_diff[6:0], err_diff[6:0], q_full_unused, fl_unused_full, fl_unused_empty, fl_unused_count, h_desc[5:0]};
endmodule
`default_nettype wire
