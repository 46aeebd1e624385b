// sgdma_s2mm_mover: stream-to-memory data mover of the sgdma engine.
// Takes descriptors from the fetcher's queue and writes the AXI4-Stream bytes into each buffer
// over m_axi_s2mm.  Any buffer address and length: a byte rotator realigns stream lanes to
// memory lanes and the strobes cover partial first and last beats; bytes that spill into the
// next memory beat wait in a carry register.  A burst's AW is issued with its first W beat
// (INCR, never across 4 KB, at most MAX_BURST_LEN beats, at most MAX_OUTSTANDING in flight);
// if a packet ends before a burst's planned end, the rest of that burst is sent with WSTRB=0.
// Each finished descriptor becomes a completion entry carrying the sequence number of its last
// burst; the status writer waits for that burst's B response before writing STATUS back.
// With no usable descriptor the stream is stalled (tready low) or, under the DROP policy,
// discarded and counted.
`default_nettype none
module sgdma_s2mm_mover #(
    parameter DATA_WIDTH      = 64,
    parameter ADDR_WIDTH      = 32,
    parameter LEN_WIDTH       = 26,
    parameter MAX_BURST_LEN   = 16,
    parameter MAX_OUTSTANDING = 4,
    parameter CPL_LOG2        = 2,
    parameter CPL_WIDTH       = 3 + 8 + 2 + LEN_WIDTH + ADDR_WIDTH - 6 + 32
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
    output wire                    q_pop,

    // AXI4-Stream input
    input  wire [DATA_WIDTH-1:0]   s_axis_s2mm_tdata,
    input  wire [DATA_WIDTH/8-1:0] s_axis_s2mm_tkeep,
    input  wire                    s_axis_s2mm_tlast,
    input  wire                    s_axis_s2mm_tvalid,
    output wire                    s_axis_s2mm_tready,

    // AXI4 write master
    output reg  [ADDR_WIDTH-1:0]   m_axi_s2mm_awaddr,
    output reg  [7:0]              m_axi_s2mm_awlen,
    output wire [2:0]              m_axi_s2mm_awsize,
    output wire [1:0]              m_axi_s2mm_awburst,
    output wire [3:0]              m_axi_s2mm_awcache,
    output wire [2:0]              m_axi_s2mm_awprot,
    output reg                     m_axi_s2mm_awvalid,
    input  wire                    m_axi_s2mm_awready,
    output reg  [DATA_WIDTH-1:0]   m_axi_s2mm_wdata,
    output reg  [DATA_WIDTH/8-1:0] m_axi_s2mm_wstrb,
    output reg                     m_axi_s2mm_wlast,
    output reg                     m_axi_s2mm_wvalid,
    input  wire                    m_axi_s2mm_wready,
    input  wire [1:0]              m_axi_s2mm_bresp,
    input  wire                    m_axi_s2mm_bvalid,
    output wire                    m_axi_s2mm_bready,

    // Completion entries to the status writer
    output reg                     cpl_push,
    output reg  [CPL_WIDTH-1:0]    cpl_din,
    input  wire [CPL_LOG2:0]       cpl_count,
    output reg  [7:0]              b_seq,
    output reg                     b_err_valid,
    output reg  [1:0]              b_err_resp,
    output reg  [7:0]              b_err_seq,

    output wire                    cur_upd,      // a descriptor was taken: CURDESC follows it
    output wire [ADDR_WIDTH-1:0]   cur_desc,
    output wire                    quiet,        // nothing open or outstanding on m_axi_s2mm
    output wire                    has_desc,
    output wire                    drop_fire,
    output wire [$clog2(DATA_WIDTH/8):0] drop_bytes,
    output wire                    drop_pkt,
    output wire                    ovr_event     // first drop of an overrun episode
);
    localparam DB = DATA_WIDTH / 8;
    localparam LB = $clog2(DB);
    localparam [2:0] K_NORMAL = 3'd0, K_PARTIAL = 3'd1, K_INT = 3'd2,
                     K_SGINT = 3'd3, K_SGSLV = 3'd4, K_SGDEC = 3'd5;

    assign m_axi_s2mm_awsize  = LB[2:0];
    assign m_axi_s2mm_awburst = 2'b01;
    assign m_axi_s2mm_awcache = cache;
    assign m_axi_s2mm_awprot  = 3'b000;
    assign m_axi_s2mm_bready  = 1'b1;

    // ------------------------------------------------------------------ state
    reg                  ib_valid;     // input beat holding register
    reg [DATA_WIDTH-1:0] ib_data;
    reg [LB:0]           ib_nb;        // valid bytes (lanes 0..ib_nb-1)
    reg                  ib_last;
    reg [LB-1:0]         ib_ls;        // first lane not yet taken

    reg                  cd_valid;     // current descriptor
    reg [ADDR_WIDTH-1:0] cd_desc;
    reg [ADDR_WIDTH-1:0] cd_addr;      // address of the next byte to place
    reg [LEN_WIDTH-1:0]  cd_rem;       // bytes of the buffer not yet taken
    reg [LEN_WIDTH-1:0]  cd_done;      // bytes of the buffer taken so far
    reg                  cd_sof;
    reg [DATA_WIDTH-1:0] out_data;     // bytes of the current memory beat below cd_addr's lane
    reg [DB-1:0]         out_strb;
    reg                  flush_pend;   // the carry beat is the descriptor's last beat
    reg                  flush_eof;

    reg                  pad_mode;     // finishing a burst with null beats
    reg [8:0]            burst_rem;    // beats left in the open burst
    reg [7:0]            aw_seq;       // bursts issued (mod 256)
    reg                  pkt_start;    // the next stream byte starts a packet
    reg                  drop_counted; // the current packet already counted as dropped
    reg                  err_pushed;   // an error entry was queued: take nothing more
    reg [31:0]           rx_pos;       // stream bytes taken or dropped so far (mod 2**32)
    reg [31:0]           cd_pos;       // stream position of the current descriptor's first byte
    reg                  in_overrun;   // dropping since the last descriptor was taken

    // ------------------------------------------------------------------ burst planning
    wire          w_free  = !m_axi_s2mm_wvalid || m_axi_s2mm_wready;
    wire          aw_free = !m_axi_s2mm_awvalid || m_axi_s2mm_awready;
    wire [7:0]    outstanding = aw_seq - b_seq;
    wire          can_aw  = aw_free && (outstanding < MAX_OUT);
    wire [LB-1:0] mlane   = cd_addr[LB-1:0];
    wire [ADDR_WIDTH-1:0] beat_addr = {cd_addr[ADDR_WIDTH-1:LB], {LB{1'b0}}};
    localparam [LEN_WIDTH:0] DB_M1 = DB[LEN_WIDTH:0] - 1'b1;
    localparam [7:0]         MAX_OUT = MAX_OUTSTANDING[7:0];
    wire [LEN_WIDTH:0]    span      = {1'b0, cd_rem} + {{(LEN_WIDTH+1-LB){1'b0}}, mlane} + DB_M1;
    wire [LEN_WIDTH:0]    beats_need = span >> LB;
    wire [12:0]           beats_4k   = (13'd4096 - {1'b0, beat_addr[11:0]}) >> LB;
    reg  [8:0]            burst_len;
    always @* begin
        burst_len = MAX_BURST_LEN[8:0];
        if (beats_need < {{(LEN_WIDTH-8){1'b0}}, burst_len})
            burst_len = beats_need[8:0];
        if (beats_4k < {4'd0, burst_len})
            burst_len = beats_4k[8:0];
    end
    wire burst_ok = (burst_rem != 9'd0) || can_aw;

    // ------------------------------------------------------------------ realignment
    wire [LB:0]   avail    = ib_nb - {1'b0, ib_ls};
    wire          rem_lt   = ({{(LEN_WIDTH-LB-1){1'b0}}, avail} > cd_rem);
    wire [LB:0]   take     = rem_lt ? cd_rem[LB:0] : avail;
    wire          end_desc = ({{(LEN_WIDTH-LB-1){1'b0}}, take} == cd_rem);
    wire          end_pkt  = ib_last && (take == avail);
    wire [LB:0]   fill     = {1'b0, mlane} + take;
    wire          overflow = fill > DB[LB:0];
    wire          emit     = fill[LB] || end_desc || end_pkt;
    wire [LB-1:0] rot      = mlane - ib_ls;

    reg [DATA_WIDTH-1:0] rot_data;
    reg [DB-1:0]         cur_mask, carry_mask;
    reg [LB-1:0]         src;
    integer j;
    always @* begin
        for (j = 0; j < DB; j = j + 1) begin
            src = j[LB-1:0] - rot;
            rot_data[j*8 +: 8] = ib_data[{src, 3'b000} +: 8];
            cur_mask[j]   = (j >= mlane) && (j < fill);
            carry_mask[j] = overflow && (j + DB < fill);
        end
    end
    reg [DATA_WIDTH-1:0] merged;
    always @* begin
        for (j = 0; j < DB; j = j + 1)
            merged[j*8 +: 8] = cur_mask[j] ? rot_data[j*8 +: 8] : out_data[j*8 +: 8];
    end

    // ------------------------------------------------------------------ what happens this cycle
    wire pad_fire   = pad_mode && w_free;
    wire flush_fire = !pad_mode && cd_valid && flush_pend && !stop && w_free && burst_ok;
    wire data_go    = !pad_mode && cd_valid && !flush_pend && ib_valid && !stop && run;
    wire data_fire  = data_go && (emit ? (w_free && burst_ok) : 1'b1);
    wire data_emit  = data_fire && emit;
    wire beat_fire  = pad_fire || flush_fire || data_emit;
    wire open_burst = (flush_fire || data_emit) && (burst_rem == 9'd0);
    wire [8:0] burst_rem_next = !beat_fire ? burst_rem :
                                open_burst ? burst_len - 9'd1 : burst_rem - 9'd1;
    wire wlast_now  = (burst_rem_next == 9'd0);

    wire data_end   = data_fire && (end_desc || end_pkt) && !overflow;
    wire abort      = stop && cd_valid;
    wire desc_end   = data_end || flush_fire;
    wire cd_free    = !cd_valid || desc_end;
    wire err_entry  = (q_err != 2'd0) || (q_len == {LEN_WIDTH{1'b0}});
    wire [CPL_LOG2:0] cpl_after = cpl_count + {{CPL_LOG2{1'b0}}, desc_end};
    wire cpl_room   = cpl_after < (1 << CPL_LOG2);
    wire take_q     = run && !stop && q_valid && !err_pushed && cpl_room;
    wire load_err   = take_q && err_entry && !cd_valid;
    wire load_desc  = take_q && !err_entry && cd_free;
    assign q_pop    = load_err || load_desc;

    wire consumed   = (data_fire && (take == avail)) || drop_fire;
    wire pkt_ends   = (data_fire && end_pkt) || (drop_fire && ib_last);
    assign s_axis_s2mm_tready = run && !stop && (!ib_valid || consumed);
    wire s_fire     = s_axis_s2mm_tvalid && s_axis_s2mm_tready;

    assign drop_fire  = run && !stop && policy_drop && starved && !q_valid && !cd_valid && ib_valid;
    assign drop_bytes = avail;
    assign drop_pkt   = drop_fire && !drop_counted;
    assign ovr_event  = drop_fire && !in_overrun;

    reg [LB:0] keep_bytes;
    always @* begin
        keep_bytes = {(LB+1){1'b0}};
        for (j = 0; j < DB; j = j + 1)
            if (s_axis_s2mm_tkeep[j])
                keep_bytes = j[LB:0] + 1'b1;
    end

    wire [7:0] aw_seq_next = aw_seq + {7'd0, open_burst};
    wire [LEN_WIDTH-1:0] done_len = cd_done + (data_end ? {{(LEN_WIDTH-LB-1){1'b0}}, take} : {LEN_WIDTH{1'b0}});
    // data_fire needs a descriptor and drop_fire needs none: one adder serves both
    wire [31:0] rx_pos_next = rx_pos + {{(31-LB){1'b0}},
                                        data_fire ? take : (drop_fire ? avail : {(LB+1){1'b0}})};
    wire pkt_start_next = pkt_ends ? 1'b1 : ((data_fire && take != 0) || drop_fire) ? 1'b0 : pkt_start;

    always @* begin
        cpl_push = desc_end || abort || load_err;
        cpl_din  = {K_NORMAL, aw_seq_next, cd_sof, data_end ? end_pkt : flush_eof, done_len,
                    cd_desc[ADDR_WIDTH-1:6], cd_pos};
        if (abort)
            cpl_din[CPL_WIDTH-1 -: 3] = K_PARTIAL;
        if (load_err) begin
            cpl_din = {K_INT, aw_seq_next, 2'b00, {LEN_WIDTH{1'b0}}, q_desc[ADDR_WIDTH-1:6], rx_pos};
            case (q_err)
                2'd1: cpl_din[CPL_WIDTH-1 -: 3] = K_SGINT;
                2'd2: cpl_din[CPL_WIDTH-1 -: 3] = K_SGSLV;
                2'd3: cpl_din[CPL_WIDTH-1 -: 3] = K_SGDEC;
                default: ;
            endcase
        end
    end

    assign cur_upd  = load_desc || load_err;
    assign cur_desc = q_desc;

    // ------------------------------------------------------------------ registers
    always @(posedge clk) begin
        if (rst) begin
            ib_valid     <= 1'b0;
            ib_data      <= {DATA_WIDTH{1'b0}};
            ib_nb        <= {(LB+1){1'b0}};
            ib_last      <= 1'b0;
            ib_ls        <= {LB{1'b0}};
            cd_valid     <= 1'b0;
            cd_desc      <= {ADDR_WIDTH{1'b0}};
            cd_addr      <= {ADDR_WIDTH{1'b0}};
            cd_rem       <= {LEN_WIDTH{1'b0}};
            cd_done      <= {LEN_WIDTH{1'b0}};
            cd_sof       <= 1'b0;
            out_data     <= {DATA_WIDTH{1'b0}};
            out_strb     <= {DB{1'b0}};
            flush_pend   <= 1'b0;
            flush_eof    <= 1'b0;
            pad_mode     <= 1'b0;
            burst_rem    <= 9'd0;
            aw_seq       <= 8'd0;
            b_seq        <= 8'd0;
            b_err_valid  <= 1'b0;
            b_err_resp   <= 2'b00;
            b_err_seq    <= 8'd0;
            pkt_start    <= 1'b1;
            drop_counted <= 1'b0;
            err_pushed   <= 1'b0;
            // The stream position survives a flush (halt, error, soft reset); bytes discarded
            // from the holding register count as consumed, so APP0 of the next buffer still
            // gives its exact stream position and the gap is what was lost.
            rx_pos       <= hard_rst ? 32'd0 : rx_pos + (ib_valid ? {{(31-LB){1'b0}}, avail} : 32'd0);
            cd_pos       <= 32'd0;
            in_overrun   <= 1'b0;
            m_axi_s2mm_awvalid <= 1'b0;
            m_axi_s2mm_awaddr  <= {ADDR_WIDTH{1'b0}};
            m_axi_s2mm_awlen   <= 8'd0;
            m_axi_s2mm_wvalid  <= 1'b0;
            m_axi_s2mm_wdata   <= {DATA_WIDTH{1'b0}};
            m_axi_s2mm_wstrb   <= {DB{1'b0}};
            m_axi_s2mm_wlast   <= 1'b0;
        end else begin
            // input holding register
            if (s_fire) begin
                ib_valid <= 1'b1;
                ib_data  <= s_axis_s2mm_tdata;
                ib_nb    <= s_axis_s2mm_tlast ? keep_bytes : DB[LB:0];
                ib_last  <= s_axis_s2mm_tlast;
                ib_ls    <= {LB{1'b0}};
            end else if (consumed) begin
                ib_valid <= 1'b0;
            end else if (data_fire) begin
                ib_ls <= ib_ls + take[LB-1:0];
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

            // data placement
            if (data_fire) begin
                cd_addr <= cd_addr + {{(ADDR_WIDTH-LB-1){1'b0}}, take};
                cd_rem  <= cd_rem - {{(LEN_WIDTH-LB-1){1'b0}}, take};
                cd_done <= cd_done + {{(LEN_WIDTH-LB-1){1'b0}}, take};
                if (emit) begin
                    out_data <= rot_data;
                    out_strb <= carry_mask;
                    if (overflow && (end_desc || end_pkt)) begin
                        flush_pend <= 1'b1;
                        flush_eof  <= end_pkt;
                    end
                end else begin
                    out_data <= merged;
                    out_strb <= out_strb | cur_mask;
                end
            end
            if (flush_fire) begin
                flush_pend <= 1'b0;
                out_strb   <= {DB{1'b0}};
            end

            // descriptor life
            if (desc_end || abort) begin
                cd_valid   <= 1'b0;
                flush_pend <= 1'b0;
                pad_mode   <= (burst_rem_next != 9'd0);
            end
            if (pad_fire && wlast_now)
                pad_mode <= 1'b0;
            if (load_desc) begin
                cd_valid   <= 1'b1;
                cd_desc    <= q_desc;
                cd_addr    <= q_buf;
                cd_rem     <= q_len;
                cd_done    <= {LEN_WIDTH{1'b0}};
                cd_sof     <= pkt_start_next;
                cd_pos     <= rx_pos_next;
                out_strb   <= {DB{1'b0}};
                flush_pend <= 1'b0;
            end
            if (load_err)
                err_pushed <= 1'b1;

            // AXI write address and data
            burst_rem <= burst_rem_next;
            aw_seq    <= aw_seq_next;
            if (open_burst) begin
                m_axi_s2mm_awvalid <= 1'b1;
                m_axi_s2mm_awaddr  <= beat_addr;
                m_axi_s2mm_awlen   <= burst_len[7:0] - 8'd1;
            end else if (m_axi_s2mm_awready) begin
                m_axi_s2mm_awvalid <= 1'b0;
            end
            if (beat_fire) begin
                m_axi_s2mm_wvalid <= 1'b1;
                m_axi_s2mm_wlast  <= wlast_now;
                if (pad_fire) begin
                    m_axi_s2mm_wdata <= {DATA_WIDTH{1'b0}};
                    m_axi_s2mm_wstrb <= {DB{1'b0}};
                end else if (flush_fire) begin
                    m_axi_s2mm_wdata <= out_data;
                    m_axi_s2mm_wstrb <= out_strb;
                end else begin
                    m_axi_s2mm_wdata <= merged;
                    m_axi_s2mm_wstrb <= out_strb | cur_mask;
                end
            end else if (m_axi_s2mm_wready) begin
                m_axi_s2mm_wvalid <= 1'b0;
            end

            // write responses
            if (m_axi_s2mm_bvalid) begin
                b_seq <= b_seq + 8'd1;
                if (m_axi_s2mm_bresp[1] && !b_err_valid) begin
                    b_err_valid <= 1'b1;
                    b_err_resp  <= m_axi_s2mm_bresp;
                    b_err_seq   <= b_seq + 8'd1;
                end
            end
        end
    end

    assign quiet    = !m_axi_s2mm_awvalid && !m_axi_s2mm_wvalid && !pad_mode &&
                      (burst_rem == 9'd0) && (aw_seq == b_seq);
    assign has_desc = cd_valid;

    wire unused_ok = &{1'b0, cd_desc[5:0]};
endmodule
`default_nettype wire
