// sgdma_mm2s_mover: memory-to-stream data mover of the sgdma engine.
// Takes descriptors from the fetcher's queue, reads each buffer over m_axi_mm2s and sends its
// bytes on m_axis_mm2s.  Any buffer address and length: the stream is packed (the bytes of a
// packet are contiguous, every beat is full but a packet's last, TKEEP runs from lane 0), a
// packet may span several buffers, TLAST marks the last byte of a buffer with TXEOF.  TXSOF is
// not needed for the stream (a packet starts after the previous TXEOF) and is not used.
//
// Pipeline (every port handshake is registered: no combinational path from an input port to
// an output port):
//   queue ──► staging register nd (beat count and first burst precomputed)
//         ──► read issuer rd ──► AR skid ──► m_axi_mm2s AR        (and a command into cmd)
//   m_axi_mm2s R ──► R skid ──► read-data buffer (2**RBUF_LOG2 beats, block RAM)
//                ──► the RAM's read register ──► rb
//   cmd ──► staging register cx (beat count, first/last beat bytes precomputed)
//   rb + cx ──► stage 1 (s): the beat's bytes, rotated to their stream lanes, and the masks
//           ──► stage 2: merge with the bytes held from earlier beats ──► stream skid ──► m_axis
// Reads: INCR bursts of at most MAX_BURST_LEN beats, aligned to MAX_BURST_LEN-beat boundaries
// (so never across 4 KiB), ending at the buffer's last beat; the length of the next burst is
// decided in a register the clock after a burst is issued.  An AR is issued only when the
// read-data buffer has room reserved for all its beats (the room returns as beats leave the
// buffer), so RREADY is always high; at most MAX_OUTSTANDING reads are in flight.  The issuer
// runs ahead of the stream by up to 2**CMD_LOG2 descriptors.
// Completions: one entry per descriptor, in order, in the CPL_ENTRY format, pushed when the
// descriptor's last byte has gone into stage 2 (into the stream skid, or, for a buffer without
// TXEOF whose last beat is partial, into the register that completes that beat with the next
// buffer's bytes: its memory is no longer needed).  LEN = bytes transferred; SOF, EOF and POS
// are zero (MM2S STATUS has no SOF/EOF bits and no stream position).  SEQ is the entry's own
// number (entries pushed, this one included, mod 256); r_seq_nx, r_err_nx and r_err_seq_nx
// count entries the same way, so the status writer's b_seq/b_err inputs take them unchanged:
// an entry's data is always complete when it is pushed (no wait), and the entry of a failed
// read is the one whose SEQ equals r_err_seq.  The status writer must take no more than the
// mover checks (cpl_count, as in the S2MM mover).
// Errors: a fetch error or a zero-length descriptor (nd_bad) becomes an error entry of its
// kind when the stream reaches it; nothing is taken after it.  A read answered SLVERR/DECERR
// stops the issue of reads at once (r_err_resp records the first); the stream goes on up to
// the failed beat, whose descriptor then gets an entry with LEN = the bytes sent before that
// beat, r_err_valid rises (sticky until rst) and nothing more is sent: the open packet gets no
// TLAST (the channel halts, as PG021's MM2S does on a data error; a reset follows).
// Stage 1 takes one memory beat per clock: where the last beat of a buffer and the first of
// the next (both partial) fill at most one stream beat, the stream idles a clock there.
// stop: no read is issued from then on and, a clock later, no stream beat is formed; reads in flight complete
// (every R beat is accepted into its reserved room), a stream beat already in the skid waits
// for TREADY; no entry is pushed for the abandoned descriptors.  quiet says nothing is in
// flight on either port, a beat entering the stream skid in the same clock included (so the
// flush that follows quiet never withdraws an offered beat); rst (the flush after a halt)
// clears everything held.
`default_nettype none
`include "sgdma_defs.vh"
module sgdma_mm2s_mover #(
    parameter DATA_WIDTH      = 64,
    parameter ADDR_WIDTH      = 32,
    parameter LEN_WIDTH       = 26,
    parameter MAX_BURST_LEN   = 16,
    parameter MAX_OUTSTANDING = 4,
    parameter CPL_LOG2        = 2,
    parameter CPL_WIDTH       = `SGDMA_CPL_WIDTH,
    // read-data buffer: 2**RBUF_LOG2 beats, at least two full bursts (512 beats: the depth of the
    // ECP5 block RAMs at their 36-bit width, so any depth up to it costs no more RAM blocks; the
    // room covers a 32-clock read latency with every burst size)
    parameter RBUF_LOG2       = 9,
    // descriptors between the read issuer and the stream
    parameter CMD_LOG2        = 3
) (
    input  wire                    clk,
    input  wire                    rst,          // hard reset or flush of the data path
    input  wire                    run,          // may take descriptors
    input  wire                    stop,         // abandon the descriptors, finish open reads
    input  wire [3:0]              cache,

    // Descriptor queue
    input  wire                    q_valid,
    input  wire [ADDR_WIDTH-1:0]   q_desc,
    input  wire [ADDR_WIDTH-1:0]   q_buf,
    input  wire [LEN_WIDTH-1:0]    q_len,
    input  wire [1:0]              q_err,
    input  wire                    q_sof,        // CONTROL.TXSOF (not needed by the stream)
    input  wire                    q_eof,        // CONTROL.TXEOF
    output wire                    q_pop,

    // AXI4 read master (ID 0: reads complete in order)
    output wire [0:0]              m_axi_mm2s_arid,
    output wire [ADDR_WIDTH-1:0]   m_axi_mm2s_araddr,
    output wire [7:0]              m_axi_mm2s_arlen,
    output wire [2:0]              m_axi_mm2s_arsize,
    output wire [1:0]              m_axi_mm2s_arburst,
    output wire [3:0]              m_axi_mm2s_arcache,
    output wire [2:0]              m_axi_mm2s_arprot,
    output wire                    m_axi_mm2s_arvalid,
    input  wire                    m_axi_mm2s_arready,
    input  wire [0:0]              m_axi_mm2s_rid,
    input  wire [DATA_WIDTH-1:0]   m_axi_mm2s_rdata,
    input  wire [1:0]              m_axi_mm2s_rresp,
    input  wire                    m_axi_mm2s_rlast,
    input  wire                    m_axi_mm2s_rvalid,
    output wire                    m_axi_mm2s_rready,

    // AXI4-Stream output
    output wire [DATA_WIDTH-1:0]   m_axis_mm2s_tdata,
    output wire [DATA_WIDTH/8-1:0] m_axis_mm2s_tkeep,
    output wire                    m_axis_mm2s_tlast,
    output wire                    m_axis_mm2s_tvalid,
    input  wire                    m_axis_mm2s_tready,

    // Completion entries to the status writer
    output wire                    cpl_push,
    output reg  [CPL_WIDTH-1:0]    cpl_din,
    input  wire [CPL_LOG2:0]       cpl_count,
    output reg                     r_err_valid,  // a read failed and its entry is pushed (sticky until rst)
    output reg  [1:0]              r_err_resp,   // the first failed read's RRESP
    output wire [7:0]              r_seq_nx,     // entries pushed, this clock's included
    output wire                    r_err_nx,     // r_err_valid, this clock's entry included
    output wire [7:0]              r_err_seq_nx, // SEQ of the failed read's entry, this clock's included

    output wire                    cur_upd,      // a descriptor was taken: CURDESC follows it
    output wire [ADDR_WIDTH-1:0]   cur_desc,
    output wire                    quiet,        // nothing in flight on m_axi_mm2s or m_axis_mm2s
    output wire                    has_desc      // a descriptor taken has no entry yet
);
    localparam DB  = DATA_WIDTH / 8;
    localparam LB  = $clog2(DB);
    // beats of one buffer (a partial first and last beat included), at least 10 bits so that
    // MAX_BURST_LEN + 1 fits
    localparam BLW = (LEN_WIDTH - LB + 1 > 10) ? LEN_WIDTH - LB + 1 : 10;
    localparam SPW = LB + BLW;
    localparam CW  = (RBUF_LOG2 + 1 > 10) ? RBUF_LOG2 + 1 : 10;   // room counter
    localparam DW  = ADDR_WIDTH - 6;
    localparam CMW = DW + LEN_WIDTH + LB + 1 + 1 + 3;              // {desc, len, lane, eof, bad, kind}
    localparam [8:0] MB      = MAX_BURST_LEN[8:0];
    localparam [8:0] MB_M1   = MB - 9'd1;
    localparam [4:0] MAX_OUT = MAX_OUTSTANDING[4:0];
    localparam [LB:0] DB_L   = DB[LB:0];
    localparam [SPW-1:0] DB_M1 = DB[SPW-1:0] - 1'b1;
    localparam [CW-1:0] RB_DEPTH = 1 << RBUF_LOG2;

    // An unsupported combination stops elaboration ($error; Icarus 11 lacks elaboration tasks,
    // so there it stops the simulation at time 0 with the same message).
`ifdef __ICARUS__
`define SGDMA_MM2S_PARAM_ERROR(msg, val) initial begin $display(msg, val); $fatal(1); end
`else
`define SGDMA_MM2S_PARAM_ERROR(msg, val) $error(msg, val);
`endif
    generate
        if (DATA_WIDTH != 32 && DATA_WIDTH != 64 && DATA_WIDTH != 128) begin : g_bad_data_width
            `SGDMA_MM2S_PARAM_ERROR("sgdma_mm2s_mover: DATA_WIDTH must be 32, 64 or 128, got %0d", DATA_WIDTH)
        end
        if (MAX_BURST_LEN < 1 || MAX_BURST_LEN > 256 || (MAX_BURST_LEN & (MAX_BURST_LEN - 1)) != 0
            || MAX_BURST_LEN * DATA_WIDTH / 8 > 4096) begin : g_bad_burst
            `SGDMA_MM2S_PARAM_ERROR("sgdma_mm2s_mover: MAX_BURST_LEN must be a power of 2 from 1 to 256 beats and at most 4 KiB, got %0d", MAX_BURST_LEN)
        end
        if (MAX_OUTSTANDING < 1 || MAX_OUTSTANDING > 16) begin : g_bad_outstanding
            `SGDMA_MM2S_PARAM_ERROR("sgdma_mm2s_mover: MAX_OUTSTANDING must be 1 to 16, got %0d", MAX_OUTSTANDING)
        end
        if ((1 << RBUF_LOG2) < 2 * MAX_BURST_LEN) begin : g_bad_rbuf
            `SGDMA_MM2S_PARAM_ERROR("sgdma_mm2s_mover: 2**RBUF_LOG2 must hold two bursts, got RBUF_LOG2 %0d", RBUF_LOG2)
        end
    endgenerate

    assign m_axi_mm2s_arid    = 1'b0;
    assign m_axi_mm2s_arsize  = LB[2:0];
    assign m_axi_mm2s_arburst = 2'b01;
    assign m_axi_mm2s_arcache = cache;
    assign m_axi_mm2s_arprot  = 3'b000;

    // ------------------------------------------------------------------ staging register nd
    reg                  nd_valid;
    reg [ADDR_WIDTH-1:0] nd_desc;
    reg [ADDR_WIDTH-1:0] nd_buf;
    reg [LEN_WIDTH-1:0]  nd_len;
    reg                  nd_eof;
    reg [BLW-1:0]        nd_bl;        // memory beats the buffer touches
    reg [8:0]            nd_al;        // beats from the buffer's first beat to a burst boundary
    reg                  nd_bad;       // error entry: fetch error or zero length
    reg [2:0]            nd_kind;      // its CPL kind

    // ------------------------------------------------------------------ read issuer
    reg                  rd_valid;
    reg [ADDR_WIDTH-1:0] rd_addr;      // address of the next burst (beat aligned)
    reg [BLW-1:0]        rd_bl;        // beats not yet requested
    reg [8:0]            rd_pl;        // length of the next burst
    reg                  rd_last;      // the next burst is the buffer's last
    reg                  rd_plan;      // rd_pl and rd_last are up to date
    reg                  err_taken;    // an error entry is queued: take nothing more
    reg                  rx_err;       // a read failed: issue nothing more
    reg [CW-1:0]         room;         // read-data buffer beats not reserved
    reg [4:0]            out_cnt;      // reads issued whose last beat has not arrived
    reg                  out_full;

    wire ar_rdy, ar_empty;
    wire cmd_full, cmd_empty;
    wire [CMW-1:0] cmd_head;
    wire [CMD_LOG2:0] cmd_count_unused;

    wire take_nd = run && !stop && nd_valid && !err_taken && !rx_err && !rd_valid && !cmd_full;
    wire load_rd = take_nd && !nd_bad;
    assign q_pop = run && !stop && q_valid && !nd_valid;
    wire room_ok = room >= {{(CW-9){1'b0}}, rd_pl};
    wire issue   = rd_valid && rd_plan && ar_rdy && !out_full && room_ok && !stop && !rx_err;

    // the staging register's precomputation from the queue head
    wire [8:0]     q_bidx = q_buf[LB +: 9] & MB_M1;
    wire [SPW-1:0] q_span = {{(SPW-LEN_WIDTH){1'b0}}, q_len} + {{(SPW-LB){1'b0}}, q_buf[LB-1:0]} + DB_M1;
    reg  [2:0]     q_kind;
    always @* begin
        case (q_err)
            `SGDMA_FETCH_SGINT: q_kind = `SGDMA_KIND_SGINT;
            `SGDMA_FETCH_SGSLV: q_kind = `SGDMA_KIND_SGSLV;
            `SGDMA_FETCH_SGDEC: q_kind = `SGDMA_KIND_SGDEC;
            default:            q_kind = `SGDMA_KIND_INT;      // zero length
        endcase
    end
    wire nd_bl_le_al = nd_bl <= {{(BLW-9){1'b0}}, nd_al};
    wire rd_bl_gt_mb = rd_bl > {{(BLW-9){1'b0}}, MB};

    // R side
    wire                  rs_valid;
    wire [DATA_WIDTH-1:0] rs_data;
    wire [1:0]            rs_resp;
    wire                  rs_last;
    wire                  rs_empty_unused;
    wire                  rb_rd;       // a beat leaves the read-data buffer

    always @(posedge clk) begin
        if (rst) begin
            nd_valid  <= 1'b0;
            nd_desc   <= {ADDR_WIDTH{1'b0}};
            nd_buf    <= {ADDR_WIDTH{1'b0}};
            nd_len    <= {LEN_WIDTH{1'b0}};
            nd_eof    <= 1'b0;
            nd_bl     <= {BLW{1'b0}};
            nd_al     <= 9'd0;
            nd_bad    <= 1'b0;
            nd_kind   <= 3'd0;
            rd_valid  <= 1'b0;
            rd_addr   <= {ADDR_WIDTH{1'b0}};
            rd_bl     <= {BLW{1'b0}};
            rd_pl     <= 9'd0;
            rd_last   <= 1'b0;
            rd_plan   <= 1'b0;
            err_taken <= 1'b0;
            rx_err    <= 1'b0;
            r_err_resp <= 2'b00;
            room      <= RB_DEPTH;
            out_cnt   <= 5'd0;
            out_full  <= 1'b0;
        end else begin
            if (q_pop) begin
                nd_valid <= 1'b1;
                nd_desc  <= q_desc;
                nd_buf   <= q_buf;
                nd_len   <= q_len;
                nd_eof   <= q_eof;
                nd_bl    <= q_span[LB +: BLW];
                nd_al    <= MB - q_bidx;
                nd_bad   <= (q_err != 2'd0) || (q_len == {LEN_WIDTH{1'b0}});
                nd_kind  <= q_kind;
            end else if (take_nd) begin
                nd_valid <= 1'b0;
            end
            if (take_nd && nd_bad)
                err_taken <= 1'b1;

            // the issuer: a descriptor's first burst runs to the first burst boundary; each
            // later one is planned in the clock after its predecessor leaves
            if (load_rd) begin
                rd_valid <= 1'b1;
                rd_addr  <= {nd_buf[ADDR_WIDTH-1:LB], {LB{1'b0}}};
                rd_bl    <= nd_bl;
                rd_pl    <= nd_bl_le_al ? nd_bl[8:0] : nd_al;
                rd_last  <= nd_bl_le_al;
                rd_plan  <= 1'b1;
            end else if (issue) begin
                rd_addr  <= rd_addr + ({{(ADDR_WIDTH-9){1'b0}}, rd_pl} << LB);
                rd_bl    <= rd_bl - {{(BLW-9){1'b0}}, rd_pl};
                rd_plan  <= 1'b0;
                if (rd_last)
                    rd_valid <= 1'b0;
            end else if (rd_valid && !rd_plan) begin
                rd_pl    <= rd_bl_gt_mb ? MB : rd_bl[8:0];
                rd_last  <= !rd_bl_gt_mb;
                rd_plan  <= 1'b1;
            end

            room <= room - (issue ? {{(CW-9){1'b0}}, rd_pl} : {CW{1'b0}}) + {{(CW-1){1'b0}}, rb_rd};
            case ({issue, rs_valid && rs_last})
                2'b10: begin out_cnt <= out_cnt + 5'd1; out_full <= (out_cnt == MAX_OUT - 5'd1); end
                2'b01: begin out_cnt <= out_cnt - 5'd1; out_full <= 1'b0; end
                default: ;
            endcase
            if (rs_valid && rs_resp[1] && !rx_err) begin
                rx_err     <= 1'b1;
                r_err_resp <= rs_resp;
            end
        end
    end

    // CURDESC follows the descriptor taken, a clock later (from flip-flops)
    reg                  cur_upd_r;
    reg [ADDR_WIDTH-1:0] cur_desc_r;
    always @(posedge clk) begin
        cur_upd_r  <= take_nd && !rst;
        cur_desc_r <= nd_desc;
    end
    assign cur_upd  = cur_upd_r;
    assign cur_desc = cur_desc_r;

    sgdma_skid #(.WIDTH(ADDR_WIDTH + 8)) u_ar_skid (
        .clk(clk), .rst(rst),
        .in_valid(issue), .in_data({rd_addr, rd_pl[7:0] - 8'd1}), .in_ready(ar_rdy),
        .out_valid(m_axi_mm2s_arvalid), .out_data({m_axi_mm2s_araddr, m_axi_mm2s_arlen}),
        .out_ready(m_axi_mm2s_arready), .empty(ar_empty)
    );

    // Commands to the stream side, one per descriptor taken (error entries included)
    wire cx_take;
    sgdma_fifo #(.WIDTH(CMW), .DEPTH_LOG2(CMD_LOG2)) u_cmd (
        .clk(clk), .rst(rst),
        .wr_en(take_nd), .din({nd_desc[ADDR_WIDTH-1:6], nd_len, nd_buf[LB-1:0], nd_eof, nd_bad, nd_kind}),
        .rd_en(!cmd_empty && (!cx_valid || cx_take)), .dout(cmd_head),
        .empty(cmd_empty), .full(cmd_full), .count(cmd_count_unused)
    );

    // ------------------------------------------------------------------ read data
    // RREADY is high out of reset: every beat has room reserved.
    sgdma_skid #(.WIDTH(DATA_WIDTH + 3)) u_r_skid (
        .clk(clk), .rst(rst),
        .in_valid(m_axi_mm2s_rvalid), .in_data({m_axi_mm2s_rdata, m_axi_mm2s_rresp, m_axi_mm2s_rlast}),
        .in_ready(m_axi_mm2s_rready),
        .out_valid(rs_valid), .out_data({rs_data, rs_resp, rs_last}),
        .out_ready(1'b1), .empty(rs_empty_unused)
    );

    // The buffer is read into its output register (ra: the block RAM's own read register),
    // then into rb, so stage 1 starts from an ordinary flip-flop.
    (* ram_style = "block" *)
    reg [DATA_WIDTH:0]   rbuf [0:(1 << RBUF_LOG2) - 1];     // {failed, data}
    reg [RBUF_LOG2:0]    wp, rp;
    reg                  ra_valid;
    reg [DATA_WIDTH:0]   ra_q;
    reg                  rb_valid;
    reg [DATA_WIDTH-1:0] rb_data;
    reg                  rb_err;
    wire                 rb_take;
    wire                 ra_move = ra_valid && (!rb_valid || rb_take);
    assign rb_rd = (wp != rp) && (!ra_valid || ra_move);
    always @(posedge clk) begin
        if (rs_valid)
            rbuf[wp[RBUF_LOG2-1:0]] <= {rs_resp[1], rs_data};
        if (rb_rd)
            ra_q <= rbuf[rp[RBUF_LOG2-1:0]];
        if (ra_move)
            {rb_err, rb_data} <= ra_q;
    end
    always @(posedge clk) begin
        if (rst) begin
            wp       <= {(RBUF_LOG2+1){1'b0}};
            rp       <= {(RBUF_LOG2+1){1'b0}};
            ra_valid <= 1'b0;
            rb_valid <= 1'b0;
        end else begin
            if (rs_valid) wp <= wp + 1'b1;
            if (rb_rd)    rp <= rp + 1'b1;
            if (rb_rd)
                ra_valid <= 1'b1;
            else if (ra_move)
                ra_valid <= 1'b0;
            if (ra_move)
                rb_valid <= 1'b1;
            else if (rb_take)
                rb_valid <= 1'b0;
        end
    end

    // ------------------------------------------------------------------ command staging cx
    reg                  cx_valid;
    reg [DW-1:0]         cx_desc;
    reg [LEN_WIDTH-1:0]  cx_len;
    reg [LB-1:0]         cx_lane;      // first byte's memory lane
    reg                  cx_eof;
    reg                  cx_bad;
    reg [2:0]            cx_kind;
    reg [BLW-1:0]        cx_bl;        // memory beats
    reg [LB:0]           cx_nbf;       // bytes of the first beat (of several)
    reg [LB:0]           cx_nbl;       // bytes of the last beat (of several)
    wire [DW-1:0]        c_desc = cmd_head[CMW-1 -: DW];
    wire [LEN_WIDTH-1:0] c_len  = cmd_head[LB + 5 +: LEN_WIDTH];
    wire [LB-1:0]        c_lane = cmd_head[5 +: LB];
    wire [SPW-1:0]       c_span = {{(SPW-LEN_WIDTH){1'b0}}, c_len} + {{(SPW-LB){1'b0}}, c_lane} + DB_M1;
    wire [LB-1:0]        c_end  = c_lane + c_len[LB-1:0];   // lane after the last byte (0: DB)

    // ------------------------------------------------------------------ stage 1
    reg                  s_valid;
    reg [DW-1:0]         s_desc;
    reg [LEN_WIDTH-1:0]  s_len;
    reg [LEN_WIDTH-1:0]  s_done;       // bytes taken so far
    reg                  s_eof;
    reg                  s_first;      // the next beat is the buffer's first
    reg                  s_is1;        // the next beat is the buffer's last
    reg [BLW-1:0]        s_bl;         // beats left, the next one included
    reg [LB:0]           s_nbf, s_nbl, s_nbo;
    reg [LB-1:0]         s_rot;        // stream lane - memory lane (constant within a buffer)
    reg [LB-1:0]         fill;         // bytes of the open stream beat before the next beat's
    reg                  s_dead;       // an error entry was formed: take nothing more
    reg [7:0]            s_seq;        // entries formed

    // stage 2 registers
    reg                  p1_valid;
    reg [DATA_WIDTH-1:0] p1_data;      // the beat's bytes on their stream lanes
    reg [DB-1:0]         p1_cur;       // lanes they fill in the open beat
    reg [DB-1:0]         p1_carry;     // lanes they fill in the next beat
    reg [DB-1:0]         p1_keep;      // lanes of the open beat filled after it
    reg                  p1_wrap;      // the open beat is full
    reg                  p1_over;      // and bytes go on into the next beat
    reg                  p1_last;      // the packet ends with these bytes
    reg                  p1_end;       // an entry is pushed (cpl_din)
    reg                  p1_err;       // it is the failed read's
    reg [DATA_WIDTH-1:0] acc;          // the open beat's bytes
    reg                  flush_pend;   // the packet's last beat is in acc
    reg [DB-1:0]         flush_keep;
    reg                  cpl_room;
    reg [7:0]            dn;           // entries pushed
    reg [7:0]            r_err_seq;

    // The stream side sees stop a clock late (from a flip-flop: no path from stop to cpl_push).
    reg  stop_q;
    always @(posedge clk)
        stop_q <= stop && !rst;
    wire sk_rdy, sk_empty;
    wire p1_take = p1_valid && sk_rdy && !flush_pend && (!p1_end || cpl_room) && !stop_q;
    wire s1_free = !p1_valid || p1_take;
    assign rb_take  = s_valid && rb_valid && s1_free && !stop_q && !s_dead;
    wire s_next     = !s_valid || (rb_take && s_is1 && !rb_err);   // stage 1 may load a buffer
    wire load_s     = cx_valid && !cx_bad && s_next && !stop_q && !s_dead;
    wire bad_item   = cx_valid && cx_bad && !s_valid && s1_free && !stop_q && !s_dead;
    assign cx_take  = load_s || bad_item;

    wire [LB:0]   nb    = s_is1 ? (s_first ? s_nbo : s_nbl) : (s_first ? s_nbf : DB_L);
    wire [LB:0]   total = {1'b0, fill} + nb;
    wire [LB-1:0] fill_after = rb_take ? ((s_is1 && s_eof) ? {LB{1'b0}} : total[LB-1:0]) : fill;

    reg [DATA_WIDTH-1:0] rot_data;
    reg [DB-1:0]         cur_mask, carry_mask, keep_mask;
    reg [LB-1:0]         src;
    integer j;
    always @* begin
        for (j = 0; j < DB; j = j + 1) begin
            src = j[LB-1:0] - s_rot;
            rot_data[j*8 +: 8] = rb_data[{src, 3'b000} +: 8];
            cur_mask[j]   = (j >= fill) && (j < total);
            carry_mask[j] = (j + DB < total);
            keep_mask[j]  = (j < total);
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            cx_valid <= 1'b0;
            cx_desc  <= {DW{1'b0}};
            cx_len   <= {LEN_WIDTH{1'b0}};
            cx_lane  <= {LB{1'b0}};
            cx_eof   <= 1'b0;
            cx_bad   <= 1'b0;
            cx_kind  <= 3'd0;
            cx_bl    <= {BLW{1'b0}};
            cx_nbf   <= {(LB+1){1'b0}};
            cx_nbl   <= {(LB+1){1'b0}};
        end else if (!cmd_empty && (!cx_valid || cx_take)) begin
            cx_valid <= 1'b1;
            cx_desc  <= c_desc;
            cx_len   <= c_len;
            cx_lane  <= c_lane;
            cx_eof   <= cmd_head[4];
            cx_bad   <= cmd_head[3];
            cx_kind  <= cmd_head[2:0];
            cx_bl    <= c_span[LB +: BLW];
            cx_nbf   <= DB_L - {1'b0, c_lane};
            cx_nbl   <= (c_end == {LB{1'b0}}) ? DB_L : {1'b0, c_end};
        end else if (cx_take) begin
            cx_valid <= 1'b0;
        end
    end

    always @(posedge clk) begin
        if (rst) begin
            s_valid  <= 1'b0;
            s_desc   <= {DW{1'b0}};
            s_len    <= {LEN_WIDTH{1'b0}};
            s_done   <= {LEN_WIDTH{1'b0}};
            s_eof    <= 1'b0;
            s_first  <= 1'b0;
            s_is1    <= 1'b0;
            s_bl     <= {BLW{1'b0}};
            s_nbf    <= {(LB+1){1'b0}};
            s_nbl    <= {(LB+1){1'b0}};
            s_nbo    <= {(LB+1){1'b0}};
            s_rot    <= {LB{1'b0}};
            fill     <= {LB{1'b0}};
            s_dead   <= 1'b0;
            s_seq    <= 8'd0;
            p1_valid <= 1'b0;
            p1_data  <= {DATA_WIDTH{1'b0}};
            p1_cur   <= {DB{1'b0}};
            p1_carry <= {DB{1'b0}};
            p1_keep  <= {DB{1'b0}};
            p1_wrap  <= 1'b0;
            p1_over  <= 1'b0;
            p1_last  <= 1'b0;
            p1_end   <= 1'b0;
            p1_err   <= 1'b0;
            cpl_din  <= {CPL_WIDTH{1'b0}};
        end else begin
            fill <= fill_after;
            if (rb_take) begin
                s_done  <= s_done + {{(LEN_WIDTH-LB-1){1'b0}}, nb};
                s_bl    <= s_bl - 1'b1;
                s_is1   <= (s_bl == {{(BLW-2){1'b0}}, 2'd2});
                s_first <= 1'b0;
                if (s_is1 || rb_err)
                    s_valid <= 1'b0;
                if (rb_err)
                    s_dead <= 1'b1;
            end
            if (load_s) begin
                s_valid <= 1'b1;
                s_desc  <= cx_desc;
                s_len   <= cx_len;
                s_done  <= {LEN_WIDTH{1'b0}};
                s_eof   <= cx_eof;
                s_first <= 1'b1;
                s_is1   <= (cx_bl == {{(BLW-1){1'b0}}, 1'b1});
                s_bl    <= cx_bl;
                s_nbf   <= cx_nbf;
                s_nbl   <= cx_nbl;
                s_nbo   <= cx_len[LB:0];
                s_rot   <= fill_after - cx_lane;
            end
            if (bad_item)
                s_dead <= 1'b1;

            // what stage 2 gets: a beat's bytes, and with a buffer's last beat (or its failed
            // beat, or an error descriptor) the buffer's entry
            if (rb_take || bad_item) begin
                p1_valid <= 1'b1;
                p1_data  <= rot_data;
                p1_cur   <= (rb_take && !rb_err) ? cur_mask : {DB{1'b0}};
                p1_carry <= carry_mask;
                p1_keep  <= keep_mask;
                p1_wrap  <= rb_take && !rb_err && total[LB];
                p1_over  <= total > DB_L;
                p1_last  <= rb_take && !rb_err && s_is1 && s_eof;
                p1_end   <= bad_item || rb_err || s_is1;
                p1_err   <= rb_take && rb_err;
            end else if (p1_take) begin
                p1_valid <= 1'b0;
            end
            if (bad_item || (rb_take && (rb_err || s_is1))) begin
                s_seq   <= s_seq + 8'd1;
                cpl_din <= {CPL_WIDTH{1'b0}};
                cpl_din[`SGDMA_CPL_SEQ_LSB +: `SGDMA_CPL_SEQ_W]   <= s_seq + 8'd1;
                cpl_din[`SGDMA_CPL_KIND_LSB +: `SGDMA_CPL_KIND_W] <= bad_item ? cx_kind : `SGDMA_KIND_NORMAL;
                cpl_din[`SGDMA_CPL_DESC_LSB +: `SGDMA_CPL_DESC_W] <= bad_item ? cx_desc : s_desc;
                cpl_din[`SGDMA_CPL_LEN_LSB +: `SGDMA_CPL_LEN_W]   <= bad_item ? {LEN_WIDTH{1'b0}}
                                                                     : (rb_err ? s_done : s_len);
            end
        end
    end

    // ------------------------------------------------------------------ stage 2
    reg [DATA_WIDTH-1:0] merged;
    always @* begin
        for (j = 0; j < DB; j = j + 1)
            merged[j*8 +: 8] = p1_cur[j] ? p1_data[j*8 +: 8] : acc[j*8 +: 8];
    end
    wire flush_fire = flush_pend && sk_rdy && !stop_q;
    wire emit       = p1_take && (p1_wrap || p1_last);
    assign cpl_push = p1_take && p1_end;

    // Room for an entry pushed now, from a flip-flop: the count a clock ago, with a margin for
    // what that clock and this one may add.
    localparam [CPL_LOG2+1:0] CPL_MARGIN = 3, CPL_DEPTH = 1 << CPL_LOG2;
    always @(posedge clk)
        cpl_room <= !rst && ({1'b0, cpl_count} + CPL_MARGIN <= CPL_DEPTH);

    always @(posedge clk) begin
        if (rst) begin
            acc         <= {DATA_WIDTH{1'b0}};
            flush_pend  <= 1'b0;
            flush_keep  <= {DB{1'b0}};
            dn          <= 8'd0;
            r_err_valid <= 1'b0;
            r_err_seq   <= 8'd0;
        end else begin
            if (p1_take) begin
                acc <= p1_wrap ? p1_data : merged;
                if (p1_last && p1_over) begin
                    flush_pend <= 1'b1;
                    flush_keep <= p1_carry;
                end
            end
            if (flush_fire)
                flush_pend <= 1'b0;
            dn          <= r_seq_nx;
            r_err_valid <= r_err_nx;
            r_err_seq   <= r_err_seq_nx;
        end
    end
    assign r_seq_nx     = dn + {7'd0, cpl_push};
    assign r_err_nx     = r_err_valid || (cpl_push && p1_err);
    assign r_err_seq_nx = r_err_valid ? r_err_seq : dn + 8'd1;

    wire [DB-1:0] sk_keep = flush_pend ? flush_keep : (p1_wrap ? {DB{1'b1}} : p1_keep);
    wire          sk_last = flush_pend || (p1_last && !p1_over);
    sgdma_skid #(.WIDTH(DATA_WIDTH + DB + 1)) u_axis_skid (
        .clk(clk), .rst(rst),
        .in_valid(emit || flush_fire), .in_data({flush_pend ? acc : merged, sk_keep, sk_last}),
        .in_ready(sk_rdy),
        .out_valid(m_axis_mm2s_tvalid), .out_data({m_axis_mm2s_tdata, m_axis_mm2s_tkeep, m_axis_mm2s_tlast}),
        .out_ready(m_axis_mm2s_tready), .empty(sk_empty)
    );

    // A beat entering the stream skid this clock (possible in stop's first clock, before
    // stop_q) is in flight too: the channel flushes the clock after it sees quiet.
    assign quiet    = ar_empty && (out_cnt == 5'd0) && sk_empty && !emit && !flush_fire;
    assign has_desc = nd_valid || rd_valid || !cmd_empty || cx_valid || s_valid || p1_valid || flush_pend;

    wire unused_ok = &{1'b0, q_sof, m_axi_mm2s_rid, nd_desc[5:0], q_span[LB-1:0], c_span[LB-1:0], rs_empty_unused,
                       cmd_count_unused, rs_resp[0]};
endmodule
`default_nettype wire
