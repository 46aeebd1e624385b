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
    reg [7:0]  dc_p1;              // delay_count + 1, kept beside it (no adder before the compare)
    reg [PW-1:0] prescale;
    wire       unit_tick = (prescale == DELAY_UNIT[PW-1:0] - 1'b1);
    wire       ioc_hit   = completion && (count == 8'd1);
    wire       dly_hit   = pending && !completion && (delay != 8'd0) && unit_tick &&
                           (dc_p1 == delay);

    always @(posedge clk) begin
        if (rst) begin
            ioc_irq     <= 1'b0;
            dly_irq     <= 1'b0;
            err_irq     <= 1'b0;
            ovr_irq     <= 1'b0;
            count       <= 8'd1;
            delay_count <= 8'd0;
            dc_p1       <= 8'd1;
            pending     <= 1'b0;
            prescale    <= {PW{1'b0}};
            introut     <= 1'b0;
        end else begin
            if (reload) begin
                count   <= thr;
                pending <= 1'b0;
            end else if (ioc_hit || dly_hit) begin
                count   <= thr;
                pending <= 1'b0;
            end else if (completion) begin
                count   <= count - 8'd1;
                pending <= 1'b1;
            end

            if (completion || !pending || reload || dly_hit) begin
                prescale    <= {PW{1'b0}};
                delay_count <= 8'd0;
                dc_p1       <= 8'd1;
            end else if (unit_tick) begin
                prescale    <= {PW{1'b0}};
                delay_count <= dc_p1;
                dc_p1       <= dc_p1 + 8'd1;
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
