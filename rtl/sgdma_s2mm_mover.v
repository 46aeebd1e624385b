// sgdma_s2mm_mover: stream-to-memory data mover of the sgdma engine.
// Takes descriptors from the fetcher's queue and writes the AXI4-Stream bytes into each buffer
// over m_axi_s2mm.  Any buffer address and length: a byte rotator realigns stream lanes to
// memory lanes and the strobes cover partial first and last beats; bytes that spill into the
// next memory beat wait in a carry register.
//
// Two stages with a segment skid buffer between them (no combinational path from an input
// port to an output port):
//   cutter (byte counts only):
//     s_axis ──► input skid (tready is a flip-flop) ──► holding register ib
//     queue  ──► staging register nd (beat count of the buffer precomputed) ──► current c
//     ib + c ──► take = min(bytes in ib, bytes left in the buffer) ──► segment skid S
//               (the stream beat, how many of its bytes, whether the buffer or the packet
//               ends with them, whether they fill or overflow the current memory beat; the
//               cutter counts memory lanes for that)
//   placer (lanes, bursts, completions):
//     each descriptor the cutter takes leaves its placement (address, rotation, burst plan,
//     stream position) in the next-descriptor register pn; the placer's current descriptor
//     p loads from it when the previous one is finished;
//     S + p ──► rotate, merge ──► W register slice ──► m_axi_s2mm W;
//     first beat of a burst ──► AW register slice ──► m_axi_s2mm AW
//     (forward register slices: valid and data are flip-flops, WREADY/AWREADY reach the
//     placer's decision in the same clock, never an output port)
// The cutter fills S while the placer empties it; segments wait in S while the placer is
// stalled (W or AW slice full, burst limit, flush or pad beat), and the cutter sees S's room
// as a flip-flop.  Latency: a stream beat reaches W three clocks after it is accepted.
// Bursts are INCR, aligned to MAX_BURST_LEN-beat boundaries (so never across 4 KB), and end at
// the buffer's last beat; the length of a burst that would open at the current beat is kept in
// a register, updated one beat ahead.  A burst's AW enters its slice with the burst's first W
// beat; at most MAX_OUTSTANDING bursts wait for B.  If a packet ends before the planned end of
// its burst, the rest of that burst is sent with WSTRB=0.
// Ordering contract with the status writer: each descriptor the placer finishes or abandons,
// and each error entry, becomes one completion entry, in descriptor order, carrying the
// sequence number of its last burst; the status writer waits for that burst's B response
// (b_seq) before writing STATUS back.  A stop abandons the placer's descriptor (a PARTIAL
// entry); descriptors the cutter took but the placer had not started give no entry (a flush
// follows every stop).
// With no usable descriptor the stream is stalled (tready low) or, under the DROP policy,
// discarded and counted.
`default_nettype none
`include "sgdma_defs.vh"
module sgdma_s2mm_mover #(
    parameter DATA_WIDTH      = 64,
    parameter ADDR_WIDTH      = 32,
    parameter LEN_WIDTH       = 26,
    parameter MAX_BURST_LEN   = 16,
    parameter MAX_OUTSTANDING = 4,
    parameter CPL_LOG2        = 2,
    parameter CPL_WIDTH       = `SGDMA_CPL_WIDTH
) (
    input  wire                    clk,
    input  wire                    rst,          // hard reset or flush of the data path
    input  wire                    hard_rst,     // hard reset only: clears the stream position
    input  wire                    run,          // may take descriptors and stream data
    input  wire                    stop,         // abandon the current descriptor, finish open bursts
    input  wire                    policy_drop,
    input  wire                    starved,      // the fetcher has nothing and may fetch nothing more
    input  wire [3:0]              cache,

    // Descriptor queue
    input  wire                    q_valid,
    input  wire [ADDR_WIDTH-1:0]   q_desc,
    input  wire [ADDR_WIDTH-1:0]   q_buf,
    input  wire [LEN_WIDTH-1:0]    q_len,
    input  wire [1:0]              q_err,
    input  wire                    q_zlen,       // q_len is zero
    output wire                    q_pop,

    // AXI4-Stream input
    input  wire [DATA_WIDTH-1:0]   s_axis_s2mm_tdata,
    input  wire [DATA_WIDTH/8-1:0] s_axis_s2mm_tkeep,
    input  wire                    s_axis_s2mm_tlast,
    input  wire                    s_axis_s2mm_tvalid,
    output wire                    s_axis_s2mm_tready,

    // AXI4 write master
    output wire [ADDR_WIDTH-1:0]   m_axi_s2mm_awaddr,
    output wire [7:0]              m_axi_s2mm_awlen,
    output wire [2:0]              m_axi_s2mm_awsize,
    output wire [1:0]              m_axi_s2mm_awburst,
    output wire [3:0]              m_axi_s2mm_awcache,
    output wire [2:0]              m_axi_s2mm_awprot,
    output wire                    m_axi_s2mm_awvalid,
    input  wire                    m_axi_s2mm_awready,
    output wire [DATA_WIDTH-1:0]   m_axi_s2mm_wdata,
    output wire [DATA_WIDTH/8-1:0] m_axi_s2mm_wstrb,
    output wire                    m_axi_s2mm_wlast,
    output wire                    m_axi_s2mm_wvalid,
    input  wire                    m_axi_s2mm_wready,
    input  wire [1:0]              m_axi_s2mm_bresp,
    input  wire                    m_axi_s2mm_bvalid,
    output wire                    m_axi_s2mm_bready,

    // Completion entries to the status writer
    output reg                     cpl_push,
    output reg  [CPL_WIDTH-1:0]    cpl_din,
    input  wire [CPL_LOG2:0]       cpl_count,
    output reg                     b_err_valid,  // a data write was refused (sticky until a flush)
    output reg  [1:0]              b_err_resp,
    output wire [7:0]              b_seq_nx,     // data bursts acknowledged, this clock's B included
    output wire                    b_err_nx,     // b_err_valid, this clock's B included
    output wire [7:0]              b_err_seq_nx, // number of the first refused burst, this clock's B included

    output wire                    cur_upd,      // a descriptor was taken: CURDESC follows it
    output wire [ADDR_WIDTH-1:0]   cur_desc,
    output wire                    quiet,        // nothing open or outstanding on m_axi_s2mm
    output wire                    has_desc,
    output wire                    drop_fire,
    output wire [$clog2(DATA_WIDTH/8):0] drop_bytes,
    output wire                    drop_pkt,
    output wire                    ovr_event     // first drop of an overrun episode
);
    localparam DB  = DATA_WIDTH / 8;
    localparam LB  = $clog2(DB);
    // beats of one buffer (a partial first and last beat included), at least 10 bits so that
    // MAX_BURST_LEN + 1 fits
    localparam BLW = (LEN_WIDTH - LB + 1 > 10) ? LEN_WIDTH - LB + 1 : 10;
    localparam SPW = LB + BLW;
    localparam [8:0] MB      = MAX_BURST_LEN[8:0];
    localparam [8:0] MB_M1   = MB - 9'd1;
    localparam [4:0] MAX_OUT = MAX_OUTSTANDING[4:0];
    localparam [LB:0] DB_L   = DB[LB:0];
    // x <= y (LE_TAB) and x < y (LT_TAB) of two LB-bit numbers, as tables indexed by {x, y}
    function [DB*DB-1:0] cmp_table(input integer strict);
        integer x, y;
        begin
            cmp_table = {(DB*DB){1'b0}};
            for (x = 0; x < DB; x = x + 1)
                for (y = 0; y < DB; y = y + 1)
                    cmp_table[x*DB+y] = (strict != 0) ? (x < y) : (x <= y);
        end
    endfunction
    localparam [DB*DB-1:0] LE_TAB = cmp_table(0), LT_TAB = cmp_table(1);
    localparam [SPW-1:0] DB_M1 = DB[SPW-1:0] - 1'b1;
    localparam [LEN_WIDTH:0] DB_P1 = DB[LEN_WIDTH:0] + 1'b1;
    integer j;

    assign m_axi_s2mm_awsize  = LB[2:0];
    assign m_axi_s2mm_awburst = 2'b01;
    assign m_axi_s2mm_awcache = cache;
    assign m_axi_s2mm_awprot  = 3'b000;
    assign m_axi_s2mm_bready  = 1'b1;

    // ================================================================== cutter
    // input skid and holding register
    reg                  in_rdy;       // the skid register is free (registered tready)
    reg                  sk_valid;
    reg [DATA_WIDTH-1:0] sk_data;
    reg [LB:0]           sk_nb;
    reg                  sk_last;
    reg                  ib_valid;
    reg [DATA_WIDTH-1:0] ib_data;
    reg [LB:0]           ib_avail;     // bytes of ib not yet taken (lanes ib_ls..)
    reg                  ib_full;      // ib_avail == DB
    reg                  sk_full;      // sk_nb == DB
    reg                  ib_last;
    reg [LB-1:0]         ib_ls;        // first lane not yet taken

    // staging register: the next descriptor, its beat count precomputed
    reg                  nd_valid;
    reg [ADDR_WIDTH-1:0] nd_desc;
    reg [ADDR_WIDTH-1:0] nd_buf;
    reg [LEN_WIDTH-1:0]  nd_len;
    reg [LEN_WIDTH:0]    nd_lenm;      // len - DB - 1 (sign bit set when len <= DB)
    reg [BLW-1:0]        nd_bl;        // memory beats the buffer touches
    reg [8:0]            nd_al;        // beats from the buffer's first beat to a burst boundary
    reg                  nd_bad;       // error entry: fetch error or zero length
    reg [1:0]            nd_err;

    // the cutter's current descriptor: bytes left
    reg                  c_valid;
    reg [LEN_WIDTH-1:0]  c_rem;        // bytes of the buffer not yet taken
    reg [LEN_WIDTH:0]    c_remm;       // c_rem - DB - 1
    reg [LB-1:0]         c_lane;       // memory lane the next byte taken goes to

    reg                  pkt_start;    // the next stream byte starts a packet
    reg                  drop_counted; // the current packet already counted as dropped
    reg                  err_pushed;   // an error entry was handed on: take nothing more
    reg [31:0]           rx_pos;       // stream bytes taken or dropped so far (mod 2**32)
    reg                  in_overrun;   // dropping since the last descriptor was taken

    // segment (cutter -> placer), through a skid buffer (its ready is a flip-flop)
    wire                 s_valid;
    wire [DATA_WIDTH-1:0] s_data;      // the stream beat (its bytes in stream lanes)
    wire [LB:0]          s_nb;         // bytes of the segment
    wire                 s_end_pkt;    // the packet ends with it (and so does the buffer)
    wire                 s_end;        // the buffer ends with it (full, or its packet ended)
    // whether it fills the current memory beat (wraps) or spills into the next one (overflow),
    // worked out by the cutter from its own count of memory lanes
    wire                 s_wraps, s_overflow;
    wire                 s_rdy, s_empty;

    // next descriptor for the placer (cutter -> placer)
    reg                  pn_valid;
    reg                  pn_bad;       // an error entry, not a buffer
    reg [1:0]            pn_err;
    reg [ADDR_WIDTH-1:0] pn_desc;
    reg [ADDR_WIDTH-1:0] pn_addr;
    reg [LB-1:0]         pn_rot;
    reg [BLW-1:0]        pn_bl;
    reg                  pn_bl_gt_mb;
    reg [8:0]            pn_pl_len;
    reg                  pn_sof;
    reg [31:0]           pn_pos;

    // ================================================================== placer
    reg                  p_valid;
    reg [ADDR_WIDTH-1:0] p_desc;
    reg [ADDR_WIDTH-1:0] p_addr;       // address of the next byte to place
    reg [LEN_WIDTH-1:0]  p_done;       // bytes of the buffer placed so far
    reg                  p_sof;
    reg [31:0]           p_pos;        // stream position of the buffer's first byte
    reg [LB-1:0]         rot;          // memory lane - stream lane (constant within a descriptor)
    reg [BLW-1:0]        bl;           // beats left, the current one included
    reg                  bl_gt_mb;     // bl > MAX_BURST_LEN
    reg [8:0]            pl_len;       // length of a burst opening at the current beat
    reg [DATA_WIDTH-1:0] out_data;     // bytes of the current memory beat below p_addr's lane
    reg [DB-1:0]         out_strb;
    reg                  flush_pend;   // the carry beat is the descriptor's last beat
    reg                  flush_eof;

    reg                  pad_mode;     // finishing a burst with null beats
    reg                  in_burst;     // a burst is open (burst_rem != 0)
    reg [8:0]            burst_rem;    // beats left in the open burst
    reg                  br_is1;       // burst_rem == 1
    reg [7:0]            aw_seq;       // bursts issued (mod 256)
    reg [7:0]            aw_seq_p1;
    reg [7:0]            b_seq;        // bursts acknowledged (mod 256)
    reg [7:0]            b_err_seq;    // number of the first refused burst
    reg [4:0]            out_cnt;      // bursts issued and not yet acknowledged
    reg                  out_full;     // out_cnt == MAX_OUTSTANDING
    reg                  out_zero;     // out_cnt == 0

    // output skids
    wire w_rdy, aw_rdy, w_empty, aw_empty;

    // ------------------------------------------------------------------ cutter: the take
    wire          rem_small = c_remm[LEN_WIDTH];                   // c_rem <= DB
    wire [LB:0]   rem_low  = c_rem[LB:0];
    // rem_low <= ib_avail and rem_low < ib_avail where the rest is small (rem_low <= DB):
    // with a whole beat held they follow from one bit; otherwise both are below DB and the
    // compare takes their low bits only
    wire [2*LB-1:0] cmp_idx = {rem_low[LB-1:0], ib_avail[LB-1:0]};
    wire          r_le_a   = ib_full || (!rem_low[LB] && LE_TAB[cmp_idx]);
    wire          r_lt_a   = ib_full ? !rem_low[LB] : (!rem_low[LB] && LT_TAB[cmp_idx]);
    wire          take_rem = rem_small && r_le_a;                  // the buffer ends in this beat
    wire [LB:0]   take     = take_rem ? rem_low : ib_avail;
    wire [LEN_WIDTH-1:0] rem_minus_a  = c_rem - {{(LEN_WIDTH-LB-1){1'b0}}, ib_avail};
    wire [LEN_WIDTH:0]   remm_minus_a = c_remm - {{(LEN_WIDTH-LB){1'b0}}, ib_avail};
    wire          end_pkt  = ib_last && !(rem_small && r_lt_a);
    // Lane sums of both candidates (the whole beat, the rest of the buffer) from flip-flops.
    // The take is min(rest, beat) when the rest is small, so "lane sum of the take > x" is
    // "lane sum of the beat > x, and (the rest is not small, or lane sum of the rest > x)":
    // no select by the compare of the two.
    wire [LB:0]   fill_a   = {1'b0, c_lane} + ib_avail;
    wire [LB:0]   fill_r   = {1'b0, c_lane} + rem_low;
    wire [LB-1:0] fill_t   = take_rem ? fill_r[LB-1:0] : fill_a[LB-1:0];   // lane after the take
    wire          t_overflow = (fill_a > DB_L) && (!rem_small || (fill_r > DB_L));
    wire          t_wraps    = fill_a[LB] && (!rem_small || fill_r[LB]);

    // the placer takes the segment this clock (defined below)
    wire s_pop;
    // (kept as nets of their own: each feeds many flip-flop enables, and synthesis otherwise
    // folds the terms into every one of them)
    (* keep *) wire cut_fire = c_valid && ib_valid && run && !stop && s_rdy;
    // the buffer ends in this beat, or its packet does (take_rem || end_pkt: a packet that
    // ends with the beat while the rest of the buffer does not fit in it ends the buffer too)
    (* keep *) wire cut_ends = ib_last || take_rem;
    wire cut_end   = cut_fire && cut_ends;
    (* keep *) wire c_free = !c_valid || cut_end;
    // Room for the entry of a descriptor taken now, from a flip-flop: the count a clock ago,
    // with a margin for what is on its way: one entry pushed in that clock, the descriptors
    // in the placer and its next-descriptor register, and the one taken now.
    localparam [CPL_LOG2+1:0] CPL_MARGIN = 4, CPL_DEPTH = 1 << CPL_LOG2;
    reg cpl_room;
    always @(posedge clk)
        cpl_room <= !rst && ({1'b0, cpl_count} + CPL_MARGIN <= CPL_DEPTH);
    // a descriptor is taken only when the placer's next-descriptor register is free
    (* keep *) wire take_nd = run && !stop && nd_valid && !err_pushed && cpl_room && !pn_valid;
    wire load_err  = take_nd && nd_bad && !c_valid;
    (* keep *) wire load_desc = take_nd && !nd_bad && c_free;
    // The staging register refills in the clock after it empties (q_pop depends on flip-flops only).
    assign q_pop   = run && !stop && q_valid && !nd_valid;

    wire consumed   = (cut_fire && !(rem_small && r_lt_a)) || drop_fire;
    wire pkt_ends   = (cut_fire && end_pkt) || (drop_fire && ib_last);
    wire s_fire     = s_axis_s2mm_tvalid && s_axis_s2mm_tready;
    assign s_axis_s2mm_tready = in_rdy && run && !stop;

    assign drop_fire  = run && !stop && policy_drop && starved && !q_valid && !nd_valid && !c_valid && ib_valid;
    assign drop_bytes = ib_avail;
    assign drop_pkt   = drop_fire && !drop_counted;
    assign ovr_event  = drop_fire && !in_overrun;

    reg [LB:0] keep_bytes;
    always @* begin
        keep_bytes = {(LB+1){1'b0}};
        for (j = 0; j < DB; j = j + 1)
            if (s_axis_s2mm_tkeep[j])
                keep_bytes = j[LB:0] + 1'b1;
    end
    wire [LB:0] in_nb = s_axis_s2mm_tlast ? keep_bytes : DB_L;
    wire        in_full = !s_axis_s2mm_tlast || s_axis_s2mm_tkeep[DB-1];   // in_nb == DB
    // bytes held in the holding and skid registers (counted as consumed by a flush)
    wire [LB+1:0] held_bytes = {1'b0, ib_valid ? ib_avail : {(LB+1){1'b0}}} + {1'b0, sk_valid ? sk_nb : {(LB+1){1'b0}}};

    // both candidate sums are formed from flip-flops; the take only selects
    wire [31:0] rx_plus_a   = rx_pos + {{(31-LB){1'b0}}, ib_avail};
    wire [31:0] rx_plus_r   = rx_pos + {{(31-LB){1'b0}}, rem_low};
    wire [31:0] rx_pos_next = (cut_fire && take_rem) ? rx_plus_r : ((cut_fire || drop_fire) ? rx_plus_a : rx_pos);
    // (a take is empty only when the beat is: the rest of a buffer is never zero)
    wire pkt_start_next = pkt_ends ? 1'b1 : ((cut_fire && ib_avail != 0) || drop_fire) ? 1'b0 : pkt_start;

    // the staging register's precomputation from the queue head
    wire [8:0]     q_bidx = q_buf[LB +: 9] & MB_M1;
    wire [SPW-1:0] q_span = {{(SPW-LEN_WIDTH){1'b0}}, q_len} + {{(SPW-LB){1'b0}}, q_buf[LB-1:0]} + DB_M1;
    // at a load, from the staging register
    wire           nd_bl_lt_al = nd_bl < {{(BLW-9){1'b0}}, nd_al};
    // the lane the descriptor's first byte comes from
    // (a buffer that ends inside the beat took the rest of the buffer: the next starts after it)
    wire           ends_inside = cut_fire && rem_small && r_lt_a;
    wire [LB-1:0]  rot_keep   = nd_buf[LB-1:0] - ib_ls;
    wire [LB-1:0]  rot_inside = nd_buf[LB-1:0] - ib_ls - rem_low[LB-1:0];
    wire [LB-1:0]  rot_first  = ends_inside ? rot_inside : (cut_end ? nd_buf[LB-1:0] : rot_keep);

    // CURDESC follows the descriptor taken, a clock later: a take sets pn_valid (it is taken
    // only while pn_valid is low) and pn_desc holds the descriptor's address from then on
    reg pn_valid_d;
    always @(posedge clk)
        pn_valid_d <= pn_valid && !rst;
    assign cur_upd  = pn_valid && !pn_valid_d;
    assign cur_desc = pn_desc;

    // ------------------------------------------------------------------ placer: placement
    wire          overflow = s_overflow;
    wire          wraps  = s_wraps;                                   // the memory beat is full
    wire          emit   = wraps || s_end;
    wire [ADDR_WIDTH-LB-1:0] addr_hi_p1 = p_addr[ADDR_WIDTH-1:LB] + 1'b1;

    // memory lane j takes stream lane j - rot: the beat rotated up by rot lanes, in LB
    // stages of 2**k lanes each
    wire [DATA_WIDTH-1:0] rot_stage [0:LB];
    assign rot_stage[0] = s_data;
    genvar g;
    generate
        for (g = 0; g < LB; g = g + 1) begin : g_rot
            localparam SH = 8 << g;
            assign rot_stage[g+1] = rot[g] ? {rot_stage[g][DATA_WIDTH-SH-1:0], rot_stage[g][DATA_WIDTH-1:DATA_WIDTH-SH]}
                                           : rot_stage[g];
        end
    endgenerate
    wire [DATA_WIDTH-1:0] rot_data = rot_stage[LB];
    // the lanes the segment fills in the current memory beat and in the next one, from the
    // placer's lane and the segment's byte count (flip-flops)
    wire [LB-1:0] mlane = p_addr[LB-1:0];
    wire [LB:0]   fill  = {1'b0, mlane} + s_nb;
    reg [DB-1:0]  cur_mask, carry_mask, ge_mlane;
    always @* begin
        for (j = 0; j < DB; j = j + 1) begin
            ge_mlane[j]   = (j >= mlane);
            cur_mask[j]   = ge_mlane[j] && (j < fill);
            carry_mask[j] = (j + DB < fill);
        end
    end
    // Lanes at or above the placement lane take the rotated beat: those the segment does not
    // fill are overwritten by the next one, or go out with their strobe low.
    reg [DATA_WIDTH-1:0] merged;
    always @* begin
        for (j = 0; j < DB; j = j + 1)
            merged[j*8 +: 8] = ge_mlane[j] ? rot_data[j*8 +: 8] : out_data[j*8 +: 8];
    end

    // Every condition below is a flip-flop or a small function of flip-flops: a segment is
    // placed only when the W skid has room and, outside an open burst, the AW skid too.
    wire can_aw     = aw_rdy && !out_full;
    wire burst_ok   = in_burst || can_aw;
    wire pad_fire   = pad_mode && w_rdy;
    wire flush_fire = !pad_mode && p_valid && flush_pend && !stop && w_rdy && burst_ok;
    wire data_fire  = !pad_mode && p_valid && !flush_pend && s_valid && !stop && run && w_rdy && burst_ok;
    assign s_pop    = data_fire;
    wire data_emit  = data_fire && emit;
    wire beat_fire  = pad_fire || flush_fire || data_emit;
    wire open_burst = (flush_fire || data_emit) && !in_burst;
    wire wlast_now  = in_burst ? br_is1 : (pl_len == 9'd1);
    wire step       = data_fire && wraps;                 // the placement moves to the next beat

    wire data_end   = data_fire && s_end && !overflow;
    wire abort      = stop && p_valid;
    wire desc_end   = data_end || flush_fire;
    wire p_free     = !p_valid || desc_end;
    wire p_load     = run && !stop && pn_valid && !pn_bad && p_free;
    wire p_load_err = run && !stop && pn_valid && pn_bad && !p_valid;

    wire [7:0] aw_seq_next = open_burst ? aw_seq_p1 : aw_seq;
    wire [LEN_WIDTH-1:0] done_plus = p_done + {{(LEN_WIDTH-LB-1){1'b0}}, s_nb};

    always @* begin
        cpl_push = desc_end || abort || p_load_err;
        cpl_din  = {CPL_WIDTH{1'b0}};
        cpl_din[`SGDMA_CPL_SEQ_LSB +: `SGDMA_CPL_SEQ_W] = aw_seq_next;
        if (p_load_err) begin
            case (pn_err)
                `SGDMA_FETCH_SGINT: cpl_din[`SGDMA_CPL_KIND_LSB +: `SGDMA_CPL_KIND_W] = `SGDMA_KIND_SGINT;
                `SGDMA_FETCH_SGSLV: cpl_din[`SGDMA_CPL_KIND_LSB +: `SGDMA_CPL_KIND_W] = `SGDMA_KIND_SGSLV;
                `SGDMA_FETCH_SGDEC: cpl_din[`SGDMA_CPL_KIND_LSB +: `SGDMA_CPL_KIND_W] = `SGDMA_KIND_SGDEC;
                default:            cpl_din[`SGDMA_CPL_KIND_LSB +: `SGDMA_CPL_KIND_W] = `SGDMA_KIND_INT;
            endcase
            cpl_din[`SGDMA_CPL_DESC_LSB +: `SGDMA_CPL_DESC_W] = pn_desc[ADDR_WIDTH-1:6];
            cpl_din[`SGDMA_CPL_POS_LSB +: `SGDMA_CPL_POS_W]   = pn_pos;
        end else begin
            cpl_din[`SGDMA_CPL_KIND_LSB +: `SGDMA_CPL_KIND_W] = abort ? `SGDMA_KIND_PARTIAL : `SGDMA_KIND_NORMAL;
            cpl_din[`SGDMA_CPL_SOF_LSB]                       = p_sof;
            cpl_din[`SGDMA_CPL_EOF_LSB]                       = data_end ? s_end_pkt : flush_eof;
            cpl_din[`SGDMA_CPL_LEN_LSB +: `SGDMA_CPL_LEN_W]   = data_end ? done_plus : p_done;
            cpl_din[`SGDMA_CPL_DESC_LSB +: `SGDMA_CPL_DESC_W] = p_desc[ADDR_WIDTH-1:6];
            cpl_din[`SGDMA_CPL_POS_LSB +: `SGDMA_CPL_POS_W]   = p_pos;
        end
    end

    // ------------------------------------------------------------------ registers
    always @(posedge clk) begin
        if (rst) begin
            in_rdy       <= 1'b1;
            sk_valid     <= 1'b0;
            sk_data      <= {DATA_WIDTH{1'b0}};
            sk_nb        <= {(LB+1){1'b0}};
            sk_last      <= 1'b0;
            ib_valid     <= 1'b0;
            ib_data      <= {DATA_WIDTH{1'b0}};
            ib_avail     <= {(LB+1){1'b0}};
            ib_full      <= 1'b0;
            sk_full      <= 1'b0;
            ib_last      <= 1'b0;
            ib_ls        <= {LB{1'b0}};
            nd_valid     <= 1'b0;
            nd_desc      <= {ADDR_WIDTH{1'b0}};
            nd_buf       <= {ADDR_WIDTH{1'b0}};
            nd_len       <= {LEN_WIDTH{1'b0}};
            nd_lenm      <= {(LEN_WIDTH+1){1'b0}};
            nd_bl        <= {BLW{1'b0}};
            nd_al        <= 9'd0;
            nd_bad       <= 1'b0;
            nd_err       <= 2'd0;
            c_valid      <= 1'b0;
            c_rem        <= {LEN_WIDTH{1'b0}};
            c_remm       <= {(LEN_WIDTH+1){1'b0}};
            c_lane       <= {LB{1'b0}};
            pkt_start    <= 1'b1;
            drop_counted <= 1'b0;
            err_pushed   <= 1'b0;
            // The stream position survives a flush (halt, error, soft reset); bytes discarded
            // from the holding and skid registers count as consumed, so APP0 of the next buffer
            // still gives its exact stream position and the gap is what was lost.  (Bytes in
            // the segment skid and the placer were counted when they were taken.)
            rx_pos       <= hard_rst ? 32'd0 : rx_pos + {{(30-LB){1'b0}}, held_bytes};
            in_overrun   <= 1'b0;
            pn_valid     <= 1'b0;
            pn_bad       <= 1'b0;
            pn_err       <= 2'd0;
            pn_desc      <= {ADDR_WIDTH{1'b0}};
            pn_addr      <= {ADDR_WIDTH{1'b0}};
            pn_rot       <= {LB{1'b0}};
            pn_bl        <= {BLW{1'b0}};
            pn_bl_gt_mb  <= 1'b0;
            pn_pl_len    <= 9'd0;
            pn_sof       <= 1'b0;
            pn_pos       <= 32'd0;
            p_valid      <= 1'b0;
            p_desc       <= {ADDR_WIDTH{1'b0}};
            p_addr       <= {ADDR_WIDTH{1'b0}};
            p_done       <= {LEN_WIDTH{1'b0}};
            p_sof        <= 1'b0;
            p_pos        <= 32'd0;
            rot          <= {LB{1'b0}};
            bl           <= {BLW{1'b0}};
            bl_gt_mb     <= 1'b0;
            pl_len       <= 9'd0;
            out_data     <= {DATA_WIDTH{1'b0}};
            out_strb     <= {DB{1'b0}};
            flush_pend   <= 1'b0;
            flush_eof    <= 1'b0;
            pad_mode     <= 1'b0;
            in_burst     <= 1'b0;
            burst_rem    <= 9'd0;
            br_is1       <= 1'b0;
            aw_seq       <= 8'd0;
            aw_seq_p1    <= 8'd1;
            out_cnt      <= 5'd0;
            out_full     <= 1'b0;
            out_zero     <= 1'b1;
            b_seq        <= 8'd0;
            b_err_valid  <= 1'b0;
            b_err_resp   <= 2'b00;
            b_err_seq    <= 8'd0;
        end else begin
            // ---------------------------------------------------------- cutter
            // input skid and holding register (a beat is always taken whole: consumed, or
            // partly taken when a buffer ends inside it)
            in_rdy <= consumed || (!sk_valid && (!ib_valid || !s_fire));
            if (in_rdy) begin
                if (consumed || !ib_valid) begin
                    ib_valid <= s_fire;
                    ib_data  <= s_axis_s2mm_tdata;
                    ib_avail <= in_nb;
                    ib_full  <= in_full;
                    ib_last  <= s_axis_s2mm_tlast;
                    ib_ls    <= {LB{1'b0}};
                end else begin
                    sk_valid <= s_fire;
                    sk_data  <= s_axis_s2mm_tdata;
                    sk_nb    <= in_nb;
                    sk_full  <= in_full;
                    sk_last  <= s_axis_s2mm_tlast;
                end
            end else if (consumed) begin
                ib_valid <= sk_valid;
                ib_data  <= sk_data;
                ib_avail <= sk_nb;
                ib_full  <= sk_full;
                ib_last  <= sk_last;
                ib_ls    <= {LB{1'b0}};
                sk_valid <= 1'b0;
            end
            if (cut_fire && !consumed) begin
                ib_ls    <= ib_ls + take[LB-1:0];
                ib_avail <= ib_avail - take;
                ib_full  <= 1'b0;          // a partial take leaves less than a beat
            end

            pkt_start <= pkt_start_next;
            rx_pos    <= rx_pos_next;
            if (load_desc)
                in_overrun <= 1'b0;
            else if (drop_fire)
                in_overrun <= 1'b1;
            if (pkt_ends)
                drop_counted <= 1'b0;
            else if (drop_fire)
                drop_counted <= 1'b1;

            // staging register
            if (q_pop) begin
                nd_valid <= 1'b1;
                nd_desc  <= q_desc;
                nd_buf   <= q_buf;
                nd_len   <= q_len;
                nd_lenm  <= {1'b0, q_len} - DB_P1;
                nd_bl    <= q_span[LB +: BLW];
                nd_al    <= MB - q_bidx;
                nd_bad   <= (q_err != 2'd0) || q_zlen;
                nd_err   <= q_err;
            end else if (load_err || load_desc) begin
                nd_valid <= 1'b0;
            end

            // the take.  While the cutter has no descriptor, and when its descriptor ends, its
            // counts follow the staging register: they are what a load takes (and are not used
            // otherwise), so the load is no select of them.
            if (c_free) begin
                c_rem  <= nd_len;
                c_remm <= nd_lenm;
                c_lane <= nd_buf[LB-1:0];
            end else if (cut_fire) begin
                c_rem  <= rem_minus_a;
                c_remm <= remm_minus_a;
                c_lane <= fill_t;
            end
            if (c_free)
                c_valid <= load_desc;
            if (load_err)
                err_pushed <= 1'b1;

            // the placement of a descriptor taken, for the placer: while the register is free
            // it follows the staging register (what a load takes), so the load only sets pn_valid
            if (!pn_valid) begin
                pn_bad      <= nd_bad;
                pn_err      <= nd_err;
                pn_desc     <= nd_desc;
                pn_addr     <= nd_buf;
                pn_rot      <= rot_first;
                pn_bl       <= nd_bl;
                pn_bl_gt_mb <= (nd_bl > {{(BLW-9){1'b0}}, MB});
                pn_pl_len   <= nd_bl_lt_al ? nd_bl[8:0] : nd_al;
                pn_sof      <= pkt_start_next;
                pn_pos      <= rx_pos_next;   // (an error entry takes no bytes: rx_pos)
            end
            if (load_desc || load_err)
                pn_valid <= 1'b1;
            else if (p_load || p_load_err)
                pn_valid <= 1'b0;

            // ---------------------------------------------------------- placer
            if (data_fire) begin
                // (the sums are formed from flip-flops)
                p_addr <= {wraps ? addr_hi_p1 : p_addr[ADDR_WIDTH-1:LB], fill[LB-1:0]};
                p_done <= done_plus;
                if (emit) begin
                    out_data <= rot_data;
                    out_strb <= carry_mask;
                    if (overflow && s_end) begin
                        flush_pend <= 1'b1;
                        flush_eof  <= s_end_pkt;
                    end
                end else begin
                    // (a segment that does not complete its memory beat is the first of a
                    // buffer: the lanes below it hold no bytes, so the rotated beat is all
                    // the register needs)
                    out_data <= rot_data;
                    out_strb <= out_strb | cur_mask;
                end
            end
            if (flush_fire) begin
                flush_pend <= 1'b0;
                out_strb   <= {DB{1'b0}};
            end
            // the burst plan, one beat ahead: the length of a burst opening at the next beat
            if (step) begin
                bl       <= bl - 1'b1;
                bl_gt_mb <= (bl > {{(BLW-9){1'b0}}, MB} + 1'b1);
                if (pl_len == 9'd1)         // a burst boundary: the next burst may be a full one
                    pl_len <= bl_gt_mb ? MB : (bl[8:0] - 9'd1);
                else
                    pl_len <= pl_len - 9'd1;
            end

            // descriptor life
            // (out_strb is empty after a descriptor's last beat or its flush beat; an abandoned
            // descriptor clears it, so a new descriptor starts with no strobes and no flush)
            if (abort)
                out_strb <= {DB{1'b0}};
            if (desc_end || abort) begin
                p_valid    <= 1'b0;
                flush_pend <= 1'b0;
                pad_mode   <= beat_fire ? !wlast_now : in_burst;
            end
            if (pad_fire && wlast_now)
                pad_mode <= 1'b0;
            if (p_load) begin
                p_valid  <= 1'b1;
                p_desc   <= pn_desc;
                p_addr   <= pn_addr;
                p_done   <= {LEN_WIDTH{1'b0}};
                p_sof    <= pn_sof;
                p_pos    <= pn_pos;
                rot      <= pn_rot;
                bl       <= pn_bl;
                bl_gt_mb <= pn_bl_gt_mb;
                pl_len   <= pn_pl_len;
            end

            // bursts
            // (a beat outside an open burst opens one: the selects are flip-flops)
            if (beat_fire) begin
                if (!in_burst) begin
                    burst_rem <= pl_len - 9'd1;
                    br_is1    <= (pl_len == 9'd2);
                    in_burst  <= (pl_len != 9'd1);
                end else begin
                    burst_rem <= burst_rem - 9'd1;
                    br_is1    <= (burst_rem == 9'd2);
                    in_burst  <= !br_is1;
                end
            end
            if (open_burst) begin
                aw_seq    <= aw_seq_p1;
                aw_seq_p1 <= aw_seq_p1 + 8'd1;
            end
            case ({open_burst, m_axi_s2mm_bvalid})
                2'b10: begin out_cnt <= out_cnt + 5'd1; out_full <= (out_cnt == MAX_OUT - 5'd1); out_zero <= 1'b0; end
                2'b01: begin out_cnt <= out_cnt - 5'd1; out_full <= 1'b0; out_zero <= (out_cnt == 5'd1); end
                default: ;
            endcase

            // write responses
            b_seq       <= b_seq_nx;
            b_err_valid <= b_err_nx;
            b_err_seq   <= b_err_seq_nx;
            if (m_axi_s2mm_bvalid && m_axi_s2mm_bresp[1] && !b_err_valid)
                b_err_resp <= m_axi_s2mm_bresp;
        end
    end

    // The B counts as they stand after this clock: the registers' next values, and what the
    // status writer compares its head entry with (so its registered checks are current).
    assign b_seq_nx     = b_seq + {7'd0, m_axi_s2mm_bvalid};
    assign b_err_nx     = b_err_valid || (m_axi_s2mm_bvalid && m_axi_s2mm_bresp[1]);
    assign b_err_seq_nx = b_err_valid ? b_err_seq : b_seq + 8'd1;

    sgdma_skid #(.WIDTH(DATA_WIDTH + LB + 5)) u_seg (
        .clk(clk), .rst(rst),
        .in_valid(cut_fire), .in_data({ib_data, take, end_pkt, take_rem || end_pkt, t_wraps, t_overflow}),
        .in_ready(s_rdy),
        .out_valid(s_valid), .out_data({s_data, s_nb, s_end_pkt, s_end, s_wraps, s_overflow}),
        .out_ready(s_pop), .empty(s_empty)
    );

    // ------------------------------------------------------------------ output skids
    // (a beat goes in as a pad beat only in pad mode, as a flush beat only with the flush
    // pending: the selects are flip-flops)
    wire [DB-1:0] w_strb_in = pad_mode ? {DB{1'b0}} : (flush_pend ? out_strb : (out_strb | cur_mask));
    sgdma_skid #(.WIDTH(DATA_WIDTH + DB + 1), .FORWARD(1)) u_w_skid (
        .clk(clk), .rst(rst),
        .in_valid(beat_fire), .in_data({merged, w_strb_in, wlast_now}), .in_ready(w_rdy),
        .out_valid(m_axi_s2mm_wvalid), .out_data({m_axi_s2mm_wdata, m_axi_s2mm_wstrb, m_axi_s2mm_wlast}),
        .out_ready(m_axi_s2mm_wready), .empty(w_empty)
    );
    wire [ADDR_WIDTH-1:0] beat_addr = {p_addr[ADDR_WIDTH-1:LB], {LB{1'b0}}};
    sgdma_skid #(.WIDTH(ADDR_WIDTH + 8), .FORWARD(1)) u_aw_skid (
        .clk(clk), .rst(rst),
        .in_valid(open_burst), .in_data({beat_addr, pl_len[7:0] - 8'd1}), .in_ready(aw_rdy),
        .out_valid(m_axi_s2mm_awvalid), .out_data({m_axi_s2mm_awaddr, m_axi_s2mm_awlen}),
        .out_ready(m_axi_s2mm_awready), .empty(aw_empty)
    );

    assign quiet    = aw_empty && w_empty && !pad_mode && !in_burst && out_zero;
    assign has_desc = nd_valid || c_valid || pn_valid || p_valid;

    wire unused_ok = &{1'b0, s_empty, p_desc[5:0], pn_desc[5:0], nd_desc[5:0], bl[BLW-1:9], q_span[LB-1:0],
                       aw_seq_p1[0]};
endmodule
`default_nettype wire
