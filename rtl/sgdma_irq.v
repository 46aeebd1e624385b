// sgdma_irq: interrupt coalescer of the sgdma engine (PG021 IRQThreshold / IRQDelay).
// The coalescing counter starts at IRQ_THRESHOLD and counts completions down; reaching zero
// sets IOC_Irq and reloads it.  The delay timer runs while completions are pending (counted
// but not yet signalled) and restarts at every completion; after IRQ_DELAY x DELAY_UNIT clocks
// without a completion it sets Dly_Irq and reloads the counter.  Writing DMACR reloads the
// counter.  The interrupt output is the OR of the enabled status bits, plus the overrun bit.
`default_nettype none
module sgdma_irq #(
    parameter DELAY_UNIT = 125
) (
    input  wire       clk,
    input  wire       rst,
    input  wire       reload,        // DMACR written or soft reset
    input  wire       completion,
    input  wire       error,
    input  wire       overrun,
    input  wire [7:0] threshold,
    input  wire [7:0] delay,
    input  wire       ioc_en,
    input  wire       dly_en,
    input  wire       err_en,
    input  wire       ovr_en,
    input  wire       ioc_clr,
    input  wire       dly_clr,
    input  wire       err_clr,
    input  wire       ovr_clr,
    output reg        ioc_irq,
    output reg        dly_irq,
    output reg        err_irq,
    output reg        ovr_irq,
    output reg  [7:0] count,         // completions still needed for the next IOC interrupt
    output reg  [7:0] delay_count,   // DELAY_UNIT periods elapsed with completions pending
    output reg        introut
);
    localparam PW = (DELAY_UNIT > 1) ? $clog2(DELAY_UNIT) : 1;

    wire [7:0] thr     = (threshold == 8'd0) ? 8'd1 : threshold;
    reg        pending;
    reg [7:0]  dc_p1, dc_p2, dc_p3;  // delay_count + 1, + 2 and + 3, kept beside it
    reg [PW-1:0] prescale;
    // The compares are flip-flops, formed a clock ahead from the counters' next values: the
    // hits below are small functions of flip-flops.  (A DMACR write, the only way to change
    // the delay, reloads the timer a clock after the delay register takes its new value, so the
    // compares with the delay, registered too, never go stale.)
    reg        unit_tick;          // prescale == DELAY_UNIT - 1
    reg        dly_due;            // dc_p1 == delay, delay != 0
    reg        due2;               // dc_p2 == delay
    reg        cnt_is1;            // count == 1
    reg        delay_nz, delay_is1, delay_is2;
    wire       ioc_hit   = completion && cnt_is1;
    wire       dly_hit   = pending && !completion && unit_tick && dly_due;
    wire       restart   = completion || !pending || reload || (unit_tick && dly_due);  // the delay timer
    wire       cnt_load  = reload || ioc_hit || dly_hit;

    localparam [PW-1:0] TICK_AT = DELAY_UNIT[PW-1:0] - 1'b1;
    wire       tick_first = (TICK_AT == {PW{1'b0}});          // DELAY_UNIT = 1: every clock
    wire       tick_next  = (restart || unit_tick) ? tick_first : (prescale == TICK_AT - 1'b1);
    wire       due_next   = delay_nz && (restart ? delay_is1 : (unit_tick ? due2 : dly_due));
    wire       due2_next  = restart ? delay_is2 : (unit_tick ? (dc_p3 == delay) : due2);
    wire       is1_next   = cnt_load ? (thr == 8'd1) : (completion ? (count == 8'd2) : cnt_is1);

    always @(posedge clk) begin
        delay_nz  <= (delay != 8'd0);
        delay_is1 <= (delay == 8'd1);
        delay_is2 <= (delay == 8'd2);
    end

    always @(posedge clk) begin
        if (rst) begin
            ioc_irq     <= 1'b0;
            dly_irq     <= 1'b0;
            err_irq     <= 1'b0;
            ovr_irq     <= 1'b0;
            count       <= 8'd1;
            cnt_is1     <= 1'b1;
            delay_count <= 8'd0;
            dc_p1       <= 8'd1;
            dc_p2       <= 8'd2;
            dc_p3       <= 8'd3;
            pending     <= 1'b0;
            prescale    <= {PW{1'b0}};
            unit_tick   <= tick_first;
            dly_due     <= (delay == 8'd1);
            due2        <= (delay == 8'd2);
            introut     <= 1'b0;
        end else begin
            cnt_is1   <= is1_next;
            unit_tick <= tick_next;
            dly_due   <= due_next;
            due2      <= due2_next;
            if (cnt_load) begin
                count   <= thr;
                pending <= 1'b0;
            end else if (completion) begin
                count   <= count - 8'd1;
                pending <= 1'b1;
            end

            if (restart) begin
                prescale    <= {PW{1'b0}};
                delay_count <= 8'd0;
                dc_p1       <= 8'd1;
                dc_p2       <= 8'd2;
                dc_p3       <= 8'd3;
            end else if (unit_tick) begin
                prescale    <= {PW{1'b0}};
                delay_count <= dc_p1;
                dc_p1       <= dc_p2;
                dc_p2       <= dc_p3;
                dc_p3       <= dc_p3 + 8'd1;
            end else begin
                prescale    <= prescale + 1'b1;
            end

            if (ioc_hit)      ioc_irq <= 1'b1;
            else if (ioc_clr) ioc_irq <= 1'b0;
            if (dly_hit)      dly_irq <= 1'b1;
            else if (dly_clr) dly_irq <= 1'b0;
            if (error)        err_irq <= 1'b1;
            else if (err_clr) err_irq <= 1'b0;
            if (overrun)      ovr_irq <= 1'b1;
            else if (ovr_clr) ovr_irq <= 1'b0;

            introut <= (ioc_irq && ioc_en) || (dly_irq && dly_en) ||
                       (err_irq && err_en) || (ovr_irq && ovr_en);
        end
    end
endmodule
`default_nettype wire
