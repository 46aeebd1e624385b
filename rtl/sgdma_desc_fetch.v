// sgdma_desc_fetch: descriptor fetcher of the sgdma engine.
// Reads descriptors (words 0x00-0x1C) over the m_axi_sg read channels and queues them for the
// data mover.  Up to two fetches are in flight: the next descriptor's read is issued as soon as
// the NXTDESC word of the current one arrives.  Tail mode stops after the descriptor at
// TAILDESC: it issues no read after the one at the current TAILDESC, a condition it compares
// continuously (last read issued against the register), so a doorbell in any clock, including
// the clock the old tail is issued and the first one after a reset, takes effect with the new
// value.  Cyclic mode follows NXTDESC forever.  With the ownership check (cyclic mode), a
// descriptor whose Cmplt bit is still set is not used: the fetcher waits for a doorbell
// (TAILDESC write) and reads it again.  A doorbell while Idle restarts fetching past the tail
// (PG021), so a repeated TAILDESC then means one more lap of the ring.  Fetch errors and
// Cmplt-set descriptors outside cyclic mode are queued as error entries, so that the
// descriptors before them complete first.  With FRAME_FLAGS (the MM2S channel's fetcher) the
// queue also carries CONTROL.TXSOF/TXEOF (q_sof/q_eof); without it those outputs are 0 and the
// queue is as wide as the register map's QUEUE entry.
`default_nettype none
`include "sgdma_defs.vh"
module sgdma_desc_fetch #(
    parameter ADDR_WIDTH    = 32,
    parameter SG_DATA_WIDTH = 64,
    parameter LEN_WIDTH     = 26,
    parameter QUEUE_LOG2    = 2,
    parameter FRAME_FLAGS   = 0       // 1: queue CONTROL.TXSOF/TXEOF too (MM2S)
) (
    input  wire                    clk,
    input  wire                    rst,
    input  wire                    enable,       // channel running (low while draining or halted)
    input  wire                    doorbell,     // TAILDESC written
    input  wire                    idle,         // DMASR.Idle: paused after the tail's completion
    input  wire [ADDR_WIDTH-1:0]   curdesc,
    input  wire [ADDR_WIDTH-1:0]   taildesc,
    input  wire                    cyclic,
    input  wire                    ownership,
    input  wire [3:0]              cache,
    input  wire                    retire,       // the oldest held descriptor was written back / released

    output reg  [ADDR_WIDTH-1:0]   m_axi_sg_araddr,
    output wire [7:0]              m_axi_sg_arlen,
    output wire [2:0]              m_axi_sg_arsize,
    output wire [1:0]              m_axi_sg_arburst,
    output wire [3:0]              m_axi_sg_arcache,
    output wire [2:0]              m_axi_sg_arprot,
    output reg                     m_axi_sg_arvalid,
    input  wire                    m_axi_sg_arready,
    input  wire [SG_DATA_WIDTH-1:0] m_axi_sg_rdata,
    input  wire [1:0]              m_axi_sg_rresp,
    input  wire                    m_axi_sg_rlast,
    input  wire                    m_axi_sg_rvalid,
    output wire                    m_axi_sg_rready,

    // Descriptor queue (show-ahead) to the data mover
    output wire                    q_valid,
    output wire [ADDR_WIDTH-1:0]   q_desc,
    output wire [ADDR_WIDTH-1:0]   q_buf,
    output wire [LEN_WIDTH-1:0]    q_len,
    output wire [1:0]              q_err,        // 0 none, 1 SG_INT, 2 SG_SLV, 3 SG_DEC
    output wire                    q_zlen,       // the buffer length is zero
    output wire                    q_sof,        // CONTROL.TXSOF (FRAME_FLAGS only, else 0)
    output wire                    q_eof,        // CONTROL.TXEOF (FRAME_FLAGS only, else 0)
    input  wire                    q_pop,

    output wire                    busy,         // a read is in flight
    output wire                    starved       // started, nothing in flight, and no right to fetch more
);
    localparam SGB    = SG_DATA_WIDTH / 8;
    localparam NBEATS = 32 / SGB;                 // beats for words 0x00-0x1C
    localparam W1BEAT = (SGB == 4) ? 1 : 0;       // beat that completes NXTDESC/NXTDESC_MSB
    localparam QW0    = `SGDMA_QUEUE_WIDTH;
    localparam QW     = QW0 + (FRAME_FLAGS ? 2 : 0);
    localparam [1:0] E_NONE = `SGDMA_FETCH_NONE, E_SGINT = `SGDMA_FETCH_SGINT,
                     E_SGSLV = `SGDMA_FETCH_SGSLV, E_SGDEC = `SGDMA_FETCH_SGDEC;

    assign m_axi_sg_arlen   = NBEATS[7:0] - 8'd1;
    assign m_axi_sg_arsize  = (SGB == 4) ? 3'd2 : 3'd3;
    assign m_axi_sg_arburst = 2'b01;
    assign m_axi_sg_arcache = cache;
    assign m_axi_sg_arprot  = 3'b000;
    assign m_axi_sg_rready  = 1'b1;

    // ------------------------------------------------------------------ fetch control state
    reg                  active;       // a doorbell started the chain
    reg                  stopped;      // an error entry was queued: fetch nothing more
    reg                  owner_wait;   // waiting for software to release a descriptor
    reg                  next_known;   // next_addr is valid and not yet requested
    reg                  restart;      // a doorbell came while Idle: fetch past TAILDESC once
    reg [ADDR_WIDTH-1:0] next_addr;

    // In-flight reads, oldest first (at most two).
    reg [1:0]            inflight;
    reg                  issue_d;      // a read was issued a clock ago (inflight and f0/f1 follow now)
    reg [ADDR_WIDTH-1:0] f0_addr, f1_addr;
    reg                  f0_squash, f1_squash;

    // Beat assembly of the oldest read
    reg [255:0]          words;
    reg [1:0]            rerr;

    wire [QUEUE_LOG2:0]  q_count;
    wire                 q_full_unused;
    wire                 q_empty;
    reg                  q_push;
    reg  [QW-1:0]        q_din;
    wire [QW-1:0]        q_dout;

    // Descriptors the engine holds (queued, being written, or awaiting write-back), oldest first.
    // A ring is walked in order, so the first descriptor a fetch could meet again is the oldest
    // one held (or the oldest read in flight); under the ownership check it is not read again
    // before its own write-back has landed.
    wire                  held_empty, held_full_unused;
    wire [4:0]            held_count_unused;
    wire [ADDR_WIDTH-7:0] held_head;
    // The first read of a chain issues in the clock after the doorbell, from next_addr (loaded
    // with CURDESC by the doorbell), like every later read.
    reg                   first_pend;
    wire [ADDR_WIDTH-1:0] issue_addr = next_addr;
    // oldest == next_addr, where the oldest is the oldest held descriptor (or, with none held,
    // the oldest read in flight), registered: formed from next_addr's next value when NXTDESC
    // arrives (the one load after which a read may issue in the very next clock).  The other
    // loads of next_addr are followed a clock late, harmlessly: CURDESC on the first doorbell
    // (nothing is held or in flight then), and the owned descriptor's own address (nothing is
    // issued before the next doorbell).  Both candidates are compared and registered, the
    // held queue's head in two halves, and the choice is made after the flip-flops.
    localparam OWN_HALF = (ADDR_WIDTH - 6) / 2;
    reg                   own_f0, own_eq_f0, own_eq_lo, own_eq_hi;
    wire                  own_eq = own_f0 ? own_eq_f0 : (own_eq_lo && own_eq_hi);
    wire own_block = cyclic && ownership && (!held_empty || inflight != 2'd0) && own_eq;
    wire issue_ok = enable && !stopped && !m_axi_sg_arvalid && (inflight != 2'd2) &&
                    ({1'b0, q_count} + {{(QUEUE_LOG2-1){1'b0}}, inflight} < (1 << QUEUE_LOG2));
    // Tail mode: the last read issued (m_axi_sg_araddr holds it) is the descriptor at TAILDESC.
    // The comparison with the register is made every clock and registered (tail_eq holds the
    // previous clock's answer), so it never goes stale by more than a clock: after a read is
    // issued nothing is issued until ARVALID has fallen (by which time tail_eq compares the new
    // address), and in the clock of a doorbell, the first in which TAILDESC has its new value,
    // nothing is issued past the tail.  As in PG021, a doorbell while the channel is Idle
    // restarts fetching even when it repeats the tail (the software handed back the whole ring:
    // one more lap up to the same descriptor); a doorbell while busy only repositions the pause
    // point.
    reg  tail_eq_lo, tail_eq_hi;   // the compare in two halves
    wire tail_eq = tail_eq_lo && tail_eq_hi;
    wire tail_issued = active && !cyclic && !restart && tail_eq;
    wire issue = issue_ok && !own_block && (first_pend ||
                              (active && next_known && !tail_issued && !doorbell && !owner_wait));

    // The R channel enters a register first (rready is always 1): the beat is decoded from
    // flip-flops a clock after it arrives.  The response code is decoded, the STATUS word's
    // Cmplt bit picked out and the beat counted on the way in.
    reg                     r_fire;
    reg [SG_DATA_WIDTH-1:0] r_data;
    reg [1:0]               beat_err;
    reg                     r_cmplt;
    always @(posedge clk) begin
        r_fire   <= m_axi_sg_rvalid && !rst;
        r_data   <= m_axi_sg_rdata;
        beat_err <= (m_axi_sg_rresp == 2'b10) ? E_SGSLV :
                    (m_axi_sg_rresp == 2'b11) ? E_SGDEC : E_NONE;
        r_cmplt  <= m_axi_sg_rdata[SG_DATA_WIDTH-32+`SGDMA_STATUS_CMPLT];
    end
    reg [2:0] in_beat;
    reg       r_last, r_w1;        // the registered beat is the read's last / the NXTDESC beat
    always @(posedge clk) begin
        if (rst) begin
            in_beat <= 3'd0;
            r_last  <= 1'b0;
            r_w1    <= 1'b0;
        end else begin
            r_last <= m_axi_sg_rvalid && (in_beat == NBEATS[2:0] - 3'd1);
            r_w1   <= m_axi_sg_rvalid && (in_beat == W1BEAT[2:0]);
            if (m_axi_sg_rvalid)
                in_beat <= (in_beat == NBEATS[2:0] - 3'd1) ? 3'd0 : in_beat + 3'd1;
        end
    end
    wire [255:0] words_next = {r_data, words[255:SG_DATA_WIDTH]};
    wire [1:0] err_acc  = (rerr != E_NONE) ? rerr : beat_err;

    // Fields of the completed read (valid on its last beat)
    wire [63:0] nxt64;
    generate
        if (SGB == 4) begin : g_nxt32
            assign nxt64 = {r_data, words[255:224]};
        end else begin : g_nxt64
            assign nxt64 = r_data;
        end
    endgenerate
    wire [63:0] buf64   = {words_next[127:96], words_next[95:64]};
    wire [31:0] ctrl_w  = words_next[223:192];
    wire [31:0] stat_w  = words_next[255:224];
    wire        cmplt   = r_cmplt;       // STATUS is the top word of the last beat
    wire        last_beat  = r_last;
    wire        word1_beat = r_w1;
    wire        nxt_load   = word1_beat && !f0_squash && beat_err == E_NONE && rerr == E_NONE;  // NXTDESC -> next_addr

    // Outcome of the oldest read at its last beat
    wire done_err   = last_beat && !f0_squash && (err_acc != E_NONE);
    wire done_sgint = last_beat && !f0_squash && (err_acc == E_NONE) && cmplt && !cyclic;
    wire done_owned = last_beat && !f0_squash && (err_acc == E_NONE) && cmplt && cyclic && ownership;
    wire squash_younger = done_err || done_sgint || done_owned;

    always @* begin
        q_push = last_beat && !f0_squash && !((err_acc == E_NONE) && cmplt && cyclic && ownership);
        q_din  = {QW{1'b0}};
        q_din[`SGDMA_QUEUE_ERR_LSB +: `SGDMA_QUEUE_ERR_W]   = done_err ? err_acc : (done_sgint ? E_SGINT : E_NONE);
        q_din[`SGDMA_QUEUE_LEN_LSB +: `SGDMA_QUEUE_LEN_W]   = ctrl_w[LEN_WIDTH-1:0];
        q_din[`SGDMA_QUEUE_ZLEN_LSB]                       = (ctrl_w[LEN_WIDTH-1:0] == {LEN_WIDTH{1'b0}});
        q_din[`SGDMA_QUEUE_BUF_LSB +: `SGDMA_QUEUE_BUF_W]   = buf64[ADDR_WIDTH-1:0];
        q_din[`SGDMA_QUEUE_DESC_LSB +: `SGDMA_QUEUE_DESC_W] = f0_addr[ADDR_WIDTH-1:6];
        if (FRAME_FLAGS)
            q_din[QW-1 -: 2] = {ctrl_w[`SGDMA_CONTROL_TXSOF], ctrl_w[`SGDMA_CONTROL_TXEOF]};
    end

    // next_addr (above its six low bits) as it stands in the next clock
    wire [ADDR_WIDTH-7:0] own_x = nxt_load ? nxt64[ADDR_WIDTH-1:6] : next_addr[ADDR_WIDTH-1:6];
    always @(posedge clk) begin
        tail_eq_lo <= (m_axi_sg_araddr[OWN_HALF+5:6] == taildesc[OWN_HALF+5:6]);
        tail_eq_hi <= (m_axi_sg_araddr[ADDR_WIDTH-1:OWN_HALF+6] == taildesc[ADDR_WIDTH-1:OWN_HALF+6]);
        own_f0     <= held_empty;
        own_eq_f0  <= (own_x == f0_addr[ADDR_WIDTH-1:6]);
        own_eq_lo  <= (own_x[OWN_HALF-1:0] == held_head[OWN_HALF-1:0]);
        own_eq_hi  <= (own_x[ADDR_WIDTH-7:OWN_HALF] == held_head[ADDR_WIDTH-7:OWN_HALF]);
    end

    always @(posedge clk) begin
        if (rst) begin
            active           <= 1'b0;
            first_pend       <= 1'b0;
            stopped          <= 1'b0;
            owner_wait       <= 1'b0;
            next_known       <= 1'b0;
            restart          <= 1'b0;
            next_addr        <= {ADDR_WIDTH{1'b0}};
            inflight         <= 2'd0;
            issue_d          <= 1'b0;
            f0_addr          <= {ADDR_WIDTH{1'b0}};
            f1_addr          <= {ADDR_WIDTH{1'b0}};
            f0_squash        <= 1'b0;
            f1_squash        <= 1'b0;
            words            <= 256'd0;
            rerr             <= E_NONE;
            m_axi_sg_arvalid <= 1'b0;
            m_axi_sg_araddr  <= {ADDR_WIDTH{1'b0}};
        end else begin
            if (m_axi_sg_arready)
                m_axi_sg_arvalid <= 1'b0;

            // Doorbell: start the chain, or re-read an owned descriptor.  (Going past the old
            // tail needs nothing here: tail_issued follows the TAILDESC register.)
            if (doorbell && enable) begin
                active      <= 1'b1;
                if (!active) begin
                    next_addr  <= curdesc;
                    next_known <= 1'b1;
                    first_pend <= 1'b1;
                end
                if (owner_wait) begin
                    owner_wait <= 1'b0;
                    next_known <= 1'b1;
                end
                if (active && idle)
                    restart <= 1'b1;
            end

            // Read beats of the oldest fetch
            if (r_fire) begin
                words <= words_next;
                rerr  <= err_acc;
                if (nxt_load) begin
                    next_addr  <= {nxt64[ADDR_WIDTH-1:6], 6'b0};
                    next_known <= 1'b1;
                end
                if (last_beat)
                    rerr <= E_NONE;
            end

            if (done_err || done_sgint)
                stopped <= 1'b1;
            if (done_owned) begin
                owner_wait <= 1'b1;
                next_addr  <= f0_addr;
                next_known <= 1'b0;
            end

            // In-flight bookkeeping, a clock after the issue, from the address register (issue and
            // retire may happen in the same cycle).  The lag is harmless: in the clock after an
            // issue ARVALID blocks the next one, and a read retires at the earliest two clocks
            // after its issue.
            issue_d <= issue;
            case ({issue_d, last_beat})
                2'b10: begin
                    if (inflight == 2'd0) begin
                        f0_addr <= m_axi_sg_araddr; f0_squash <= 1'b0;
                    end else begin
                        f1_addr <= m_axi_sg_araddr; f1_squash <= 1'b0;
                    end
                    inflight <= inflight + 2'd1;
                end
                2'b01: begin
                    f0_addr   <= f1_addr;
                    f0_squash <= f1_squash || squash_younger;
                    inflight  <= inflight - 2'd1;
                end
                2'b11: begin
                    // recording an issue needs fewer than two reads in flight and retiring at
                    // least one, so exactly one was in flight: the new read becomes the only one
                    f0_addr   <= m_axi_sg_araddr;
                    f0_squash <= squash_younger;
                end
                default: ;
            endcase

            if (issue) begin
                m_axi_sg_arvalid <= 1'b1;
                m_axi_sg_araddr  <= issue_addr;
                next_known       <= 1'b0;
                restart          <= 1'b0;
                first_pend       <= 1'b0;
            end
        end
    end

    sgdma_fifo #(.WIDTH(QW), .DEPTH_LOG2(QUEUE_LOG2)) u_queue (
        .clk(clk), .rst(rst),
        .wr_en(q_push), .din(q_din),
        .rd_en(q_pop), .dout(q_dout),
        .empty(q_empty), .full(q_full_unused), .count(q_count)
    );

    // A retirement leaves the held list a clock after the status writer reports it (from a
    // flip-flop); holding a descriptor a clock longer only delays a fetch that would reuse it.
    reg retire_q;
    always @(posedge clk)
        retire_q <= retire && !rst;
    sgdma_fifo #(.WIDTH(ADDR_WIDTH - 6), .DEPTH_LOG2(4)) u_held (
        .clk(clk), .rst(rst),
        .wr_en(q_push), .din(f0_addr[ADDR_WIDTH-1:6]),
        .rd_en(retire_q && !held_empty), .dout(held_head),
        .empty(held_empty), .full(held_full_unused), .count(held_count_unused)
    );

    assign q_valid = !q_empty;
    assign q_err   = q_dout[`SGDMA_QUEUE_ERR_LSB +: `SGDMA_QUEUE_ERR_W];
    assign q_len   = q_dout[`SGDMA_QUEUE_LEN_LSB +: `SGDMA_QUEUE_LEN_W];
    assign q_zlen  = q_dout[`SGDMA_QUEUE_ZLEN_LSB];
    assign q_buf   = q_dout[`SGDMA_QUEUE_BUF_LSB +: `SGDMA_QUEUE_BUF_W];
    assign q_desc  = {q_dout[`SGDMA_QUEUE_DESC_LSB +: `SGDMA_QUEUE_DESC_W], 6'b0};
    generate
        if (FRAME_FLAGS) begin : g_flags
            assign q_sof = q_dout[QW-1];
            assign q_eof = q_dout[QW-2];
        end else begin : g_no_flags
            assign q_sof = 1'b0;
            assign q_eof = 1'b0;
        end
    endgenerate

    assign busy    = m_axi_sg_arvalid || (inflight != 2'd0);
    // starved leaves from a flip-flop (it gates the mover's DROP path): a clock behind
    reg starved_r;
    always @(posedge clk)
        starved_r <= !rst && (!active || tail_issued || owner_wait || stopped) && !busy;
    assign starved = starved_r;

    wire unused_ok = &{1'b0, held_full_unused, held_count_unused, taildesc[5:0], words[63:0], m_axi_sg_rlast, q_full_unused, buf64, nxt64, ctrl_w, stat_w, words[191:128]};
endmodule
`default_nettype wire
