// sgdma_chan_ctrl: the run/drain/halt state machine of one sgdma channel.
// Halted -> Run when RS is set, no error is recorded and no soft reset is under way; Run ->
// Drain on RS cleared, an error from the status writer or a reset request; Drain -> Halted once
// the channel's data path is quiet (nothing fetched, moving or being written back), with a
// one-clock flush of the data path.  A reset request (DMACR.Reset of either channel) is
// remembered while draining; when the channel halts, `soft_rst_done` pulses (the channel's part
// of the soft reset is finished) and the recorded errors clear.  In Halted a reset request
// flushes at once.
`default_nettype none
module sgdma_chan_ctrl (
    input  wire       clk,
    input  wire       rst,
    input  wire       rs,           // DMACR.RS
    input  wire       reset_req,    // a soft reset was requested (either channel)
    input  wire       hold_run,     // a soft reset is under way: do not start running
    input  wire       sw_err,       // the status writer raised an error
    input  wire [5:0] sw_err_bits,
    input  wire       quiet,        // the data path is quiet
    output wire       running,
    output wire       halted,
    output reg        flush,        // clears the data path
    output reg        resetting,    // a soft reset waits for the drain
    output reg        soft_rst_done,
    output reg  [5:0] err_bits,     // {sg_dec, sg_slv, sg_int, dma_dec, dma_slv, dma_int}
    output reg        stop_dp,      // = !running, a flip-flop of its own for the data path
    output wire       stop_nx       // stop_dp's next value (the next state is not Run)
);
    localparam [1:0] ST_HALTED = 2'd0, ST_RUN = 2'd1, ST_DRAIN = 2'd2;
    reg [1:0] state;
    assign running = (state == ST_RUN);
    assign halted  = (state == ST_HALTED);

    // Whether the next state is Run, so that stop_dp is a flip-flop equal to !running: the
    // data path's stop input (high fan-out, on the movers' critical paths) comes straight from
    // a register instead of through the state decode.  It is kept inverted so that synthesis
    // does not merge it with the state register's own decode.
    wire run_nx = (state == ST_HALTED) ? (!reset_req && rs && err_bits == 6'd0 && !hold_run) :
                  (state == ST_RUN)    ? !(reset_req || sw_err || !rs) : 1'b0;
    assign stop_nx = rst || !run_nx;

    always @(posedge clk) begin
        if (rst) begin
            state         <= ST_HALTED;
            resetting     <= 1'b0;
            err_bits      <= 6'd0;
            flush         <= 1'b1;
            soft_rst_done <= 1'b0;
            stop_dp       <= 1'b1;
        end else begin
            stop_dp       <= !run_nx;
            flush         <= 1'b0;
            soft_rst_done <= 1'b0;
            if (sw_err)
                err_bits <= err_bits | sw_err_bits;
            case (state)
                ST_HALTED: begin
                    if (reset_req) begin
                        flush         <= 1'b1;
                        soft_rst_done <= 1'b1;
                        err_bits      <= 6'd0;
                    end else if (rs && err_bits == 6'd0 && !hold_run) begin
                        state <= ST_RUN;
                    end
                end
                ST_RUN: begin
                    if (reset_req) begin
                        resetting <= 1'b1;
                        state     <= ST_DRAIN;
                    end else if (sw_err || !rs) begin
                        state <= ST_DRAIN;
                    end
                end
                default: begin // ST_DRAIN
                    if (reset_req)
                        resetting <= 1'b1;
                    if (quiet && !flush) begin
                        state <= ST_HALTED;
                        flush <= 1'b1;
                        if (resetting || reset_req) begin
                            resetting     <= 1'b0;
                            soft_rst_done <= 1'b1;
                            err_bits      <= 6'd0;
                        end
                    end
                end
            endcase
        end
    end
endmodule
`default_nettype wire
