// sgdma_skid: a register slice with a skid register, for one valid/ready handshake.
// Contract: the producer may assert in_valid only while in_ready is high (in_ready is a
// flip-flop, so nothing on the consumer side reaches the producer's logic in the same clock);
// out_valid, out_data are flip-flops and hold still while out_valid && !out_ready (AXI rule).
// Full throughput: one transfer per clock in steady state; the skid register takes the beat
// offered in the clock the consumer first stalls.  Latency in -> out is one clock.
// With FORWARD = 1 it is a forward register slice instead (no skid register: in_ready is
// out_ready || !out_valid, so the consumer's ready reaches the producer's logic in the same
// clock; valid and data are still flip-flops).  Half the flip-flops and no data multiplexer.
`default_nettype none
module sgdma_skid #(
    parameter WIDTH   = 8,
    parameter FORWARD = 0
) (
    input  wire             clk,
    input  wire             rst,
    input  wire             in_valid,
    input  wire [WIDTH-1:0] in_data,
    output wire             in_ready,
    output reg              out_valid,
    output reg  [WIDTH-1:0] out_data,
    input  wire             out_ready,
    output wire             empty          // nothing held (neither register)
);
    wire out_free = out_ready || !out_valid;

    generate
        if (FORWARD != 0) begin : g_fwd
            assign in_ready = out_free;
            always @(posedge clk) begin
                if (rst)
                    out_valid <= 1'b0;
                else if (out_free)
                    out_valid <= in_valid;
            end
            // data register: no reset (the valid flag says whether it holds anything)
            always @(posedge clk)
                if (out_free && in_valid)
                    out_data <= in_data;
            assign empty = !out_valid;
        end else begin : g_skid
            reg             ready_r;
            reg             tmp_valid;
            reg [WIDTH-1:0] tmp_data;
            assign in_ready = ready_r;
            always @(posedge clk) begin
                if (rst) begin
                    ready_r   <= 1'b1;
                    out_valid <= 1'b0;
                    tmp_valid <= 1'b0;
                end else begin
                    // ready next clock unless the skid register is (or becomes) occupied
                    ready_r <= out_ready || (!tmp_valid && (!out_valid || !in_valid));
                    if (ready_r) begin
                        if (out_free)
                            out_valid <= in_valid;
                        else
                            tmp_valid <= in_valid;
                    end else if (out_ready) begin
                        out_valid <= tmp_valid;
                        tmp_valid <= 1'b0;
                    end
                end
            end

            // data registers: no reset (their valid flags say whether they hold anything)
            always @(posedge clk) begin
                if (ready_r) begin
                    if (out_free)
                        out_data <= in_data;
                    else
                        tmp_data <= in_data;
                end else if (out_ready) begin
                    out_data <= tmp_data;
                end
            end

            assign empty = !out_valid && !tmp_valid;
        end
    endgenerate
endmodule
`default_nettype wire
