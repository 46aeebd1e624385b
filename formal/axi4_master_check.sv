// axi4_master_check: AXI4 master-side rules for one port of the engine, with the slave side
// of the same port as assumptions.
//
// Asserted on the master (enabled by ASSERT):
//   - VALID held until READY, payload stable while a transfer is stalled (AW, W, AR)
//   - VALID low in the clock after a reset clock
//   - INCR bursts of the full data width, AxLEN+1 <= MAX_LEN (<= 256), aligned addresses,
//     no burst crossing a 4 KiB boundary
//   - WLAST on the beat AWLEN promised (so never more W beats than AW promised)
//   - outstanding bursts (AW accepted, B not yet received) <= MAX_OUT; likewise for reads
// Assumed of the slave:
//   - W accepted only for a burst whose AW has been accepted (a slave may wait for AW)
//   - B only for a burst whose W beats are all in; R only for an accepted AR, RLAST on its
//     last beat; B and R payload stable while stalled (when READY is not tied high)
//   - READY within STALL clocks of VALID (STALL = 0: no bound)
// Covered (COVER): a whole read, a whole write burst, a write response.
`default_nettype none
module axi4_master_check #(
    parameter ADDR_WIDTH = 32,
    parameter DATA_WIDTH = 32,
    parameter MAX_LEN    = 256,   // longest burst the master may issue, in beats
    parameter MAX_OUT    = 4,     // outstanding bursts per direction
    parameter STALL      = 0,     // slave READY bound in clocks (0: unbounded)
    parameter WRITE      = 1,     // the port has write channels
    parameter READ       = 1,     // the port has read channels
    parameter ASSERT     = 1,     // check the master (0: only the slave assumptions)
    parameter ASSERT_W   = 1,     // with ASSERT: the write channels' rules
    parameter ASSERT_R   = 1,     // with ASSERT: the read channels' rules
    parameter COVER      = 0,     // cover a whole read, a whole write burst and its response
    parameter BOOK_W     = 0,     // assert the write / read bookkeeping's own consistency
    parameter BOOK_R     = 0      // even without ASSERT (for invariants that read it)
) (
    input wire                    clk,
    input wire                    resetn,
    input wire [ADDR_WIDTH-1:0]   awaddr,
    input wire [7:0]              awlen,
    input wire [2:0]              awsize,
    input wire [1:0]              awburst,
    input wire                    awvalid,
    input wire                    awready,
    input wire [DATA_WIDTH-1:0]   wdata,
    input wire [DATA_WIDTH/8-1:0] wstrb,
    input wire                    wlast,
    input wire                    wvalid,
    input wire                    wready,
    input wire [1:0]              bresp,
    input wire                    bvalid,
    input wire                    bready,
    input wire [ADDR_WIDTH-1:0]   araddr,
    input wire [7:0]              arlen,
    input wire [2:0]              arsize,
    input wire [1:0]              arburst,
    input wire                    arvalid,
    input wire                    arready,
    input wire [DATA_WIDTH-1:0]   rdata,
    input wire [1:0]              rresp,
    input wire                    rlast,
    input wire                    rvalid,
    input wire                    rready,
    // the bookkeeping, for invariants that tie it to the master's own state
    output wire [4:0]             o_aw_wait,   // AW accepted, W beats not all in
    output wire [4:0]             o_b_wait,    // W beats all in, B not yet received
    output wire [8:0]             o_wbeat,     // W beats of the oldest open burst so far
    output wire [7:0]             o_cur_len,   // AWLEN of the oldest open burst
    output wire [7:0]             o_next_len,  // AWLEN of the burst after it
    output wire [4:0]             o_r_wait,    // AR accepted, RLAST not yet received
    output wire [8:0]             o_rbeat,     // R beats of the oldest read so far
    output wire [7:0]             o_rcur_len,  // ARLEN of the oldest read
    output wire [7:0]             o_rnext_len  // ARLEN of the read after it
);
    localparam [2:0] SIZE = $clog2(DATA_WIDTH / 8);
    localparam QD = 8;            // bursts the bookkeeping can track (> MAX_OUT)
    localparam CW = 5;

    reg f_past = 1'b0;
    always @(posedge clk) f_past <= 1'b1;
    always @(*) if (!f_past) assume (!resetn);

    wire aw_hs = awvalid && awready;
    wire w_hs  = wvalid && wready;
    wire b_hs  = bvalid && bready;
    wire ar_hs = arvalid && arready;
    wire r_hs  = rvalid && rready;

    // ---------------------------------------------------------------- write bookkeeping
    // aw_len_q: lengths of accepted bursts whose W beats are not all in (oldest at aw_rd)
    reg [7:0]    aw_len_q [0:QD-1];
    reg [2:0]    aw_rd, aw_wr;
    reg [CW-1:0] aw_wait;         // accepted AW, W not complete
    reg [CW-1:0] b_wait;          // W complete, B not yet received
    reg [8:0]    wbeat;           // beats of the current burst accepted so far
    wire [7:0]   cur_len = aw_len_q[aw_rd];
    wire         w_end   = w_hs && (wbeat == {1'b0, cur_len});

    always @(posedge clk) begin
        if (!resetn) begin
            aw_rd <= 3'd0; aw_wr <= 3'd0; aw_wait <= 0; b_wait <= 0; wbeat <= 9'd0;
        end else begin
            if (aw_hs) begin
                aw_len_q[aw_wr] <= awlen;
                aw_wr <= aw_wr + 3'd1;
            end
            if (w_hs)
                wbeat <= w_end ? 9'd0 : wbeat + 9'd1;
            if (w_end)
                aw_rd <= aw_rd + 3'd1;
            aw_wait <= aw_wait + {{(CW-1){1'b0}}, aw_hs} - {{(CW-1){1'b0}}, w_end};
            b_wait  <= b_wait + {{(CW-1){1'b0}}, w_end} - {{(CW-1){1'b0}}, b_hs};
        end
    end

    // ---------------------------------------------------------------- read bookkeeping
    reg [7:0]    ar_len_q [0:QD-1];
    reg [2:0]    ar_rd, ar_wr;
    reg [CW-1:0] r_wait;          // accepted AR, last R beat not yet received
    reg [8:0]    rbeat;
    wire [7:0]   rcur_len = ar_len_q[ar_rd];
    wire         r_end    = r_hs && rlast;

    always @(posedge clk) begin
        if (!resetn) begin
            ar_rd <= 3'd0; ar_wr <= 3'd0; r_wait <= 0; rbeat <= 9'd0;
        end else begin
            if (ar_hs) begin
                ar_len_q[ar_wr] <= arlen;
                ar_wr <= ar_wr + 3'd1;
            end
            if (r_hs)
                rbeat <= r_end ? 9'd0 : rbeat + 9'd1;
            if (r_end)
                ar_rd <= ar_rd + 3'd1;
            r_wait <= r_wait + {{(CW-1){1'b0}}, ar_hs} - {{(CW-1){1'b0}}, r_end};
        end
    end

    assign o_aw_wait   = aw_wait;
    assign o_b_wait    = b_wait;
    assign o_wbeat     = wbeat;
    assign o_cur_len   = cur_len;
    assign o_next_len  = aw_len_q[aw_rd + 3'd1];
    assign o_r_wait    = r_wait;
    assign o_rbeat     = rbeat;
    assign o_rcur_len  = rcur_len;
    assign o_rnext_len = ar_len_q[ar_rd + 3'd1];

    // ---------------------------------------------------------------- slave assumptions
    reg [3:0] aw_stall, w_stall, ar_stall;
    always @(posedge clk) begin
        aw_stall <= (!resetn || !awvalid || awready) ? 4'd0 : aw_stall + 4'd1;
        w_stall  <= (!resetn || !wvalid || wready || aw_wait == 0) ? 4'd0 : w_stall + 4'd1;
        ar_stall <= (!resetn || !arvalid || arready) ? 4'd0 : ar_stall + 4'd1;
    end

    always @(*) begin
        if (!resetn) begin
            assume (!bvalid);
            assume (!rvalid);
        end
        if (WRITE) begin
            assume (!wready || aw_wait != 0);
            assume (!bvalid || b_wait != 0);
            if (STALL != 0) begin
                assume (aw_stall < STALL);
                assume (w_stall < STALL);
            end
        end else begin
            assume (!bvalid);
        end
        if (READ) begin
            assume (!rvalid || r_wait != 0);
            assume (!rvalid || (rlast == (rbeat == {1'b0, rcur_len})));
            if (STALL != 0)
                assume (ar_stall < STALL);
        end else begin
            assume (!rvalid);
        end
    end

    always @(posedge clk) begin
        if (f_past && $past(resetn) && resetn) begin
            if ($past(bvalid && !bready))
                assume (bvalid && bresp == $past(bresp));
            if ($past(rvalid && !rready))
                assume (rvalid && rdata == $past(rdata) && rresp == $past(rresp) &&
                        rlast == $past(rlast));
        end
    end

    // ---------------------------------------------------------------- master rules
    wire [12:0] aw_end = {1'b0, awaddr[11:0]} + (({5'd0, awlen} + 13'd1) << SIZE);
    wire [12:0] ar_end = {1'b0, araddr[11:0]} + (({5'd0, arlen} + 13'd1) << SIZE);
    generate if (ASSERT) begin : g_assert
        always @(posedge clk) begin
            if (f_past && $past(!resetn)) begin
                if (ASSERT_W) assert (!awvalid);
                if (ASSERT_W) assert (!wvalid);
                if (ASSERT_R) assert (!arvalid);
            end
            if (f_past && $past(resetn)) begin
                if (ASSERT_W && $past(awvalid && !awready))
                    assert (awvalid && awaddr == $past(awaddr) && awlen == $past(awlen) &&
                            awsize == $past(awsize) && awburst == $past(awburst));
                if (ASSERT_W && $past(wvalid && !wready))
                    assert (wvalid && wdata == $past(wdata) && wstrb == $past(wstrb) &&
                            wlast == $past(wlast));
                if (ASSERT_R && $past(arvalid && !arready))
                    assert (arvalid && araddr == $past(araddr) && arlen == $past(arlen) &&
                            arsize == $past(arsize) && arburst == $past(arburst));
            end
        end
        always @(*) begin
            if (resetn && WRITE && ASSERT_W) begin
                if (awvalid) begin
                    assert (awburst == 2'b01);
                    assert (awsize == SIZE);
                    assert ({1'b0, awlen} < MAX_LEN);
                    assert ((awaddr & ((1 << SIZE) - 1)) == 0);
                    assert (aw_end <= 13'h1000);
                end
                if (w_hs)
                    assert (wlast == (wbeat == {1'b0, cur_len}));
                assert (aw_wait + b_wait <= MAX_OUT);
                // the bookkeeping's own consistency (helps induction)
                assert ({2'b0, aw_wr - aw_rd} == aw_wait);
                assert (wbeat <= {1'b0, cur_len});
                assert (aw_wait != 0 || wbeat == 9'd0);
            end
            if (resetn && READ && ASSERT_R) begin
                if (arvalid) begin
                    assert (arburst == 2'b01);
                    assert (arsize == SIZE);
                    assert ({1'b0, arlen} < MAX_LEN);
                    assert ((araddr & ((1 << SIZE) - 1)) == 0);
                    assert (ar_end <= 13'h1000);
                end
                assert (r_wait <= MAX_OUT);
                assert ({2'b0, ar_wr - ar_rd} == r_wait);
                assert (rbeat <= {1'b0, rcur_len});
                assert (r_wait != 0 || rbeat == 9'd0);
            end
        end
    end endgenerate

    generate if (!ASSERT) begin : g_book
        always @(*) begin
            if (resetn && WRITE && BOOK_W) begin
                assert ({2'b0, aw_wr - aw_rd} == aw_wait);
                assert (wbeat <= {1'b0, cur_len});
                assert (aw_wait != 0 || wbeat == 9'd0);
            end
            if (resetn && READ && BOOK_R) begin
                assert ({2'b0, ar_wr - ar_rd} == r_wait);
                assert (rbeat <= {1'b0, rcur_len});
                assert (r_wait != 0 || rbeat == 9'd0);
            end
        end
    end endgenerate

    // Reachability (the assumptions leave the engine room to work): a read's last beat, a
    // write burst's last W beat, a write response.
    generate if (COVER) begin : g_cover
        if (READ) begin : g_read
            always @(posedge clk)
                if (resetn) cover (r_end);
        end
        if (WRITE) begin : g_write
            always @(posedge clk)
                if (resetn) begin
                    cover (w_end);
                    cover (b_hs);
                end
        end
    end endgenerate
endmodule
`default_nettype wire
